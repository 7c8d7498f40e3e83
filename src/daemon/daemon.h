// The dplb daemon: reads the configuration, brings up EAL, ports and workers, serves the control
// socket on the main lcore, and shuts everything down on SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <vector>

#include "dplb/conf/cmdline.h"
#include "dplb/conf/config.h"
#include "control/control_plane.h"
#include "dplb/conf/plan.h"
#include "daemon/kni_taps.h"
#include "daemon/ports.h"
#include "datapath/worker.h"

namespace dplb::dp {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitConfig = 2;
inline constexpr unsigned kRedirectRingSize = 4096;

class Daemon {
 public:
  using StartupFiles = std::function<Status(const conf::Config&)>;
  // Applies the config's dpip batch and ipvsadm rules files through the control socket (run on a
  // helper thread while the main loop serves it), before the ports start.
  void set_startup_files(StartupFiles f) { startup_files_ = std::move(f); }
  int run(int argc, char** argv);

 private:
  int start();
  void serve();
  // Serves the socket until `done` is set (startup files) or a signal arrives.
  void serve_until(const std::atomic<bool>& done);
  Status run_startup_files();
  void stop();
  Status build_workers(const conf::Plan& plan);
  void log_final_stats() const;

  conf::CmdLine cmd_;
  conf::Config cfg_;
  std::unique_ptr<Mempools> pools_;
  Ports ports_;
  KniTaps kni_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::unique_ptr<ControlPlane> control_;
  std::vector<rte_ring*> rings_;  // worker-to-worker redirect rings
  StartupFiles startup_files_;
  std::atomic<bool> stop_workers_{false};
  bool eal_up_ = false;
  bool log_up_ = false;
  bool workers_launched_ = false;
};

}  // namespace dplb::dp
