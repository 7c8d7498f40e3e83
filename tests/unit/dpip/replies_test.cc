// Reply decoders: well-formed payloads decode; every malformed one is refused before any allocation
// sized from its counts.
#include "cli/dpip/replies.h"

#include <gtest/gtest.h>

#include <cstring>

#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

template <typename T>
void put(std::vector<uint8_t>& out, const T& v) {
  ctrl::PayloadWriter w(out);
  ASSERT_TRUE(w.put(v));
}

proto::LinkRecord link_rec(const char* name, uint32_t port) {
  proto::LinkRecord r{};
  ctrl::set_fixed_string(r.ifname, name);
  r.ifindex = port;
  r.mtu = 1500;
  return r;
}

std::vector<uint8_t> link_payload(uint32_t n_links, uint32_t n_workers,
                                  const std::vector<std::string>& reasons, bool with_stats) {
  std::vector<uint8_t> p;
  put(p, proto::LinkReplyHeader{proto::kLinkReplyLayout, n_links, n_workers, static_cast<uint32_t>(reasons.size()),
                                with_stats ? 1u : 0u, 0});
  for (const auto& r : reasons) {
    proto::ReasonName n{};
    ctrl::set_fixed_string(n.name, r);
    put(p, n);
  }
  for (uint32_t l = 0; l < n_links; ++l) {
    put(p, link_rec(("dpdk" + std::to_string(l)).c_str(), l));
    if (!with_stats) continue;
    for (uint32_t w = 0; w < n_workers; ++w) {
      put(p, proto::WorkerPortStats{w, w + 1, 10 * (l + 1), 1000, 5, 500, 1, 3 * w + l});
      for (size_t i = 0; i < reasons.size(); ++i) put(p, uint64_t(100 * l + 10 * w + i));
    }
  }
  return p;
}

TEST(DpipReplies, LinkShowWithStats) {
  auto p = link_payload(2, 3, {"a", "bb"}, true);
  auto d = decode_link_show(p);
  ASSERT_TRUE(d.is_ok()) << d.status().message();
  EXPECT_TRUE(d->with_stats);
  EXPECT_EQ(d->n_workers, 3u);
  EXPECT_EQ(d->reasons, (std::vector<std::string>{"a", "bb"}));
  ASSERT_EQ(d->links.size(), 2u);
  EXPECT_EQ(ctrl::fixed_string(d->links[1].rec.ifname), "dpdk1");
  ASSERT_EQ(d->links[1].workers.size(), 3u);
  EXPECT_EQ(d->links[1].workers[2].counters.lcore, 3u);
  EXPECT_EQ(d->links[1].workers[2].counters.rx_packets, 20u);
  EXPECT_EQ(d->links[1].workers[2].drops, (std::vector<uint64_t>{120, 121}));
  EXPECT_EQ(d->links[1].workers[2].counters.redirected, 7u);
  EXPECT_EQ(d->links[0].workers[1].counters.redirected, 3u);
}

// A reply of another layout (an older or newer daemon) is refused by name, not misread.
TEST(DpipReplies, LinkShowOtherLayoutRefused) {
  auto p = link_payload(1, 2, {"a"}, true);
  const uint32_t older = proto::kLinkReplyLayout - 1;
  std::memcpy(p.data(), &older, sizeof older);
  auto d = decode_link_show(p);
  ASSERT_FALSE(d.is_ok());
  EXPECT_EQ(d.status().code(), EPROTO);
  EXPECT_EQ(d.status().message(), "link reply layout 1 from dplb (this dpip reads 2)");
}

TEST(DpipReplies, LinkShowWithoutStats) {
  auto d = decode_link_show(link_payload(2, 3, {"a"}, false));
  ASSERT_TRUE(d.is_ok());
  EXPECT_FALSE(d->with_stats);
  EXPECT_TRUE(d->links[0].workers.empty());
  EXPECT_EQ(ctrl::fixed_string(d->links[0].rec.ifname), "dpdk0");
}

