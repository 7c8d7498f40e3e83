#include "dplb/ctrl/registry.h"

#include <exception>
#include <new>

namespace dplb::ctrl {
namespace {

std::string describe(const char* kind, const OpRange& r) {
  return std::string(kind) + " [" + std::to_string(r.lo) + ", " + std::to_string(r.hi) + ")";
}

}  // namespace

Status Registry::add(Module m) {
  if (m.name.empty()) return Status::invalid("control module without a name");
  if (!m.handler) return Status::invalid("control module '" + m.name + "' has no handler");
  if (m.get.lo > m.get.hi || m.set.lo > m.set.hi) {
    return Status::invalid("control module '" + m.name + "' has an inverted operation range");
  }
  if (m.get.empty() && m.set.empty()) {
    return Status::invalid("control module '" + m.name + "' registers no operation");
  }
  for (const Module& o : modules_) {
    if (o.name == m.name) return Status::error(EEXIST, "control module '" + m.name + "' is already registered");
    if (m.get.overlaps(o.get)) {
      return Status::error(EEXIST, "control module '" + m.name + "' " + describe("get", m.get) +
                                       " overlaps module '" + o.name + "' " + describe("get", o.get));
    }
    if (m.set.overlaps(o.set)) {
      return Status::error(EEXIST, "control module '" + m.name + "' " + describe("set", m.set) +
                                       " overlaps module '" + o.name + "' " + describe("set", o.set));
    }
  }
  modules_.push_back(std::move(m));
  return Status::ok();
}

const Module* Registry::find(Kind kind, uint32_t op) const {
  for (const Module& m : modules_) {
    if ((kind == Kind::kGet ? m.get : m.set).contains(op)) return &m;
  }
  return nullptr;
}

Status Registry::dispatch(Kind kind, uint32_t op, std::span<const uint8_t> payload,
                          std::vector<uint8_t>& reply) const {
  Status s = dispatch_to_module(kind, op, payload, reply);
  const bool is_set = kind == Kind::kSet;
  ++(s ? (is_set ? stats_.sets_ok : stats_.gets_ok) : (is_set ? stats_.sets_failed : stats_.gets_failed));
  return s;
}

Status Registry::dispatch_to_module(Kind kind, uint32_t op, std::span<const uint8_t> payload,
                                    std::vector<uint8_t>& reply) const {
  reply.clear();
  const Module* m = find(kind, op);
  if (m == nullptr) return Status::error(EOPNOTSUPP, "unknown operation " + std::to_string(op));
  Status s;
  try {
    s = m->handler(kind, op, payload, reply);
  } catch (const std::bad_alloc&) {
    s = Status::error(ENOMEM, m->name + ": out of memory");
  } catch (const std::exception& e) {
    s = Status::error(EIO, m->name + ": internal error: " + e.what());
  } catch (...) {
    s = Status::error(EIO, m->name + ": internal error");
  }
  if (s && reply.size() > kMaxReplyPayload) {
    s = Status::error(EMSGSIZE, m->name + ": reply of " + std::to_string(reply.size()) +
                                    " bytes exceeds the limit of " + std::to_string(kMaxReplyPayload));
  }
  if (!s) {
    reply.clear();
    reply.shrink_to_fit();
  }
  return s;
}

}  // namespace dplb::ctrl
