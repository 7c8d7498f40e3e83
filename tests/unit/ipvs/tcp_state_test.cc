#include "dplb/ipvs/tcp_state.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace dplb::ipvs {
namespace {

using net::kTcpAck, net::kTcpFin, net::kTcpRst, net::kTcpSyn, net::kTcpPsh;
using S = TcpState;

constexpr uint32_t sec(uint32_t s) { return s * kTicksPerSecond; }

// Linux's tcp_states[] exactly as ip_vs_proto_tcp.c prints it, parsed independently of the
// header's enum table, so a typo in either shows up.
constexpr const char* kLinuxTable = R"(
/*	INPUT */
/*        sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA	*/
/*syn*/ {{sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR }},
/*fin*/ {{sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW }},
/*ack*/ {{sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES }},
/*rst*/ {{sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR }},

/*	OUTPUT */
/*        sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA	*/
/*syn*/ {{sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR }},
/*fin*/ {{sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW }},
/*ack*/ {{sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES }},
/*rst*/ {{sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL }},

/*	INPUT-ONLY */
/*        sNO, sES, sSS, sSR, sFW, sTW, sCL, sCW, sLA, sLI, sSA	*/
/*syn*/ {{sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR }},
/*fin*/ {{sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW }},
/*ack*/ {{sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES }},
/*rst*/ {{sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL }},
)";

TEST(TcpState, TransitionTableMatchesLinux) {
  const std::map<std::string, S> names = {{"sNO", S::kNone},     {"sES", S::kEstablished}, {"sSS", S::kSynSent},
                                          {"sSR", S::kSynRecv},  {"sFW", S::kFinWait},     {"sTW", S::kTimeWait},
                                          {"sCL", S::kClose},    {"sCW", S::kCloseWait},   {"sLA", S::kLastAck},
                                          {"sLI", S::kListen},   {"sSA", S::kSynAck}};
  std::istringstream in(kLinuxTable);
  std::string line;
  int row = 0;
  while (std::getline(in, line)) {
    if (line.find("{{") == std::string::npos) continue;
    std::vector<S> states;
    for (size_t pos = line.find("{{"); (pos = line.find('s', pos)) != std::string::npos; pos += 3) {
      states.push_back(names.at(line.substr(pos, 3)));
    }
    ASSERT_EQ(states.size(), kTcpStateCount) << line;
    auto dir = static_cast<ConnDir>(row / 4);
    auto ev = static_cast<TcpEvent>(row % 4);
    for (size_t s = 0; s < kTcpStateCount; ++s) {
      EXPECT_EQ(tcp_next_state(dir, ev, static_cast<S>(s)), states[s]) << "row " << row << " column " << s;
    }
    ++row;
  }
  EXPECT_EQ(row, 12);
}

TEST(TcpState, NamesAsIpvsadmPrintsThem) {
  EXPECT_EQ(tcp_state_name(S::kNone), "NONE");
  EXPECT_EQ(tcp_state_name(S::kEstablished), "ESTABLISHED");
  EXPECT_EQ(tcp_state_name(S::kSynSent), "SYN_SENT");
  EXPECT_EQ(tcp_state_name(S::kSynRecv), "SYN_RECV");
  EXPECT_EQ(tcp_state_name(S::kFinWait), "FIN_WAIT");
  EXPECT_EQ(tcp_state_name(S::kTimeWait), "TIME_WAIT");
  EXPECT_EQ(tcp_state_name(S::kClose), "CLOSE");
  EXPECT_EQ(tcp_state_name(S::kCloseWait), "CLOSE_WAIT");
  EXPECT_EQ(tcp_state_name(S::kLastAck), "LAST_ACK");
  EXPECT_EQ(tcp_state_name(S::kListen), "LISTEN");
  EXPECT_EQ(tcp_state_name(S::kSynAck), "SYNACK");
  EXPECT_EQ(tcp_state_name(S::kCount), "ERR!");
}

