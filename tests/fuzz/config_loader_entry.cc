#include "config_loader_entry.h"

#include <cerrno>
#include <string_view>

#include "dplb/conf/config_loader.h"
#include "dplb/conf/plan.h"

namespace dplb::conf::fuzz {
namespace {

constexpr std::string_view kPath = "/fuzz/dplb.toml";

// Every line of an error names the file it is about.
std::string check_error(const Status& st, std::string_view what) {
  if (st.code() != EINVAL) return std::string(what) + ": error code " + std::to_string(st.code()) + ", not EINVAL";
  if (st.message().empty()) return std::string(what) + ": error without a message";
  std::string_view rest = st.message();
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.empty() && !line.starts_with(kPath)) return std::string(what) + ": message line without the file: " + std::string(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return "";
}

}  // namespace

std::string check_config_loader(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Result<Config> loaded = parse_config(text, std::string(kPath));
  if (!loaded) return check_error(loaded.status(), "parse_config");

  RuntimeFacts facts;
  facts.ports = {{"dpdk0", 4, 4, 68, 9000}, {"dpdk1", 2, 2, 68, 1500}};
  facts.main_lcore = 0;
  facts.worker_lcores = {1, 2};
  Result<Plan> plan = make_plan(*loaded, facts);
  if (!plan) {
    if (plan.status().message().empty()) return "make_plan: error without a message";
    return "";
  }
  for (const WorkerPlan& w : plan->workers) {
    if (w.lcore == facts.main_lcore) return "make_plan: a worker on the main lcore";
    for (const auto& [port, queue] : w.rx)
      if (port >= facts.ports.size() || queue >= facts.ports[port].max_rx_queues) return "make_plan: rx queue out of range";
  }
  return "";
}

}  // namespace dplb::conf::fuzz
