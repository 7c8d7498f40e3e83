// Registry of control-plane modules: each owns a range of get operation ids and a range of set
// operation ids and handles the requests that fall in them (DPVS's sockopt registration, checked).
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "dplb/base/status.h"
#include "dplb/ctrl/op_range.h"
#include "dplb/ctrl/wire.h"

namespace dplb::ctrl {

// Fills reply (a payload of at most kMaxReplyPayload bytes) and returns the outcome; the reply
// payload is discarded when the status is an error. Runs on the main lcore (control path).
using OpHandler =
    std::function<Status(Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply)>;

struct Module {
  std::string name;
  OpRange get;
  OpRange set;
  OpHandler handler;
};

class Registry {
 public:
  // EINVAL for an empty name, no handler, an inverted range or no operations at all; EEXIST for a
  // duplicate name or a range overlapping another module's range of the same kind (naming both).
  Status add(Module module);

  // Runs the handler owning (kind, op). EOPNOTSUPP "unknown operation N" when none does. A handler
  // that throws becomes an error reply (ENOMEM for bad_alloc, EIO otherwise), never a crash; a reply
  // over kMaxReplyPayload becomes EMSGSIZE. On error, reply is left empty.
  Status dispatch(Kind kind, uint32_t op, std::span<const uint8_t> payload, std::vector<uint8_t>& reply) const;

  // Outcomes of dispatch() so far (the metrics endpoint's commands applied and failed).
  struct Stats {
    uint64_t gets_ok = 0, gets_failed = 0;
    uint64_t sets_ok = 0, sets_failed = 0;  // sets: commands that change the configuration
  };
  const Stats& stats() const { return stats_; }

  // The module owning (kind, op), or nullptr.
  const Module* find(Kind kind, uint32_t op) const;
  size_t size() const { return modules_.size(); }

 private:
  Status dispatch_to_module(Kind kind, uint32_t op, std::span<const uint8_t> payload,
                            std::vector<uint8_t>& reply) const;

  std::vector<Module> modules_;
  mutable Stats stats_;  // counting is not a change of the registry: dispatch() stays const
};

}  // namespace dplb::ctrl
