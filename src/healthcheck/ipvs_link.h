// dplb-healthcheck's connection to dplb's control socket: the live IPVS table (ipvsadm -L's request)
// and the ipvsadm operations (the same requests the ipvsadm tool sends, built by src/cli/ipvsadm).
// Calls are short and bounded (kCallTimeout); a dead connection is reopened on the next call, so a
// restarted dplb is found again by itself.
#pragma once

#include <chrono>
#include <string>

#include "dplb/base/status.h"
#include "dplb/ctrl/client.h"
#include "dplb/healthcheck/ipvs_target.h"

namespace dplb::hc {

inline constexpr std::chrono::milliseconds kCallTimeout{2000};

class IpvsLink {
 public:
  explicit IpvsLink(std::string path) : path_(std::move(path)) {}

  // Every service dplb holds, with its real servers.
  Result<healthcheck::Target> list();
  // A refusal by dplb is an error with dplb's message; a transport failure closes the connection.
  Status apply(const healthcheck::IpvsOp& op);

  const std::string& path() const { return path_; }

 private:
  Result<ctrl::Reply> call(ctrl::Kind kind, uint32_t op, const std::vector<uint8_t>& payload);

  std::string path_;
  ctrl::Client client_;
};

}  // namespace dplb::hc
