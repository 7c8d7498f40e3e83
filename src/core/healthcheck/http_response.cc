#include "dplb/healthcheck/http_response.h"

#include <charconv>

namespace dplb::healthcheck {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = char(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = char(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

HttpResponse bad(std::string why) {
  HttpResponse r;
  r.state = HttpState::bad;
  r.error = std::move(why);
  return r;
}

}  // namespace

std::string http_request(std::string_view path, std::string_view host) {
  std::string r = "GET ";
  r += path.empty() ? "/" : path;
  r += " HTTP/1.0\r\nHost: ";
  r += host;
  r += "\r\nUser-Agent: dplb-healthcheck\r\nConnection: close\r\n\r\n";
  return r;
}

HttpResponse parse_http_response(std::string_view data, bool eof) {
  // Headers end at an empty line; bare LF line ends are accepted as many servers send them.
  size_t end = data.find("\r\n\r\n");
  size_t body_at = end == std::string_view::npos ? end : end + 4;
  if (size_t lf = data.find("\n\n"); lf != std::string_view::npos && (end == std::string_view::npos || lf < end)) {
    end = lf;
    body_at = lf + 2;
  }
  if (end == std::string_view::npos) {
    if (data.size() > kMaxHeaderBytes) return bad("headers longer than 16 KiB");
    return eof ? bad(data.empty() ? "connection closed without an answer" : "answer ends inside its headers")
               : HttpResponse{};
  }
  std::string_view head = data.substr(0, end);
  size_t nl = head.find('\n');
  std::string_view status_line = trim(head.substr(0, nl));
  // "HTTP/1.x SSS reason"
  if (status_line.size() < 12 || status_line.substr(0, 5) != "HTTP/" || status_line[8] != ' ')
    return bad("not an HTTP status line");
  uint16_t status = 0;
  auto [p, ec] = std::from_chars(status_line.data() + 9, status_line.data() + 12, status);
  if (ec != std::errc() || p != status_line.data() + 12 || status < 100 || status > 599)
    return bad("bad status code");

  bool has_length = false;
  size_t length = 0;
  std::string_view rest = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
  while (!rest.empty()) {
    size_t e = rest.find('\n');
    std::string_view line = trim(rest.substr(0, e));
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 1);
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view name = trim(line.substr(0, colon)), value = trim(line.substr(colon + 1));
    if (iequals(name, "content-length")) {
      auto [q, err] = std::from_chars(value.data(), value.data() + value.size(), length);
      if (err != std::errc() || q != value.data() + value.size()) return bad("bad Content-Length");
      has_length = true;
    } else if (iequals(name, "transfer-encoding") && !iequals(value, "identity")) {
      return bad("Transfer-Encoding unsupported in an HTTP/1.0 answer");
    }
  }
  if (has_length && length > kMaxBodyBytes) return bad("body larger than 8 MiB");
  std::string_view body = data.substr(body_at);
  HttpResponse r;
  r.status = status;
  if (has_length) {
    if (body.size() < length) return eof ? bad("answer shorter than its Content-Length") : r;
    r.body = body.substr(0, length);
  } else {
    if (body.size() > kMaxBodyBytes) return bad("body larger than 8 MiB");
    if (!eof) return r;
    r.body = body;
  }
  r.state = HttpState::complete;
  return r;
}

bool status_matches(uint16_t status, const std::vector<keepalived::StatusRange>& ranges) {
  if (ranges.empty()) return status >= 200 && status <= 299;
  for (const keepalived::StatusRange& s : ranges)
    if (status >= s.lo && status <= s.hi) return true;
  return false;
}

}  // namespace dplb::healthcheck
