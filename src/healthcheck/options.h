// dplb-healthcheck's command line: -f FILE [-x SOCKET] [-n] [-l] [-h].
#pragma once

#include <span>
#include <string>

#include "dplb/base/status.h"
#include "healthcheck/checker_daemon.h"

namespace dplb::hc {

struct Command {
  Options options;
  bool help = false;
};

// args without the program name; EINVAL with a one-line message for a bad command line.
Result<Command> parse_options(std::span<const std::string> args);

std::string usage(const std::string& program);

}  // namespace dplb::hc
