#include "healthcheck/route_check.h"

#include <cstdio>
#include <set>
#include <string>

#include "dplb/healthcheck/ipvs_target.h"
#include "healthcheck/log.h"

namespace dplb::hc {
namespace {

// The output of `ip -o route get IP` (a fixed-form address, so nothing to quote).
std::string route_of(Ip4 ip) {
  const std::string cmd = "ip -o route get " + to_string(ip) + " 2>&1";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) out += buf;
    ::pclose(p);
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string device_in(const std::string& route) {
  const size_t at = route.find(" dev ");
  if (at == std::string::npos) return {};
  const size_t from = at + 5;
  return route.substr(from, route.find(' ', from) - from);
}

}  // namespace

void warn_unrouted_checks(const keepalived::KeepalivedConf& conf) {
  std::set<Ip4> seen;
  for (const keepalived::VirtualServer& vs : conf.virtual_servers) {
    if (!healthcheck::unsupported_reason(vs).empty()) continue;
    for (const keepalived::RealServer& rs : vs.real_servers)
      for (const keepalived::Checker& c : rs.checkers) {
        if (c.kind == keepalived::CheckerKind::misc || !seen.insert(c.connect.ip).second) continue;
        const std::string route = route_of(c.connect.ip);
        const std::string dev = device_in(route);
        if (dev.empty())
          log_warn("cannot tell which interface checks of {} leave through (ip route get: {})",
                   to_string(c.connect.ip), route.empty() ? "no output" : route);
        else if (!dev.ends_with(".kni"))
          log_warn("checks of {} leave through {}, not a dplb tap (dpdkN.kni): they do not test the path "
                   "dplb forwards on (docs/healthcheck.md)",
                   to_string(c.connect.ip), dev);
      }
  }
}

}  // namespace dplb::hc
