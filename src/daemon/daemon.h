// The dplb daemon: reads the configuration, brings up EAL, ports and workers, serves the control
// socket on the main lcore, and shuts everything down on SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "dplb/conf/cmdline.h"
#include "dplb/conf/config.h"
#include "control/control_plane.h"
#include "dplb/conf/plan.h"
#include "daemon/kni_taps.h"
#include "daemon/lcore_data_plane.h"
#include "daemon/ports.h"
#include "datapath/worker.h"

namespace dplb::dp {

inline constexpr int kExitOk = 0;
inline constexpr int kExitRuntime = 1;
inline constexpr int kExitConfig = 2;
inline constexpr unsigned kRedirectRingSize = 4096;

class Daemon {
 public:
  int run(int argc, char** argv);

 private:
  int start();
  void serve();
  // The config's dpip batch and ipvsadm rules files, applied in-process before the ports start.
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
  std::unique_ptr<LcoreDataPlane> data_plane_;
  std::unique_ptr<ControlPlane> control_;
  std::vector<rte_ring*> rings_;  // worker-to-worker redirect rings
  std::atomic<bool> stop_workers_{false};
  bool eal_up_ = false;
  bool pdump_up_ = false;
  bool log_up_ = false;
  bool workers_launched_ = false;
};

}  // namespace dplb::dp
