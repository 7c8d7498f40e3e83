// libFuzzer target: dplb-healthcheck's HTTP answer parser (checks: http_response_entry.h).
#include <cstdio>
#include <cstdlib>

#include "http_response_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::healthcheck::fuzz::check_http_response(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "http_response_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
