// ipvs, the main side: the operations behind the ipvsadm-compatible tool. The model (ids, services,
// real servers, timeouts) lives on main; every change goes to every worker (ipvs_worker.cc applies
// it there); counters are summed over the workers' tables, and rates come from the estimator.
#include <algorithm>
#include <bit>
#include <optional>
#include <string>
#include <cstring>
#include <tuple>

#include "control/control_plane.h"
#include "dplb/ctrl/proto_ipvs.h"

namespace dplb::dp {

namespace {

ipvs::ServiceKey key_of(const proto::ServiceRecord& r) { return {r.proto, Ip4(r.addr), r.port}; }

// Persistence as ipvsadm sends it: seconds, and a netmask (0 = none given: /32) that must be a
// prefix (the netmask picks the worker that owns a client's connections).
Status persistence_of(const proto::ServiceRecord& r, ipvs::ServiceSpec& spec) {
  spec.persist_seconds = r.timeout;
  uint32_t mask = r.netmask == 0 ? 0xffffffffu : r.netmask;
  int prefix = std::popcount(mask);
  if (prefix != 32 && mask != ~0u << (32 - prefix) && mask != 0)
    return Status::invalid("persistence netmask " + to_string(Ip4(mask)) + " is not a prefix");
  spec.persist_prefix = static_cast<uint8_t>(prefix);
  return Status::ok();
}

Status service_op(ControlPlane& cp, std::span<const uint8_t> payload, uint32_t op) {
  proto::ServiceRecord r;
  if (!ctrl::decode_pod(payload, r)) return Status::invalid("malformed service record");
  ipvs::IpvsModel& model = cp.model().ipvs;
  if (op == proto::kOpIpvsDelService) {
    auto id = model.delete_service(key_of(r));
    if (!id) return id.status();
    return cp.broadcast(ctrl::Msg::of(kMsgSvcRemove, IdMsg{*id}));
  }
  ipvs::ServiceSpec spec;
  if (Status st = persistence_of(r, spec); !st) return st;
  spec.key = key_of(r);
  spec.sched = std::string(ctrl::fixed_string(r.sched));
  if (spec.sched.empty()) spec.sched = "wlc";
  spec.flags = r.flags;
  auto id = op == proto::kOpIpvsAddService ? model.add_service(spec) : model.edit_service(spec);
  if (!id) return id.status();
  return cp.broadcast(ctrl::Msg::of(kMsgSvcUpsert, SvcMsg{*id, model.table().service_conf(*id)}));
}

// Where the forwarding method needs it, the real server must be reachable the way it forwards:
// direct routing rewrites only the MAC, so the real server must be on a directly connected network
// (IPVS's IP_VS_RT_MODE_KNOWN_NH); neither it nor a tunnel's endpoint may be one of our addresses.
Status check_reachable(const route::RouteTable& routes, const ipvs::DestSpec& spec) {
  if (spec.fwd == ipvs::FwdMethod::masq) return Status::ok();
  route::OutputResult out;
  std::string rs = to_string(spec.addr);
  if (!routes.output(spec.addr, Ip4(), -1, 0, out))
    return Status::error(EHOSTUNREACH, "no route to real server " + rs);
  if (out.flags & route::kRouteLocal) return Status::invalid("real server " + rs + " is one of our addresses");
  if (spec.fwd == ipvs::FwdMethod::droute && out.next_hop != spec.addr)
    return Status::invalid("real server " + rs + " is not on a directly connected network (its route goes via " +
                           to_string(out.next_hop) + "): direct routing (-g) needs it on-link");
  return Status::ok();
}

Status dest_op(ControlPlane& cp, std::span<const uint8_t> payload, uint32_t op) {
  proto::DestOp r;
  if (!ctrl::decode_pod(payload, r)) return Status::invalid("malformed destination record");
  ipvs::IpvsModel& model = cp.model().ipvs;
  ipvs::ServiceKey key = key_of(r.service);
  if (op == proto::kOpIpvsDelDest) {
    auto id = model.delete_dest(key, Ip4(r.dest.addr), r.dest.port);
    if (!id) return id.status();
    return cp.broadcast(ctrl::Msg::of(kMsgDestRemove, IdMsg{*id}));
  }
  std::optional<ipvs::FwdMethod> fwd = ipvs::fwd_from_wire(r.dest.fwd);
  if (!fwd) return Status::error(EOPNOTSUPP, "dplb forwards by masquerading (-m), direct routing (-g) or tunnel (-i) only");
  ipvs::DestSpec spec;
  spec.addr = Ip4(r.dest.addr);
  spec.port = r.dest.port ? r.dest.port : key.vport;
  spec.weight = r.dest.weight;
  spec.fwd = *fwd;
  if (Status st = check_reachable(cp.model().routes, spec); !st) return st;
  auto id = op == proto::kOpIpvsAddDest ? model.add_dest(key, spec) : model.edit_dest(key, spec);
  if (!id) return id.status();
  const ipvs::ServiceTable& t = model.table();
  return cp.broadcast(ctrl::Msg::of(kMsgDestUpsert, DestMsg{t.dest_service(*id), *id, t.dest_conf(*id)}));
}

Status zero(ControlPlane& cp, std::span<const uint8_t> payload) {
  proto::ServiceQuery q{};
  if (!payload.empty() && !ctrl::decode_pod(payload, q)) return Status::invalid("malformed service query");
  uint32_t id = kAllIds;
  if (q.has_service) {
    int32_t found = cp.model().ipvs.find_service(key_of(q.service));
    if (found < 0) return Status::error(ESRCH, "No such service");
    id = uint32_t(found);
  }
  return cp.broadcast(ctrl::Msg::of(kMsgIpvsZero, IdMsg{id}));
}

Status set_timeouts(ControlPlane& cp, std::span<const uint8_t> payload) {
  proto::IpvsTimeouts t;
  if (!ctrl::decode_pod(payload, t)) return Status::invalid("malformed timeouts");
  if (Status st = cp.model().timeouts.set(t.tcp, t.tcp_fin, t.udp); !st) return st;
  return cp.broadcast(ctrl::Msg::of(kMsgIpvsTimeouts, TimeoutsMsg{t.tcp, t.tcp_fin, t.udp}));
}

// A service's or real server's counters, summed over the workers.
ipvs::IpvsCounters service_total(const DataPlane& dp, uint32_t id) {
  ipvs::IpvsCounters total;
  for (size_t w = 0; w < dp.worker_count(); ++w) total += dp.service_counters(w, id);
  return total;
}
ipvs::IpvsCounters dest_total(const DataPlane& dp, uint32_t id) {
  ipvs::IpvsCounters total;
  for (size_t w = 0; w < dp.worker_count(); ++w) total += dp.dest_counters(w, id);
  return total;
}

proto::IpvsStats stats_of(const ipvs::IpvsCounters& c) {
  proto::IpvsStats s{};
  s.conns = c.conns;
  s.inpkts = c.inpkts;
  s.outpkts = c.outpkts;
  s.inbytes = c.inbytes;
  s.outbytes = c.outbytes;
  return s;
}

Status list(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::ServiceQuery q{};
  if (!payload.empty() && !ctrl::decode_pod(payload, q)) return Status::invalid("malformed service query");
  const ipvs::ServiceTable& t = cp.model().ipvs.table();
  std::vector<uint32_t> ids = t.service_ids();
  if (q.has_service) {
    int32_t found = cp.model().ipvs.find_service(key_of(q.service));
    if (found < 0) return Status::error(ESRCH, "No such service");
    ids = {uint32_t(found)};
  }
  auto order = [&t](uint32_t id) {
    const ipvs::ServiceKey& k = t.service_conf(id).key;
    return std::tuple(k.proto, k.vip.v, k.vport);
  };
  std::sort(ids.begin(), ids.end(), [&](uint32_t a, uint32_t b) { return order(a) < order(b); });
  ctrl::PayloadWriter out(reply);
  out.put(uint32_t(ids.size()));
  out.put(uint32_t(0));
  for (uint32_t id : ids) {
    const ipvs::ServiceConf& sc = t.service_conf(id);
    std::vector<uint32_t> dests = t.service_dests(id);  // by (address, port)
    proto::ServiceRecord r{};
    r.proto = sc.key.proto;
    r.addr = sc.key.vip.v;
    r.port = sc.key.vport;
    ctrl::set_fixed_string(r.sched, ipvs::sched_name(sc.sched));
    r.flags = sc.flags;
    r.timeout = sc.persist_seconds;
    r.netmask = sc.persist_mask();
    r.n_dests = uint32_t(dests.size());
    r.stats = stats_of(service_total(cp.data_plane(), id));
    cp.ipvs_rates().fill(IpvsRates::service_key(id), r.stats);
    out.put(r);
    for (uint32_t d : dests) {
      const ipvs::DestConf& dc = t.dest_conf(d);
      proto::DestRecord dr{};
      dr.addr = dc.addr.v;
      dr.port = dc.port;
      dr.weight = dc.weight;
      dr.fwd = uint32_t(dc.fwd);
      ipvs::IpvsCounters dt = dest_total(cp.data_plane(), d);
      dr.active_conns = uint32_t(dt.active_conns);
      dr.inactive_conns = uint32_t(dt.inactive_conns);
      dr.stats = stats_of(dt);
      cp.ipvs_rates().fill(IpvsRates::dest_key(d), dr.stats);
      out.put(dr);
    }
  }
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "service list too large");
}

Status conns(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::ConnQuery q{};
  if (!payload.empty() && !ctrl::decode_pod(payload, q)) return Status::invalid("malformed connection query");
  size_t limit = (ctrl::kMaxReplyPayload - 16) / sizeof(proto::ConnRecord);
  if (q.max != 0 && q.max < limit) limit = q.max;
  // Slices of the tables, so no worker stops forwarding for long while it lists.
  constexpr uint32_t kSlice = 1u << 16;
  const DataPlane& dp = cp.data_plane();
  uint32_t capacity = dp.worker_count() == 0 ? 0 : dp.conn_capacity();
  std::vector<proto::ConnRecord> all;
  for (uint32_t cursor = 0; cursor < capacity && all.size() < limit; cursor += kSlice) {
    auto dump = std::make_shared<ConnDump>(dp.worker_count(), cursor, kSlice, limit - all.size());
    auto msg = std::make_unique<ctrl::Msg>(kMsgConnDump);
    msg->attachment = dump;
    ctrl::MulticastResult r = cp.multicaster().multicast(std::move(msg));
    if (!r.ok()) return r.status;
    for (auto& v : dump->per_worker)
      for (const proto::ConnRecord& c : v)
        if (all.size() < limit) all.push_back(c);
  }
  ctrl::PayloadWriter out(reply);
  out.put(uint64_t(all.size()));
  out.put(uint32_t(all.size()));
  out.put(uint32_t(0));
  out.put_array(std::span<const proto::ConnRecord>(all));
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "connection list too large");
}

