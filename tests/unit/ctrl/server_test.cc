// The control server and client over real unix sockets in a private temporary directory.
#include "dplb/ctrl/server.h"

#include <fcntl.h>
#include <grp.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "dplb/ctrl/client.h"

namespace dplb::ctrl {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

enum : uint32_t { kOpEcho = 1, kOpBigReply = 2, kOpFail = 3 };

// Unique per test: tests may run in parallel processes.
class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/dplb_ctrl_XXXXXX";
    const char* d = ::mkdtemp(tmpl);
    EXPECT_NE(d, nullptr);
    path_ = d != nullptr ? d : "/tmp";
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Serves the socket from its own thread, as the daemon's main loop would.
class RunningServer {
 public:
  explicit RunningServer(Server& s) : thread_([this, &s] {
    while (!stop_.load()) s.run_once(5);
  }) {}
  ~RunningServer() { stop(); }
  void stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

int raw_connect(const std::string& path) {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

void raw_send(int fd, const void* p, size_t n) {
  ASSERT_EQ(::send(fd, p, n, MSG_NOSIGNAL), static_cast<ssize_t>(n));
}

// Everything the peer sends until it closes (or the bounded wait ends: then eof is false).
struct Drained {
  std::vector<uint8_t> bytes;
  bool eof = false;
};
Drained read_until_eof(int fd, std::chrono::milliseconds limit = 5000ms) {
  Drained d;
  auto deadline = Clock::now() + limit;
  while (Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, 50) <= 0) continue;
    uint8_t buf[4096];
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) {
      d.eof = true;  // 0 = orderly close; ECONNRESET also means closed
      break;
    }
    d.bytes.insert(d.bytes.end(), buf, buf + n);
  }
  return d;
}

ReplyHeader reply_header_of(const std::vector<uint8_t>& bytes) {
  ReplyHeader h{};
  EXPECT_GE(bytes.size(), sizeof h);
  if (bytes.size() >= sizeof h) std::memcpy(&h, bytes.data(), sizeof h);
  return h;
}

std::vector<uint8_t> request_bytes(Kind kind, uint32_t op, const std::vector<uint8_t>& payload) {
  RequestHeader h = make_request_header(kind, op, static_cast<uint32_t>(payload.size()));
  // One buffer and two copies (vector::insert after a memcpy trips a g++ 12 -Warray-bounds bug).
  std::vector<uint8_t> out(sizeof h + payload.size());
  std::memcpy(out.data(), &h, sizeof h);
  if (!payload.empty()) std::memcpy(out.data() + sizeof h, payload.data(), payload.size());
  return out;
}

uint8_t pattern(size_t i) { return static_cast<uint8_t>(i * 131 + (i >> 9)); }

class CtrlServer : public ::testing::Test {
 protected:
  CtrlServer() {
    EXPECT_TRUE(registry_.add(
        {"test", {1, 10}, {1, 10}, [this](Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
           if (kind == Kind::kSet) {
             sets_.fetch_add(1);
             return Status::ok();
           }
           if (op == kOpEcho) {
             reply.assign(payload.begin(), payload.end());
           } else if (op == kOpBigReply) {
             uint32_t n = 0;
             if (!decode_pod(payload, n)) return Status::invalid("want a size");
             reply.resize(n);
             for (size_t i = 0; i < n; ++i) reply[i] = pattern(i);
           } else if (op == kOpFail) {
             return Status::error(EINVAL, "bad thing");
           }
           return Status::ok();
         }}));
  }

