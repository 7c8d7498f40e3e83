// Logging: spdlog to stderr; the level comes from the config and -v.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace dplb::dp {

void log_setup(const std::string& level);

}  // namespace dplb::dp
