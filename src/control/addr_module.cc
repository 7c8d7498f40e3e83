// addr: `dpip addr add|del|flush|show`. Adding an address adds its local and connected routes on
// the model (main side) and on every worker (worker side, at the end), and the port's worker
// announces it with a gratuitous ARP.
#include "control/control_plane.h"
#include "control/worker_side.h"
#include "dplb/ctrl/proto.h"

namespace dplb::dp {

namespace {

Status valid_interface_address(const Ip4Prefix& p) {
  Ip4 a = p.addr;
  if (p.len == 0 || p.len > 32) return Status::invalid("Invalid prefix length " + std::to_string(p.len));
  if (a.is_zero() || a.is_multicast() || a.is_limited_broadcast() || a.is_loopback() || (a.v >> 28) == 0xf)
    return Status::invalid(to_string(a) + " is not a valid unicast address");
  return Status::ok();
}

Result<std::pair<uint16_t, Ip4Prefix>> decode(ControlPlane& cp, std::span<const uint8_t> payload) {
  proto::AddrRecord r;
  if (!ctrl::decode_pod(payload, r)) return Status::invalid("malformed address record");
  auto port = cp.port_by_name(ctrl::fixed_string(r.ifname));
  if (!port) return port.status();
  Ip4Prefix prefix{Ip4(r.addr), r.prefixlen};
  if (Status st = valid_interface_address(prefix); !st) return st;
  return std::make_pair(*port, prefix);
}

Status addr_add(ControlPlane& cp, std::span<const uint8_t> payload) {
  auto d = decode(cp, payload);
  if (!d) return d.status();
  auto [port, prefix] = *d;
  if (Status st = cp.model().routes.add_addr(port, prefix); !st) return st;
  return cp.broadcast(ctrl::Msg::of(kMsgAddrAdd, AddrMsg{port, prefix.len, 0, prefix.addr.v}));
}

Status addr_del(ControlPlane& cp, std::span<const uint8_t> payload) {
  auto d = decode(cp, payload);
  if (!d) return d.status();
  auto [port, prefix] = *d;
  if (Status st = cp.model().routes.del_addr(port, prefix); !st)
    return Status::error(EADDRNOTAVAIL, "Cannot assign requested address");
  return cp.broadcast(ctrl::Msg::of(kMsgAddrDel, AddrMsg{port, prefix.len, 0, prefix.addr.v}));
}

Status addr_flush(ControlPlane& cp, std::span<const uint8_t> payload) {
  proto::IfFilter f;
  if (!ctrl::decode_pod(payload, f)) return Status::invalid("malformed flush request");
  auto port = cp.port_by_name(ctrl::fixed_string(f.ifname));
  if (!port) return port.status();
  // Secondary addresses first, like the kernel, so no primary is promoted on the way.
  std::vector<Ip4Prefix> addrs = cp.model().routes.addrs(*port);
  for (auto it = addrs.rbegin(); it != addrs.rend(); ++it) {
    if (Status st = cp.model().routes.del_addr(*port, *it); !st) return st;
    if (Status st = cp.broadcast(ctrl::Msg::of(kMsgAddrDel, AddrMsg{*port, it->len, 0, it->addr.v})); !st)
      return st;
  }
  return Status::ok();
}

Status addr_show(ControlPlane& cp, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
  proto::IfFilter f{};
  if (!payload.empty() && !ctrl::decode_pod(payload, f)) return Status::invalid("malformed show request");
  std::string_view name = ctrl::fixed_string(f.ifname);
  std::optional<uint16_t> only;
  if (!name.empty()) {
    auto port = cp.port_by_name(name);
    if (!port) return port.status();
    only = *port;
  }
  ctrl::PayloadWriter out(reply);
  for (const PortFacts& p : cp.data_plane().ports()) {
    if (only && p.id != *only) continue;
    const auto& addrs = cp.model().routes.addrs(p.id);
    for (size_t i = 0; i < addrs.size(); ++i) {
      proto::AddrRecord r{};
      ctrl::set_fixed_string(r.ifname, p.name);
      r.addr = addrs[i].addr.v;
      r.prefixlen = addrs[i].len;
      r.broadcast = addrs[i].len < 31 ? addrs[i].broadcast().v : 0;
      r.scope = proto::kScopeGlobal;
      // Primary: the first address of its subnet on the device (the others are "secondary").
      r.primary = 1;
      for (size_t j = 0; j < i; ++j)
        if (addrs[j].len == addrs[i].len && addrs[j].contains(addrs[i].addr)) r.primary = 0;
      out.put(r);
    }
  }
  return out.ok() ? Status::ok() : Status::error(EMSGSIZE, "address list too large");
}

// ---- worker side ----

int on_addr(void* ctx, const ctrl::Msg& msg, uint64_t*) {
  Worker& w = worker_of(ctx);
  AddrMsg a;
  if (!msg.read(a) || a.port >= kMaxPorts) return EINVAL;
  Ip4Prefix prefix{Ip4(a.addr), a.len};
  if (msg.type == kMsgAddrAdd) {
    if (int rc = errno_unless(w.tables.routes.add_addr(a.port, prefix), EEXIST)) return rc;
    w.announce_address(a.port, prefix.addr);
    return 0;
  }
  return errno_unless(w.tables.routes.del_addr(a.port, prefix), EADDRNOTAVAIL);
}

}  // namespace

Status register_addr_worker(ctrl::Multicaster& mc) {
  return set_handlers(mc, {{kMsgAddrAdd, on_addr}, {kMsgAddrDel, on_addr}});
}

Status register_addr_module(ControlPlane& cp) {

  ctrl::Module m;
  m.name = "addr";
  m.get = proto::kAddrGetOps;
  m.set = proto::kAddrSetOps;
  m.handler = [&cp](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    if (kind == ctrl::Kind::kGet && op == proto::kOpAddrShow) return addr_show(cp, payload, reply);
    if (kind == ctrl::Kind::kSet) {
      switch (op) {
        case proto::kOpAddrAdd: return addr_add(cp, payload);
        case proto::kOpAddrDel: return addr_del(cp, payload);
        case proto::kOpAddrFlush: return addr_flush(cp, payload);
      }
    }
    return Status::error(EOPNOTSUPP, "unknown addr operation " + std::to_string(op));
  };
  return cp.registry().add(std::move(m));
}

}  // namespace dplb::dp
