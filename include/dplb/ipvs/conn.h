// One IPVS NAT connection, as a worker's connection table stores it: exactly one cache line.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dplb/base/addr.h"
#include "dplb/ipvs/timer_wheel.h"

namespace dplb::ipvs {

// The five-tuple of a packet as it appears on the wire (host byte order). Inbound packets
// (client→VIP) and outbound packets (server→client) are both looked up by their own tuple.
struct FlowKey {
  uint8_t proto = 0;  // IP protocol number (6 TCP, 17 UDP)
  Ip4 saddr;
  uint16_t sport = 0;
  Ip4 daddr;
  uint16_t dport = 0;
  friend constexpr bool operator==(const FlowKey&, const FlowKey&) = default;
};

// Conn::flags bits. The low byte is the table's and tcp_state's; the high byte is the caller's.
inline constexpr uint16_t kConnFlagInactive = 0x0001;  // counted in the dest's inactive connections
inline constexpr uint16_t kConnFlagNoOutput = 0x0002;  // no server→client packet seen: INPUT_ONLY table
inline constexpr uint16_t kConnFlagCallerMask = 0xff00;

// Addresses and ports are in host byte order. The fields the table owns are marked; the rest
// belong to the data plane, which may write them freely.
struct alignas(64) Conn {
  Ip4 caddr;  // client
  Ip4 vaddr;  // virtual service
  Ip4 raddr;  // real server
  uint16_t cport;
  uint16_t vport;
  uint16_t rport;
  uint8_t proto;  // table-owned: 0 marks a free entry
  uint8_t state;  // TcpState for TCP, 0 for UDP
  uint16_t flags;  // kConnFlag*
  uint16_t user16;  // spare for the data plane
  uint32_t dest_id;   // opaque reference to the real server...
  uint32_t dest_gen;  // ...and its generation, checked by the caller
  Tick expires;       // written on every packet (see ConnTable::touch / refresh)
  uint32_t timeout;   // ticks; the current state's timeout
  TimerLinks timer;   // table-owned
  alignas(8) std::byte route_cache[16];  // opaque to the table: the data plane's cached output route

  // The tuples of the two directions.
  FlowKey in_key() const { return {proto, caddr, cport, vaddr, vport}; }
  FlowKey out_key() const { return {proto, raddr, rport, caddr, cport}; }
};
static_assert(sizeof(Conn) == 64, "a connection is one cache line");
static_assert(offsetof(Conn, route_cache) == 48);

// What create() needs to know about a new connection.
struct ConnParams {
  uint8_t proto = 0;
  Ip4 caddr;
  uint16_t cport = 0;
  Ip4 vaddr;
  uint16_t vport = 0;
  Ip4 raddr;
  uint16_t rport = 0;
  uint8_t state = 0;   // TcpState::kNone for a new TCP connection, 0 for UDP
  uint16_t flags = 0;  // as IPVS: kConnFlagInactive (count it as inactive; UDP stays so)
  uint32_t dest_id = 0;
  uint32_t dest_gen = 0;
  uint32_t timeout = 0;  // ticks until expiry, counted from `now` at creation

  // The tuple of a connection from its inbound key (client -> VIP) to the real server.
  static ConnParams of(const FlowKey& in, Ip4 raddr, uint16_t rport) {
    ConnParams p;
    p.proto = in.proto;
    p.caddr = in.saddr;
    p.cport = in.sport;
    p.vaddr = in.daddr;
    p.vport = in.dport;
    p.raddr = raddr;
    p.rport = rport;
    return p;
  }
};

}  // namespace dplb::ipvs
