#include "dplb/ipvs/service_table.h"

#include <algorithm>
#include <string>

namespace dplb::ipvs {
namespace {

constexpr uint32_t kMaxServices = 65536;  // service ids occupy 16 bits of the dest index key

uint64_t combine(uint64_t h, uint64_t v) { return mix64(h ^ (v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2))); }

}  // namespace

ServiceTable::ServiceTable(const TableLimits& limits)
    : services_(std::clamp<uint32_t>(limits.services, 1, kMaxServices)),
      dests_(std::max<uint32_t>(limits.dests, 1)),
      service_counters_(services_.size()),
      dest_counters_(dests_.size()),
      services_index_(services_.size()),
      vips_(services_.size()),
      real_servers_(dests_.size()),
      dest_index_(dests_.size()),
      persistent_rs_(dests_.size()),
      persist_masks_(dests_.size()),
      mh_table_size_(next_prime(std::max<uint32_t>(limits.mh_table_size, 3))) {}

uint64_t ServiceTable::service_hash(uint32_t svc_id, const ServiceConf& c) {
  uint64_t h = combine(0x5e41ce, svc_id);
  h = combine(h, c.key.packed());
  h = combine(h, uint64_t(c.sched) << 32 | c.flags);
  if (c.persistent()) h = combine(h, uint64_t(c.persist_seconds) << 32 | c.persist_prefix);  // others unchanged
  return h;
}

uint64_t ServiceTable::dest_hash(uint32_t dest_id, uint32_t svc_id, const DestConf& c) {
  uint64_t h = combine(0xde57, dest_id);
  h = combine(h, svc_id);
  h = combine(h, (uint64_t(c.addr.v) << 32) | (uint64_t(c.port) << 16) | c.weight);
  if (c.fwd != FwdMethod::masq) h = combine(h, uint64_t(c.fwd));  // NAT-only digests unchanged
  return h;
}

Status ServiceTable::upsert_service(uint32_t svc_id, const ServiceConf& conf) {
  if (svc_id >= services_.size()) {
    return Status::error(ENOSPC, "service id " + std::to_string(svc_id) + " beyond the table's capacity");
  }
  if (!is_supported_proto(conf.key.proto)) return Status::invalid("protocol must be TCP or UDP");
  if ((conf.flags & ~kSvcFlagsSupported) != 0) return Status::invalid("unsupported service flags");

  ServiceSlot& s = services_[svc_id];
  if (s.in_use && s.conf.key != conf.key) remove_service_slot(svc_id);  // id reused for another service
  uint32_t other = services_index_.find(conf.key.packed());
  if (other != KeyIndex::kNone && other != svc_id) remove_service_slot(other);

  if (conf.persist_seconds > kMaxPersistSeconds || conf.persist_prefix > 32)
    return Status::invalid("persistence timeout or netmask out of range");
  const bool ownership_changes = s.in_use && (s.conf.persistent() != conf.persistent() ||
                                              s.conf.persist_prefix != conf.persist_prefix);
  if (ownership_changes) set_persist_refs(svc_id, false);
  if (s.in_use && s.conf.persistent()) --persistent_services_;
  if (conf.persistent()) ++persistent_services_;
  if (s.in_use) {
    digest_ -= service_hash(svc_id, s.conf);
    if (s.conf.sched != conf.sched || s.conf.flags != conf.flags) {
      s.sched.configure(conf.sched, conf.flags, mh_table_size_);
    }
  } else {
    // Both indexes have room for every slot, so neither insert can fail.
    services_index_.assign(conf.key.packed(), svc_id);
    vips_.add_ref(conf.key.vip.v);
    s.sched = Scheduler{};
    s.sched.configure(conf.sched, conf.flags, mh_table_size_);
    s.in_use = true;
  }
  s.conf = conf;
  s.stale = false;
  digest_ += service_hash(svc_id, conf);
  if (ownership_changes) set_persist_refs(svc_id, true);
  return Status::ok();
}

void ServiceTable::set_persist_refs(uint32_t svc_id, bool add) {
  const ServiceSlot& s = services_[svc_id];
  if (!s.conf.persistent()) return;
  for (const SchedDest& d : s.sched.dests()) persist_ref(s.conf, d.addr, d.port, add);
}

void ServiceTable::persist_ref(const ServiceConf& svc, Ip4 addr, uint16_t port, bool add) {
  if (!svc.persistent()) return;
  uint64_t key = real_server_key(svc.key.proto, addr, port);
  if (add) {
    persistent_rs_.add_ref(key);
    persist_masks_.assign(key, svc.persist_prefix);
  } else {
    persistent_rs_.drop_ref(key);
    if (!persistent_rs_.contains(key)) persist_masks_.erase(key);
  }
}

Status ServiceTable::remove_service(uint32_t svc_id) {
  if (has_service(svc_id)) remove_service_slot(svc_id);
  return Status::ok();
}

