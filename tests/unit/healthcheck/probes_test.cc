// dplb-healthcheck's probes on the real event loop against sockets on 127.0.0.1: TCP_CHECK,
// HTTP_GET (status, digest), MISC_CHECK (exit code, timeout kill), and HTTP_GET's MD5 on RFC 1321's
// vectors.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <thread>

#include "healthcheck/child_reaper.h"
#include "healthcheck/event_loop.h"
#include "healthcheck/probe.h"
#include "healthcheck/tls_context.h"

namespace dplb::hc {
namespace {

using std::chrono::milliseconds;

TEST(Md5, Rfc1321Vectors) {
  EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(md5_hex("12345678901234567890123456789012345678901234567890123456789012345678901234567890"),
            "57edf4a22be3c955ac49da2e2107b67a");
}

// A listening socket on 127.0.0.1 whose accepted connections get `answer` then are closed.
class Server {
 public:
  explicit Server(std::string answer) : answer_(std::move(answer)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof sa;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&sa), len), 0);
    EXPECT_EQ(::listen(fd_, 8), 0);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&sa), &len);
    port_ = ntohs(sa.sin_port);
    thread_ = std::thread([this] {
      for (;;) {
        const int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) return;
        char buf[4096];
        (void)::recv(c, buf, sizeof buf, 0);  // the request
        (void)::send(c, answer_.data(), answer_.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~Server() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  uint16_t port() const { return port_; }

 private:
  std::string answer_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
};

keepalived::Checker checker(keepalived::CheckerKind kind, uint16_t port) {
  keepalived::Checker c;
  c.kind = kind;
  c.connect = {Ip4::of(127, 0, 0, 1), port};
  c.connect_timeout = milliseconds(2000);
  c.misc_timeout = milliseconds(2000);
  return c;
}

ProbeResult run(const keepalived::Checker& c) {
  EventLoop loop;
  ChildReaper reaper;
  auto tls = TlsContext::create();
  std::optional<ProbeResult> result;
  auto probe = start_probe(ProbeEnv{loop, reaper, tls ? tls->get() : nullptr}, c, [&](ProbeResult r) { result = r; });
  const auto deadline = Clock::now() + std::chrono::seconds(10);
  while (!result && Clock::now() < deadline) {
    loop.run_once(milliseconds(20));
    reaper.reap();  // the daemon does this on SIGCHLD
  }
  EXPECT_TRUE(result) << "the probe never finished";
  return result.value_or(ProbeResult{false, "never finished"});
}

uint16_t closed_port() {
  Server s("");  // bound then closed: nothing listens there afterwards
  return s.port();
}

TEST(Probes, TcpCheck) {
  Server s("");
  EXPECT_TRUE(run(checker(keepalived::CheckerKind::tcp, s.port())).ok);
  auto r = run(checker(keepalived::CheckerKind::tcp, closed_port()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.why, "connect: Connection refused");
}

TEST(Probes, TcpCheckFromABoundSource) {
  Server s("");
  auto c = checker(keepalived::CheckerKind::tcp, s.port());
  c.bindto = Ip4::of(127, 0, 0, 1);
  EXPECT_TRUE(run(c).ok);
  c.bindto = Ip4::of(192, 0, 2, 250);  // TEST-NET-1: not an address of this host
  auto r = run(c);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.why, "bindto: Cannot assign requested address");
}

keepalived::Checker http(uint16_t port, std::vector<keepalived::StatusRange> codes = {}, std::string digest = {}) {
  auto c = checker(keepalived::CheckerKind::http, port);
  keepalived::Url u;
  u.path = "/health";
  u.status_codes = std::move(codes);
  u.digest = std::move(digest);
  c.urls = {u, u};  // every url must pass
  return c;
}

TEST(Probes, HttpGetStatusAndDigest) {
  Server ok("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabc");
  EXPECT_TRUE(run(http(ok.port())).ok);
  EXPECT_TRUE(run(http(ok.port(), {}, "900150983cd24fb0d6963f7d28e17f72")).ok);
  auto r = run(http(ok.port(), {}, "0cc175b9c0f1b6a831c399e269772661"));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.why, "GET /health: digest 900150983cd24fb0d6963f7d28e17f72, want 0cc175b9c0f1b6a831c399e269772661");
  r = run(http(ok.port(), {{300, 399}}));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.why, "GET /health: status 200");

  Server failing("HTTP/1.0 500 Internal Server Error\r\n\r\n");
  r = run(http(failing.port()));
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.why, "GET /health: status 500");
  Server garbage("SSH-2.0-x\r\n\r\n");
  EXPECT_EQ(run(http(garbage.port())).why, "GET /health: not an HTTP status line");
}

TEST(Probes, SslGetOfAPlainServerFails) {
  Server plain("HTTP/1.0 200 OK\r\n\r\n");
  auto c = http(plain.port());
  c.kind = keepalived::CheckerKind::ssl;
  auto r = run(c);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.why, "GET /health: TLS handshake failed");
}

// `openssl s_server -www` (a self-signed certificate made for the test) answers any GET with
// "HTTP/1.0 200 ok" and a status page. Skipped where the openssl command is missing.
TEST(Probes, SslGetOfATlsServer) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) GTEST_SKIP() << "no openssl command";
  char tmpl[] = "/tmp/dplb_ssl_get_XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  const std::string dir = tmpl, key = dir + "/key.pem", cert = dir + "/cert.pem";
  ASSERT_EQ(std::system(("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=dplb-test"
                         " -days 1 -keyout " + key + " -out " + cert + " >/dev/null 2>&1").c_str()),
            0);
  const uint16_t port = closed_port();
  const pid_t server = ::fork();
  ASSERT_GE(server, 0);
  if (server == 0) {
    const std::string accept = "127.0.0.1:" + std::to_string(port);
    ::execlp("openssl", "openssl", "s_server", "-quiet", "-www", "-accept", accept.c_str(), "-cert", cert.c_str(),
             "-key", key.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  bool listening = false;  // s_server takes a moment to start listening
  for (int i = 0; i < 100 && !listening; ++i) {
    listening = run(checker(keepalived::CheckerKind::tcp, port)).ok;
    if (!listening) std::this_thread::sleep_for(milliseconds(50));
  }
  auto c = http(port);
  c.kind = keepalived::CheckerKind::ssl;
  c.urls.resize(1);
  c.urls[0].path = "/";
  const ProbeResult r = run(c);
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(listening);
  EXPECT_TRUE(r.ok) << r.why;
}

TEST(Probes, MiscCheckExitCodeAndTimeout) {
  auto c = checker(keepalived::CheckerKind::misc, 0);
  c.misc_path = "exit 0";
  EXPECT_TRUE(run(c).ok);
  c.misc_path = "true; exit 3";
  EXPECT_EQ(run(c).why, "misc_path exited with 3");
  c.misc_dynamic = true;
  c.misc_path = "exit 9";
  auto dynamic = run(c);
  EXPECT_TRUE(dynamic.ok);
  EXPECT_EQ(dynamic.weight, std::optional<uint16_t>(7));
  c.misc_path = "sleep 30";
  c.misc_timeout = milliseconds(200);
  const auto t0 = Clock::now();
  EXPECT_EQ(run(c).why, "misc_path timed out (killed)");
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(3));
}

}  // namespace
}  // namespace dplb::hc
