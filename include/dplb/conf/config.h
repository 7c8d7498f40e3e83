// The daemon's configuration as loaded from the TOML file (or the embedded defaults).
// conf/dplb.toml.sample documents every key; config_loader.h checks them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "dplb/base/addr.h"

namespace dplb::conf {

// One (port, rx queue, tx queue) assignment of a worker. A worker may transmit on a port without
// receiving from it (rx_queue absent).
struct QueueMap {
  std::string port;                 // "dpdk0"
  std::optional<uint16_t> rx_queue;
  std::optional<uint16_t> tx_queue;
  bool operator==(const QueueMap&) const = default;
};

struct WorkerConf {
  unsigned lcore = 0;
  std::vector<QueueMap> queues;
  bool operator==(const WorkerConf&) const = default;
};

// What to do with local traffic no data-plane module claims, when the port has a tap (exception path).
enum class UnclaimedPolicy { kernel, drop };

struct PortConf {
  std::string name;                 // "dpdk0": ports are named by ethdev id order
  uint16_t mtu = 1500;
  uint16_t rx_queues = 0;           // 0 = one per worker (capped by the device)
  uint16_t tx_queues = 0;           // 0 = one per worker (capped by the device)
  uint16_t rx_desc = 1024;
  uint16_t tx_desc = 1024;
  bool promisc = false;
  std::vector<Ip4Prefix> addresses;
  bool kni = false;                 // create a kernel tap "<name>.kni" (exception path)
  UnclaimedPolicy unclaimed = UnclaimedPolicy::kernel;
  bool operator==(const PortConf&) const = default;
};

struct Config {
  std::string source = "<defaults>";   // the file it came from, for messages

  // [global]
  std::string log_level = "info";       // trace, debug, info, warn, error, critical, off
  bool forwarding = false;              // forward packets not addressed to us
  std::vector<std::string> dpip_batch;  // dpip batch files applied before ports start (paths resolved)
  std::string ipvs_rules;               // ipvsadm -S format rules applied at startup ("" = none)

  // [eal]
  std::vector<std::string> eal_args;

  // [ctrl]
  std::string ipc_socket = "/var/run/dplb.ipc";
  std::string ipc_group;                // "" = root only (0600); else 0660 with this group
  uint32_t msg_timeout_ms = 2000;       // multicast: wait this long for every worker
  uint32_t msg_burst = 32;              // control messages a worker handles per loop iteration

  // [dataplane]
  bool idle_backoff = true;             // sleep after many empty polls (tests, demo); off for benchmarks
  uint32_t idle_polls = 256;            // empty polls before the first sleep
  uint32_t idle_sleep_us = 100;         // sleep length when idle
  uint32_t tx_drain_us = 100;           // flush partially filled TX buffers after this long
  uint32_t mbufs_per_pool = 16383;      // per NUMA socket
  uint32_t mbuf_cache = 256;
  uint32_t icmp_rate_per_sec = 1000;    // per worker: ICMP errors and echo replies
  uint32_t conn_prefetch_min = 16384;   // connections per worker from which bursts prefetch lookups

  // [metrics]: the Prometheus endpoint, served by the main lcore. Off by default: two daemons on one
  // host (tests, a standby) would fight for one port; conf/dplb.toml.sample turns it on.
  std::string metrics_listen;           // "ADDRESS:PORT" as given; "" = off
  Ip4 metrics_addr;                     // parsed from metrics_listen
  uint16_t metrics_port = 0;

  // [ipvs]
  uint32_t conn_capacity = 1u << 20;    // connections per worker, preallocated

  std::vector<PortConf> ports;          // [ports.NAME]: only the ports the file mentions
  std::vector<WorkerConf> workers;      // [[workers]]: empty = automatic assignment

  bool operator==(const Config&) const = default;
};

}  // namespace dplb::conf
