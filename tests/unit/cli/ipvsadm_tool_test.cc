// The ipvsadm tool end to end, in-process: its command path against a fake daemon (a ctrl::Server on
// a private socket whose IPVS handlers keep a tiny in-memory model), comparing outputs, error texts
// and exit statuses with ipvsadm's.
#include "cli/ipvsadm/ipvsadm_tool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <tuple>

#include "cli/ipvsadm/ipvsadm_reply.h"
#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ctrl/registry.h"
#include "dplb/ctrl/server.h"
#include "dplb/ctrl/wire.h"
#include "dplb/ipvs/service_conf.h"

namespace dplb::cli {
namespace {

using ctrl::Kind;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/dplb_ipvsadm_XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    path_ = d != nullptr ? d : "/tmp";
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// The IPVS operations of the daemon, on a map: the same answers (and ipvsadm's messages) for the
// same requests, nothing else.
class FakeIpvsd {
 public:
  using Key = std::tuple<uint8_t, uint32_t, uint16_t>;
  using DestKey = std::pair<uint32_t, uint16_t>;
  struct Svc {
    proto::ServiceRecord rec;
    std::map<DestKey, proto::DestRecord> dests;
  };

  FakeIpvsd() {
    EXPECT_TRUE(registry_.add(
        {"ipvs",
         {500, 550},
         {550, 600},
         [this](Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
           std::lock_guard<std::mutex> g(mu_);
           if (kind == Kind::kSet) set_ops_.push_back(op);
           return handle(op, payload, reply);
         }}));
  }

  const ctrl::Registry& registry() const { return registry_; }

  template <typename F>
  auto with(F&& f) {
    std::lock_guard<std::mutex> g(mu_);
    return f(*this);
  }

  std::map<Key, Svc> services;
  proto::IpvsTimeouts timeouts{900, 120, 300, 0};
  ConnList conns;
  bool corrupt_list = false;
  int refuse_with = 0;  // answer every change with this errno and no message
  std::vector<uint32_t> set_ops_;

 private:
  static Key key_of(const proto::ServiceRecord& r) { return {r.proto, r.addr, r.port}; }

  template <typename T>
  static bool read(std::span<const uint8_t> payload, T& out) {
    std::memset(&out, 0, sizeof out);
    return ctrl::decode_pod(payload, out);
  }

