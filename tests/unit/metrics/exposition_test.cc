#include "dplb/metrics/exposition.h"

#include <gtest/gtest.h>

namespace dplb::metrics {
namespace {

TEST(Exposition, HelpTypeAndSamples) {
  Exposition e;
  ASSERT_TRUE(e.family("dplb_port_rx_packets_total", "Packets received.", MetricType::counter));
  e.sample({{"port", "dpdk0"}}, uint64_t(12));
  e.sample({{"port", "dpdk1"}}, uint64_t(0));
  ASSERT_TRUE(e.family("dplb_up", "Always 1.", MetricType::gauge));
  e.sample({}, uint64_t(1));
  EXPECT_EQ(e.text(),
            "# HELP dplb_port_rx_packets_total Packets received.\n"
            "# TYPE dplb_port_rx_packets_total counter\n"
            "dplb_port_rx_packets_total{port=\"dpdk0\"} 12\n"
            "dplb_port_rx_packets_total{port=\"dpdk1\"} 0\n"
            "# HELP dplb_up Always 1.\n"
            "# TYPE dplb_up gauge\n"
            "dplb_up 1\n");
  EXPECT_EQ(e.refused_samples(), 0u);
}

TEST(Exposition, EscapesLabelValuesAndHelp) {
  Exposition e;
  ASSERT_TRUE(e.family("x", "a \\ back\nslash \"quoted\"", MetricType::gauge));
  e.sample({{"a", "q\"b\\n\nend"}, {"b", ""}}, uint64_t(7));
  EXPECT_EQ(e.text(),
            "# HELP x a \\\\ back\\nslash \"quoted\"\n"
            "# TYPE x gauge\n"
            "x{a=\"q\\\"b\\\\n\\nend\",b=\"\"} 7\n");
}

TEST(Exposition, OneFamilyPerName) {
  Exposition e;
  ASSERT_TRUE(e.family("dup", "first", MetricType::counter));
  e.sample({}, uint64_t(1));
  EXPECT_FALSE(e.family("dup", "second", MetricType::gauge));
  e.sample({}, uint64_t(2));  // refused: its family was refused
  EXPECT_EQ(e.refused_samples(), 1u);
  EXPECT_EQ(e.text().find("second"), std::string::npos);
  EXPECT_EQ(e.text().find("dup 2"), std::string::npos);
}

TEST(Exposition, RefusesBadNames) {
  Exposition e;
  EXPECT_FALSE(e.family("", "h", MetricType::gauge));
  EXPECT_FALSE(e.family("9lives", "h", MetricType::gauge));
  EXPECT_FALSE(e.family("a-b", "h", MetricType::gauge));
  EXPECT_TRUE(e.family("ns:sub_total", "h", MetricType::counter));
  e.sample({{"bad-label", "v"}}, uint64_t(1));
  e.sample({{"__reserved", "v"}}, uint64_t(1));
  EXPECT_EQ(e.refused_samples(), 2u);
  EXPECT_TRUE(valid_label_name("port"));
  EXPECT_FALSE(valid_label_name("a:b"));
}

TEST(Exposition, Doubles) {
  Exposition e;
  ASSERT_TRUE(e.family("r", "ratio", MetricType::gauge));
  e.sample({}, 0.25);
  EXPECT_NE(e.text().find("r 0.25\n"), std::string::npos);
}

}  // namespace
}  // namespace dplb::metrics
