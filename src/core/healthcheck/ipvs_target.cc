#include "dplb/healthcheck/ipvs_target.h"

#include <fmt/format.h>

#include "dplb/healthcheck/checker_state.h"

namespace dplb::healthcheck {
namespace {

using keepalived::LbKind;

ipvs::SchedKind sched_of(keepalived::LbAlgo a) {
  switch (a) {
    case keepalived::LbAlgo::rr: return ipvs::SchedKind::rr;
    case keepalived::LbAlgo::wrr: return ipvs::SchedKind::wrr;
    case keepalived::LbAlgo::lc: return ipvs::SchedKind::lc;
    case keepalived::LbAlgo::wlc: return ipvs::SchedKind::wlc;
    case keepalived::LbAlgo::sh: return ipvs::SchedKind::sh;
    case keepalived::LbAlgo::mh: return ipvs::SchedKind::mh;
  }
  return ipvs::kDefaultSched;
}

// The forwarding method of a real server (its own lb_kind: the virtual server's unless it sets one).
ipvs::FwdMethod fwd_of(LbKind k) {
  switch (k) {
    case LbKind::dr: return ipvs::FwdMethod::droute;
    case LbKind::tun: return ipvs::FwdMethod::tunnel;
    case LbKind::nat:
    case LbKind::fnat: break;  // fnat: skipped before (unsupported_reason)
  }
  return ipvs::FwdMethod::masq;
}

std::string persist_text(const IpvsOp& op) {
  if (op.persist.seconds == 0) return {};
  std::string s = fmt::format(" -p {}", op.persist.seconds);
  if (op.persist.netmask != 0) s += " -M " + to_string(Ip4(op.persist.netmask));
  return s;
}

std::string at(const keepalived::Location& where) { return fmt::format("{}:{}", where.file, where.line); }

std::string service_text(const ipvs::ServiceKey& k) {
  return fmt::format("{} {}:{}", k.proto == ipvs::kProtoUdp ? "-u" : "-t", to_string(k.vip), k.vport);
}

}  // namespace

std::string unsupported_reason(const keepalived::VirtualServer& vs) {
  if (vs.lb_kind == LbKind::fnat)
    return fmt::format("lb_kind {} unsupported (dplb forwards by NAT, DR and TUN): virtual server skipped",
                       keepalived::to_string(vs.lb_kind));
  return {};
}

std::string unsupported_reason(const keepalived::VirtualServer&, const keepalived::RealServer& rs) {
  if (rs.lb_kind == LbKind::fnat)
    return fmt::format("lb_kind {} unsupported (dplb forwards by NAT, DR and TUN): real server skipped",
                       keepalived::to_string(rs.lb_kind));
  return {};
}

std::vector<std::string> unsupported_report(const keepalived::KeepalivedConf& conf) {
  std::vector<std::string> out;
  for (const keepalived::VirtualServer& vs : conf.virtual_servers) {
    if (std::string why = unsupported_reason(vs); !why.empty()) {
      out.push_back(at(vs.where) + ": " + why);
      continue;
    }
    for (const keepalived::RealServer& rs : vs.real_servers)
      if (std::string why = unsupported_reason(vs, rs); !why.empty()) out.push_back(at(rs.where) + ": " + why);
  }
  return out;
}

Target build_target(const keepalived::KeepalivedConf& conf, const HealthView& health) {
  Target t;
  for (size_t v = 0; v < conf.virtual_servers.size(); ++v) {
    const keepalived::VirtualServer& vs = conf.virtual_servers[v];
    if (!unsupported_reason(vs).empty()) continue;
    const uint8_t proto = vs.protocol == keepalived::Protocol::udp ? ipvs::kProtoUdp : ipvs::kProtoTcp;
    for (const keepalived::Endpoint& vip : vs.addresses) {
      ipvs::ServiceKey key{proto, vip.ip, vip.port};
      TargetService& svc = t[key.packed()];
      svc.key = key;
      svc.sched = sched_of(vs.lb_algo);
      if (vs.persistence_timeout) {
        svc.persist.seconds = *vs.persistence_timeout;
        uint32_t mask = vs.persistence_granularity ? vs.persistence_granularity->v : 0;
        svc.persist.netmask = mask == 0xffffffffu ? 0 : mask;
      }
      for (size_t r = 0; r < vs.real_servers.size(); ++r) {
        const keepalived::RealServer& rs = vs.real_servers[r];
        if (!unsupported_reason(vs, rs).empty()) continue;
        DestWanted want = dest_wanted(rs, health.alive(v, r), health.weight ? health.weight(v, r) : std::nullopt);
        if (!want.present) continue;
        const uint16_t port = rs.addr.port != 0 ? rs.addr.port : vip.port;  // a group's port-less entry
        svc.dests[dest_id(rs.addr.ip, port)] = TargetDest{rs.addr.ip, port, want.weight, fwd_of(rs.lb_kind)};
      }
      if (vs.sorry_server && !health.quorum_up(v)) {
        const uint16_t port = vs.sorry_server->port != 0 ? vs.sorry_server->port : vip.port;
        svc.dests[dest_id(vs.sorry_server->ip, port)] = TargetDest{vs.sorry_server->ip, port, 1, fwd_of(vs.lb_kind)};
      }
    }
  }
  return t;
}

std::vector<IpvsOp> diff_targets(const Target& from, const Target& to) {
  std::vector<IpvsOp> head, dests, tail;
  for (const auto& [id, svc] : to) {
    auto old = from.find(id);
    if (old == from.end()) {
      head.push_back({OpKind::add_service, svc.key, svc.sched, {}, svc.persist});
      for (const auto& [did, d] : svc.dests) dests.push_back({OpKind::add_dest, svc.key, svc.sched, d});
      continue;
    }
    if (old->second.sched != svc.sched || old->second.persist != svc.persist)
      head.push_back({OpKind::edit_service, svc.key, svc.sched, {}, svc.persist});
    for (const auto& [did, d] : old->second.dests)
      if (!svc.dests.contains(did)) dests.push_back({OpKind::del_dest, svc.key, svc.sched, d});
    for (const auto& [did, d] : svc.dests) {
      auto was = old->second.dests.find(did);
      if (was == old->second.dests.end())
        dests.push_back({OpKind::add_dest, svc.key, svc.sched, d});
      else if (was->second != d)  // weight or forwarding method
        dests.push_back({OpKind::edit_dest, svc.key, svc.sched, d});
    }
  }
  for (const auto& [id, svc] : from)
    if (!to.contains(id)) tail.push_back({OpKind::del_service, svc.key, svc.sched, {}});
  head.insert(head.end(), dests.begin(), dests.end());
  head.insert(head.end(), tail.begin(), tail.end());
  return head;
}

std::string to_string(const IpvsOp& op) {
  const std::string svc = service_text(op.key);
  const std::string dest = fmt::format("{}:{}", to_string(op.dest.addr), op.dest.port);
  switch (op.kind) {
    case OpKind::add_service: return fmt::format("-A {} -s {}{}", svc, ipvs::sched_name(op.sched), persist_text(op));
    case OpKind::edit_service: return fmt::format("-E {} -s {}{}", svc, ipvs::sched_name(op.sched), persist_text(op));
    case OpKind::del_service: return "-D " + svc;
    case OpKind::add_dest: return fmt::format("-a {} -r {} {} -w {}", svc, dest, ipvs::fwd_option(op.dest.fwd), op.dest.weight);
    case OpKind::edit_dest:
      return fmt::format("-e {} -r {} {} -w {}", svc, dest, ipvs::fwd_option(op.dest.fwd), op.dest.weight);
    case OpKind::del_dest: return fmt::format("-d {} -r {}", svc, dest);
  }
  return {};
}

}  // namespace dplb::healthcheck
