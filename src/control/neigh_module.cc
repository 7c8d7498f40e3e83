// neigh: `dpip neigh add|del|flush|show`. Static entries live in the model and on every worker;
// learned ones live on the workers (show merges them: the freshest state of each neighbour). The
// main side comes first, the worker side (each worker's own neighbour table) at the end.
#include <algorithm>
#include <cstring>
#include <map>

#include "control/control_plane.h"
#include "control/worker_side.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dp {

namespace {

struct NullSink : neigh::Sink {
  void send_queued(const neigh::Entry&, void*) override {}
  void drop_queued(const neigh::Entry&, void*) override {}
  void send_request(const neigh::Entry&, bool) override {}
};

Result<NeighMsg> decode(ControlPlane& cp, std::span<const uint8_t> payload, bool need_mac) {
  proto::NeighRecord r;
  if (!ctrl::decode_pod(payload, r)) return Status::invalid("malformed neighbour record");
  auto port = cp.port_by_name(ctrl::fixed_string(r.ifname));
  if (!port) return port.status();
  Ip4 ip(r.addr);
  if (ip.is_zero() || ip.is_multicast() || ip.is_limited_broadcast() || ip.is_loopback())
    return Status::invalid("Invalid neighbour address " + to_string(ip));
  Mac mac;
  std::memcpy(mac.b.data(), r.mac, 6);
  if (need_mac && (mac.is_zero() || mac.is_multicast())) return Status::invalid("Invalid lladdr " + to_string(mac));
  NeighMsg m{};
  m.port = *port;
  m.addr = ip.v;
  std::memcpy(m.mac, r.mac, 6);
  return m;
}

Status neigh_add(ControlPlane& cp, std::span<const uint8_t> payload) {
  auto m = decode(cp, payload, true);
  if (!m) return m.status();
  NullSink sink;
  Mac mac;
  std::memcpy(mac.b.data(), m->mac, 6);
  if (Status st = cp.model().neigh.add_permanent(m->port, Ip4(m->addr), mac, sink, cp.now_ms()); !st) return st;
  return cp.broadcast(ctrl::Msg::of(kMsgNeighAdd, *m));
}

Status neigh_del(ControlPlane& cp, std::span<const uint8_t> payload) {
  auto m = decode(cp, payload, false);
  if (!m) return m.status();
  NullSink sink;
  bool in_model = cp.model().neigh.remove(m->port, Ip4(m->addr), sink).is_ok();
  ctrl::MulticastResult r = cp.multicaster().multicast(ctrl::Msg::of(kMsgNeighDel, *m));
  if (!r.ok()) return r.status;
  bool anywhere = in_model || std::any_of(r.workers.begin(), r.workers.end(),
                                          [](const ctrl::WorkerOutcome& o) { return o.value != 0; });
  return anywhere ? Status::ok() : Status::error(ENOENT, "No such file or directory");
}

Status neigh_flush(ControlPlane& cp, std::span<const uint8_t> payload) {
  proto::IfFilter f;
  if (!ctrl::decode_pod(payload, f)) return Status::invalid("malformed flush request");
  auto port = cp.port_by_name(ctrl::fixed_string(f.ifname));
  if (!port) return port.status();
  // As `ip neigh flush`: dynamic entries only; permanent ones stay (delete them one by one).
  return cp.broadcast(ctrl::Msg::of(kMsgNeighFlush, PortMsg{*port, 0, 0}));
}

Status neigh_show(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::IfFilter f{};
  if (!payload.empty() && !ctrl::decode_pod(payload, f)) return Status::invalid("malformed show request");
  std::optional<uint16_t> only;
  if (std::string_view name = ctrl::fixed_string(f.ifname); !name.empty()) {
    auto port = cp.port_by_name(name);
    if (!port) return port.status();
    only = *port;
  }
  auto dump = std::make_shared<NeighDump>(cp.data_plane().worker_count());
  auto msg = std::make_unique<ctrl::Msg>(kMsgNeighDump);
  msg->attachment = dump;
  ctrl::MulticastResult r = cp.multicaster().multicast(std::move(msg));
  if (!r.ok()) return r.status;
  // Freshest state per neighbour; PERMANENT wins.
  std::map<std::pair<uint16_t, uint32_t>, NeighDump::Item> merged;
  for (const auto& items : dump->per_worker) {
    for (const NeighDump::Item& it : items) {
      if (only && it.port != *only) continue;
      auto [pos, fresh] = merged.try_emplace({it.port, it.ip.v}, it);
      if (fresh) continue;
      NeighDump::Item& cur = pos->second;
      if (cur.state == neigh::State::permanent) continue;
      if (it.state == neigh::State::permanent || it.updated_ms > cur.updated_ms) cur = it;
    }
  }
  uint64_t now = cp.now_ms();
  ctrl::PayloadWriter out(reply);
  for (const auto& [key, it] : merged) {
    proto::NeighRecord rec{};
    ctrl::set_fixed_string(rec.ifname, cp.port_name(it.port));
    rec.addr = it.ip.v;
    std::memcpy(rec.mac, it.mac.b.data(), 6);
    rec.state = static_cast<uint8_t>(it.state);
    rec.age_ms = now > it.updated_ms ? uint32_t(std::min<uint64_t>(now - it.updated_ms, UINT32_MAX)) : 0;
    out.put(rec);
  }
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "neighbour list too large");
}

