// link show and addr show.
#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>

#include "cli/dpip/format.h"
#include "cli/dpip/format_common.h"
#include "dplb/stats/drop_reason.h"
#include "dplb/ctrl/wire.h"

namespace dplb::dpip {
namespace {

// rtnl_link_stats64's fields that ip -s prints, filled from dplb's counters.
struct Stats64 {
  uint64_t rx_bytes = 0, rx_packets = 0, rx_errors = 0, rx_dropped = 0, rx_missed = 0, multicast = 0;
  uint64_t tx_bytes = 0, tx_packets = 0, tx_errors = 0, tx_dropped = 0, tx_carrier = 0, collisions = 0;
};

// Per reason, the drops of packets that arrived on this port, summed over workers.
std::vector<uint64_t> port_drops(const LinkShowData& d, const LinkInfo& link) {
  std::vector<uint64_t> sum(d.reasons.size(), 0);
  for (const auto& w : link.workers)
    for (size_t i = 0; i < sum.size() && i < w.drops.size(); ++i) sum[i] += w.drops[i];
  return sum;
}

// RX/TX packets and bytes are the workers' software counters (what the data plane handled); errors,
// missed and the no-mbuf count come from the ethdev. Without per-worker counters in the reply, the
// ethdev's packet and byte counts stand in.
Stats64 link_stats(const LinkShowData& d, const LinkInfo& link) {
  const proto::LinkRecord& r = link.rec;
  Stats64 s;
  if (link.workers.empty()) {
    s.rx_bytes = r.hw_ibytes;
    s.rx_packets = r.hw_ipackets;
    s.tx_bytes = r.hw_obytes;
    s.tx_packets = r.hw_opackets;
  }
  for (const auto& w : link.workers) {
    s.rx_packets += w.counters.rx_packets;
    s.rx_bytes += w.counters.rx_bytes;
    s.tx_packets += w.counters.tx_packets;
    s.tx_bytes += w.counters.tx_bytes;
    s.tx_dropped += w.counters.tx_dropped;
  }
  for (uint64_t n : port_drops(d, link)) s.rx_dropped += n;
  s.rx_errors = r.hw_ierrors;
  s.rx_missed = r.hw_imissed + r.hw_rx_nombuf;
  s.tx_errors = r.hw_oerrors;
  return s;
}

unsigned digits(uint64_t v) {
  unsigned n = 1;
  for (; v > 9; v /= 10) ++n;
  return n;
}

void append_printf(std::string& out, const char* format, ...) __attribute__((format(printf, 2, 3)));
void append_printf(std::string& out, const char* format, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, format);
  int n = std::vsnprintf(buf, sizeof buf, format, ap);
  va_end(ap);
  if (n > 0) out.append(buf, std::min(static_cast<size_t>(n), sizeof buf - 1));
}

// iproute2 6.1's print_link_stats64 text: columns as wide as their header or their widest value.
void stats_text(std::string& out, const Stats64& s) {
  int cols[7] = {10, 7, 6, 7,
                 7,  7, 10};  // "*X errors:", packets, errors, dropped, heartbt, overrun, compressed
  const uint64_t rx[6] = {s.rx_bytes, s.rx_packets, s.rx_errors, s.rx_dropped, s.rx_missed, s.multicast};
  const uint64_t tx[6] = {s.tx_bytes, s.tx_packets, s.tx_errors, s.tx_dropped, s.tx_carrier, s.collisions};
  for (int i = 0; i < 6; ++i)
    cols[i] = std::max(cols[i], static_cast<int>(std::max(digits(rx[i]), digits(tx[i]))));

  append_printf(out, "    RX: %*s %*s %*s %*s %*s %*s %*s\n", cols[0] - 4, "bytes", cols[1], "packets",
                cols[2], "errors", cols[3], "dropped", cols[4], "missed", cols[5], "mcast", cols[6], "");
  out += "    ";
  for (int i = 0; i < 6; ++i) append_printf(out, "%*" PRIu64 " ", cols[i], rx[i]);
  out += '\n';
  append_printf(out, "    TX: %*s %*s %*s %*s %*s %*s %*s\n", cols[0] - 4, "bytes", cols[1], "packets",
                cols[2], "errors", cols[3], "dropped", cols[4], "carrier", cols[5], "collsns", cols[6], "");
  out += "    ";
  for (int i = 0; i < 6; ++i) append_printf(out, "%*" PRIu64 " ", cols[i], tx[i]);
  out += '\n';
}

// "name count" pairs of the non-zero reasons, names padded to a common width under a heading.
void drops_text(std::string& out, const std::vector<std::string>& reasons,
                const std::vector<uint64_t>& drops) {
  size_t width = 0;
  for (size_t i = 0; i < reasons.size() && i < drops.size(); ++i)
    if (drops[i] != 0) width = std::max(width, reasons[i].size());
  if (width == 0) return;
  out += "    drops:\n";
  for (size_t i = 0; i < reasons.size() && i < drops.size(); ++i) {
    if (drops[i] == 0) continue;
    append_printf(out, "        %-*s %" PRIu64 "\n", static_cast<int>(width), reasons[i].c_str(), drops[i]);
  }
}

void drops_json(JsonWriter& j, const std::vector<std::string>& reasons, const std::vector<uint64_t>& drops) {
  j.key("drops");
  j.begin_object();
  for (size_t i = 0; i < reasons.size() && i < drops.size(); ++i) j.member(reasons[i], drops[i]);
  j.end_object();
}

// The handover of connections to their owner worker: per worker, the packets that arrived on this
// port and went to another worker's ring, and those its full ring refused (drops[redirect_full]).
// Shown only with several workers: with one there is no one to hand a packet to.
struct Handover {
  uint32_t worker = 0, lcore = 0;
  uint64_t handed_over = 0, ring_full = 0;
};

std::vector<Handover> handovers(const LinkShowData& d, const LinkInfo& link) {
  std::vector<Handover> out;
  if (link.workers.size() < 2) return out;
  const auto full = std::find(d.reasons.begin(), d.reasons.end(), drop_reason_name(DropReason::redirect_full));
  const size_t full_index = static_cast<size_t>(full - d.reasons.begin());
  for (const auto& w : link.workers) {
    Handover h{w.counters.worker, w.counters.lcore, w.counters.redirected, 0};
    if (full_index < w.drops.size()) h.ring_full = w.drops[full_index];
    out.push_back(h);
  }
  return out;
}

void handover_text(std::string& out, const std::vector<Handover>& hs) {
  if (hs.empty()) return;
  out += "    handover to the owner worker:\n";
  for (const Handover& h : hs)
    append_printf(out, "        worker %" PRIu32 " lcore %" PRIu32 ": handed_over %" PRIu64 " ring_full %" PRIu64 "\n",
                  h.worker, h.lcore, h.handed_over, h.ring_full);
}

void handover_json(JsonWriter& j, const std::vector<Handover>& hs) {
  if (hs.empty()) return;
  j.key("handover");
  j.begin_array();
  for (const Handover& h : hs) {
    j.begin_object();
    j.member("worker", h.worker);
    j.member("lcore", h.lcore);
    j.member("handed_over", h.handed_over);
    j.member("ring_full", h.ring_full);
    j.end_object();
  }
  j.end_array();
}

void worker_text(std::string& out, const std::vector<std::string>& reasons, const WorkerLinkStats& w) {
  const proto::WorkerPortStats& c = w.counters;
  append_printf(out,
                "    worker %" PRIu32 " lcore %" PRIu32 ": rx_packets %" PRIu64 " rx_bytes %" PRIu64
                " tx_packets %" PRIu64 " tx_bytes %" PRIu64 " tx_dropped %" PRIu64 "\n",
                c.worker, c.lcore, c.rx_packets, c.rx_bytes, c.tx_packets, c.tx_bytes, c.tx_dropped);
  std::string line;
  for (size_t i = 0; i < reasons.size() && i < w.drops.size(); ++i) {
    if (w.drops[i] != 0) line += " " + reasons[i] + " " + std::to_string(w.drops[i]);
  }
  if (!line.empty()) out += "        drops:" + line + "\n";
}

void link_text(std::string& out, const LinkShowData& d, const LinkInfo& link, const GlobalOptions& o) {
  const proto::LinkRecord& r = link.rec;
  fmt::link_head_text(out, r, true);
  std::string_view kni_name = ctrl::fixed_string(r.kni_ifname);
  if (o.stats == 0 && !kni_name.empty())  // the exception-path tap; its counters come with -s
    append_printf(out, "    kni %.*s\n", static_cast<int>(kni_name.size()), kni_name.data());
  if (o.stats > 0) {
    stats_text(out, link_stats(d, link));
    drops_text(out, d.reasons, port_drops(d, link));
    handover_text(out, handovers(d, link));
    std::string_view kni = ctrl::fixed_string(r.kni_ifname);
    if (!kni.empty()) {
      append_printf(out, "    kni %.*s: to_kernel %" PRIu64 " from_kernel %" PRIu64 " dropped %" PRIu64 "\n",
                    static_cast<int>(kni.size()), kni.data(), r.kni_rx_packets, r.kni_tx_packets,
                    r.kni_dropped);
    }
  }
  if (o.verbose) {
    for (const auto& w : link.workers) worker_text(out, d.reasons, w);
  }
}

void link_json(JsonWriter& j, const LinkShowData& d, const LinkInfo& link, const GlobalOptions& o) {
  const proto::LinkRecord& r = link.rec;
  j.begin_object();
  fmt::link_head_json(j, r, true);
  std::string_view kni_name = ctrl::fixed_string(r.kni_ifname);
  if (o.stats == 0 && !kni_name.empty()) {
    j.key("kni");
    j.begin_object();
    j.member("ifname", kni_name);
    j.end_object();
  }
  if (o.stats > 0) {
    Stats64 s = link_stats(d, link);
    j.key("stats64");
    j.begin_object();
    // ip -j's keys: the text's "missed" column is "over_errors" and "mcast" is "multicast" there.
    j.key("rx");
    j.begin_object();
    j.member("bytes", s.rx_bytes);
    j.member("packets", s.rx_packets);
    j.member("errors", s.rx_errors);
    j.member("dropped", s.rx_dropped);
    j.member("over_errors", s.rx_missed);
    j.member("multicast", s.multicast);
    j.end_object();
    j.key("tx");
    j.begin_object();
    j.member("bytes", s.tx_bytes);
    j.member("packets", s.tx_packets);
    j.member("errors", s.tx_errors);
    j.member("dropped", s.tx_dropped);
    j.member("carrier_errors", s.tx_carrier);
    j.member("collisions", s.collisions);
    j.end_object();
    j.end_object();
    drops_json(j, d.reasons, port_drops(d, link));
    handover_json(j, handovers(d, link));
    std::string_view kni = ctrl::fixed_string(r.kni_ifname);
    if (!kni.empty()) {
      j.key("kni");
      j.begin_object();
      j.member("ifname", kni);
      j.member("to_kernel", r.kni_rx_packets);
      j.member("from_kernel", r.kni_tx_packets);
      j.member("dropped", r.kni_dropped);
      j.end_object();
    }
  }
  if (o.verbose) {
    j.key("workers");
    j.begin_array();
    for (const auto& w : link.workers) {
      j.begin_object();
      j.member("worker", w.counters.worker);
      j.member("lcore", w.counters.lcore);
      j.member("rx_packets", w.counters.rx_packets);
      j.member("rx_bytes", w.counters.rx_bytes);
      j.member("tx_packets", w.counters.tx_packets);
      j.member("tx_bytes", w.counters.tx_bytes);
      j.member("tx_dropped", w.counters.tx_dropped);
      drops_json(j, d.reasons, w.drops);
      j.end_object();
    }
    j.end_array();
  }
  j.end_object();
}

bool same_dev(const char (&a)[proto::kIfNameSize], const char (&b)[proto::kIfNameSize]) {
  return ctrl::fixed_string(a) == ctrl::fixed_string(b);
}

}  // namespace

