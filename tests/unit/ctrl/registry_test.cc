#include "dplb/ctrl/registry.h"

#include <gtest/gtest.h>

#include <stdexcept>

namespace dplb::ctrl {
namespace {

// Answers with the module tag, the op and the payload, so tests see who handled what.
OpHandler tagging_handler(uint8_t tag) {
  return [tag](Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) {
    reply.push_back(tag);
    reply.push_back(static_cast<uint8_t>(kind));
    reply.push_back(static_cast<uint8_t>(op));
    reply.insert(reply.end(), payload.begin(), payload.end());
    return Status::ok();
  };
}

TEST(CtrlRegistry, DispatchesByKindAndOp) {
  Registry reg;
  ASSERT_TRUE(reg.add({"route", {100, 110}, {200, 220}, tagging_handler(1)}));
  ASSERT_TRUE(reg.add({"neigh", {110, 120}, {220, 230}, tagging_handler(2)}));
  // The same number in the get and set spaces belongs to different modules.
  ASSERT_TRUE(reg.add({"ipvs", {}, {100, 110}, tagging_handler(3)}));

  std::vector<uint8_t> reply;
  std::vector<uint8_t> payload = {9, 8};
  EXPECT_TRUE(reg.dispatch(Kind::kGet, 105, payload, reply));
  EXPECT_EQ(reply, (std::vector<uint8_t>{1, 1, 105, 9, 8}));
  EXPECT_TRUE(reg.dispatch(Kind::kGet, 110, {}, reply));
  EXPECT_EQ(reply[0], 2);
  EXPECT_TRUE(reg.dispatch(Kind::kSet, 100, {}, reply));
  EXPECT_EQ(reply[0], 3);
  EXPECT_TRUE(reg.dispatch(Kind::kSet, 229, {}, reply));
  EXPECT_EQ(reply[0], 2);
  EXPECT_EQ(reg.find(Kind::kSet, 219)->name, "route");
  EXPECT_EQ(reg.find(Kind::kGet, 99), nullptr);
}

TEST(CtrlRegistry, UnknownOperation) {
  Registry reg;
  ASSERT_TRUE(reg.add({"route", {100, 110}, {200, 220}, tagging_handler(1)}));
  std::vector<uint8_t> reply = {1, 2, 3};
  for (auto [kind, op] : {std::pair{Kind::kGet, 110u}, {Kind::kGet, 99u}, {Kind::kSet, 105u}, {Kind::kSet, 220u}}) {
    Status s = reg.dispatch(kind, op, {}, reply);
    EXPECT_EQ(s.code(), EOPNOTSUPP) << op;
    EXPECT_EQ(s.message(), "unknown operation " + std::to_string(op));
    EXPECT_TRUE(reply.empty());
  }
}

TEST(CtrlRegistry, OverlapsAreRefusedNamingBothModules) {
  Registry reg;
  ASSERT_TRUE(reg.add({"route", {100, 110}, {200, 220}, tagging_handler(1)}));
  Status s = reg.add({"neigh", {109, 111}, {}, tagging_handler(2)});
  EXPECT_EQ(s.code(), EEXIST);
  EXPECT_NE(s.message().find("'neigh'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("'route'"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("get"), std::string::npos) << s.message();

  s = reg.add({"ipvs", {}, {150, 201}, tagging_handler(3)});
  EXPECT_EQ(s.code(), EEXIST);
  EXPECT_NE(s.message().find("'ipvs'"), std::string::npos);
  EXPECT_NE(s.message().find("'route'"), std::string::npos);
  EXPECT_NE(s.message().find("set"), std::string::npos);

  // Touching ranges are fine; a refused module left no trace.
  EXPECT_TRUE(reg.add({"neigh", {110, 111}, {90, 100}, tagging_handler(2)}));
  EXPECT_EQ(reg.size(), 2u);
  EXPECT_EQ(reg.find(Kind::kSet, 150), nullptr);
}

TEST(CtrlRegistry, InvalidModules) {
  Registry reg;
  EXPECT_EQ(reg.add({"", {1, 2}, {}, tagging_handler(1)}).code(), EINVAL);
  EXPECT_EQ(reg.add({"x", {1, 2}, {}, nullptr}).code(), EINVAL);
  EXPECT_EQ(reg.add({"x", {5, 2}, {}, tagging_handler(1)}).code(), EINVAL);
  EXPECT_EQ(reg.add({"x", {}, {}, tagging_handler(1)}).code(), EINVAL);
  ASSERT_TRUE(reg.add({"x", {1, 2}, {}, tagging_handler(1)}));
  EXPECT_EQ(reg.add({"x", {3, 4}, {}, tagging_handler(1)}).code(), EEXIST);
}

TEST(CtrlRegistry, HandlerErrorsAndExceptionsBecomeReplies) {
  Registry reg;
  ASSERT_TRUE(reg.add({"m", {0, 10}, {}, [](Kind, uint32_t op, std::span<const uint8_t>, std::vector<uint8_t>& reply) {
                         reply.assign(5, 1);  // partial output must not leak into an error reply
                         if (op == 1) return Status::error(ENOENT, "no such route");
                         if (op == 2) throw std::bad_alloc();
                         if (op == 3) throw std::runtime_error("boom");
                         if (op == 4) throw 42;
                         return Status::ok();
                       }}));
  std::vector<uint8_t> reply;
  Status s = reg.dispatch(Kind::kGet, 1, {}, reply);
  EXPECT_EQ(s.code(), ENOENT);
  EXPECT_EQ(s.message(), "no such route");
  EXPECT_TRUE(reply.empty());
  s = reg.dispatch(Kind::kGet, 2, {}, reply);
  EXPECT_EQ(s.code(), ENOMEM);
  EXPECT_TRUE(reply.empty());
  s = reg.dispatch(Kind::kGet, 3, {}, reply);
  EXPECT_EQ(s.code(), EIO);
  EXPECT_NE(s.message().find("boom"), std::string::npos);
  EXPECT_EQ(reg.dispatch(Kind::kGet, 4, {}, reply).code(), EIO);
  EXPECT_TRUE(reg.dispatch(Kind::kGet, 0, {}, reply));
  EXPECT_EQ(reply.size(), 5u);
}

TEST(CtrlRegistry, OversizeReplyIsRefused) {
  Registry reg;
  ASSERT_TRUE(reg.add({"big", {0, 2}, {}, [](Kind, uint32_t op, std::span<const uint8_t>, std::vector<uint8_t>& reply) {
                         reply.resize(op == 0 ? kMaxReplyPayload : kMaxReplyPayload + 1);
                         return Status::ok();
                       }}));
  std::vector<uint8_t> reply;
  EXPECT_TRUE(reg.dispatch(Kind::kGet, 0, {}, reply));
  EXPECT_EQ(reply.size(), kMaxReplyPayload);
  std::vector<uint8_t> too_big;
  Status s = reg.dispatch(Kind::kGet, 1, {}, too_big);
  EXPECT_EQ(s.code(), EMSGSIZE);
  EXPECT_TRUE(too_big.empty());
}

}  // namespace
}  // namespace dplb::ctrl
