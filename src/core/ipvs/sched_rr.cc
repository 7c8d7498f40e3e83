#include "dplb/ipvs/sched_rr.h"

#include <algorithm>
#include <numeric>

namespace dplb::ipvs {

void RrSched::build(SchedDests dests) {
  bool has_last = next_ > 0 && next_ <= ring_.size();
  uint64_t last_key = has_last ? ring_[next_ - 1].order_key : 0;

  ring_.clear();
  for (const SchedDest& d : dests) {
    if (d.weight > 0) ring_.push_back(Entry{d.slot, d.order_key()});
  }
  next_ = 0;
  if (has_last) {
    // The list is sorted by order_key: continue with the first dest after the last one chosen.
    auto it = std::upper_bound(ring_.begin(), ring_.end(), last_key,
                               [](uint64_t key, const Entry& e) { return key < e.order_key; });
    next_ = it == ring_.end() ? 0 : uint32_t(it - ring_.begin());
  }
}

void WrrSched::build(SchedDests dests) {
  struct Item {
    uint32_t slot;
    uint32_t weight;
    uint32_t list_pos;
  };
  std::vector<Item> items;
  for (uint32_t i = 0; i < dests.size(); ++i) {
    if (dests[i].weight > 0) items.push_back(Item{dests[i].slot, dests[i].weight, i});
  }
  std::sort(items.begin(), items.end(), [](const Item& a, const Item& b) {
    return a.weight != b.weight ? a.weight > b.weight : a.list_pos < b.list_pos;
  });

  slots_.clear();
  weights_.clear();
  group_end_.assign(items.size(), 0);
  int64_t g = 0;
  for (const Item& it : items) {
    slots_.push_back(it.slot);
    weights_.push_back(it.weight);
    g = g == 0 ? it.weight : std::gcd(g, int64_t(it.weight));
  }
  for (size_t i = items.size(); i-- > 0;) {
    group_end_[i] = (i + 1 < items.size() && weights_[i + 1] == weights_[i]) ? group_end_[i + 1] : uint32_t(i + 1);
  }

  // ip_vs_wrr_dest_changed: new gcd and max; keep the current level when still meaningful.
  gcd_ = g == 0 ? 1 : g;
  int64_t max_weight = weights_.empty() ? 0 : weights_.front();
  mw_ = max_weight == 0 ? 0 : max_weight - (gcd_ - 1);
  if (cw_ > mw_ || cw_ <= 0) {
    cw_ = mw_;
  } else if (gcd_ > 1) {
    cw_ = (cw_ / gcd_) * gcd_ + 1;
  }
  eligible_ = 0;
  while (eligible_ < weights_.size() && int64_t(weights_[eligible_]) >= cw_) ++eligible_;
  idx_ = 0;
}

uint64_t WrrSched::cycle_length() const {
  uint64_t n = 0;
  for (uint32_t w : weights_) n += w / uint64_t(gcd_);
  return n;
}

}  // namespace dplb::ipvs
