// Route input for the burst, then the class of each packet. A large FIB (100,000 routes) costs a miss
// on a packet's tbl24 entry and another on the FIB entry it names: the first pass starts loading
// every tbl24 entry, the second loads FIB entries a few packets ahead of their lookup.
#include "datapath/ipv4_classify.h"

#include "datapath/ipvs_in_out.h"

namespace dplb::dp {

namespace {
constexpr int kFibAhead = 4;
constexpr size_t kFibPrefetchMinRoutes = 1024;  // below this the FIB stays in cache

// The checks local_in and ipv4_deliver make before IPVS, so that a packet they would send elsewhere
// (local_in's drops, the kernel, ICMP, a server talking on its own) stays on the per-packet path.
[[gnu::always_inline]] inline PathClass class_of(const Worker& w, net::Ipv4Hdr* ip, const route::InputResult& r) {
  if (ip->proto != net::kIpProtoTcp && ip->proto != net::kIpProtoUdp) return PathClass::slow;
  switch (r.verdict) {
    case route::InputVerdict::kLocal:
      if (ip->header_len() != sizeof(net::Ipv4Hdr) || ip->is_fragment()) return PathClass::slow;
      return w.tables.services.is_vip(ip->dst()) ? PathClass::nat : PathClass::slow;
    case route::InputVerdict::kKni:
      return PathClass::slow;
    case route::InputVerdict::kForward:
    case route::InputVerdict::kNoRoute:
      break;
  }
  if (w.tables.services.dest_count() != 0) {
    L4View v;
    if (is_real_server_reply(w, ip, v)) return PathClass::nat;
  }
  return PathClass::forward;
}
}  // namespace

void ipv4_classify(Worker& w, RxBurst& b) {
  const route::RouteTable& routes = w.tables.routes;
  if (routes.route_count() >= kFibPrefetchMinRoutes) {
    for (uint16_t i = 0; i < b.n; ++i)
      if (b.ip[i] != nullptr) routes.prefetch_input(b.ip[i]->dst());
    for (uint16_t i = 0; i < b.n && i < kFibAhead; ++i)
      if (b.ip[i] != nullptr) routes.prefetch_fib_entry(b.ip[i]->dst());
    for (uint16_t i = 0; i < b.n; ++i) {
      if (i + kFibAhead < b.n && b.ip[i + kFibAhead] != nullptr) routes.prefetch_fib_entry(b.ip[i + kFibAhead]->dst());
      if (b.ip[i] == nullptr) continue;
      b.route[i] = routes.input(b.ip[i]->dst(), b.port);
      b.cls[i] = class_of(w, b.ip[i], b.route[i]);
    }
    return;
  }
  for (uint16_t i = 0; i < b.n; ++i) {
    if (b.ip[i] == nullptr) continue;
    b.route[i] = routes.input(b.ip[i]->dst(), b.port);
    b.cls[i] = class_of(w, b.ip[i], b.route[i]);
  }
}

}  // namespace dplb::dp
