// HTTP_GET's answers, parsed over partial input: status, Content-Length or end of stream, bad input.
#include "dplb/healthcheck/http_response.h"

#include <gtest/gtest.h>

namespace dplb::healthcheck {
namespace {

TEST(HttpRequest, IsAClosingHttp10Get) {
  EXPECT_EQ(http_request("/health", "10.0.0.11"),
            "GET /health HTTP/1.0\r\nHost: 10.0.0.11\r\nUser-Agent: dplb-healthcheck\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(http_request("", "h").substr(0, 6), "GET / ");
}

TEST(HttpResponse, CompleteAtContentLength) {
  const std::string a = "HTTP/1.0 200 OK\r\nContent-Length: 5\r\nServer: x\r\n\r\nhello";
  for (size_t n = 0; n < a.size(); ++n)
    EXPECT_EQ(parse_http_response(std::string_view(a).substr(0, n), false).state, HttpState::incomplete) << n;
  auto r = parse_http_response(a, false);
  ASSERT_EQ(r.state, HttpState::complete);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "hello");
  EXPECT_EQ(parse_http_response(a + "trailing", false).body, "hello");
}

TEST(HttpResponse, WithoutLengthTheBodyEndsAtEof) {
  const std::string a = "HTTP/1.1 500 Internal Server Error\n\nboom";
  EXPECT_EQ(parse_http_response(a, false).state, HttpState::incomplete);
  auto r = parse_http_response(a, true);
  ASSERT_EQ(r.state, HttpState::complete);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, "boom");
}

TEST(HttpResponse, HeaderNamesAreCaseInsensitive) {
  auto r = parse_http_response("HTTP/1.0 404 Not Found\r\ncontent-LENGTH:  0 \r\n\r\n", false);
  ASSERT_EQ(r.state, HttpState::complete);
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.body, "");
}

TEST(HttpResponse, BadAnswersSayWhy) {
  struct Case {
    std::string data;
    bool eof;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"", true, "connection closed without an answer"},
           {"HTTP/1.0 200 OK\r\n", true, "answer ends inside its headers"},
           {"SSH-2.0-OpenSSH\r\n\r\n", false, "not an HTTP status line"},
           {"HTTP/1.0 2x0 OK\r\n\r\n", false, "bad status code"},
           {"HTTP/1.0 999 OK\r\n\r\n", false, "bad status code"},
           {"HTTP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n", false, "bad Content-Length"},
           {"HTTP/1.0 200 OK\r\nContent-Length: 99999999999\r\n\r\n", false, "body larger than 8 MiB"},
           {"HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\nshort", true, "answer shorter than its Content-Length"},
           {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", false,
            "Transfer-Encoding unsupported in an HTTP/1.0 answer"},
           {"HTTP/1.0 200 OK\r\n" + std::string(kMaxHeaderBytes, 'x'), false, "headers longer than 16 KiB"},
       }) {
    auto r = parse_http_response(c.data, c.eof);
    EXPECT_EQ(r.state, HttpState::bad) << c.data.substr(0, 60);
    EXPECT_EQ(r.error, c.error) << c.data.substr(0, 60);
  }
}

TEST(StatusMatches, DefaultIs2xxElseAnyRange) {
  EXPECT_TRUE(status_matches(200, {}));
  EXPECT_TRUE(status_matches(299, {}));
  EXPECT_FALSE(status_matches(301, {}));
  std::vector<keepalived::StatusRange> r{{200, 200}, {300, 399}};
  EXPECT_TRUE(status_matches(200, r));
  EXPECT_TRUE(status_matches(302, r));
  EXPECT_FALSE(status_matches(201, r));
  EXPECT_FALSE(status_matches(500, r));
}

}  // namespace
}  // namespace dplb::healthcheck
