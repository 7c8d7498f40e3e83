#include "dplb/conf/plan.h"

#include <algorithm>
#include <map>

namespace dplb::conf {

namespace {

class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}

  void add(std::string_view key, std::string_view problem) { entries_.push_back(format(key, problem)); }
  std::string format(std::string_view key, std::string_view problem) const {
    return file_ + ": " + std::string(key) + ": " + std::string(problem);
  }
  bool empty() const { return entries_.empty(); }
  Status status() const {
    std::string message;
    for (const std::string& e : entries_) {
      if (!message.empty()) message += '\n';
      message += e;
    }
    return Status::invalid(std::move(message));
  }

 private:
  std::string file_;
  std::vector<std::string> entries_;
};

std::string list_of(const std::vector<std::string>& items) {
  if (items.empty()) return "none";
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += ", ";
    out += s;
  }
  return out;
}

std::string port_names(const RuntimeFacts& facts) {
  std::vector<std::string> names;
  for (const auto& p : facts.ports) names.push_back(p.name);
  return "EAL created " + list_of(names);
}

std::string lcore_list(const std::vector<unsigned>& lcores) {
  std::vector<std::string> items;
  for (unsigned l : lcores) items.push_back(std::to_string(l));
  return list_of(items);
}

std::string worker_key(size_t index) { return "workers[" + std::to_string(index) + "]"; }

