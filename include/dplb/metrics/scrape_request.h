// The HTTP/1.x request a scraper sends to the metrics endpoint, parsed from the bytes received so
// far: only `GET /metrics` (any query string) is served. Bounded: a request head longer than
// kMaxRequestBytes is refused, and garbage is refused as soon as its first bytes show it, so the
// endpoint can close it at once instead of waiting for a blank line that never comes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace dplb::metrics {

inline constexpr size_t kMaxRequestBytes = 4096;

enum class RequestState { incomplete, complete, bad };

struct ScrapeRequest {
  RequestState state = RequestState::incomplete;
  // The answer's HTTP status once not incomplete: 200 for GET /metrics, 404 another path, 405 another
  // method, 400 a malformed request, 431 a head over kMaxRequestBytes, 505 not HTTP/1.x.
  int status = 0;
  std::string_view why;  // for a status other than 200, one line saying what was wrong
};

ScrapeRequest parse_scrape_request(std::string_view received);

// The status line and headers of an answer with a body of body_length bytes; the connection closes
// after it (one request per connection keeps the endpoint's state small). 405 names GET in Allow.
std::string response_head(int status, std::string_view content_type, size_t body_length);
std::string_view status_text(int status);

}  // namespace dplb::metrics
