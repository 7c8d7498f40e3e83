#include "dplb/ctrl/wire.h"

#include <gtest/gtest.h>

namespace dplb::ctrl {
namespace {

struct Rec {
  uint32_t addr;
  uint16_t port;
  uint16_t flags;
};

TEST(CtrlWire, RequestHeaderRoundTripAndChecks) {
  RequestHeader h = make_request_header(Kind::kSet, 77, 12);
  EXPECT_EQ(h.magic, kRequestMagic);
  EXPECT_EQ(h.version, kWireVersion);
  EXPECT_EQ(h.kind, 2);
  EXPECT_EQ(h.op, 77u);
  EXPECT_EQ(h.payload_len, 12u);
  EXPECT_TRUE(check_request_header(h));

  RequestHeader bad = h;
  bad.magic = 0x12345678;
  EXPECT_EQ(check_request_header(bad).code(), EPROTO);
  EXPECT_NE(check_request_header(bad).message().find("0x12345678"), std::string::npos);
  bad = h;
  bad.version = 9;
  EXPECT_EQ(check_request_header(bad).code(), EPROTO);
  bad = h;
  bad.kind = 0;
  EXPECT_EQ(check_request_header(bad).code(), EPROTO);
  bad = h;
  bad.payload_len = kMaxRequestPayload;
  EXPECT_TRUE(check_request_header(bad));
  bad.payload_len = kMaxRequestPayload + 1;
  EXPECT_EQ(check_request_header(bad).code(), EMSGSIZE);
  bad.payload_len = 0xFFFFFFFFu;
  EXPECT_EQ(check_request_header(bad).code(), EMSGSIZE);
}

TEST(CtrlWire, ReplyHeaderMessageIsTruncatedAndTerminated) {
  std::string long_msg(500, 'm');
  ReplyHeader h = make_reply_header(EINVAL, long_msg, 3);
  EXPECT_EQ(h.error, EINVAL);
  EXPECT_EQ(reply_message(h), std::string(kReplyMessageSize - 1, 'm'));
  EXPECT_EQ(h.message[kReplyMessageSize - 1], '\0');
  EXPECT_TRUE(check_reply_header(h));

  // A peer that filled the whole array without a NUL cannot make us read past it.
  std::memset(h.message, 'x', sizeof h.message);
  EXPECT_EQ(reply_message(h).size(), kReplyMessageSize);

  h.payload_len = kMaxReplyPayload + 1;
  EXPECT_EQ(check_reply_header(h).code(), EMSGSIZE);
  h.payload_len = 0;
  h.magic = kRequestMagic;  // a request is not a reply
  EXPECT_EQ(check_reply_header(h).code(), EPROTO);
  h.magic = kReplyMagic;
  h.version = 0;
  EXPECT_EQ(check_reply_header(h).code(), EPROTO);
}

TEST(CtrlWire, WriterAndReaderRoundTrip) {
  std::vector<uint8_t> buf;
  PayloadWriter w(buf);
  std::vector<Rec> recs = {{1, 2, 3}, {4, 5, 6}, {7, 8, 9}};
  ASSERT_TRUE(w.put(uint32_t{0xabcdef01}));
  ASSERT_TRUE(w.put_counted_array(std::span<const Rec>(recs)));
  ASSERT_TRUE(w.put(uint16_t{42}));
  EXPECT_EQ(buf.size(), 4 + 4 + 3 * sizeof(Rec) + 2);

  PayloadReader r(buf);
  uint32_t a = 0;
  std::vector<Rec> back;
  uint16_t c = 0;
  ASSERT_TRUE(r.read(a));
  ASSERT_TRUE(r.read_counted_array(back));
  ASSERT_TRUE(r.read(c));
  EXPECT_TRUE(r.done());
  EXPECT_TRUE(r.finish("test"));
  EXPECT_EQ(a, 0xabcdef01u);
  ASSERT_EQ(back.size(), 3u);
  EXPECT_EQ(back[2].addr, 7u);
  EXPECT_EQ(back[2].flags, 9u);
  EXPECT_EQ(c, 42);
}

TEST(CtrlWire, WriterRefusesToGrowPastItsLimit) {
  std::vector<uint8_t> buf;
  PayloadWriter w(buf, 10);
  EXPECT_TRUE(w.put(uint64_t{1}));
  EXPECT_FALSE(w.put(uint32_t{2}));  // 12 > 10
  EXPECT_FALSE(w.ok());
  EXPECT_FALSE(w.put(uint8_t{3}));  // stays failed even though 9 bytes would fit
  EXPECT_EQ(buf.size(), 8u);
}

TEST(CtrlWire, ReaderChecksCountsBeforeAllocating) {
  std::vector<uint8_t> buf;
  PayloadWriter w(buf);
  w.put(uint32_t{0xFFFFFFFF});  // claims 4 G records
  w.put(Rec{1, 2, 3});
  PayloadReader r(buf);
  std::vector<Rec> out;
  EXPECT_FALSE(r.read_counted_array(out));
  EXPECT_TRUE(out.empty());
  EXPECT_EQ(out.capacity(), 0u);  // nothing was allocated from the hostile count
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.finish("rec").code(), EINVAL);

  // Count exceeding a caller bound, though the bytes are there.
  std::vector<uint8_t> two;
  PayloadWriter w2(two);
  std::vector<Rec> recs(2);
  w2.put_counted_array(std::span<const Rec>(recs));
  PayloadReader r2(two);
  EXPECT_FALSE(r2.read_counted_array(out, 1));

  // read_array with a count whose byte size overflows size_t.
  PayloadReader r3(buf);
  EXPECT_FALSE(r3.read_array(SIZE_MAX / 2, out));
}

TEST(CtrlWire, ReaderTruncationAndTrailingBytes) {
  std::vector<uint8_t> buf = {1, 2, 3};
  PayloadReader r(buf);
  uint32_t v = 0;
  EXPECT_FALSE(r.read(v));
  EXPECT_FALSE(r.ok());
  uint8_t b = 0;
  EXPECT_FALSE(r.read(b));  // stays failed
  EXPECT_NE(r.finish("x").message().find("truncated"), std::string::npos);

  PayloadReader r2(buf);
  uint16_t h = 0;
  EXPECT_TRUE(r2.read(h));
  EXPECT_FALSE(r2.done());
  EXPECT_NE(r2.finish("x").message().find("1 trailing"), std::string::npos);
  EXPECT_TRUE(r2.skip(1));
  EXPECT_TRUE(r2.done());
  EXPECT_FALSE(r2.skip(1));
}

TEST(CtrlWire, PodHelpersAndFixedStrings) {
  Rec rec{10, 20, 30};
  auto bytes = encode_pod(rec);
  Rec back{};
  EXPECT_TRUE(decode_pod(std::span<const uint8_t>(bytes), back));
  EXPECT_EQ(back.port, 20);
  bytes.push_back(0);
  EXPECT_FALSE(decode_pod(std::span<const uint8_t>(bytes), back));

  char name[8];
  EXPECT_TRUE(set_fixed_string(name, "dpdk0"));
  EXPECT_EQ(fixed_string(name), "dpdk0");
  EXPECT_TRUE(set_fixed_string(name, "1234567"));
  EXPECT_EQ(fixed_string(name), "1234567");
  EXPECT_FALSE(set_fixed_string(name, "12345678"));  // no room for the NUL
  EXPECT_EQ(fixed_string(name), "1234567");          // unchanged
  EXPECT_FALSE(set_fixed_string(name, std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace dplb::ctrl
