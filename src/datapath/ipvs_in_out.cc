// Packets of virtual services: to the VIP (schedule or match, DNAT) and back from the real server
// (match, SNAT). Each connection lives on one worker, its owner, chosen from the client's address
// and port the same way in both directions; a packet that lands on another worker is handed over.
#include "datapath/ipvs_in_out.h"

#include "datapath/conn_route.h"
#include "datapath/ipvs_dr_xmit.h"
#include "datapath/ipvs_persist.h"
#include "datapath/ipv4_forward.h"
#include "datapath/local_in.h"
#include "datapath/ipvs_xmit.h"
#include "datapath/our_addresses.h"
#include "datapath/steer_to_owner.h"
#include "dplb/ipvs/tcp_state.h"

namespace dplb::dp {

namespace {

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
  const bool persistent = w.tables.services.service_conf(svc).persistent();
  PersistChoice choice;
  if (persistent) {
    choice = persist_schedule(w, svc, key);
  } else {
    choice.dest = w.tables.services.schedule(svc, key.saddr, key.sport);
  }
  int32_t d = choice.dest;
  if (d < 0) {
    w.drop(m, choice.why);
    return nullptr;
  }
  const ipvs::DestConf& dc = w.tables.services.dest_conf(uint32_t(d));
  ipvs::DestRef ref = w.tables.services.dest_ref(uint32_t(d));
  ipvs::ConnParams p = ipvs::ConnParams::of(key, dc.addr, dc.port);
  p.state = tcp ? static_cast<uint8_t>(ipvs::TcpState::kNone) : 0;
  // One-way methods never clear NoOutput: their TCP state follows IPVS's INPUT_ONLY table.
  p.flags = static_cast<uint16_t>(ipvs::kConnFlagInactive | ipvs::kConnFlagNoOutput | conn_fwd_flags(dc.fwd) |
                                  (persistent ? kConnFlagPersistent : 0));
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
  if (choice.templ != nullptr) persist_adopt(w, *choice.templ);
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
  if (c->flags & kConnFlagPersistent) persist_child_gone(w, *c);
  w.tables.services.on_conn_gone(ipvs::DestRef{c->dest_id, c->dest_gen}, !(c->flags & ipvs::kConnFlagInactive));
  counter_add(w.io.stats.conns_expired);
  w.tables.conns->destroy(c);
}

// The rest of ipvs_in once the lookup gave c (nullptr: none); same contract as ipvs_in. Sets
// table_changed when it created or destroyed a connection (lookups made before are stale).
[[gnu::always_inline]] inline bool ipvs_in_matched(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, const L4View& v,
                                                   const ipvs::FlowKey& key, ipvs::Conn* c, bool& table_changed) {
  if (c != nullptr && unlikely(is_reused_port(*c, v.tcp_flags))) {
    expire_now(w, c);
    table_changed = true;
    c = nullptr;
  }
  if (c == nullptr) {
    int32_t svc = w.tables.services.find(key.proto, key.daddr, key.dport);
    if (svc < 0) return false;  // another port of the VIP: not a virtual service
    c = new_connection(w, m, uint32_t(svc), key, v.tcp_flags);
    if (c == nullptr) return true;
    table_changed = true;
  }
  update_state(w, *c, ipvs::ConnDir::kInput, v.tcp_flags);
  ipvs_xmit(w, m, ip, v.l4, *c, NatDir::to_server);
  return true;
}

// The rest of ipvs_out once the reply's connection was found; consumes m.
[[gnu::always_inline]] inline void ipvs_out_matched(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, const L4View& v,
                                                    ipvs::Conn& c) {
  update_state(w, c, ipvs::ConnDir::kOutput, v.tcp_flags);
  ipvs_xmit(w, m, ip, v.l4, c, NatDir::to_client);
}

}  // namespace

bool ipvs_in(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected) {
  Ip4 vip = ip->dst();
  if (!w.tables.services.is_vip(vip)) return false;
  L4View v;
  if (unlikely(!l4_view(ip, v))) {
    w.drop(m, DropReason::ipvs_truncated);
    return true;
  }
  if (unlikely(v.sport == 0)) {
    w.drop(m, DropReason::ipvs_port_zero);
    return true;
  }
  ipvs::FlowKey key{ip->proto, ip->src(), v.sport, vip, v.dport};
  if (steer_in(w, key, redirected, m)) return true;
  ipvs::Conn* c = w.tables.conns->lookup_in(key);
  bool table_changed = false;
  return ipvs_in_matched(w, m, ip, v, key, c, table_changed);
}

bool ipvs_out(Worker& w, rte_mbuf* m, net::Ipv4Hdr* ip, bool redirected) {
  L4View v;
  if (!is_real_server_reply(w, ip, v)) return false;
  ipvs::FlowKey key{ip->proto, ip->src(), v.sport, ip->dst(), v.dport};
  if (steer_out(w, key, redirected, m)) return true;
  ipvs::Conn* c = w.tables.conns->lookup_out(key);
  if (c == nullptr) return false;  // the server talking on its own: ordinary forwarding
  ipvs_out_matched(w, m, ip, v, *c);
  return true;
}

