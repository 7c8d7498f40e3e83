#include "daemon/daemon.h"

#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_launch.h>
#include <rte_pdump.h>
#include <rte_lcore.h>
#include <rte_ring.h>

#include <poll.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>

#include "dplb/conf/config_loader.h"
#include "daemon/eal.h"
#include "daemon/log.h"
#include "daemon/startup_files.h"

namespace dplb::dp {

namespace {

volatile std::sig_atomic_t g_signal = 0;

void on_signal(int sig) { g_signal = sig; }  // a second signal during shutdown just sets it again

void install_signal_handlers() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);  // a tool that hangs up must not kill us
}

struct LaunchArg {
  Worker* worker;
  std::atomic<bool>* stop;
};

int worker_entry(void* arg) {
  auto* la = static_cast<LaunchArg*>(arg);
  la->worker->run(*la->stop);
  return 0;
}

std::vector<LaunchArg> g_launch_args;

// Packets this worker handed to another, over all the ports they arrived on.
uint64_t redirected_total(const Worker& w) {
  uint64_t n = 0;
  for (const PortCounters& c : w.io.stats.port) n += counter_read(c.redirected);
  return n;
}

}  // namespace

int Daemon::run(int argc, char** argv) {
  install_signal_handlers();
  auto cmd = conf::parse_cmdline(argc, argv);
  if (!cmd) {
    std::fprintf(stderr, "dplb: %s\n%s", cmd.status().message().c_str(), conf::usage_text("dplb").c_str());
    return kExitConfig;
  }
  if (cmd->help) {
    std::fputs(conf::usage_text("dplb").c_str(), stdout);
    return kExitOk;
  }
  cmd_ = *cmd;
  int rc = start();
  if (rc == kExitOk) serve();
  stop();
  return rc;
}

int Daemon::start() {
  if (!cmd_.config_path.empty()) {
    auto loaded = conf::load_config(cmd_.config_path);
    if (!loaded) {
      std::fprintf(stderr, "dplb: %s\n", loaded.status().message().c_str());
      return kExitConfig;
    }
    cfg_ = *loaded;
  } else {
    cfg_ = conf::default_config();
  }
  conf::apply_cmdline(cmd_, cfg_);
  log_setup(cfg_.log_level);
  log_up_ = true;
  spdlog::info("starting with {}", cfg_.source);

  if (Status st = eal_init(cfg_.eal_args); !st) {
    spdlog::error("{}: {}", cfg_.source, st.message());
    return kExitConfig;
  }
  eal_up_ = true;
  // Live capture (dpdk-dumpcap, dpdk-pdump) attaches as a secondary process: it needs EAL's shared
  // configuration on hugepages, so not under --no-shconf, --in-memory or --no-huge (the tests'
  // default). Not an error: dplb runs the same without it.
  if (rte_pdump_init() == 0) pdump_up_ = true;
  if (std::string obstacle = capture_obstacle(cfg_.eal_args); !pdump_up_ || !obstacle.empty()) {
    spdlog::info("packet capture unavailable: {}", pdump_up_ ? obstacle : std::string(rte_strerror(rte_errno)));
  } else {
    spdlog::info("packet capture ready: dpdk-dumpcap --file-prefix=PREFIX -i <ethdev name or port id>");
  }

  std::vector<unsigned> worker_lcores;
  unsigned lcore;
  RTE_LCORE_FOREACH_WORKER(lcore) worker_lcores.push_back(lcore);
  auto plan = conf::make_plan(cfg_, Ports::discover(rte_get_main_lcore(), worker_lcores));
  if (!plan) {
    spdlog::error("{}", plan.status().message());
    return kExitConfig;
  }
  for (const auto& w : plan->warnings) spdlog::warn("{}", w);

  pools_ = std::make_unique<Mempools>(cfg_.mbufs_per_pool, cfg_.mbuf_cache);
  if (Status st = ports_.configure(*plan, *pools_); !st) {
    spdlog::error("{}", st.message());
    return kExitConfig;
  }
  // The taps come after the port plan and the ports: they are ethdevs too, but never dpdkN ports.
  if (Status st = kni_.create(*plan, ports_, *pools_); !st) {
    spdlog::error("{}", st.message());
    return kExitConfig;
  }
  if (Status st = build_workers(*plan); !st) {
    spdlog::error("{}", st.message());
    return kExitConfig;
  }
  for (auto& w : workers_) kni_.attach(*w);
  data_plane_ = std::make_unique<LcoreDataPlane>(ports_, workers_, *pools_);
  control_ = std::make_unique<ControlPlane>(cfg_, *data_plane_);
  if (Status st = control_->init(); !st) {
    spdlog::error("{}", st.message());
    return st.code() == EADDRINUSE ? kExitRuntime : kExitConfig;
  }

  // Workers run from here on, but poll no port until kMsgStart: the startup configuration goes to
  // them through the same multicast path as every later change.
  g_launch_args.clear();
  g_launch_args.reserve(workers_.size());
  for (auto& w : workers_) {
    g_launch_args.push_back({w.get(), &stop_workers_});
    if (rte_eal_remote_launch(worker_entry, &g_launch_args.back(), w->setup.lcore) != 0) {
      spdlog::error("cannot launch worker on lcore {}", w->setup.lcore);
      return kExitRuntime;
    }
    workers_launched_ = true;
  }
  if (Status st = control_->apply_config_addresses(); !st) {
    spdlog::error("{}: {}", cfg_.source, st.message());
    return kExitConfig;
  }
  if (Status st = run_startup_files(); !st) {
    spdlog::error("{}: {}", cfg_.source, st.message());
    return g_signal ? kExitRuntime : kExitConfig;
  }
  if (Status st = ports_.start_all(); !st) {
    spdlog::error("{}", st.message());
    return kExitRuntime;
  }
  if (Status st = kni_.start_all(); !st) {
    spdlog::error("{}", st.message());
    return kExitRuntime;
  }
  for (const PortState& p : ports_.all())
    spdlog::info("port {} (ethdev {}) mac {} mtu {} rxq {} txq {}", p.name, p.id, to_string(p.mac), p.conf.mtu,
                 p.conf.rx_queues, p.conf.tx_queues);
  if (Status st = control_->start_workers(); !st) {
    spdlog::error("workers did not start: {}", st.message());
    return kExitRuntime;
  }
  if (cmd_.pid_file) {
    std::ofstream pf(*cmd_.pid_file);
    pf << getpid() << "\n";
    if (!pf) spdlog::warn("cannot write pid file {}", *cmd_.pid_file);
  }
  spdlog::info("running: {} worker(s), {} port(s)", workers_.size(), ports_.all().size());
  return kExitOk;
}

