// ipvsadm for dplb: ipvsadm 1.31's command line and output, served by the dplb daemon over its
// control socket ($DPLB_IPC, else /var/run/dplb.ipc).
#include <iostream>
#include <string>
#include <vector>

#include "cli/ipvsadm/ipvsadm_tool.h"
#include "dplb/ctrl/client.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return dplb::cli::run_ipvsadm(argc > 0 ? argv[0] : "ipvsadm", args, dplb::ctrl::resolve_ipc_path(nullptr),
                                std::cin, std::cout, std::cerr);
}
