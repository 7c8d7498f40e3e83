// dplb: a DPDK data-plane L4 load balancer. See README.md.
#include "daemon/daemon.h"
#include "daemon/startup_files.h"

int main(int argc, char** argv) {
  dplb::dp::Daemon daemon;
  daemon.set_startup_files(dplb::apply_startup_files);
  return daemon.run(argc, argv);
}
