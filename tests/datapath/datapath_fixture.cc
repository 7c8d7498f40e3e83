#include "datapath_fixture.h"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>
#include <tuple>

#include "control/msg_types.h"
#include "control/control_plane.h"
#include "daemon/eal.h"
#include "datapath/stages.h"
#include "datapath/worker.h"
#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

#if defined(__SANITIZE_ADDRESS__)
#define DPLB_FIXTURE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DPLB_FIXTURE_ASAN 1
#endif
#endif
#ifdef DPLB_FIXTURE_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace dplb::dp::fixture {

using namespace topo;

namespace {

constexpr uint64_t kNowTsc = uint64_t(1) << 40;  // the fixed clock
constexpr uint64_t kConnSeed = 0x5eed;           // fixed: the same frames take the same path
constexpr uint32_t kConnCapacity = 1024;

// Frames from the caller (their tail beyond the frame is poisoned under ASan so reading past a
// packet's end is reported) and the worker's own (ARP, ICMP, fragments). One process, one fixture.
rte_mempool* g_input_pool = nullptr;
rte_mempool* g_worker_pool = nullptr;

void set_poison(const void* addr, size_t len, bool poison) {
#ifdef DPLB_FIXTURE_ASAN
  if (poison) ASAN_POISON_MEMORY_REGION(addr, len);
  else ASAN_UNPOISON_MEMORY_REGION(addr, len);
#else
  (void)addr, (void)len, (void)poison;
#endif
}

void unpoison_mbuf(rte_mempool*, void*, void* obj, unsigned) {
  auto* m = static_cast<rte_mbuf*>(obj);
  set_poison(m->buf_addr, m->buf_len, false);
}

Status must(int rc, const char* what) {
  return rc == 0 ? Status::ok() : Status::error(-rc, std::string(what) + " failed: " + std::to_string(rc));
}

// net_ring ports: what is sent on a port waits in its ring until take_transmitted() receives it.
Status start_port(uint16_t port) {
  rte_eth_conf conf{};
  if (Status st = must(rte_eth_dev_configure(port, 1, 1, &conf), "rte_eth_dev_configure"); !st) return st;
  int socket = rte_eth_dev_socket_id(port);
  if (Status st = must(rte_eth_rx_queue_setup(port, 0, 64, socket, nullptr, g_worker_pool), "rx_queue_setup"); !st)
    return st;
  if (Status st = must(rte_eth_tx_queue_setup(port, 0, 64, socket, nullptr), "tx_queue_setup"); !st) return st;
  return must(rte_eth_dev_start(port), "rte_eth_dev_start");
}

// Copies a frame into an input mbuf; nullptr when the pool is empty (it never is: all return).
rte_mbuf* frame_mbuf(const uint8_t* data, size_t len) {
  rte_mbuf* m = rte_pktmbuf_alloc(g_input_pool);
  if (m == nullptr) return nullptr;
  set_poison(m->buf_addr, m->buf_len, false);
  len = std::min<size_t>(len, rte_pktmbuf_tailroom(m));
  auto* p = reinterpret_cast<uint8_t*>(rte_pktmbuf_append(m, static_cast<uint16_t>(len)));
  if (len) std::memcpy(p, data, len);
  uint8_t* end = rte_pktmbuf_mtod_offset(m, uint8_t*, len);
  set_poison(end, static_cast<uint8_t*>(m->buf_addr) + m->buf_len - end, true);
  return m;
}

// Every frame waiting in a TX buffer must be a sound mbuf of ours: lengths inside the buffer, our
// MAC as source, a right IPv4 header checksum, no IP packet bigger than the port's MTU. Reading
// every byte lets ASan see a length that runs past the data.
std::string check_tx(const Worker& w) {
  for (uint16_t p = 0; p < kPorts; ++p) {
    const TxBuffer& b = w.io.txb[p];
    for (uint16_t i = 0; i < b.count; ++i) {
      const rte_mbuf* m = b.pkts[i];
      if (m->pool != g_input_pool && m->pool != g_worker_pool) return "tx: an mbuf of an unknown pool";
      uint32_t total = 0;
      uint8_t sum = 0;
      for (const rte_mbuf* s = m; s != nullptr; s = s->next) {
        if (uint32_t(s->data_off) + s->data_len > s->buf_len) return "tx: segment data beyond its buffer";
        const auto* d = rte_pktmbuf_mtod(s, const uint8_t*);
        for (uint16_t k = 0; k < s->data_len; ++k) sum = static_cast<uint8_t>(sum + d[k]);
        total += s->data_len;
      }
      asm volatile("" : : "r"(sum));
      if (total != m->pkt_len) return "tx: pkt_len is not the sum of the segments";
      if (m->data_len < sizeof(net::EthHdr)) return "tx: frame shorter than an Ethernet header";
      const auto* eth = rte_pktmbuf_mtod(m, const net::EthHdr*);
      if (eth->src != kPortMac[p]) return "tx: source MAC is not the port's";
      if (eth->type.host() != net::kEtherTypeIpv4) continue;
      if (m->data_len < sizeof(net::EthHdr) + sizeof(net::Ipv4Hdr)) return "tx: IPv4 frame too short";
      const auto* ip = rte_pktmbuf_mtod_offset(m, const net::Ipv4Hdr*, sizeof(net::EthHdr));
      if (ip->header_len() < sizeof(net::Ipv4Hdr) || sizeof(net::EthHdr) + ip->header_len() > m->data_len)
        return "tx: bad IPv4 header length";
      if (!net::ipv4_header_checksum_ok(ip)) return "tx: wrong IPv4 header checksum";
      if (ip->total_len.host() > m->pkt_len - sizeof(net::EthHdr)) return "tx: IPv4 total length beyond the frame";
      if (ip->total_len.host() > kMtu[p]) return "tx: IPv4 packet bigger than the port's MTU";
    }
  }
  return "";
}

RouteMsg route_msg(Ip4Prefix prefix, std::initializer_list<RouteMsgNexthop> nexthops) {
  RouteMsg m{};
  m.net = prefix.addr.v;
  m.len = prefix.len;
  // As RouteSpec's default: link scope without a gateway, global with one.
  bool gateway = nexthops.size() > 0 && nexthops.begin()->gateway != 0;
  m.scope = static_cast<uint8_t>(gateway ? route::RouteScope::kGlobal : route::RouteScope::kLink);
  for (const RouteMsgNexthop& nh : nexthops) m.nh[m.n_nexthops++] = nh;
  return m;
}

RouteMsgNexthop nexthop(Ip4 gateway, uint16_t port, uint16_t weight) {
  RouteMsgNexthop nh{};
  nh.gateway = gateway.v;
  nh.port = port;
  nh.weight = weight;
  return nh;
}

// The topology as the messages main multicasts (see the header's comment).
const std::vector<AddrMsg>& addresses() {
  static const std::vector<AddrMsg> list = {
      {kClientPort, 24, 0, kPortAddr[0].v}, {kClientPort, 32, 0, kVip.v}, {kServerPort, 24, 0, kPortAddr[1].v}};
  return list;
}

std::vector<NeighMsg> neighbours() {
  std::vector<NeighMsg> list;
  for (const auto& [port, ip, mac] : {std::tuple{kClientPort, kClient, kClientMac}, std::tuple{kClientPort, kGw0, kGw0Mac},
                                      std::tuple{kServerPort, kRs1, kRs1Mac}, std::tuple{kServerPort, kRs2, kRs2Mac},
                                      std::tuple{kServerPort, kGw1, kGw1Mac}}) {
    NeighMsg n{};
    n.port = port;
    n.addr = ip.v;
    std::memcpy(n.mac, mac.b.data(), 6);
    list.push_back(n);
  }
  return list;
}

std::vector<RouteMsg> routes() {
  return {route_msg({Ip4::of(192, 168, 0, 0), 16}, {nexthop(kGw0, kClientPort, 1)}),
          route_msg({Ip4::of(172, 16, 0, 0), 12}, {nexthop(Ip4(), kServerPort, 1)}),
          route_msg({Ip4(), 0}, {nexthop(kGw0, kClientPort, 1), nexthop(kGw1, kServerPort, 2)})};
}

const std::vector<SvcMsg>& services() {
  using ipvs::ServiceConf, ipvs::SchedKind;
  static const std::vector<SvcMsg> list = {
      {kHttpService, ServiceConf{{ipvs::kProtoTcp, kVip, 80}, SchedKind::rr, 0}},
      {kDnsService, ServiceConf{{ipvs::kProtoUdp, kVip, 53}, SchedKind::rr, 0}},
      {kHttpsService, ServiceConf{{ipvs::kProtoTcp, kVip, 443}, SchedKind::sh, 0}}};
  return list;
}

const std::vector<DestMsg>& dests() {
  using ipvs::DestConf;
  static const std::vector<DestMsg> list = {{kHttpService, 1, DestConf{kRs1, kHttpRsPort, 1}},
                                            {kHttpService, 2, DestConf{kRs2, kHttpRsPort, 1}},
                                            {kDnsService, 3, DestConf{kRs1, 53, 1}},
                                            {kHttpsService, 4, DestConf{kRs2, 443, 0}}};
  return list;
}

// Small service limits: the defaults preallocate 65536 dests, which costs more than a fuzz input.
ipvs::ServiceTable fresh_service_table() {
  ipvs::TableLimits limits;
  limits.services = 16;
  limits.dests = 16;
  return ipvs::ServiceTable(limits);
}

Result<std::unique_ptr<ipvs::ConnTable>> fresh_conn_table(ipvs::Tick now) {
  ipvs::ConnTableConfig cc;
  cc.capacity = kConnCapacity;
  cc.seed = kConnSeed;
  cc.now = now;
  return ipvs::ConnTable::make(cc);
}

Status send(ctrl::Multicaster& mc, std::unique_ptr<ctrl::Msg> msg) { return mc.multicast(std::move(msg)).status; }

}  // namespace

