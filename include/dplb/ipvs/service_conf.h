// Configuration of IPVS virtual services and their real servers ("dests"), as the main lcore's model
// sends it to every worker. Ids are slots chosen by main (see service_model.h), never by a worker.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "dplb/base/addr.h"

namespace dplb::ipvs {

// IP protocol numbers of the services dplb balances (the values of the IPv4 header's proto field).
inline constexpr uint8_t kProtoTcp = 6;
inline constexpr uint8_t kProtoUdp = 17;
constexpr bool is_supported_proto(uint8_t proto) { return proto == kProtoTcp || proto == kProtoUdp; }
std::string_view proto_name(uint8_t proto);  // "TCP", "UDP", "?"

// Service flags, with the kernel's bit values (ip_vs.h) so ipvsadm users recognise them. Only the
// scheduler flags mean something here; persistence and one-packet scheduling are not supported.
inline constexpr uint32_t kSvcFlagSched1 = 0x0008;  // sh-fallback / mh-fallback (fallback is always on)
inline constexpr uint32_t kSvcFlagSched2 = 0x0010;  // sh-port / mh-port: hash the client port too
inline constexpr uint32_t kSvcFlagSched3 = 0x0020;  // flag-3: unused by the schedulers here
inline constexpr uint32_t kSvcFlagsSupported = kSvcFlagSched1 | kSvcFlagSched2 | kSvcFlagSched3;

enum class SchedKind : uint8_t { rr, wrr, lc, wlc, sh, mh };
inline constexpr SchedKind kDefaultSched = SchedKind::wlc;  // ipvsadm's default

std::string_view sched_name(SchedKind kind);
std::optional<SchedKind> parse_sched(std::string_view name);

// (proto, VIP, vport): what identifies a service, in packets and in ipvsadm commands.
struct ServiceKey {
  uint8_t proto = kProtoTcp;
  Ip4 vip;
  uint16_t vport = 0;
  friend constexpr bool operator==(const ServiceKey&, const ServiceKey&) = default;
  // Packed into 56 bits: the hash key of the service index.
  constexpr uint64_t packed() const {
    return (uint64_t(proto) << 48) | (uint64_t(vip.v) << 16) | vport;
  }
};

// Persistence (ipvsadm -p TIMEOUT -M NETMASK): a client (its address under the netmask) keeps the
// real server its first connection got, for new connections within TIMEOUT of the last one.
inline constexpr uint32_t kMaxPersistSeconds = 86400 * 31;  // ipvsadm's MAX_TIMEOUT
inline constexpr uint32_t kPersistDefaultSeconds = 300;     // ipvsadm -p without a value

struct ServiceConf {
  ServiceKey key;
  SchedKind sched = kDefaultSched;
  uint32_t flags = 0;
  uint32_t persist_seconds = 0;  // 0: not persistent
  uint8_t persist_prefix = 32;   // -M as a prefix length: the client's address under it names the client
  bool persistent() const { return persist_seconds != 0; }
  uint32_t persist_mask() const { return persist_prefix == 0 ? 0 : ~0u << (32 - persist_prefix); }
  friend constexpr bool operator==(const ServiceConf&, const ServiceConf&) = default;
};

// How packets reach a real server, a property of the real server as in IPVS (values: the kernel's
// IP_VS_CONN_F_* forwarding methods, as ipvsadm numbers them).
//   masq:   NAT: the destination becomes the real server; its replies come back through us.
//   tunnel: IP-in-IP to the real server, which holds the VIP; it answers the client directly.
//   droute: direct routing: only the destination MAC changes (the real server is on-link and holds
//           the VIP); it answers the client directly.
enum class FwdMethod : uint8_t { masq = 0, tunnel = 2, droute = 3 };
std::string_view fwd_name(FwdMethod f);    // "Masq", "Tunnel", "Route" (ipvsadm -Ln)
std::string_view fwd_option(FwdMethod f);  // "-m", "-i", "-g" (ipvsadm -S)
std::optional<FwdMethod> fwd_from_wire(uint32_t fwd);  // the IP_VS_CONN_F_* value; nullopt: unsupported
// Replies to the client do not pass through us: the connection's TCP state follows the client's
// packets only (IPVS's INPUT_ONLY table).
constexpr bool fwd_is_one_way(FwdMethod f) { return f != FwdMethod::masq; }

// A real server of a service. Weight 0 drains the server: it keeps its connections but is never
// chosen for a new one.
struct DestConf {
  Ip4 addr;
  uint16_t port = 0;
  uint16_t weight = 1;
  FwdMethod fwd = FwdMethod::masq;
  friend constexpr bool operator==(const DestConf&, const DestConf&) = default;
};

inline constexpr uint16_t kMaxWeight = 65535;

// A connection's weak reference to its dest: counters are attributed only while the slot still holds
// the same dest (removing a dest bumps its slot's generation).
struct DestRef {
  uint32_t id = 0;
  uint32_t generation = 0;
  friend constexpr bool operator==(const DestRef&, const DestRef&) = default;
};

}  // namespace dplb::ipvs
