#include "daemon/log.h"

#include <rte_log.h>
#include <spdlog/sinks/stdout_color_sinks.h>

namespace dplb::dp {

void log_setup(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("dplb");
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e dplb[%P] %^%l%$: %v");
  logger->set_level(spdlog::level::from_str(level));
  logger->flush_on(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

}  // namespace dplb::dp
