// libFuzzer target: the control socket's request decoder (input layout: request_decoder_entry.h).
#include <cstdio>
#include <cstdlib>

#include "request_decoder_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::ctrl::fuzz::check_request_decoder(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "request decoder invariant broken: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
