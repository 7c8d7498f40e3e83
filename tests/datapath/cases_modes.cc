// Direct routing and IP-in-IP tunnel real servers (topology: datapath_fixture.h). The HTTP service's
// NAT servers are replaced by one of another method through the worker's control handlers, as main
// would send them; main's own checks (a direct-routing server must be on-link) are bypassed on
// purpose, which is how a later route change looks to the worker.
#include "case_runner.h"

#include "control/msg_types.h"

namespace dplb::dp::fixture {
namespace {

using namespace topo;

const L2 kFromClient{kPortMac[kClientPort], kClientMac};
constexpr uint16_t kClientPortNo = 40000;
constexpr uint32_t kNewDest = 7;
constexpr Ip4 kBehindGateway = Ip4::of(192, 168, 5, 5);  // 192.168.0.0/16 via 10.0.0.254 (dpdk0)

Bytes syn_to_vip() {
  return tcp_frame(kFromClient, {.src = kClient, .dst = kVip, .id = 0x0101},
                   {.sport = kClientPortNo, .dport = 80, .flags = kTcpSyn, .seq = 1000});
}

// The HTTP service with a single real server `addr` forwarded by `fwd`.
void only_server(DatapathFixture& fx, Ip4 addr, ipvs::FwdMethod fwd) {
  for (uint32_t id : {1u, 2u}) ASSERT_TRUE(fx.control(ctrl::Msg::of(kMsgDestRemove, IdMsg{id})).is_ok());
  ASSERT_TRUE(fx.control(ctrl::Msg::of(kMsgDestUpsert, DestMsg{kHttpService, kNewDest, {addr, 80, 1, fwd}})).is_ok());
}

// The client's SYN as it arrives, without its Ethernet header.
Bytes syn_packet() {
  Bytes f = syn_to_vip();
  return Bytes(f.begin() + 14, f.end());
}

Bytes framed(const L2& l2, const Bytes& ip_packet) {
  Bytes f(14);
  std::copy(l2.dst.b.begin(), l2.dst.b.end(), f.begin());
  std::copy(l2.src.b.begin(), l2.src.b.end(), f.begin() + 6);
  f[12] = 0x08;
  f.insert(f.end(), ip_packet.begin(), ip_packet.end());
  return f;
}

std::vector<PacketCase> mode_cases() {
  std::vector<PacketCase> cases;
  cases.push_back({
      .name = "direct_routing_rewrites_the_mac_only",
      .description = "a -g real server on dpdk1's subnet gets the client's packet unchanged, framed to its MAC",
      .input = {{kClientPort, syn_to_vip()}},
      .expected_output = {{kServerPort, framed({kRs1Mac, kPortMac[kServerPort]}, syn_packet())}},
      .setup = [](DatapathFixture& fx) { only_server(fx, kRs1, ipvs::FwdMethod::droute); },
  });
  cases.push_back({
      .name = "direct_routing_server_behind_a_gateway_dropped",
      .description = "a -g real server whose route goes via a gateway: never sent to the gateway's MAC, dropped "
                     "and counted (main refuses it; a route added later does this)",
      .input = {{kClientPort, syn_to_vip()}},
      .expected_drops = {DropReason::ipvs_dr_not_onlink},
      .setup = [](DatapathFixture& fx) { only_server(fx, kBehindGateway, ipvs::FwdMethod::droute); },
  });
  cases.push_back({
      .name = "tunnel_to_a_server_behind_a_gateway",
      .description = "a -i real server behind 10.0.0.254: IP-in-IP from our address on dpdk0 (the route's source), "
                     "to the gateway's MAC, TTL and DF from the inner packet, our first IP id",
      .input = {{kClientPort, syn_to_vip()}},
      .expected_output = {{kClientPort, ipv4_frame({kGw0Mac, kPortMac[kClientPort]},
                                                   {.src = kPortAddr[kClientPort], .dst = kBehindGateway, .ttl = 64,
                                                    .id = 0, .frag_off = 0x4000},
                                                   4, syn_packet())}},
      .setup = [](DatapathFixture& fx) { only_server(fx, kBehindGateway, ipvs::FwdMethod::tunnel); },
  });
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Modes, DatapathCase, ::testing::ValuesIn(mode_cases()), case_name);

}  // namespace
}  // namespace dplb::dp::fixture
