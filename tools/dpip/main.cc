// dpip: dplb's iproute2-style command line tool. Everything but the process plumbing is in dpip_lib.
#include <iostream>
#include <string>
#include <vector>

#include "cli/dpip/runner.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  std::vector<std::string> args(argv + 1, argv + argc);
  int rc = dplb::dpip::run(args, std::cin, std::cout, std::cerr);
  std::cout.flush();
  return rc;
}
