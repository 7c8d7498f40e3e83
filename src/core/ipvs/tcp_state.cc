#include "dplb/ipvs/tcp_state.h"

#include <string>

namespace dplb::ipvs {

std::string_view tcp_state_name(TcpState s) {
  static constexpr std::array<std::string_view, kTcpStateCount> kNames = {
      "NONE",     "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT", "TIME_WAIT",
      "CLOSE",    "CLOSE_WAIT",  "LAST_ACK", "LISTEN",   "SYNACK",
  };
  auto i = static_cast<size_t>(s);
  return i < kNames.size() ? kNames[i] : "ERR!";
}

ProtoTimeouts ProtoTimeouts::defaults() {
  ProtoTimeouts t;
  auto set = [&t](TcpState s, uint32_t seconds) { t.tcp[static_cast<size_t>(s)] = seconds_to_ticks(seconds); };
  set(TcpState::kNone, 2);
  set(TcpState::kEstablished, 15 * 60);
  set(TcpState::kSynSent, 2 * 60);
  set(TcpState::kSynRecv, 60);
  set(TcpState::kFinWait, 2 * 60);
  set(TcpState::kTimeWait, 2 * 60);
  set(TcpState::kClose, 10);
  set(TcpState::kCloseWait, 60);
  set(TcpState::kLastAck, 30);
  set(TcpState::kListen, 2 * 60);
  set(TcpState::kSynAck, 120);
  t.udp = seconds_to_ticks(5 * 60);
  return t;
}

Status ProtoTimeouts::set(int64_t tcp_s, int64_t tcpfin_s, int64_t udp_s) {
  constexpr int64_t kMaxSeconds = kMaxTimeoutTicks / kTicksPerSecond;
  struct Named {
    const char* name;
    int64_t value;
  };
  for (Named n : {Named{"tcp", tcp_s}, Named{"tcpfin", tcpfin_s}, Named{"udp", udp_s}}) {
    if (n.value < 0 || n.value > kMaxSeconds) {
      return Status::invalid(std::string(n.name) + " timeout must be between 0 and " + std::to_string(kMaxSeconds) +
                             " seconds, got " + std::to_string(n.value));
    }
  }
  if (tcp_s) tcp[static_cast<size_t>(TcpState::kEstablished)] = seconds_to_ticks(static_cast<uint32_t>(tcp_s));
  if (tcpfin_s) tcp[static_cast<size_t>(TcpState::kFinWait)] = seconds_to_ticks(static_cast<uint32_t>(tcpfin_s));
  if (udp_s) udp = seconds_to_ticks(static_cast<uint32_t>(udp_s));
  return Status::ok();
}

}  // namespace dplb::ipvs
