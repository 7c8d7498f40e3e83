// Operations and payload records between the daemon and its tools, per module. Fixed-width,
// host byte order, IPv4 addresses in host order; every record's layout is static_assert'ed.
// A module owns a get range and a set range of operation ids (ctrl::Registry checks overlaps).
#pragma once

#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "dplb/ctrl/op_range.h"

namespace dplb::proto {

inline constexpr size_t kIfNameSize = 16;    // "dpdk0", like IFNAMSIZ
inline constexpr size_t kReasonNameSize = 32;
inline constexpr uint32_t kMaxNexthops = 16;

// ---- operation ids ------------------------------------------------------------------------
// link
inline constexpr ctrl::OpRange kLinkGetOps{100, 150};
inline constexpr ctrl::OpRange kLinkSetOps{150, 200};
inline constexpr uint32_t kOpLinkShow = 100;      // LinkQuery -> LinkShowReply
// addr
inline constexpr ctrl::OpRange kAddrGetOps{200, 250};
inline constexpr ctrl::OpRange kAddrSetOps{250, 300};
inline constexpr uint32_t kOpAddrShow = 200;      // IfFilter -> AddrRecord[]
inline constexpr uint32_t kOpAddrAdd = 250;       // AddrRecord
inline constexpr uint32_t kOpAddrDel = 251;       // AddrRecord
inline constexpr uint32_t kOpAddrFlush = 252;     // IfFilter (ifname required)
// neigh
inline constexpr ctrl::OpRange kNeighGetOps{300, 350};
inline constexpr ctrl::OpRange kNeighSetOps{350, 400};
inline constexpr uint32_t kOpNeighShow = 300;     // IfFilter -> NeighRecord[]
inline constexpr uint32_t kOpNeighAdd = 350;      // NeighRecord (PERMANENT)
inline constexpr uint32_t kOpNeighDel = 351;      // NeighRecord (ifname, addr)
inline constexpr uint32_t kOpNeighFlush = 352;    // IfFilter (ifname required)
// route
inline constexpr ctrl::OpRange kRouteGetOps{400, 450};
inline constexpr ctrl::OpRange kRouteSetOps{450, 500};
inline constexpr uint32_t kOpRouteShow = 400;     // RouteFilter -> RouteRecord[]
inline constexpr uint32_t kOpRouteGet = 401;      // RouteGetQuery -> RouteGetReply
inline constexpr uint32_t kOpRouteAdd = 450;      // RouteRecord[] (a batch) -> BatchResult
inline constexpr uint32_t kOpRouteDel = 451;      // RouteRecord[] (match fields) -> BatchResult
inline constexpr uint32_t kOpRouteFlush = 452;    // RouteFilter
// sync: are all workers identical to the model?
inline constexpr ctrl::OpRange kSyncGetOps{900, 950};
inline constexpr uint32_t kOpSyncShow = 900;      // (empty) -> SyncReply
static_assert(kLinkGetOps.contains(kOpLinkShow));
static_assert(kAddrGetOps.contains(kOpAddrShow) && kAddrSetOps.contains(kOpAddrAdd) &&
              kAddrSetOps.contains(kOpAddrDel) && kAddrSetOps.contains(kOpAddrFlush));
static_assert(kNeighGetOps.contains(kOpNeighShow) && kNeighSetOps.contains(kOpNeighAdd) &&
              kNeighSetOps.contains(kOpNeighDel) && kNeighSetOps.contains(kOpNeighFlush));
static_assert(kRouteGetOps.contains(kOpRouteShow) && kRouteGetOps.contains(kOpRouteGet) &&
              kRouteSetOps.contains(kOpRouteAdd) && kRouteSetOps.contains(kOpRouteDel) &&
              kRouteSetOps.contains(kOpRouteFlush));
static_assert(kSyncGetOps.contains(kOpSyncShow));

// ---- common -------------------------------------------------------------------------------
struct IfFilter {            // ifname "" = all devices
  char ifname[kIfNameSize];
};
static_assert(sizeof(IfFilter) == 16);

// ---- link ---------------------------------------------------------------------------------
struct LinkQuery {
  char ifname[kIfNameSize];  // "" = all
  uint8_t with_stats;        // include per-worker counters
  uint8_t pad[7];
};
static_assert(sizeof(LinkQuery) == 24);

inline constexpr uint32_t kLinkUp = 1u << 0;          // administratively up (started)
inline constexpr uint32_t kLinkLowerUp = 1u << 1;     // carrier
inline constexpr uint32_t kLinkPromisc = 1u << 2;

// LinkShowReply = LinkReplyHeader, n_reasons × ReasonName, then per link: LinkRecord followed
// (when with_stats) by n_workers × WorkerPortStats, each followed by n_reasons uint64 drops.
// The layout is versioned on its own (the request framing's version did not change): a tool
// refuses a reply whose `layout` is not the one it reads.
//   1: the header without `layout` (16 bytes); WorkerPortStats of 48 bytes.
//   2: `layout` added; WorkerPortStats.redirected (packets handed to the owner worker).
inline constexpr uint32_t kLinkReplyLayout = 2;
struct LinkReplyHeader {
  uint32_t layout;           // kLinkReplyLayout
  uint32_t n_links;
  uint32_t n_workers;
  uint32_t n_reasons;
  uint32_t with_stats;
  uint32_t pad;
};
static_assert(sizeof(LinkReplyHeader) == 24);
static_assert(offsetof(LinkReplyHeader, layout) == 0);

struct ReasonName {
  char name[kReasonNameSize];
};
static_assert(sizeof(ReasonName) == 32);

struct LinkRecord {
  char ifname[kIfNameSize];
  uint32_t ifindex;          // ethdev port id
  uint32_t mtu;
  uint32_t flags;            // kLink*
  uint32_t speed_mbps;
  uint8_t mac[6];
  uint16_t n_rxq;
  uint16_t n_txq;
  uint16_t pad0;
  uint32_t pad1;
  char driver[32];
  char kni_ifname[kIfNameSize];  // exception-path tap, "" = none
  // ethdev counters (hardware / PMD view)
  uint64_t hw_ipackets, hw_opackets, hw_ibytes, hw_obytes;
  uint64_t hw_imissed, hw_ierrors, hw_oerrors, hw_rx_nombuf;
  // exception path counters (to kernel / from kernel / overflow)
  uint64_t kni_rx_packets, kni_tx_packets, kni_dropped;
};
static_assert(sizeof(LinkRecord) == 184);
static_assert(std::is_trivially_copyable_v<LinkRecord>);

struct WorkerPortStats {
  uint32_t worker;           // worker index
  uint32_t lcore;
  uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes, tx_dropped;
  // Arrived on this port at this worker and handed to the connection's owner worker (layout 2).
  // Those its ring refused are drops[redirect_full].
  uint64_t redirected;
};
static_assert(sizeof(WorkerPortStats) == 56);
static_assert(offsetof(WorkerPortStats, redirected) == 48);

// ---- addr ---------------------------------------------------------------------------------
inline constexpr uint8_t kScopeGlobal = 0;    // RT_SCOPE_UNIVERSE
inline constexpr uint8_t kScopeLink = 253;
inline constexpr uint8_t kScopeHost = 254;
inline constexpr uint8_t kScopeSite = 200;    // RT_SCOPE_SITE
// dplb's kni_host is not a scope number (every one is Linux's): on the wire it is kScopeHost with
// kRouteFlagKni in the record's flags (route add/del/show).

struct AddrRecord {
  char ifname[kIfNameSize];
  uint32_t addr;
  uint32_t broadcast;        // show only
  uint8_t prefixlen;
  uint8_t scope;
  uint8_t primary;           // show only: first address of its subnet on the device
  uint8_t pad[5];
};
static_assert(sizeof(AddrRecord) == 32);

// ---- neigh --------------------------------------------------------------------------------
// States as neigh::State: 1 incomplete, 2 reachable, 3 stale, 4 probe, 5 failed, 6 permanent.
struct NeighRecord {
  char ifname[kIfNameSize];
  uint32_t addr;
  uint8_t mac[6];
  uint8_t state;
  uint8_t pad;
  uint32_t age_ms;           // show only: since last confirmation
};
static_assert(sizeof(NeighRecord) == 32);

// ---- route --------------------------------------------------------------------------------
inline constexpr uint8_t kRouteAddCreate = 0;   // EEXIST if (prefix, metric) exists
inline constexpr uint8_t kRouteAddReplace = 1;  // upsert
inline constexpr uint8_t kRouteAddAppend = 2;   // add next hops to the existing route
inline constexpr uint8_t kRouteAddChange = 3;   // overwrite the existing route; ENOENT if absent

inline constexpr uint32_t kRouteFlagLocal = 1u << 0;    // LOCALIN (show only)
inline constexpr uint32_t kRouteFlagForward = 1u << 1;
inline constexpr uint32_t kRouteFlagKni = 1u << 2;
inline constexpr uint32_t kRouteFlagDefault = 1u << 3;
inline constexpr uint32_t kRouteFlagProtoKernel = 1u << 4;  // derived from an address (show only)
inline constexpr uint32_t kRouteFlagBroadcast = 1u << 5;  // route get: a subnet broadcast (get only)

// Which optional fields a RouteRecord carries (for add: given values; for del/show: filters).
inline constexpr uint32_t kRouteHasMetric = 1u << 0;
inline constexpr uint32_t kRouteHasScope = 1u << 1;
inline constexpr uint32_t kRouteHasSrc = 1u << 2;
inline constexpr uint32_t kRouteHasMtu = 1u << 3;
inline constexpr uint32_t kRouteHasDev = 1u << 4;      // nh[0].ifname filters del/flush/show
inline constexpr uint32_t kRouteHasVia = 1u << 5;      // nh[0].gateway filters del/show
inline constexpr uint32_t kRouteHasPrefix = 1u << 6;   // show/flush: only this prefix (and longer)

inline constexpr uint8_t kNexthopOnlink = 1u << 0;
inline constexpr uint8_t kNexthopDead = 1u << 1;       // show only: neighbour FAILED

struct NexthopRecord {
  char ifname[kIfNameSize];
  uint32_t gateway;          // 0 = on-link
  uint16_t weight;           // 1..256
  uint8_t flags;             // kNexthop*
  uint8_t pad;
};
static_assert(sizeof(NexthopRecord) == 24);

struct RouteRecord {
  uint32_t dst;
  uint8_t dst_len;
  uint8_t scope;             // kScope*
  uint8_t mode;              // kRouteAdd* (add only)
  uint8_t n_nexthops;        // 0..kMaxNexthops (0 allowed for del/show filters)
  uint32_t has;              // kRouteHas*
  uint32_t metric;
  uint32_t mtu;              // 0 = the device's
  uint32_t src;              // preferred source, 0 = none
  uint32_t flags;            // kRouteFlag*
  uint32_t pad;
  NexthopRecord nh[kMaxNexthops];
};
static_assert(sizeof(RouteRecord) == 32 + 16 * 24);
static_assert(std::is_trivially_copyable_v<RouteRecord>);

// Reply of kOpRouteAdd / kOpRouteDel (status ok): records are applied in order up to the first
// failure; `applied` of them took effect (on the model and on every worker).
struct BatchResult {
  uint32_t applied;
  int32_t error;             // errno of the first failing record, 0 = all applied
  char message[96];
};
static_assert(sizeof(BatchResult) == 104);

// Show and flush filters are RouteRecords: `has` says which fields filter (kRouteHasDev: nh[0].ifname,
// kRouteHasVia: nh[0].gateway, kRouteHasPrefix: dst/dst_len, compared as `mode` says: a
// kRoutePrefix* value). For show, `flags` selects the tables: kRouteFlagLocal = local,
// kRouteFlagForward = main (0 = main).
using RouteFilter = RouteRecord;
// iproute2's prefix selectors of `ip route show`: PREFIX (or `exact PREFIX`) is that prefix only,
// `root PREFIX` the prefix and the longer ones inside it, `match PREFIX` the prefixes covering it.
inline constexpr uint8_t kRoutePrefixExact = 0;
inline constexpr uint8_t kRoutePrefixRoot = 1;
inline constexpr uint8_t kRoutePrefixMatch = 2;

struct RouteGetQuery {
  uint32_t dst;
  uint32_t src;              // 0 = let the daemon choose
  char oif[kIfNameSize];     // "" = any
};
static_assert(sizeof(RouteGetQuery) == 24);

struct RouteGetReply {
  RouteRecord route;         // the route that matched (flags kRouteFlagLocal for our addresses)
  char dev[kIfNameSize];     // egress device
  uint32_t next_hop;         // gateway, or the destination itself when on-link
  uint32_t src;              // source chosen
  uint32_t mtu;              // effective MTU
  uint32_t flags;            // kRouteGet*
};
static_assert(sizeof(RouteGetReply) == sizeof(RouteRecord) + 32);
// next_hop is the route's gateway, even when it equals the destination (then only this tells it
// from an on-link next hop, and `ip route get` still prints "via").
inline constexpr uint32_t kRouteGetGateway = 1u << 0;

// ---- sync ---------------------------------------------------------------------------------
struct SyncWorker {
  uint32_t worker;
  uint32_t lcore;
  uint64_t digest;
  uint32_t in_sync;          // 1 = agrees with the model and not marked out of sync
  uint32_t replays;          // times brought back by replay
};
static_assert(sizeof(SyncWorker) == 24);

struct SyncReply {           // followed by n_workers × SyncWorker
  uint64_t model_digest;
  uint32_t n_workers;
  uint32_t all_in_sync;
};
static_assert(sizeof(SyncReply) == 16);

}  // namespace dplb::proto
