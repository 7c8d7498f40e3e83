// Neighbour output: the last step before TX. Resolves the next hop's MAC (ARP on a miss, a bounded
// queue while resolving) and writes the Ethernet header in front of the IP packet.
#include "datapath/neigh_output.h"

namespace dplb::dp {

void neigh_output_slow(Worker& w, rte_mbuf* m, uint16_t port, const neigh::ResolveResult& r) {
  switch (r.action) {
    case neigh::Resolve::send_and_probe:
      w.send_request(*r.entry, true);
      [[fallthrough]];
    case neigh::Resolve::send:
      neigh_send(w, m, port, *r.entry);
      return;
    case neigh::Resolve::queued_and_ask:
      w.send_request(*r.entry, false);
      return;
    case neigh::Resolve::queued:
      return;
    case neigh::Resolve::drop_queue_full:
    case neigh::Resolve::drop_table_full:
      w.drop(m, DropReason::neigh_queue_full);
      return;
    case neigh::Resolve::drop_failed:
      w.drop(m, DropReason::neigh_failed);
      return;
  }
}

}  // namespace dplb::dp