  Result<Reply> echo(Client& c, const std::string& s) {
    return c.call(Kind::kGet, kOpEcho, std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  }
  static std::string text(const std::vector<uint8_t>& v) { return std::string(v.begin(), v.end()); }

  TempDir dir_;
  const std::string path_ = dir_.file("dplb.ipc");
  Registry registry_;
  std::atomic<int> sets_{0};
};

TEST_F(CtrlServer, RoundTripErrorsAndSeveralRequestsPerConnection) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  auto c = Client::connect(path_);
  ASSERT_TRUE(c) << c.status().message();
  for (int i = 0; i < 20; ++i) {
    auto r = echo(*c, "hello " + std::to_string(i));
    ASSERT_TRUE(r) << r.status().message();
    EXPECT_EQ(r->error, 0);
    EXPECT_EQ(text(r->payload), "hello " + std::to_string(i));
  }
  auto r = c->call(Kind::kGet, kOpFail, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, EINVAL);
  EXPECT_EQ(r->message, "bad thing");
  EXPECT_EQ(r->status().code(), EINVAL);
  r = c->call(Kind::kGet, 99, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, EOPNOTSUPP);
  EXPECT_EQ(r->message, "unknown operation 99");
  r = c->call(Kind::kSet, 1, {});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->error, 0);
  EXPECT_TRUE(echo(*c, "still fine"));  // errors do not break the connection
  run.stop();
  EXPECT_EQ(sets_.load(), 1);
  EXPECT_EQ(server.stats().requests, 24u);
  EXPECT_EQ(server.stats().protocol_errors, 0u);
}

TEST_F(CtrlServer, ServesSeveralClientsAtOnce) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  constexpr int kClients = 8, kCalls = 30;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kClients; ++t) {
    threads.emplace_back([&, t] {
      auto c = Client::connect(path_);
      if (!c) return;
      for (int i = 0; i < kCalls; ++i) {
        std::string s = "client " + std::to_string(t) + " call " + std::to_string(i);
        auto r = echo(*c, s);
        if (r && r->error == 0 && text(r->payload) == s) good.fetch_add(1);
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kCalls);
}

TEST_F(CtrlServer, LargeReplyGoesThroughPartialWrites) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  const uint32_t n = 16u << 20;
  auto r = c->call(Kind::kGet, kOpBigReply, encode_pod(n));
  ASSERT_TRUE(r) << r.status().message();
  ASSERT_EQ(r->payload.size(), n);
  for (size_t i = 0; i < n; i += 4093) ASSERT_EQ(r->payload[i], pattern(i)) << i;
  EXPECT_EQ(r->payload.back(), pattern(n - 1));
  EXPECT_TRUE(echo(*c, "after"));
}

TEST_F(CtrlServer, SilentClientIsClosedAtTheDeadlineWithoutStallingOthers) {
  Server server(registry_);
  server.set_deadline(300ms);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  const auto start = Clock::now();
  int silent = raw_connect(path_);
  ASSERT_GE(silent, 0);
  int half = raw_connect(path_);  // sends half a header, then nothing
  ASSERT_GE(half, 0);
  auto hdr = request_bytes(Kind::kGet, kOpEcho, {});
  raw_send(half, hdr.data(), 8);
  // Others are served while those two hang.
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(echo(*c, "x")) << i;
  Drained d1 = read_until_eof(silent);
  Drained d2 = read_until_eof(half);
  EXPECT_TRUE(d1.eof);
  EXPECT_TRUE(d2.eof);
  EXPECT_TRUE(d1.bytes.empty());
  EXPECT_TRUE(d2.bytes.empty());
  EXPECT_GE(Clock::now() - start, 300ms);  // not before its deadline
  ::close(silent);
  ::close(half);
  run.stop();
  EXPECT_GE(server.stats().timeouts, 2u);
}

TEST_F(CtrlServer, SlowReaderOfALargeReplyIsClosed) {
  Server server(registry_);
  server.set_deadline(300ms);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  int slow = raw_connect(path_);
  ASSERT_GE(slow, 0);
  auto req = request_bytes(Kind::kGet, kOpBigReply, encode_pod(uint32_t{32u << 20}));
  raw_send(slow, req.data(), req.size());
  std::this_thread::sleep_for(50ms);  // the server is now blocked on a full socket buffer
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(echo(*c, "y"));
  // The slow one gets at most part of its reply, then EOF once the deadline passes.
  std::this_thread::sleep_for(400ms);
  Drained d = read_until_eof(slow);
  EXPECT_TRUE(d.eof);
  EXPECT_LT(d.bytes.size(), sizeof(ReplyHeader) + (32u << 20));
  ::close(slow);
  run.stop();
  EXPECT_GE(server.stats().timeouts, 1u);
}

TEST_F(CtrlServer, HostileLengthsAndGarbageGetAnErrorReplyThenClose) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);

  struct Case {
    const char* name;
    std::vector<uint8_t> bytes;
    int code;
  };
  RequestHeader huge = make_request_header(Kind::kSet, 1, 0xFFFFFFFFu);
  RequestHeader over = make_request_header(Kind::kSet, 1, kMaxRequestPayload + 1);
  RequestHeader old = make_request_header(Kind::kGet, 1, 0);
  old.version = 0;
  RequestHeader kind = make_request_header(Kind::kGet, 1, 0);
  kind.kind = 9;
  auto bytes_of = [](const RequestHeader& h) {
    std::vector<uint8_t> v(sizeof h);
    std::memcpy(v.data(), &h, sizeof h);
    return v;
  };
  std::mt19937 rng(3);
  std::vector<uint8_t> junk(300);
  for (auto& b : junk) b = static_cast<uint8_t>(rng());
  std::vector<Case> cases = {
      {"4 GiB length", bytes_of(huge), EMSGSIZE},
      {"1 MiB + 1", bytes_of(over), EMSGSIZE},
      {"version 0", bytes_of(old), EPROTO},
      {"unknown kind", bytes_of(kind), EPROTO},
      {"random bytes", junk, EPROTO},
  };
  // A valid request first: the bad one after it still gets its error reply.
  auto good = request_bytes(Kind::kGet, kOpEcho, {'o', 'k'});
  for (const auto& c : cases) {
    int fd = raw_connect(path_);
    ASSERT_GE(fd, 0);
    std::vector<uint8_t> all = good;
    all.insert(all.end(), c.bytes.begin(), c.bytes.end());
    raw_send(fd, all.data(), all.size());
    Drained d = read_until_eof(fd);
    EXPECT_TRUE(d.eof) << c.name;
    ASSERT_EQ(d.bytes.size(), 2 * sizeof(ReplyHeader) + 2) << c.name;
    ReplyHeader first = reply_header_of(d.bytes);
    EXPECT_EQ(first.error, 0) << c.name;
    std::vector<uint8_t> rest(d.bytes.begin() + sizeof(ReplyHeader) + 2, d.bytes.end());
    ReplyHeader h = reply_header_of(rest);
    EXPECT_TRUE(check_reply_header(h)) << c.name;
    EXPECT_EQ(h.error, c.code) << c.name;
    EXPECT_FALSE(reply_message(h).empty()) << c.name;
    EXPECT_EQ(h.payload_len, 0u) << c.name;
    ::close(fd);
  }
  // Truncated header then close: just dropped.
  int fd = raw_connect(path_);
  raw_send(fd, good.data(), 5);
  ::close(fd);
  auto cl = Client::connect(path_);
  ASSERT_TRUE(cl);
  EXPECT_TRUE(echo(*cl, "alive"));
  run.stop();
  EXPECT_EQ(server.stats().protocol_errors, cases.size());
  EXPECT_GE(server.stats().dropped, 1u);
}

