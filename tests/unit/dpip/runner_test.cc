// dpip end to end: the real command path (parse, client, decode, format) against a fake daemon, a
// ctrl::Server on a private socket whose handlers return canned replies and record the requests.
#include "cli/dpip/runner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "dplb/base/addr.h"
#include "dplb/ctrl/proto.h"
#include "dplb/ctrl/registry.h"
#include "dplb/ctrl/server.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

struct Request {
  ctrl::Kind kind;
  uint32_t op;
  std::vector<uint8_t> payload;
};

struct RunResult {
  int rc = -1;
  std::string out;
  std::string err;
};

template <typename T>
std::vector<T> records_of(const std::vector<uint8_t>& payload) {
  EXPECT_EQ(payload.size() % sizeof(T), 0u);
  std::vector<T> v(payload.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), payload.data(), v.size() * sizeof(T));
  return v;
}

template <typename T>
void append(std::vector<uint8_t>& out, const T& v) {
  ctrl::PayloadWriter w(out);
  ASSERT_TRUE(w.put(v));
}

uint32_t ip(const char* s) { return parse_ip4(s)->v; }

class FakeDaemon {
 public:
  using Handler = std::function<Status(const std::vector<uint8_t>& payload, std::vector<uint8_t>& reply)>;

  FakeDaemon() {
    char tmpl[] = "/tmp/dpip_test_XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    dir_ = d != nullptr ? d : "/tmp";
    path_ = dir_ + "/dplb.ipc";
    Status added = registry_.add(ctrl::Module{
        "fake",
        {0, 1000},
        {0, 1000},
        [this](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
          std::lock_guard lock(mu_);
          requests_.push_back(Request{kind, op, std::vector<uint8_t>(payload.begin(), payload.end())});
          auto h = handlers_.find(op);
          if (h == handlers_.end())
            return Status::error(EOPNOTSUPP, "unknown operation " + std::to_string(op));
          return h->second(requests_.back().payload, reply);
        }});
    EXPECT_TRUE(added.is_ok()) << added.message();
    server_ = std::make_unique<ctrl::Server>(registry_);
    Status opened = server_->open(path_);
    EXPECT_TRUE(opened.is_ok()) << opened.message();
    thread_ = std::thread([this] {
      while (!stop_.load()) server_->run_once(5);
    });
  }

  ~FakeDaemon() {
    stop_ = true;
    thread_.join();
    server_->close();
    std::filesystem::remove_all(dir_);
  }

  void on(uint32_t op, Handler h) {
    std::lock_guard lock(mu_);
    handlers_[op] = std::move(h);
  }
  // A handler returning a fixed payload (or a fixed error).
  void reply(uint32_t op, std::vector<uint8_t> payload) {
    on(op, [payload](const std::vector<uint8_t>&, std::vector<uint8_t>& out) {
      out = payload;
      return Status::ok();
    });
  }
  void refuse(uint32_t op, int code, std::string message) {
    on(op,
       [code, message](const std::vector<uint8_t>&, std::vector<uint8_t>&) { return Status(code, message); });
  }

  std::vector<Request> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

  const std::string& path() const { return path_; }
  const std::string& dir() const { return dir_; }

  RunResult run(std::vector<std::string> args, const std::string& stdin_text = "") {
    args.insert(args.begin(), {"-x", path_});
    std::istringstream in(stdin_text);
    std::ostringstream out, err;
    RunResult r;
    r.rc = dplb::dpip::run(args, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }

 private:
  std::string dir_;
  std::string path_;
  ctrl::Registry registry_;
  std::unique_ptr<ctrl::Server> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::map<uint32_t, Handler> handlers_;
  std::vector<Request> requests_;
};

std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream is(line);
  for (std::string w; is >> w;) out.push_back(w);
  return out;
}

// ---- canned replies ----------------------------------------------------------------------------

