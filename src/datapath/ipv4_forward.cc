// The forwarding stage over a burst's forward sub-vector (see ipv4_forward.h). The FIB entries were
// loaded by ipv4_classify; a run of packets to a few gateways reuses their neighbour entries.
#include "datapath/ipv4_forward.h"

namespace dplb::dp {

void ipv4_forward_vector(Worker& w, RxBurst& b, const SubVector& sv) {
  for (uint16_t k = 0; k < sv.n; ++k) {
    uint8_t i = sv.slot[k];
    ipv4_not_ours(w, b.pkts[i], b.ip[i], b.route[i]);
  }
}

}  // namespace dplb::dp
