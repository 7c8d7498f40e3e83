// libFuzzer target: dpip's argument parser (input layout and checks: dpip_parser_entry.h).
#include <cstdio>
#include <cstdlib>

#include "dpip_parser_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::dpip::fuzz::check_dpip_parser(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "dpip_parser_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
