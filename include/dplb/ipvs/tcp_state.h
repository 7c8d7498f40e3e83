// IPVS's TCP connection tracking (Linux net/netfilter/ipvs/ip_vs_proto_tcp.c): the same states,
// transition table, flag order and default timeouts, so `ipvsadm -Lc` reads as users expect.
//
// The balancer sees only part of each exchange, so the states are IPVS's guesses, not a TCP
// endpoint's: INPUT is client→VIP, OUTPUT is server→client, INPUT_ONLY is used while a connection
// has the NoOutput flag (no reply path through us seen yet).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "dplb/base/status.h"
#include "dplb/ipvs/conn.h"
#include "dplb/ipvs/timer_wheel.h"
#include "dplb/net/headers.h"

namespace dplb::ipvs {

enum class TcpState : uint8_t {
  kNone,
  kEstablished,
  kSynSent,
  kSynRecv,
  kFinWait,
  kTimeWait,
  kClose,
  kCloseWait,
  kLastAck,
  kListen,
  kSynAck,
  kCount
};
inline constexpr size_t kTcpStateCount = static_cast<size_t>(TcpState::kCount);

enum class ConnDir : uint8_t { kInput, kOutput, kInputOnly };

// Names as ipvsadm -Lc prints them ("NONE", "ESTABLISHED", ..., "SYNACK"); "ERR!" if out of range.
std::string_view tcp_state_name(TcpState s);
// UDP connections have a single state; ipvsadm prints it as "UDP".
inline constexpr std::string_view kUdpStateName = "UDP";

// IPVS counts a connection as active only while ESTABLISHED (Linux since 4.9 also counts the
// opening states; this follows the classic rule the scheduler weights were designed for).
constexpr bool tcp_state_is_active(TcpState s) { return s == TcpState::kEstablished; }

// Per-state timeouts in ticks, per worker (a copy is pushed to each worker on `ipvsadm --set`).
struct ProtoTimeouts {
  std::array<uint32_t, kTcpStateCount> tcp{};
  uint32_t udp = 0;

  static ProtoTimeouts defaults();
  uint32_t tcp_timeout(TcpState s) const { return tcp[static_cast<size_t>(s)]; }

