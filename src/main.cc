// dplb: a DPDK data-plane L4 load balancer. See README.md.
#include "dp/daemon.h"
#include "startup_files.h"

int main(int argc, char** argv) {
  dplb::dp::Daemon daemon;
  daemon.set_startup_files(dplb::apply_startup_files);
  return daemon.run(argc, argv);
}
