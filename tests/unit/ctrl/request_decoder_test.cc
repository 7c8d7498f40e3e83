#include "dplb/ctrl/request_decoder.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>

#include "../../fuzz/request_decoder_entry.h"

namespace dplb::ctrl {
namespace {

std::vector<uint8_t> encode(Kind kind, uint32_t op, const std::vector<uint8_t>& payload) {
  RequestHeader h = make_request_header(kind, op, static_cast<uint32_t>(payload.size()));
  // One buffer and two copies (vector::insert after a memcpy trips a g++ 12 -Warray-bounds bug).
  std::vector<uint8_t> out(sizeof h + payload.size());
  std::memcpy(out.data(), &h, sizeof h);
  if (!payload.empty()) std::memcpy(out.data() + sizeof h, payload.data(), payload.size());
  return out;
}

std::vector<uint8_t> header_bytes(const RequestHeader& h) {
  std::vector<uint8_t> out(sizeof h);
  std::memcpy(out.data(), &h, sizeof h);
  return out;
}

// Feeds all of data (taking requests as they complete), returns the requests.
std::vector<Request> feed_all(RequestDecoder& d, std::span<const uint8_t> data) {
  std::vector<Request> out;
  size_t off = 0;
  while (off < data.size()) {
    off += d.feed(data.subspan(off));
    if (d.state() == RequestDecoder::State::kReady) {
      out.push_back(d.take());
    } else if (d.state() == RequestDecoder::State::kError) {
      break;
    }
  }
  return out;
}

TEST(CtrlRequestDecoder, DecodesOneRequest) {
  RequestDecoder d;
  EXPECT_EQ(d.bytes_wanted(), sizeof(RequestHeader));
  auto bytes = encode(Kind::kSet, 300, {1, 2, 3, 4, 5});
  EXPECT_EQ(d.feed(bytes), bytes.size());
  ASSERT_EQ(d.state(), RequestDecoder::State::kReady);
  Request r = d.take();
  EXPECT_EQ(r.kind, Kind::kSet);
  EXPECT_EQ(r.op, 300u);
  EXPECT_EQ(r.payload, (std::vector<uint8_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(d.state(), RequestDecoder::State::kNeedMore);
  EXPECT_FALSE(d.mid_request());
}

TEST(CtrlRequestDecoder, EmptyPayloadCompletesWithTheHeader) {
  RequestDecoder d;
  auto bytes = encode(Kind::kGet, 1, {});
  EXPECT_EQ(d.feed(bytes), 16u);
  ASSERT_EQ(d.state(), RequestDecoder::State::kReady);
  EXPECT_TRUE(d.take().payload.empty());
}

TEST(CtrlRequestDecoder, SplitAcrossManyReads) {
  std::vector<uint8_t> payload(1000);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<uint8_t>(i * 7);
  auto bytes = encode(Kind::kGet, 42, payload);
  RequestDecoder d;
  for (size_t i = 0; i + 1 < bytes.size(); ++i) {
    ASSERT_EQ(d.feed(std::span<const uint8_t>(&bytes[i], 1)), 1u);
    ASSERT_EQ(d.state(), RequestDecoder::State::kNeedMore) << i;
    EXPECT_TRUE(d.mid_request());
    // Never asks for more than the current request still needs.
    size_t need = i + 1 < 16 ? 16 - (i + 1) : bytes.size() - (i + 1);
    EXPECT_EQ(d.bytes_wanted(), need) << i;
  }
  EXPECT_EQ(d.feed(std::span<const uint8_t>(&bytes.back(), 1)), 1u);
  ASSERT_EQ(d.state(), RequestDecoder::State::kReady);
  Request r = d.take();
  EXPECT_EQ(r.op, 42u);
  EXPECT_EQ(r.payload, payload);
}

TEST(CtrlRequestDecoder, SeveralRequestsInOneRead) {
  auto a = encode(Kind::kGet, 1, {9});
  auto b = encode(Kind::kSet, 2, {});
  auto c = encode(Kind::kSet, 3, {7, 7, 7});
  std::vector<uint8_t> all;
  for (auto* v : {&a, &b, &c}) all.insert(all.end(), v->begin(), v->end());
  RequestDecoder d;
  // feed stops at the end of the first request and will not take more until it is taken.
  EXPECT_EQ(d.feed(all), a.size());
  EXPECT_EQ(d.feed(std::span<const uint8_t>(all).subspan(a.size())), 0u);
  d.take();
  RequestDecoder d2;
  auto reqs = feed_all(d2, all);
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[0].op, 1u);
  EXPECT_EQ(reqs[1].op, 2u);
  EXPECT_EQ(reqs[2].payload, (std::vector<uint8_t>{7, 7, 7}));
}

struct BadHeaderCase {
  const char* name;
  RequestHeader header;
  int code;
};

TEST(CtrlRequestDecoder, BadHeadersAreFatalWithTheRightCode) {
  const RequestHeader good = make_request_header(Kind::kGet, 1, 0);
  auto with = [&](auto change) {
    RequestHeader h = good;
    change(h);
    return h;
  };
  const BadHeaderCase cases[] = {
      {"wrong magic", with([](RequestHeader& h) { h.magic = 0x50524c44; }), EPROTO},
      {"zero magic", with([](RequestHeader& h) { h.magic = 0; }), EPROTO},
      {"wrong version", with([](RequestHeader& h) { h.version = 2; }), EPROTO},
      {"version 0", with([](RequestHeader& h) { h.version = 0; }), EPROTO},
      {"unknown kind 0", with([](RequestHeader& h) { h.kind = 0; }), EPROTO},
      {"unknown kind 3", with([](RequestHeader& h) { h.kind = 3; }), EPROTO},
      {"oversize", with([](RequestHeader& h) { h.payload_len = kMaxRequestPayload + 1; }), EMSGSIZE},
      {"4 GiB", with([](RequestHeader& h) { h.payload_len = 0xFFFFFFFFu; }), EMSGSIZE},
  };
  for (const auto& c : cases) {
    RequestDecoder d;
    auto bytes = header_bytes(c.header);
    bytes.resize(bytes.size() + 100, 0xAA);  // what follows must not be consumed
    EXPECT_EQ(d.feed(bytes), sizeof(RequestHeader)) << c.name;
    ASSERT_EQ(d.state(), RequestDecoder::State::kError) << c.name;
    EXPECT_EQ(d.error().code(), c.code) << c.name;
    EXPECT_FALSE(d.error().message().empty()) << c.name;
    EXPECT_EQ(d.feed(bytes), 0u) << c.name;  // broken for good
    EXPECT_EQ(d.bytes_wanted(), 0u) << c.name;
  }
}

TEST(CtrlRequestDecoder, MaxPayloadIsAccepted) {
  std::vector<uint8_t> payload(kMaxRequestPayload, 0x5a);
  auto bytes = encode(Kind::kSet, 5, payload);
  RequestDecoder d;
  EXPECT_EQ(d.feed(bytes), bytes.size());
  ASSERT_EQ(d.state(), RequestDecoder::State::kReady);
  EXPECT_EQ(d.take().payload.size(), kMaxRequestPayload);
}

TEST(CtrlRequestDecoder, TruncatedHeaderAndPayloadWaitForMore) {
  auto bytes = encode(Kind::kSet, 5, {1, 2, 3, 4});
  RequestDecoder d;
  EXPECT_EQ(d.feed(std::span<const uint8_t>(bytes).first(10)), 10u);
  EXPECT_EQ(d.state(), RequestDecoder::State::kNeedMore);
  EXPECT_TRUE(d.mid_request());
  EXPECT_EQ(d.bytes_wanted(), 6u);
  EXPECT_EQ(d.feed(std::span<const uint8_t>(bytes).subspan(10, 8)), 8u);
  EXPECT_EQ(d.state(), RequestDecoder::State::kNeedMore);
  EXPECT_EQ(d.bytes_wanted(), 2u);
}

TEST(CtrlRequestDecoder, GarbageIsRejectedAtTheFirstHeader) {
  std::mt19937 rng(1234);
  for (int i = 0; i < 200; ++i) {
    std::vector<uint8_t> junk(16 + rng() % 200);
    for (auto& b : junk) b = static_cast<uint8_t>(rng());
    RequestDecoder d;
    feed_all(d, junk);
    // Random bytes essentially never form a valid magic: the first 16 bytes decide.
    ASSERT_EQ(d.state(), RequestDecoder::State::kError) << i;
    EXPECT_EQ(d.error().code(), EPROTO);
  }
}

TEST(CtrlRequestDecoder, RandomSplitsMatchTheReference) {
  // Random valid streams with a bad header at the end half of the time, random chunkings:
  // the shared fuzz entry compares against its whole-buffer reference parser.
  std::mt19937 rng(99);
  for (int iter = 0; iter < 300; ++iter) {
    std::vector<uint8_t> input;
    uint8_t n = static_cast<uint8_t>(rng() % 8);
    input.push_back(n);
    for (int i = 0; i < n; ++i) input.push_back(static_cast<uint8_t>(rng() % 40));
    int requests = static_cast<int>(rng() % 5);
    for (int r = 0; r < requests; ++r) {
      std::vector<uint8_t> payload(rng() % 64);
      for (auto& b : payload) b = static_cast<uint8_t>(rng());
      auto bytes = encode(rng() % 2 ? Kind::kGet : Kind::kSet, static_cast<uint32_t>(rng()), payload);
      input.insert(input.end(), bytes.begin(), bytes.end());
    }
    if (rng() % 2) {
      RequestHeader h = make_request_header(Kind::kGet, 0, static_cast<uint32_t>(rng()));
      auto bytes = header_bytes(h);
      input.insert(input.end(), bytes.begin(), bytes.end());
    }
    if (rng() % 3 == 0) input.resize(input.size() - std::min<size_t>(input.size() - 1 - n, rng() % 20));
    EXPECT_EQ(fuzz::check_request_decoder(input.data(), input.size()), "") << iter;
  }
}

TEST(CtrlRequestDecoder, FuzzCorpusReplays) {
  const std::filesystem::path dir = std::filesystem::path(DPLB_SOURCE_DIR) / "tests/fuzz/corpus/request_decoder";
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(fuzz::check_request_decoder(data.data(), data.size()), "") << entry.path();
    ++files;
  }
  EXPECT_GE(files, 12u);
}

}  // namespace
}  // namespace dplb::ctrl
