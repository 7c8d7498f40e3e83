// An in-process data plane: EAL once per process, one Worker built as the daemon builds one and
// configured through the worker-side control handlers (the messages main multicasts), frames
// injected through eth_input, and what the worker transmits captured exactly from net_ring ports.
// Used by the table-driven cases (tests/datapath/cases_*.cc) and the pipeline fuzzer
// (tests/fuzz/pipeline_entry.cc).
//
// The topology (as tests/golden/cases/nat.py configures the daemon, plus routes):
//   dpdk0  MAC 02:00:00:00:00:a0, MTU 1500, 10.0.0.1/24 and the VIP 10.0.0.100/32   (clients)
//   dpdk1  MAC 02:00:00:00:00:a1, MTU 1400, 10.1.0.1/24                              (real servers)
//   neighbours (permanent): 10.0.0.2 02:00:00:00:00:02 and 10.0.0.254 02:00:00:00:00:fe on dpdk0,
//     10.1.0.11 02:00:00:00:01:11, 10.1.0.12 02:00:00:00:01:12, 10.1.0.254 02:00:00:00:01:fe on dpdk1
//   routes: 192.168.0.0/16 via 10.0.0.254; 172.16.0.0/12 dev dpdk1 (on-link, nobody answers ARP);
//     default: nexthop via 10.0.0.254 dev dpdk0 weight 1, nexthop via 10.1.0.254 dev dpdk1 weight 2
//   services: TCP 10.0.0.100:80 rr -> 10.1.0.11:8080, 10.1.0.12:8080; UDP 10.0.0.100:53 rr ->
//     10.1.0.11:53; TCP 10.0.0.100:443 sh -> 10.1.0.12:443 weight 0 (drained: no server to pick)
//   forwarding on, no kernel tap (unclaimed packets are dropped with their reason).
// The clock is fixed (no time passes) and the connection hash seed too: the same frames take the
// same path every time.
//
// Every direct access to Worker members lives in datapath_fixture.cc: cases and the fuzzer go
// through this interface.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/ctrl/multicast.h"
#include "dplb/stats/drop_reason.h"

namespace dplb::dp {
class Worker;
}

namespace dplb::dp::fixture {

namespace topo {
inline constexpr uint16_t kPorts = 2;
inline constexpr uint16_t kClientPort = 0;  // dpdk0
inline constexpr uint16_t kServerPort = 1;  // dpdk1
inline constexpr uint16_t kMtu[kPorts] = {1500, 1400};
inline constexpr Mac kPortMac[kPorts] = {Mac{{0x02, 0, 0, 0, 0, 0xa0}}, Mac{{0x02, 0, 0, 0, 0, 0xa1}}};
inline constexpr Ip4 kPortAddr[kPorts] = {Ip4::of(10, 0, 0, 1), Ip4::of(10, 1, 0, 1)};
inline constexpr Mac kClientMac{{0x02, 0, 0, 0, 0, 0x02}};
inline constexpr Mac kGw0Mac{{0x02, 0, 0, 0, 0, 0xfe}};
inline constexpr Mac kRs1Mac{{0x02, 0, 0, 0, 0x01, 0x11}};
inline constexpr Mac kRs2Mac{{0x02, 0, 0, 0, 0x01, 0x12}};
inline constexpr Mac kGw1Mac{{0x02, 0, 0, 0, 0x01, 0xfe}};
inline constexpr Ip4 kClient = Ip4::of(10, 0, 0, 2);
inline constexpr Ip4 kVip = Ip4::of(10, 0, 0, 100);
inline constexpr Ip4 kRs1 = Ip4::of(10, 1, 0, 11);
inline constexpr Ip4 kRs2 = Ip4::of(10, 1, 0, 12);
inline constexpr Ip4 kGw0 = Ip4::of(10, 0, 0, 254);
inline constexpr Ip4 kGw1 = Ip4::of(10, 1, 0, 254);
// Service and real-server ids, as main would have chosen them (for removal messages).
inline constexpr uint32_t kHttpService = 1, kDnsService = 2, kHttpsService = 3;
inline constexpr uint16_t kHttpRsPort = 8080;
}  // namespace topo

// One frame on one port: an input, or an output the worker transmitted.
struct Frame {
  uint16_t port = 0;
  std::vector<uint8_t> bytes;
  friend bool operator==(const Frame&, const Frame&) = default;
};

using DropCounts = std::array<uint64_t, kDropReasonCount>;  // per reason, summed over the ports

class DatapathFixture {
 public:
  struct Options {
    std::string name = "dplb_dp";  // EAL file prefix: <name>_<pid>, unique per process
    unsigned pool_size = 1023;     // mbufs per pool (2^n - 1: the mempool's best size)
  };

