// libFuzzer target: ipvsadm's argument parser (input layout and checks: ipvsadm_parser_entry.h).
#include <cstdio>
#include <cstdlib>

#include "ipvsadm_parser_entry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string why = dplb::cli::fuzz::check_ipvsadm_parser(data, size);
  if (!why.empty()) {
    std::fprintf(stderr, "ipvsadm_parser_fuzz: %s\n", why.c_str());
    std::abort();
  }
  return 0;
}