TEST(DpipReplies, LinkShowMalformed) {
  auto good = link_payload(2, 2, {"a", "b"}, true);
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    std::vector<uint8_t> p(good.begin(), good.begin() + static_cast<long>(cut));
    auto d = decode_link_show(p);
    ASSERT_FALSE(d.is_ok()) << cut;
    EXPECT_EQ(d.status().code(), EPROTO);
    EXPECT_EQ(d.status().message(), "malformed link reply from dplb");
  }
  auto extra = good;
  extra.push_back(0);
  EXPECT_FALSE(decode_link_show(extra).is_ok());
  // Huge counts with no bytes behind them are refused, not allocated.
  std::vector<uint8_t> p;
  put(p, proto::LinkReplyHeader{proto::kLinkReplyLayout, 0xffffffffu, 0xffffffffu, 0, 1, 0});
  EXPECT_FALSE(decode_link_show(p).is_ok());
  p.clear();
  put(p, proto::LinkReplyHeader{proto::kLinkReplyLayout, 1, 0xffffffffu, 0, 1, 0});
  put(p, link_rec("x", 0));
  EXPECT_FALSE(decode_link_show(p).is_ok());
  p.clear();
  put(p, proto::LinkReplyHeader{proto::kLinkReplyLayout, 0, 0, 0xffffffffu, 0, 0});
  EXPECT_FALSE(decode_link_show(p).is_ok());
}

TEST(DpipReplies, RecordArrays) {
  std::vector<uint8_t> p;
  proto::AddrRecord a{};
  a.addr = 7;
  put(p, a);
  a.addr = 8;
  put(p, a);
  auto addrs = decode_addrs(p);
  ASSERT_TRUE(addrs.is_ok());
  ASSERT_EQ(addrs->size(), 2u);
  EXPECT_EQ((*addrs)[1].addr, 8u);
  EXPECT_TRUE(decode_addrs({}).is_ok());
  p.push_back(1);
  EXPECT_EQ(decode_addrs(p).status().message(), "malformed address reply from dplb");
  EXPECT_EQ(decode_neighs(p).status().message(), "malformed neighbour reply from dplb");

  std::vector<uint8_t> r;
  proto::RouteRecord rr{};
  rr.n_nexthops = 16;
  put(r, rr);
  EXPECT_TRUE(decode_routes(r).is_ok());
  r.clear();
  rr.n_nexthops = 17;
  put(r, rr);
  EXPECT_EQ(decode_routes(r).status().message(), "malformed route reply from dplb");
  r.clear();
  rr.n_nexthops = 1;
  rr.dst_len = 33;
  put(r, rr);
  EXPECT_FALSE(decode_routes(r).is_ok());
}

TEST(DpipReplies, SingleRecords) {
  std::vector<uint8_t> p;
  put(p, proto::BatchResult{3, EEXIST, "x"});
  auto br = decode_batch_result(p);
  ASSERT_TRUE(br.is_ok());
  EXPECT_EQ(br->applied, 3u);
  EXPECT_EQ(br->error, EEXIST);
  p.pop_back();
  EXPECT_EQ(decode_batch_result(p).status().message(), "malformed route batch reply from dplb");

  std::vector<uint8_t> g;
  put(g, proto::RouteGetReply{});
  EXPECT_TRUE(decode_route_get(g).is_ok());
  EXPECT_FALSE(decode_route_get({}).is_ok());

  std::vector<uint8_t> s;
  put(s, proto::SyncReply{42, 2, 1});
  put(s, proto::SyncWorker{0, 1, 42, 1, 0});
  put(s, proto::SyncWorker{1, 2, 42, 1, 0});
  auto sync = decode_sync(s);
  ASSERT_TRUE(sync.is_ok());
  EXPECT_EQ(sync->workers.size(), 2u);
  EXPECT_EQ(sync->workers[1].lcore, 2u);
  s.resize(s.size() - 1);
  EXPECT_EQ(decode_sync(s).status().message(), "malformed sync reply from dplb");
  std::vector<uint8_t> huge;
  put(huge, proto::SyncReply{0, 0xffffffffu, 0});
  EXPECT_FALSE(decode_sync(huge).is_ok());
}

}  // namespace
}  // namespace dplb::dpip
