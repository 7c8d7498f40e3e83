// The ipvsadm argument parser's fuzz entry, shared by the libFuzzer target and the corpus replay
// in the normal build (tests/unit/fuzz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::cli::fuzz {

// The bytes are lines of text. Each line is split into arguments as a rules-file line is and
// parsed as an ipvsadm command line; a rule command is turned into its control requests. The
// whole text is also parsed as a rules file, which must agree with the lines one by one. Parse
// errors must carry one of the parser's codes. Returns "" when all holds, else what broke.
std::string check_ipvsadm_parser(const uint8_t* data, size_t size);

}  // namespace dplb::cli::fuzz
