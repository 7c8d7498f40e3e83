// What the control plane reaches of the ports and the workers, behind one interface: the daemon's
// implementation (daemon/lcore_data_plane.h) reads its ethdev ports and lcore workers; unit tests
// give fakes, so the control plane and its modules run there without EAL.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "datapath/worker_stats.h"
#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/ctrl/multicast.h"
#include "dplb/ctrl/proto.h"
#include "dplb/ipvs/service_stats.h"
#include "dplb/stats/drop_reason.h"

namespace dplb::dp {

// A port as the control plane knows it.
struct PortFacts {
  uint16_t id = 0;
  std::string name;                  // dpdkN
  uint16_t mtu = 1500;
  std::vector<Ip4Prefix> addresses;  // from the config ([ports.NAME] addresses)
};

struct WorkerId {
  unsigned index = 0;  // 0.. in plan order, also its position here
  unsigned lcore = 0;
};

// One worker's counters of one port (dpip -s link show).
struct WorkerPortCounters {
  uint64_t rx_packets = 0, rx_bytes = 0, tx_packets = 0, tx_bytes = 0, tx_dropped = 0;
  uint64_t redirected = 0;  // handed to the owner worker (ring full: drops[redirect_full])
  std::array<uint64_t, kDropReasonCount> drops{};
};

// Reads a running worker's counters of one port (relaxed loads: the worker keeps counting).
inline WorkerPortCounters read_port_counters(const PortCounters& c) {
  WorkerPortCounters out;
  out.rx_packets = counter_read(c.rx_packets);
  out.rx_bytes = counter_read(c.rx_bytes);
  out.tx_packets = counter_read(c.tx_packets);
  out.tx_bytes = counter_read(c.tx_bytes);
  out.tx_dropped = counter_read(c.tx_dropped);
  out.redirected = counter_read(c.redirected);
  for (size_t r = 0; r < out.drops.size(); ++r) out.drops[r] = counter_read(c.drops[r]);
  return out;
}

// What the metrics endpoint reads of one worker besides its port counters (relaxed loads).
struct WorkerGauges {
  uint64_t polls = 0;       // loop iterations
  uint64_t busy_polls = 0;  // iterations that found packets or control messages
  uint64_t conns = 0;       // connections in its table
  uint64_t conn_capacity = 0;
  uint64_t neighbours = 0;  // entries of its neighbour table (learned and static)
};

// One mbuf pool: its size and how many mbufs are free (per-lcore caches count as free).
struct MbufPoolGauge {
  std::string name;
  uint64_t size = 0;
  uint64_t free = 0;
};

class DataPlane {
 public:
  virtual ~DataPlane() = default;

  virtual const std::vector<PortFacts>& ports() const = 0;
  virtual size_t worker_count() const = 0;
  virtual WorkerId worker_id(size_t worker) const = 0;

  // Before the workers run: every worker takes its control messages from mc (draining them with
  // its own context), and its route table knows the ports.
  virtual Status attach(ctrl::Multicaster& mc) = 0;

  // The workers' counters, read while they run.
  virtual ipvs::IpvsCounters service_counters(size_t worker, uint32_t service_id) const = 0;
  virtual ipvs::IpvsCounters dest_counters(size_t worker, uint32_t dest_id) const = 0;
  virtual WorkerPortCounters port_counters(size_t worker, uint16_t port) const = 0;
  // Capacity of one worker's connection table (they are all the same size).
  virtual uint32_t conn_capacity() const = 0;
  // `dpip link show`'s record of a port: ethdev state, driver and counters, its tap's counters.
  virtual proto::LinkRecord link_record(uint16_t port) const = 0;

  // For the metrics endpoint; fakes without workers or pools keep the defaults.
  virtual WorkerGauges worker_gauges(size_t /*worker*/) const { return {}; }
  virtual std::vector<MbufPoolGauge> mbuf_pools() const { return {}; }
  virtual std::string dpdk_version() const { return ""; }

  // Monotonic milliseconds (neighbour ages, rate intervals).
  virtual uint64_t now_ms() const = 0;
};

}  // namespace dplb::dp