namespace {
constexpr int kConnAhead = 4;  // connections loaded this many lookups ahead

struct NatSlot {
  L4View v;
  ipvs::FlowKey key;
  uint64_t hash;
  ipvs::Conn* conn;
  bool in;  // toward the VIP (else a real server's reply)
};

void prefetch_conn(const ipvs::ConnTable& t, const NatSlot& x) {
  if (x.in) {
    t.prefetch_conn_in(x.hash);
  } else {
    t.prefetch_conn_out(x.hash);
  }
}

// After the lookup: state and transmit (or what ipvs_in / ipvs_out do when it found nothing).
[[gnu::always_inline]] inline void nat_finish(Worker& w, RxBurst& b, uint8_t i, const NatSlot& x, ipvs::Conn* c,
                                              bool& table_changed) {
  rte_mbuf* m = b.pkts[i];
  net::Ipv4Hdr* ip = b.ip[i];
  if (x.in) {
    if (ipvs_in_matched(w, m, ip, x.v, x.key, c, table_changed)) return;
    // Another port of the VIP: local_in's path after ipvs_in.
    if (unlikely(is_spoofed_source(w, ip->src()))) {
      w.drop(m, DropReason::ipv4_bad_source);
      return;
    }
    local_unclaimed(w, b.port, m, DropReason::l4_unhandled);
  } else if (c == nullptr) {
    ipv4_not_ours(w, m, ip, b.route[i]);  // the server talking on its own
  } else {
    ipvs_out_matched(w, m, ip, x.v, *c);
  }
}

// The tuple of slot i, and its hash; false when the packet is gone (too short, or handed over).
[[gnu::always_inline]] inline bool nat_tuple(Worker& w, RxBurst& b, uint8_t i, NatSlot& x) {
  rte_mbuf* m = b.pkts[i];
  net::Ipv4Hdr* ip = b.ip[i];
  x.in = b.route[i].verdict == route::InputVerdict::kLocal;
  if (unlikely(!l4_view(ip, x.v))) {  // only a packet to the VIP can be short here (see ipv4_classify)
    w.drop(m, DropReason::ipvs_truncated);
    return false;
  }
  x.key = ipvs::FlowKey{ip->proto, ip->src(), x.v.sport, ip->dst(), x.v.dport};
  if (x.in) {
    if (unlikely(x.v.sport == 0)) {  // (port 0 names persistence templates)
      w.drop(m, DropReason::ipvs_port_zero);
      return false;
    }
    if (steer_in(w, x.key, false, m)) return false;
    x.hash = w.tables.conns->hash_in(x.key);
  } else {
    if (steer_out(w, x.key, false, m)) return false;
    x.hash = w.tables.conns->hash_out(x.key);
  }
  return true;
}

ipvs::Conn* nat_lookup(ipvs::ConnTable& t, const NatSlot& x) {
  return x.in ? t.lookup_in(x.hash, x.key) : t.lookup_out(x.hash, x.key);
}

// A table that fits the caches: nothing to wait for, so each packet goes through in one step (the
// passes below would only store and reload what one step keeps in registers).
void nat_vector_one_pass(Worker& w, RxBurst& b, const SubVector& sv) {
  bool table_changed = false;
  for (uint16_t k = 0; k < sv.n; ++k) {
    uint8_t i = sv.slot[k];
    NatSlot x;
    if (!nat_tuple(w, b, i, x)) continue;
    nat_finish(w, b, i, x, nat_lookup(*w.tables.conns, x), table_changed);
  }
}

// A table larger than the caches: every index bucket starts loading, then every connection a few
// lookups ahead, so the sub-vector's misses overlap instead of following one another.
void nat_vector_staged(Worker& w, RxBurst& b, const SubVector& sv) {
  ipvs::ConnTable& t = *w.tables.conns;
  NatSlot s[kBurst];
  uint8_t slot[kBurst];
  uint16_t n = 0;
  for (uint16_t k = 0; k < sv.n; ++k) {
    uint8_t i = sv.slot[k];
    NatSlot& x = s[n];
    if (!nat_tuple(w, b, i, x)) continue;
    if (x.in) {
      t.prefetch_in(x.hash);
      // A SYN most likely opens a connection: its reply-index bucket (the same hash) is written too.
      if (x.v.tcp_flags & net::kTcpSyn) t.prefetch_out(x.hash);
    } else {
      t.prefetch_out(x.hash);
    }
    slot[n++] = i;
  }
  for (uint16_t k = 0; k < n && k < kConnAhead; ++k) prefetch_conn(t, s[k]);
  for (uint16_t k = 0; k < n; ++k) {
    if (k + kConnAhead < n) prefetch_conn(t, s[k + kConnAhead]);
    s[k].conn = nat_lookup(t, s[k]);
  }
  // In order. Once a packet has created or destroyed a connection, the later packets look theirs
  // up again (the same client may have opened it, or a slot been freed).
  bool table_changed = false;
  for (uint16_t k = 0; k < n; ++k) {
    ipvs::Conn* c = unlikely(table_changed) ? nat_lookup(t, s[k]) : s[k].conn;
    nat_finish(w, b, slot[k], s[k], c, table_changed);
  }
}
}  // namespace

void ipvs_nat_vector(Worker& w, RxBurst& b, const SubVector& sv, bool prefetch) {
  if (prefetch) {
    nat_vector_staged(w, b, sv);
  } else {
    nat_vector_one_pass(w, b, sv);
  }
}

}  // namespace dplb::dp
