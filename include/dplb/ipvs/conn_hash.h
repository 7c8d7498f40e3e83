// Keyed hash of a flow tuple for the connection table, and the owner worker of a connection.
//
// Why not CRC32C: CRC is linear, so crc(seed, x) == crc(seed, y) exactly when crc(0, x ^ y) == 0,
// whatever the seed. Anyone who can send SYNs with chosen source ports could then pile connections
// into one bucket run regardless of our random seed. Linux IPVS uses a keyed jhash for the same
// reason. This is a keyed multiply-fold mix (the wyhash construction): two 64x64→128 multiplies,
// about the cost of the two CRC instructions, and the key makes collisions unpredictable.
#pragma once

#include <cstdint>

#include "dplb/base/addr.h"
#include "dplb/ipvs/conn.h"

namespace dplb::ipvs {

namespace detail {
__extension__ using U128 = unsigned __int128;

// Multiplies and folds: every output bit depends on every input bit of both operands.
inline uint64_t mum_fold(uint64_t a, uint64_t b) {
  U128 p = static_cast<U128>(a) * b;
  return static_cast<uint64_t>(p) ^ static_cast<uint64_t>(p >> 64);
}

constexpr uint64_t splitmix64(uint64_t& state) {
  uint64_t z = (state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}
}  // namespace detail

class FlowHasher {
 public:
  explicit FlowHasher(uint64_t seed) {
    for (uint64_t& k : k_) k = detail::splitmix64(seed);
  }

  // 64 well-mixed bits of a connection's client endpoint (protocol, address, port): the table takes
  // the bucket from the low bits, the signature from the high. Only the client side, so a packet in
  // either direction names both of its connection's buckets before the server is known: a new
  // connection's reply-index bucket can be prefetched with its inbound one.
  uint64_t operator()(uint8_t proto, Ip4 addr, uint16_t port) const {
    uint64_t x = uint64_t(addr.v) | (uint64_t(port) << 32) | (uint64_t(proto) << 48);
    return detail::mum_fold(detail::mum_fold(x ^ k_[0], k_[1]) ^ k_[2], k_[3]);
  }

 private:
  uint64_t k_[4];
};

// The worker that owns a connection: a pure function of the client's address and port, so an
// inbound packet (client = source) and a reply (client = destination) reach the same worker.
// Every worker and the control plane compute the same value (fixed key). nworkers == 0 gives 0.
inline uint32_t owner_worker(Ip4 client_addr, uint16_t client_port, uint32_t nworkers) {
  static constexpr uint64_t kK0 = 0x2d358dccaa6c78a5ull, kK1 = 0x8bb84b93962eacc9ull;
  uint64_t x = uint64_t(client_addr.v) | (uint64_t(client_port) << 32);
  uint64_t h = detail::mum_fold(x ^ kK0, kK1);
  h = detail::mum_fold(h ^ kK1, kK0);
  // Multiply-shift range reduction: uniform without a division.
  return static_cast<uint32_t>((uint64_t(static_cast<uint32_t>(h >> 32)) * nworkers) >> 32);
}

}  // namespace dplb::ipvs
