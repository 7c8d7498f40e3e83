#include "dplb/ipvs/service_model.h"

#include <algorithm>
#include <bit>
#include <string>

namespace dplb::ipvs {

IdAllocator::IdAllocator(uint32_t capacity) : capacity_(capacity), words_((capacity + 63) / 64, 0) {}

Result<uint32_t> IdAllocator::allocate() {
  for (size_t w = 0; w < words_.size(); ++w) {
    if (words_[w] == ~uint64_t(0)) continue;
    uint32_t id = uint32_t(w * 64 + std::countr_one(words_[w]));
    if (id >= capacity_) break;
    words_[w] |= uint64_t(1) << (id % 64);
    ++used_;
    return id;
  }
  return Status::error(ENOSPC, "no free id (capacity " + std::to_string(capacity_) + ")");
}

void IdAllocator::release(uint32_t id) {
  if (!in_use(id)) return;
  words_[id / 64] &= ~(uint64_t(1) << (id % 64));
  --used_;
}

bool IdAllocator::in_use(uint32_t id) const {
  return id < capacity_ && (words_[id / 64] >> (id % 64) & 1) != 0;
}

void IdAllocator::clear() {
  for (uint64_t& w : words_) w = 0;
  used_ = 0;
}

IpvsModel::IpvsModel(const TableLimits& limits)
    : table_(limits), service_ids_(table_.service_capacity()), dest_ids_(table_.dest_capacity()) {}

Status IpvsModel::check_key(const ServiceKey& key) {
  if (!is_supported_proto(key.proto)) return Status::invalid("protocol must be TCP or UDP");
  if (key.vip.is_zero() || key.vport == 0) return Status::invalid("service needs a virtual address and port");
  return Status::ok();
}

Status IpvsModel::check_dest(const DestSpec& spec) {
  if (spec.weight < 0 || spec.weight > kMaxWeight) {
    return Status::invalid("weight " + std::to_string(spec.weight) + " outside 0.." + std::to_string(kMaxWeight));
  }
  if (spec.addr.is_zero() || spec.port == 0) return Status::invalid("real server needs an address and a port");
  return Status::ok();
}

Result<uint32_t> IpvsModel::require_service(const ServiceKey& key) const {
  int32_t id = find_service(key);
  if (id < 0) return Status::error(ESRCH, "No such service");
  return uint32_t(id);
}

Result<uint32_t> IpvsModel::add_service(const ServiceSpec& spec) {
  if (Status st = check_key(spec.key); !st) return st;
  if (find_service(spec.key) >= 0) return Status::error(EEXIST, "Service already exists");
  auto sched = parse_sched(spec.sched);
  if (!sched) return Status::error(ENOENT, "Scheduler not found");
  if ((spec.flags & ~kSvcFlagsSupported) != 0) return Status::invalid("unsupported service flags");
  Result<uint32_t> id = service_ids_.allocate();
  if (!id) return Status::error(ENOSPC, "Too many services");
  if (Status st = table_.upsert_service(*id, ServiceConf{spec.key, *sched, spec.flags, spec.persist_seconds,
                                                         spec.persist_prefix});
      !st) {
    service_ids_.release(*id);
    return st;
  }
  return id;
}

Status IpvsModel::check_shared_real_server(uint32_t svc_id, const ServiceConf& svc, Ip4 addr, uint16_t port) const {
  auto rule = [](const ServiceConf& c) { return c.persistent() ? int(c.persist_prefix) : -1; };
  for (uint32_t other : table_.service_ids()) {
    if (other == svc_id) continue;
    const ServiceConf& oc = table_.service_conf(other);
    if (oc.key.proto != svc.key.proto || rule(oc) == rule(svc) || table_.find_dest(other, addr, port) < 0) continue;
    return Status::invalid("real server " + to_string(addr) + ":" + std::to_string(port) + " also serves " +
                           to_string(oc.key.vip) + ":" + std::to_string(oc.key.vport) +
                           " with other persistence: a real server's services must all be persistent with one "
                           "netmask, or all not (its replies go to the worker the netmask picks)");
  }
  return Status::ok();
}

Status IpvsModel::check_shared_real_servers(uint32_t svc_id, const ServiceConf& svc) const {
  for (uint32_t d : table_.service_dests(svc_id)) {
    const DestConf& dc = table_.dest_conf(d);
    if (Status st = check_shared_real_server(svc_id, svc, dc.addr, dc.port); !st) return st;
  }
  return Status::ok();
}

Result<uint32_t> IpvsModel::edit_service(const ServiceSpec& spec) {
  Result<uint32_t> id = require_service(spec.key);
  if (!id) return id;
  auto sched = parse_sched(spec.sched);
  if (!sched) return Status::error(ENOENT, "Scheduler not found");
  if ((spec.flags & ~kSvcFlagsSupported) != 0) return Status::invalid("unsupported service flags");
  ServiceConf conf{spec.key, *sched, spec.flags, spec.persist_seconds, spec.persist_prefix};
  if (Status st = check_shared_real_servers(*id, conf); !st) return st;
  if (Status st = table_.upsert_service(*id, conf); !st) return st;
  return id;
}

Result<uint32_t> IpvsModel::delete_service(const ServiceKey& key) {
  Result<uint32_t> id = require_service(key);
  if (!id) return id;
  for (uint32_t dest_id : table_.service_dests(*id)) dest_ids_.release(dest_id);
  table_.remove_service(*id);
  service_ids_.release(*id);
  return id;
}

Result<uint32_t> IpvsModel::add_dest(const ServiceKey& key, const DestSpec& spec) {
  Result<uint32_t> svc = require_service(key);
  if (!svc) return svc;
  if (Status st = check_dest(spec); !st) return st;
  if (table_.find_dest(*svc, spec.addr, spec.port) >= 0) return Status::error(EEXIST, "Destination already exists");
  if (Status st = check_shared_real_server(*svc, table_.service_conf(*svc), spec.addr, spec.port); !st) return st;
  Result<uint32_t> id = dest_ids_.allocate();
  if (!id) return Status::error(ENOSPC, "Too many destinations");
  DestConf conf{spec.addr, spec.port, uint16_t(spec.weight), spec.fwd};
  if (Status st = table_.upsert_dest(*svc, *id, conf); !st) {
    dest_ids_.release(*id);
    return st;
  }
  return id;
}

Result<uint32_t> IpvsModel::edit_dest(const ServiceKey& key, const DestSpec& spec) {
  Result<uint32_t> svc = require_service(key);
  if (!svc) return svc;
  if (Status st = check_dest(spec); !st) return st;
  int32_t id = table_.find_dest(*svc, spec.addr, spec.port);
  if (id < 0) return Status::error(ENOENT, "No such destination");
  DestConf conf{spec.addr, spec.port, uint16_t(spec.weight), spec.fwd};
  if (Status st = table_.upsert_dest(*svc, uint32_t(id), conf); !st) return st;
  return uint32_t(id);
}

Result<uint32_t> IpvsModel::delete_dest(const ServiceKey& key, Ip4 addr, uint16_t port) {
  Result<uint32_t> svc = require_service(key);
  if (!svc) return svc;
  int32_t id = table_.find_dest(*svc, addr, port);
  if (id < 0) return Status::error(ENOENT, "No such destination");
  table_.remove_dest(uint32_t(id));
  dest_ids_.release(uint32_t(id));
  return uint32_t(id);
}

void IpvsModel::clear() {
  table_.clear();
  service_ids_.clear();
  dest_ids_.clear();
}

std::vector<Upsert> IpvsModel::upserts() const {
  std::vector<Upsert> out;
  std::vector<uint32_t> svcs = table_.service_ids();
  for (uint32_t id : svcs) {
    Upsert u;
    u.is_service = true;
    u.svc_id = id;
    u.service = table_.service_conf(id);
    out.push_back(u);
  }
  std::vector<Upsert> dests;
  for (uint32_t svc : svcs) {
    for (uint32_t id : table_.service_dests(svc)) {
      Upsert u;
      u.is_service = false;
      u.svc_id = svc;
      u.dest_id = id;
      u.dest = table_.dest_conf(id);
      dests.push_back(u);
    }
  }
  std::sort(dests.begin(), dests.end(), [](const Upsert& a, const Upsert& b) { return a.dest_id < b.dest_id; });
  out.insert(out.end(), dests.begin(), dests.end());
  return out;
}

}  // namespace dplb::ipvs