// ---- worker side ----

int on_neigh(void* ctx, const ctrl::Msg& msg, uint64_t* value) {
  Worker& w = worker_of(ctx);
  NeighMsg n;
  if (!msg.read(n) || n.port >= kMaxPorts) return EINVAL;
  Mac mac;
  std::memcpy(mac.b.data(), n.mac, 6);
  if (msg.type == kMsgNeighAdd) return errno_unless(w.tables.neigh.add_permanent(n.port, Ip4(n.addr), mac, w, w.io.now_ms), 0);
  Status st = w.tables.neigh.remove(n.port, Ip4(n.addr), w);
  *value = st.is_ok() ? 1 : 0;  // main reports ENOENT when no worker had it
  return errno_unless(st, ENOENT);
}

int on_neigh_flush(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  PortMsg p;
  if (!msg.read(p) || p.port >= kMaxPorts) return EINVAL;
  w.tables.neigh.flush_port(p.port, w, p.include_permanent != 0);
  return 0;
}

int on_neigh_learned(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  size_t n;
  const NeighMsg* items = records<NeighMsg>(msg, n);
  if (items == nullptr) return EINVAL;
  w.tables.applying_remote_neigh = true;
  for (size_t i = 0; i < n; ++i) {
    if (items[i].port >= kMaxPorts) continue;
    Mac mac;
    std::memcpy(mac.b.data(), items[i].mac, 6);
    w.tables.neigh.confirm(items[i].port, Ip4(items[i].addr), mac, w.io.now_ms, true, w);
  }
  w.tables.applying_remote_neigh = false;
  return 0;
}

int on_neigh_dump(void* ctx, const ctrl::Msg& msg, uint64_t* value) {
  Worker& w = worker_of(ctx);
  // The attachment is main's, shared read-only in type only: each worker writes its own slot.
  auto* dump = static_cast<NeighDump*>(const_cast<void*>(msg.attachment.get()));
  if (dump == nullptr || w.setup.index >= dump->per_worker.size()) return EINVAL;
  auto& out = dump->per_worker[w.setup.index];
  w.tables.neigh.for_each([&](const neigh::Entry& e) { out.push_back({e.port, e.ip, e.mac, e.state, e.updated_ms}); });
  *value = out.size();
  return 0;
}

}  // namespace

Status register_neigh_worker(ctrl::Multicaster& mc) {
  return set_handlers(mc, {{kMsgNeighAdd, on_neigh},
                           {kMsgNeighDel, on_neigh},
                           {kMsgNeighFlush, on_neigh_flush},
                           {kMsgNeighLearned, on_neigh_learned},
                           {kMsgNeighDump, on_neigh_dump}});
}

Status register_neigh_module(ControlPlane& cp) {

  ctrl::Module m;
  m.name = "neigh";
  m.get = proto::kNeighGetOps;
  m.set = proto::kNeighSetOps;
  m.handler = [&cp](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    if (kind == ctrl::Kind::kGet && op == proto::kOpNeighShow) return neigh_show(cp, payload, reply);
    if (kind == ctrl::Kind::kSet) {
      switch (op) {
        case proto::kOpNeighAdd: return neigh_add(cp, payload);
        case proto::kOpNeighDel: return neigh_del(cp, payload);
        case proto::kOpNeighFlush: return neigh_flush(cp, payload);
      }
    }
    return Status::error(EOPNOTSUPP, "unknown neigh operation " + std::to_string(op));
  };
  return cp.registry().add(std::move(m));
}

}  // namespace dplb::dp
