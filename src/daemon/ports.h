// Ethdev ports: discovery (names dpdk0, dpdk1... by port id), queue setup, start, stop, close;
// and the mbuf pools, one per NUMA socket of the ports.
#pragma once

#include <rte_ethdev.h>
#include <rte_mempool.h>

#include <map>
#include <string>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/conf/config.h"
#include "dplb/conf/plan.h"

namespace dplb::dp {

class Mempools {
 public:
  Mempools(uint32_t mbufs, uint32_t cache) : mbufs_(mbufs), cache_(cache) {}
  ~Mempools();
  // The pool for `socket` (SOCKET_ID_ANY maps to 0), created on first use.
  Result<rte_mempool*> get(int socket);
  // Mbufs not back in their pool (per-lcore caches count as back), per pool: leak accounting at
  // shutdown.
  struct Usage {
    std::string name;
    unsigned in_use;
    unsigned size;
  };
  std::vector<Usage> in_use() const;
  void free_all();

 private:
  uint32_t mbufs_, cache_;
  std::map<int, rte_mempool*> pools_;
};

struct PortState {
  uint16_t id = 0;
  std::string name;
  Mac mac;
  int socket = 0;
  conf::PortConf conf;
  rte_eth_dev_info info{};
  bool started = false;
  std::string kni_ifname;  // its exception-path tap (kni/kni_taps.h), "" = none
};

class Ports {
 public:
  // Every ethdev EAL created, as RuntimeFacts for the plan.
  static conf::RuntimeFacts discover(unsigned main_lcore, const std::vector<unsigned>& worker_lcores);

  Status configure(const conf::Plan& plan, Mempools& pools);
  Status start_all();
  void stop_and_close_all();

  std::vector<PortState>& all() { return ports_; }
  const std::vector<PortState>& all() const { return ports_; }

 private:
  std::vector<PortState> ports_;
};

}  // namespace dplb::dp
