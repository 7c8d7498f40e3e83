#include "healthcheck/log.h"

#include <syslog.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <string>

namespace dplb::hc {
namespace {
bool g_stderr = false;
bool g_syslog_open = false;
}  // namespace

void log_to_stderr(bool on) { g_stderr = on; }

void log_line(Level level, std::string_view text) {
  const char* tag = level == Level::error ? "error" : level == Level::warning ? "warning" : "info";
  if (g_stderr) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::system_clock::now().time_since_epoch())
                        .count();
    const time_t secs = time_t(ms / 1000);
    tm utc{};
    gmtime_r(&secs, &utc);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &utc);
    // One fprintf per line so lines of concurrent writers do not interleave.
    std::fprintf(stderr, "%s.%03dZ dplb-healthcheck %s: %.*s\n", when, int(ms % 1000), tag, int(text.size()),
                 text.data());
    std::fflush(stderr);
    return;
  }
  if (!g_syslog_open) {
    openlog("dplb-healthcheck", LOG_PID, LOG_DAEMON);
    g_syslog_open = true;
  }
  const int prio = level == Level::error ? LOG_ERR : level == Level::warning ? LOG_WARNING : LOG_INFO;
  syslog(prio, "%.*s", int(text.size()), text.data());
}

}  // namespace dplb::hc
