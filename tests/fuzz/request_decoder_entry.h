// The request decoder's fuzz entry, shared by the libFuzzer target and the unit test that replays
// the checked-in corpus in the normal build.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::ctrl::fuzz {

// Input layout: byte 0 = n (low 3 bits), bytes 1..n = chunk sizes (cycled; size s feeds s + 1
// bytes, 255 feeds the rest), then the byte stream. Feeds the stream to a RequestDecoder in those
// chunks and checks it against a whole-buffer reference parser and its own invariants.
// Returns "" when all hold, else what broke.
std::string check_request_decoder(const uint8_t* data, size_t size);

}  // namespace dplb::ctrl::fuzz
