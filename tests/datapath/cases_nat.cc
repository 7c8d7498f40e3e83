// The virtual services (NAT): new connections to a real server, replies back from the VIP, and
// what no service claims (topology: datapath_fixture.h).
#include "case_runner.h"

#include "control/msg_types.h"

namespace dplb::dp::fixture {
namespace {

using namespace topo;

const L2 kFromClient{kPortMac[kClientPort], kClientMac};
const L2 kToClient{kClientMac, kPortMac[kClientPort]};
const L2 kFromRs1{kPortMac[kServerPort], kRs1Mac};
const L2 kToRs1{kRs1Mac, kPortMac[kServerPort]};
const L2 kToRs2{kRs2Mac, kPortMac[kServerPort]};
constexpr uint16_t kClientPortNo = 40000;

Bytes syn_to_vip(uint16_t client_port, uint16_t vport) {
  return tcp_frame(kFromClient, {.src = kClient, .dst = kVip, .id = 0x0101},
                   {.sport = client_port, .dport = vport, .flags = kTcpSyn, .seq = 1000});
}
// The same SYN as the real server must see it: destination rewritten, one hop further.
Bytes syn_at_server(const L2& l2, Ip4 server, uint16_t client_port) {
  return tcp_frame(l2, {.src = kClient, .dst = server, .ttl = 63, .id = 0x0101},
                   {.sport = client_port, .dport = kHttpRsPort, .flags = kTcpSyn, .seq = 1000});
}

std::vector<PacketCase> nat_cases() {
  std::vector<PacketCase> cases;

  cases.push_back({
      .name = "syn_to_vip_dnat_to_first_real_server",
      .description = "SYN to 10.0.0.100:80 opens a connection to 10.1.0.11:8080 (rr): exact rewritten bytes",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 80)}},
      .expected_output = {{kServerPort, syn_at_server(kToRs1, kRs1, kClientPortNo)}},
  });

  cases.push_back({
      .name = "server_reply_snat_to_vip",
      .description = "the server's SYN-ACK goes back to the client from 10.0.0.100:80",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 80)},
                {kServerPort, tcp_frame(kFromRs1, {.src = kRs1, .dst = kClient, .id = 0x0202},
                                        {.sport = kHttpRsPort, .dport = kClientPortNo, .flags = kTcpSyn | kTcpAck,
                                         .seq = 5000, .ack = 1001})}},
      .expected_output = {{kServerPort, syn_at_server(kToRs1, kRs1, kClientPortNo)},
                          {kClientPort, tcp_frame(kToClient, {.src = kVip, .dst = kClient, .ttl = 63, .id = 0x0202},
                                                  {.sport = 80, .dport = kClientPortNo, .flags = kTcpSyn | kTcpAck,
                                                   .seq = 5000, .ack = 1001})}},
  });

  cases.push_back({
      .name = "round_robin_second_connection_to_second_server",
      .description = "two new connections: the first to 10.1.0.11, the next to 10.1.0.12",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 80)}, {kClientPort, syn_to_vip(kClientPortNo + 1, 80)}},
      .expected_output = {{kServerPort, syn_at_server(kToRs1, kRs1, kClientPortNo)},
                          {kServerPort, syn_at_server(kToRs2, kRs2, kClientPortNo + 1)}},
  });

  cases.push_back({
      .name = "retransmitted_syn_follows_its_connection",
      .description = "a SYN sent twice opens one connection: both copies go to 10.1.0.11 (in one burst too, "
                     "where the second was looked up before the first created the connection)",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 80)}, {kClientPort, syn_to_vip(kClientPortNo, 80)}},
      .expected_output = {{kServerPort, syn_at_server(kToRs1, kRs1, kClientPortNo)},
                          {kServerPort, syn_at_server(kToRs1, kRs1, kClientPortNo)}},
  });

  cases.push_back({
      .name = "udp_to_vip_dnat",
      .description = "a datagram to 10.0.0.100:53 goes to 10.1.0.11:53",
      .input = {{kClientPort, udp_frame(kFromClient, {.src = kClient, .dst = kVip, .frag_off = 0},
                                        {.sport = 5353, .dport = 53, .payload = {1, 2, 3, 4, 5}})}},
      .expected_output = {{kServerPort, udp_frame(kToRs1, {.src = kClient, .dst = kRs1, .ttl = 63, .frag_off = 0},
                                                  {.sport = 5353, .dport = 53, .payload = {1, 2, 3, 4, 5}})}},
  });

  cases.push_back({
      .name = "unknown_port_on_vip_unclaimed",
      .description = "no service on 10.0.0.100:22: not ours, and without a kernel tap dropped as unclaimed",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 22)}},
      .expected_drops = {DropReason::l4_unhandled},
  });

  cases.push_back({
      .name = "drained_service_has_no_server",
      .description = "10.0.0.100:443's only server has weight 0: the SYN finds no real server",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 443)}},
      .expected_drops = {DropReason::ipvs_no_dest},
  });

  cases.push_back({
      .name = "ack_without_connection_dropped",
      .description = "a mid-stream ACK to the VIP with no connection opens none",
      .input = {{kClientPort, tcp_frame(kFromClient, {.src = kClient, .dst = kVip},
                                        {.sport = kClientPortNo, .dport = 80, .flags = kTcpAck, .seq = 1001, .ack = 1})}},
      .expected_drops = {DropReason::ipvs_no_conn},
  });

  cases.push_back({
      .name = "removed_service_unclaimed",
      .description = "after the control message removing the port 80 service, its SYN is unclaimed",
      .input = {{kClientPort, syn_to_vip(kClientPortNo, 80)}},
      .expected_drops = {DropReason::l4_unhandled},
      .setup =
          [](DatapathFixture& fx) {
            ASSERT_TRUE(fx.control(ctrl::Msg::of(kMsgSvcRemove, IdMsg{kHttpService})).is_ok());
          },
  });
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Nat, DatapathCase, ::testing::ValuesIn(nat_cases()), case_name);

}  // namespace
}  // namespace dplb::dp::fixture
