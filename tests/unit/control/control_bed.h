// A control plane over a FakeDataPlane: two ports (dpdk0 192.168.1.1/24, dpdk1 10.20.0.1/24) and
// two workers, the configured addresses applied, the socket at a private path.
#pragma once

#include <unistd.h>

#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/dpip/parser.h"
#include "cli/dpip/requests.h"
#include "control/control_plane.h"
#include "fake_data_plane.h"

namespace dplb::dp::testing {

inline std::vector<PortFacts> two_ports() {
  return {PortFacts{0, "dpdk0", 1500, {Ip4Prefix{Ip4::of(192, 168, 1, 1), 24}}},
          PortFacts{1, "dpdk1", 1500, {Ip4Prefix{Ip4::of(10, 20, 0, 1), 24}}}};
}

struct ControlBed {
  ControlBed() : dp(two_ports(), 2), cp(cfg(), dp) {
    Status st = cp.init();
    EXPECT_TRUE(st.is_ok()) << st.message();
    st = cp.apply_config_addresses();
    EXPECT_TRUE(st.is_ok()) << st.message();
  }
  // The worker threads stop before the control plane (which owns their message rings) goes.
  ~ControlBed() { dp.stop(); }

  static const conf::Config& cfg() {
    static conf::Config c = [] {
      conf::Config c;
      c.ipc_socket = "/tmp/dplb_control_test_" + std::to_string(getpid()) + ".ipc";
      c.msg_timeout_ms = 2000;
      return c;
    }();
    return c;
  }

  Status set(uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    return cp.dispatch(ctrl::Kind::kSet, op, payload, reply);
  }
  Status set(uint32_t op, std::span<const uint8_t> payload) {
    std::vector<uint8_t> reply;
    return set(op, payload, reply);
  }

  // Every worker's tables equal the model's (the sync module's digests).
  bool all_in_sync() {
    std::vector<uint8_t> reply;
    if (!cp.dispatch(ctrl::Kind::kGet, proto::kOpSyncShow, {}, reply)) return false;
    proto::SyncReply r{};
    if (reply.size() < sizeof r) return false;
    std::memcpy(&r, reply.data(), sizeof r);
    return r.all_in_sync == 1 && r.n_workers == 2;
  }

  FakeDataPlane dp;
  ControlPlane cp;
};

// The request record `dpip WORDS...` sends for a route change.
inline proto::RouteRecord route_record(std::vector<std::string> words) {
  auto c = dpip::parse_object(words, dpip::GlobalOptions{});
  EXPECT_TRUE(c) << (c ? "" : c.status().message());
  return dpip::make_route_record(std::get<dpip::RouteArgs>(c->args), c->verb);
}

}  // namespace dplb::dp::testing
