// A DataPlane for unit tests, without EAL: real Worker objects (their tables and the real message
// handlers), each drained by a plain thread instead of an lcore; ports are facts only.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "control/data_plane.h"
#include "datapath/worker.h"

namespace dplb::dp::testing {

class FakeDataPlane final : public DataPlane {
 public:
  FakeDataPlane(std::vector<PortFacts> ports, size_t workers) : ports_(std::move(ports)) {
    for (size_t i = 0; i < workers; ++i) {
      auto w = std::make_unique<Worker>(unsigned(i), unsigned(i + 1), WorkerSettings{}, nullptr);
      for (const PortFacts& p : ports_) {
        w->tables.ports[p.id].present = true;
        w->tables.ports[p.id].mtu = p.mtu;
      }
      workers_.push_back(std::move(w));
    }
  }
  ~FakeDataPlane() override { stop(); }

  Worker& worker(size_t i) { return *workers_.at(i); }

  // Runs `change` on worker i's tables while its thread is held, as if the worker had lost them.
  template <typename F>
  void with_worker_held(size_t i, F&& change) {
    held_[i].store(true);
    while (!holding_[i].load()) std::this_thread::yield();
    change(*workers_[i]);
    held_[i].store(false);
    while (holding_[i].load()) std::this_thread::yield();
  }

  void stop() {
    stop_.store(true);
    for (auto& t : threads_) t.join();
    threads_.clear();
  }

  // ---- DataPlane ----
  const std::vector<PortFacts>& ports() const override { return ports_; }
  size_t worker_count() const override { return workers_.size(); }
  WorkerId worker_id(size_t i) const override { return {workers_.at(i)->setup.index, workers_.at(i)->setup.lcore}; }
  Status attach(ctrl::Multicaster& mc) override {
    held_ = std::vector<std::atomic<bool>>(workers_.size());
    holding_ = std::vector<std::atomic<bool>>(workers_.size());
    for (size_t i = 0; i < workers_.size(); ++i) {
      Worker* w = workers_[i].get();
      w->setup.control = &mc;
      for (const PortFacts& p : ports_)
        if (Status st = w->tables.routes.set_port(p.id, p.mtu); !st) return st;
      threads_.emplace_back([this, &mc, w, i] {
        while (!stop_.load()) {
          if (held_[i].load()) {
            holding_[i].store(true);
            while (held_[i].load() && !stop_.load()) std::this_thread::yield();
            holding_[i].store(false);
          }
          if (mc.drain(i, 32, w) == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
        }
      });
    }
    return Status::ok();
  }
  ipvs::IpvsCounters service_counters(size_t w, uint32_t id) const override {
    return workers_.at(w)->tables.services.service_counters(id);
  }
  ipvs::IpvsCounters dest_counters(size_t w, uint32_t id) const override {
    return workers_.at(w)->tables.services.dest_counters(id);
  }
  // The workers' own counters (no packets run here; a test sets them, as a worker would count).
  WorkerPortCounters port_counters(size_t w, uint16_t port) const override {
    return read_port_counters(workers_.at(w)->io.stats.port[port]);
  }
  uint32_t conn_capacity() const override { return 0; }
  proto::LinkRecord link_record(uint16_t port) const override {
    proto::LinkRecord r{};
    r.ifindex = port;
    return r;
  }
  uint64_t now_ms() const override { return 0; }

 private:
  std::vector<PortFacts> ports_;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::vector<std::thread> threads_;
  std::vector<std::atomic<bool>> held_, holding_;
  std::atomic<bool> stop_{false};
};

}  // namespace dplb::dp::testing
