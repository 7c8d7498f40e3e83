// The exception path's packet functions (DPVS's RTF_KNI idea through a net_tap): what the data
// plane does not handle goes to the kernel's tap of the port it arrived on, and what the kernel
// sends on the tap leaves by the port unchanged. Bounded and never blocking: a worker buffers at
// most a burst per tap, and what the tap refuses is dropped and counted (kni_overflow).
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "dplb/stats/drop_reason.h"

namespace dplb::dp {

class Worker;

// Hands m (a whole frame, Ethernet header first) to the kernel through port's tap; consumes m.
// Without a tap on the port: dropped as kni_unavailable.
void kni_to_kernel(Worker& w, uint16_t port, rte_mbuf* m);
// A copy of m to the kernel when the port has a tap (ARP: the kernel keeps its own neighbour
// table); m itself stays with the caller.
void kni_copy_to_kernel(Worker& w, uint16_t port, const rte_mbuf* m);

// Writes the worker's buffered frames for port's tap (or all taps) to the kernel.
void kni_flush(Worker& w, uint16_t port);
void kni_flush_all(Worker& w);
// The designated worker's read of its taps: at most one burst per tap queue, each frame queued on
// the port's TX buffer. Returns the number of frames read.
uint16_t kni_poll(Worker& w);

}  // namespace dplb::dp