  Status handle(uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    const Status malformed = Status::invalid("malformed request");
    if (op >= 550 && refuse_with != 0) return Status::error(refuse_with, "");
    switch (op) {
      case proto::kOpIpvsInfo: {
        if (!payload.empty()) return malformed;
        reply = ctrl::encode_pod(proto::IpvsInfo{0x010201, 4096, uint32_t(services.size()), 2});
        return Status::ok();
      }
      case proto::kOpIpvsList: {
        proto::ServiceQuery q;
        if (!read(payload, q)) return malformed;
        std::vector<ServiceEntry> out;
        for (const auto& [k, s] : services) {
          if (q.has_service != 0 && k != key_of(q.service)) continue;
          ServiceEntry e{s.rec, {}};
          for (const auto& [dk, d] : s.dests) e.dests.push_back(d);
          out.push_back(e);
        }
        if (q.has_service != 0 && out.empty()) return Status::error(ESRCH, "No such service");
        reply = encode_list(out);
        if (corrupt_list) reply.resize(reply.size() - 1);
        return Status::ok();
      }
      case proto::kOpIpvsConns: {
        proto::ConnQuery q;
        if (!read(payload, q)) return malformed;
        reply = encode_conns(conns);
        return Status::ok();
      }
      case proto::kOpIpvsGetTimeouts: reply = ctrl::encode_pod(timeouts); return Status::ok();
      case proto::kOpIpvsAddService:
      case proto::kOpIpvsEditService: {
        proto::ServiceRecord r;
        if (!read(payload, r)) return malformed;
        if (!ipvs::parse_sched(ctrl::fixed_string(r.sched)))
          return Status::error(ENOENT, "Scheduler not found");
        auto it = services.find(key_of(r));
        if (op == proto::kOpIpvsAddService) {
          if (it != services.end()) return Status::error(EEXIST, "Service already exists");
          services[key_of(r)] = Svc{r, {}};
        } else {
          if (it == services.end()) return Status::error(ESRCH, "No such service");
          std::memcpy(it->second.rec.sched, r.sched, sizeof r.sched);
          it->second.rec.flags = r.flags;
        }
        return Status::ok();
      }
      case proto::kOpIpvsDelService: {
        proto::ServiceRecord r;
        if (!read(payload, r)) return malformed;
        if (services.erase(key_of(r)) == 0) return Status::error(ESRCH, "No such service");
        return Status::ok();
      }
      case proto::kOpIpvsAddDest:
      case proto::kOpIpvsEditDest:
      case proto::kOpIpvsDelDest: {
        proto::DestOp d;
        if (!read(payload, d)) return malformed;
        auto it = services.find(key_of(d.service));
        if (it == services.end()) return Status::error(ESRCH, "No such service");
        auto& dests = it->second.dests;
        DestKey dk{d.dest.addr, d.dest.port};
        bool exists = dests.count(dk) != 0;
        if (op == proto::kOpIpvsAddDest) {
          if (exists) return Status::error(EEXIST, "Destination already exists");
          dests[dk] = d.dest;
        } else if (!exists) {
          return Status::error(ENOENT, "No such destination");
        } else if (op == proto::kOpIpvsEditDest) {
          dests[dk].weight = d.dest.weight;
        } else {
          dests.erase(dk);
        }
        return Status::ok();
      }
      case proto::kOpIpvsClear:
        if (!payload.empty()) return malformed;
        services.clear();
        return Status::ok();
      case proto::kOpIpvsZero: {
        proto::ServiceQuery q;
        if (!read(payload, q)) return malformed;
        bool found = false;
        for (auto& [k, s] : services) {
          if (q.has_service != 0 && k != key_of(q.service)) continue;
          found = true;
          std::memset(&s.rec.stats, 0, sizeof s.rec.stats);
          for (auto& [dk, d] : s.dests) std::memset(&d.stats, 0, sizeof d.stats);
        }
        if (q.has_service != 0 && !found) return Status::error(ESRCH, "No such service");
        return Status::ok();
      }
      case proto::kOpIpvsSetTimeouts: {
        proto::IpvsTimeouts t;
        if (!read(payload, t)) return malformed;
        if (t.tcp != 0) timeouts.tcp = t.tcp;
        if (t.tcp_fin != 0) timeouts.tcp_fin = t.tcp_fin;
        if (t.udp != 0) timeouts.udp = t.udp;
        return Status::ok();
      }
      default: return Status::error(EOPNOTSUPP, "unknown operation");
    }
  }

  std::mutex mu_;
  ctrl::Registry registry_;
};

struct Outcome {
  int exit = -1;
  std::string out;
  std::string err;
};

class IpvsadmTool : public ::testing::Test {
 protected:
  IpvsadmTool() : server_(fake_.registry()) {
    Status s = server_.open(path_);
    EXPECT_TRUE(s) << s.message();
    thread_ = std::thread([this] {
      while (!stop_.load()) server_.run_once(5);
    });
  }
  ~IpvsadmTool() override {
    stop_ = true;
    thread_.join();
  }

  Outcome run(std::vector<std::string> args, const std::string& input = "", const std::string& path = "") {
    std::istringstream in(input);
    std::ostringstream out;
    std::ostringstream err;
    Outcome r;
    r.exit = run_ipvsadm("ipvsadm", args, path.empty() ? path_ : path, in, out, err);
    r.out = out.str();
    r.err = err.str();
    return r;
  }
  Outcome run(std::initializer_list<const char*> args, const std::string& input = "") {
    return run(std::vector<std::string>(args.begin(), args.end()), input);
  }

  // A change that succeeds silently.
  void ok(std::initializer_list<const char*> args) {
    Outcome r = run(args);
    EXPECT_EQ(r.exit, 0) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_EQ(r.err, "");
  }

