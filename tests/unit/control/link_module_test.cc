// The link module's reply (`dpip -s link show`): per worker and port, the packets handed to the
// connection's owner worker and those its full ring refused, as the workers counted them.
#include <gtest/gtest.h>

#include "cli/dpip/replies.h"
#include "control_bed.h"

namespace dplb::dp::testing {
namespace {

dpip::LinkShowData link_show(ControlBed& bed, bool with_stats) {
  proto::LinkQuery q{};
  q.with_stats = with_stats ? 1 : 0;
  std::vector<uint8_t> reply;
  Status st = bed.cp.dispatch(ctrl::Kind::kGet, proto::kOpLinkShow, ctrl::encode_pod(q), reply);
  EXPECT_TRUE(st.is_ok()) << st.message();
  auto d = dpip::decode_link_show(reply);
  EXPECT_TRUE(d.is_ok()) << d.status().message();
  return d.is_ok() ? *d : dpip::LinkShowData{};
}

size_t reason_index(const dpip::LinkShowData& d, DropReason r) {
  for (size_t i = 0; i < d.reasons.size(); ++i)
    if (d.reasons[i] == drop_reason_name(r)) return i;
  ADD_FAILURE() << "no reason " << drop_reason_name(r);
  return 0;
}

TEST(LinkModule, ReportsHandoverPerWorkerAndPort) {
  ControlBed bed;
  // As the workers would count: worker 0 handed 7 packets that arrived on dpdk0 (2 more found the
  // owner's ring full), worker 1 handed 3 that arrived on dpdk1.
  PortCounters& w0 = bed.dp.worker(0).io.stats.port[0];
  w0.rx_packets = 20;
  w0.redirected = 7;
  w0.drops[static_cast<size_t>(DropReason::redirect_full)] = 2;
  bed.dp.worker(1).io.stats.port[1].redirected = 3;

  dpip::LinkShowData d = link_show(bed, true);
  ASSERT_EQ(d.n_workers, 2u);
  ASSERT_EQ(d.links.size(), 2u);
  ASSERT_EQ(d.links[0].workers.size(), 2u);
  const size_t full = reason_index(d, DropReason::redirect_full);
  EXPECT_EQ(d.links[0].workers[0].counters.rx_packets, 20u);
  EXPECT_EQ(d.links[0].workers[0].counters.redirected, 7u);
  EXPECT_EQ(d.links[0].workers[0].drops[full], 2u);
  EXPECT_EQ(d.links[0].workers[1].counters.redirected, 0u);
  EXPECT_EQ(d.links[1].workers[0].counters.redirected, 0u);
  EXPECT_EQ(d.links[1].workers[1].counters.redirected, 3u);
  EXPECT_EQ(d.links[1].workers[1].counters.worker, 1u);
}

TEST(LinkModule, WithoutStatsNoWorkerRecords) {
  ControlBed bed;
  bed.dp.worker(0).io.stats.port[0].redirected = 7;
  dpip::LinkShowData d = link_show(bed, false);
  EXPECT_FALSE(d.with_stats);
  ASSERT_EQ(d.links.size(), 2u);
  EXPECT_TRUE(d.links[0].workers.empty());
}

}  // namespace
}  // namespace dplb::dp::testing