TEST(TcpState, DefaultTimeoutsAreIpvs) {
  ProtoTimeouts t = ProtoTimeouts::defaults();
  const std::vector<std::pair<S, uint32_t>> want = {
      {S::kNone, 2},        {S::kEstablished, 900}, {S::kSynSent, 120},  {S::kSynRecv, 60},
      {S::kFinWait, 120},   {S::kTimeWait, 120},    {S::kClose, 10},     {S::kCloseWait, 60},
      {S::kLastAck, 30},    {S::kListen, 120},      {S::kSynAck, 120}};
  for (auto [s, seconds] : want) EXPECT_EQ(t.tcp_timeout(s), sec(seconds)) << tcp_state_name(s);
  EXPECT_EQ(t.udp, sec(300));
  EXPECT_EQ(t.tcp_seconds(), 900u);
  EXPECT_EQ(t.tcpfin_seconds(), 120u);
  EXPECT_EQ(t.udp_seconds(), 300u);
}

TEST(TcpState, SetTimeoutsLikeIpvsadmSet) {
  ProtoTimeouts t = ProtoTimeouts::defaults();
  ASSERT_TRUE(t.set(3600, 0, 30).is_ok());  // 0 = unchanged
  EXPECT_EQ(t.tcp_seconds(), 3600u);
  EXPECT_EQ(t.tcpfin_seconds(), 120u);
  EXPECT_EQ(t.udp_seconds(), 30u);
  EXPECT_EQ(t.tcp_timeout(S::kTimeWait), sec(120));  // --set touches only its three values
  ASSERT_TRUE(t.set(0, 45, 0).is_ok());
  EXPECT_EQ(t.tcpfin_seconds(), 45u);
  EXPECT_EQ(t.tcp_seconds(), 3600u);

  ProtoTimeouts before = t;
  Status bad = t.set(100, -1, 100);
  EXPECT_EQ(bad.code(), EINVAL);
  EXPECT_NE(bad.message().find("tcpfin"), std::string::npos);
  EXPECT_EQ(t.tcp, before.tcp);  // nothing changed
  EXPECT_EQ(t.udp, before.udp);
  EXPECT_EQ(t.set(int64_t(1) << 40, 0, 0).code(), EINVAL);
}

// Drives a connection through packets; each step: direction, flags, expected state, timeout.
struct Step {
  ConnDir dir;
  uint8_t flags;
  S want;
  uint32_t want_timeout_s;
};

class TcpFlow : public ::testing::Test {
 protected:
  Conn conn{};
  ProtoTimeouts timeouts = ProtoTimeouts::defaults();
  int active_changes = 0;  // +1 per became-active, -1 per became-inactive

  void SetUp() override {
    conn.proto = net::kIpProtoTcp;
    conn.state = static_cast<uint8_t>(S::kNone);
    conn.flags = kConnFlagInactive;  // new connections start inactive, as IPVS binds them
  }

  void run(const std::vector<Step>& steps) {
    for (size_t i = 0; i < steps.size(); ++i) {
      const Step& s = steps[i];
      bool was_active = !(conn.flags & kConnFlagInactive);
      TcpTransition t = tcp_transition(timeouts, conn, s.dir, s.flags);
      EXPECT_EQ(t.new_state, s.want) << "step " << i << ": got " << tcp_state_name(t.new_state);
      EXPECT_EQ(static_cast<S>(conn.state), s.want) << "step " << i;
      EXPECT_EQ(t.timeout, sec(s.want_timeout_s)) << "step " << i;
      bool now_active = !(conn.flags & kConnFlagInactive);
      EXPECT_EQ(now_active, tcp_state_is_active(s.want)) << "step " << i;
      ActivityChange want_change = was_active == now_active ? ActivityChange::kNone
                                   : now_active             ? ActivityChange::kBecameActive
                                                            : ActivityChange::kBecameInactive;
      EXPECT_EQ(t.activity, want_change) << "step " << i;
      if (t.activity == ActivityChange::kBecameActive) ++active_changes;
      if (t.activity == ActivityChange::kBecameInactive) --active_changes;
    }
  }
};

constexpr ConnDir kIn = ConnDir::kInput, kOut = ConnDir::kOutput;

TEST_F(TcpFlow, NormalOpenAndClientClose) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kOut, kTcpSyn | kTcpAck, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpAck | kTcpPsh, S::kEstablished, 900},
      {kOut, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpFin | kTcpAck, S::kCloseWait, 60},
      {kOut, kTcpAck, S::kCloseWait, 60},
      {kOut, kTcpFin | kTcpAck, S::kTimeWait, 120},
      {kIn, kTcpAck, S::kTimeWait, 120},
  });
  EXPECT_EQ(active_changes, 0);  // became active once, inactive once
}

