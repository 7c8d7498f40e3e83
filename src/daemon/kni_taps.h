// The exception path's kernel taps: one net_tap ethdev per port with kni = true, created after the
// ports (so it never becomes a dpdkN port and stays out of Ports::all()), named "<port>.kni", with
// the port's MAC and MTU, one RX/TX queue pair per worker; started and closed with the ports.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/ports.h"
#include "datapath/worker.h"
#include "dplb/base/status.h"
#include "dplb/conf/plan.h"
#include "dplb/kni/kni_plan.h"

namespace dplb::dp {

class KniTaps {
 public:
  // The tap driver's queue limit (RTE_PMD_TAP_MAX_QUEUES in DPDK 22.11); checked again on the device.
  static constexpr uint16_t kMaxQueues = 16;
  // Descriptors per tap RX queue: the driver keeps this many mbufs per queue as its read buffer
  // chain, enough for one frame of the largest MTU.
  static constexpr uint16_t kRxDesc = 16;

  // Creates and configures the taps of plan's kni ports; sets their PortState::kni_ifname.
  Status create(const conf::Plan& plan, Ports& ports, Mempools& pools);
  // Gives worker w its TX queue on every tap, the policy of every port, and the taps it reads.
  void attach(Worker& w) const;
  Status start_all();
  // Stops and closes every tap created (their RX queues give their mbufs back); idempotent.
  void stop_and_close_all();

  size_t size() const { return taps_.size(); }

 private:
  struct Tap {
    kni::TapPlan plan;
    uint16_t id = 0;  // ethdev id
    bool configured = false;
    bool started = false;
  };
  Status setup(Tap& t, int socket, Mempools& pools);

  std::vector<Tap> taps_;
};

}  // namespace dplb::dp