  // `ipvsadm --set tcp tcpfin udp` in seconds: ESTABLISHED, FIN_WAIT and UDP; 0 leaves a value
  // unchanged. Rejects negative values and values beyond kMaxTimeoutTicks, changing nothing.
  Status set(int64_t tcp_s, int64_t tcpfin_s, int64_t udp_s);
  // The three values `ipvsadm -L --timeout` prints, in seconds.
  uint32_t tcp_seconds() const { return tcp_timeout(TcpState::kEstablished) / kTicksPerSecond; }
  uint32_t tcpfin_seconds() const { return tcp_timeout(TcpState::kFinWait) / kTicksPerSecond; }
  uint32_t udp_seconds() const { return udp / kTicksPerSecond; }
};

// Whether the connection moved between the dest's active and inactive counters.
enum class ActivityChange : uint8_t { kNone, kBecameActive, kBecameInactive };

struct TcpTransition {
  TcpState old_state;
  TcpState new_state;
  ActivityChange activity;
  uint32_t timeout;  // ticks: the new state's timeout (refresh the connection with it)
};

// IPVS's next-state table (Linux tcp_states[]), indexed [direction][event][state].
enum class TcpEvent : uint8_t { kSyn, kFin, kAck, kRst };

namespace detail {
using S = TcpState;
inline constexpr S sNO = S::kNone, sES = S::kEstablished, sSS = S::kSynSent, sSR = S::kSynRecv,
                   sFW = S::kFinWait, sTW = S::kTimeWait, sCL = S::kClose, sCW = S::kCloseWait,
                   sLA = S::kLastAck, sLI = S::kListen, sSA = S::kSynAck;
using Row = std::array<TcpState, kTcpStateCount>;
// clang-format off
inline constexpr std::array<std::array<Row, 4>, 3> kTcpStates = {{
  {{ // INPUT      sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA
    /* syn */ Row{sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
    /* fin */ Row{sCL, sCW, sSS, sTW, sTW, sTW, sCL, sCW, sLA, sLI, sTW},
    /* ack */ Row{sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
    /* rst */ Row{sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sSR},
  }},
  {{ // OUTPUT     sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA
    /* syn */ Row{sSS, sES, sSS, sSR, sSS, sSS, sSS, sSS, sSS, sLI, sSR},
    /* fin */ Row{sTW, sFW, sSS, sTW, sFW, sTW, sCL, sTW, sLA, sLI, sTW},
    /* ack */ Row{sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sLA, sES, sES},
    /* rst */ Row{sCL, sCL, sSS, sCL, sCL, sTW, sCL, sCL, sCL, sCL, sCL},
  }},
  {{ // INPUT_ONLY sNO  sES  sSS  sSR  sFW  sTW  sCL  sCW  sLA  sLI  sSA
    /* syn */ Row{sSR, sES, sES, sSR, sSR, sSR, sSR, sSR, sSR, sSR, sSR},
    /* fin */ Row{sCL, sFW, sSS, sTW, sFW, sTW, sCL, sCW, sLA, sLI, sTW},
    /* ack */ Row{sES, sES, sSS, sES, sFW, sTW, sCL, sCW, sCL, sLI, sES},
    /* rst */ Row{sCL, sCL, sCL, sSR, sCL, sCL, sCL, sCL, sLA, sLI, sCL},
  }},
}};
// clang-format on
}  // namespace detail

constexpr TcpState tcp_next_state(ConnDir dir, TcpEvent ev, TcpState s) {
  return detail::kTcpStates[static_cast<size_t>(dir)][static_cast<size_t>(ev)][static_cast<size_t>(s)];
}

// Applies one packet's TCP flags to a connection's state and flags, like IPVS's set_tcp_state:
// the event is the first of RST, SYN, FIN, ACK present (none → CLOSE); the NoOutput flag selects the
// INPUT_ONLY table and is cleared by the first OUTPUT packet; Inactive follows tcp_state_is_active.
// Writes conn.state and conn.flags only: the caller refreshes the expiry with the returned timeout
// (ConnTable::refresh) and adjusts the dest's counters. Per packet: table lookups only.
inline TcpTransition tcp_transition(const ProtoTimeouts& timeouts, Conn& conn, ConnDir dir, uint8_t tcp_flags) {
  uint8_t& state = conn.state;
  uint16_t& flags = conn.flags;
  using net::kTcpAck, net::kTcpFin, net::kTcpRst, net::kTcpSyn;
  if (flags & kConnFlagNoOutput) {
    if (dir == ConnDir::kOutput) {
      flags = static_cast<uint16_t>(flags & ~kConnFlagNoOutput);
    } else {
      dir = ConnDir::kInputOnly;
    }
  }
  TcpState old_state = state < kTcpStateCount ? static_cast<TcpState>(state) : TcpState::kClose;
  TcpState new_state = TcpState::kClose;
  if (tcp_flags & kTcpRst) {
    new_state = tcp_next_state(dir, TcpEvent::kRst, old_state);
  } else if (tcp_flags & kTcpSyn) {
    new_state = tcp_next_state(dir, TcpEvent::kSyn, old_state);
  } else if (tcp_flags & kTcpFin) {
    new_state = tcp_next_state(dir, TcpEvent::kFin, old_state);
  } else if (tcp_flags & kTcpAck) {
    new_state = tcp_next_state(dir, TcpEvent::kAck, old_state);
  }
  ActivityChange activity = ActivityChange::kNone;
  if (new_state != old_state) {
    bool inactive = flags & kConnFlagInactive;
    if (!inactive && !tcp_state_is_active(new_state)) {
      flags = static_cast<uint16_t>(flags | kConnFlagInactive);
      activity = ActivityChange::kBecameInactive;
    } else if (inactive && tcp_state_is_active(new_state)) {
      flags = static_cast<uint16_t>(flags & ~kConnFlagInactive);
      activity = ActivityChange::kBecameActive;
    }
  }
  state = static_cast<uint8_t>(new_state);
  return {old_state, new_state, activity, timeouts.tcp_timeout(new_state)};
}

}  // namespace dplb::ipvs