TEST_F(TcpFlow, ServerClosesFirst) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kOut, kTcpSyn | kTcpAck, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kOut, kTcpFin | kTcpAck, S::kFinWait, 120},
      {kIn, kTcpAck, S::kFinWait, 120},
      {kIn, kTcpFin | kTcpAck, S::kTimeWait, 120},
      {kOut, kTcpAck, S::kTimeWait, 120},
  });
}

TEST_F(TcpFlow, SimultaneousClose) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kOut, kTcpSyn | kTcpAck, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpFin | kTcpAck, S::kCloseWait, 60},
      {kOut, kTcpFin | kTcpAck, S::kTimeWait, 120},
      {kIn, kTcpAck, S::kTimeWait, 120},
      {kOut, kTcpAck, S::kTimeWait, 120},
  });
}

TEST_F(TcpFlow, ClientResetsEstablishedConnection) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kOut, kTcpSyn | kTcpAck, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpRst | kTcpAck, S::kClose, 10},
      {kOut, kTcpAck, S::kClose, 10},
  });
}

TEST_F(TcpFlow, ServerRefusesWithReset) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kOut, kTcpRst | kTcpAck, S::kClose, 10},
  });
}

TEST_F(TcpFlow, HalfOpenSynFloodEntryStaysSynRecv) {
  // A spoofed SYN and its retransmissions: no reply ever comes back through us.
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpRst, S::kSynRecv, 60},  // IPVS ignores a client RST in SYN_RECV
  });
  EXPECT_TRUE(conn.flags & kConnFlagInactive);
}

TEST_F(TcpFlow, PacketWithoutKnownFlagsCloses) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpPsh, S::kClose, 10},
  });
}

TEST_F(TcpFlow, FlagPriorityIsRstSynFinAck) {
  // Each step's other flag would lead elsewhere: FIN from NONE → CLOSE, SYN from ESTABLISHED stays,
  // ACK from SYN_RECV → ESTABLISHED.
  run({
      {kIn, kTcpSyn | kTcpFin, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpSyn | kTcpRst, S::kClose, 10},
  });
  SetUp();
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpFin | kTcpAck, S::kTimeWait, 120},
  });
}

TEST_F(TcpFlow, SetTimeoutsApplyToLaterTransitions) {
  ASSERT_TRUE(timeouts.set(3600, 30, 0).is_ok());
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 3600},
      {kOut, kTcpFin | kTcpAck, S::kFinWait, 30},
  });
}

TEST_F(TcpFlow, NoOutputFlagUsesInputOnlyTableUntilAReplyIsSeen) {
  conn.flags |= kConnFlagNoOutput;
  // INPUT-ONLY: FIN in ESTABLISHED goes to FIN_WAIT (INPUT would say CLOSE_WAIT).
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {kIn, kTcpFin | kTcpAck, S::kFinWait, 120},
  });
  EXPECT_TRUE(conn.flags & kConnFlagNoOutput);
  conn.state = static_cast<uint8_t>(S::kEstablished);
  conn.flags &= static_cast<uint16_t>(~kConnFlagInactive);
  run({{kOut, kTcpAck, S::kEstablished, 900}});
  EXPECT_FALSE(conn.flags & kConnFlagNoOutput);
  run({{kIn, kTcpFin | kTcpAck, S::kCloseWait, 60}});  // now the INPUT table
}

TEST_F(TcpFlow, ExplicitInputOnlyDirection) {
  run({
      {kIn, kTcpSyn, S::kSynRecv, 60},
      {kIn, kTcpAck, S::kEstablished, 900},
      {ConnDir::kInputOnly, kTcpFin, S::kFinWait, 120},
  });
}

TEST(TcpState, OnlyEstablishedIsActive) {
  for (size_t s = 0; s < kTcpStateCount; ++s) {
    EXPECT_EQ(tcp_state_is_active(static_cast<S>(s)), s == size_t(S::kEstablished));
  }
}

}  // namespace
}  // namespace dplb::ipvs