std::string format_links(const LinkShowData& d, const GlobalOptions& o) {
  if (o.json) {
    JsonWriter j(o.pretty);
    j.begin_array();
    for (const auto& link : d.links) link_json(j, d, link, o);
    j.end_array();
    return fmt::finish(j);
  }
  std::string out;
  for (const auto& link : d.links) link_text(out, d, link, o);
  return out;
}

std::string format_addrs(const LinkShowData& d, const std::vector<proto::AddrRecord>& addrs,
                         const GlobalOptions& o) {
  if (o.json) {
    JsonWriter j(o.pretty);
    j.begin_array();
    for (const auto& link : d.links) {
      j.begin_object();
      fmt::link_head_json(j, link.rec, false);
      j.key("addr_info");
      j.begin_array();
      for (const auto& a : addrs) {
        if (!same_dev(a.ifname, link.rec.ifname)) continue;
        j.begin_object();
        j.member("family", "inet");
        j.member("local", fmt::ip(a.addr));
        j.member("prefixlen", uint32_t{a.prefixlen});
        if (a.broadcast != 0) j.member("broadcast", fmt::ip(a.broadcast));
        j.member("scope", scope_name(a.scope));
        if (!a.primary) j.member("secondary", true);
        j.member("label", ctrl::fixed_string(a.ifname));
        j.member("valid_life_time", uint32_t{0xffffffff});
        j.member("preferred_life_time", uint32_t{0xffffffff});
        j.end_object();
      }
      j.end_array();
      j.end_object();
    }
    j.end_array();
    return fmt::finish(j);
  }
  std::string out;
  for (const auto& link : d.links) {
    fmt::link_head_text(out, link.rec, false);
    for (const auto& a : addrs) {
      if (!same_dev(a.ifname, link.rec.ifname)) continue;
      out += "    inet " + fmt::ip(a.addr) + "/" + std::to_string(a.prefixlen) + " ";
      if (a.broadcast != 0) out += "brd " + fmt::ip(a.broadcast) + " ";
      out += "scope " + scope_name(a.scope) + " ";
      if (!a.primary) out += "secondary ";
      out += std::string(ctrl::fixed_string(a.ifname)) + "\n";
      out += "       valid_lft forever preferred_lft forever\n";
    }
  }
  return out;
}

}  // namespace dplb::dpip
