// libFuzzer target: the packet pipeline from Ethernet to verdict (input layout, the worker's
// configuration and the checks: pipeline_entry.h).
#include <cstdio>
#include <cstdlib>

#include "pipeline_entry.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  std::string why = dplb::dp::fuzz::pipeline_init();
  if (!why.empty()) {
    std::fprintf(stderr, "pipeline_fuzz: %s\n", why.c_str());
    std::abort();
  }
  std::atexit(dplb::dp::fuzz::pipeline_shutdown);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::dp::fuzz::check_pipeline(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "pipeline_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
