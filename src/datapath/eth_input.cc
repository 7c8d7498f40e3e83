// Ethernet input: accept frames for us, classify by EtherType, and run the rest of the pipeline
// inline. Once the tables outgrow the caches the burst goes through in two passes: the first hashes
// every TCP/UDP tuple and starts loading its connection-index bucket and its destination's tbl24
// entry, so the per-packet pass finds buckets, connections and FIB entries in cache instead of
// waiting on memory for each. Small tables take one pass.
#include "datapath/eth_input.h"

#include <rte_prefetch.h>

#include "datapath/arp_input.h"
#include "datapath/conn_hash_hint.h"
#include "datapath/ipv4_input.h"

namespace dplb::dp {

namespace {
constexpr int kPrefetchAhead = 3;   // packet headers, ahead of the hashing pass
constexpr int kConnAhead = 4;       // connections and FIB entries, ahead of the per-packet pass
constexpr size_t kFibPrefetchMinRoutes = 1024;

using FlowDir = ConnHashHint::Dir;

// The connection-table hash of a plain IPv4 TCP/UDP packet (no options, not a fragment), and the
// direction it will be looked up in: toward a VIP is inbound, anything else may be a server's reply.
// Only a hint: the per-packet pass validates everything and ignores it when it does not apply.
FlowDir flow_of(const Worker& w, const rte_mbuf* m, uint64_t& hash) {
  constexpr size_t kNeed = sizeof(net::EthHdr) + sizeof(net::Ipv4Hdr) + 4;
  if (m->data_len < kNeed) return FlowDir::none;
  const auto* eth = rte_pktmbuf_mtod(m, const net::EthHdr*);
  const auto* ip = reinterpret_cast<const net::Ipv4Hdr*>(eth + 1);
  if (eth->type.raw != Be16::from_host(net::kEtherTypeIpv4).raw || ip->version_ihl != 0x45) {
    return FlowDir::none;
  }
  if (ip->proto != net::kIpProtoTcp && ip->proto != net::kIpProtoUdp) return FlowDir::none;
  if (ip->is_fragment()) return FlowDir::none;
  const auto* l4 = reinterpret_cast<const uint8_t*>(ip + 1);
  auto sport = uint16_t(l4[0] << 8 | l4[1]);
  auto dport = uint16_t(l4[2] << 8 | l4[3]);
  ipvs::FlowKey key{ip->proto, ip->src(), sport, ip->dst(), dport};
  if (w.tables.services.is_vip(ip->dst())) {
    hash = w.tables.conns->hash_in(key);
    w.tables.conns->prefetch_in(hash);
    // A SYN most likely opens a connection: its reply-index bucket (the same hash) is written too.
    if (ip->proto == net::kIpProtoTcp && m->data_len >= kNeed - 4 + sizeof(net::TcpHdr) &&
        (reinterpret_cast<const net::TcpHdr*>(l4)->flags & net::kTcpSyn)) {
      w.tables.conns->prefetch_out(hash);
    }
    return FlowDir::in;
  }
  hash = w.tables.conns->hash_out(key);
  w.tables.conns->prefetch_out(hash);
  return FlowDir::out;
}

// The destination of a plain IPv4 packet, else 0 (only a prefetch hint).
Ip4 ipv4_dst_of(const rte_mbuf* m) {
  if (m->data_len < sizeof(net::EthHdr) + sizeof(net::Ipv4Hdr)) return Ip4{};
  const auto* eth = rte_pktmbuf_mtod(m, const net::EthHdr*);
  if (eth->type.raw != Be16::from_host(net::kEtherTypeIpv4).raw) return Ip4{};
  return reinterpret_cast<const net::Ipv4Hdr*>(eth + 1)->dst();
}

void prefetch_conn(const Worker& w, FlowDir d, uint64_t hash) {
  if (d == FlowDir::in) {
    w.tables.conns->prefetch_conn_in(hash);
  } else if (d == FlowDir::out) {
    w.tables.conns->prefetch_conn_out(hash);
  }
}

// One frame: accept it if it is for us, then hand it on by EtherType.
[[gnu::always_inline]] inline void eth_one(Worker& w, uint16_t port, const PortView& pv, rte_mbuf* m,
                                           ConnHashHint hint) {
  m->port = port;
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
    ipv4_input_inline(w, port, m, false, hint);
  } else if (type == net::kEtherTypeArp) {
    arp_input(w, port, m);
  } else {
    w.drop(m, DropReason::eth_unknown_type);
  }
}

// Small tables (everything in cache): one pass, prefetching packet data a few frames ahead.
void eth_input_one_pass(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n) {
  const PortView& pv = w.tables.ports[port];
  for (uint16_t i = 0; i < n && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    eth_one(w, port, pv, pkts[i], ConnHashHint{});
  }
}

// Large tables: a first pass starts loading what each packet will look up (connection-index
// buckets, tbl24 entries), the second processes the packets while loading connections and FIB
// entries a few packets ahead.
template <bool kNat, bool kFib>
void eth_input_staged(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n) {
  uint64_t hashes[kBurst];
  FlowDir dirs[kBurst] = {};
  Ip4 dsts[kBurst];
  for (uint16_t i = 0; i < n && i < kPrefetchAhead; ++i) rte_prefetch0(rte_pktmbuf_mtod(pkts[i], void*));
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kPrefetchAhead < n) rte_prefetch0(rte_pktmbuf_mtod(pkts[i + kPrefetchAhead], void*));
    if constexpr (kFib) {
      dsts[i] = ipv4_dst_of(pkts[i]);
      if (!dsts[i].is_zero()) w.tables.routes.prefetch_input(dsts[i]);
    }
    if constexpr (kNat) dirs[i] = flow_of(w, pkts[i], hashes[i]);
  }
  for (uint16_t i = 0; i < n && i < kConnAhead; ++i) {
    if constexpr (kNat) prefetch_conn(w, dirs[i], hashes[i]);
    if constexpr (kFib)
      if (!dsts[i].is_zero()) w.tables.routes.prefetch_fib_entry(dsts[i]);
  }
  const PortView& pv = w.tables.ports[port];
  for (uint16_t i = 0; i < n; ++i) {
    if (i + kConnAhead < n) {
      if constexpr (kNat) prefetch_conn(w, dirs[i + kConnAhead], hashes[i + kConnAhead]);
      if constexpr (kFib)
        if (!dsts[i + kConnAhead].is_zero()) w.tables.routes.prefetch_fib_entry(dsts[i + kConnAhead]);
    }
    ConnHashHint hint;
    if constexpr (kNat) hint = ConnHashHint{hashes[i], dirs[i]};
    eth_one(w, port, pv, pkts[i], hint);
  }
}

