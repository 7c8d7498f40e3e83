#include "daemon/startup_files.h"

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "cli/ipvsadm/ipvsadm_tool.h"
#include "cli/dpip/runner.h"

namespace dplb {

namespace {

std::string trimmed(const std::string& s) {
  size_t end = s.find_last_not_of(" \n");
  return end == std::string::npos ? std::string() : s.substr(0, end + 1);
}

}  // namespace

Status apply_startup_files(const conf::Config& cfg) {
  for (const std::string& file : cfg.dpip_batch) {
    std::vector<std::string> args = {"-x", cfg.ipc_socket, "-batch", file};
    std::istringstream in;
    std::ostringstream out, err;
    if (dpip::run(args, in, out, err) != dpip::kExitOk)
      return Status::invalid("global.dpip_batch: " + file + ": " + trimmed(err.str()));
  }
  if (!cfg.ipvs_rules.empty()) {
    std::ifstream in(cfg.ipvs_rules);
    if (!in) return Status::invalid("global.ipvs_rules: " + cfg.ipvs_rules + ": cannot read");
    std::vector<std::string> args = {"-R"};
    std::ostringstream out, err;
    if (cli::run_ipvsadm("ipvsadm", args, cfg.ipc_socket, in, out, err) != 0)
      return Status::invalid("global.ipvs_rules: " + cfg.ipvs_rules + ": " + trimmed(err.str()));
  }
  return Status::ok();
}

}  // namespace dplb
