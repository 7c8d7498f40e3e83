// Steering a packet to the worker that owns its connection.
#include "datapath/steer_to_owner.h"

#include <rte_ring.h>

#include "dplb/ipvs/conn_hash.h"

namespace dplb::dp {

bool steer_to_owner_slow(Worker& w, Ip4 client, uint16_t client_port, rte_mbuf* m) {
  uint32_t owner = ipvs::owner_worker(client, client_port, w.setup.n_workers);
  if (owner == w.setup.index) return false;
  redirect_to_owner(w, m, owner);
  return true;
}

void redirect_to_owner(Worker& w, rte_mbuf* m, uint32_t owner) {
  rte_ring* r = w.setup.redirect_to[owner];
  if (unlikely(r == nullptr || rte_ring_sp_enqueue(r, m) != 0)) {
    w.drop(m, DropReason::redirect_full);
    return;
  }
  counter_add(w.io.stats.port[m->port].redirected);
}

}  // namespace dplb::dp
