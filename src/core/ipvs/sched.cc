#include "dplb/ipvs/sched.h"

#include <algorithm>

namespace dplb::ipvs {

void Scheduler::configure(SchedKind kind, uint32_t flags, uint32_t mh_table_size) {
  bool same_mh = kind == SchedKind::mh && mh_ && mh_->table_size() == mh_table_size;
  kind_ = kind;
  flags_ = flags;
  if (kind != SchedKind::sh) sh_.reset();
  if (kind == SchedKind::sh && !sh_) sh_ = std::make_unique<ShSched>();
  if (kind != SchedKind::mh) mh_.reset();
  if (kind == SchedKind::mh && !same_mh) mh_ = std::make_unique<MhSched>(mh_table_size);
  rebuild();
}

void Scheduler::set_dest(const SchedDest& d) {
  auto it = std::find_if(dests_.begin(), dests_.end(), [&](const SchedDest& x) { return x.slot == d.slot; });
  if (it != dests_.end()) dests_.erase(it);
  auto pos = std::lower_bound(dests_.begin(), dests_.end(), d.order_key(),
                              [](const SchedDest& x, uint64_t key) { return x.order_key() < key; });
  dests_.insert(pos, d);
  rebuild();
}

void Scheduler::remove_dest(uint32_t slot) {
  auto it = std::find_if(dests_.begin(), dests_.end(), [&](const SchedDest& x) { return x.slot == slot; });
  if (it == dests_.end()) return;
  dests_.erase(it);
  rebuild();
}

void Scheduler::clear_dests() {
  dests_.clear();
  rebuild();
}

void Scheduler::rebuild() {
  // Only the active algorithm's state is kept current; configure() rebuilds on a switch.
  switch (kind_) {
    case SchedKind::rr: rr_.build(dests_); break;
    case SchedKind::wrr: wrr_.build(dests_); break;
    case SchedKind::lc:
    case SchedKind::wlc: break;
    case SchedKind::sh: sh_->build(dests_); break;
    case SchedKind::mh: mh_->build(dests_); break;
  }
}

}  // namespace dplb::ipvs
