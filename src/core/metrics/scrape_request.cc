#include "dplb/metrics/scrape_request.h"

namespace dplb::metrics {

namespace {

bool is_method_char(char c) { return c >= 'A' && c <= 'Z'; }
// RFC 9112 request-target characters (visible ASCII, no space).
bool is_target_char(char c) { return c > 0x20 && c < 0x7f; }

ScrapeRequest answer(int status, std::string_view why) {
  return ScrapeRequest{status == 200 ? RequestState::complete : RequestState::bad, status, why};
}

// Checks what has arrived of the request line; bad as soon as it cannot become a valid one.
// Returns incomplete when nothing is wrong yet.
ScrapeRequest check_request_line(std::string_view line, bool whole) {
  size_t i = 0;
  while (i < line.size() && is_method_char(line[i])) ++i;
  if (i == line.size()) return whole ? answer(400, "malformed request line") : ScrapeRequest{};
  if (line[i] != ' ' || i == 0) return answer(400, "malformed request line");
  const std::string_view method = line.substr(0, i);
  size_t t = ++i;
  while (i < line.size() && is_target_char(line[i])) ++i;
  if (i == line.size()) return whole ? answer(400, "malformed request line") : ScrapeRequest{};
  if (line[i] != ' ' || i == t) return answer(400, "malformed request line");
  const std::string_view target = line.substr(t, i - t);
  const std::string_view version = line.substr(i + 1);
  constexpr std::string_view kHttp1 = "HTTP/1.";
  if (!whole) {
    const size_t n = version.size() < kHttp1.size() ? version.size() : kHttp1.size();
    if (version.substr(0, n) != kHttp1.substr(0, n)) return answer(version.starts_with("HTTP/") ? 505 : 400,
                                                                    "not an HTTP/1.x request");
    return ScrapeRequest{};
  }
  if (!version.starts_with("HTTP/")) return answer(400, "malformed request line");
  if (version != "HTTP/1.0" && version != "HTTP/1.1") return answer(505, "only HTTP/1.0 and HTTP/1.1 are served");
  if (method != "GET") return answer(405, "only GET is served");
  const std::string_view path = target.substr(0, target.find('?'));
  if (path != "/metrics") return answer(404, "only /metrics is served");
  return answer(200, "");
}

}  // namespace

ScrapeRequest parse_scrape_request(std::string_view received) {
  const size_t eol = received.find('\n');
  std::string_view line = received.substr(0, eol);
  const bool line_whole = eol != std::string_view::npos;
  if (line_whole && line.ends_with('\r')) line.remove_suffix(1);
  ScrapeRequest r = check_request_line(line.substr(0, kMaxRequestBytes), line_whole);
  if (r.state == RequestState::bad) return r;
  // The head ends at the first empty line (CRLF CRLF, or bare LFs as lenient servers accept).
  size_t end = received.find("\r\n\r\n");
  size_t end_lf = received.find("\n\n");
  if (end == std::string_view::npos || (end_lf != std::string_view::npos && end_lf < end)) end = end_lf;
  if (end == std::string_view::npos) {
    // 4 bytes of slack: a blank line arriving later could still end the head within the bound.
    if (received.size() >= kMaxRequestBytes + 4) return answer(431, "request head too large");
    return ScrapeRequest{};
  }
  if (end > kMaxRequestBytes) return answer(431, "request head too large");
  return r;
}

std::string_view status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
  }
}

std::string response_head(int status, std::string_view content_type, size_t body_length) {
  std::string h = "HTTP/1.1 " + std::to_string(status) + " ";
  h += status_text(status);
  h += "\r\nContent-Type: ";
  h += content_type;
  h += "\r\nContent-Length: " + std::to_string(body_length);
  if (status == 405) h += "\r\nAllow: GET";
  h += "\r\nConnection: close\r\n\r\n";
  return h;
}

}  // namespace dplb::metrics
