// Ethernet, ARP, ICMP and IPv4 forwarding through the worker (topology: datapath_fixture.h).
#include "case_runner.h"

namespace dplb::dp::fixture {
namespace {

using namespace topo;

const L2 kFromClient{kPortMac[kClientPort], kClientMac};
const L2 kToClient{kClientMac, kPortMac[kClientPort]};
const Bytes kPayload = {'d', 'p', 'l', 'b', ' ', 'f', 'i', 'x', 't', 'u', 'r', 'e'};
constexpr Ip4 kBehindGateway = Ip4::of(192, 168, 7, 7);
constexpr Ip4 kOnLinkUnanswered = Ip4::of(172, 16, 0, 9);

Bytes client_udp(Ip4 dst, uint8_t ttl = 64) {
  return udp_frame(kFromClient, {.src = kClient, .dst = dst, .ttl = ttl}, {.sport = 33000, .dport = 9999, .payload = kPayload});
}

std::vector<PacketCase> l2l3_cases() {
  std::vector<PacketCase> cases;

  cases.push_back({
      .name = "arp_request_for_port_address_answered",
      .description = "an ARP who-has for 10.0.0.1 on dpdk0 is answered with dpdk0's MAC, to the asker",
      .input = {{kClientPort, arp_frame({Mac::broadcast(), kClientMac}, 1, kClientMac, kClient, Mac{}, kPortAddr[0])}},
      .expected_output = {{kClientPort, arp_frame(kToClient, 2, kPortMac[kClientPort], kPortAddr[0], kClientMac, kClient)}},
  });

  cases.push_back({
      .name = "arp_request_for_other_port_address_ignored",
      .description = "10.1.0.1 belongs to dpdk1: asked on dpdk0 it is not announced (arp_ignore=1)",
      .input = {{kClientPort, arp_frame({Mac::broadcast(), kClientMac}, 1, kClientMac, kClient, Mac{}, kPortAddr[1])}},
      .expected_drops = {DropReason::arp_not_ours},
  });

  cases.push_back({
      .name = "icmp_echo_request_answered",
      .description = "a ping to 10.0.0.1 comes back: addresses swapped, TTL 64, DF cleared, type 0, same id",
      .input = {{kClientPort, icmp_frame(kFromClient, {.src = kClient, .dst = kPortAddr[0], .ttl = 61},
                                         {.type = 8, .id = 0x77, .seq = 3, .payload = kPayload})}},
      .expected_output = {{kClientPort, icmp_frame(kToClient, {.src = kPortAddr[0], .dst = kClient, .ttl = 64, .frag_off = 0},
                                                   {.type = 0, .id = 0x77, .seq = 3, .payload = kPayload})}},
  });

  cases.push_back({
      .name = "forward_to_connected_neighbour",
      .description = "client -> 10.1.0.12 leaves dpdk1 to its MAC, TTL 63, header checksum recomputed",
      .input = {{kClientPort, client_udp(kRs2)}},
      .expected_output = {{kServerPort, udp_frame({kRs2Mac, kPortMac[kServerPort]}, {.src = kClient, .dst = kRs2, .ttl = 63},
                                                  {.sport = 33000, .dport = 9999, .payload = kPayload})}},
  });

  cases.push_back({
      .name = "forward_via_gateway_route",
      .description = "192.168.7.7 matches 192.168.0.0/16 via 10.0.0.254: out of dpdk0 to the gateway's MAC",
      .input = {{kClientPort, client_udp(kBehindGateway, 9)}},
      .expected_output = {{kClientPort, udp_frame({kGw0Mac, kPortMac[kClientPort]}, {.src = kClient, .dst = kBehindGateway, .ttl = 8},
                                                  {.sport = 33000, .dport = 9999, .payload = kPayload})}},
  });

  cases.push_back({
      .name = "forward_to_unresolved_next_hop_asks_arp",
      .description = "172.16.0.9 is on-link on dpdk1 and unknown: the packet waits, an ARP request goes out",
      .input = {{kClientPort, client_udp(kOnLinkUnanswered)}},
      .expected_output = {{kServerPort, arp_frame({Mac::broadcast(), kPortMac[kServerPort]}, 1, kPortMac[kServerPort],
                                                  kPortAddr[1], Mac{}, kOnLinkUnanswered)}},
  });

  const Bytes expiring = client_udp(kRs2, 1);
  cases.push_back({
      .name = "ttl_expired_answered_with_time_exceeded",
      .description = "TTL 1 cannot be forwarded: ICMP time exceeded from 10.0.0.1 quoting the packet, drop counted",
      .input = {{kClientPort, expiring}},
      .expected_output = {{kClientPort, icmp_frame(kToClient,
                                                   {.src = kPortAddr[0], .dst = kClient, .ttl = 64, .tos = 0xc0, .id = 0, .frag_off = 0},
                                                   {.type = 11, .code = 0, .payload = l3_of(expiring)})}},
      .expected_drops = {DropReason::ipv4_ttl_exceeded},
  });

  // dpdk1's MTU is 1400: a 1450-byte datagram does not fit. The first fragment carries the
  // largest multiple of 8 that fits (1376 bytes of the 1430 after the header), the second the rest.
  const Bytes big = udp_frame(kFromClient, {.src = kClient, .dst = kRs2, .frag_off = 0},
                              {.sport = 33000, .dport = 9999, .payload = Bytes(1422, 0x5a)});
  const L2 to_rs2{kRs2Mac, kPortMac[kServerPort]};
  cases.push_back({
      .name = "forward_larger_than_mtu_fragmented",
      .description = "without DF a packet above dpdk1's MTU leaves in two fragments, TTL 63, same id",
      .input = {{kClientPort, big}},
      .expected_output = {{kServerPort, ipv4_frame(to_rs2, {.src = kClient, .dst = kRs2, .ttl = 63, .frag_off = 0x2000}, 17,
                                                   l4_slice(big, 0, 1376))},
                          {kServerPort, ipv4_frame(to_rs2, {.src = kClient, .dst = kRs2, .ttl = 63, .frag_off = 1376 / 8}, 17,
                                                   l4_slice(big, 1376, 1430 - 1376))}},
  });

  const Bytes big_df = udp_frame(kFromClient, {.src = kClient, .dst = kRs2},
                                 {.sport = 33000, .dport = 9999, .payload = Bytes(1422, 0x5a)});
  Bytes quoted = l3_of(big_df);
  quoted.resize(576 - 20 - 8);  // RFC 1812: the error with its IPv4 and ICMP headers fits in 576
  cases.push_back({
      .name = "df_larger_than_mtu_answered_with_frag_needed",
      .description = "with DF the same packet is refused: ICMP fragmentation needed carrying MTU 1400, "
                     "quoting as much as fits in 576 bytes",
      .input = {{kClientPort, big_df}},
      .expected_output = {{kClientPort, icmp_frame(kToClient,
                                                   {.src = kPortAddr[0], .dst = kClient, .ttl = 64, .tos = 0xc0, .id = 0, .frag_off = 0},
                                                   {.type = 3, .code = 4, .id = 0, .seq = 1400,
                                                    .payload = quoted})}},
      .expected_drops = {DropReason::ipv4_frag_needed},
  });

  cases.push_back({
      .name = "bad_ipv4_checksum_dropped",
      .description = "a header checksum off by one is dropped before anything reads the packet",
      .input = {{kClientPort, udp_frame(kFromClient, {.src = kClient, .dst = kRs2, .checksum = 0x1234},
                                        {.sport = 33000, .dport = 9999, .payload = kPayload})}},
      .expected_drops = {DropReason::ipv4_bad_checksum},
  });

  cases.push_back({
      .name = "forwarding_off_drops_transit",
      .description = "with forwarding off a packet not for us is dropped quietly",
      .input = {{kClientPort, client_udp(kRs2)}},
      .expected_drops = {DropReason::ipv4_not_local},
      .setup = [](DatapathFixture& fx) { fx.set_forwarding(false); },
  });

  cases.push_back({
      .name = "frame_for_another_mac_dropped",
      .description = "a unicast frame to a MAC that is not the port's is not ours",
      .input = {{kClientPort, udp_frame({kRs1Mac, kClientMac}, {.src = kClient, .dst = kRs2},
                                        {.sport = 33000, .dport = 9999, .payload = kPayload})}},
      .expected_drops = {DropReason::eth_not_for_us},
  });
  return cases;
}

INSTANTIATE_TEST_SUITE_P(L2L3, DatapathCase, ::testing::ValuesIn(l2l3_cases()), case_name);

}  // namespace
}  // namespace dplb::dp::fixture