Status Daemon::build_workers(const conf::Plan& plan) {
  WorkerSettings ws;
  ws.forwarding = cfg_.forwarding;
  ws.idle_backoff = cfg_.idle_backoff;
  ws.idle_polls = cfg_.idle_polls;
  ws.conn_prefetch_min = cfg_.conn_prefetch_min;
  ws.idle_sleep_us = cfg_.idle_sleep_us;
  ws.tx_drain_tsc = rte_get_tsc_hz() / 1000000 * cfg_.tx_drain_us;
  ws.msg_burst = cfg_.msg_burst;
  ws.icmp_rate_per_sec = cfg_.icmp_rate_per_sec;
  ws.conn_capacity = cfg_.conn_capacity;
  auto now_tick = static_cast<ipvs::Tick>(rte_rdtsc() / (rte_get_tsc_hz() / ipvs::kTicksPerSecond));
  std::vector<bool> port_has_garp_sender(kMaxPorts, false);
  for (const conf::WorkerPlan& wp : plan.workers) {
    int socket = static_cast<int>(rte_lcore_to_socket_id(wp.lcore));
    auto pool = pools_->get(socket);
    if (!pool) return pool.status();
    auto w = std::make_unique<Worker>(wp.index, wp.lcore, ws, *pool);
    ipvs::ConnTableConfig cc;
    cc.capacity = ws.conn_capacity;
    cc.now = now_tick;
    auto conns = ipvs::ConnTable::make(cc);
    if (!conns) return Status::error(conns.status().code(), "ipvs.conn_capacity: " + conns.status().message());
    w->tables.conns = std::move(*conns);
    w->io.now_tick = now_tick;
    w->setup.n_workers = static_cast<uint32_t>(plan.workers.size());
    for (const auto& [port, queue] : wp.rx) {
      if (w->setup.n_rx >= kMaxRxPerWorker) return Status::invalid("too many rx queues on one worker");
      w->setup.rx[w->setup.n_rx++] = {port, queue};
    }
    for (const PortState& p : ports_.all()) {
      if (p.id >= kMaxPorts) return Status::invalid("port " + p.name + ": port id beyond the supported maximum");
      PortView& v = w->tables.ports[p.id];
      v.present = true;
      v.promisc = p.conf.promisc;
      v.mtu = p.conf.mtu;
      v.mac = p.mac;
      if (p.id < wp.tx_queue.size() && wp.tx_queue[p.id]) {
        w->io.txb[p.id].enabled = true;
        w->io.txb[p.id].queue = *wp.tx_queue[p.id];
        if (!port_has_garp_sender[p.id]) {
          port_has_garp_sender[p.id] = true;
          w->setup.garp_ports |= 1u << p.id;
        }
      }
    }
    workers_.push_back(std::move(w));
  }
  // Redirect rings, one per ordered pair of workers (single producer, single consumer).
  for (auto& from : workers_) {
    for (auto& to : workers_) {
      if (from == to) continue;
      std::string name = "dplb_rd_" + std::to_string(from->setup.index) + "_" + std::to_string(to->setup.index);
      rte_ring* r = rte_ring_create(name.c_str(), kRedirectRingSize, static_cast<int>(rte_lcore_to_socket_id(to->setup.lcore)),
                                    RING_F_SP_ENQ | RING_F_SC_DEQ);
      if (r == nullptr) return Status::error(ENOMEM, "cannot create redirect ring " + name + ": raise EAL -m");
      rings_.push_back(r);
      from->setup.redirect_to[to->setup.index] = r;
      to->setup.redirect_from[from->setup.index] = r;
    }
  }
  return Status::ok();
}

