#include "http_response_entry.h"

#include <string_view>

#include "dplb/healthcheck/http_response.h"

namespace dplb::healthcheck::fuzz {
namespace {

std::string check_one(std::string_view text, const HttpResponse& r) {
  if (r.state == HttpState::bad) return r.error.empty() ? "a bad answer without a reason" : "";
  if (!r.error.empty()) return "an error on an answer that is not bad";
  if (r.state == HttpState::incomplete) return "";
  if (r.status < 100 || r.status > 599) return "status out of range";
  if (r.body.data() < text.data() || r.body.data() + r.body.size() > text.data() + text.size())
    return "body outside the received bytes";
  return "";
}

}  // namespace

std::string check_http_response(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const HttpResponse open = parse_http_response(text, false);
  const HttpResponse closed = parse_http_response(text, true);
  if (std::string why = check_one(text, open); !why.empty()) return why;
  if (std::string why = check_one(text, closed); !why.empty()) return why;
  if (closed.state == HttpState::incomplete) return "incomplete although the stream ended";
  if (open.state == HttpState::complete &&
      (closed.state != HttpState::complete || closed.status != open.status || closed.body != open.body))
    return "an answer complete before the end changed at the end";
  // Received in two pieces: the first piece alone may not be complete when the whole is not.
  const std::string_view half = text.substr(0, size / 2);
  if (parse_http_response(half, false).state == HttpState::complete && open.state == HttpState::incomplete)
    return "a prefix complete, the whole incomplete";
  return "";
}

}  // namespace dplb::healthcheck::fuzz
