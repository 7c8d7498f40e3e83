// The dpip argument parser's fuzz entry, shared by the libFuzzer target and the corpus replay in
// the normal build (tests/unit/fuzz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::dpip::fuzz {

// The bytes are lines of text. The first is a whole dpip command line (global options, object,
// command, arguments); the others are -batch lines parsed under its global options. Each line is
// split into words as a batch line is, parsed without a daemon, and a parsed command is turned into
// the request records it would send. Parse errors must be clean: EINVAL with a message.
// Returns "" when all holds, else what broke.
std::string check_dpip_parser(const uint8_t* data, size_t size);

}  // namespace dplb::dpip::fuzz
