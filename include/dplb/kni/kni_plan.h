// The exception path's plan: which ports get a kernel tap, what the tap is called and carries, how
// many queues it has and which worker reads what the kernel sends. A pure function of the run plan
// (conf/plan.h) and the ports' MACs, so every case is unit-tested without EAL; src/daemon/kni_taps applies it.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "dplb/base/addr.h"
#include "dplb/base/status.h"
#include "dplb/conf/config.h"
#include "dplb/conf/plan.h"

namespace dplb::kni {

inline constexpr size_t kIfNameMax = 15;  // Linux IFNAMSIZ - 1
inline constexpr std::string_view kTapSuffix = ".kni";

// "dpdk0" -> "dpdk0.kni"; EINVAL when the name does not fit a Linux interface name.
Result<std::string> tap_ifname(std::string_view port_name);
// The name EAL registers the tap's vdev under (it must start with the driver's name, net_tap).
std::string tap_vdev_name(uint16_t port_id);
// rte_vdev_init arguments: the kernel interface's name and the port's MAC, so the kernel's ARP and
// the data plane's agree on one link address.
std::string tap_devargs(std::string_view ifname, const Mac& mac);

// Where unclaimed local traffic of a port goes.
enum class UnclaimedAction : uint8_t { kKernel, kDrop };
constexpr UnclaimedAction unclaimed_action(bool has_tap, conf::UnclaimedPolicy policy) {
  return has_tap && policy == conf::UnclaimedPolicy::kernel ? UnclaimedAction::kKernel
                                                             : UnclaimedAction::kDrop;
}

struct TapPlan {
  uint16_t port_id = 0;
  std::string port_name;  // "dpdk0"
  std::string ifname;     // "dpdk0.kni"
  std::string vdev_name;  // "net_tap_kni0"
  std::string devargs;    // "iface=dpdk0.kni,mac=..."
  Mac mac;
  uint16_t mtu = 1500;
  // RX and TX queues, one pair per worker: worker i writes to the kernel on TX queue i without a
  // lock. Each pair is one tun queue, and the kernel spreads what it sends over all of them, so the
  // poller reads every RX queue.
  uint16_t queues = 0;
  // The worker (plan index) that reads the tap and sends those frames out of the port: the first
  // worker with a TX queue on the port (the same one that sends its gratuitous ARP). None when no
  // worker can send on the port (a warning: the kernel's frames are then not read).
  std::optional<unsigned> poller;
  UnclaimedAction unclaimed = UnclaimedAction::kKernel;
};

struct KniPlan {
  std::vector<TapPlan> taps;  // ports with kni = true, in port order
  std::vector<std::string> warnings;
  // The tap of `port_id`, if it has one.
  const TapPlan* find(uint16_t port_id) const;
};

// port_macs[i] is the MAC of plan.ports[i]. max_queues: the tap driver's queue limit. Errors: an
// interface name too long, more workers than the tap has queues, a MAC missing.
Result<KniPlan> make_kni_plan(const conf::Plan& plan, std::span<const Mac> port_macs, uint16_t max_queues);

}  // namespace dplb::kni
