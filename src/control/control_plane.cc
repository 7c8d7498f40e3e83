#include "control/control_plane.h"

#include <rte_cycles.h>
#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>

#include "control/route_msg.h"
#include "control/worker_handlers.h"

namespace dplb::dp {

namespace {

// Replay sends big tables in chunks so no single message is huge.
constexpr size_t kReplayChunk = 1024;

}  // namespace

ControlPlane::ControlPlane(const conf::Config& cfg, Ports& ports, std::vector<std::unique_ptr<Worker>>& workers)
    : cfg_(cfg), ports_(ports), workers_(workers) {}

ControlPlane::~ControlPlane() { close(); }

Status ControlPlane::init() {
  ctrl::Multicaster::Options mo;
  mo.workers = workers_.size();
  mo.timeout = std::chrono::milliseconds(cfg_.msg_timeout_ms);
  mc_ = std::make_unique<ctrl::Multicaster>(mo);
  if (Status st = register_worker_handlers(*mc_); !st) return st;
  mc_->set_replay_source([this](ctrl::ReplaySink& sink) { replay(sink); });
  mc_->set_event_handler([this](const ctrl::WorkerEvent& ev) { on_event(ev); });
  for (auto& w : workers_) w->setup.control = mc_.get();

  for (const PortState& p : ports_.all())
    if (Status st = model_.routes.set_port(p.id, p.conf.mtu); !st) return st;
  for (auto& w : workers_)
    for (const PortState& p : ports_.all())
      if (Status st = w->tables.routes.set_port(p.id, p.conf.mtu); !st) return st;

  for (auto reg : {register_link_module, register_addr_module, register_neigh_module, register_route_module,
                   register_sync_module, register_ipvs_module}) {
    if (Status st = reg(*this); !st) return st;
  }
  server_ = std::make_unique<ctrl::Server>(registry_);
  if (Status st = server_->open(cfg_.ipc_socket, cfg_.ipc_group); !st) return st;
  spdlog::info("control socket {}", cfg_.ipc_socket);
  return Status::ok();
}

void ControlPlane::close() {
  if (server_) server_->close();
}

int ControlPlane::poll_timeout_ms() const {
  int t = server_->poll_timeout_ms(ctrl::Server::Clock::now());
  // Wake at least every 10 ms for worker events and replays; never spin.
  return (t < 0 || t > 10) ? 10 : t;
}

void ControlPlane::service(std::span<const pollfd> fds) { server_->service(fds, ctrl::Server::Clock::now()); }

void ControlPlane::housekeeping() {
  mc_->poll();
  flush_learned_neighbours();
  update_ipvs_rates();
}

uint64_t ControlPlane::now_ms() const { return rte_rdtsc() / (rte_get_tsc_hz() / 1000); }

uint64_t ControlPlane::model_digest() const {
  return config_digest(model_.routes, model_.neigh, model_.ipvs.table(), model_.timeouts);
}

Status ControlPlane::broadcast(std::unique_ptr<ctrl::Msg> msg) {
  ctrl::MulticastResult r = mc_->multicast(std::move(msg));
  if (!r.ok()) spdlog::warn("control: {}", r.status.message());
  return r.status;
}

Result<uint16_t> ControlPlane::port_by_name(std::string_view name) const {
  unsigned id = 0;
  if (name.starts_with("dpdk")) {
    auto [end, ec] = std::from_chars(name.data() + 4, name.data() + name.size(), id);
    if (ec == std::errc() && end == name.data() + name.size() && name.size() > 4) {
      for (const PortState& p : ports_.all())
        if (p.id == id) return static_cast<uint16_t>(id);
    }
  }
  return Status::error(ENODEV, "Cannot find device \"" + std::string(name) + "\"");
}

Status ControlPlane::apply_config_addresses() {
  for (const PortState& p : ports_.all()) {
    for (const Ip4Prefix& a : p.conf.addresses) {
      if (Status st = model_.routes.add_addr(p.id, a); !st)
        return Status::error(st.code(), "ports." + p.name + ".addresses: " + to_string(a) + ": " + st.message());
      AddrMsg m{p.id, a.len, 0, a.addr.v};
      if (Status st = broadcast(ctrl::Msg::of(kMsgAddrAdd, m)); !st) return st;
    }
  }
  return Status::ok();
}

Status ControlPlane::start_workers() { return broadcast(std::make_unique<ctrl::Msg>(kMsgStart)); }

void ControlPlane::replay(ctrl::ReplaySink& sink) {
  if (!sink.send(std::make_unique<ctrl::Msg>(kMsgReplayBegin))) return;
  const route::RouteTable& rt = model_.routes;
  for (const PortState& p : ports_.all())
    for (const Ip4Prefix& a : rt.addrs(p.id))
      if (!sink.send(ctrl::Msg::of(kMsgAddrAdd, AddrMsg{p.id, a.len, 0, a.addr.v}))) return;

  // Routes the addresses derive but the model no longer has (the user deleted them).
  std::vector<RouteMsg> gone;
  for (const PortState& p : ports_.all())
    for (const Ip4Prefix& a : rt.addrs(p.id))
      if (a.len < 32 && !has_connected_route(rt, a)) gone.push_back(connected_route_identity(a));
  if (!gone.empty() && !sink.send(std::make_unique<ctrl::Msg>(kMsgRouteDelete, encode_records(gone)))) return;

  // User routes: on-link ones first, so gateway routes find their on-link route on the worker.
  std::vector<RouteMsg> upserts = replay_routes(rt);
  for (size_t i = 0; i < upserts.size(); i += kReplayChunk) {
    std::span<const RouteMsg> chunk(upserts.data() + i, std::min(kReplayChunk, upserts.size() - i));
    if (!sink.send(std::make_unique<ctrl::Msg>(kMsgRouteUpsert, encode_records(chunk)))) return;
  }
  bool ok = true;
  model_.neigh.for_each([&](const neigh::Entry& e) {
    if (!ok) return;
    NeighMsg m{};
    m.port = e.port;
    m.addr = e.ip.v;
    std::memcpy(m.mac, e.mac.b.data(), 6);
    ok = sink.send(ctrl::Msg::of(kMsgNeighAdd, m));
  });
  if (!ok) return;
  for (const ipvs::Upsert& u : model_.ipvs.upserts()) {
    auto msg = u.is_service ? ctrl::Msg::of(kMsgSvcUpsert, SvcMsg{u.svc_id, u.service})
                            : ctrl::Msg::of(kMsgDestUpsert, DestMsg{u.svc_id, u.dest_id, u.dest});
    if (!sink.send(std::move(msg))) return;
  }
  const ipvs::ProtoTimeouts& t = model_.timeouts;
  if (!sink.send(ctrl::Msg::of(kMsgIpvsTimeouts, TimeoutsMsg{t.tcp_seconds(), t.tcpfin_seconds(), t.udp_seconds()})))
    return;
  sink.send(std::make_unique<ctrl::Msg>(kMsgReplayEnd));
}

void ControlPlane::on_event(const ctrl::WorkerEvent& ev) {
  if (ev.type == kEventNeighLearned && ev.len == sizeof(NeighMsg)) {
    NeighMsg m;
    std::memcpy(&m, ev.data, sizeof m);
    for (NeighMsg& l : learned_) {
      if (l.port == m.port && l.addr == m.addr) {
        l = m;
        return;
      }
    }
    learned_.push_back(m);
  }
}

void ControlPlane::flush_learned_neighbours() {
  if (learned_.empty()) return;
  auto msg = std::make_unique<ctrl::Msg>(kMsgNeighLearned, encode_records(std::span<const NeighMsg>(learned_)));
  learned_.clear();
  // Best effort: a worker that misses it resolves the neighbour itself.
  mc_->multicast(std::move(msg));
}

}  // namespace dplb::dp
