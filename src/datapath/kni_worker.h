// A worker's share of the exception path: its TX buffer toward each port's kernel tap, the taps it
// reads for the kernel's frames, and its counters. Filled at configuration time (KniTaps::attach),
// then only its worker touches it; main reads the counters with counter_read().
#pragma once

#include <rte_mbuf.h>

#include <cstdint>

#include "datapath/limits.h"

namespace dplb::dp {

inline constexpr uint16_t kNoTap = 0xffff;

// Frames for the kernel, by the DPDK port they arrived on; flushed like the port TX buffers.
struct KniTxBuffer {
  uint16_t tap = kNoTap;  // the tap's ethdev id; kNoTap = the port has no tap
  uint16_t queue = 0;     // this worker's own TX queue on the tap
  uint16_t count = 0;
  rte_mbuf* pkts[kBurst];
};

// A tap this worker reads (it is the port's designated worker): every RX queue, frames out of `port`.
struct KniRxRef {
  uint16_t tap = kNoTap;
  uint16_t port = 0;
  uint16_t queues = 0;
};

struct KniPortCounters {
  uint64_t to_kernel = 0;    // written to the tap
  uint64_t from_kernel = 0;  // read from the tap and handed to the port's TX buffer
  uint64_t overflow = 0;     // refused by the tap (also counted as drop kni_overflow)
};

struct KniWorker {
  KniTxBuffer txb[kMaxPorts];
  bool unclaimed_to_kernel[kMaxPorts] = {};  // the port's policy is "kernel" and it has a tap
  uint16_t n_rx = 0;
  KniRxRef rx[kMaxPorts];
  alignas(64) KniPortCounters counters[kMaxPorts];
};

}  // namespace dplb::dp
