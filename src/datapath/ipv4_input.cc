// IPv4 input for one packet (see ipv4_input.h); bursts take the same steps stage by stage.
#include "datapath/ipv4_input.h"

namespace dplb::dp {

void ipv4_input(Worker& w, uint16_t port, rte_mbuf* m, bool redirected) {
  net::Ipv4Hdr* ip = ipv4_validate(w, m);
  if (ip == nullptr) return;
  ipv4_deliver(w, port, m, ip, w.tables.routes.input(ip->dst(), port), redirected);
}

}  // namespace dplb::dp
