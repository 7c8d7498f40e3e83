// BatchReader and route_batch_outcome: the batch steps the tool sends over its socket and the
// daemon applies in-process at startup.
#include "cli/dpip/batch.h"

#include <gtest/gtest.h>

#include <cstring>
#include <sstream>

#include "cli/dpip/requests.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

std::vector<BatchStep> steps_of(const std::string& text) {
  std::istringstream in(text);
  BatchReader reader(in, GlobalOptions{});
  std::vector<BatchStep> out;
  while (auto s = reader.next()) out.push_back(std::move(*s));
  return out;
}

TEST(DpipBatch, GroupsConsecutiveRouteChangesOfOneOperation) {
  auto steps = steps_of(
      "route add 10.1.0.0/16 dev dpdk0\n"
      "# a comment\n"
      "route replace 10.2.0.0/16 dev dpdk0\n"
      "route del 10.1.0.0/16\n"
      "addr add 10.0.0.1/24 dev dpdk0\n"
      "route add 10.3.0.0/16 dev dpdk0\n"
      "route bogus\n"
      "route add 10.4.0.0/16 dev dpdk0\n");
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps[0].kind, BatchStep::Kind::kRoutes);  // add and replace: both kOpRouteAdd
  EXPECT_EQ(steps[0].routes.op, proto::kOpRouteAdd);
  EXPECT_EQ(steps[0].routes.lines, (std::vector<size_t>{1, 3}));
  EXPECT_EQ(steps[1].routes.op, proto::kOpRouteDel);
  EXPECT_EQ(steps[1].routes.lines, (std::vector<size_t>{4}));
  EXPECT_EQ(steps[2].kind, BatchStep::Kind::kCommand);
  EXPECT_EQ(steps[2].line, 5u);
  EXPECT_EQ(steps[2].command.object, Object::kAddr);
  EXPECT_EQ(steps[3].routes.lines, (std::vector<size_t>{6}));  // ends before the bad line
  EXPECT_EQ(steps[4].kind, BatchStep::Kind::kParseError);
  EXPECT_EQ(steps[4].line, 7u);
  EXPECT_FALSE(steps[4].error.empty());
  EXPECT_EQ(steps[5].routes.lines, (std::vector<size_t>{8}));
}

TEST(DpipBatch, AGroupNeverExceedsOneRequest) {
  std::string text;
  const size_t n = max_routes_per_request() + 3;
  for (size_t i = 0; i < n; ++i)
    text += "route add 10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24 dev dpdk0\n";
  auto steps = steps_of(text);
  ASSERT_EQ(steps.size(), 2u);
  EXPECT_EQ(steps[0].routes.records.size(), max_routes_per_request());
  EXPECT_EQ(steps[1].routes.records.size(), 3u);
  EXPECT_EQ(steps[1].routes.lines.front(), max_routes_per_request() + 1);
}

TEST(DpipBatch, OutcomeNamesTheFailingRecord) {
  auto steps = steps_of("route add 10.1.0.0/16 dev dpdk0\nroute add 10.2.0.0/16 dev dpdk1\n");
  ASSERT_EQ(steps.size(), 1u);
  const RouteGroup& g = steps[0].routes;

  proto::BatchResult all{2, 0, {}};
  RouteBatchOutcome o = route_batch_outcome(g, 0, 2, 0, "", ctrl::encode_pod(all));
  EXPECT_EQ(o.error, "");

  proto::BatchResult second{1, ENODEV, {}};
  std::strcpy(second.message, "Cannot find device \"dpdk1\"");
  o = route_batch_outcome(g, 0, 2, 0, "", ctrl::encode_pod(second));
  EXPECT_EQ(o.error, "Cannot find device \"dpdk1\"");
  EXPECT_EQ(o.failed, 1u);
  EXPECT_FALSE(o.whole);

  o = route_batch_outcome(g, 0, 2, EEXIST, "", {});
  EXPECT_EQ(o.error, "RTNETLINK answers: File exists");
  EXPECT_TRUE(o.whole);
  EXPECT_EQ(o.failed, 0u);

  proto::BatchResult too_many{3, 0, {}};  // claims more than were sent
  o = route_batch_outcome(g, 0, 2, 0, "", ctrl::encode_pod(too_many));
  EXPECT_TRUE(o.malformed);
  EXPECT_EQ(o.error, "Error: malformed route batch reply from dplb");
}

}  // namespace
}  // namespace dplb::dpip
