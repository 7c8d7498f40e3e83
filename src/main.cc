// dplb: a DPDK data-plane L4 load balancer. See README.md.
#include "daemon/daemon.h"

int main(int argc, char** argv) {
  dplb::dp::Daemon daemon;
  return daemon.run(argc, argv);
}
