// ICMP errors about connections (IPVS's ip_vs_in_icmp / ip_vs_out_icmp): the quoted packet names
// the connection; outer and quoted headers are translated so the receiver recognises the quote.
#include "datapath/ipvs_icmp.h"

#include "datapath/ipvs_xmit.h"
#include "datapath/neigh_output.h"
#include "datapath/steer_to_owner.h"
#include "dplb/ipvs/nat_icmp.h"
#include "dplb/net/ipv4_ttl.h"

namespace dplb::dp {

namespace {

bool parse(rte_mbuf* m, net::Ipv4Hdr* ip, ipvs::IcmpErrorView& view) {
  size_t len = m->data_len - sizeof(net::EthHdr);
  return ipvs::icmp_error_parse(ip, len, &view) == ipvs::IcmpErrorParse::kOk;
}

void send_translated(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, ipvs::Conn& c, NatDir dir) {
  uint16_t port, mtu;
  Ip4 next_hop;
  if (!ipvs_route(w, c, dir, port, next_hop, mtu)) {
    w.drop(m, DropReason::ipv4_no_route);
    return;
  }
  if (ip->ttl <= 1) {
    w.drop(m, DropReason::ipv4_ttl_exceeded);  // no error about an error
    return;
  }
  net::ipv4_decrement_ttl(ip);
  neigh_output(w, m, port, next_hop);
}

}  // namespace

bool ipvs_icmp_to_client(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected) {
  ipvs::IcmpErrorView view;
  if (!parse(m, ip, view)) return false;
  ipvs::FlowKey key = view.lookup_key();  // server -> client
  if (!w.tables.services.is_real_server(key.proto, key.saddr, key.sport)) return false;
  if (steer_to_owner(w, key.daddr, key.dport, redirected, m)) return true;
  ipvs::Conn* c = w.tables.conns->lookup_out(key);
  if (c == nullptr) return false;
  ipvs::icmp_error_to_client(view, c->vaddr, c->vport);
  send_translated(w, m, ip, *c, NatDir::to_client);
  return true;
}

bool ipvs_icmp_to_server(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected) {
  ipvs::IcmpErrorView view;
  if (!parse(m, ip, view)) return false;
  ipvs::FlowKey key = view.lookup_key();  // client -> VIP
  if (!w.tables.services.is_vip(key.daddr)) return false;
  if (steer_to_owner(w, key.saddr, key.sport, redirected, m)) return true;
  ipvs::Conn* c = w.tables.conns->lookup_in(key);
  if (c == nullptr) return false;
  ipvs::icmp_error_to_server(view, c->raddr, c->rport);
  send_translated(w, m, ip, *c, NatDir::to_server);
  return true;
}

}  // namespace dplb::dp
