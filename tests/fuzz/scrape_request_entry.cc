#include "scrape_request_entry.h"

#include <string_view>

#include "dplb/metrics/scrape_request.h"

namespace dplb::metrics::fuzz {

std::string check_scrape_request(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ScrapeRequest whole = parse_scrape_request(text);
  if (whole.state == RequestState::incomplete) {
    if (whole.status != 0) return "a status on an incomplete request";
    if (size > kMaxRequestBytes + 4) return "incomplete beyond the size bound";
  } else {
    if (whole.status < 200 || whole.status > 599) return "status out of range";
    if ((whole.status == 200) != (whole.state == RequestState::complete)) return "state and status disagree";
    if (whole.status != 200 && whole.why.empty()) return "a refusal without a reason";
  }
  // Every prefix: a refusal or an answer decided on a prefix must hold for the whole.
  for (size_t cut : {size / 3, size / 2, size - size / 4}) {
    const ScrapeRequest part = parse_scrape_request(text.substr(0, cut));
    if (part.state == RequestState::bad && whole.state != RequestState::bad) return "a refused prefix, the whole accepted";
    if (part.state == RequestState::complete && (whole.state != RequestState::complete || whole.status != part.status))
      return "a complete prefix changed with more bytes";
  }
  return "";
}

}  // namespace dplb::metrics::fuzz
