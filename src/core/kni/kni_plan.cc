#include "dplb/kni/kni_plan.h"

namespace dplb::kni {

Result<std::string> tap_ifname(std::string_view port_name) {
  std::string name = std::string(port_name) + std::string(kTapSuffix);
  if (port_name.empty() || name.size() > kIfNameMax)
    return Status::invalid("port " + std::string(port_name) + ": tap name " + name + " does not fit " +
                           std::to_string(kIfNameMax) + " characters");
  return name;
}

std::string tap_vdev_name(uint16_t port_id) { return "net_tap_kni" + std::to_string(port_id); }

std::string tap_devargs(std::string_view ifname, const Mac& mac) {
  return "iface=" + std::string(ifname) + ",mac=" + to_string(mac);
}

const TapPlan* KniPlan::find(uint16_t port_id) const {
  for (const TapPlan& t : taps)
    if (t.port_id == port_id) return &t;
  return nullptr;
}

Result<KniPlan> make_kni_plan(const conf::Plan& plan, std::span<const Mac> port_macs, uint16_t max_queues) {
  KniPlan out;
  std::string errors;
  auto fail = [&](const std::string& msg) { errors += (errors.empty() ? "" : "\n") + msg; };
  size_t n_workers = plan.workers.size();
  for (size_t i = 0; i < plan.ports.size(); ++i) {
    const conf::PortPlan& pp = plan.ports[i];
    if (!pp.conf.kni) continue;
    const std::string& name = pp.conf.name;
    auto ifname = tap_ifname(name);
    if (!ifname) {
      fail(ifname.status().message());
      continue;
    }
    if (i >= port_macs.size()) {
      fail("port " + name + ": MAC unknown");
      continue;
    }
    if (n_workers == 0 || n_workers > max_queues) {
      fail("port " + name + ": kni needs one tap queue per worker: " + std::to_string(n_workers) +
           " worker(s), the tap has at most " + std::to_string(max_queues));
      continue;
    }
    TapPlan t;
    t.port_id = pp.port_id;
    t.port_name = name;
    t.ifname = *ifname;
    t.vdev_name = tap_vdev_name(pp.port_id);
    t.mac = port_macs[i];
    t.devargs = tap_devargs(t.ifname, t.mac);
    t.mtu = pp.conf.mtu;
    t.queues = static_cast<uint16_t>(n_workers);
    t.unclaimed = unclaimed_action(true, pp.conf.unclaimed);
    for (const conf::WorkerPlan& wp : plan.workers) {
      if (pp.port_id < wp.tx_queue.size() && wp.tx_queue[pp.port_id]) {
        t.poller = wp.index;
        break;
      }
    }
    if (!t.poller)
      out.warnings.push_back("port " + name + ": no worker sends on it, so nothing the kernel sends on " +
                             t.ifname + " leaves the port");
    out.taps.push_back(std::move(t));
  }
  if (!errors.empty()) return Status::invalid(errors);
  return out;
}

}  // namespace dplb::kni
