// The daemon's startup files, applied in-process through the control plane (no socket, no thread):
// they configure the model and every worker, and a failure names the file, the line and the
// daemon's message in the words the tools use.
#include "daemon/startup_files.h"

#include <unistd.h>

#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "control_bed.h"

namespace dplb::dp::testing {
namespace {

struct TempFile {
  explicit TempFile(const std::string& text) {
    static int n = 0;
    path = "/tmp/dplb_startup_test_" + std::to_string(getpid()) + "_" + std::to_string(n++);
    std::ofstream(path) << text;
  }
  ~TempFile() { unlink(path.c_str()); }
  std::string path;
};

Status apply(ControlBed& b, const std::vector<std::string>& batches, const std::string& rules) {
  conf::Config cfg;
  cfg.dpip_batch = batches;
  cfg.ipvs_rules = rules;
  return apply_startup_files(cfg, [&b](ctrl::Kind kind, uint32_t op, std::span<const uint8_t> payload,
                                       std::vector<uint8_t>& reply) {
    return b.cp.dispatch(kind, op, payload, reply);
  });
}

TEST(StartupFiles, ConfigureTheModelAndEveryWorker) {
  ControlBed b;
  TempFile batch(
      "# a comment\n"
      "addr add 10.10.0.101/32 dev dpdk0\n"
      "route add 198.51.100.0/24 via 192.168.1.254 dev dpdk0\n"
      "route add 203.0.113.0/24 via 10.20.0.254 dev dpdk1 metric 50\n"
      "route show\n");
  TempFile rules(
      "-A -t 10.10.0.101:80 -s rr\n"
      "-a -t 10.10.0.101:80 -r 10.20.0.10:80 -m -w 1\n"
      "--set 600 90 200\n");
  Status st = apply(b, {batch.path}, rules.path);
  ASSERT_TRUE(st.is_ok()) << st.message();
  const Model& m = b.cp.model();
  EXPECT_TRUE(m.routes.find(Ip4Prefix{Ip4::of(198, 51, 100, 0), 24}, 0));
  EXPECT_TRUE(m.routes.find(Ip4Prefix{Ip4::of(203, 0, 113, 0), 24}, 50));
  EXPECT_EQ(m.ipvs.table().service_count(), 1u);
  EXPECT_EQ(m.timeouts.tcp_seconds(), 600);
  for (size_t w = 0; w < 2; ++w) {
    EXPECT_TRUE(b.dp.worker(w).tables.routes.find(Ip4Prefix{Ip4::of(198, 51, 100, 0), 24}, 0)) << "worker " << w;
    EXPECT_EQ(b.dp.worker(w).tables.timeouts.tcp_seconds(), 600) << "worker " << w;
  }
  EXPECT_TRUE(b.all_in_sync());
}

TEST(StartupFiles, ForwardingMethodsNeedTheirRoute) {
  ControlBed b;
  TempFile batch("route add 198.51.100.0/24 via 10.20.0.254 dev dpdk1\n");
  TempFile rules(
      "-A -t 10.10.0.101:80 -s rr\n"
      "-a -t 10.10.0.101:80 -r 10.20.0.10:8080 -g -w 1\n"  // on-link: direct routing, the service's port
      "-a -t 10.10.0.101:80 -r 198.51.100.7 -i -w 2\n");   // behind a gateway: a tunnel reaches it
  Status st = apply(b, {batch.path}, rules.path);
  ASSERT_TRUE(st.is_ok()) << st.message();
  const ipvs::ServiceTable& t = b.dp.worker(1).tables.services;
  int32_t svc = t.find(ipvs::kProtoTcp, Ip4::of(10, 10, 0, 101), 80);
  ASSERT_GE(svc, 0);
  int32_t dr = t.find_dest(uint32_t(svc), Ip4::of(10, 20, 0, 10), 80);
  int32_t tun = t.find_dest(uint32_t(svc), Ip4::of(198, 51, 100, 7), 80);
  ASSERT_GE(dr, 0);
  ASSERT_GE(tun, 0);
  EXPECT_EQ(t.dest_conf(uint32_t(dr)).fwd, ipvs::FwdMethod::droute);
  EXPECT_EQ(t.dest_conf(uint32_t(tun)).fwd, ipvs::FwdMethod::tunnel);

  TempFile not_on_link("-a -t 10.10.0.101:80 -r 198.51.100.8 -g\n");
  EXPECT_EQ(apply(b, {}, not_on_link.path).message(),
            "global.ipvs_rules: " + not_on_link.path +
                ": real server 198.51.100.8 is not on a directly connected network (its route goes via "
                "10.20.0.254): direct routing (-g) needs it on-link\n"
                "ipvsadm: restore stopped at line 1: -a -t 10.10.0.101:80 -r 198.51.100.8 -g");
  TempFile ours("-a -t 10.10.0.101:80 -r 10.20.0.1 -i\n");
  EXPECT_NE(apply(b, {}, ours.path).message().find("real server 10.20.0.1 is one of our addresses"),
            std::string::npos);
  EXPECT_TRUE(b.all_in_sync());
}

TEST(StartupFiles, PersistenceReachesTheWorkersAndSharedServersAgree) {
  ControlBed b;
  TempFile rules(
      "-A -t 10.10.0.101:80 -s rr -p 120 -M 255.255.255.0\n"
      "-a -t 10.10.0.101:80 -r 10.20.0.10:80 -m -w 1\n"
      "-A -t 10.10.0.101:443 -s rr -p 60 -M 255.255.255.0\n"
      "-a -t 10.10.0.101:443 -r 10.20.0.10:80 -m -w 1\n");  // same netmask: one owner rule, accepted
  Status st = apply(b, {}, rules.path);
  ASSERT_TRUE(st.is_ok()) << st.message();
  const ipvs::ServiceTable& t = b.dp.worker(0).tables.services;
  int32_t svc = t.find(ipvs::kProtoTcp, Ip4::of(10, 10, 0, 101), 80);
  ASSERT_GE(svc, 0);
  EXPECT_EQ(t.service_conf(uint32_t(svc)).persist_seconds, 120u);
  EXPECT_EQ(t.service_conf(uint32_t(svc)).persist_prefix, 24);
  uint32_t mask = 0;
  EXPECT_TRUE(t.persist_mask_out(ipvs::kProtoTcp, Ip4::of(10, 20, 0, 10), 80, mask));
  EXPECT_EQ(mask, 0xffffff00u);

  TempFile other("-A -t 10.10.0.101:8080 -s rr\n-a -t 10.10.0.101:8080 -r 10.20.0.10:80 -m\n");
  EXPECT_NE(apply(b, {}, other.path).message().find("real server 10.20.0.10:80 also serves 10.10.0.101:"),
            std::string::npos);
  TempFile not_prefix("-A -t 10.10.0.102:80 -s rr -p -M 255.0.255.0\n");
  EXPECT_NE(apply(b, {}, not_prefix.path).message().find("persistence netmask 255.0.255.0 is not a prefix"),
            std::string::npos);
  EXPECT_TRUE(b.all_in_sync());
}

TEST(StartupFiles, AFailureNamesTheFileTheLineAndTheDaemonsMessage) {
  ControlBed b;
  TempFile twice("route add 10.2.0.0/16 dev dpdk0\n\nroute add 10.2.0.0/16 dev dpdk0\nroute add 10.3.0.0/16 dev dpdk0\n");
  EXPECT_EQ(apply(b, {twice.path}, "").message(),
            "global.dpip_batch: " + twice.path + ": RTNETLINK answers: File exists\nCommand failed " + twice.path + ":3");
  EXPECT_FALSE(b.cp.model().routes.find(Ip4Prefix{Ip4::of(10, 3, 0, 0), 16}, 0)) << "the batch stops at the failure";

  TempFile bad_prefix("route add 10.2.0.0/33 dev dpdk0\n");
  EXPECT_EQ(apply(b, {bad_prefix.path}, "").message(),
            "global.dpip_batch: " + bad_prefix.path +
                ": Error: any valid prefix is expected rather than \"10.2.0.0/33\".\nCommand failed " +
                bad_prefix.path + ":1");

  TempFile no_device("neigh show\naddr add 10.0.0.1/24 dev dpdk9\n");
  EXPECT_EQ(apply(b, {no_device.path}, "").message(),
            "global.dpip_batch: " + no_device.path + ": Cannot find device \"dpdk9\"\nCommand failed " +
                no_device.path + ":2");

  EXPECT_EQ(apply(b, {"/nonexistent/routes.batch"}, "").message(),
            "global.dpip_batch: /nonexistent/routes.batch: Cannot open file \"/nonexistent/routes.batch\" for "
            "reading: No such file or directory");

  TempFile rules("-A -t 10.0.0.1:80 -s rr\n-A -t 10.0.0.1:80 -s rr\n");
  EXPECT_EQ(apply(b, {}, rules.path).message(),
            "global.ipvs_rules: " + rules.path +
                ": Service already exists\nipvsadm: restore stopped at line 2: -A -t 10.0.0.1:80 -s rr");
  TempFile not_a_rule("-L -n\n");
  EXPECT_EQ(apply(b, {}, not_a_rule.path).message(),
            "global.ipvs_rules: " + not_a_rule.path +
                ": not a rule command (rules are -A -E -D -a -e -d -C -Z --set): -L\n"
                "ipvsadm: restore stopped at line 1: -L -n");
  EXPECT_EQ(apply(b, {}, "/nonexistent/rules").message(), "global.ipvs_rules: /nonexistent/rules: cannot read");
  EXPECT_TRUE(b.all_in_sync());
}

}  // namespace
}  // namespace dplb::dp::testing
