// libFuzzer target: the keepalived.conf parser (input layout and checks: keepalived_conf_entry.h).
#include <cstdio>
#include <cstdlib>

#include "keepalived_conf_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::keepalived::fuzz::check_keepalived_conf(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "keepalived_conf_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
