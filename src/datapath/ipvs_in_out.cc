// Packets of virtual services: to the VIP (schedule or match, DNAT) and back from the real server
// (match, SNAT). Each connection lives on one worker, its owner, chosen from the client's address
// and port the same way in both directions; a packet that lands on another worker is handed over.
#include "datapath/ipvs_in_out.h"

#include "datapath/conn_route.h"
#include "datapath/ipvs_xmit.h"
#include "datapath/our_addresses.h"
#include "datapath/steer_to_owner.h"
#include "dplb/ipvs/tcp_state.h"

namespace dplb::dp {

namespace {

struct L4View {
  uint8_t* l4;
  uint16_t sport;
  uint16_t dport;
  uint8_t tcp_flags;
};

// The TCP/UDP header of a validated, unfragmented IPv4 packet, when it is all there.
bool l4_view(net::Ipv4Hdr* ip, L4View& v) {
  size_t hlen = ip->header_len();
  size_t l4_len = ip->total_len.host() - hlen;
  bool tcp = ip->proto == net::kIpProtoTcp;
  if (l4_len < (tcp ? sizeof(net::TcpHdr) : sizeof(net::UdpHdr))) return false;
  v.l4 = reinterpret_cast<uint8_t*>(ip) + hlen;
  v.sport = uint16_t(v.l4[0] << 8 | v.l4[1]);
  v.dport = uint16_t(v.l4[2] << 8 | v.l4[3]);
  v.tcp_flags = tcp ? reinterpret_cast<net::TcpHdr*>(v.l4)->flags : 0;
  return true;
}

// Applies a packet to the connection's state and expiry, keeping the dest's counters right.
void update_state(Worker& w, ipvs::Conn& c, ipvs::ConnDir dir, uint8_t tcp_flags) {
  if (c.proto != net::kIpProtoTcp) {
    if (dir == ipvs::ConnDir::kOutput) c.flags = static_cast<uint16_t>(c.flags & ~ipvs::kConnFlagNoOutput);
    w.tables.conns->touch(c, w.io.now_tick);
    return;
  }
  ipvs::TcpTransition tr = ipvs::tcp_transition(w.tables.timeouts, c, dir, tcp_flags);
  if (tr.activity != ipvs::ActivityChange::kNone) {
    bool active = tr.activity == ipvs::ActivityChange::kBecameActive;
    w.tables.services.on_conn_state(ipvs::DestRef{c.dest_id, c.dest_gen}, !active, active);
  }
  w.tables.conns->refresh(c, tr.timeout, w.io.now_tick);
}

ipvs::Conn* new_connection(Worker& w, rte_mbuf* m, uint32_t svc, const ipvs::FlowKey& key, uint8_t tcp_flags) {
  // Spoofed: a connection "from" one of our addresses (a land attack too) or a subnet broadcast.
  if (unlikely(is_spoofed_source(w, key.saddr))) {
    w.drop(m, DropReason::ipv4_bad_source);
    return nullptr;
  }
  bool tcp = key.proto == net::kIpProtoTcp;
  // As IPVS: only a SYN (without RST) opens a TCP connection.
  if (tcp && (!(tcp_flags & net::kTcpSyn) || (tcp_flags & net::kTcpRst))) {
    w.drop(m, DropReason::ipvs_no_conn);
    return nullptr;
  }
  int32_t d = w.tables.services.schedule(svc, key.saddr, key.sport);
  if (d < 0) {
    w.drop(m, DropReason::ipvs_no_dest);
    return nullptr;
  }
  const ipvs::DestConf& dc = w.tables.services.dest_conf(uint32_t(d));
  ipvs::DestRef ref = w.tables.services.dest_ref(uint32_t(d));
  ipvs::ConnParams p;
  p.proto = key.proto;
  p.caddr = key.saddr;
  p.cport = key.sport;
  p.vaddr = key.daddr;
  p.vport = key.dport;
  p.raddr = dc.addr;
  p.rport = dc.port;
  p.state = tcp ? static_cast<uint8_t>(ipvs::TcpState::kNone) : 0;
  p.flags = ipvs::kConnFlagInactive | ipvs::kConnFlagNoOutput;
  p.dest_id = ref.id;
  p.dest_gen = ref.generation;
  p.timeout = tcp ? w.tables.timeouts.tcp_timeout(ipvs::TcpState::kNone) : w.tables.timeouts.udp;
  ipvs::Conn* c = w.tables.conns->create(p, w.io.now_tick);
  if (c == nullptr) {
    w.drop(m, DropReason::ipvs_conn_full);
    return nullptr;
  }
  ConnRoute{}.store(*c);
  c->user16 = 0;
  w.tables.services.on_conn_new(ref, false);
  return c;
}

// IPVS's conn_reuse_mode: a new SYN on a connection that is finished (TIME_WAIT, CLOSE) is a new
// connection from a reused client port, to be scheduled afresh (weights may have changed since).
bool is_reused_port(const ipvs::Conn& c, uint8_t tcp_flags) {
  if (c.proto != net::kIpProtoTcp) return false;
  if ((tcp_flags & (net::kTcpSyn | net::kTcpAck | net::kTcpRst)) != net::kTcpSyn) return false;
  auto state = static_cast<ipvs::TcpState>(c.state);
  return state == ipvs::TcpState::kTimeWait || state == ipvs::TcpState::kClose;
}

void expire_now(Worker& w, ipvs::Conn* c) {
  w.tables.services.on_conn_gone(ipvs::DestRef{c->dest_id, c->dest_gen}, !(c->flags & ipvs::kConnFlagInactive));
  counter_add(w.io.stats.conns_expired);
  w.tables.conns->destroy(c);
}

}  // namespace

bool ipvs_in(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected, ConnHashHint hint) {
  Ip4 vip = ip->dst();
  if (!w.tables.services.is_vip(vip)) return false;
  L4View v;
  if (unlikely(!l4_view(ip, v))) {
    w.drop(m, DropReason::ipvs_truncated);
    return true;
  }
  Ip4 client = ip->src();
  if (steer_to_owner(w, client, v.sport, redirected, m)) return true;
  ipvs::FlowKey key{ip->proto, client, v.sport, vip, v.dport};
  ipvs::Conn* c = w.tables.conns->lookup_in(hint.in(*w.tables.conns, key), key);
  if (c != nullptr && unlikely(is_reused_port(*c, v.tcp_flags))) {
    expire_now(w, c);
    c = nullptr;
  }
  if (c == nullptr) {
    int32_t svc = w.tables.services.find(ip->proto, vip, v.dport);
    if (svc < 0) return false;  // another port of the VIP: not a virtual service
    c = new_connection(w, m, uint32_t(svc), key, v.tcp_flags);
    if (c == nullptr) return true;
  }
  update_state(w, *c, ipvs::ConnDir::kInput, v.tcp_flags);
  ipvs_xmit(w, m, ip, v.l4, *c, NatDir::to_server);
  return true;
}

bool ipvs_out(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected, ConnHashHint hint) {
  if (ip->is_fragment()) return false;
  L4View v;
  if (!l4_view(ip, v)) return false;
  Ip4 server = ip->src();
  if (!w.tables.services.is_real_server(ip->proto, server, v.sport)) return false;
  Ip4 client = ip->dst();
  if (steer_to_owner(w, client, v.dport, redirected, m)) return true;
  ipvs::FlowKey key{ip->proto, server, v.sport, client, v.dport};
  ipvs::Conn* c = w.tables.conns->lookup_out(hint.out(*w.tables.conns, key), key);
  if (c == nullptr) return false;  // the server talking on its own: ordinary forwarding
  update_state(w, *c, ipvs::ConnDir::kOutput, v.tcp_flags);
  ipvs_xmit(w, m, ip, v.l4, *c, NatDir::to_client);
  return true;
}

}  // namespace dplb::dp
