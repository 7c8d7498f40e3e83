// `dpip route show PREFIX` selects as iproute2 does (exact by default, `root` the subtree, `match` the
// covering prefixes), and `route change` of a missing route fails as Linux's (issue 19).
#include <gtest/gtest.h>

#include <cstring>
#include <string>
#include <vector>

#include "cli/dpip/replies.h"
#include "control_bed.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dp::testing {
namespace {

// The prefixes `dpip WORDS...` lists (the daemon's answer to its filter).
std::vector<std::string> shown(ControlBed& b, std::vector<std::string> words) {
  auto c = dpip::parse_object(words, dpip::GlobalOptions{});
  EXPECT_TRUE(c) << (c ? "" : c.status().message());
  proto::RouteFilter f = dpip::make_route_filter(std::get<dpip::RouteSelector>(c->args));
  std::vector<uint8_t> reply;
  EXPECT_TRUE(b.cp.dispatch(ctrl::Kind::kGet, proto::kOpRouteShow, ctrl::encode_pod(f), reply).is_ok());
  auto routes = dpip::decode_routes(reply);
  EXPECT_TRUE(routes);
  std::vector<std::string> out;
  for (const proto::RouteRecord& r : *routes)
    out.push_back(to_string(Ip4(r.dst)) + "/" + std::to_string(r.dst_len));
  return out;
}

class RouteShowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* p : {"45.0.0.0/8", "45.60.0.0/16", "45.60.1.0/24", "46.0.0.0/8"}) {
      ASSERT_TRUE(b.set(proto::kOpRouteAdd, ctrl::encode_pod(route_record({"route", "add", p, "dev", "dpdk1"}))).is_ok());
    }
  }
  ControlBed b;
};

TEST_F(RouteShowTest, PrefixIsExactRootIsTheSubtreeMatchTheCovering) {
  using V = std::vector<std::string>;
  EXPECT_EQ(shown(b, {"route", "show", "45.0.0.0/8"}), V{"45.0.0.0/8"});
  EXPECT_EQ(shown(b, {"route", "show", "exact", "45.60.0.0/16"}), V{"45.60.0.0/16"});
  EXPECT_EQ(shown(b, {"route", "show", "45.61.0.0/16"}), V{});
  EXPECT_EQ(shown(b, {"route", "show", "root", "45.0.0.0/8"}), (V{"45.60.1.0/24", "45.60.0.0/16", "45.0.0.0/8"}));
  EXPECT_EQ(shown(b, {"route", "show", "to", "root", "45.60.0.0/16"}), (V{"45.60.1.0/24", "45.60.0.0/16"}));
  EXPECT_EQ(shown(b, {"route", "show", "match", "45.60.1.7"}), (V{"45.60.1.0/24", "45.60.0.0/16", "45.0.0.0/8"}));
  EXPECT_EQ(shown(b, {"route", "show", "match", "45.60.0.0/16"}), (V{"45.60.0.0/16", "45.0.0.0/8"}));
  EXPECT_EQ(shown(b, {"route", "show", "m", "46.1.2.3"}), V{"46.0.0.0/8"});  // ip's prefix matching
}

TEST_F(RouteShowTest, ChangeOfAMissingRouteIsENOENT) {
  std::vector<uint8_t> reply;
  ASSERT_TRUE(b.set(proto::kOpRouteAdd, ctrl::encode_pod(route_record({"route", "change", "47.0.0.0/8", "dev", "dpdk1"})),
                    reply).is_ok());
  proto::BatchResult r{};
  ASSERT_EQ(reply.size(), sizeof r);
  std::memcpy(&r, reply.data(), sizeof r);
  EXPECT_EQ(r.applied, 0u);
  EXPECT_EQ(r.error, ENOENT);
  EXPECT_STREQ(r.message, "No such file or directory");
  ASSERT_TRUE(b.set(proto::kOpRouteAdd, ctrl::encode_pod(route_record({"route", "change", "45.0.0.0/8", "dev", "dpdk0"})),
                    reply).is_ok());
  std::memcpy(&r, reply.data(), sizeof r);
  EXPECT_EQ(r.error, 0);
  EXPECT_EQ(b.cp.model().routes.find(Ip4Prefix{Ip4::of(45, 0, 0, 0), 8}, 0)->nexthops.at(0).port, 0);
  EXPECT_TRUE(b.all_in_sync());
}

}  // namespace
}  // namespace dplb::dp::testing
