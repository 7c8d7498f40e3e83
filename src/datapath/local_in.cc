// Local delivery's out-of-line part (local_in itself is inline in local_in.h).
#include "datapath/local_in.h"

#include "datapath/kni_path.h"

namespace dplb::dp {

void local_unclaimed(Worker& w, uint16_t port, rte_mbuf* m, DropReason reason) {
  if (w.io.kni.unclaimed_to_kernel[port]) {
    kni_to_kernel(w, port, m);
  } else {
    w.drop(m, reason);
  }
}

}  // namespace dplb::dp
