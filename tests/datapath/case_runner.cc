#include "case_runner.h"

#include <cstdio>

namespace dplb::dp::fixture {

namespace {

DatapathFixture* g_fixture = nullptr;

// EAL once for the binary; a failed start fails every case (and so the binary).
class DatapathEnvironment : public ::testing::Environment {
 public:
  void SetUp() override {
    g_fixture = &fixture_;
    DatapathFixture::Options options;
    options.name = "dplb_dpcases";
    start_error_ = fixture_.start(options);
  }
  void TearDown() override {
    fixture_.stop();
    g_fixture = nullptr;
  }
  const std::string& start_error() const { return start_error_; }

 private:
  DatapathFixture fixture_;
  std::string start_error_;
};

auto* const g_environment =
    static_cast<DatapathEnvironment*>(::testing::AddGlobalTestEnvironment(new DatapathEnvironment));

std::string hex(const std::vector<uint8_t>& b) {
  std::string s;
  char buf[4];
  for (size_t i = 0; i < b.size(); ++i) {
    std::snprintf(buf, sizeof buf, i % 16 == 0 ? "\n%02x" : " %02x", b[i]);
    s += buf;
  }
  return s;
}

// "" when equal, else the first difference (frame, port, byte offset).
std::string difference(const std::vector<Frame>& expected, const std::vector<Frame>& actual) {
  for (size_t i = 0; i < std::min(expected.size(), actual.size()); ++i) {
    const Frame& e = expected[i];
    const Frame& a = actual[i];
    std::string at = "frame " + std::to_string(i) + ": ";
    if (e.port != a.port) return at + "sent on port " + std::to_string(a.port) + ", expected " + std::to_string(e.port);
    for (size_t k = 0; k < std::min(e.bytes.size(), a.bytes.size()); ++k)
      if (e.bytes[k] != a.bytes[k]) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "byte %zu is 0x%02x, expected 0x%02x", k, a.bytes[k], e.bytes[k]);
        return at + buf;
      }
    if (e.bytes.size() != a.bytes.size())
      return at + std::to_string(a.bytes.size()) + " bytes, expected " + std::to_string(e.bytes.size());
  }
  if (expected.size() != actual.size())
    return std::to_string(actual.size()) + " frames sent, expected " + std::to_string(expected.size());
  return "";
}

// The case's drops counted exactly (each other reason still), the connection table consistent and
// every mbuf back in its pool.
void expect_drops_then_release(DatapathFixture& fx, const PacketCase& c, const DropCounts& before) {
  const DropCounts after = fx.drops();
  DropCounts expected{};
  for (DropReason r : c.expected_drops) ++expected[static_cast<size_t>(r)];
  for (size_t r = 0; r < kDropReasonCount; ++r)
    EXPECT_EQ(after[r] - before[r], expected[r]) << "drop reason " << kDropReasonNames[r];

  EXPECT_EQ(fx.check_connections(), "");
  EXPECT_EQ(fx.release_and_check_pools(), "");
}

}  // namespace

void PrintTo(const PacketCase& c, std::ostream* os) { *os << c.name; }

void PrintTo(const Frame& f, std::ostream* os) { *os << "port " << f.port << ":" << hex(f.bytes) << "\n"; }

std::string case_name(const ::testing::TestParamInfo<PacketCase>& info) { return info.param.name; }

TEST_P(DatapathCase, TransmitsAndDropsExactly) {
  const PacketCase& c = GetParam();
  SCOPED_TRACE(c.description);
  ASSERT_EQ(g_environment->start_error(), "");
  DatapathFixture& fx = *g_fixture;
  ASSERT_EQ(fx.reset(), "");
  if (c.setup) c.setup(fx);
  const DropCounts before = fx.drops();

  std::vector<Frame> sent;
  for (const Frame& f : c.input) {
    EXPECT_EQ(fx.inject(f), "");
    for (Frame& out : fx.take_transmitted()) sent.push_back(std::move(out));
  }
  EXPECT_EQ(difference(c.expected_output, sent), "");
  EXPECT_EQ(sent, c.expected_output);

  expect_drops_then_release(fx, c, before);
}

// The same case with each run of consecutive inputs on one port received as one burst: the
// burst-wide stages must give every packet the verdict it gets alone. What a port transmits keeps
// its order (across ports a burst's outputs are taken together, so only each port's sequence is
// compared), and the drops are the same. `staged`: the nat sub-vector takes its prefetching passes
// (lookups of the whole sub-vector before any packet is handled), as for a table beyond the caches.
static void run_as_bursts(const PacketCase& c, bool staged) {
  SCOPED_TRACE(c.description);
  ASSERT_EQ(g_environment->start_error(), "");
  DatapathFixture& fx = *g_fixture;
  ASSERT_EQ(fx.reset(), "");
  if (staged) fx.set_conn_prefetch_min(0);
  if (c.setup) c.setup(fx);
  const DropCounts before = fx.drops();

  std::vector<Frame> sent;
  for (size_t i = 0; i < c.input.size();) {
    std::vector<std::span<const uint8_t>> burst;
    uint16_t port = c.input[i].port;
    for (; i < c.input.size() && c.input[i].port == port && burst.size() < 32; ++i) burst.emplace_back(c.input[i].bytes);
    EXPECT_EQ(fx.inject_burst(port, burst), "");
    for (Frame& out : fx.take_transmitted()) sent.push_back(std::move(out));
  }
  for (uint16_t port = 0; port < topo::kPorts; ++port) {
    std::vector<Frame> want, got;
    for (const Frame& f : c.expected_output)
      if (f.port == port) want.push_back(f);
    for (const Frame& f : sent)
      if (f.port == port) got.push_back(f);
    EXPECT_EQ(difference(want, got), "") << "port " << port;
  }

  expect_drops_then_release(fx, c, before);
}

TEST_P(DatapathCase, SameAsOneBurst) { run_as_bursts(GetParam(), false); }
TEST_P(DatapathCase, SameAsOneBurstStaged) { run_as_bursts(GetParam(), true); }

}  // namespace dplb::dp::fixture
