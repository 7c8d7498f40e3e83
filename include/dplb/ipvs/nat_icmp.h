// NAT of ICMP errors about IPVS connections (IPVS's ip_vs_in_icmp / ip_vs_out_icmp /
// ip_vs_nat_icmp). An error quotes the packet that caused it: an IPv4 header plus at least the first
// 8 bytes of its TCP/UDP header. Both the outer header and the quoted packet are translated, so
// the receiver recognises the quote as a packet it sent.
//
//   To the client: an error from a real server (or a router towards it) about a request the client
//     sent, which we had DNATed. Quote: client→RS. Look up lookup_out(view.lookup_key()); then
//     icmp_error_to_client(view, VIP, vport): quote becomes client→VIP, outer source the VIP.
//   To the real server: an error from the client (or a router towards it) about a reply we had
//     SNATed, sent to the VIP. Quote: VIP→client. Look up lookup_in(view.lookup_key()); then
//     icmp_error_to_server(view, RS, rport): quote becomes RS→client, outer destination the RS.
//
// The quoted IPv4 checksum and, when its field lies inside the quote, the quoted TCP/UDP checksum
// are adjusted incrementally (the quote is usually truncated, so they cannot be recomputed); the
// outer IPv4 checksum likewise; the ICMP checksum is recomputed over the whole message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "dplb/base/addr.h"
#include "dplb/ipvs/conn.h"
#include "dplb/net/headers.h"

namespace dplb::ipvs {

enum class IcmpErrorParse : uint8_t {
  kOk,
  kNotIpv4Icmp,      // outer header malformed or not ICMP
  kNotError,         // not destination unreachable, source quench or time exceeded
  kTruncated,        // ICMP message, quoted header or quoted ports cut short
  kBadChecksum,      // ICMP checksum mismatch
  kBadInner,         // quoted header is not a sane IPv4 header
  kInnerNotTcpUdp,   // quoted packet is neither TCP nor UDP
  kInnerFragment,    // quoted packet is a non-first fragment: no ports to match
};
std::string_view to_string(IcmpErrorParse r);

struct IcmpErrorView {
  net::Ipv4Hdr* outer = nullptr;
  net::IcmpHdr* icmp = nullptr;
  uint32_t icmp_len = 0;  // ICMP header and payload, per the outer total length
  net::Ipv4Hdr* inner = nullptr;
  uint8_t* inner_l4 = nullptr;
  uint32_t inner_l4_len = 0;  // bytes of the quoted TCP/UDP header (and payload) present, >= 4
  FlowKey inner_key;          // the quoted packet's tuple, as it travelled

  // The tuple of a packet in the opposite direction of the quoted one: what the connection table
  // is searched with (lookup_out for errors to the client, lookup_in for errors to the server).
  FlowKey lookup_key() const {
    return {inner_key.proto, inner_key.daddr, inner_key.dport, inner_key.saddr, inner_key.sport};
  }
};

// Parses an ICMP error. `ip` points at the outer IPv4 header; `len` bytes from it are readable and
// writable (the frame may extend beyond the IPv4 total length; it must not fall short of it).
// Checks every length before reading and verifies the ICMP checksum. On kOk fills `view`.
IcmpErrorParse icmp_error_parse(net::Ipv4Hdr* ip, size_t len, IcmpErrorView* view);

// The translations; `view` must come from a kOk parse of the same buffer.
void icmp_error_to_client(const IcmpErrorView& view, Ip4 vaddr, uint16_t vport);
void icmp_error_to_server(const IcmpErrorView& view, Ip4 raddr, uint16_t rport);

}  // namespace dplb::ipvs
