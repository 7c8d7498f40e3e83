#include "pipeline_entry.h"

#include <rte_eal.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include <unistd.h>

#include <cstring>
#include <memory>
#include <vector>

#include "daemon/eal.h"
#include "datapath/stages.h"
#include "datapath/worker.h"
#include "dplb/net/checksum.h"
#include "dplb/net/headers.h"

#if defined(__SANITIZE_ADDRESS__)
#define DPLB_FUZZ_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define DPLB_FUZZ_ASAN 1
#endif
#endif
#ifdef DPLB_FUZZ_ASAN
#include <sanitizer/asan_interface.h>
#endif

namespace dplb::dp::fuzz {
namespace {

constexpr uint16_t kPorts = 2;
constexpr unsigned kPoolSize = 1023;  // 2^n - 1: the mempool's best size
constexpr uint16_t kMtu[kPorts] = {1500, 1400};
constexpr Mac kPortMac[kPorts] = {Mac{{0x02, 0, 0, 0, 0, 0xa0}}, Mac{{0x02, 0, 0, 0, 0, 0xa1}}};
constexpr Mac kClientMac{{0x02, 0, 0, 0, 0, 0x02}};
constexpr Mac kRs1Mac{{0x02, 0, 0, 0, 0x01, 0x11}};
constexpr Mac kRs2Mac{{0x02, 0, 0, 0, 0x01, 0x12}};
constexpr Ip4 kClient = Ip4::of(10, 0, 0, 2);
constexpr Ip4 kVip = Ip4::of(10, 0, 0, 100);
constexpr Ip4 kRs1 = Ip4::of(10, 1, 0, 11);
constexpr Ip4 kRs2 = Ip4::of(10, 1, 0, 12);
constexpr Ip4 kGw0 = Ip4::of(10, 0, 0, 254);
constexpr Ip4 kGw1 = Ip4::of(10, 1, 0, 254);
constexpr uint64_t kNowTsc = uint64_t(1) << 40;  // the fixed clock

// Frames from the input (the harness fills them; their tail beyond the frame is poisoned under
// ASan so reading past a packet's end is reported) and the worker's own (ARP, ICMP, fragments).
rte_mempool* g_input_pool = nullptr;
rte_mempool* g_worker_pool = nullptr;
bool g_ports_started = false;

void set_poison(const void* addr, size_t len, bool poison) {
#ifdef DPLB_FUZZ_ASAN
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

// One frame through the pipeline, its output checked and sent.
std::string deliver(Worker& w, uint16_t port, const uint8_t* data, size_t len) {
  rte_mbuf* m = frame_mbuf(data, len);
  if (m == nullptr) return "input pool empty";
  eth_input(w, port, &m, 1);
  std::string why = check_tx(w);
  w.tx_flush_all();
  return why;
}

// A TCP or UDP frame with right checksums (the setup's connections).
std::vector<uint8_t> l4_frame(uint8_t proto, const Mac& src_mac, const Mac& dst_mac, Ip4 src, uint16_t sport, Ip4 dst,
                              uint16_t dport, uint8_t tcp_flags, uint32_t seq, uint32_t ack) {
  const size_t l4_len = proto == net::kIpProtoTcp ? 20 : 8 + 4;
  std::vector<uint8_t> f(sizeof(net::EthHdr) + sizeof(net::Ipv4Hdr) + l4_len);
  auto* eth = reinterpret_cast<net::EthHdr*>(f.data());
  eth->dst = dst_mac;
  eth->src = src_mac;
  eth->type = Be16::from_host(net::kEtherTypeIpv4);
  auto* ip = reinterpret_cast<net::Ipv4Hdr*>(f.data() + sizeof(net::EthHdr));
  ip->version_ihl = 0x45;
  ip->total_len = Be16::from_host(static_cast<uint16_t>(sizeof(net::Ipv4Hdr) + l4_len));
  ip->id = Be16::from_host(1);
  ip->ttl = 64;
  ip->proto = proto;
  ip->saddr = Be32::from_host(src.v);
  ip->daddr = Be32::from_host(dst.v);
  ip->checksum = net::ipv4_header_checksum(ip);
  uint8_t* l4 = f.data() + sizeof(net::EthHdr) + sizeof(net::Ipv4Hdr);
  auto put16 = [](uint8_t* p, uint16_t v) { p[0] = uint8_t(v >> 8), p[1] = uint8_t(v); };
  auto put32 = [&](uint8_t* p, uint32_t v) { put16(p, uint16_t(v >> 16)), put16(p + 2, uint16_t(v)); };
  put16(l4, sport);
  put16(l4 + 2, dport);
  uint16_t* check;
  if (proto == net::kIpProtoTcp) {
    put32(l4 + 4, seq);
    put32(l4 + 8, ack);
    l4[12] = 5 << 4;
    l4[13] = tcp_flags;
    put16(l4 + 14, 8192);
    check = reinterpret_cast<uint16_t*>(l4 + 16);
  } else {
    put16(l4 + 4, static_cast<uint16_t>(l4_len));
    std::memcpy(l4 + 8, "ping", 4);
    check = reinterpret_cast<uint16_t*>(l4 + 6);
  }
  *check = net::l4_checksum(ip, l4, static_cast<uint16_t>(l4_len));
  return f;
}

Status configure(Worker& w) {
  for (uint16_t p = 0; p < kPorts; ++p) {
    w.tables.ports[p] = PortView{true, false, kMtu[p], kPortMac[p]};
    w.io.txb[p].enabled = true;
    w.io.txb[p].queue = 0;
    if (Status st = w.tables.routes.set_port(p, kMtu[p]); !st) return st;
  }
  const std::pair<uint16_t, Ip4Prefix> addrs[] = {
      {0, {Ip4::of(10, 0, 0, 1), 24}}, {0, {kVip, 32}}, {1, {Ip4::of(10, 1, 0, 1), 24}}};
  for (const auto& [port, prefix] : addrs)
    if (Status st = w.tables.routes.add_addr(port, prefix); !st) return st;
  const std::tuple<uint16_t, Ip4, Mac> neighbours[] = {
      {0, kClient, kClientMac}, {0, kGw0, Mac{{0x02, 0, 0, 0, 0, 0xfe}}}, {1, kRs1, kRs1Mac}, {1, kRs2, kRs2Mac},
      {1, kGw1, Mac{{0x02, 0, 0, 0, 0x01, 0xfe}}}};
  for (const auto& [port, ip, mac] : neighbours)
    if (Status st = w.tables.neigh.add_permanent(port, ip, mac, w, w.io.now_ms); !st) return st;

  route::RouteSpec via;
  via.prefix = {Ip4::of(192, 168, 0, 0), 16};
  via.nexthops = {route::Nexthop{kGw0, 0, 1, false}};
  route::RouteSpec onlink;
  onlink.prefix = {Ip4::of(172, 16, 0, 0), 12};
  onlink.nexthops = {route::Nexthop{Ip4(), 1, 1, false}};
  route::RouteSpec multipath;
  multipath.prefix = {Ip4(), 0};
  multipath.nexthops = {route::Nexthop{kGw0, 0, 1, false}, route::Nexthop{kGw1, 1, 2, false}};
  for (const route::RouteSpec* r : {&via, &onlink, &multipath})
    if (Status st = w.tables.routes.add_route(*r); !st) return st;

  return Status::ok();
}

// The virtual services, into a service table of small limits: the default limits preallocate
// 65536 dests, which costs more than an input.
Status configure_services(Worker& w) {
  ipvs::TableLimits limits;
  limits.services = 16;
  limits.dests = 16;
  w.tables.services = ipvs::ServiceTable(limits);
  using ipvs::DestConf, ipvs::ServiceConf, ipvs::SchedKind;
  const ServiceConf http{{ipvs::kProtoTcp, kVip, 80}, SchedKind::rr, 0};
  const ServiceConf dns{{ipvs::kProtoUdp, kVip, 53}, SchedKind::rr, 0};
  const ServiceConf https{{ipvs::kProtoTcp, kVip, 443}, SchedKind::sh, 0};
  for (auto [id, conf] : {std::pair{1u, http}, std::pair{2u, dns}, std::pair{3u, https}})
    if (Status st = w.tables.services.upsert_service(id, conf); !st) return st;
  const std::tuple<uint32_t, uint32_t, DestConf> dests[] = {
      {1, 1, DestConf{kRs1, 8080, 1}}, {1, 2, DestConf{kRs2, 8080, 1}}, {2, 3, DestConf{kRs1, 53, 1}},
      {3, 4, DestConf{kRs2, 443, 0}}};
  for (const auto& [svc, id, conf] : dests)
    if (Status st = w.tables.services.upsert_dest(svc, id, conf); !st) return st;
  return Status::ok();
}

// One worker for the process, built as the daemon builds one (Daemon::build_workers, then the
// control handlers' table calls), and its neighbour table as configured: a worker's construction
// costs far more than an input, so each input resets this one instead (neighbours copied back,
// services and connections made anew).
std::unique_ptr<Worker> g_worker;
std::unique_ptr<neigh::NeighTable> g_configured_neigh;

Status make_worker() {
  WorkerSettings ws;
  ws.forwarding = true;
  ws.conn_capacity = 1024;
  g_worker = std::make_unique<Worker>(0, rte_lcore_id(), ws, g_worker_pool);
  Worker& w = *g_worker;
  w.io.now_tsc = kNowTsc;
  w.io.now_ms = kNowTsc / w.setup.tsc_per_ms;
  w.io.now_tick = static_cast<ipvs::Tick>(w.io.now_ms / (1000 / ipvs::kTicksPerSecond));
  if (Status st = configure(w); !st) return st;
  g_configured_neigh = std::make_unique<neigh::NeighTable>(w.tables.neigh);
  return Status::ok();
}

// Gives back whatever the worker still holds (packets waiting for ARP, partial TX bursts).
void release_mbufs(Worker& w) {
  for (uint16_t p = 0; p < kPorts; ++p) w.tables.neigh.flush_port(p, w, true);
  w.tx_flush_all();
}

// The worker as configured, with its connections made by frames through the pipeline: the same
// state for every input. Routes and addresses are not changed by packets (their lookups are const).
std::string reset_worker() {
  Worker& w = *g_worker;
  release_mbufs(w);
  w.tables.neigh = *g_configured_neigh;
  if (Status st = configure_services(w); !st) return "services: " + st.message();
  w.io.stats = WorkerStats{};
  w.io.next_ip_id = 0;
  w.io.icmp_limit.configure(w.setup.settings.icmp_rate_per_sec, w.setup.settings.icmp_rate_per_sec, rte_get_tsc_hz());
  ipvs::ConnTableConfig cc;
  cc.capacity = w.setup.settings.conn_capacity;
  cc.seed = 0x5eed;  // fixed: the same input takes the same path every time
  cc.now = w.io.now_tick;
  auto conns = ipvs::ConnTable::make(cc);
  if (!conns) return "ConnTable::make: " + conns.status().message();
  w.tables.conns = std::move(*conns);
  // 40000: established (round robin gives it the first server, 10.1.0.11), 40001: SYN only, UDP 5353.
  static const std::pair<uint16_t, std::vector<uint8_t>> setup[] = {
      {0, l4_frame(net::kIpProtoTcp, kClientMac, kPortMac[0], kClient, 40000, kVip, 80, 0x02, 1000, 0)},
      {1, l4_frame(net::kIpProtoTcp, kRs1Mac, kPortMac[1], kRs1, 8080, kClient, 40000, 0x12, 5000, 1001)},
      {0, l4_frame(net::kIpProtoTcp, kClientMac, kPortMac[0], kClient, 40000, kVip, 80, 0x10, 1001, 5001)},
      {0, l4_frame(net::kIpProtoTcp, kClientMac, kPortMac[0], kClient, 40001, kVip, 80, 0x02, 7000, 0)},
      {0, l4_frame(net::kIpProtoUdp, kClientMac, kPortMac[0], kClient, 5353, kVip, 53, 0, 0, 0)},
  };
  for (const auto& [port, frame] : setup)
    if (std::string why = deliver(w, port, frame.data(), frame.size()); !why.empty()) return why;
  if (w.tables.conns->size() != 3) return "setup made " + std::to_string(w.tables.conns->size()) + " connections, not 3";
  return "";
}

std::string check_pools() {
  unsigned in = rte_mempool_in_use_count(g_input_pool);
  unsigned own = rte_mempool_in_use_count(g_worker_pool);
  if (in != 0 || own != 0)
    return "mbuf leak: " + std::to_string(in) + " input and " + std::to_string(own) + " worker mbufs not back";
  return "";
}

}  // namespace

std::string pipeline_init() {
  if (g_input_pool != nullptr) return "";
  std::vector<std::string> args = {"--no-huge", "-m", "128", "--no-pci", "--no-shconf", "--no-telemetry", "-l", "0",
                                   "--log-level=crit", "--file-prefix=dplb_fuzz_" + std::to_string(getpid()),
                                   "--vdev=net_null0", "--vdev=net_null1"};
  if (Status st = eal_init(args); !st) return st.message();
  if (rte_eth_dev_count_avail() != kPorts) return "EAL made " + std::to_string(rte_eth_dev_count_avail()) + " ports, not 2";
  g_input_pool = rte_pktmbuf_pool_create("fuzz_in", kPoolSize, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  g_worker_pool = rte_pktmbuf_pool_create("fuzz_worker", kPoolSize, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
  if (g_input_pool == nullptr || g_worker_pool == nullptr) return "cannot create the mbuf pools";
  for (uint16_t p = 0; p < kPorts; ++p)
    if (Status st = start_port(p); !st) return "port " + std::to_string(p) + ": " + st.message();
  g_ports_started = true;
  if (Status st = make_worker(); !st) return "worker: " + st.message();
  return "";
}

std::string check_pipeline(const uint8_t* data, size_t size) {
  if (std::string why = reset_worker(); !why.empty()) return "worker setup: " + why;
  Worker& w = *g_worker;
  std::string why;
  size_t pos = 0;
  for (size_t n = 0; n < kMaxFrames && pos < size; ++n) {
    uint16_t port = data[pos] & 1;
    size_t len = pos + 2 < size ? size_t(data[pos + 1]) | size_t(data[pos + 2]) << 8 : 0;
    pos = std::min(pos + 3, size);
    len = std::min(len, size - pos);
    why = deliver(w, port, data + pos, len);
    if (!why.empty()) break;
    pos += len;
  }
  if (why.empty()) {
    if (Status st = w.tables.conns->verify(); !st) why = "connection table broken: " + st.message();
  }
  release_mbufs(w);
  if (!why.empty()) return why;
  return check_pools();
}

void pipeline_shutdown() {
  g_worker.reset();
  g_configured_neigh.reset();
  if (g_ports_started) {
    for (uint16_t p = 0; p < kPorts; ++p) {
      (void)rte_eth_dev_stop(p);
      (void)rte_eth_dev_close(p);
    }
  }
  if (g_input_pool != nullptr) {
    rte_mempool_obj_iter(g_input_pool, unpoison_mbuf, nullptr);
    rte_mempool_free(g_input_pool);
  }
  rte_mempool_free(g_worker_pool);
  g_input_pool = g_worker_pool = nullptr;
  eal_cleanup();
}

}  // namespace dplb::dp::fuzz
