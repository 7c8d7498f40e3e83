#include "healthcheck/log.h"

#include <syslog.h>

#include <chrono>
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
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    // One fprintf per line so lines of concurrent writers do not interleave.
    std::fprintf(stderr, "%lld.%03lld dplb-healthcheck %s: %.*s\n", (long long)(ms / 1000), (long long)(ms % 1000),
                 tag, int(text.size()), text.data());
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