std::vector<uint8_t> link_reply(bool with_stats) {
  std::vector<uint8_t> p;
  append(p, proto::LinkReplyHeader{proto::kLinkReplyLayout, 1, 2, 2, with_stats ? 1u : 0u, 0});
  for (const char* name : {"ipv4_no_route", "tx_full"}) {
    proto::ReasonName n{};
    ctrl::set_fixed_string(n.name, name);
    append(p, n);
  }
  proto::LinkRecord r{};
  ctrl::set_fixed_string(r.ifname, "dpdk0");
  r.ifindex = 0;
  r.mtu = 1500;
  r.flags = proto::kLinkUp | proto::kLinkLowerUp;
  r.mac[0] = 2;
  r.mac[5] = 1;
  append(p, r);
  if (with_stats) {
    append(p, proto::WorkerPortStats{0, 1, 10, 1000, 20, 2000, 0, 6});
    append(p, uint64_t{3});
    append(p, uint64_t{0});
    append(p, proto::WorkerPortStats{1, 2, 5, 500, 6, 600, 1, 0});
    append(p, uint64_t{0});
    append(p, uint64_t{4});
  }
  return p;
}

std::vector<uint8_t> sync_reply(bool in_sync) {
  std::vector<uint8_t> p;
  append(p, proto::SyncReply{0xabcdef, 2, in_sync ? 1u : 0u});
  append(p, proto::SyncWorker{0, 1, 0xabcdef, 1, 0});
  append(p, proto::SyncWorker{1, 2, in_sync ? 0xabcdefu : 0x1u, in_sync ? 1u : 0u, 2});
  return p;
}

std::vector<uint8_t> batch_result(uint32_t applied, int error, const char* message = "") {
  proto::BatchResult br{};
  br.applied = applied;
  br.error = error;
  ctrl::set_fixed_string(br.message, message);
  return ctrl::encode_pod(br);
}

const char kLinkText[] =
    "1: dpdk0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP mode DEFAULT\n"
    "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n";

// ---- tests -----------------------------------------------------------------------------------

TEST(DpipRunner, CannotConnect) {
  std::istringstream in;
  std::ostringstream out, err;
  std::vector<std::string> args = {"-x", "/tmp/dpip_no_such_dir/dplb.ipc", "link"};
  EXPECT_EQ(run(args, in, out, err), kExitFailure);
  EXPECT_EQ(err.str(),
            "Cannot connect to dplb at /tmp/dpip_no_such_dir/dplb.ipc: No such file or directory\n");
  EXPECT_EQ(out.str(), "");
}

TEST(DpipRunner, EnvironmentSocketPath) {
  FakeDaemon d;
  d.reply(proto::kOpLinkShow, link_reply(false));
  ::setenv("DPLB_IPC", d.path().c_str(), 1);
  std::istringstream in;
  std::ostringstream out, err;
  std::vector<std::string> args = {"link"};
  int rc = run(args, in, out, err);
  ::unsetenv("DPLB_IPC");
  EXPECT_EQ(rc, kExitOk) << err.str();
  EXPECT_EQ(out.str(), kLinkText);
}

TEST(DpipRunner, UsageAndCommandLineErrorsNeverCallTheDaemon) {
  FakeDaemon d;
  auto r = d.run(words("route help"));
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_EQ(r.err.rfind("Usage: dpip route { list | flush } SELECTOR\n", 0), 0u);
  EXPECT_EQ(r.out, "");
  r = d.run(words("route add 10.0.0.0/33 dev dpdk0"));
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_EQ(r.err, "Error: any valid prefix is expected rather than \"10.0.0.0/33\".\n");
  r = d.run(words("route add"));
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_EQ(r.err.find("\n\n"), std::string::npos);  // the usage is printed once, newline-terminated
  r = d.run({});
  EXPECT_EQ(r.rc, kExitUsage);
  EXPECT_EQ(r.err.rfind("Usage: dpip [ OPTIONS ] OBJECT { COMMAND | help }\n", 0), 0u);
  EXPECT_TRUE(d.requests().empty());
  r = d.run(words("-V"));
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out, "dpip utility, dplb-0.1.0\n");
}

