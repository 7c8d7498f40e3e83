// Every drop reason is documented for operators: docs/operations.md must name each one.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "dplb/stats/drop_reason.h"

namespace dplb {
namespace {

TEST(Docs, OperationsGuideExplainsEveryDropReason) {
  std::ifstream f(std::string(DPLB_SOURCE_DIR) + "/docs/operations.md");
  ASSERT_TRUE(f) << "docs/operations.md missing";
  std::stringstream text;
  text << f.rdbuf();
  for (std::string_view name : kDropReasonNames)
    EXPECT_NE(text.str().find("| `" + std::string(name) + "` |"), std::string::npos) << name << " undocumented";
}

TEST(Docs, DropReasonNamesRoundTrip) {
  for (size_t i = 0; i < kDropReasonCount; ++i) {
    auto r = drop_reason_from_name(kDropReasonNames[i]);
    ASSERT_TRUE(r);
    EXPECT_EQ(static_cast<size_t>(*r), i);
    EXPECT_FALSE(kDropReasonHelp[i].empty());
  }
  EXPECT_FALSE(drop_reason_from_name("no_such_reason"));
}

}  // namespace
}  // namespace dplb
