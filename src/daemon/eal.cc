#include "daemon/eal.h"

#include <rte_eal.h>
#include <rte_errno.h>

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>

namespace dplb::dp {

namespace {

std::string g_runtime_dir;

// Where EAL puts its runtime files for these arguments (eal_get_runtime_dir's rule).
std::string expected_runtime_dir(const std::vector<std::string>& args) {
  std::string prefix = "rte";
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a = args[i];
    if (a.starts_with("--file-prefix=")) prefix = a.substr(14);
    else if (a == "--file-prefix" && i + 1 < args.size()) prefix = args[i + 1];
  }
  std::string base = "/var/run";
  if (getuid() != 0) {
    const char* xdg = std::getenv("XDG_RUNTIME_DIR");
    base = xdg ? xdg : "/tmp";
  }
  return base + "/dpdk/" + prefix;
}

// Runs after EAL's own exit hooks (registered before them, so called after them): by then the
// telemetry sockets are gone and the directory is empty. rmdir never removes a non-empty one.
void remove_runtime_dir() {
  if (!g_runtime_dir.empty()) (void)rmdir(g_runtime_dir.c_str());
}

}  // namespace

Status eal_init(const std::vector<std::string>& args) {
  g_runtime_dir = expected_runtime_dir(args);
  std::atexit(remove_runtime_dir);
  std::vector<std::string> storage;
  storage.reserve(args.size() + 1);
  storage.push_back("dplb");
  storage.insert(storage.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : storage) argv.push_back(s.data());
  argv.push_back(nullptr);
  int rc = rte_eal_init(static_cast<int>(storage.size()), argv.data());
  if (rc < 0) {
    std::string reason = rte_strerror(rte_errno);
    return Status::invalid("EAL initialisation failed: " + reason + " (check [eal] args and the arguments after --)");
  }
  return Status::ok();
}

void eal_cleanup() { rte_eal_cleanup(); }

std::string capture_obstacle(const std::vector<std::string>& args) {
  for (const std::string& a : args) {
    if (a == "--no-shconf" || a == "--in-memory") return a + ": no shared configuration for it to attach to";
    if (a == "--no-huge") return a + ": dpdk-dumpcap needs the primary's memory on hugepages";
  }
  return "";
}

}  // namespace dplb::dp
