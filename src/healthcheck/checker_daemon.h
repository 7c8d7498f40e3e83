// dplb-healthcheck's process: the checks of every supported real server on one event loop, the
// health they give (core healthcheck/checker_state), and dplb's IPVS table kept equal to what that
// health wants (core healthcheck/ipvs_target): after every transition, every reload, and once a
// second, so a dplb that restarted or lost its services gets them back.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "dplb/healthcheck/checker_state.h"
#include "dplb/healthcheck/ipvs_target.h"
#include "dplb/keepalived/keepalived_conf.h"
#include "healthcheck/child_reaper.h"
#include "healthcheck/event_loop.h"
#include "healthcheck/ipvs_link.h"
#include "healthcheck/probe.h"
#include "healthcheck/tls_context.h"

namespace dplb::hc {

using healthcheck::Micros;

struct Options {
  std::string conf_path = "/etc/keepalived/keepalived.conf";
  std::string ipc_path;  // resolved: -x, else $DPLB_IPC, else the default
  bool foreground = false;
  bool log_stderr = false;
};

class CheckerDaemon {
 public:
  CheckerDaemon(Options opts, keepalived::KeepalivedConf conf, std::unique_ptr<TlsContext> tls);
  ~CheckerDaemon();

  // Until SIGTERM or SIGINT; SIGHUP reloads. Returns the exit status.
  int run();

 private:
  struct CheckerRun {
    std::unique_ptr<Probe> probe;
    EventLoop::TimerId timer = 0;
  };
  struct ServerRun {
    size_t vs = 0, rs = 0;
    std::string identity;  // carries the health over a reload when unchanged
    healthcheck::RealServerHealth health;
    std::vector<CheckerRun> checkers;
    std::optional<uint16_t> dynamic_weight;  // set by a misc_dynamic MISC_CHECK
  };
  // What a reload keeps of an unchanged real server.
  struct Kept {
    healthcheck::RealServerHealth health;
    std::optional<uint16_t> dynamic_weight;
  };

  void start(const std::map<std::string, Kept>& kept, const std::map<std::string, bool>& kept_quorum);
  uint16_t weight_of(const ServerRun& s) const;
  void stop_checks();
  void schedule(ServerRun& s, size_t checker, Micros delay);
  void check_now(ServerRun& s, size_t checker);
  void on_result(ServerRun& s, size_t checker, const ProbeResult& r);
  void update_quorum(size_t vs);
  void run_script(const keepalived::Script& script, const std::string& what);
  void sync();
  void reload();
  void on_signal();

  Options opts_;
  keepalived::KeepalivedConf conf_;
  std::unique_ptr<TlsContext> tls_;
  EventLoop loop_;
  ChildReaper reaper_;
  IpvsLink link_;
  std::vector<std::unique_ptr<ServerRun>> servers_;
  std::vector<bool> quorum_up_;
  std::set<uint64_t> owned_;  // the services this process put in dplb (deleted when they leave the file)
  std::set<std::string> failing_;   // operations dplb refused at the last sync
  std::optional<bool> reachable_;  // last known state of the control socket, for one log line per change
  std::minstd_rand rng_{std::random_device{}()};
  int signal_fd_ = -1;
  bool stopping_ = false;
};

}  // namespace dplb::hc
