#include "keepalived_conf_entry.h"

#include <cerrno>
#include <map>
#include <string_view>

#include "dplb/keepalived/keepalived_conf.h"

namespace dplb::keepalived::fuzz {
namespace {

constexpr std::string_view kDir = "/fuzz/";
constexpr std::string_view kMarker = "#=== ";

// Every line names a file of the input (all live under /fuzz/).
std::string check_lines(std::string_view text, std::string_view what) {
  if (text.empty()) return std::string(what) + ": empty message";
  std::string_view rest = text;
  while (true) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    if (!line.starts_with(kDir))
      return std::string(what) + ": message line without the file: " + std::string(line);
    if (nl == std::string_view::npos) break;
    rest.remove_prefix(nl + 1);
  }
  return "";
}

}  // namespace

std::string check_keepalived_conf(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  // Split into files at the marker lines.
  std::string main;
  std::map<std::string, std::string> files;
  std::string* current = &main;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl == std::string_view::npos ? rest.size() : nl + 1);
    rest.remove_prefix(line.size());
    if (line.starts_with(kMarker)) {
      std::string_view name = line.substr(kMarker.size());
      if (name.ends_with('\n')) name.remove_suffix(1);
      current = &files[std::string(kDir) + std::string(name)];
      continue;
    }
    current->append(line);
  }

  Result<KeepalivedConf> r = parse_keepalived(main, std::string(kDir) + "keepalived.conf",
                                              memory_include_loader(std::move(files)));
  if (!r) {
    if (r.status().code() != EINVAL) return "parse_keepalived: error code " + std::to_string(r.status().code());
    return check_lines(r.status().message(), "parse_keepalived");
  }
  for (const Warning& w : r->warnings) {
    std::string why = check_lines(w.to_string(), "warning");
    if (!why.empty()) return why;
  }
  size_t addresses = 0, lines = 0;
  for (const VirtualServer& vs : r->virtual_servers) {
    if (vs.addresses.empty()) return "a virtual server without an address";
    if (vs.group.empty() && vs.addresses.size() != 1) return "a plain virtual server with several addresses";
    addresses += vs.addresses.size();
    lines += vs.addresses.size() * (1 + vs.real_servers.size());
    for (const Endpoint& e : vs.addresses)
      if (e.port == 0 && !vs.persistence_timeout) return "a port 0 service that is not persistent";
    for (const RealServer& rs : vs.real_servers) {
      if (rs.weight > 65535) return "a weight beyond 65535";
      for (const Checker& c : rs.checkers) {
        if (c.connect_timeout.count() < 0 || c.delay_loop.count() < 0 || c.warmup.count() < 0 ||
            c.delay_before_retry.count() < 0 || c.misc_timeout.count() < 0)
          return "a negative time";
        if ((c.kind == CheckerKind::http || c.kind == CheckerKind::ssl) && c.urls.empty())
          return "an HTTP checker without url";
        for (const Url& u : c.urls)
          if (u.path.empty()) return "a url without a path";
        if (c.kind == CheckerKind::misc && c.misc_path.empty()) return "a MISC_CHECK without misc_path";
      }
    }
  }
  if (addresses > kMaxAddresses) return "more virtual addresses than kMaxAddresses";
  if (lines > 100000) return "";  // a big expansion of a few bytes: the rules text would only cost time
  std::string rules = to_ipvsadm_rules(*r);
  size_t newlines = 0;
  for (char c : rules) newlines += c == '\n';
  if (newlines != lines)
    return "to_ipvsadm_rules: " + std::to_string(newlines) + " lines, expected " + std::to_string(lines);
  return "";
}

}  // namespace dplb::keepalived::fuzz