TEST_F(CtrlServer, PipelinedRequestsAreAnsweredInOrder) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  int fd = raw_connect(path_);
  ASSERT_GE(fd, 0);
  std::vector<uint8_t> all;
  for (int i = 0; i < 10; ++i) {
    auto r = request_bytes(Kind::kGet, kOpEcho, std::vector<uint8_t>(static_cast<size_t>(i), static_cast<uint8_t>(i)));
    all.insert(all.end(), r.begin(), r.end());
  }
  raw_send(fd, all.data(), all.size());
  ::shutdown(fd, SHUT_WR);  // done sending: the server closes after answering
  Drained d = read_until_eof(fd);
  EXPECT_TRUE(d.eof);
  size_t off = 0;
  for (int i = 0; i < 10; ++i) {
    ASSERT_LE(off + sizeof(ReplyHeader), d.bytes.size()) << i;
    ReplyHeader h;
    std::memcpy(&h, d.bytes.data() + off, sizeof h);
    off += sizeof h;
    ASSERT_EQ(h.error, 0);
    ASSERT_EQ(h.payload_len, static_cast<uint32_t>(i));
    for (int k = 0; k < i; ++k) EXPECT_EQ(d.bytes[off + static_cast<size_t>(k)], i);
    off += static_cast<size_t>(i);
  }
  EXPECT_EQ(off, d.bytes.size());
  ::close(fd);
}