void eth_input_burst(Worker& w, uint16_t port, rte_mbuf** pkts, uint16_t n) {
  PortCounters& pc = w.io.stats.port[port];
  uint64_t bytes = 0;
  for (uint16_t i = 0; i < n; ++i) bytes += pkts[i]->pkt_len;  // before any is freed or sent
  w.io.last_neigh.in_burst = true;
  // Worth it only once the table outgrows the caches (default 16,384 connections: 1 MiB of them plus
  // their index buckets); a small one is found in cache anyway.
  const bool nat = w.tables.services.service_count() != 0 &&
                   w.tables.conns->size() >= w.setup.settings.conn_prefetch_min;
  // Likewise the FIB: a few hundred routes stay in cache; 100,000 cost a miss on the tbl24 entry and
  // another on the FIB entry it names, per packet, unless the burst loads them all in parallel.
  const bool fib = w.tables.routes.route_count() >= kFibPrefetchMinRoutes;
  if (nat && fib) {
    eth_input_staged<true, true>(w, port, pkts, n);
  } else if (nat) {
    eth_input_staged<true, false>(w, port, pkts, n);
  } else if (fib) {
    eth_input_staged<false, true>(w, port, pkts, n);
  } else {
    eth_input_one_pass(w, port, pkts, n);
  }
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
