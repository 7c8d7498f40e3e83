// dplb-healthcheck's HTTP answer parser's fuzz entry, shared by the libFuzzer target and the corpus
// replay in the normal build (tests/unit/fuzz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::healthcheck::fuzz {

// The bytes are what a real server answered. Parsed with and without the end of the stream, and
// as received in two pieces: a bad answer says why, a complete one has a status 100..599 and a body
// inside the bytes, an answer complete before the end stays the same at the end, and a prefix is
// never complete when the whole is incomplete. Returns "" when all holds, else what broke.
std::string check_http_response(const uint8_t* data, size_t size);

}  // namespace dplb::healthcheck::fuzz
