#include "dpip_parser_entry.h"

#include <cerrno>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "cli/dpip/parser.h"
#include "cli/dpip/requests.h"

namespace dplb::dpip::fuzz {
namespace {

// What the runner would send for the command: every request builder of the object.
std::string build_requests(const Command& c) {
  std::string broke;
  std::visit(
      [&](const auto& a) {
        using T = std::decay_t<decltype(a)>;
        if constexpr (std::is_same_v<T, DevArgs>) {
          (void)make_if_filter(a);
          (void)make_link_query(a, c.options.stats > 0);
        } else if constexpr (std::is_same_v<T, AddrArgs>) {
          (void)make_addr_record(a);
        } else if constexpr (std::is_same_v<T, NeighArgs>) {
          (void)make_neigh_record(a, c.verb == Verb::kAdd);
        } else if constexpr (std::is_same_v<T, RouteArgs>) {
          if (!is_route_change(c)) return;
          std::vector<proto::RouteRecord> records{make_route_record(a, c.verb)};
          std::vector<uint8_t> payload = encode_routes(records, 0, 1);
          if (payload.size() != sizeof(proto::RouteRecord)) broke = "encode_routes: wrong payload size";
          (void)route_change_op(c.verb);
        } else if constexpr (std::is_same_v<T, RouteSelector>) {
          (void)make_route_filter(a);
        } else if constexpr (std::is_same_v<T, RouteGetArgs>) {
          (void)make_route_get_query(a);
        }
      },
      c.args);
  return broke;
}

std::string check_result(const Result<Command>& r, std::string_view what) {
  if (!r) {
    if (r.status().code() != EINVAL) return std::string(what) + ": error code " + std::to_string(r.status().code());
    if (r.status().message().empty()) return std::string(what) + ": error without a message";
    return "";
  }
  return build_requests(*r);
}

}  // namespace

std::string check_dpip_parser(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  GlobalOptions options;
  bool first = true;
  while (true) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    std::vector<std::string> words = split_batch_line(line);
    if (first) {
      Result<Command> r = parse(words);
      if (std::string why = check_result(r, "parse"); !why.empty()) return why;
      if (r) options = r->options;
      first = false;
    } else {
      Result<Command> r = parse_object(words, options);
      if (std::string why = check_result(r, "parse_object"); !why.empty()) return why;
    }
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return "";
}

}  // namespace dplb::dpip::fuzz
