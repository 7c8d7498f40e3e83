// The startup warning of issue 18: checks must leave through dplb's tap (the port's kni, with dplb's
// address on it), or they test a path the clients do not take. Best effort: asks `ip route get`.
#pragma once

#include "dplb/keepalived/keepalived_conf.h"

namespace dplb::hc {

// Logs a warning per checked address whose route is not through a dplb tap (an interface named
// dpdkN.kni), or that it cannot tell.
void warn_unrouted_checks(const keepalived::KeepalivedConf& conf);

}  // namespace dplb::hc
