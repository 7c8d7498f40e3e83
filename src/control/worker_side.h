// Helpers for the worker side of the control messages: each module's handlers apply one change to
// the calling worker's own tables (idempotently) and return 0 or an errno value.
#pragma once

#include <cstddef>
#include <initializer_list>

#include "datapath/worker.h"
#include "dplb/base/status.h"
#include "dplb/ctrl/multicast.h"

namespace dplb::dp {

// The context a worker drains its messages with (Worker::run).
inline Worker& worker_of(void* ctx) { return *static_cast<Worker*>(ctx); }

inline int code_of(const Status& st) { return st.is_ok() ? 0 : st.code(); }

// Ignores "already so" outcomes: the handler's job is the end state, not the transition.
inline int errno_unless(const Status& st, int ok_code) {
  return (st.is_ok() || st.code() == ok_code) ? 0 : st.code();
}

// The payload as an array of T; nullptr when its size is not a multiple of T's.
template <typename T>
const T* records(const ctrl::Msg& msg, size_t& count) {
  count = msg.payload.size() / sizeof(T);
  if (msg.payload.size() % sizeof(T) != 0) return nullptr;
  return reinterpret_cast<const T*>(msg.payload.data());
}

// Registers (type, handler) pairs.
struct HandlerEntry {
  ctrl::MsgType type;
  ctrl::MsgHandler handler;
};
inline Status set_handlers(ctrl::Multicaster& mc, std::initializer_list<HandlerEntry> entries) {
  for (const HandlerEntry& e : entries)
    if (Status st = mc.set_handler(e.type, e.handler); !st) return st;
  return Status::ok();
}

}  // namespace dplb::dp