TEST(DpipRunner, LinkShowSendsTheQueryAndPrints) {
  FakeDaemon d;
  d.reply(proto::kOpLinkShow, link_reply(false));
  auto r = d.run(words("link show dpdk0"));
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, kLinkText);
  auto reqs = d.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].kind, ctrl::Kind::kGet);
  EXPECT_EQ(reqs[0].op, proto::kOpLinkShow);
  proto::LinkQuery q{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[0].payload, q));
  EXPECT_EQ(ctrl::fixed_string(q.ifname), "dpdk0");
  EXPECT_EQ(q.with_stats, 0);
}

TEST(DpipRunner, LinkStatsVerboseAndSyncFooter) {
  FakeDaemon d;
  d.reply(proto::kOpLinkShow, link_reply(true));
  d.reply(proto::kOpSyncShow, sync_reply(true));
  auto r = d.run(words("-s -v link"));
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out,
            std::string(kLinkText) +
                "    RX:  bytes packets errors dropped  missed   mcast           \n"
                "          1500      15      0       7       0       0 \n"
                "    TX:  bytes packets errors dropped carrier collsns           \n"
                "          2600      26      0       1       0       0 \n"
                "    drops:\n"
                "        ipv4_no_route 3\n"
                "        tx_full       4\n"
                "    handover to the owner worker:\n"
                "        worker 0 lcore 1: handed_over 6 ring_full 0\n"
                "        worker 1 lcore 2: handed_over 0 ring_full 0\n"
                "    worker 0 lcore 1: rx_packets 10 rx_bytes 1000 tx_packets 20 tx_bytes 2000 tx_dropped 0\n"
                "        drops: ipv4_no_route 3\n"
                "    worker 1 lcore 2: rx_packets 5 rx_bytes 500 tx_packets 6 tx_bytes 600 tx_dropped 1\n"
                "        drops: tx_full 4\n"
                "sync: all 2 workers agree with the model\n");
  auto reqs = d.requests();
  ASSERT_EQ(reqs.size(), 2u);
  proto::LinkQuery q{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[0].payload, q));
  EXPECT_EQ(q.with_stats, 1);
  EXPECT_EQ(reqs[1].op, proto::kOpSyncShow);
  EXPECT_TRUE(reqs[1].payload.empty());

  d.reply(proto::kOpSyncShow, sync_reply(false));
  r = d.run(words("-v link"));
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_NE(r.out.find("sync: 1 of 2 workers OUT OF SYNC: worker 1 (lcore 2)\n"), std::string::npos) << r.out;

  r = d.run(words("-j -s link"));  // JSON: no footer, one array
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out.rfind("[{\"ifindex\":1,\"ifname\":\"dpdk0\"", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\"stats64\":{\"rx\":{\"bytes\":1500,\"packets\":15,"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.substr(r.out.size() - 3), "}]\n");
}

TEST(DpipRunner, AddrShowJoinsLinksAndAddresses) {
  FakeDaemon d;
  d.reply(proto::kOpLinkShow, link_reply(false));
  proto::AddrRecord a{};
  ctrl::set_fixed_string(a.ifname, "dpdk0");
  a.addr = ip("10.0.0.1");
  a.prefixlen = 24;
  a.broadcast = ip("10.0.0.255");
  a.primary = 1;
  std::vector<uint8_t> addrs;
  append(addrs, a);
  d.reply(proto::kOpAddrShow, addrs);
  auto r = d.run(words("a s dev dpdk0"));
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out,
            "1: dpdk0: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 state UP\n"
            "    link/ether 02:00:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
            "    inet 10.0.0.1/24 brd 10.0.0.255 scope global dpdk0\n"
            "       valid_lft forever preferred_lft forever\n");
  auto reqs = d.requests();
  ASSERT_EQ(reqs.size(), 2u);
  proto::IfFilter f{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[1].payload, f));
  EXPECT_EQ(ctrl::fixed_string(f.ifname), "dpdk0");
}

