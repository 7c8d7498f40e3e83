// The one list of reasons a packet is dropped. Every drop site names one of these; counters are kept
// per reason per worker and printed by `dpip -s link show`. docs/operations.md explains each.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dplb {

#define DPLB_DROP_REASONS(X)                                                          \
  X(eth_too_short, "frame shorter than an Ethernet header")                          \
  X(eth_too_long, "frame longer than the port MTU allows, or in more than one buffer") \
  X(eth_not_for_us, "destination MAC is neither ours nor broadcast")                 \
  X(eth_bad_source, "source MAC is multicast or broadcast")                          \
  X(eth_unknown_type, "EtherType the data plane does not handle")                    \
  X(arp_malformed, "ARP packet too short or not Ethernet/IPv4")                      \
  X(arp_not_ours, "ARP for an address we do not own (no reply)")                     \
  X(arp_bad_sender, "ARP sender address is ours, zero, multicast or broadcast")      \
  X(ipv4_too_short, "frame too short for an IPv4 header")                            \
  X(ipv4_bad_version, "IP version is not 4")                                         \
  X(ipv4_bad_ihl, "IHL below 5 or header beyond the frame")                          \
  X(ipv4_bad_total_len, "total length below the header or beyond the frame")        \
  X(ipv4_bad_checksum, "IPv4 header checksum mismatch")                              \
  X(ipv4_ttl_zero, "TTL is zero on arrival")                                         \
  X(ipv4_bad_source, "source is multicast, broadcast, loopback or ours")             \
  X(ipv4_bad_dest, "destination is multicast, broadcast or loopback")                \
  X(ipv4_options, "packet to us carries IP options (not supported)")                 \
  X(ipv4_fragment, "packet to us is a fragment (no reassembly)")                     \
  X(ipv4_not_local, "destination not ours and forwarding is off")                    \
  X(ipv4_no_route, "no route to the destination")                                    \
  X(ipv4_ttl_exceeded, "TTL expired in transit")                                     \
  X(ipv4_frag_needed, "larger than the egress MTU with DF set")                      \
  X(ipv4_frag_failed, "fragmentation failed (no buffers)")                           \
  X(icmp_too_short, "ICMP message shorter than its header")                          \
  X(icmp_bad_checksum, "ICMP checksum mismatch")                                     \
  X(icmp_unhandled, "ICMP type the data plane does not answer")                      \
  X(icmp_rate_limited, "ICMP reply or error suppressed by the rate limit")           \
  X(l4_unhandled, "local TCP/UDP/other protocol no module claims")                   \
  X(kni_unavailable, "for the kernel, but the port has no tap (kni = false)")        \
  X(kni_overflow, "the kernel tap refused the packet (kernel backlog full)")         \
  X(neigh_queue_full, "next hop unresolved and its queue is full")                   \
  X(neigh_failed, "next hop did not answer ARP")                                     \
  X(ipvs_no_conn, "TCP segment to a virtual service without SYN and no connection")  \
  X(ipvs_no_dest, "virtual service has no available real server (all weight 0)")      \
  X(ipvs_conn_full, "connection table full: new connection refused")                 \
  X(ipvs_truncated, "TCP/UDP header cut short in a packet for a virtual service")    \
  X(ipvs_port_zero, "TCP/UDP source port 0 to a virtual service")                     \
  X(ipvs_dr_not_onlink, "direct-routing real server no longer on a connected network") \
  X(ipvs_tunnel_no_room, "no headroom in the buffer for the tunnel's outer header")   \
  X(redirect_full, "ring to the connection's owner worker full")                       \
  X(no_tx_queue, "this worker has no TX queue on the egress port")                   \
  X(tx_full, "TX ring full when draining")                                           \
  X(no_mbuf, "no mbuf to build a reply or error")

enum class DropReason : uint8_t {
#define DPLB_X_ENUM(name, text) name,
  DPLB_DROP_REASONS(DPLB_X_ENUM)
#undef DPLB_X_ENUM
      count_
};

inline constexpr size_t kDropReasonCount = static_cast<size_t>(DropReason::count_);

inline constexpr std::array<std::string_view, kDropReasonCount> kDropReasonNames = {
#define DPLB_X_NAME(name, text) #name,
    DPLB_DROP_REASONS(DPLB_X_NAME)
#undef DPLB_X_NAME
};

inline constexpr std::array<std::string_view, kDropReasonCount> kDropReasonHelp = {
#define DPLB_X_HELP(name, text) text,
    DPLB_DROP_REASONS(DPLB_X_HELP)
#undef DPLB_X_HELP
};

constexpr std::string_view drop_reason_name(DropReason r) { return kDropReasonNames[static_cast<size_t>(r)]; }

inline std::optional<DropReason> drop_reason_from_name(std::string_view name) {
  for (size_t i = 0; i < kDropReasonCount; ++i)
    if (kDropReasonNames[i] == name) return static_cast<DropReason>(i);
  return std::nullopt;
}

}  // namespace dplb
