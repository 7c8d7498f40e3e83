// The control plane and its modules over fake ports and workers: a command changes the model and
// every worker's tables, a batch stops at its first failure, bad requests get clear errors, and a
// worker that fails a message is marked out of sync and rebuilt by replay.
#include <chrono>
#include <cstring>
#include <thread>

#include <gtest/gtest.h>

#include "control_bed.h"

namespace dplb::dp::testing {
namespace {

using ctrl::encode_pod;

proto::BatchResult batch_result(const std::vector<uint8_t>& reply) {
  proto::BatchResult r{};
  EXPECT_EQ(reply.size(), sizeof r);
  if (reply.size() == sizeof r) std::memcpy(&r, reply.data(), sizeof r);
  return r;
}

Ip4Prefix prefix_of(const proto::RouteRecord& r) { return Ip4Prefix{Ip4(r.dst), r.dst_len}; }

TEST(ControlPlane, RouteAddReachesTheModelAndEveryWorker) {
  ControlBed b;
  proto::RouteRecord rec = route_record({"route", "add", "10.1.0.0/16", "via", "192.168.1.254", "dev", "dpdk0"});
  std::vector<uint8_t> reply;
  Status st = b.set(proto::kOpRouteAdd, encode_pod(rec), reply);
  ASSERT_TRUE(st.is_ok()) << st.message();
  EXPECT_EQ(batch_result(reply).applied, 1u);
  EXPECT_EQ(batch_result(reply).error, 0);

  auto in_model = b.cp.model().routes.find(prefix_of(rec), 0);
  ASSERT_TRUE(in_model);
  ASSERT_EQ(in_model->nexthops.size(), 1u);
  EXPECT_EQ(in_model->nexthops[0].gateway, Ip4::of(192, 168, 1, 254));
  for (size_t w = 0; w < 2; ++w) {
    auto on_worker = b.dp.worker(w).tables.routes.find(prefix_of(rec), 0);
    ASSERT_TRUE(on_worker) << "worker " << w;
    ASSERT_EQ(on_worker->nexthops.size(), 1u);
    EXPECT_EQ(on_worker->nexthops[0].gateway, Ip4::of(192, 168, 1, 254)) << "worker " << w;
    EXPECT_EQ(on_worker->nexthops[0].port, 0);
  }
  EXPECT_TRUE(b.all_in_sync());

  // And del takes it off everywhere.
  rec = route_record({"route", "del", "10.1.0.0/16"});
  ASSERT_TRUE(b.set(proto::kOpRouteDel, encode_pod(rec), reply).is_ok());
  EXPECT_FALSE(b.cp.model().routes.find(prefix_of(rec), 0));
  for (size_t w = 0; w < 2; ++w) EXPECT_FALSE(b.dp.worker(w).tables.routes.find(prefix_of(rec), 0)) << "worker " << w;
  EXPECT_TRUE(b.all_in_sync());
}

TEST(ControlPlane, RouteBatchStopsAtItsFirstFailure) {
  ControlBed b;
  std::vector<proto::RouteRecord> recs = {
      route_record({"route", "add", "10.2.0.0/16", "dev", "dpdk1"}),
      route_record({"route", "add", "10.2.0.0/16", "dev", "dpdk1"}),  // exists by now
      route_record({"route", "add", "10.3.0.0/16", "dev", "dpdk1"}),
  };
  std::vector<uint8_t> reply;
  ASSERT_TRUE(b.set(proto::kOpRouteAdd, dpip::encode_routes(recs, 0, recs.size()), reply).is_ok());
  proto::BatchResult r = batch_result(reply);
  EXPECT_EQ(r.applied, 1u);
  EXPECT_EQ(r.error, EEXIST);
  EXPECT_STREQ(r.message, "File exists");
  EXPECT_TRUE(b.cp.model().routes.find(prefix_of(recs[0]), 0));
  EXPECT_FALSE(b.cp.model().routes.find(prefix_of(recs[2]), 0));
  for (size_t w = 0; w < 2; ++w) {
    EXPECT_TRUE(b.dp.worker(w).tables.routes.find(prefix_of(recs[0]), 0)) << "worker " << w;
    EXPECT_FALSE(b.dp.worker(w).tables.routes.find(prefix_of(recs[2]), 0)) << "worker " << w;
  }
  EXPECT_TRUE(b.all_in_sync());
}

TEST(ControlPlane, BadRequestsGetClearErrors) {
  ControlBed b;
  auto expect_error = [&](uint32_t op, std::span<const uint8_t> payload, int code, std::string_view message) {
    Status st = b.set(op, payload);
    EXPECT_EQ(st.code(), code) << message;
    EXPECT_EQ(st.message(), message);
  };
  const std::vector<uint8_t> three_bytes = {1, 2, 3};
  expect_error(proto::kOpRouteAdd, three_bytes, EINVAL, "malformed route batch");
  expect_error(proto::kOpRouteAdd, {}, EINVAL, "malformed route batch");
  expect_error(proto::kOpAddrAdd, three_bytes, EINVAL, "malformed address record");
  expect_error(proto::kOpIpvsClear, three_bytes, EINVAL, "malformed ipvs request: unexpected payload");

  proto::AddrRecord addr{};
  ctrl::set_fixed_string(addr.ifname, "dpdk7");
  addr.addr = Ip4::of(10, 0, 0, 1).v;
  addr.prefixlen = 24;
  expect_error(proto::kOpAddrAdd, encode_pod(addr), ENODEV, "Cannot find device \"dpdk7\"");
  ctrl::set_fixed_string(addr.ifname, "dpdk0");
  addr.prefixlen = 33;
  expect_error(proto::kOpAddrAdd, encode_pod(addr), EINVAL, "Invalid prefix length 33");

  // A refused record inside a batch is reported in the batch result, with the record's words.
  proto::RouteRecord no_dev = route_record({"route", "add", "10.4.0.0/16", "dev", "dpdk0"});
  no_dev.n_nexthops = 0;
  std::vector<uint8_t> reply;
  ASSERT_TRUE(b.set(proto::kOpRouteAdd, encode_pod(no_dev), reply).is_ok());
  EXPECT_EQ(batch_result(reply).error, EINVAL);
  EXPECT_STREQ(batch_result(reply).message, "Nexthop device required");

  EXPECT_EQ(b.set(0xfffffff0u, {}).code(), EOPNOTSUPP);
  EXPECT_TRUE(b.all_in_sync());  // nothing above changed anything
}

TEST(ControlPlane, AFailedWorkerIsMarkedOutOfSyncAndReplayed) {
  ControlBed b;
  // Worker 1 loses its tables (no ports any more): the next address cannot be applied there.
  b.dp.with_worker_held(1, [](Worker& w) { w.tables.routes = route::RouteTable(); });

  proto::AddrRecord addr{};
  ctrl::set_fixed_string(addr.ifname, "dpdk1");
  addr.addr = Ip4::of(10, 9, 0, 1).v;
  addr.prefixlen = 24;
  Status st = b.set(proto::kOpAddrAdd, encode_pod(addr));
  EXPECT_FALSE(st.is_ok()) << "a worker failed: the command must say so";
  EXPECT_TRUE(b.cp.multicaster().in_sync(0));
  EXPECT_FALSE(b.cp.multicaster().in_sync(1));

  // The main loop's housekeeping replays the model to it.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!b.cp.multicaster().in_sync(1) && std::chrono::steady_clock::now() < deadline) {
    b.cp.housekeeping();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_TRUE(b.cp.multicaster().in_sync(1));
  const std::vector<Ip4Prefix>& port0 = b.dp.worker(1).tables.routes.addrs(0);
  const std::vector<Ip4Prefix>& port1 = b.dp.worker(1).tables.routes.addrs(1);
  EXPECT_EQ(port0, (std::vector<Ip4Prefix>{Ip4Prefix{Ip4::of(192, 168, 1, 1), 24}}));
  EXPECT_EQ(port1, (std::vector<Ip4Prefix>{Ip4Prefix{Ip4::of(10, 20, 0, 1), 24}, Ip4Prefix{Ip4::of(10, 9, 0, 1), 24}}));
  EXPECT_TRUE(b.all_in_sync());
}

}  // namespace
}  // namespace dplb::dp::testing