TEST_F(CtrlServer, ClientsBeyondTheLimitGetEbusy) {
  Server server(registry_);
  server.set_max_clients(2);
  ASSERT_TRUE(server.open(path_));
  int a = raw_connect(path_);
  int b = raw_connect(path_);
  server.run_once(100);  // accepts both (the backlog is taken in order)
  ASSERT_EQ(server.client_count(), 2u);
  RunningServer run(server);
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  auto r = echo(*c, "me too");
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->error, EBUSY);
  EXPECT_NE(r->message.find("too many clients"), std::string::npos);
  ::close(a);
  ::close(b);
  run.stop();
  EXPECT_EQ(server.stats().refused_busy, 1u);
}

TEST_F(CtrlServer, StaleSocketIsReplaced) {
  {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    ::listen(fd, 1);
    ::close(fd);  // a daemon that died without cleaning up
  }
  ASSERT_TRUE(std::filesystem::is_socket(path_));
  auto refused = Client::connect(path_);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.status().code(), ECONNREFUSED);
  EXPECT_EQ(refused.status().message(), "cannot connect to dplb at " + path_ + ": Connection refused");

  Server server(registry_);
  Status s = server.open(path_);
  ASSERT_TRUE(s) << s.message();
  RunningServer run(server);
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  EXPECT_TRUE(echo(*c, "new"));
}

TEST_F(CtrlServer, LiveSocketIsRefused) {
  Server first(registry_);
  ASSERT_TRUE(first.open(path_));
  Server second(registry_);
  Status s = second.open(path_);
  EXPECT_EQ(s.code(), EADDRINUSE);
  EXPECT_EQ(s.message(), "another dplb is already serving " + path_);
  second.close();  // must not remove the first one's socket
  RunningServer run(first);
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  EXPECT_TRUE(echo(*c, "first"));
}

TEST_F(CtrlServer, OtherFilesAreNeverDeleted) {
  { std::ofstream(path_) << "precious"; }
  Server server(registry_);
  Status s = server.open(path_);
  EXPECT_EQ(s.code(), EEXIST);
  EXPECT_NE(s.message().find("not a socket"), std::string::npos);
  std::ifstream in(path_);
  std::string content;
  in >> content;
  EXPECT_EQ(content, "precious");

  std::filesystem::create_directory(dir_.file("adir"));
  EXPECT_FALSE(server.open(dir_.file("adir")));
  EXPECT_TRUE(std::filesystem::is_directory(dir_.file("adir")));
}

