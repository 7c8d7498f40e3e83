// IPVS operations and records between the daemon and the ipvsadm-compatible tool (see proto.h for
// the conventions: fixed width, host byte order, IPv4 addresses in host order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "dplb/ctrl/op_range.h"

namespace dplb::proto {

// ipvs
inline constexpr ctrl::OpRange kIpvsGetOps{500, 550};
inline constexpr ctrl::OpRange kIpvsSetOps{550, 600};
inline constexpr uint32_t kOpIpvsInfo = 500;          // (empty) -> IpvsInfo
inline constexpr uint32_t kOpIpvsList = 501;          // ServiceQuery -> IpvsListReply
inline constexpr uint32_t kOpIpvsConns = 502;         // ConnQuery -> ConnListReply
inline constexpr uint32_t kOpIpvsGetTimeouts = 503;   // (empty) -> IpvsTimeouts
inline constexpr uint32_t kOpIpvsAddService = 550;    // ServiceRecord
inline constexpr uint32_t kOpIpvsEditService = 551;   // ServiceRecord
inline constexpr uint32_t kOpIpvsDelService = 552;    // ServiceRecord (key fields)
inline constexpr uint32_t kOpIpvsAddDest = 553;       // DestOp
inline constexpr uint32_t kOpIpvsEditDest = 554;      // DestOp
inline constexpr uint32_t kOpIpvsDelDest = 555;       // DestOp (key fields)
inline constexpr uint32_t kOpIpvsClear = 556;         // (empty): delete every service (-C)
inline constexpr uint32_t kOpIpvsZero = 557;          // ServiceQuery: zero counters (-Z [service])
inline constexpr uint32_t kOpIpvsSetTimeouts = 558;   // IpvsTimeouts (0 = unchanged)
static_assert(kIpvsGetOps.contains(kOpIpvsInfo) && kIpvsGetOps.contains(kOpIpvsGetTimeouts) &&
              kIpvsSetOps.contains(kOpIpvsAddService) && kIpvsSetOps.contains(kOpIpvsSetTimeouts));

inline constexpr size_t kSchedNameSize = 16;

// Forwarding methods as the kernel numbers them (IP_VS_CONN_F_*); dplb supports masquerade only.
inline constexpr uint32_t kFwdMasq = 0;
inline constexpr uint32_t kFwdLocal = 1;
inline constexpr uint32_t kFwdTunnel = 2;
inline constexpr uint32_t kFwdDroute = 3;

struct IpvsStats {           // totals, and rates per second (estimated over ~2 s like IPVS)
  uint64_t conns, inpkts, outpkts, inbytes, outbytes;
  uint64_t cps, inpps, outpps, inbps, outbps;
};
static_assert(sizeof(IpvsStats) == 80);

struct IpvsInfo {
  uint32_t version;          // 0x010201 = "1.2.1", as ipvsadm prints it
  uint32_t conn_table_size;  // per worker capacity
  uint32_t n_services;
  uint32_t n_workers;
};
static_assert(sizeof(IpvsInfo) == 16);

struct ServiceRecord {
  uint8_t proto;             // 6 TCP, 17 UDP
  uint8_t pad0;
  uint16_t port;
  uint32_t addr;
  char sched[kSchedNameSize];
  uint32_t flags;            // kernel IP_VS_SVC_F_* bits (sched flags only)
  uint32_t timeout;          // persistence (-p) in seconds; 0: not persistent
  uint32_t netmask;          // persistence netmask (-M), host order; 0 in a request: 255.255.255.255
  uint32_t n_dests;          // list replies: DestRecords that follow
  IpvsStats stats;           // list replies only
};
static_assert(sizeof(ServiceRecord) == 40 + 80);
static_assert(std::is_trivially_copyable_v<ServiceRecord>);

struct DestRecord {
  uint32_t addr;
  uint16_t port;
  uint16_t pad0;
  uint32_t weight;           // 0..65535
  uint32_t fwd;              // kFwd*
  uint32_t active_conns;     // list replies only
  uint32_t inactive_conns;
  uint32_t persist_conns;
  uint32_t pad1;
  IpvsStats stats;
};
static_assert(sizeof(DestRecord) == 32 + 80);

struct DestOp {              // add/edit/del dest: the service it belongs to, and the dest
  ServiceRecord service;     // key fields (proto, addr, port)
  DestRecord dest;
};

struct ServiceQuery {        // has_service = 0: all services
  uint32_t has_service;
  uint32_t pad;
  ServiceRecord service;     // key fields
};

// IpvsListReply = uint32 n_services, uint32 pad, then per service: ServiceRecord followed by
// n_dests DestRecords. Services in (proto, addr, port) order, dests in (addr, port) order.

struct ConnQuery {
  uint32_t max;              // at most this many records (0 = all, bounded by the reply maximum)
  uint32_t pad;
};

inline constexpr size_t kStateNameSize = 12;

struct ConnRecord {
  uint8_t proto;
  uint8_t pad0[3];
  char state[kStateNameSize];  // "ESTABLISHED", "SYN_RECV", "UDP"...
  uint32_t caddr, vaddr, daddr;
  uint16_t cport, vport, dport;
  uint16_t worker;
  uint32_t expires_ms;       // time left
  uint32_t pad1;
};
static_assert(sizeof(ConnRecord) == 44);

// ConnListReply = uint64 total (connections in all tables), uint32 n, uint32 pad, n × ConnRecord.

struct IpvsTimeouts {        // seconds; 0 in a set request = leave unchanged
  uint32_t tcp;
  uint32_t tcp_fin;
  uint32_t udp;
  uint32_t pad;
};
static_assert(sizeof(IpvsTimeouts) == 16);

}  // namespace dplb::proto
