#include "dplb/route/route_types.h"

namespace dplb::route {

std::string_view to_string(RouteScope scope) {
  switch (scope) {
    case RouteScope::kGlobal:
      return "global";
    case RouteScope::kSite:
      return "site";
    case RouteScope::kLink:
      return "link";
    case RouteScope::kHost:
      return "host";
    case RouteScope::kKniHost:
      return "kni_host";
  }
  return "?";
}

std::optional<RouteScope> parse_route_scope(std::string_view text) {
  for (RouteScope s : {RouteScope::kGlobal, RouteScope::kSite, RouteScope::kLink, RouteScope::kHost,
                       RouteScope::kKniHost}) {
    if (text == to_string(s)) return s;
  }
  if (text == "universe") return RouteScope::kGlobal;  // iproute2's name for global
  return std::nullopt;
}

}  // namespace dplb::route
