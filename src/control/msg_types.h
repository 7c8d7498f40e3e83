// Main -> worker control message types and their payload records (internal: both ends are this
// binary, so ports are ids, not names). Every handler is idempotent: add = upsert,
// delete = delete-if-present, so a replay or a retry is harmless.
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "dplb/ctrl/multicast.h"
#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ipvs/service_conf.h"
#include "dplb/neigh/neigh_table.h"

namespace dplb::dp {

enum MsgType : ctrl::MsgType {
  kMsgDigest = 1,        // value = the worker's configuration digest
  kMsgReplayBegin,       // forget all configuration (learned state stays)
  kMsgReplayEnd,
  kMsgAddrAdd,           // AddrMsg
  kMsgAddrDel,           // AddrMsg
  kMsgNeighAdd,          // NeighMsg: permanent
  kMsgNeighDel,          // NeighMsg
  kMsgNeighFlush,        // PortMsg
  kMsgNeighLearned,      // NeighMsg[]: learned by one worker, taught to the others
  kMsgNeighDump,         // attachment: NeighDump
  kMsgRouteUpsert,       // RouteMsg[]: the complete route after the change
  kMsgRouteDelete,       // RouteMsg[]: identities removed
  kMsgRouteFlush,        // PortMsg (port 0xffff = every port)
  kMsgStart,             // ports are started: begin polling, announce addresses
  kMsgSvcUpsert,         // SvcMsg
  kMsgSvcRemove,         // IdMsg
  kMsgDestUpsert,        // DestMsg
  kMsgDestRemove,        // IdMsg
  kMsgIpvsClear,
  kMsgIpvsZero,          // IdMsg (kAllIds = everything)
  kMsgIpvsTimeouts,      // TimeoutsMsg
  kMsgConnDump,          // attachment: ConnDump
  kMsgCount_,
};

struct AddrMsg {
  uint16_t port;
  uint8_t len;
  uint8_t pad;
  uint32_t addr;
};

struct NeighMsg {
  uint16_t port;
  uint8_t mac[6];
  uint32_t addr;
};

struct PortMsg {
  uint16_t port;
  uint8_t include_permanent;
  uint8_t pad;
};

struct RouteMsgNexthop {
  uint32_t gateway;
  uint16_t port;
  uint16_t weight;
  uint8_t onlink;
  uint8_t pad[3];
};

// A route by identity: net routes (prefix, len, metric), local routes (/32 with scope host/kni_host).
struct RouteMsg {
  uint32_t net;
  uint8_t len;
  uint8_t scope;         // route::RouteScope
  uint8_t n_nexthops;
  uint8_t pad;
  uint32_t metric;
  uint32_t src;
  uint16_t mtu;
  uint16_t pad2;
  RouteMsgNexthop nh[16];
};

static_assert(std::is_trivially_copyable_v<RouteMsg>);

struct IdMsg {
  uint32_t id;
};
inline constexpr uint32_t kAllIds = 0xffffffffu;

struct SvcMsg {
  uint32_t svc_id;
  ipvs::ServiceConf conf;
};

struct DestMsg {
  uint32_t svc_id;
  uint32_t dest_id;
  ipvs::DestConf conf;
};

static_assert(std::is_trivially_copyable_v<SvcMsg> && std::is_trivially_copyable_v<DestMsg>);

struct TimeoutsMsg {
  int64_t tcp, tcp_fin, udp;  // seconds, 0 = unchanged
};

// kMsgNeighDump attachment: each worker fills its own vector (main reads after all returned).
struct NeighDump {
  struct Item {
    uint16_t port;
    Ip4 ip;
    Mac mac;
    neigh::State state;
    uint64_t updated_ms;
  };
  explicit NeighDump(size_t workers) : per_worker(workers) {}
  std::vector<std::vector<Item>> per_worker;
};

// kMsgConnDump attachment: each worker lists its connections in [cursor, cursor + max_scan).
struct ConnDump {
  ConnDump(size_t workers, uint32_t cursor_, uint32_t max_scan_, size_t max_records_)
      : cursor(cursor_), max_scan(max_scan_), max_records(max_records_), per_worker(workers) {}
  uint32_t cursor;
  uint32_t max_scan;
  size_t max_records;
  std::vector<std::vector<proto::ConnRecord>> per_worker;
};

// Worker -> main events.
enum EventType : uint16_t {
  kEventNeighLearned = 1,  // NeighMsg
};

}  // namespace dplb::dp
