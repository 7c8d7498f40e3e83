// A connection's cached output routes, both directions (the kernel's sk_dst_check idea): valid
// while the route table's generation is unchanged, so the per-packet lookup is one compare.
// Stored in Conn::route_cache (16 bytes) and Conn::user16 (the two egress ports).
#pragma once

#include <cstdint>
#include <cstring>

#include "dplb/ipvs/conn.h"
#include "dplb/net/flow_hash.h"

namespace dplb::dp {

struct ConnRoute {
  uint32_t generation;  // low 32 bits of RouteTable::generation() when filled
  uint32_t nh_in;       // next hop toward the real server; 0 = not cached
  uint32_t nh_out;      // next hop toward the client; 0 = not cached
  uint16_t mtu_in;
  uint16_t mtu_out;

  static ConnRoute load(const ipvs::Conn& c) {
    ConnRoute r;
    std::memcpy(&r, c.route_cache, sizeof r);
    return r;
  }
  void store(ipvs::Conn& c) const { std::memcpy(c.route_cache, this, sizeof *this); }
  static uint8_t port_in(const ipvs::Conn& c) { return static_cast<uint8_t>(c.user16); }
  static uint8_t port_out(const ipvs::Conn& c) { return static_cast<uint8_t>(c.user16 >> 8); }
  static void set_port_in(ipvs::Conn& c, uint8_t p) { c.user16 = static_cast<uint16_t>((c.user16 & 0xff00) | p); }
  static void set_port_out(ipvs::Conn& c, uint8_t p) {
    c.user16 = static_cast<uint16_t>((c.user16 & 0x00ff) | (p << 8));
  }
};
static_assert(sizeof(ConnRoute) == sizeof(ipvs::Conn::route_cache));

// The multipath hash of a connection's packets: both directions and every method pick the same.
inline uint32_t conn_flow_hash(const ipvs::Conn& c) {
  return net::mix_flow((uint64_t(c.caddr.v) << 32) | c.raddr.v, (uint64_t(c.cport) << 16) | c.rport);
}

}  // namespace dplb::dp