  size_t set_ops() {
    return fake_.with([](FakeIpvsd& f) { return f.set_ops_.size(); });
  }

  TempDir dir_;
  const std::string path_ = dir_.file("dplb.ipc");
  FakeIpvsd fake_;
  ctrl::Server server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

const std::string kHeader = "IP Virtual Server version 1.2.1 (size=4096)\n";
const std::string kTitle =
    "Prot LocalAddress:Port Scheduler Flags\n"
    "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";

TEST_F(IpvsadmTool, AddEditDeleteListSaveClearRestore) {
  ok({"-A", "-t", "10.0.0.1:80", "-s", "rr"});
  ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-m"});
  ok({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.1:8080", "-m", "-w", "3"});
  ok({"--add-service", "--udp-service", "10.0.0.1:53", "--scheduler", "sh", "--sched-flags", "sh-port"});
  ok({"-a", "-u", "10.0.0.1:53", "-r", "10.1.0.3", "-w", "2"});  // no -m: direct routing, as ipvsadm

  Outcome list = run({"-L", "-n"});
  EXPECT_EQ(list.exit, 0);
  EXPECT_EQ(list.err, "");
  EXPECT_EQ(list.out, kHeader + kTitle +
                          "TCP  10.0.0.1:80 rr\n"
                          "  -> 10.1.0.1:8080                Masq    3      0          0         \n"
                          "  -> 10.1.0.2:80                  Masq    1      0          0         \n"
                          "UDP  10.0.0.1:53 sh (sh-port)\n"
                          "  -> 10.1.0.3:53                  Route   2      0          0         \n");
  EXPECT_EQ(run({}).out, list.out) << "no arguments lists the table";
  EXPECT_EQ(run({"-l"}).out, list.out);

  // edit a real server, then a service (-E without -s is ipvsadm's default scheduler again)
  ok({"-e", "-t", "10.0.0.1:80", "-r", "10.1.0.2:80", "-m", "-w", "0"});
  ok({"-E", "-u", "10.0.0.1:53"});
  Outcome one = run({"-L", "-n", "-t", "10.0.0.1:80"});
  EXPECT_EQ(one.exit, 0);
  EXPECT_EQ(one.out, kTitle +
                         "TCP  10.0.0.1:80 rr\n"
                         "  -> 10.1.0.1:8080                Masq    3      0          0         \n"
                         "  -> 10.1.0.2:80                  Masq    0      0          0         \n");
  EXPECT_EQ(
      run({"-L", "-n", "-u", "10.0.0.1:53"}).out,
      kTitle +
          "UDP  10.0.0.1:53 wlc\n  -> 10.1.0.3:53                  Route   2      0          0         \n");

  // the daemon's refusals: its message alone, exit 255 (ipvsadm returns -1)
  Outcome dup = run({"-A", "-t", "10.0.0.1:80"});
  EXPECT_EQ(dup.exit, 255);
  EXPECT_EQ(dup.out, "");
  EXPECT_EQ(dup.err, "Service already exists\n");
  EXPECT_EQ(run({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2"}).err, "Destination already exists\n");
  EXPECT_EQ(run({"-e", "-t", "10.0.0.9:80", "-r", "10.1.0.2"}).err, "No such service\n");
  ok({"-d", "-t", "10.0.0.1:80", "-r", "10.1.0.1:8080"});
  Outcome gone = run({"-d", "-t", "10.0.0.1:80", "-r", "10.1.0.1:8080"});
  EXPECT_EQ(gone.exit, 255);
  EXPECT_EQ(gone.err, "No such destination\n");

  ok({"-D", "-u", "10.0.0.1:53"});
  Outcome missing = run({"-L", "-n", "-u", "10.0.0.1:53"});
  EXPECT_EQ(missing.exit, 1) << "a failed listing exits 1, as ipvsadm's";
  EXPECT_EQ(missing.out, "");
  EXPECT_EQ(missing.err, "No such service\n");
  EXPECT_EQ(run({"-D", "-u", "10.0.0.1:53"}).exit, 255);

  // save, clear, restore: the same table
  ok({"-A", "-u", "10.0.0.2:53", "-s", "mh", "-b", "mh-fallback,mh-port"});
  ok({"-a", "-u", "10.0.0.2:53", "-r", "10.1.0.9", "-m", "-w", "65535"});
  Outcome saved = run({"-S", "-n"});
  EXPECT_EQ(saved.exit, 0);
  EXPECT_EQ(saved.out,
            "-A -t 10.0.0.1:80 -s rr\n"
            "-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 0\n"
            "-A -u 10.0.0.2:53 -s mh -b mh-fallback,mh-port\n"
            "-a -u 10.0.0.2:53 -r 10.1.0.9:53 -m -w 65535\n");
  EXPECT_EQ(run({"--save"}).out, saved.out);
  ok({"-C"});
  EXPECT_EQ(run({"-L", "-n"}).out, kHeader + kTitle);
  EXPECT_EQ(run({"-S"}).out, "");
  Outcome restored = run({"-R"}, saved.out);
  EXPECT_EQ(restored.exit, 0) << restored.err;
  EXPECT_EQ(restored.out + restored.err, "");
  EXPECT_EQ(run({"-S", "-n"}).out, saved.out);
}

TEST_F(IpvsadmTool, Timeouts) {
  EXPECT_EQ(run({"-L", "--timeout"}).out, "Timeout (tcp tcpfin udp): 900 120 300\n");
  ok({"--set", "1800", "0", "60"});
  Outcome t = run({"-L", "--timeout"});
  EXPECT_EQ(t.exit, 0);
  EXPECT_EQ(t.out, "Timeout (tcp tcpfin udp): 1800 120 60\n");
}

TEST_F(IpvsadmTool, ConnectionsStatsAndZero) {
  fake_.with([](FakeIpvsd& f) {
    proto::ServiceRecord s;
    std::memset(&s, 0, sizeof s);
    s.proto = ipvs::kProtoTcp;
    s.addr = Ip4::of(10, 0, 0, 1).v;
    s.port = 80;
    std::memcpy(s.sched, "wlc", 3);
    s.stats = proto::IpvsStats{12, 300, 250, 123456789012ULL, 2000, 1, 2, 3, 4, 5};
    proto::DestRecord d;
    std::memset(&d, 0, sizeof d);
    d.addr = Ip4::of(10, 1, 0, 2).v;
    d.port = 80;
    d.weight = 1;
    d.active_conns = 1;
    d.inactive_conns = 2;
    d.stats = proto::IpvsStats{12, 300, 250, 123456789012ULL, 2000, 1, 2, 3, 4, 5};
    f.services[{s.proto, s.addr, s.port}] = FakeIpvsd::Svc{s, {{{d.addr, d.port}, d}}};
    proto::ConnRecord c;
    std::memset(&c, 0, sizeof c);
    c.proto = ipvs::kProtoTcp;
    std::memcpy(c.state, "ESTABLISHED", 11);
    c.caddr = Ip4::of(192, 168, 1, 10).v;
    c.cport = 51234;
    c.vaddr = s.addr;
    c.vport = 80;
    c.daddr = d.addr;
    c.dport = 80;
    c.expires_ms = 899999;
    f.conns.total = 1;
    f.conns.conns.push_back(c);
    return 0;
  });
  Outcome conns = run({"-L", "-n", "-c"});
  EXPECT_EQ(conns.exit, 0);
  EXPECT_EQ(conns.err, "");
  EXPECT_EQ(conns.out,
            "IPVS connection entries\n"
            "pro expire state       source             virtual            destination\n"
            "TCP 14:59  ESTABLISHED 192.168.1.10:51234 10.0.0.1:80        10.1.0.2:80\n");

  // a connection list cut short by the daemon says so on stderr, the listing itself unchanged
  fake_.with([](FakeIpvsd& f) { return f.conns.total = 5000; });
  Outcome cut = run({"-Lc"});
  EXPECT_EQ(cut.out, conns.out);
  EXPECT_EQ(cut.err, "ipvsadm: listed 1 of 5000 connections\n");

  const std::string stats_title =
      "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n"
      "  -> RemoteAddress:Port\n";
  Outcome stats = run({"-L", "-n", "--stats"});
  EXPECT_EQ(stats.out,
            kHeader + stats_title +
                "TCP  10.0.0.1:80                        12      300      250     123G     2000\n"
                "  -> 10.1.0.2:80                        12      300      250     123G     2000\n");
  Outcome exact = run({"-L", "-n", "--stats", "--exact"});
  EXPECT_EQ(exact.out,
            kHeader + stats_title +
                "TCP  10.0.0.1:80                        12      300      250 123456789012     2000\n"
                "  -> 10.1.0.2:80                        12      300      250 123456789012     2000\n");
  Outcome rate = run({"-L", "-n", "--rate"});
  EXPECT_EQ(rate.out, kHeader +
                          "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n"
                          "  -> RemoteAddress:Port\n"
                          "TCP  10.0.0.1:80                         1        2        3        4        5\n"
                          "  -> 10.1.0.2:80                         1        2        3        4        5\n");

  EXPECT_EQ(run({"-Z", "-t", "10.0.0.9:80"}).err, "No such service\n");
  ok({"-Z", "-t", "10.0.0.1:80"});
  EXPECT_EQ(run({"-L", "-n", "--stats"}).out,
            kHeader + stats_title +
                "TCP  10.0.0.1:80                         0        0        0        0        0\n"
                "  -> 10.1.0.2:80                         0        0        0        0        0\n");
  ok({"-Z"});
}

TEST_F(IpvsadmTool, RestoreStopsAtTheFirstFailingLine) {
  const std::string rules =
      "-A -t 10.0.0.1:80 -s rr\n"
      "# a comment, then a blank line\n"
      "\n"
      "ipvsadm -a -t 10.0.0.1:80 -r 10.1.0.2 -m\n"
      "-A -t 10.0.0.1:80\n"
      "-a -t 10.0.0.1:80 -r 10.1.0.3 -m\n";
  Outcome r = run({"-R"}, rules);
  EXPECT_EQ(r.exit, 255);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Service already exists\nipvsadm: restore stopped at line 5: -A -t 10.0.0.1:80\n");
  EXPECT_EQ(run({"-S", "-n"}).out, "-A -t 10.0.0.1:80 -s rr\n-a -t 10.0.0.1:80 -r 10.1.0.2:80 -m -w 1\n")
      << "the lines before were applied, the ones after were not";

  // a line the parser refuses stops it too, with the parser's message and exit status
  size_t before = set_ops();
  Outcome p = run({"-R"}, "-C\n-A -t 10.0.0.2:80 --pe sip\n-C\n");
  EXPECT_EQ(p.exit, 1);
  EXPECT_EQ(p.err,
            "dplb supports address persistence only (no persistence engines): --pe is not supported\n"
            "ipvsadm: restore stopped at line 2: -A -t 10.0.0.2:80 --pe sip\n");
  EXPECT_EQ(set_ops(), before + 1) << "only the first -C was sent";

  Outcome u = run({"-R"}, "-A -t 10.0.0.2\n");
  EXPECT_EQ(u.exit, 2);
  EXPECT_EQ(
      u.err,
      "Zero port specified for non-persistent service\nipvsadm: restore stopped at line 1: -A -t 10.0.0.2\n");

  Outcome l = run({"-R"}, "-L -n\n");
  EXPECT_EQ(l.exit, 2);
  EXPECT_EQ(l.err.rfind("not a rule command", 0), 0u) << l.err;

  Outcome t = run({"-R"}, "-t 10.0.0.1:80 -A\n");
  EXPECT_EQ(t.exit, 255);
  EXPECT_EQ(t.err,
            "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n"
            "ipvsadm: restore stopped at line 1: -t 10.0.0.1:80 -A\n");

  EXPECT_EQ(run({"-R"}, "").exit, 0) << "nothing to restore";
  EXPECT_EQ(run({"-R"}, "\n# only comments\n").exit, 0);
}

TEST_F(IpvsadmTool, DaemonProblems) {
  // a refusal without a message prints strerror
  fake_.with([](FakeIpvsd& f) { return f.refuse_with = EPERM; });
  Outcome refused = run({"-C"});
  EXPECT_EQ(refused.exit, 255);
  EXPECT_EQ(refused.err, std::string(std::strerror(EPERM)) + "\n");
  fake_.with([](FakeIpvsd& f) { return f.refuse_with = 0; });

  // a malformed reply is reported, not printed
  ok({"-A", "-t", "10.0.0.1:80"});
  fake_.with([](FakeIpvsd& f) { return f.corrupt_list = true; });
  Outcome bad = run({"-L", "-n"});
  EXPECT_EQ(bad.exit, 1);
  EXPECT_EQ(bad.out, "");
  EXPECT_EQ(bad.err.rfind("malformed ipvs list payload", 0), 0u) << bad.err;
}

TEST_F(IpvsadmTool, NoDaemon) {
  const std::string nowhere = dir_.file("nobody.ipc");
  Outcome r = run(std::vector<std::string>{"-L", "-n"}, "", nowhere);
  EXPECT_EQ(r.exit, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(r.err, "Can't initialize ipvs: cannot connect to dplb at " + nowhere +
                       ": No such file or directory\nAre you sure that dplb is running?\n");
  // what needs no daemon does not look for one
  Outcome usage = run(std::vector<std::string>{"-A"}, "", nowhere);
  EXPECT_EQ(usage.exit, 2);
  EXPECT_EQ(usage.err, "You need to supply the 'service-address' option for the 'add-service' command\n");
  Outcome help = run(std::vector<std::string>{"-h"}, "", nowhere);
  EXPECT_EQ(help.exit, 0);
  EXPECT_EQ(help.err, "");
  EXPECT_EQ(help.out.rfind("ipvsadm v1.31", 0), 0u);
  EXPECT_NE(help.out.find("Usage:\n  ipvsadm -A|E virtual-service [-s scheduler] [-b sched-flags]\n"),
            std::string::npos);
  EXPECT_NE(help.out.find("numeric IPv4"), std::string::npos);
  Outcome version = run(std::vector<std::string>{"--version"}, "", nowhere);
  EXPECT_EQ(version.exit, 0);
  EXPECT_EQ(version.out, ipvsadm_version());
}

TEST_F(IpvsadmTool, CommandLineErrorsExitAsIpvsadm) {
  Outcome try_help = run({"--foo"});
  EXPECT_EQ(try_help.exit, 255);
  EXPECT_EQ(try_help.out, "");
  EXPECT_EQ(try_help.err, "Try `ipvsadm -h' or 'ipvsadm --help' for more information.\n");
  Outcome bad_option = run({"-L", "--foo"});
  EXPECT_EQ(bad_option.exit, 255);
  EXPECT_EQ(bad_option.err, "--foo: unknown option\n");
  Outcome usage = run({"-A", "-t", "10.0.0.1:80", "-s", "rr", "-b", "sh-port"});
  EXPECT_EQ(usage.exit, 2);
  EXPECT_EQ(usage.err, "incompatible scheduler flag `sh-port'\n");
  Outcome unsupported = run({"-a", "-t", "10.0.0.1:80", "-r", "10.1.0.2", "-i", "--tun-type", "gue"});
  EXPECT_EQ(unsupported.exit, 1);
  EXPECT_EQ(unsupported.err, "dplb tunnels with IP-in-IP (ipip) only: --tun-type gue is not supported\n");
  Outcome sched = run({"-A", "-t", "10.0.0.1:80", "-s", "foo"});
  EXPECT_EQ(sched.exit, 255);
  EXPECT_EQ(sched.err, "Scheduler not found: foo\n");
  EXPECT_EQ(set_ops(), 0u) << "nothing reached the daemon";
}

}  // namespace
}  // namespace dplb::cli
