// dplb-healthcheck: keepalived's health checker for dplb (src/healthcheck, docs/healthcheck.md).
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "dplb/keepalived/keepalived_conf.h"
#include "healthcheck/checker_daemon.h"
#include "healthcheck/log.h"
#include "healthcheck/options.h"

int main(int argc, char** argv) {
  using namespace dplb;
  const std::string program = argc > 0 ? argv[0] : "dplb-healthcheck";
  std::vector<std::string> args(argv + 1, argv + argc);
  auto cmd = hc::parse_options(args);
  if (!cmd) {
    std::cerr << program << ": " << cmd.status().message() << "\n" << hc::usage(program);
    return 2;
  }
  if (cmd->help) {
    std::cout << hc::usage(program);
    return 0;
  }
  hc::Options opts = cmd->options;
  auto conf = keepalived::load_keepalived(opts.conf_path);
  if (!conf) {
    std::cerr << conf.status().message() << "\n";
    return 2;
  }
  // Absolute, so a reload after daemonizing (cwd /) reads the same file.
  std::error_code ec;
  if (auto abs = std::filesystem::absolute(opts.conf_path, ec); !ec) opts.conf_path = abs.string();
  hc::log_to_stderr(opts.log_stderr);
  for (const keepalived::Warning& w : conf->warnings) hc::log_warn("{}", w.to_string());
  if (!opts.foreground && ::daemon(0, opts.log_stderr ? 1 : 0) != 0) {
    std::perror("daemon");
    return 1;
  }
  auto tls = hc::TlsContext::create();
  if (!tls) hc::log_warn("{}", tls.status().message());
  hc::CheckerDaemon daemon(opts, std::move(*conf), tls ? std::move(*tls) : nullptr);
  return daemon.run();
}
