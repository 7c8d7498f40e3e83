// The control requests an ipvsadm command sends to the daemon (records of ctrl/proto_ipvs.h). The
// daemon builds the same requests from its rules file, so a rule means the same thing in both places.
#pragma once

#include <cstdint>
#include <vector>

#include "dplb/base/status.h"
#include "cli/ipvsadm/ipvsadm_command.h"
#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ctrl/wire.h"

namespace dplb::cli {

struct Request {
  ctrl::Kind kind = ctrl::Kind::kGet;
  uint32_t op = 0;
  std::vector<uint8_t> payload;
  friend bool operator==(const Request&, const Request&) = default;
};

// In the order to send them:
//   -A/-E/-D       set AddService/EditService/DelService   ServiceRecord
//   -a/-e/-d       set AddDest/EditDest/DelDest            DestOp (dest fwd = masquerade)
//   -C             set Clear                               (empty)
//   -Z             set Zero                                ServiceQuery
//   --set          set SetTimeouts                         IpvsTimeouts
//   -L (all)       get Info (empty), get List              ServiceQuery (all)
//   -L -t|-u       get List                                ServiceQuery (that service)
//   -L -c          get Conns                               ConnQuery (all)
//   -L --timeout   get GetTimeouts                         (empty)
//   -S             get List                                ServiceQuery (all)
//   -R, -h, -v     nothing (the tool does them itself)
// EINVAL only for a command parse_ipvsadm would not produce (a scheduler name that does not fit).
Result<std::vector<Request>> build_requests(const IpvsCommand& cmd);

// Record builders, zero-filled but for the fields given.
proto::ServiceRecord service_key_record(const ipvs::ServiceKey& key);
proto::ServiceQuery service_query(const IpvsCommand& cmd);  // has_service from cmd

}  // namespace dplb::cli