Status info(ControlPlane& cp, std::vector<uint8_t>& reply) {
  proto::IpvsInfo i{};
  i.version = 0x010201;
  const DataPlane& dp = cp.data_plane();
  i.conn_table_size = dp.worker_count() == 0 ? 0 : dp.conn_capacity();
  i.n_services = uint32_t(cp.model().ipvs.table().service_count());
  i.n_workers = uint32_t(dp.worker_count());
  reply = ctrl::encode_pod(i);
  return Status::ok();
}

}  // namespace

void ControlPlane::update_ipvs_rates() {
  uint64_t now = now_ms();
  if (now - rates_sampled_ms_ < IpvsRates::kIntervalMs) return;
  double seconds = double(now - rates_sampled_ms_) / 1000.0;
  rates_sampled_ms_ = now;
  const ipvs::ServiceTable& t = model_.ipvs.table();
  std::unordered_map<uint64_t, bool> live;
  for (uint32_t id : t.service_ids()) {
    rates_.update(IpvsRates::service_key(id), service_total(dp_, id), seconds);
    live[IpvsRates::service_key(id)] = true;
    for (uint32_t d : t.service_dests(id)) {
      rates_.update(IpvsRates::dest_key(d), dest_total(dp_, d), seconds);
      live[IpvsRates::dest_key(d)] = true;
    }
  }
  rates_.forget_missing(live);
}

