// Persistence templates (see ipvs_persist.h). A template is a connection-table entry keyed by
// (proto, client & netmask, port 0, VIP, vport): no packet has source port 0 (ipvs_in refuses it),
// so only templates are found under that key. Its route cache holds the count of connections made
// through it (a template is never routed).
#include "datapath/ipvs_persist.h"

#include <cstring>

#include "dplb/ipvs/conn_table.h"
#include "dplb/ipvs/tcp_state.h"
#include "dplb/ipvs/timer_wheel.h"

namespace dplb::dp {

namespace {

ipvs::FlowKey template_key(const ipvs::ServiceConf& sc, uint8_t proto, Ip4 client, Ip4 vip, uint16_t vport) {
  return ipvs::FlowKey{proto, Ip4(client.v & sc.persist_mask()), 0, vip, vport};
}

ipvs::Conn* find_template(Worker& w, const ipvs::FlowKey& tk) {
  ipvs::Conn* t = w.tables.conns->lookup_in(tk);
  return t != nullptr && (t->flags & kConnFlagTemplate) ? t : nullptr;
}

uint32_t children(const ipvs::Conn& t) {
  uint32_t n;
  std::memcpy(&n, t.route_cache, sizeof n);
  return n;
}
void set_children(ipvs::Conn& t, uint32_t n) { std::memcpy(t.route_cache, &n, sizeof n); }

}  // namespace

PersistChoice persist_schedule(Worker& w, uint32_t svc, const ipvs::FlowKey& key) {
  const ipvs::ServiceConf& sc = w.tables.services.service_conf(svc);
  const ipvs::FlowKey tk = template_key(sc, key.proto, key.saddr, key.daddr, key.dport);
  PersistChoice out;
  if (ipvs::Conn* t = find_template(w, tk)) {
    ipvs::DestRef ref{t->dest_id, t->dest_gen};
    if (w.tables.services.is_current(ref) && w.tables.services.dest_service(ref.id) == svc) {
      out.dest = int32_t(ref.id);
      out.templ = t;
      return out;
    }
    w.tables.conns->destroy(t);  // its real server was removed: the client is scheduled afresh
  }
  int32_t d = w.tables.services.schedule(svc, key.saddr, key.sport);
  if (d < 0) return out;
  const ipvs::DestConf& dc = w.tables.services.dest_conf(uint32_t(d));
  ipvs::DestRef ref = w.tables.services.dest_ref(uint32_t(d));
  ipvs::ConnParams p = ipvs::ConnParams::of(tk, dc.addr, dc.port);
  p.state = tk.proto == net::kIpProtoTcp ? static_cast<uint8_t>(ipvs::TcpState::kNone) : 0;
  p.flags = kConnFlagTemplate;  // not Inactive: a template is not one of the real server's connections
  p.dest_id = ref.id;
  p.dest_gen = ref.generation;
  p.timeout = ipvs::seconds_to_ticks(sc.persist_seconds);
  ipvs::Conn* t = w.tables.conns->create(p, w.io.now_tick);
  if (t == nullptr) {
    out.why = DropReason::ipvs_conn_full;
    return out;
  }
  out.dest = d;  // (create() zeroes the route cache: no connections counted yet)
  out.templ = t;
  return out;
}

void persist_adopt(Worker& w, ipvs::Conn& templ) {
  set_children(templ, children(templ) + 1);
  w.tables.conns->touch(templ, w.io.now_tick);  // the timeout counts from the newest connection
}

void persist_child_gone(Worker& w, const ipvs::Conn& c) {
  if (!w.tables.services.is_current(ipvs::DestRef{c.dest_id, c.dest_gen})) return;  // its template goes too
  uint32_t svc = w.tables.services.dest_service(c.dest_id);
  const ipvs::ServiceConf& sc = w.tables.services.service_conf(svc);
  if (!sc.persistent()) return;
  if (ipvs::Conn* t = find_template(w, template_key(sc, c.proto, c.caddr, c.vaddr, c.vport))) {
    uint32_t n = children(*t);
    if (n != 0) set_children(*t, n - 1);
  }
}

ipvs::ExpireAction persist_template_expired(Worker& w, ipvs::Conn& templ) {
  if (children(templ) != 0 && w.tables.services.is_current(ipvs::DestRef{templ.dest_id, templ.dest_gen})) {
    w.tables.conns->touch(templ, w.io.now_tick);
    return ipvs::ExpireAction::kKeep;
  }
  return ipvs::ExpireAction::kDestroy;
}

}  // namespace dplb::dp
