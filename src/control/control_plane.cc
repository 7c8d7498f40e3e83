#include "control/control_plane.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cstring>

#include "control/metrics_module.h"
#include "control/route_msg.h"
#include "control/worker_side.h"

namespace dplb::dp {

namespace {

// kMsgStart, the worker side: the ports are up.
int on_start(void* ctx, const ctrl::Msg&, uint64_t*) {
  worker_of(ctx).start_polling();
  return 0;
}

}  // namespace

Status register_worker_handlers(ctrl::Multicaster& mc) {
  if (Status st = mc.set_handler(kMsgStart, on_start); !st) return st;
  for (auto reg : {register_replay_worker, register_addr_worker, register_neigh_worker, register_route_worker,
                   register_sync_worker, register_ipvs_worker}) {
    if (Status st = reg(mc); !st) return st;
  }
  return Status::ok();
}

ControlPlane::ControlPlane(const conf::Config& cfg, DataPlane& data_plane) : cfg_(cfg), dp_(data_plane) {}

ControlPlane::~ControlPlane() { close(); }

Status ControlPlane::init() {
  ctrl::Multicaster::Options mo;
  mo.workers = dp_.worker_count();
  mo.timeout = std::chrono::milliseconds(cfg_.msg_timeout_ms);
  mc_ = std::make_unique<ctrl::Multicaster>(mo);
  if (Status st = register_worker_handlers(*mc_); !st) return st;
  mc_->set_replay_source([this](ctrl::ReplaySink& sink) { replay(sink); });
  mc_->set_event_handler([this](const ctrl::WorkerEvent& ev) { on_event(ev); });

  for (const PortFacts& p : dp_.ports())
    if (Status st = model_.routes.set_port(p.id, p.mtu); !st) return st;
  for (auto reg : {register_link_module, register_addr_module, register_neigh_module, register_route_module,
                   register_sync_module, register_ipvs_module}) {
    if (Status st = reg(*this); !st) return st;
  }
  if (Status st = dp_.attach(*mc_); !st) return st;
  server_ = std::make_unique<ctrl::Server>(registry_);
  if (Status st = server_->open(cfg_.ipc_socket, cfg_.ipc_group); !st) return st;
  spdlog::info("control socket {}", cfg_.ipc_socket);
  if (!cfg_.metrics_listen.empty()) {
    metrics_ = std::make_unique<MetricsServer>([this] { return render_metrics(*this, &metrics_->stats()); });
    if (Status st = metrics_->open(cfg_.metrics_addr, cfg_.metrics_port); !st) return st;
    spdlog::info("metrics endpoint http://{}:{}/metrics", to_string(cfg_.metrics_addr), metrics_->port());
  }
  return Status::ok();
}

void ControlPlane::close() {
  if (server_) server_->close();
  if (metrics_) metrics_->close();
}

void ControlPlane::add_pollfds(std::vector<pollfd>& fds) const {
  server_->add_pollfds(fds);
  if (metrics_) metrics_->add_pollfds(fds);
}

int ControlPlane::poll_timeout_ms() const {
  int t = server_->poll_timeout_ms(ctrl::Server::Clock::now());
  if (metrics_) {
    int m = metrics_->poll_timeout_ms(MetricsServer::Clock::now());
    if (m >= 0 && (t < 0 || m < t)) t = m;
  }
  // Wake at least every 10 ms for worker events and replays; never spin.
  return (t < 0 || t > 10) ? 10 : t;
}

void ControlPlane::service(std::span<const pollfd> fds) {
  server_->service(fds, ctrl::Server::Clock::now());
  if (metrics_) metrics_->service(fds, MetricsServer::Clock::now());
}

void ControlPlane::housekeeping() {
  mc_->poll();
  flush_learned_neighbours();
  update_ipvs_rates();
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
      for (const PortFacts& p : dp_.ports())
        if (p.id == id) return static_cast<uint16_t>(id);
    }
  }
  return Status::error(ENODEV, "Cannot find device \"" + std::string(name) + "\"");
}

Status ControlPlane::apply_config_addresses() {
  for (const PortFacts& p : dp_.ports()) {
    for (const Ip4Prefix& a : p.addresses) {
      if (Status st = model_.routes.add_addr(p.id, a); !st)
        return Status::error(st.code(), "ports." + p.name + ".addresses: " + to_string(a) + ": " + st.message());
      AddrMsg m{p.id, a.len, 0, a.addr.v};
      if (Status st = broadcast(ctrl::Msg::of(kMsgAddrAdd, m)); !st) return st;
    }
  }
  return Status::ok();
}

Status ControlPlane::start_workers() { return broadcast(std::make_unique<ctrl::Msg>(kMsgStart)); }

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