void ServiceTable::remove_service_slot(uint32_t svc_id) {
  ServiceSlot& s = services_[svc_id];
  for (const SchedDest& d : s.sched.dests()) remove_dest_slot(d.slot, false);  // the list goes too
  services_index_.erase(s.conf.key.packed());
  vips_.drop_ref(s.conf.key.vip.v);
  if (s.conf.persistent()) --persistent_services_;
  digest_ -= service_hash(svc_id, s.conf);
  s.sched = Scheduler{};  // frees the scheduler's tables
  s.in_use = false;
  s.stale = false;
  s.conf = ServiceConf{};
  zero_totals(service_counters_[svc_id]);
  counter_set(service_counters_[svc_id].c.active_conns, 0);
  counter_set(service_counters_[svc_id].c.inactive_conns, 0);
}

Status ServiceTable::upsert_dest(uint32_t svc_id, uint32_t dest_id, const DestConf& conf) {
  if (!has_service(svc_id)) return Status::error(ESRCH, "No such service");
  if (dest_id >= dests_.size()) {
    return Status::error(ENOSPC, "dest id " + std::to_string(dest_id) + " beyond the table's capacity");
  }
  if (conf.addr.is_zero() || conf.port == 0) return Status::invalid("real server needs an address and a port");

  DestSlot& d = dests_[dest_id];
  if (d.in_use && (d.svc_id != svc_id || d.conf.addr != conf.addr || d.conf.port != conf.port)) {
    remove_dest_slot(dest_id, true);  // id reused for another dest
  }
  uint64_t key = dest_key(svc_id, conf.addr, conf.port);
  uint32_t other = dest_index_.find(key);
  if (other != KeyIndex::kNone && other != dest_id) remove_dest_slot(other, true);

  bool fresh = !d.in_use;
  if (fresh) {
    dest_index_.assign(key, dest_id);
    real_servers_.add_ref(real_server_key(services_[svc_id].conf.key.proto, conf.addr, conf.port));
    persist_ref(services_[svc_id].conf, conf.addr, conf.port, true);
    d.svc_id = svc_id;
    d.generation += 1;  // even -> odd: in use
    d.in_use = true;
  } else {
    digest_ -= dest_hash(dest_id, svc_id, d.conf);
  }
  bool weight_changed = d.conf.weight != conf.weight;
  d.conf = conf;
  d.stale = false;
  digest_ += dest_hash(dest_id, svc_id, conf);
  if (fresh || weight_changed) services_[svc_id].sched.set_dest(sched_dest(dest_id));
  return Status::ok();
}

Status ServiceTable::remove_dest(uint32_t dest_id) {
  if (has_dest(dest_id)) remove_dest_slot(dest_id, true);
  return Status::ok();
}

void ServiceTable::remove_dest_slot(uint32_t dest_id, bool update_sched) {
  DestSlot& d = dests_[dest_id];
  ServiceSlot& s = services_[d.svc_id];
  if (update_sched) s.sched.remove_dest(dest_id);
  dest_index_.erase(dest_key(d.svc_id, d.conf.addr, d.conf.port));
  real_servers_.drop_ref(real_server_key(s.conf.key.proto, d.conf.addr, d.conf.port));
  persist_ref(s.conf, d.conf.addr, d.conf.port, false);
  digest_ -= dest_hash(dest_id, d.svc_id, d.conf);
  d.generation += 1;  // odd -> even: connections holding the old reference stop counting here
  d.in_use = false;
  d.stale = false;
  d.conf = DestConf{};
  d.svc_id = 0;
  CounterBlock& b = dest_counters_[dest_id];
  zero_totals(b);
  counter_set(b.c.active_conns, 0);
  counter_set(b.c.inactive_conns, 0);
}

void ServiceTable::clear() {
  for (uint32_t id = 0; id < services_.size(); ++id) {
    if (services_[id].in_use) remove_service_slot(id);
  }
}

void ServiceTable::begin_sync() {
  for (ServiceSlot& s : services_) s.stale = s.in_use;
  for (DestSlot& d : dests_) d.stale = d.in_use;
}

size_t ServiceTable::end_sync() {
  size_t removed = 0;
  for (uint32_t id = 0; id < dests_.size(); ++id) {
    if (dests_[id].in_use && dests_[id].stale) {
      remove_dest_slot(id, true);
      ++removed;
    }
  }
  for (uint32_t id = 0; id < services_.size(); ++id) {
    if (services_[id].in_use && services_[id].stale) {
      removed += services_[id].sched.dests().size();
      remove_service_slot(id);
      ++removed;
    }
  }
  return removed;
}

void ServiceTable::zero_counters(uint32_t svc_id) {
  if (!has_service(svc_id)) return;
  zero_totals(service_counters_[svc_id]);
  for (const SchedDest& d : services_[svc_id].sched.dests()) zero_totals(dest_counters_[d.slot]);
}

void ServiceTable::zero_counters() {
  for (uint32_t id = 0; id < services_.size(); ++id) zero_counters(id);
}

std::vector<uint32_t> ServiceTable::service_dests(uint32_t svc_id) const {
  std::vector<uint32_t> ids;
  if (!has_service(svc_id)) return ids;
  for (const SchedDest& d : services_[svc_id].sched.dests()) ids.push_back(d.slot);
  return ids;
}

std::vector<uint32_t> ServiceTable::service_ids() const {
  std::vector<uint32_t> ids;
  for (uint32_t id = 0; id < services_.size(); ++id) {
    if (services_[id].in_use) ids.push_back(id);
  }
  return ids;
}

}  // namespace dplb::ipvs
