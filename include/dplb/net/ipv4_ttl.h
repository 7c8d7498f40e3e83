// TTL decrement with the incremental header checksum update (RFC 1624), as every forwarder does.
#pragma once

#include <cstring>

#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

namespace dplb::net {

inline void ipv4_decrement_ttl(Ipv4Hdr* ip) {
  uint16_t old_word, new_word;
  std::memcpy(&old_word, &ip->ttl, 2);  // ttl and proto form one 16-bit word
  --ip->ttl;
  std::memcpy(&new_word, &ip->ttl, 2);
  ip->checksum = csum_update16(ip->checksum, old_word, new_word);
}

}  // namespace dplb::net