int find_port(const RuntimeFacts& facts, std::string_view name) {
  for (size_t i = 0; i < facts.ports.size(); ++i) {
    if (facts.ports[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

// Ports: every ethdev, with its config entry when there is one; checks what does not depend on workers.
std::vector<PortPlan> plan_ports(const Config& config, const RuntimeFacts& facts, Problems& problems,
                                 std::vector<bool>& configured) {
  std::vector<PortPlan> ports;
  configured.assign(facts.ports.size(), false);
  for (size_t i = 0; i < facts.ports.size(); ++i) {
    PortPlan p;
    p.port_id = static_cast<uint16_t>(i);
    p.conf.name = facts.ports[i].name;
    ports.push_back(std::move(p));
  }
  for (const PortConf& pc : config.ports) {
    std::string key = "ports." + pc.name;
    int id = find_port(facts, pc.name);
    if (id < 0) {
      problems.add(key, "no such port (" + port_names(facts) + ")");
      continue;
    }
    if (configured[static_cast<size_t>(id)]) {
      problems.add(key, "configured twice");
      continue;
    }
    configured[static_cast<size_t>(id)] = true;
    ports[static_cast<size_t>(id)].conf = pc;
  }
  for (PortPlan& p : ports) {
    const RuntimeFacts::Port& dev = facts.ports[p.port_id];
    std::string key = "ports." + p.conf.name;
    if (p.conf.mtu < dev.min_mtu || p.conf.mtu > dev.max_mtu) {
      problems.add(key + ".mtu", std::to_string(p.conf.mtu) + (configured[p.port_id] ? "" : " (default)") +
                                     " is outside the device's range " + std::to_string(dev.min_mtu) + ".." +
                                     std::to_string(dev.max_mtu));
    }
    if (p.conf.rx_queues > dev.max_rx_queues) {
      problems.add(key + ".rx_queues", std::to_string(p.conf.rx_queues) + " exceeds the device maximum " +
                                           std::to_string(dev.max_rx_queues));
    }
    if (p.conf.tx_queues > dev.max_tx_queues) {
      problems.add(key + ".tx_queues", std::to_string(p.conf.tx_queues) + " exceeds the device maximum " +
                                           std::to_string(dev.max_tx_queues));
    }
  }
  return ports;
}

// Without [[workers]]: every worker lcore, worker i on queue i of every port.
void plan_automatic(const RuntimeFacts& facts, Plan& plan, Problems& problems) {
  size_t n_workers = facts.worker_lcores.size();
  for (size_t i = 0; i < n_workers; ++i) {
    WorkerPlan w;
    w.lcore = facts.worker_lcores[i];
    w.index = static_cast<unsigned>(i);
    w.tx_queue.assign(facts.ports.size(), std::nullopt);
    plan.workers.push_back(std::move(w));
  }
  auto workers_text = std::to_string(n_workers) + (n_workers == 1 ? " worker" : " workers");
  for (PortPlan& p : plan.ports) {
    const RuntimeFacts::Port& dev = facts.ports[p.port_id];
    std::string key = "ports." + p.conf.name;
    uint16_t& rx = p.conf.rx_queues;
    uint16_t& tx = p.conf.tx_queues;
    if (rx == 0) rx = static_cast<uint16_t>(std::min<size_t>(n_workers, dev.max_rx_queues));
    if (tx == 0) tx = static_cast<uint16_t>(std::min<size_t>(n_workers, dev.max_tx_queues));
    if (rx == 0) problems.add(key, "the device has no rx queue");
    if (tx == 0) problems.add(key, "the device has no tx queue");
    if (rx > n_workers) {
      problems.add(key + ".rx_queues", "rx queue " + std::to_string(n_workers) + " is served by no worker (" +
                                           workers_text + " serve queues 0.." +
                                           std::to_string(n_workers - 1) +
                                           "; map more queues per worker with [[workers]])");
    }
    for (size_t i = 0; i < n_workers; ++i) {
      WorkerPlan& w = plan.workers[i];
      if (i < rx) w.rx.emplace_back(p.port_id, static_cast<uint16_t>(i));
      if (i < tx) {
        w.tx_queue[p.port_id] = static_cast<uint16_t>(i);
      } else if (tx > 0) {
        plan.warnings.push_back(problems.format(
            key + ".tx_queues", "worker " + std::to_string(i) + " (lcore " + std::to_string(w.lcore) +
                                    ") has no tx queue on this port (" + std::to_string(tx) + " for " +
                                    workers_text + "); packets it would send there are dropped"));
      }
    }
  }
}

struct QueueUse {
  size_t worker;
  size_t map;
};

// With [[workers]]: the configured mapping, checked.
void plan_explicit(const Config& config, const RuntimeFacts& facts, Plan& plan, Problems& problems) {
  size_t n_ports = facts.ports.size();
  std::map<unsigned, size_t> lcore_owner;
  std::map<std::pair<uint16_t, uint16_t>, QueueUse> rx_owner;
  std::map<std::pair<uint16_t, uint16_t>, QueueUse> tx_owner;
  for (size_t j = 0; j < config.workers.size(); ++j) {
    const WorkerConf& wc = config.workers[j];
    std::string wkey = worker_key(j);
    if (wc.lcore == facts.main_lcore) {
      problems.add(wkey + ".lcore", "lcore " + std::to_string(wc.lcore) + " is the main lcore");
    } else if (std::find(facts.worker_lcores.begin(), facts.worker_lcores.end(), wc.lcore) ==
               facts.worker_lcores.end()) {
      problems.add(wkey + ".lcore",
                   "lcore " + std::to_string(wc.lcore) +
                       " is not enabled in EAL (worker lcores: " + lcore_list(facts.worker_lcores) + ")");
    }
    if (auto [it, inserted] = lcore_owner.emplace(wc.lcore, j); !inserted) {
      problems.add(wkey + ".lcore",
                   "lcore " + std::to_string(wc.lcore) + " is already used by " + worker_key(it->second));
    }
    if (wc.queues.empty()) problems.add(wkey + ".queues", "a worker needs at least one queue");

    WorkerPlan w;
    w.lcore = wc.lcore;
    w.index = static_cast<unsigned>(j);
    w.tx_queue.assign(n_ports, std::nullopt);
    for (size_t k = 0; k < wc.queues.size(); ++k) {
      const QueueMap& q = wc.queues[k];
      std::string qkey = wkey + ".queues[" + std::to_string(k) + "]";
      int id = find_port(facts, q.port);
      if (id < 0) {
        problems.add(qkey + ".port", "no such port " + q.port + " (" + port_names(facts) + ")");
        continue;
      }
      auto port_id = static_cast<uint16_t>(id);
      if (!q.rx_queue && !q.tx_queue) problems.add(qkey, "needs rx, tx or both");
      if (q.rx_queue) {
        auto [it, inserted] = rx_owner.emplace(std::pair(port_id, *q.rx_queue), QueueUse{j, k});
        if (inserted) {
          w.rx.emplace_back(port_id, *q.rx_queue);
        } else {
          problems.add(qkey + ".rx", q.port + " rx queue " + std::to_string(*q.rx_queue) +
                                         " is already served by " + worker_key(it->second.worker));
        }
      }
      if (q.tx_queue) {
        if (w.tx_queue[port_id]) {
          problems.add(qkey + ".tx", wkey + " already transmits on " + q.port + " (tx queue " +
                                         std::to_string(*w.tx_queue[port_id]) + "); one tx queue per port");
          continue;
        }
        auto [it, inserted] = tx_owner.emplace(std::pair(port_id, *q.tx_queue), QueueUse{j, k});
        if (inserted) {
          w.tx_queue[port_id] = *q.tx_queue;
        } else {
          problems.add(qkey + ".tx", q.port + " tx queue " + std::to_string(*q.tx_queue) +
                                         " is already used by " + worker_key(it->second.worker));
        }
      }
    }
    plan.workers.push_back(std::move(w));
  }

  // Queue counts: configured, or the highest index mapped + 1; every mapped queue must exist.
  auto resolve = [&](PortPlan& p, const char* dir, uint16_t& count, uint16_t device_max,
                     const std::map<std::pair<uint16_t, uint16_t>, QueueUse>& owners) {
    std::string port_key = "ports." + p.conf.name;
    bool configured = count != 0;
    uint16_t highest_plus_one = 0;
    for (const auto& [pq, use] : owners) {
      if (pq.first != p.port_id) continue;
      uint16_t q = pq.second;
      highest_plus_one = std::max<uint16_t>(highest_plus_one, static_cast<uint16_t>(q + 1));
      std::string qkey = worker_key(use.worker) + ".queues[" + std::to_string(use.map) + "]." + dir;
      std::string what = p.conf.name + " " + dir + " queue " + std::to_string(q);
      if (configured && q >= count) {
        problems.add(qkey, what + " is beyond the port's " + std::to_string(count) + " " + dir + " queues (" +
                               port_key + "." + dir + "_queues)");
      } else if (!configured && q >= device_max) {
        problems.add(qkey, what + " is beyond the device maximum of " + std::to_string(device_max) + " " +
                               dir + " queues");
      }
    }
    if (!configured) count = highest_plus_one;
  };
  for (PortPlan& p : plan.ports) {
    const RuntimeFacts::Port& dev = facts.ports[p.port_id];
    std::string key = "ports." + p.conf.name;
    resolve(p, "rx", p.conf.rx_queues, dev.max_rx_queues, rx_owner);
    resolve(p, "tx", p.conf.tx_queues, dev.max_tx_queues, tx_owner);
    if (p.conf.rx_queues == 0) {
      problems.add(key, "no worker receives from this port (map an rx queue in [[workers]])");
    }
    if (p.conf.tx_queues == 0) {
      problems.add(key, "no worker transmits on this port (map a tx queue in [[workers]])");
    }
    for (uint16_t q = 0; q < p.conf.rx_queues; ++q) {
      if (!rx_owner.contains({p.port_id, q}))
        problems.add(key, "rx queue " + std::to_string(q) + " is served by no worker");
    }
    for (const WorkerPlan& w : plan.workers) {
      if (!w.tx_queue[p.port_id] && p.conf.tx_queues > 0) {
        plan.warnings.push_back(problems.format(
            worker_key(w.index), "lcore " + std::to_string(w.lcore) + " has no tx queue on " + p.conf.name +
                                     "; packets it would send there are dropped"));
      }
    }
  }
  for (unsigned lcore : facts.worker_lcores) {
    if (!lcore_owner.contains(lcore)) {
      plan.warnings.push_back(problems.format(
          "workers", "lcore " + std::to_string(lcore) + " is enabled in EAL but no worker runs on it"));
    }
  }
}

}  // namespace

Result<Plan> make_plan(const Config& config, const RuntimeFacts& facts) {
  Problems problems(config.source);
  if (facts.ports.empty()) {
    problems.add("eal.args", "no ethdev was created: add a --vdev to [eal] args");
    return problems.status();
  }
  if (facts.worker_lcores.empty()) {
    problems.add("eal.args", "need at least one worker lcore besides main (lcore " +
                                 std::to_string(facts.main_lcore) + "): give EAL more lcores (-l/--lcores)");
    return problems.status();
  }

  Plan plan;
  std::vector<bool> configured;
  plan.ports = plan_ports(config, facts, problems, configured);
  if (config.workers.empty()) {
    plan_automatic(facts, plan, problems);
  } else {
    plan_explicit(config, facts, plan, problems);
  }
  for (const WorkerPlan& w : plan.workers) {
    if (w.rx.empty()) {
      plan.warnings.push_back(problems.format(worker_key(w.index),
                                              "lcore " + std::to_string(w.lcore) + " receives from no port"));
    }
  }
  if (!problems.empty()) return problems.status();
  return plan;
}

}  // namespace dplb::conf
