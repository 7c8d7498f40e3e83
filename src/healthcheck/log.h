// dplb-healthcheck's log: one line per event, to stderr (-l) or syslog (daemon "dplb-healthcheck").
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace dplb::hc {

enum class Level { info, warning, error };

void log_to_stderr(bool on);
void log_line(Level level, std::string_view text);

template <typename... A>
void log_info(fmt::format_string<A...> f, A&&... a) {
  log_line(Level::info, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A>
void log_warn(fmt::format_string<A...> f, A&&... a) {
  log_line(Level::warning, fmt::format(f, std::forward<A>(a)...));
}
template <typename... A>
void log_error(fmt::format_string<A...> f, A&&... a) {
  log_line(Level::error, fmt::format(f, std::forward<A>(a)...));
}

}  // namespace dplb::hc
