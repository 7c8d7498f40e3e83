// libFuzzer target: the metrics endpoint's request parser (checks: scrape_request_entry.h).
#include <cstdio>
#include <cstdlib>

#include "scrape_request_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::metrics::fuzz::check_scrape_request(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "scrape_request_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
