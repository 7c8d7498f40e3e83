// libFuzzer target: the config loader (TOML text) (input layout and checks: config_loader_entry.h).
#include <cstdio>
#include <cstdlib>

#include "config_loader_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::conf::fuzz::check_config_loader(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "config_loader_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
