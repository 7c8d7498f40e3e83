// Ethernet input, and the burst-wide pipeline behind it (rx_burst.h): Ethernet and IPv4 header checks
// for the whole burst, route input and classification for the whole burst (ipv4_classify), then each
// run of consecutive packets of one class through its stage as one sub-vector (the nat and forward
// stages; ARP, ICMP, the kernel's and the unusual ones one at a time).
#include "datapath/eth_input.h"

#include <rte_prefetch.h>

#include <array>
#include <cstring>

#include "datapath/arp_input.h"
#include "datapath/ipv4_classify.h"
#include "datapath/ipv4_forward.h"
#include "datapath/ipv4_input.h"
#include "datapath/ipvs_in_out.h"

namespace dplb::dp {

namespace {
constexpr int kPrefetchAhead = 3;  // packet headers, ahead of the checks

// A frame for us and its IPv4 header checked: the burst's slot i gets its class (gone when dropped).
[[gnu::always_inline]] inline void eth_check(Worker& w, const PortView& pv, RxBurst& b, uint16_t i) {
  rte_mbuf* m = b.pkts[i];
  m->port = b.port;
  b.ip[i] = nullptr;
  b.cls[i] = PathClass::gone;
  if (unlikely(m->data_len < sizeof(net::EthHdr))) {
    w.drop(m, DropReason::eth_too_short);
    return;
  }
  // A giant (longer than the MTU we announced) or a chained frame: the pipeline reads headers and
  // lengths from the first buffer only and would answer a giant with a reply too big for the link.
  if (unlikely(m->pkt_len != m->data_len || m->data_len > pv.mtu + sizeof(net::EthHdr))) {
    w.drop(m, DropReason::eth_too_long);
    return;
  }
  const auto* eth = rte_pktmbuf_mtod(m, const net::EthHdr*);
  if (unlikely(eth->dst != pv.mac) && !pv.promisc && !eth->dst.is_broadcast()) {
    w.drop(m, DropReason::eth_not_for_us);
    return;
  }
  if (unlikely(eth->src.is_multicast())) {
    w.drop(m, DropReason::eth_bad_source);
    return;
  }
  uint16_t type = eth->type.host();
  if (likely(type == net::kEtherTypeIpv4)) {
    b.ip[i] = ipv4_validate(w, m);
    if (b.ip[i] != nullptr) b.cls[i] = PathClass::slow;  // until ipv4_classify
  } else if (type == net::kEtherTypeArp) {
    b.cls[i] = PathClass::slow;
  } else {
    w.drop(m, DropReason::eth_unknown_type);
  }
}

// One packet of the slow class: ARP, or IPv4 after route input.
void slow_one(Worker& w, RxBurst& b, uint16_t i) {
  if (b.ip[i] == nullptr) {
    arp_input(w, b.port, b.pkts[i]);
  } else {
    ipv4_deliver(w, b.port, b.pkts[i], b.ip[i], b.route[i], false);
  }
}

// The runs of the burst in order: consecutive packets of one class (the gone ones skipped) go to
// their stage together.
// Slots 0..kBurst-1: the sub-vector of a burst whose packets all went one way.
constexpr std::array<uint8_t, kBurst> kEverySlot = [] {
  std::array<uint8_t, kBurst> a{};
  for (uint16_t i = 0; i < kBurst; ++i) a[i] = static_cast<uint8_t>(i);
  return a;
}();

// True when every packet of b has class cls (the common case: a whole burst of one flow kind).
bool all_of_class(const RxBurst& b, PathClass cls) {
  bool same = true;
  for (uint16_t i = 0; i < b.n; ++i) same &= b.cls[i] == cls;
  return same;
}

void run_stages(Worker& w, RxBurst& b) {
  // Worth it only once the table outgrows the caches (default 16,384 connections: 1 MiB of them plus
  // their index buckets); a small one is found in cache anyway.
  const bool conn_prefetch = w.tables.conns->size() >= w.setup.settings.conn_prefetch_min;
  uint16_t i = 0;
  while (i < b.n) {
    PathClass cls = b.cls[i];
    if (cls == PathClass::gone) {
      ++i;
      continue;
    }
    SubVector sv;
    if (i == 0 && all_of_class(b, cls)) {
      sv.n = b.n;
      std::memcpy(sv.slot, kEverySlot.data(), b.n);
      i = b.n;
    } else {
      for (; i < b.n && (b.cls[i] == cls || b.cls[i] == PathClass::gone); ++i)
        if (b.cls[i] == cls) sv.slot[sv.n++] = static_cast<uint8_t>(i);
    }
    switch (cls) {
      case PathClass::nat:
        ipvs_nat_vector(w, b, sv, conn_prefetch);
        break;
      case PathClass::forward:
        ipv4_forward_vector(w, b, sv);
        break;
      case PathClass::slow:
        for (uint16_t k = 0; k < sv.n; ++k) slow_one(w, b, sv.slot[k]);
        break;
      case PathClass::gone:
        break;
    }
  }
}

void eth_input_burst(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n) {
  PortCounters& pc = w.io.stats.port[port];
  const PortView& pv = w.tables.ports[port];
  RxBurst b;
  b.port = port;
  b.n = n;
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    b.pkts[i] = pkts[i];
    bytes += pkts[i]->pkt_len;  // before any is freed, trimmed or sent
    eth_check(w, pv, b, i);
  }
  ipv4_classify(w, b);
  w.io.last_neigh.in_burst = true;
  run_stages(w, b);
  w.io.last_neigh = LastNeighbour{};  // the poll loop may change the neighbour table before the next
  counter_add(pc.rx_packets, n);
  counter_add(pc.rx_bytes, bytes);
}
}  // namespace

void eth_input(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n) {
  for (; n > kBurst; pkts += kBurst, n = static_cast<uint16_t>(n - kBurst)) {
    eth_input_burst(w, port, pkts, kBurst);
  }
  eth_input_burst(w, port, pkts, n);
}

}  // namespace dplb::dp
