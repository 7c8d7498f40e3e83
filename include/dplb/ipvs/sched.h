// The scheduler of one service on one worker: its dest list plus the state of the chosen algorithm.
// pick() dispatches with a switch (no virtual call); rebuild() runs after every dest change.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "dplb/ipvs/sched_dest.h"
#include "dplb/ipvs/sched_hash.h"
#include "dplb/ipvs/sched_lc.h"
#include "dplb/ipvs/sched_rr.h"
#include "dplb/ipvs/service_conf.h"
#include "dplb/ipvs/service_stats.h"

namespace dplb::ipvs {

class Scheduler {
 public:
  Scheduler() = default;
  Scheduler(Scheduler&&) noexcept = default;
  Scheduler& operator=(Scheduler&&) noexcept = default;

  // Control path. configure() switches algorithm (keeping the dest list); set/remove keep the list
  // sorted by (address, port); each of them rebuilds the algorithm's state.
  void configure(SchedKind kind, uint32_t flags, uint32_t mh_table_size);
  void set_dest(const SchedDest& d);
  void remove_dest(uint32_t slot);
  void clear_dests();

  // Per packet. `counters` are this worker's dest counters (indexed by slot) for lc/wlc.
  int32_t pick(Ip4 caddr, uint16_t cport, const CounterBlock* counters) {
    uint16_t hport = (flags_ & kSvcFlagSched2) ? cport : 0;
    switch (kind_) {
      case SchedKind::rr: return rr_.pick();
      case SchedKind::wrr: return wrr_.pick();
      case SchedKind::lc: return pick_lc(dests_, counters);
      case SchedKind::wlc: return pick_wlc(dests_, counters);
      case SchedKind::sh: return sh_->pick(caddr, hport);
      case SchedKind::mh: return mh_->pick(caddr, hport);
    }
    return kNoDest;
  }

  SchedKind kind() const { return kind_; }
  uint32_t flags() const { return flags_; }
  SchedDests dests() const { return dests_; }
  const ShSched* sh() const { return sh_.get(); }
  const MhSched* mh() const { return mh_.get(); }

 private:
  void rebuild();

  SchedKind kind_ = kDefaultSched;
  uint32_t flags_ = 0;
  std::vector<SchedDest> dests_;  // sorted by order_key()
  RrSched rr_;
  WrrSched wrr_;
  std::unique_ptr<ShSched> sh_;   // only for sh (2 KiB of tables)
  std::unique_ptr<MhSched> mh_;   // only for mh (4 * M bytes)
};

}  // namespace dplb::ipvs