TEST(DpipRunner, ChangesSendTheirRecord) {
  FakeDaemon d;
  d.reply(proto::kOpAddrAdd, {});
  d.reply(proto::kOpNeighAdd, {});
  d.reply(proto::kOpNeighFlush, {});
  d.reply(proto::kOpRouteFlush, {});
  EXPECT_EQ(d.run(words("addr add 10.0.0.1/24 dev dpdk0")).rc, kExitOk);
  EXPECT_EQ(d.run(words("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0")).rc, kExitOk);
  EXPECT_EQ(d.run(words("neigh flush dev dpdk0")).rc, kExitOk);
  auto r = d.run(words("route flush dev dpdk1"));
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out + r.err, "");
  auto reqs = d.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].kind, ctrl::Kind::kSet);
  proto::AddrRecord a{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[0].payload, a));
  EXPECT_EQ(a.addr, ip("10.0.0.1"));
  EXPECT_EQ(a.prefixlen, 24);
  proto::NeighRecord n{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[1].payload, n));
  EXPECT_EQ(n.state, 6);
  EXPECT_EQ(n.mac[5], 2);
  proto::IfFilter f{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[2].payload, f));
  EXPECT_EQ(ctrl::fixed_string(f.ifname), "dpdk0");
  proto::RouteRecord rf{};
  ASSERT_TRUE(ctrl::decode_pod(reqs[3].payload, rf));
  EXPECT_EQ(rf.has, proto::kRouteHasDev);
  EXPECT_EQ(ctrl::fixed_string(rf.nh[0].ifname), "dpdk1");
}

