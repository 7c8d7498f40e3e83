#include "control/metrics_module.h"

#include <array>
#include <string_view>
#include <vector>

#include "control/build_info.h"
#include "control/control_plane.h"
#include "dplb/metrics/exposition.h"

namespace dplb::dp {

namespace {

using metrics::Exposition;
using metrics::Label;
using metrics::MetricType;

std::string_view proto_name(uint8_t proto) {
  switch (proto) {
    case 6: return "tcp";
    case 17: return "udp";
    default: return "other";
  }
}

void build_info(Exposition& e, const DataPlane& dp) {
  e.family("dplb_build_info", "dplb's version, the compiler it was built with and the DPDK it runs on; always 1.",
           MetricType::gauge);
  const std::string dpdk = dp.dpdk_version();
  e.sample({{"version", DPLB_VERSION}, {"compiler", DPLB_COMPILER}, {"dpdk", dpdk}}, uint64_t(1));
}

// The NIC's view of each port (ethdev stats), its kernel tap's counters, and its link.
void ports(Exposition& e, const DataPlane& dp) {
  std::vector<proto::LinkRecord> links;
  for (const PortFacts& p : dp.ports()) links.push_back(dp.link_record(p.id));
  struct Field {
    const char* name;
    const char* help;
    uint64_t proto::LinkRecord::*field;
    bool tap = false;  // the exception path: only ports with a tap (kni = true) have samples
  };
  static constexpr std::array<Field, 11> kFields{{
      {"dplb_port_rx_packets_total", "Packets received by the port (ethdev ipackets).", &proto::LinkRecord::hw_ipackets},
      {"dplb_port_tx_packets_total", "Packets sent by the port (ethdev opackets).", &proto::LinkRecord::hw_opackets},
      {"dplb_port_rx_bytes_total", "Bytes received by the port (ethdev ibytes).", &proto::LinkRecord::hw_ibytes},
      {"dplb_port_tx_bytes_total", "Bytes sent by the port (ethdev obytes).", &proto::LinkRecord::hw_obytes},
      {"dplb_port_rx_errors_total", "Erroneous packets received (ethdev ierrors).", &proto::LinkRecord::hw_ierrors},
      {"dplb_port_tx_errors_total", "Packets the port failed to send (ethdev oerrors).", &proto::LinkRecord::hw_oerrors},
      {"dplb_port_rx_missed_total", "Packets the NIC dropped for lack of room in its RX queues (ethdev imissed).",
       &proto::LinkRecord::hw_imissed},
      {"dplb_port_rx_nombuf_total", "Receive failures for lack of mbufs (ethdev rx_nombuf).",
       &proto::LinkRecord::hw_rx_nombuf},
      {"dplb_kni_to_kernel_packets_total", "Packets given to the port's kernel tap (exception path).",
       &proto::LinkRecord::kni_rx_packets, true},
      {"dplb_kni_from_kernel_packets_total", "Packets the kernel sent out of the port through its tap.",
       &proto::LinkRecord::kni_tx_packets, true},
      {"dplb_kni_dropped_packets_total", "Packets the port's tap refused (kernel backlog full).",
       &proto::LinkRecord::kni_dropped, true},
  }};
  for (const Field& f : kFields) {
    e.family(f.name, f.help, MetricType::counter);
    for (size_t i = 0; i < links.size(); ++i) {
      const std::string_view tap = ctrl::fixed_string(links[i].kni_ifname);
      if (!f.tap) e.sample({{"port", dp.ports()[i].name}}, links[i].*f.field);
      else if (!tap.empty()) e.sample({{"port", dp.ports()[i].name}, {"tap", tap}}, links[i].*f.field);
    }
  }
  e.family("dplb_port_up", "1 when the port is started and its link is up.", MetricType::gauge);
  for (size_t i = 0; i < links.size(); ++i)
    e.sample({{"port", dp.ports()[i].name}},
             uint64_t((links[i].flags & proto::kLinkUp) && (links[i].flags & proto::kLinkLowerUp) ? 1 : 0));
}

// Drops by port and reason (every reason, zeros included, so rates exist from the first scrape),
// and the software per-worker counters.
void drops_and_workers(Exposition& e, const DataPlane& dp) {
  const size_t nw = dp.worker_count();
  std::vector<std::string> worker_names;
  for (size_t w = 0; w < nw; ++w) worker_names.push_back(std::to_string(dp.worker_id(w).index));
  std::vector<WorkerPortCounters> sums(dp.ports().size());
  std::vector<uint64_t> handed_over(nw, 0);
  for (size_t i = 0; i < dp.ports().size(); ++i) {
    for (size_t w = 0; w < nw; ++w) {
      const WorkerPortCounters c = dp.port_counters(w, dp.ports()[i].id);
      for (size_t r = 0; r < kDropReasonCount; ++r) sums[i].drops[r] += c.drops[r];
      handed_over[w] += c.redirected;
    }
  }
  e.family("dplb_drops_total", "Packets dropped, by port and reason (docs/operations.md, \"Drop counters\").",
           MetricType::counter);
  for (size_t i = 0; i < dp.ports().size(); ++i)
    for (size_t r = 0; r < kDropReasonCount; ++r)
      e.sample({{"port", dp.ports()[i].name}, {"reason", kDropReasonNames[r]}}, sums[i].drops[r]);

  std::vector<WorkerGauges> g;
  for (size_t w = 0; w < nw; ++w) g.push_back(dp.worker_gauges(w));
  auto per_worker = [&](const char* name, const char* help, MetricType type, auto value) {
    e.family(name, help, type);
    for (size_t w = 0; w < nw; ++w) e.sample({{"worker", worker_names[w]}}, uint64_t(value(w)));
  };
  per_worker("dplb_worker_polls_total", "Poll loop iterations of the worker.", MetricType::counter,
             [&](size_t w) { return g[w].polls; });
  per_worker("dplb_worker_busy_polls_total",
             "Poll loop iterations that found packets or control messages (busy ratio: rate of this over "
             "rate of dplb_worker_polls_total).",
             MetricType::counter, [&](size_t w) { return g[w].busy_polls; });
  per_worker("dplb_worker_handover_packets_total",
             "Packets that arrived on this worker but belong to a connection another worker owns.",
             MetricType::counter, [&](size_t w) { return handed_over[w]; });
  per_worker("dplb_conn_table_entries", "Connections in the worker's table.", MetricType::gauge,
             [&](size_t w) { return g[w].conns; });
  per_worker("dplb_conn_table_capacity", "Capacity of the worker's connection table ([ipvs] conn_capacity).",
             MetricType::gauge, [&](size_t w) { return g[w].conn_capacity; });
  per_worker("dplb_neigh_entries", "Entries of the worker's neighbour table (learned and static).",
             MetricType::gauge, [&](size_t w) { return g[w].neighbours; });

  const std::vector<MbufPoolGauge> pools = dp.mbuf_pools();
  e.family("dplb_mbuf_pool_free", "Free mbufs of the pool (per-lcore caches count as free).", MetricType::gauge);
  for (const MbufPoolGauge& p : pools) e.sample({{"pool", p.name}}, p.free);
  e.family("dplb_mbuf_pool_size", "Mbufs in the pool.", MetricType::gauge);
  for (const MbufPoolGauge& p : pools) e.sample({{"pool", p.name}}, p.size);
}

// Services and real servers: their counters summed over the workers, computed once per object and
// then written family by family (the format wants each name's samples together).
void ipvs_objects(Exposition& e, ControlPlane& cp, const DataPlane& dp) {
  const ipvs::ServiceTable& t = cp.model().ipvs.table();
  struct Object {
    std::string proto, service, real_server;
    ipvs::IpvsCounters c;
    uint64_t weight = 0;
  };
  std::vector<Object> services, dests;
  for (uint32_t id : t.service_ids()) {
    const ipvs::ServiceConf& sc = t.service_conf(id);
    Object s{std::string(proto_name(sc.key.proto)), to_string(sc.key.vip) + ":" + std::to_string(sc.key.vport), "", {}, 0};
    for (size_t w = 0; w < dp.worker_count(); ++w) s.c += dp.service_counters(w, id);
    for (uint32_t d : t.service_dests(id)) {
      const ipvs::DestConf& dc = t.dest_conf(d);
      Object o{s.proto, s.service, to_string(dc.addr) + ":" + std::to_string(dc.port), {}, dc.weight};
      for (size_t w = 0; w < dp.worker_count(); ++w) o.c += dp.dest_counters(w, d);
      dests.push_back(std::move(o));
    }
    services.push_back(std::move(s));
  }
  struct Field {
    const char* suffix;
    const char* help;
    MetricType type;
    uint64_t ipvs::IpvsCounters::*field;
  };
  static constexpr std::array<Field, 7> kFields{{
      {"connections_total", "Connections scheduled", MetricType::counter, &ipvs::IpvsCounters::conns},
      {"active_connections", "Connections in TCP ESTABLISHED (IPVS's ActiveConn)", MetricType::gauge,
       &ipvs::IpvsCounters::active_conns},
      {"inactive_connections", "Connections in any other state, and UDP (IPVS's InActConn)", MetricType::gauge,
       &ipvs::IpvsCounters::inactive_conns},
      {"in_packets_total", "Packets from clients", MetricType::counter, &ipvs::IpvsCounters::inpkts},
      {"out_packets_total", "Packets to clients", MetricType::counter, &ipvs::IpvsCounters::outpkts},
      {"in_bytes_total", "Bytes from clients", MetricType::counter, &ipvs::IpvsCounters::inbytes},
      {"out_bytes_total", "Bytes to clients", MetricType::counter, &ipvs::IpvsCounters::outbytes},
  }};
  std::string name, help;
  for (const Field& f : kFields) {
    name = std::string("dplb_service_") + f.suffix;
    help = std::string(f.help) + " of the virtual service.";
    e.family(name, help, f.type);
    for (const Object& s : services) e.sample({{"protocol", s.proto}, {"service", s.service}}, s.c.*f.field);
  }
  for (const Field& f : kFields) {
    name = std::string("dplb_real_server_") + f.suffix;
    help = std::string(f.help) + " of the real server.";
    e.family(name, help, f.type);
    for (const Object& d : dests)
      e.sample({{"protocol", d.proto}, {"service", d.service}, {"real_server", d.real_server}}, d.c.*f.field);
  }
  e.family("dplb_real_server_weight", "Weight of the real server (0: drained).", MetricType::gauge);
  for (const Object& d : dests)
    e.sample({{"protocol", d.proto}, {"service", d.service}, {"real_server", d.real_server}}, d.weight);
}

void control(Exposition& e, ControlPlane& cp, const MetricsServer::Stats* endpoint) {
  const ctrl::Registry::Stats& r = cp.registry().stats();
  e.family("dplb_control_commands_total",
           "Requests of dpip, ipvsadm and the startup files: kind get (reads) or set (changes), result ok or failed.",
           MetricType::counter);
  e.sample({{"kind", "get"}, {"result", "ok"}}, r.gets_ok);
  e.sample({{"kind", "get"}, {"result", "failed"}}, r.gets_failed);
  e.sample({{"kind", "set"}, {"result", "ok"}}, r.sets_ok);
  e.sample({{"kind", "set"}, {"result", "failed"}}, r.sets_failed);
  const ctrl::Multicaster& mc = cp.multicaster();
  e.family("dplb_control_multicasts_total", "Changes sent to every worker.", MetricType::counter);
  e.sample({}, mc.stats().multicasts);
  e.family("dplb_control_workers_out_of_sync",
           "Workers whose tables may differ from the model (a failed or late change), waiting for a replay.",
           MetricType::gauge);
  e.sample({}, uint64_t(mc.out_of_sync_workers().size()));
  e.family("dplb_control_replays_total", "Rebuilds of an out-of-sync worker from the model, by result.",
           MetricType::counter);
  e.sample({{"result", "ok"}}, mc.stats().replays_ok);
  e.sample({{"result", "failed"}}, mc.stats().replays_failed);
  if (endpoint == nullptr) return;
  e.family("dplb_metrics_scrapes_total", "Scrapes answered by this endpoint (before this one).", MetricType::counter);
  e.sample({}, endpoint->scrapes);
  e.family("dplb_metrics_renders_total",
           "Texts built for scrapes (scrapes close together share one).", MetricType::counter);
  e.sample({}, endpoint->renders);
  e.family("dplb_metrics_refused_requests_total",
           "Requests to the endpoint refused: another path or method, garbage, or a head too large.",
           MetricType::counter);
  e.sample({}, endpoint->refused);
  e.family("dplb_metrics_timeouts_total", "Endpoint connections closed at their deadline (silent or slow peers).",
           MetricType::counter);
  e.sample({}, endpoint->timeouts);
  e.family("dplb_metrics_render_seconds", "How long the previous scrape's text took to build.", MetricType::gauge);
  e.sample({}, endpoint->last_render_seconds);
}

}  // namespace

std::string render_metrics(ControlPlane& cp, const MetricsServer::Stats* endpoint) {
  const DataPlane& dp = cp.data_plane();
  Exposition e;
  // About 150 bytes per sample: reserve for the real servers' eight families up front.
  e.reserve(16384 + cp.model().ipvs.table().dest_count() * 8 * 150);
  build_info(e, dp);
  ports(e, dp);
  drops_and_workers(e, dp);
  ipvs_objects(e, cp, dp);
  control(e, cp, endpoint);
  return e.take();
}

}  // namespace dplb::dp
