// EAL start and stop.
#pragma once

#include <string>
#include <vector>

#include "dplb/base/status.h"

namespace dplb::dp {

// rte_eal_init with argv[0] = "dplb" followed by `args`. A failure is a configuration problem
// (bad vdev, bad lcore list...): the message carries DPDK's reason.
Status eal_init(const std::vector<std::string>& args);
// rte_eal_cleanup(), then removes the (empty) runtime directory EAL leaves behind.
void eal_cleanup();

// Why a secondary process (dpdk-dumpcap) could not attach to an EAL started with these arguments:
// "" when nothing in them prevents it, else the argument that does and why.
std::string capture_obstacle(const std::vector<std::string>& args);

}  // namespace dplb::dp
