// TTL decrement with the incremental header checksum update (RFC 1624), as every forwarder does.
#pragma once

#include <cstring>

#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::net {

// TTL >= 1: every caller has dropped (and answered) a packet whose TTL would expire here.
inline void ipv4_decrement_ttl(Ipv4Hdr* ip) {
  --ip->ttl;
  ip->checksum = csum_apply(ip->checksum, kTtlDecrementDelta);
}

}  // namespace dplb::net
