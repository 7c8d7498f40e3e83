// HTTP_GET / SSL_GET: the request the checker sends and the parsing of the answer, incrementally
// over the bytes received so far. HTTP/1.0 with "Connection: close", so the answer is never chunked
// and ends at Content-Length or at the end of the stream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dplb/keepalived/keepalived_conf.h"

namespace dplb::healthcheck {

inline constexpr size_t kMaxHeaderBytes = 16 * 1024;
inline constexpr size_t kMaxBodyBytes = 8u << 20;  // a digest over more than this fails the check

// "GET PATH HTTP/1.0\r\nHost: HOST\r\n..." (host: the virtualhost, else the address; ":PORT" when not 80).
std::string http_request(std::string_view path, std::string_view host);

enum class HttpState : uint8_t { incomplete, complete, bad };

struct HttpResponse {
  HttpState state = HttpState::incomplete;
  uint16_t status = 0;
  std::string_view body;  // into the parsed bytes, once complete
  std::string error;      // why bad
};

// data: everything received; eof: the peer closed. Complete once the headers and the whole body
// (Content-Length bytes, else everything up to eof) are in.
HttpResponse parse_http_response(std::string_view data, bool eof);

// keepalived's status_code: any of the ranges; none given: 200-299.
bool status_matches(uint16_t status, const std::vector<keepalived::StatusRange>& ranges);

}  // namespace dplb::healthcheck