// The configured neighbour table: packets teach and age entries, a reset copies it back.
struct DatapathFixture::Snapshot {
  neigh::NeighTable neigh;
};

DatapathFixture::DatapathFixture() = default;
DatapathFixture::~DatapathFixture() { stop(); }

std::string DatapathFixture::start(const Options& options) {
  if (eal_started_) return "the fixture is already started";
  std::vector<std::string> args = {"--no-huge", "-m", "128", "--no-pci", "--no-shconf", "--no-telemetry", "-l", "0",
                                   "--log-level=crit", "--file-prefix=" + options.name + "_" + std::to_string(getpid()),
                                   "--vdev=net_ring0", "--vdev=net_ring1"};
  if (Status st = eal_init(args); !st) return st.message();
  eal_started_ = true;
  if (rte_eth_dev_count_avail() != kPorts)
    return "EAL made " + std::to_string(rte_eth_dev_count_avail()) + " ports, not " + std::to_string(kPorts);
  g_input_pool = rte_pktmbuf_pool_create("fx_in", options.pool_size, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  g_worker_pool = rte_pktmbuf_pool_create("fx_worker", options.pool_size, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  if (g_input_pool == nullptr || g_worker_pool == nullptr) return "cannot create the mbuf pools";
  for (uint16_t p = 0; p < kPorts; ++p)
    if (Status st = start_port(p); !st) return "port " + std::to_string(p) + ": " + st.message();
  ports_started_ = true;

  // As Daemon::build_workers: settings, ports and TX queues are the worker's construction.
  WorkerSettings ws;
  ws.forwarding = true;
  ws.conn_capacity = kConnCapacity;
  worker_ = std::make_unique<Worker>(0, rte_lcore_id(), ws, g_worker_pool);
  Worker& w = *worker_;
  w.io.now_tsc = kNowTsc;
  w.io.now_ms = kNowTsc / w.setup.tsc_per_ms;
  w.io.now_tick = static_cast<ipvs::Tick>(w.io.now_ms / (1000 / ipvs::kTicksPerSecond));
  for (uint16_t p = 0; p < kPorts; ++p) {
    w.tables.ports[p] = PortView{true, false, kMtu[p], kPortMac[p]};
    w.io.txb[p].enabled = true;
    w.io.txb[p].queue = 0;
  }
  ctrl::Multicaster::Options mo;
  mo.workers = 1;
  control_ = std::make_unique<ctrl::Multicaster>(mo);
  if (Status st = register_worker_handlers(*control_); !st) return "control handlers: " + st.message();
  config_changed_ = true;  // the first reset() configures
  return reset();
}

void DatapathFixture::stop() {
  if (worker_) release_mbufs();
  worker_.reset();
  control_.reset();
  configured_.reset();
  if (ports_started_) {
    for (uint16_t p = 0; p < kPorts; ++p) {
      (void)rte_eth_dev_stop(p);
      (void)rte_eth_dev_close(p);
    }
    ports_started_ = false;
  }
  if (g_input_pool != nullptr) {
    rte_mempool_obj_iter(g_input_pool, unpoison_mbuf, nullptr);
    rte_mempool_free(g_input_pool);
  }
  rte_mempool_free(g_worker_pool);
  g_input_pool = g_worker_pool = nullptr;
  if (eal_started_) eal_cleanup();
  eal_started_ = false;
}

// Main's side runs on a thread of its own, as in the daemon; the worker's side (the handlers) runs
// here, on the worker's lcore, until main is done.
Status DatapathFixture::run_control(const std::function<Status(ctrl::Multicaster&)>& main_side) {
  std::atomic<bool> done{false};
  Status result;
  std::thread main_thread([&] {
    result = main_side(*control_);
    done.store(true, std::memory_order_release);
  });
  while (!done.load(std::memory_order_acquire))
    if (control_->drain(0, 64, worker_.get()) == 0) std::this_thread::yield();
  main_thread.join();
  control_->poll();  // frees the returned messages
  return result;
}

// The daemon's replay of a worker: forget the configuration, send all of it again.
Status DatapathFixture::configure() {
  return run_control([](ctrl::Multicaster& mc) {
    if (Status st = send(mc, std::make_unique<ctrl::Msg>(kMsgReplayBegin)); !st) return st;
    for (const AddrMsg& a : addresses())
      if (Status st = send(mc, ctrl::Msg::of(kMsgAddrAdd, a)); !st) return st;
    for (const NeighMsg& n : neighbours())
      if (Status st = send(mc, ctrl::Msg::of(kMsgNeighAdd, n)); !st) return st;
    for (const RouteMsg& r : routes())
      if (Status st = send(mc, ctrl::Msg::of(kMsgRouteUpsert, r)); !st) return st;
    for (const SvcMsg& s : services())
      if (Status st = send(mc, ctrl::Msg::of(kMsgSvcUpsert, s)); !st) return st;
    for (const DestMsg& d : dests())
      if (Status st = send(mc, ctrl::Msg::of(kMsgDestUpsert, d)); !st) return st;
    return send(mc, std::make_unique<ctrl::Msg>(kMsgReplayEnd));
  });
}

std::string DatapathFixture::reset() {
  if (!worker_) return "the fixture is not started";
  release_mbufs();
  if (config_changed_) {
    worker_->tables.services = fresh_service_table();
    if (Status st = configure(); !st) return "configuration: " + st.message();
    configured_ = std::make_unique<Snapshot>(Snapshot{worker_->tables.neigh});
    config_changed_ = false;
  }
  restore_learned_state();
  return worker_->tables.conns ? "" : "cannot make the connection table";
}

// Per fuzz input: must cost microseconds, so the services are rebuilt here from the same records
// the handlers applied, and routes and addresses (which packets never change) stay.
void DatapathFixture::restore_learned_state() {
  Worker& w = *worker_;
  w.tables.neigh = configured_->neigh;
  w.tables.services = fresh_service_table();
  for (const SvcMsg& s : services()) (void)w.tables.services.upsert_service(s.svc_id, s.conf);
  for (const DestMsg& d : dests()) (void)w.tables.services.upsert_dest(d.svc_id, d.dest_id, d.conf);
  w.io.stats = WorkerStats{};
  w.io.next_ip_id = 0;
  w.setup.settings.forwarding = true;
  w.setup.settings.conn_prefetch_min = WorkerSettings{}.conn_prefetch_min;
  w.io.icmp_limit.configure(w.setup.settings.icmp_rate_per_sec, w.setup.settings.icmp_rate_per_sec, rte_get_tsc_hz());
  auto conns = fresh_conn_table(w.io.now_tick);
  w.tables.conns = conns ? std::move(*conns) : nullptr;
}

Status DatapathFixture::control(std::unique_ptr<ctrl::Msg> msg) {
  config_changed_ = true;
  return run_control([&msg](ctrl::Multicaster& mc) { return send(mc, std::move(msg)); });
}

void DatapathFixture::set_forwarding(bool on) { worker_->setup.settings.forwarding = on; }

void DatapathFixture::set_conn_prefetch_min(uint32_t connections) {
  worker_->setup.settings.conn_prefetch_min = connections;
}

std::string DatapathFixture::inject(uint16_t port, std::span<const uint8_t> frame) {
  rte_mbuf* m = frame_mbuf(frame.data(), frame.size());
  if (m == nullptr) return "input pool empty";
  eth_input(*worker_, port, &m, 1);
  return check_tx(*worker_);
}

std::string DatapathFixture::inject_burst(uint16_t port, const std::vector<std::span<const uint8_t>>& frames) {
  rte_mbuf* pkts[kBurst];
  if (frames.size() > kBurst) return "more frames than a burst";
  uint16_t n = 0;
  for (std::span<const uint8_t> f : frames) {
    pkts[n] = frame_mbuf(f.data(), f.size());
    if (pkts[n] == nullptr) {
      rte_pktmbuf_free_bulk(pkts, n);
      return "input pool empty";
    }
    ++n;
  }
  eth_input(*worker_, port, pkts, n);
  return check_tx(*worker_);
}

std::vector<Frame> DatapathFixture::take_transmitted() {
  worker_->tx_flush_all();
  std::vector<Frame> out;
  for (uint16_t p = 0; p < kPorts; ++p) {
    rte_mbuf* pkts[32];
    while (uint16_t n = rte_eth_rx_burst(p, 0, pkts, 32)) {
      for (uint16_t i = 0; i < n; ++i) {
        Frame f{p, std::vector<uint8_t>(pkts[i]->pkt_len)};
        // Chained frames (fragments) are copied segment by segment; a single one is read in place.
        const void* data = f.bytes.empty() ? nullptr : rte_pktmbuf_read(pkts[i], 0, pkts[i]->pkt_len, f.bytes.data());
        if (data != nullptr && data != f.bytes.data()) std::memcpy(f.bytes.data(), data, f.bytes.size());
        out.push_back(std::move(f));
      }
      rte_pktmbuf_free_bulk(pkts, n);
    }
  }
  return out;
}

// Gives back whatever the worker still holds (packets waiting for ARP, partial TX bursts, frames
// in the ports' rings).
void DatapathFixture::release_mbufs() {
  for (uint16_t p = 0; p < kPorts; ++p) worker_->tables.neigh.flush_port(p, *worker_, true);
  if (ports_started_) (void)take_transmitted();
}

std::string DatapathFixture::release_and_check_pools() {
  release_mbufs();
  unsigned in = rte_mempool_in_use_count(g_input_pool);
  unsigned own = rte_mempool_in_use_count(g_worker_pool);
  if (in != 0 || own != 0)
    return "mbuf leak: " + std::to_string(in) + " input and " + std::to_string(own) + " worker mbufs not back";
  return "";
}

DropCounts DatapathFixture::drops() const {
  DropCounts counts{};
  for (uint16_t p = 0; p < kPorts; ++p)
    for (size_t r = 0; r < kDropReasonCount; ++r) counts[r] += counter_read(worker_->io.stats.port[p].drops[r]);
  return counts;
}

size_t DatapathFixture::connections() const { return worker_->tables.conns->size(); }

std::string DatapathFixture::check_connections() const {
  Status st = worker_->tables.conns->verify();
  return st ? "" : "connection table broken: " + st.message();
}

}  // namespace dplb::dp::fixture
