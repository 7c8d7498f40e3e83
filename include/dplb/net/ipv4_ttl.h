// TTL decrement with the incremental header checksum update (RFC 1624), as every forwarder does.
#pragma once

#include <cstring>

#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::net {

// TTL >= 1: every caller has dropped (and answered) a packet whose TTL would expire here. As Linux's
// ip_decrease_ttl: the TTL is the high byte of its network-order word, so the checksum goes up by
// 0x0100 (one's complement: with the end-around carry). On the raw little-endian field that is +1.
inline void ipv4_decrement_ttl(Ipv4Hdr* ip) {
  static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the raw checksum increment assumes little-endian");
  uint32_t check = uint32_t(ip->checksum) + 1;
  ip->checksum = static_cast<uint16_t>(check + (check >= 0xffff));
  --ip->ttl;
}

}  // namespace dplb::net
