// Output route lookup: the route table's answer, minus next hops ARP found dead, with the MTU.
#include "datapath/route_output.h"

namespace dplb::dp {

bool route_output(Worker& w, Ip4 daddr, Ip4 saddr_hint, uint32_t flow_hash, route::OutputResult& out) {
  bool ok = w.tables.routes.output(daddr, saddr_hint, -1, flow_hash,
                            out, [&w](uint16_t port, Ip4 nh) { return w.tables.neigh.is_dead(port, nh); });
  if (ok && out.mtu == 0) out.mtu = w.tables.ports[out.port].mtu;
  return ok;
}

}  // namespace dplb::dp
