// Private helpers shared by the control server and client.
#pragma once

#include <sys/un.h>

#include <cstring>
#include <string>

#include "dplb/base/status.h"

namespace dplb::ctrl {

// ENAMETOOLONG when path does not fit sun_path with its NUL; EINVAL when empty.
inline Result<sockaddr_un> make_unix_address(const std::string& path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.empty()) return Status::invalid("empty control socket path");
  if (path.size() >= sizeof(addr.sun_path)) {
    return Status::error(ENAMETOOLONG, "control socket path too long (max " +
                                           std::to_string(sizeof(addr.sun_path) - 1) + " bytes): " + path);
  }
  std::memcpy(addr.sun_path, path.data(), path.size());
  return addr;
}

}  // namespace dplb::ctrl
