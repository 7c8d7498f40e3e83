// The config loader's fuzz entry, shared by the libFuzzer target and the corpus replay in the
// normal build (tests/unit/fuzz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::conf::fuzz {

// Feeds the bytes to the loader as the text of a TOML file, and a loaded config to the port and
// worker planner (two ports, three lcores). Errors must be clean: EINVAL, every message line naming
// the file. Returns "" when all holds, else what broke.
std::string check_config_loader(const uint8_t* data, size_t size);

}  // namespace dplb::conf::fuzz
