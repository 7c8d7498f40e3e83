// The JSON writer against iproute2's own layouts (captured from ip -j / ip -j -p 6.1 on this host).
#include "cli/dpip/json_writer.h"

#include <gtest/gtest.h>

namespace dplb::dpip {
namespace {

// {"dst":"10.1.0.0/16","gateway":"10.0.0.2","metric":10,"flags":[],"metrics":[{"mtu":1400}]} as one
// element of the top-level array.
void write_route(JsonWriter& j) {
  j.begin_array();
  j.begin_object();
  j.member("dst", "10.1.0.0/16");
  j.member("gateway", "10.0.0.2");
  j.member("metric", uint32_t{10});
  j.key("flags");
  j.begin_array();
  j.end_array();
  j.key("metrics");
  j.begin_array();
  j.begin_object();
  j.member("mtu", uint32_t{1400});
  j.end_object();
  j.end_array();
  j.end_object();
  j.begin_object();
  j.member("dst", "default");
  j.key("flags");
  j.begin_array();
  j.value("BROADCAST");
  j.value("UP");
  j.end_array();
  j.end_object();
  j.end_array();
}

TEST(DpipJson, CompactAsIp) {
  JsonWriter j(false);
  write_route(j);
  EXPECT_EQ(j.str(),
            "[{\"dst\":\"10.1.0.0/"
            "16\",\"gateway\":\"10.0.0.2\",\"metric\":10,\"flags\":[],\"metrics\":[{\"mtu\":1400}]},"
            "{\"dst\":\"default\",\"flags\":[\"BROADCAST\",\"UP\"]}]");
}

TEST(DpipJson, PrettyAsIp) {
  JsonWriter j(true);
  write_route(j);
  EXPECT_EQ(j.str(),
            "[ {\n"
            "        \"dst\": \"10.1.0.0/16\",\n"
            "        \"gateway\": \"10.0.0.2\",\n"
            "        \"metric\": 10,\n"
            "        \"flags\": [ ],\n"
            "        \"metrics\": [ {\n"
            "                \"mtu\": 1400\n"
            "            } ]\n"
            "    },{\n"
            "        \"dst\": \"default\",\n"
            "        \"flags\": [ \"BROADCAST\",\"UP\" ]\n"
            "    } ]");
}

TEST(DpipJson, EmptyArrays) {
  JsonWriter c(false);
  c.begin_array();
  c.end_array();
  EXPECT_EQ(c.str(), "[]");
  JsonWriter p(true);
  p.begin_array();
  p.end_array();
  EXPECT_EQ(p.str(), "[ ]");
}

TEST(DpipJson, ScalarsAndNesting) {
  JsonWriter j(false);
  j.begin_object();
  j.member("t", true);
  j.member("f", false);
  j.member("neg", -5);
  j.member("big", uint64_t{18446744073709551615u});
  j.key("o");
  j.begin_object();
  j.end_object();
  j.end_object();
  EXPECT_EQ(j.str(), "{\"t\":true,\"f\":false,\"neg\":-5,\"big\":18446744073709551615,\"o\":{}}");
}

TEST(DpipJson, StringEscaping) {
  EXPECT_EQ(JsonWriter::escape("plain"), "\"plain\"");
  EXPECT_EQ(JsonWriter::escape("a\"b\\c"), "\"a\\\"b\\\\c\"");
  EXPECT_EQ(JsonWriter::escape("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"");
  EXPECT_EQ(JsonWriter::escape(std::string_view("\x01\x1f\x7f", 3)), "\"\\u0001\\u001f\\u007f\"");
  EXPECT_EQ(JsonWriter::escape(std::string_view("a\0b", 3)), "\"a\\u0000b\"");
  EXPECT_EQ(JsonWriter::escape("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // UTF-8 passes through
  JsonWriter j(false);
  j.begin_object();
  j.member("k\"ey", "v\nal");
  j.end_object();
  EXPECT_EQ(j.str(), "{\"k\\\"ey\":\"v\\nal\"}");
}

}  // namespace
}  // namespace dplb::dpip
