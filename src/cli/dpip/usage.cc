#include "cli/dpip/usage.h"

namespace dplb::dpip {
namespace {

constexpr std::string_view kMainUsage =
    "Usage: dpip [ OPTIONS ] OBJECT { COMMAND | help }\n"
    "       dpip [ -force ] -batch filename\n"
    "where  OBJECT := { address | link | neighbour | route | sync | help }\n"
    "       OPTIONS := { -V[ersion] | -s[tatistics] | -j[son] | -p[retty] |\n"
    "                    -v[erbose] | -x socket | -f[orce] | -b[atch] filename |\n"
    "                    -h[elp] }\n";

constexpr std::string_view kLinkUsage =
    "Usage: dpip link show [ [ dev ] DEVICE ]\n"
    "       dpip -s [ -v ] link show [ [ dev ] DEVICE ]\n";

constexpr std::string_view kAddrUsage =
    "Usage: dpip address { add | del } IFADDR dev IFNAME [ scope SCOPE-ID ]\n"
    "       dpip address flush dev IFNAME\n"
    "       dpip address [ show [ dev IFNAME ] ]\n"
    "IFADDR := PREFIX\n"
    "SCOPE-ID := [ host | link | site | global | NUMBER ]\n";

constexpr std::string_view kNeighUsage =
    "Usage: dpip neigh add ADDR lladdr LLADDR [ nud permanent ] dev DEV\n"
    "       dpip neigh del ADDR dev DEV\n"
    "       dpip neigh flush dev DEV\n"
    "       dpip neigh [ show [ dev DEV ] ]\n";

constexpr std::string_view kRouteUsage =
    "Usage: dpip route { list | flush } SELECTOR\n"
    "       dpip route get ADDRESS [ from ADDRESS ] [ oif STRING ]\n"
    "       dpip route { add | del | change | append | replace } ROUTE\n"
    "SELECTOR := [ table TABLE_ID ] [ dev STRING ] [ via ADDRESS ]\n"
    "            [ [ root PREFIX ] [ match PREFIX ] [ exact PREFIX ] | PREFIX ]\n"
    "            (flush selects by dev STRING only)\n"
    "ROUTE := PREFIX [ scope SCOPE ] [ metric METRIC ] INFO_SPEC\n"
    "INFO_SPEC := NH OPTIONS [ nexthop NH ]...\n"
    "NH := [ via ADDRESS ] [ dev STRING ] [ weight NUMBER ] NHFLAGS\n"
    "OPTIONS := [ mtu NUMBER ] [ src ADDRESS ]\n"
    "PREFIX := { default | ADDRESS[/LEN] }\n"
    "TABLE_ID := [ local | main | all ]\n"
    "SCOPE := [ host | link | site | global | kni_host | NUMBER ]\n"
    "NHFLAGS := [ onlink ]\n";

constexpr std::string_view kSyncUsage =
    "Usage: dpip sync [ show ]\n"
    "       Exits with status 1 unless every worker agrees with the configuration model.\n";

}  // namespace

std::string_view usage_text(Object object) {
  switch (object) {
    case Object::kLink: return kLinkUsage;
    case Object::kAddr: return kAddrUsage;
    case Object::kNeigh: return kNeighUsage;
    case Object::kRoute: return kRouteUsage;
    case Object::kSync: return kSyncUsage;
    case Object::kNone: break;
  }
  return kMainUsage;
}

}  // namespace dplb::dpip
