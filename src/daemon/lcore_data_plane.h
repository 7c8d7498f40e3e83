// The control plane's view of this process (control/data_plane.h): the ethdev ports and the lcore
// workers the daemon built.
#pragma once

#include <memory>
#include <vector>

#include "control/data_plane.h"
#include "daemon/ports.h"
#include "datapath/worker.h"

namespace dplb::dp {

class LcoreDataPlane final : public DataPlane {
 public:
  // After the ports are configured and the workers built; they and the pools must outlive this.
  LcoreDataPlane(const Ports& ports, std::vector<std::unique_ptr<Worker>>& workers, const Mempools& pools);

  const std::vector<PortFacts>& ports() const override { return facts_; }
  size_t worker_count() const override { return workers_.size(); }
  WorkerId worker_id(size_t worker) const override;
  Status attach(ctrl::Multicaster& mc) override;
  ipvs::IpvsCounters service_counters(size_t worker, uint32_t service_id) const override;
  ipvs::IpvsCounters dest_counters(size_t worker, uint32_t dest_id) const override;
  WorkerPortCounters port_counters(size_t worker, uint16_t port) const override;
  uint32_t conn_capacity() const override;
  proto::LinkRecord link_record(uint16_t port) const override;
  WorkerGauges worker_gauges(size_t worker) const override;
  std::vector<MbufPoolGauge> mbuf_pools() const override;
  std::string dpdk_version() const override;
  uint64_t now_ms() const override;

 private:
  const Ports& ports_;
  std::vector<std::unique_ptr<Worker>>& workers_;
  const Mempools& pools_;
  std::vector<PortFacts> facts_;
};

}  // namespace dplb::dp