  DatapathFixture();
  ~DatapathFixture();
  DatapathFixture(const DatapathFixture&) = delete;
  DatapathFixture& operator=(const DatapathFixture&) = delete;

  // EAL (--no-huge, net_ring0/1 as dpdk0/1), the mbuf pools, the ports, the worker configured.
  // Once per process (EAL cannot start twice). Returns "" or why it failed.
  std::string start(const Options& options);
  std::string start() { return start(Options{}); }
  // Worker, ports, pools, EAL and its runtime directory. Safe after a failed or no start.
  void stop();

  // The worker back to the topology with no learned state: neighbours, connections, services
  // (scheduler positions), counters, IP ids, ICMP budget and forwarding as configured. After a
  // setup tweak through control() the whole configuration is replayed through the handlers.
  // Returns "" or why it failed.
  std::string reset();

  // --- setup tweaks ---
  // One control message through the worker's handler, as main multicasts it (kMsg* of
  // src/control/msg_types.h). The next reset() undoes it.
  Status control(std::unique_ptr<ctrl::Msg> msg);
  void set_forwarding(bool on);
  // Connection-table size from which a burst's nat sub-vector takes the staged passes (prefetching);
  // 0: always. reset() restores the daemon's default.
  void set_conn_prefetch_min(uint32_t connections);

  // --- traffic ---
  // One frame through eth_input, as received on `port`. Its input buffer's tail is poisoned under
  // ASan (reading past a frame's end is reported). Returns "" or what is wrong with what the
  // worker queued for TX (mbuf lengths, source MAC, IPv4 checksum, MTU): a fuzzer's invariants.
  std::string inject(uint16_t port, std::span<const uint8_t> frame);
  std::string inject(const Frame& f) { return inject(f.port, f.bytes); }
  // Frames received together on `port`: one eth_input call, the burst-wide stages at work (at most
  // 32 frames). Same checks as inject.
  std::string inject_burst(uint16_t port, const std::vector<std::span<const uint8_t>>& frames);
  // What the worker transmitted since the last call, in order per port (port 0's first): flushes
  // its TX buffers, takes the frames from the ports' rings and frees them.
  std::vector<Frame> take_transmitted();
  // Every mbuf back: packets waiting for ARP dropped, TX flushed and taken. Then "" when both pools
  // are full again, else the leak.
  std::string release_and_check_pools();

  // --- observation ---
  DropCounts drops() const;
  size_t connections() const;
  // "" or why the connection table's invariants do not hold.
  std::string check_connections() const;

 private:
  Status configure();
  Status run_control(const std::function<Status(ctrl::Multicaster&)>& main_side);
  void restore_learned_state();
  void release_mbufs();

  std::unique_ptr<Worker> worker_;
  std::unique_ptr<ctrl::Multicaster> control_;
  struct Snapshot;
  std::unique_ptr<Snapshot> configured_;  // the tables right after configure()
  bool config_changed_ = false;
  bool eal_started_ = false;
  bool ports_started_ = false;
};

}  // namespace dplb::dp::fixture
