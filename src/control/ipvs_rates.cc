#include "control/ipvs_rates.h"

namespace dplb::dp {

namespace {

double delta(uint64_t now, uint64_t before) { return now >= before ? double(now - before) : 0.0; }

}  // namespace

void IpvsRates::update(uint64_t key, const ipvs::IpvsCounters& totals, double seconds) {
  auto [it, fresh] = est_.try_emplace(key);
  Estimate& e = it->second;
  if (!fresh && seconds > 0) {
    auto smooth = [seconds](double& avg, double d) { avg += (d / seconds - avg) / 4; };
    smooth(e.cps, delta(totals.conns, e.last.conns));
    smooth(e.inpps, delta(totals.inpkts, e.last.inpkts));
    smooth(e.outpps, delta(totals.outpkts, e.last.outpkts));
    smooth(e.inbps, delta(totals.inbytes, e.last.inbytes));
    smooth(e.outbps, delta(totals.outbytes, e.last.outbytes));
  }
  e.last = totals;
}

void IpvsRates::fill(uint64_t key, proto::IpvsStats& s) const {
  auto it = est_.find(key);
  if (it == est_.end()) return;
  const Estimate& e = it->second;
  s.cps = uint64_t(e.cps + 0.5);
  s.inpps = uint64_t(e.inpps + 0.5);
  s.outpps = uint64_t(e.outpps + 0.5);
  s.inbps = uint64_t(e.inbps + 0.5);
  s.outbps = uint64_t(e.outbps + 0.5);
}

void IpvsRates::forget_missing(const std::unordered_map<uint64_t, bool>& live) {
  for (auto it = est_.begin(); it != est_.end();) it = live.count(it->first) ? std::next(it) : est_.erase(it);
}

}  // namespace dplb::dp
