// The metrics endpoint over the control bed: the families rendered from the model and the workers'
// counters, and the server's sockets on loopback (answers, deadlines, garbage, the client limit).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <sstream>
#include <set>
#include <string>
#include <thread>

#include "control/metrics_module.h"
#include "control/metrics_server.h"
#include "control_bed.h"
#include "dplb/ctrl/proto_ipvs.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dp::testing {
namespace {

using namespace std::chrono_literals;

void add_service_with_dest(ControlBed& bed) {
  proto::ServiceRecord svc{};
  svc.proto = 6;
  svc.port = 80;
  svc.addr = Ip4::of(192, 168, 1, 100).v;
  ctrl::set_fixed_string(svc.sched, "rr");
  ASSERT_TRUE(bed.set(proto::kOpIpvsAddService, ctrl::encode_pod(svc)).is_ok());
  proto::DestOp d{};
  d.service = svc;
  d.dest.addr = Ip4::of(10, 20, 0, 11).v;
  d.dest.port = 8080;
  d.dest.weight = 3;
  d.dest.fwd = 0;  // masquerading
  Status st = bed.set(proto::kOpIpvsAddDest, ctrl::encode_pod(d));
  ASSERT_TRUE(st.is_ok()) << st.message();
}

TEST(MetricsModule, EveryFamilyOnceWithItsLabels) {
  ControlBed bed;
  add_service_with_dest(bed);
  const std::string text = render_metrics(bed.cp, nullptr);
  std::set<std::string> names;
  // "# TYPE NAME counter|gauge" lines (no <regex>: GCC 12 warns inside it in the sanitizer build)
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::istringstream words(line);
    std::string hash, type, name, kind, extra;
    if (!(words >> hash >> type >> name >> kind) || hash != "#" || type != "TYPE") continue;
    EXPECT_FALSE(words >> extra) << line;
    EXPECT_TRUE(kind == "counter" || kind == "gauge") << line;
    EXPECT_TRUE(names.insert(name).second) << "family twice: " << name;
    EXPECT_EQ(name.ends_with("_total"), kind == "counter") << line;
  }
  for (const char* f : {"dplb_build_info", "dplb_port_rx_packets_total", "dplb_drops_total", "dplb_worker_busy_polls_total",
                        "dplb_conn_table_entries", "dplb_service_connections_total", "dplb_real_server_weight",
                        "dplb_control_commands_total", "dplb_control_workers_out_of_sync"})
    EXPECT_TRUE(names.contains(f)) << f;
  EXPECT_NE(text.find("dplb_drops_total{port=\"dpdk1\",reason=\"ipv4_no_route\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("dplb_real_server_weight{protocol=\"tcp\",service=\"192.168.1.100:80\","
                      "real_server=\"10.20.0.11:8080\"} 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("dplb_service_active_connections{protocol=\"tcp\",service=\"192.168.1.100:80\"} 0\n"),
            std::string::npos);
  // The two sets above were applied, and counted as such.
  EXPECT_NE(text.find("dplb_control_commands_total{kind=\"set\",result=\"ok\"} "), std::string::npos);
  EXPECT_NE(text.find("dplb_control_workers_out_of_sync 0\n"), std::string::npos);
}

// A MetricsServer on a loopback port, served by a thread that runs its poll loop.
struct ServerBed {
  explicit ServerBed(MetricsServer::Options o) : server([] { return std::string("dplb_up 1\n"); }, o) {
    EXPECT_TRUE(server.open(Ip4::of(127, 0, 0, 1), 0).is_ok());
    loop = std::thread([this] {
      std::vector<pollfd> fds;
      while (!stop) {
        fds.clear();
        server.add_pollfds(fds);
        int t = server.poll_timeout_ms(MetricsServer::Clock::now());
        ::poll(fds.data(), fds.size(), t < 0 || t > 5 ? 5 : t);
        server.service(fds, MetricsServer::Clock::now());
      }
    });
  }
  ~ServerBed() {
    stop = true;
    loop.join();
  }
  int connect() const {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(server.port());
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
  }
  // Sends `request` (may be empty) and reads until the server closes.
  std::string exchange(std::string_view request) const {
    int fd = connect();
    if (!request.empty()) {
      EXPECT_EQ(::send(fd, request.data(), request.size(), 0), ssize_t(request.size()));
    }
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) got.append(buf, size_t(n));
    ::close(fd);
    return got;
  }

  MetricsServer server;
  std::atomic<bool> stop{false};
  std::thread loop;
};

TEST(MetricsServer, AnswersGetMetricsAndRefusesTheRest) {
  ServerBed bed(MetricsServer::Options{});
  std::string ok = bed.exchange("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_TRUE(ok.starts_with("HTTP/1.1 200 OK\r\n")) << ok;
  EXPECT_NE(ok.find("Content-Type: text/plain; version=0.0.4"), std::string::npos);
  EXPECT_TRUE(ok.ends_with("\r\n\r\ndplb_up 1\n"));
  EXPECT_TRUE(bed.exchange("GET /other HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 404 "));
  EXPECT_TRUE(bed.exchange("DELETE /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 405 "));
  EXPECT_TRUE(bed.exchange(std::string("\x16\x03\x01 hello", 10)).starts_with("HTTP/1.1 400 "));
}

TEST(MetricsServer, ScrapesCloseTogetherShareOneRendering) {
  MetricsServer::Options o;
  o.reuse_window = std::chrono::milliseconds(60000);
  ServerBed bed(o);
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(bed.exchange("GET /metrics HTTP/1.1\r\n\r\n").ends_with("\r\n\r\ndplb_up 1\n"));
  bed.stop = true;
  bed.loop.join();
  bed.loop = std::thread([] {});
  EXPECT_EQ(bed.server.stats().scrapes, 3u);
  EXPECT_EQ(bed.server.stats().renders, 1u);
}

TEST(MetricsServer, SilentClientClosedAtTheDeadline) {
  MetricsServer::Options o;
  o.request_deadline = 100ms;
  ServerBed bed(o);
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(bed.exchange(""), "");  // closed without an answer
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_GE(took, 90ms);
  EXPECT_LT(took, 2s);
  // Half a request stays silent too.
  EXPECT_EQ(bed.exchange("GET /metrics HTTP/1.1\r\n"), "");
}

TEST(MetricsServer, ClientsBeyondTheLimitAreClosedAtOnce) {
  MetricsServer::Options o;
  o.max_clients = 2;
  ServerBed bed(o);
  int a = bed.connect(), b = bed.connect();
  std::this_thread::sleep_for(50ms);  // both accepted
  EXPECT_EQ(bed.exchange("GET /metrics HTTP/1.1\r\n\r\n"), "");  // the third: closed, no answer
  ::close(a);
  ::close(b);
  std::this_thread::sleep_for(50ms);
  EXPECT_TRUE(bed.exchange("GET /metrics HTTP/1.1\r\n\r\n").starts_with("HTTP/1.1 200 "));
}

}  // namespace
}  // namespace dplb::dp::testing