Status Daemon::run_startup_files() {
  // On the main thread, before the socket is served: each request reaches the control plane as a
  // tool's would, and a signal stops the files between two requests.
  Status st = apply_startup_files(
      cfg_, [this](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
        if (g_signal) return Status::error(EINTR, "interrupted");
        return control_->dispatch(kind, op, payload, reply);
      });
  if (g_signal) return Status::error(EINTR, "interrupted while applying startup files");
  return st;
}

void Daemon::serve() {
  std::vector<pollfd> fds;
  while (g_signal == 0) {
    fds.clear();
    control_->add_pollfds(fds);
    // The main lcore sleeps in poll(): it must not spin on a core the workers may share.
    // service() also closes clients past their deadline, so it runs after a timeout too (EINTR:
    // no descriptor is ready, deadlines still apply).
    if (poll(fds.data(), fds.size(), control_->poll_timeout_ms()) < 0) fds.clear();
    control_->service(fds);
    control_->housekeeping();
  }
  spdlog::info("signal {} received, shutting down", static_cast<int>(g_signal));
}

void Daemon::log_final_stats() const {
  for (const auto& w : workers_) {
    spdlog::info("worker {} lcore {}: loops {} idle sleeps {} control messages {} redirected {} connections "
                 "expired {}", w->setup.index, w->setup.lcore, counter_read(w->io.stats.loops), counter_read(w->io.stats.idle_sleeps),
                 counter_read(w->io.stats.ctrl_messages), redirected_total(*w),
                 counter_read(w->io.stats.conns_expired));
    for (const PortState& p : ports_.all()) {
      const PortCounters& c = w->io.stats.port[p.id];
      spdlog::info("worker {} {}: rx {} pkts {} bytes, tx {} pkts {} bytes, tx dropped {}", w->setup.index, p.name,
                   counter_read(c.rx_packets), counter_read(c.rx_bytes), counter_read(c.tx_packets),
                   counter_read(c.tx_bytes), counter_read(c.tx_dropped));
      if (!p.kni_ifname.empty()) {
        const KniPortCounters& k = w->io.kni.counters[p.id];
        spdlog::info("worker {} {}: kni {} to kernel {} from kernel {} overflow {}", w->setup.index, p.name,
                     p.kni_ifname, counter_read(k.to_kernel), counter_read(k.from_kernel), counter_read(k.overflow));
      }
      for (size_t r = 0; r < kDropReasonCount; ++r)
        if (uint64_t n = counter_read(c.drops[r]))
          spdlog::info("worker {} {}: drop {} {}", w->setup.index, p.name, kDropReasonNames[r], n);
    }
  }
}

void Daemon::stop() {
  if (control_) control_->close();  // no new commands while we stop
  if (workers_launched_) {
    stop_workers_.store(true);
    rte_eal_mp_wait_lcore();
  }
  if (!workers_.empty()) log_final_stats();
  kni_.stop_and_close_all();  // before the mbuf count: tap RX queues hold mbufs of our pools
  ports_.stop_and_close_all();
  control_.reset();  // after the workers stopped: it owns the message rings
  data_plane_.reset();
  workers_.clear();  // frees any mbufs they still hold (neighbour queues, redirect rings)
  for (rte_ring* r : rings_) rte_ring_free(r);
  rings_.clear();
  if (pools_) {
    // Every holder (TX buffers, neighbour queues, redirect rings, taps, ports' rings) is gone by now:
    // anything still out of its pool is a leak. Tests parse this line and fail on a nonzero count.
    for (const auto& u : pools_->in_use()) {
      spdlog::log(u.in_use ? spdlog::level::warn : spdlog::level::info, "mbufs in use at exit: pool {}: {} of {}",
                  u.name, u.in_use, u.size);
    }
    pools_->free_all();
  }
  if (pdump_up_) rte_pdump_uninit();
  if (eal_up_) eal_cleanup();
  if (cmd_.pid_file && workers_launched_) unlink(cmd_.pid_file->c_str());
  if (log_up_) {
    spdlog::info("stopped");
    spdlog::shutdown();
  }
}

}  // namespace dplb::dp
