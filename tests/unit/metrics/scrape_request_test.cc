#include "dplb/metrics/scrape_request.h"

#include <gtest/gtest.h>

#include <string>

namespace dplb::metrics {
namespace {

ScrapeRequest parse(std::string_view s) { return parse_scrape_request(s); }

TEST(ScrapeRequest, GetMetrics) {
  auto r = parse("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: text/plain\r\n\r\n");
  EXPECT_EQ(r.state, RequestState::complete);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(parse("GET /metrics?x=1 HTTP/1.0\n\n").status, 200);
}

TEST(ScrapeRequest, IncompleteUntilTheBlankLine) {
  EXPECT_EQ(parse("").state, RequestState::incomplete);
  EXPECT_EQ(parse("GE").state, RequestState::incomplete);
  EXPECT_EQ(parse("GET /metr").state, RequestState::incomplete);
  EXPECT_EQ(parse("GET /metrics HTTP/1.1\r\nHost: x\r\n").state, RequestState::incomplete);
}

TEST(ScrapeRequest, OtherPathsAndMethods) {
  EXPECT_EQ(parse("GET / HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(parse("GET /metricsx HTTP/1.1\r\n\r\n").status, 404);
  EXPECT_EQ(parse("POST /metrics HTTP/1.1\r\n\r\n").status, 405);
  EXPECT_EQ(parse("HEAD /metrics HTTP/1.1\r\n\r\n").status, 405);
  EXPECT_EQ(parse("GET /metrics HTTP/2.0\r\n\r\n").status, 505);
}

TEST(ScrapeRequest, GarbageRefusedEarly) {
  // Refused from its first bytes, without waiting for a blank line.
  EXPECT_EQ(parse("\x16\x03\x01").state, RequestState::bad);  // a TLS hello
  EXPECT_EQ(parse("get /metrics").status, 400);
  EXPECT_EQ(parse(" GET").status, 400);
  EXPECT_EQ(parse("GET  /metrics").status, 400);
  EXPECT_EQ(parse("GET /metrics FTP/1.1").status, 400);
  EXPECT_EQ(parse("GET /metrics\r\n").status, 400);
  EXPECT_EQ(parse("\r\n\r\n").status, 400);
}

TEST(ScrapeRequest, BoundedHead) {
  std::string big = "GET /metrics HTTP/1.1\r\nX: " + std::string(kMaxRequestBytes + 4, 'a');
  EXPECT_EQ(parse(big).status, 431);
  EXPECT_EQ(parse(big + "\r\n\r\n").status, 431);
  std::string long_target = "GET /" + std::string(kMaxRequestBytes + 10, 'a');
  EXPECT_EQ(parse(long_target).status, 431);
}

TEST(ScrapeRequest, ResponseHead) {
  std::string h = response_head(405, "text/plain", 3);
  EXPECT_EQ(h, "HTTP/1.1 405 Method Not Allowed\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
               "Allow: GET\r\nConnection: close\r\n\r\n");
}

}  // namespace
}  // namespace dplb::metrics
