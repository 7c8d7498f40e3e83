// Fib: installing and removing prefixes (control path).
#include "dplb/route/fib.h"

namespace dplb::route {

void Fib::add_prefix(uint32_t id, Ip4 net, uint8_t len) {
  if (id >= nodes_.size()) nodes_.resize(size_t(id) + 1);
  dir_.insert(net, len, id);
}

void Fib::remove_prefix(uint32_t id, Ip4 net, uint8_t len, std::optional<Dir24_8::Parent> covering) {
  dir_.remove(net, len, id, covering);
  nodes_[id] = FibNode{};
}

void Fib::clear() {
  dir_.clear();
  nodes_.clear();
}

}  // namespace dplb::route