TEST(DpipRunner, DaemonErrorsInIpWording) {
  FakeDaemon d;
  d.refuse(proto::kOpAddrAdd, EEXIST, "");
  auto r = d.run(words("addr add 10.0.0.1/24 dev dpdk0"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "RTNETLINK answers: File exists\n");
  d.refuse(proto::kOpAddrDel, EADDRNOTAVAIL, "10.0.0.9/24 is not an address of dpdk0");
  r = d.run(words("addr del 10.0.0.9/24 dev dpdk0"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Error: 10.0.0.9/24 is not an address of dpdk0\n");
  d.refuse(proto::kOpNeighAdd, ENODEV, "");
  r = d.run(words("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk9"));
  EXPECT_EQ(r.err, "Cannot find device \"dpdk9\"\n");
  d.refuse(proto::kOpNeighShow, ENODEV, "");
  r = d.run(words("neigh show dev dpdk9"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Device \"dpdk9\" does not exist.\n");
  EXPECT_EQ(r.out, "");
  // a device the daemon does not list
  std::vector<uint8_t> none;
  append(none, proto::LinkReplyHeader{proto::kLinkReplyLayout, 0, 2, 0, 0, 0});
  d.reply(proto::kOpLinkShow, none);
  r = d.run(words("link show dpdk7"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Device \"dpdk7\" does not exist.\n");
  // no module for the operation: the registry's message
  r = d.run(words("route get 10.1.2.3"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Error: unknown operation 401\n");
  // a reply the tool cannot decode
  d.reply(proto::kOpNeighShow, {1, 2, 3});
  r = d.run(words("neigh"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Error: malformed neighbour reply from dplb\n");
}

TEST(DpipRunner, RouteAddAndGet) {
  FakeDaemon d;
  d.reply(proto::kOpRouteAdd, batch_result(1, 0));
  auto r = d.run(words("route add 10.1.0.0/16 via 10.0.0.2 dev dpdk0 metric 10"));
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  auto reqs = d.requests();
  ASSERT_EQ(reqs.size(), 1u);
  EXPECT_EQ(reqs[0].op, proto::kOpRouteAdd);
  auto recs = records_of<proto::RouteRecord>(reqs[0].payload);
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].dst, ip("10.1.0.0"));
  EXPECT_EQ(recs[0].metric, 10u);

  d.reply(proto::kOpRouteAdd, batch_result(0, EEXIST));
  r = d.run(words("route add 10.1.0.0/16 via 10.0.0.2"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "RTNETLINK answers: File exists\n");  // no "Command failed" outside a batch
  d.reply(proto::kOpRouteDel, batch_result(0, ESRCH, "no such route"));
  r = d.run(words("route del 10.1.0.0/16"));
  EXPECT_EQ(r.err, "Error: no such route\n");
  EXPECT_EQ(d.requests().back().op, proto::kOpRouteDel);
  d.reply(proto::kOpRouteAdd, batch_result(0, 0));  // claims nothing applied, no error
  r = d.run(words("route add 10.1.0.0/16 via 10.0.0.2"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Error: malformed route batch reply from dplb\n");

  proto::RouteGetReply g{};
  g.route.dst = ip("10.1.0.0");
  g.route.dst_len = 16;
  g.route.n_nexthops = 1;
  g.route.mtu = 1400;
  ctrl::set_fixed_string(g.dev, "dpdk0");
  g.next_hop = ip("10.0.0.2");
  g.src = ip("10.0.0.1");
  g.mtu = 1400;
  d.reply(proto::kOpRouteGet, ctrl::encode_pod(g));
  r = d.run(words("route get 10.1.2.3 oif dpdk0"));
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out, "10.1.2.3 via 10.0.0.2 dev dpdk0 src 10.0.0.1 \n    cache mtu 1400 \n");
  proto::RouteGetQuery q{};
  ASSERT_TRUE(ctrl::decode_pod(d.requests().back().payload, q));
  EXPECT_EQ(q.dst, ip("10.1.2.3"));
  EXPECT_EQ(ctrl::fixed_string(q.oif), "dpdk0");
}

TEST(DpipRunner, RouteShowTables) {
  FakeDaemon d;
  std::vector<uint8_t> routes;
  proto::RouteRecord main{};
  main.dst_len = 0;
  main.n_nexthops = 1;
  main.nh[0].gateway = ip("10.0.0.254");
  ctrl::set_fixed_string(main.nh[0].ifname, "dpdk0");
  append(routes, main);
  proto::RouteRecord local{};
  local.dst = ip("10.0.0.1");
  local.dst_len = 32;
  local.scope = proto::kScopeHost;
  local.src = ip("10.0.0.1");
  local.flags = proto::kRouteFlagLocal | proto::kRouteFlagProtoKernel;
  local.n_nexthops = 1;
  ctrl::set_fixed_string(local.nh[0].ifname, "dpdk0");
  append(routes, local);
  d.reply(proto::kOpRouteShow, routes);
  EXPECT_EQ(d.run(words("route")).out, "default via 10.0.0.254 dev dpdk0 \n");
  EXPECT_EQ(d.run(words("r s table local")).out,
            "local 10.0.0.1 dev dpdk0 proto kernel scope host src 10.0.0.1 \n");
  EXPECT_EQ(d.run(words("-j r s table local")).out,
            "[{\"type\":\"local\",\"dst\":\"10.0.0.1\",\"dev\":\"dpdk0\",\"protocol\":\"kernel\",\"scope\":"
            "\"host\","
            "\"prefsrc\":\"10.0.0.1\",\"flags\":[]}]\n");
  auto r = d.run(words("route show dev dpdk0 10.0.0.0/8"));
  EXPECT_EQ(r.out, "default via 10.0.0.254 \n");
  proto::RouteRecord f{};
  ASSERT_TRUE(ctrl::decode_pod(d.requests().back().payload, f));
  EXPECT_EQ(f.has, proto::kRouteHasDev | proto::kRouteHasPrefix);
  EXPECT_EQ(f.dst_len, 8);
  EXPECT_EQ(f.flags, proto::kRouteFlagForward);
  d.run(words("route show table local"));
  ASSERT_TRUE(ctrl::decode_pod(d.requests().back().payload, f));
  EXPECT_EQ(f.flags, proto::kRouteFlagLocal);
}

TEST(DpipRunner, ErrorLineWording) {
  EXPECT_EQ(daemon_error_line(EEXIST, "", "", false), "RTNETLINK answers: File exists");
  EXPECT_EQ(daemon_error_line(ENOENT, "No such file or directory", "dpdk0", false),
            "RTNETLINK answers: No such file or directory");  // the daemon echoing strerror
  EXPECT_EQ(daemon_error_line(ENETUNREACH, "Network is unreachable", "", false),
            "RTNETLINK answers: Network is unreachable");
  EXPECT_EQ(daemon_error_line(EINVAL, "Invalid MTU", "", false), "Error: Invalid MTU");
  EXPECT_EQ(daemon_error_line(ENODEV, "", "dpdk9", false), "Cannot find device \"dpdk9\"");
  EXPECT_EQ(daemon_error_line(ENODEV, "Cannot find device \"dpdk8\"", "dpdk9", false),
            "Cannot find device \"dpdk8\"");
  EXPECT_EQ(daemon_error_line(ENODEV, "Cannot find device \"dpdk9\"", "dpdk9", true),
            "Device \"dpdk9\" does not exist.");
  EXPECT_EQ(daemon_error_line(ENODEV, "", "", true), "RTNETLINK answers: No such device");
}

TEST(DpipRunner, SyncExitStatus) {
  FakeDaemon d;
  d.reply(proto::kOpSyncShow, sync_reply(true));
  auto r = d.run(words("sync"));
  EXPECT_EQ(r.rc, kExitOk);
  EXPECT_EQ(r.out,
            "model digest 0x0000000000abcdef\n"
            "worker 0 lcore 1 digest 0x0000000000abcdef replays 0 in sync\n"
            "worker 1 lcore 2 digest 0x0000000000abcdef replays 2 in sync\n");
  d.reply(proto::kOpSyncShow, sync_reply(false));
  r = d.run(words("-j sync"));
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_NE(r.out.find("\"all_in_sync\":false"), std::string::npos);
}

// ---- batches ---------------------------------------------------------------------------------

// Route batches: records are applied in order; the handler fails the first record whose
// destination is in `bad` (like the daemon, stopping there) and records what it was sent.
struct RouteModel {
  std::mutex mu;
  std::vector<uint32_t> bad;
  std::vector<std::vector<proto::RouteRecord>> requests;
  std::vector<uint32_t> applied;  // destinations, in order
};

void serve_routes(FakeDaemon& d, RouteModel& m, uint32_t op) {
  d.on(op, [&m](const std::vector<uint8_t>& payload, std::vector<uint8_t>& reply) {
    auto recs = records_of<proto::RouteRecord>(payload);
    std::lock_guard lock(m.mu);
    m.requests.push_back(recs);
    for (size_t i = 0; i < recs.size(); ++i) {
      if (std::find(m.bad.begin(), m.bad.end(), recs[i].dst) != m.bad.end()) {
        reply = batch_result(static_cast<uint32_t>(i), EEXIST);
        return Status::ok();
      }
      m.applied.push_back(recs[i].dst);
    }
    reply = batch_result(static_cast<uint32_t>(recs.size()), 0);
    return Status::ok();
  });
}

std::string write_file(const FakeDaemon& d, const std::string& name, const std::string& text) {
  std::string path = d.dir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

const char kBatch[] =
    "# routes for the lab\n"                                    // 1
    "route add 10.1.0.0/16 dev dpdk0\n"                         // 2
    "\n"                                                        // 3
    "r a 10.2.0.0/16 via 10.0.0.2\n"                            // 4
    "   # indented comment\n"                                   // 5
    "route replace 10.3.0.0/16 dev dpdk0 # trailing comment\n"  // 6
    "route del 10.9.0.0/16\n"                                   // 7
    "addr add 10.0.0.1/24 dev dpdk0\n"                          // 8
    "route append 10.4.0.0/16 dev dpdk1\n"                      // 9
    "route add 10.5.0.0/16 dev dpdk1\n";                        // 10

TEST(DpipRunnerBatch, GroupsConsecutiveRouteChanges) {
  FakeDaemon d;
  RouteModel m;
  serve_routes(d, m, proto::kOpRouteAdd);
  serve_routes(d, m, proto::kOpRouteDel);
  d.reply(proto::kOpAddrAdd, {});
  auto file = write_file(d, "b.txt", kBatch);
  auto r = d.run({"-batch", file});
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out + r.err, "");
  auto reqs = d.requests();
  ASSERT_EQ(reqs.size(), 4u);
  EXPECT_EQ(reqs[0].op, proto::kOpRouteAdd);
  EXPECT_EQ(reqs[1].op, proto::kOpRouteDel);
  EXPECT_EQ(reqs[2].op, proto::kOpAddrAdd);
  EXPECT_EQ(reqs[3].op, proto::kOpRouteAdd);
  ASSERT_EQ(m.requests.size(), 3u);
  ASSERT_EQ(m.requests[0].size(), 3u);  // lines 2, 4, 6: add, add, replace in one request
  EXPECT_EQ(m.requests[0][0].dst, ip("10.1.0.0"));
  EXPECT_EQ(m.requests[0][1].nh[0].gateway, ip("10.0.0.2"));
  EXPECT_EQ(m.requests[0][2].mode, proto::kRouteAddReplace);
  EXPECT_EQ(m.requests[1].size(), 1u);
  ASSERT_EQ(m.requests[2].size(), 2u);
  EXPECT_EQ(m.requests[2][0].mode, proto::kRouteAddAppend);
  EXPECT_EQ(m.requests[2][1].mode, proto::kRouteAddCreate);
}

TEST(DpipRunnerBatch, FailureNamesTheLineAndStops) {
  FakeDaemon d;
  RouteModel m;
  m.bad = {ip("10.2.0.0")};
  serve_routes(d, m, proto::kOpRouteAdd);
  serve_routes(d, m, proto::kOpRouteDel);
  d.reply(proto::kOpAddrAdd, {});
  auto file = write_file(d, "b.txt", kBatch);
  auto r = d.run({"-batch", file});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "RTNETLINK answers: File exists\nCommand failed " + file + ":4\n");
  EXPECT_EQ(m.applied, (std::vector<uint32_t>{ip("10.1.0.0")}));
  EXPECT_EQ(d.requests().size(), 1u);  // nothing after the failure
}

TEST(DpipRunnerBatch, ForceGoesOnAfterEachFailure) {
  FakeDaemon d;
  RouteModel m;
  m.bad = {ip("10.2.0.0"), ip("10.9.0.0"), ip("10.4.0.0")};
  serve_routes(d, m, proto::kOpRouteAdd);
  serve_routes(d, m, proto::kOpRouteDel);
  d.refuse(proto::kOpAddrAdd, EINVAL, "bad address");
  auto file = write_file(d, "b.txt", kBatch);
  auto r = d.run({"-force", "-batch", file});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "RTNETLINK answers: File exists\nCommand failed " + file + ":4\n" +
                       "RTNETLINK answers: File exists\nCommand failed " + file + ":7\n" +
                       "Error: bad address\nCommand failed " + file + ":8\n" +
                       "RTNETLINK answers: File exists\nCommand failed " + file + ":9\n");
  // every line that could be applied was, in order; the rest of a group is resent after a failure
  EXPECT_EQ(m.applied, (std::vector<uint32_t>{ip("10.1.0.0"), ip("10.3.0.0"), ip("10.5.0.0")}));
  ASSERT_EQ(m.requests.size(), 5u);
  EXPECT_EQ(m.requests[0].size(), 3u);
  EXPECT_EQ(m.requests[1].size(), 1u);  // line 6 again, alone
  EXPECT_EQ(m.requests[1][0].dst, ip("10.3.0.0"));
}

TEST(DpipRunnerBatch, ParseErrorsRunWhatCameBeforeAndNameTheLine) {
  FakeDaemon d;
  RouteModel m;
  serve_routes(d, m, proto::kOpRouteAdd);
  auto file = write_file(d, "b.txt",
                         "route add 10.1.0.0/16 dev dpdk0\n"
                         "route add 10.2.0.0/33 dev dpdk0\n"
                         "route add 10.3.0.0/16 dev dpdk0\n");
  auto r = d.run({"-batch", file});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Error: any valid prefix is expected rather than \"10.2.0.0/33\".\nCommand failed " +
                       file + ":2\n");
  EXPECT_EQ(m.applied, (std::vector<uint32_t>{ip("10.1.0.0")}));

  m.applied.clear();
  r = d.run({"-force", "-batch", file});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(m.applied, (std::vector<uint32_t>{ip("10.1.0.0"), ip("10.3.0.0")}));
}

TEST(DpipRunnerBatch, StdinShowsAndGlobalOptions) {
  FakeDaemon d;
  d.reply(proto::kOpLinkShow, link_reply(false));
  d.reply(proto::kOpSyncShow, sync_reply(true));
  auto r = d.run({"-j", "-batch", "-"}, "link\n\nsync\n");
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  EXPECT_EQ(r.out.rfind("[{\"ifindex\":1,", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("]\n{\"model_digest\":\"0x0000000000abcdef\""), std::string::npos) << r.out;

  r = d.run({"-batch", "/nonexistent/dpip.batch"});
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "Cannot open file \"/nonexistent/dpip.batch\" for reading: No such file or directory\n");
}

TEST(DpipRunnerBatch, HundredThousandRoutesInFullRequests) {
  FakeDaemon d;
  RouteModel m;
  serve_routes(d, m, proto::kOpRouteAdd);
  std::string text;
  const uint32_t n = 100000;
  text.reserve(n * 40);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t dst = (10u << 24) | (i << 8);
    text += "route add " + to_string(Ip4(dst)) + "/24 via 10.0.0.2 dev dpdk0\n";
  }
  auto r = d.run({"-batch", "-"}, text);
  EXPECT_EQ(r.rc, kExitOk) << r.err;
  ASSERT_EQ(m.applied.size(), n);
  EXPECT_EQ(m.applied.front(), ip("10.0.0.0"));
  EXPECT_EQ(m.applied.back(), (10u << 24) | ((n - 1) << 8));
  const size_t per = ctrl::kMaxRequestPayload / sizeof(proto::RouteRecord);
  ASSERT_EQ(m.requests.size(), (n + per - 1) / per);
  for (size_t i = 0; i + 1 < m.requests.size(); ++i) EXPECT_EQ(m.requests[i].size(), per);
  EXPECT_EQ(m.requests.back().size(), n % per);
}

TEST(DpipRunnerBatch, ForceWhenEveryLineFailsStaysLinear) {
  FakeDaemon d;
  RouteModel m;
  const uint32_t n = 3000;
  std::string text;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t dst = (10u << 24) | (i << 8);
    m.bad.push_back(dst);
    text += "route add " + to_string(Ip4(dst)) + "/24 dev d\n";
  }
  serve_routes(d, m, proto::kOpRouteAdd);
  auto r = d.run({"-force", "-batch", "-"}, text);
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_TRUE(m.applied.empty());
  // every line reported once, in order
  size_t reported = 0;
  std::istringstream err(r.err);
  for (std::string line; std::getline(err, line);) {
    if (line.rfind("Command failed -:", 0) != 0) continue;
    EXPECT_EQ(line, "Command failed -:" + std::to_string(reported + 1));
    ++reported;
  }
  EXPECT_EQ(reported, n);
  size_t sent = 0;
  for (const auto& req : m.requests) sent += req.size();
  EXPECT_LE(sent, 4u * n);  // resending whole remainders would be ~n*n/2
}

TEST(DpipRunnerBatch, FailureDeepInALargeGroupNamesItsLine) {
  FakeDaemon d;
  RouteModel m;
  const uint32_t n = 3000;  // two requests; fail inside the second
  m.bad = {(10u << 24) | (2700u << 8)};
  serve_routes(d, m, proto::kOpRouteAdd);
  std::string text = "# header\n";
  for (uint32_t i = 0; i < n; ++i)
    text += "route add " + to_string(Ip4((10u << 24) | (i << 8))) + "/24 dev d\n";
  auto r = d.run({"-batch", "-"}, text);
  EXPECT_EQ(r.rc, kExitFailure);
  EXPECT_EQ(r.err, "RTNETLINK answers: File exists\nCommand failed -:2702\n");
  EXPECT_EQ(m.applied.size(), 2700u);
}

}  // namespace
}  // namespace dplb::dpip
