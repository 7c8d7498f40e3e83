// The connection-table hash of a packet, when eth_input computed it with the rest of its burst
// (and prefetched the index bucket and the connection meanwhile). It travels down the stages as an
// argument, with the packet it belongs to: a packet from anywhere else (another worker's ring, a
// burst taken in one pass) starts with none, so no packet can pick up another one's hash.
#pragma once

#include <cstdint>

#include "dplb/ipvs/conn.h"
#include "dplb/ipvs/conn_table.h"

namespace dplb::dp {

struct ConnHashHint {
  enum class Dir : uint8_t { none, in, out };  // in: toward a VIP (client = source); out: a reply

  uint64_t hash = 0;
  Dir dir = Dir::none;

  // Only a hint: used when it was computed for the direction asked, else the hash is computed.
  uint64_t in(const ipvs::ConnTable& t, const ipvs::FlowKey& k) const { return dir == Dir::in ? hash : t.hash_in(k); }
  uint64_t out(const ipvs::ConnTable& t, const ipvs::FlowKey& k) const {
    return dir == Dir::out ? hash : t.hash_out(k);
  }
};

}  // namespace dplb::dp
