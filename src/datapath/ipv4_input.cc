// IPv4 input, out of line (see ipv4_input.h).
#include "datapath/ipv4_input.h"

namespace dplb::dp {

void ipv4_input(Worker& w, uint16_t port, rte_mbuf* m, bool redirected) {
  ipv4_input_inline(w, port, m, redirected, ConnHashHint{});
}

}  // namespace dplb::dp
