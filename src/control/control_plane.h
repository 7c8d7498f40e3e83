// The main lcore's control plane: the authoritative model (addresses, routes, static neighbours),
// the sockopt server the tools talk to, and the multicast that keeps every worker identical to
// the model. Each module (link, addr, neigh, route, sync, ipvs) registers here both its operations
// (main side) and the handlers of its messages (worker side). It reaches ports and workers only
// through DataPlane.
#pragma once

#include <poll.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "control/data_plane.h"
#include "dplb/conf/config.h"
#include "dplb/ctrl/multicast.h"
#include "dplb/ctrl/registry.h"
#include "dplb/ctrl/server.h"
#include "dplb/ipvs/service_model.h"
#include "dplb/ipvs/tcp_state.h"
#include "dplb/neigh/neigh_table.h"
#include "dplb/route/route_table.h"
#include "control/ipvs_rates.h"
#include "control/metrics_server.h"
#include "control/msg_types.h"

namespace dplb::dp {

// What main believes every worker holds (configuration only; learned state lives on workers).
struct Model {
  route::RouteTable routes;
  neigh::NeighTable neigh{4096};  // PERMANENT entries only
  ipvs::IpvsModel ipvs;
  ipvs::ProtoTimeouts timeouts = ipvs::ProtoTimeouts::defaults();
};

class ControlPlane {
 public:
  ControlPlane(const conf::Config& cfg, DataPlane& data_plane);
  ~ControlPlane();

  // Registers the modules (both sides), attaches the workers, opens the socket. Call before the
  // workers launch.
  Status init();
  void close();

  // Main loop hooks.
  void add_pollfds(std::vector<pollfd>& fds) const;
  int poll_timeout_ms() const;
  void service(std::span<const pollfd> fds);
  void housekeeping();  // late replies, worker events, replays of out-of-sync workers

  // Startup configuration (workers running, ports not started yet), through the same paths the
  // tools use so it reaches every worker.
  Status apply_config_addresses();
  // Runs one request in-process as a tool's request would run: the startup files, on the main
  // thread, before the socket is served.
  Status dispatch(ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    return registry_.dispatch(kind, op, payload, reply);
  }
  // Tells every worker the ports are up.
  Status start_workers();

  // ---- for the modules ----
  Model& model() { return model_; }
  DataPlane& data_plane() { return dp_; }
  ctrl::Multicaster& multicaster() { return *mc_; }
  ctrl::Registry& registry() { return registry_; }
  // Sends msg to every worker, waits, and turns the outcome into the command's status.
  Status broadcast(std::unique_ptr<ctrl::Msg> msg);
  // "dpdk3" -> 3 when that port exists; else ENODEV 'Cannot find device "NAME"'.
  Result<uint16_t> port_by_name(std::string_view name) const;
  std::string port_name(uint16_t port) const { return "dpdk" + std::to_string(port); }
  uint64_t now_ms() const { return dp_.now_ms(); }
  const IpvsRates& ipvs_rates() const { return rates_; }
  // The metrics endpoint ([metrics] listen), null when off.
  const MetricsServer* metrics_server() const { return metrics_.get(); }

 private:
  void replay(ctrl::ReplaySink& sink);
  void on_event(const ctrl::WorkerEvent& ev);
  void flush_learned_neighbours();
  void update_ipvs_rates();

  const conf::Config& cfg_;
  DataPlane& dp_;
  Model model_;
  ctrl::Registry registry_;
  std::unique_ptr<ctrl::Server> server_;
  std::unique_ptr<ctrl::Multicaster> mc_;
  std::unique_ptr<MetricsServer> metrics_;
  std::vector<NeighMsg> learned_;  // neighbours learned by a worker, to teach the others
  IpvsRates rates_;
  uint64_t rates_sampled_ms_ = 0;
};

// Each feature has two halves in one file (or X_module.cc and X_worker.cc side by side): its socket
// operations on main (register_X_module) and the handlers of its messages on the workers
// (register_X_worker).
Status register_link_module(ControlPlane& cp);
Status register_addr_module(ControlPlane& cp);
Status register_neigh_module(ControlPlane& cp);
Status register_route_module(ControlPlane& cp);
Status register_sync_module(ControlPlane& cp);
Status register_ipvs_module(ControlPlane& cp);
Status register_addr_worker(ctrl::Multicaster& mc);    // addr_module.cc
Status register_neigh_worker(ctrl::Multicaster& mc);   // neigh_module.cc
Status register_route_worker(ctrl::Multicaster& mc);   // route_worker.cc
Status register_sync_worker(ctrl::Multicaster& mc);    // sync_module.cc
Status register_ipvs_worker(ctrl::Multicaster& mc);    // ipvs_worker.cc
Status register_replay_worker(ctrl::Multicaster& mc);  // replay.cc
// Every worker-side handler, kMsgStart included: the control plane's init, and test fixtures that
// drive a worker without a control plane (tests/datapath).
Status register_worker_handlers(ctrl::Multicaster& mc);

}  // namespace dplb::dp