TEST_F(CtrlServer, SocketModeAndGroup) {
  {
    Server server(registry_);
    ASSERT_TRUE(server.open(path_));
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_TRUE(S_ISSOCK(st.st_mode));
    EXPECT_EQ(st.st_mode & 07777, 0600u);
  }
  EXPECT_FALSE(std::filesystem::exists(path_));  // removed on close

  const group* g = nullptr;
  for (const char* name : {"daemon", "sys", "adm", "nogroup"}) {
    if ((g = ::getgrnam(name)) != nullptr) break;
  }
  ASSERT_NE(g, nullptr);
  const std::string gname = g->gr_name;
  const gid_t gid = g->gr_gid;
  {
    Server server(registry_);
    ASSERT_TRUE(server.open(path_, gname));
    struct stat st {};
    ASSERT_EQ(::lstat(path_.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0660u);
    EXPECT_EQ(st.st_gid, gid);
  }
  Server server(registry_);
  Status s = server.open(path_, "no-such-group-dplb");
  EXPECT_EQ(s.code(), EINVAL);
  EXPECT_EQ(s.message(), "unknown group 'no-such-group-dplb'");
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(CtrlServer, CloseRemovesOnlyItsOwnSocket) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  // Someone removed ours and another daemon bound the path since.
  ::unlink(path_.c_str());
  int other = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(::bind(other, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  server.close();
  EXPECT_TRUE(std::filesystem::is_socket(path_));
  ::close(other);
}

TEST_F(CtrlServer, MainLoopHooks) {
  Server server(registry_);
  server.set_deadline(1000ms);
  std::vector<pollfd> fds;
  server.add_pollfds(fds);
  EXPECT_TRUE(fds.empty());  // not open
  ASSERT_TRUE(server.open(path_));
  server.add_pollfds(fds);
  ASSERT_EQ(fds.size(), 1u);
  EXPECT_EQ(server.poll_timeout_ms(Clock::now()), -1);  // nothing to time out
  int fd = raw_connect(path_);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::poll(fds.data(), fds.size(), 1000), 1);
  server.service(fds, Clock::now());
  EXPECT_EQ(server.client_count(), 1u);
  int t = server.poll_timeout_ms(Clock::now());
  EXPECT_GT(t, 0);
  EXPECT_LE(t, 1000);
  fds.clear();
  server.add_pollfds(fds);
  ASSERT_EQ(fds.size(), 2u);
  EXPECT_EQ(fds[1].events, POLLIN);
  // A pollfd that is not the server's is ignored; the deadline closes the idle client.
  pollfd foreign{0, 0, POLLIN};
  server.service(std::span<const pollfd>(&foreign, 1), Clock::now() + 2s);
  EXPECT_EQ(server.client_count(), 0u);
  EXPECT_EQ(server.stats().timeouts, 1u);
  ::close(fd);
  Status again = server.open(path_);
  EXPECT_EQ(again.code(), EBUSY);
}

TEST_F(CtrlServer, ClientErrors) {
  auto missing = Client::connect(dir_.file("nope.ipc"));
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.status().code(), ENOENT);
  EXPECT_EQ(missing.status().message(),
            "cannot connect to dplb at " + dir_.file("nope.ipc") + ": No such file or directory");
  EXPECT_EQ(Client::connect(std::string(200, 'a')).status().code(), ENAMETOOLONG);
  Server server(registry_);
  EXPECT_EQ(server.open(std::string(200, 'a')).code(), ENAMETOOLONG);
  EXPECT_EQ(server.open("").code(), EINVAL);

  Client unconnected;
  EXPECT_EQ(unconnected.call(Kind::kGet, 1, {}).status().code(), ENOTCONN);
}

TEST_F(CtrlServer, ClientRefusesAnOversizeRequestLocally) {
  Server server(registry_);
  ASSERT_TRUE(server.open(path_));
  RunningServer run(server);
  auto c = Client::connect(path_);
  ASSERT_TRUE(c);
  std::vector<uint8_t> big(kMaxRequestPayload + 1);
  auto r = c->call(Kind::kSet, 1, big);
  EXPECT_EQ(r.status().code(), EMSGSIZE);
  EXPECT_TRUE(c->is_connected());  // nothing was sent
  big.pop_back();
  r = c->call(Kind::kGet, kOpEcho, big);
  ASSERT_TRUE(r) << r.status().message();
  EXPECT_EQ(r->payload.size(), kMaxRequestPayload);
}

// A fake daemon: accepts one client, reads its request header, answers with the given bytes.
class FakeDaemon {
 public:
  FakeDaemon(const std::string& path, std::vector<uint8_t> answer) {
    listen_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    EXPECT_EQ(::bind(listen_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(::listen(listen_, 4), 0);
    thread_ = std::thread([this, answer = std::move(answer)] {
      int fd = ::accept(listen_, nullptr, nullptr);
      if (fd < 0) return;
      RequestHeader h;
      if (::recv(fd, &h, sizeof h, MSG_WAITALL) == sizeof h && !answer.empty()) {
        ::send(fd, answer.data(), answer.size(), MSG_NOSIGNAL);
      }
      pollfd p{fd, POLLIN, 0};
      ::poll(&p, 1, 2000);  // hold the connection until the client gives up
      ::close(fd);
    });
  }
  ~FakeDaemon() {
    ::shutdown(listen_, SHUT_RDWR);
    thread_.join();
    ::close(listen_);
  }

 private:
  int listen_ = -1;
  std::thread thread_;
};

std::vector<uint8_t> bytes_of(const ReplyHeader& h) {
  std::vector<uint8_t> v(sizeof h);
  std::memcpy(v.data(), &h, sizeof h);
  return v;
}

TEST_F(CtrlServer, ClientChecksTheReplyHeaderBeforeAllocating) {
  {
    ReplyHeader h = make_reply_header(0, "", 0xFFFFFFFFu);
    FakeDaemon fake(path_, bytes_of(h));
    auto c = Client::connect(path_);
    ASSERT_TRUE(c);
    auto r = c->call(Kind::kGet, 1, {}, 2000ms);
    EXPECT_EQ(r.status().code(), EMSGSIZE);
    EXPECT_NE(r.status().message().find("malformed reply"), std::string::npos);
    EXPECT_FALSE(c->is_connected());
  }
  ::unlink(path_.c_str());
  {
    ReplyHeader h = make_reply_header(0, "", 0);
    h.magic = 0x11111111;
    FakeDaemon fake(path_, bytes_of(h));
    auto c = Client::connect(path_);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->call(Kind::kGet, 1, {}, 2000ms).status().code(), EPROTO);
  }
  ::unlink(path_.c_str());
  {
    // Promises 100 bytes, sends 10, then goes quiet: a timeout, not a hang.
    ReplyHeader h = make_reply_header(0, "", 100);
    auto answer = bytes_of(h);
    answer.resize(answer.size() + 10);
    FakeDaemon fake(path_, answer);
    auto c = Client::connect(path_);
    ASSERT_TRUE(c);
    auto r = c->call(Kind::kGet, 1, {}, 100ms);
    EXPECT_EQ(r.status().code(), ETIMEDOUT);
  }
  ::unlink(path_.c_str());
  {
    // Never answers at all.
    FakeDaemon fake(path_, {});
    auto c = Client::connect(path_);
    ASSERT_TRUE(c);
    auto r = c->call(Kind::kGet, 1, {}, 100ms);
    EXPECT_EQ(r.status().code(), ETIMEDOUT);
    EXPECT_NE(r.status().message().find("timed out"), std::string::npos);
  }
}

TEST_F(CtrlServer, ClientConnectTimesOutOnAWedgedDaemon) {
  // A daemon that never accepts: once its backlog is full, connecting would block forever.
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path_.c_str(), sizeof a.sun_path - 1);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(::listen(listener, 0), 0);
  std::vector<int> fillers;
  for (int i = 0; i < 64; ++i) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ASSERT_EQ(errno, EAGAIN);
      ::close(fd);
      break;
    }
    fillers.push_back(fd);
  }
  ASSERT_LT(fillers.size(), 64u);  // the backlog did fill up
  auto c = Client::connect(path_, 50ms);
  ASSERT_FALSE(c);
  EXPECT_EQ(c.status().code(), ETIMEDOUT);
  EXPECT_NE(c.status().message().find("not accepting connections"), std::string::npos);
  for (int fd : fillers) ::close(fd);
  ::close(listener);
}

TEST(CtrlClient, ResolvesTheSocketPath) {
  const char* saved = std::getenv(kIpcPathEnv);
  std::string saved_value = saved ? saved : "";
  ::unsetenv(kIpcPathEnv);
  EXPECT_EQ(resolve_ipc_path(nullptr), "/var/run/dplb.ipc");
  EXPECT_EQ(resolve_ipc_path(""), "/var/run/dplb.ipc");
  ::setenv(kIpcPathEnv, "/tmp/env.ipc", 1);
  EXPECT_EQ(resolve_ipc_path(nullptr), "/tmp/env.ipc");
  EXPECT_EQ(resolve_ipc_path("/tmp/opt.ipc"), "/tmp/opt.ipc");
  ::setenv(kIpcPathEnv, "", 1);
  EXPECT_EQ(resolve_ipc_path(nullptr), "/var/run/dplb.ipc");
  if (saved) {
    ::setenv(kIpcPathEnv, saved_value.c_str(), 1);
  } else {
    ::unsetenv(kIpcPathEnv);
  }
}

}  // namespace
}  // namespace dplb::ctrl