Status register_ipvs_module(ControlPlane& cp) {
  ctrl::Module m;
  m.name = "ipvs";
  m.get = proto::kIpvsGetOps;
  m.set = proto::kIpvsSetOps;
  m.handler = [&cp](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    // These take no payload: anything else is a malformed request, not one to act on (a stray
    // payload must never clear every service).
    const bool no_payload_op = kind == ctrl::Kind::kGet
                                   ? (op == proto::kOpIpvsInfo || op == proto::kOpIpvsGetTimeouts)
                                   : op == proto::kOpIpvsClear;
    if (no_payload_op && !payload.empty()) return Status::invalid("malformed ipvs request: unexpected payload");
    if (kind == ctrl::Kind::kGet) {
      switch (op) {
        case proto::kOpIpvsInfo: return info(cp, reply);
        case proto::kOpIpvsList: return list(cp, payload, reply);
        case proto::kOpIpvsConns: return conns(cp, payload, reply);
        case proto::kOpIpvsGetTimeouts: {
          const ipvs::ProtoTimeouts& t = cp.model().timeouts;
          reply = ctrl::encode_pod(proto::IpvsTimeouts{t.tcp_seconds(), t.tcpfin_seconds(), t.udp_seconds(), 0});
          return Status::ok();
        }
      }
    } else {
      switch (op) {
        case proto::kOpIpvsAddService:
        case proto::kOpIpvsEditService:
        case proto::kOpIpvsDelService: return service_op(cp, payload, op);
        case proto::kOpIpvsAddDest:
        case proto::kOpIpvsEditDest:
        case proto::kOpIpvsDelDest: return dest_op(cp, payload, op);
        case proto::kOpIpvsClear:
          cp.model().ipvs.clear();
          return cp.broadcast(std::make_unique<ctrl::Msg>(kMsgIpvsClear));
        case proto::kOpIpvsZero: return zero(cp, payload);
        case proto::kOpIpvsSetTimeouts: return set_timeouts(cp, payload);
      }
    }
    return Status::error(EOPNOTSUPP, "unknown ipvs operation " + std::to_string(op));
  };
  return cp.registry().add(std::move(m));
}

}  // namespace dplb::dp
