// The metrics endpoint's request parser's fuzz entry, shared by the libFuzzer target and the corpus
// replay in the normal build (tests/unit/fuzz).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace dplb::metrics::fuzz {

// The bytes are what a scraper sent. A verdict other than incomplete has a status and, unless 200, a
// reason; incomplete never comes with more than kMaxRequestBytes of head; a request refused on a
// prefix stays refused with more bytes (the endpoint closes garbage early); and a complete request
// stays complete with the same status when more bytes follow. Returns "" when all holds.
std::string check_scrape_request(const uint8_t* data, size_t size);

}  // namespace dplb::metrics::fuzz
