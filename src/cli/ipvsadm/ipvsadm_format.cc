// The printf formats are ipvsadm's own, so the column widths and paddings match exactly.
#include "cli/ipvsadm/ipvsadm_format.h"

#include <algorithm>
#include <cinttypes>
#include <cstdarg>
#include <cstdio>
#include <tuple>

#include "dplb/ctrl/wire.h"
#include "dplb/ipvs/service_conf.h"

namespace dplb::cli {
namespace {

__attribute__((format(printf, 2, 3))) void appendf(std::string& out, const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if (size_t(n) < sizeof buf) {
    out.append(buf, size_t(n));
    return;
  }
  std::string big(size_t(n) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(big.data(), big.size(), fmt, ap);
  va_end(ap);
  out.append(big.data(), size_t(n));
}

std::string addr_port(uint32_t addr, uint16_t port) {
  return to_string(Ip4(addr)) + ":" + std::to_string(port);
}

// IP_VS_CONN_F_FWD_MASK
std::string fwd_name(uint32_t fwd) {
  if (auto f = ipvs::fwd_from_wire(fwd & 7)) return std::string(ipvs::fwd_name(*f));
  return (fwd & 7) == proto::kFwdLocal ? "Local" : "?";
}

std::string fwd_switch(uint32_t fwd) {
  return std::string(ipvs::fwd_option(ipvs::fwd_from_wire(fwd & 7).value_or(ipvs::FwdMethod::droute)));
}

constexpr uint32_t kSchedFlagsMask = ipvs::kSvcFlagSched1 | ipvs::kSvcFlagSched2 | ipvs::kSvcFlagSched3;

// ipvsadm's print_sched_flags: the names the scheduler gives its flags, comma-separated. Unlike
// ipvsadm, flag-3 is named for sh and mh too (ipvsadm prints nothing for it, so its "-b " line would
// not read back).
std::string sched_flags_text(std::string_view sched, uint32_t flags) {
  std::string s;
  auto add = [&](uint32_t bit, const char* name) {
    if ((flags & bit) != 0) s += std::string(name) + ",";
  };
  if (sched == "sh") {
    add(ipvs::kSvcFlagSched1, "sh-fallback");
    add(ipvs::kSvcFlagSched2, "sh-port");
  } else if (sched == "mh") {
    add(ipvs::kSvcFlagSched1, "mh-fallback");
    add(ipvs::kSvcFlagSched2, "mh-port");
  } else {
    add(ipvs::kSvcFlagSched1, "flag-1");
    add(ipvs::kSvcFlagSched2, "flag-2");
  }
  add(ipvs::kSvcFlagSched3, "flag-3");
  if (!s.empty()) s.pop_back();
  return s;
}

void sort_entries(std::vector<ServiceEntry>& entries) {
  std::stable_sort(entries.begin(), entries.end(), [](const ServiceEntry& a, const ServiceEntry& b) {
    return std::tie(a.service.proto, a.service.addr, a.service.port) <
           std::tie(b.service.proto, b.service.addr, b.service.port);
  });
  for (auto& e : entries) {
    std::stable_sort(e.dests.begin(), e.dests.end(),
                     [](const proto::DestRecord& a, const proto::DestRecord& b) {
                       return std::tie(a.addr, a.port) < std::tie(b.addr, b.port);
                     });
  }
}

void append_title(std::string& out, const ListFormat& f) {
  if (f.stats) {
    appendf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "Conns",
            "InPkts", "OutPkts", "InBytes", "OutBytes");
  } else if (f.rate) {
    appendf(out, "%-33s %8s %8s %8s %8s %8s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port", "CPS",
            "InPPS", "OutPPS", "InBPS", "OutBPS");
  } else if (f.thresholds) {
    appendf(out, "%-33s %-10s %-10s %-10s %-10s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
            "Uthreshold", "Lthreshold", "ActiveConn", "InActConn");
  } else if (f.persistent_conn) {
    appendf(out, "%-33s %-9s %-11s %-10s %-10s\n  -> RemoteAddress:Port\n", "Prot LocalAddress:Port",
            "Weight", "PersistConn", "ActiveConn", "InActConn");
  } else if (f.tun_info) {
    out +=
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n";
  } else {
    out +=
        "Prot LocalAddress:Port Scheduler Flags\n"
        "  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n";
  }
}

void append_counters(std::string& out, const proto::IpvsStats& s, bool rate, bool exact) {
  const uint64_t totals[] = {s.conns, s.inpkts, s.outpkts, s.inbytes, s.outbytes};
  const uint64_t rates[] = {s.cps, s.inpps, s.outpps, s.inbps, s.outbps};
  for (uint64_t v : rate ? rates : totals) out += format_largenum(v, exact);
}

void append_entry(std::string& out, const ServiceEntry& e, const ListFormat& f, bool rules) {
  const proto::ServiceRecord& se = e.service;
  const std::string vname = addr_port(se.addr, se.port);
  const std::string_view sched = ctrl::fixed_string(se.sched);
  const uint32_t sched_flags = se.flags & kSchedFlagsMask;
  std::string svc_name;
  if (rules) {
    const char* opt = se.proto == ipvs::kProtoTcp   ? "-t"
                      : se.proto == ipvs::kProtoUdp ? "-u"
                                                    : "--xxx-service";
    appendf(svc_name, "%s %s", opt, vname.c_str());
    appendf(out, "-A %s -s %.*s", svc_name.c_str(), int(sched.size()), sched.data());
    if (se.timeout != 0) {
      appendf(out, " -p %u", se.timeout);
      if (se.netmask != 0xffffffffu) out += " -M " + to_string(Ip4(se.netmask));
    }
    if (sched_flags != 0) out += " -b " + sched_flags_text(sched, sched_flags);
    out += '\n';
  } else {
    appendf(svc_name, "%-4s %s", proto_label(se.proto), vname.c_str());
    if (svc_name.size() > 33) svc_name.resize(33);
    if (f.stats || f.rate) {
      appendf(out, "%-33s", svc_name.c_str());
      append_counters(out, se.stats, f.rate, f.exact);
    } else {
      appendf(out, "%s %.*s", svc_name.c_str(), int(sched.size()), sched.data());
      if (sched_flags != 0) out += " (" + sched_flags_text(sched, sched_flags) + ")";
      if (se.timeout != 0) {
        appendf(out, " persistent %u", se.timeout);
        if (se.netmask != 0xffffffffu) out += " mask " + to_string(Ip4(se.netmask));
      }
    }
    out += '\n';
  }

  for (const auto& d : e.dests) {
    std::string dname = addr_port(d.addr, d.port);
    if (rules) {
      appendf(out, "-a %s -r %s %s -w %d\n", svc_name.c_str(), dname.c_str(), fwd_switch(d.fwd).c_str(),
              int(d.weight));
      continue;
    }
    if (dname.size() > 28) dname.resize(28);
    const char* dn = dname.c_str();
    if (f.stats) {
      appendf(out, "  -> %-28s", dn);
      append_counters(out, d.stats, false, f.exact);
      out += '\n';
    } else if (f.rate) {
      appendf(out, "  -> %-28s %8" PRIu64 " %8" PRIu64 " %8" PRIu64, dn, d.stats.cps, d.stats.inpps,
              d.stats.outpps);
      out += format_largenum(d.stats.inbps, f.exact);
      out += format_largenum(d.stats.outbps, f.exact);
      out += '\n';
    } else if (f.thresholds) {  // dplb has no thresholds: 0 is ipvsadm's "not set"
      appendf(out, "  -> %-28s %-10u %-10u %-10u %-10u\n", dn, 0u, 0u, d.active_conns, d.inactive_conns);
    } else if (f.persistent_conn) {
      appendf(out, "  -> %-28s %-9u %-11u %-10u %-10u\n", dn, d.weight, d.persist_conns, d.active_conns,
              d.inactive_conns);
    } else if (f.tun_info) {  // tunnel information exists for tunnel dests only: "n/a" here
      appendf(out, "  -> %-28s %-7s %-13s %-6d %-10u %-10u\n", dn, fwd_name(d.fwd).c_str(), "n/a", int(d.weight),
              d.active_conns, d.inactive_conns);
    } else {
      appendf(out, "  -> %-28s %-7s %-6d %-10u %-10u\n", dn, fwd_name(d.fwd).c_str(), int(d.weight), d.active_conns,
              d.inactive_conns);
    }
  }
}

}  // namespace

const char* proto_label(uint8_t proto) {
  switch (proto) {
    case ipvs::kProtoTcp: return "TCP";
    case ipvs::kProtoUdp: return "UDP";
    default: return "?";
  }
}

std::string format_largenum(uint64_t v, bool exact) {
  std::string out;
  if (exact) {
    int len = int(std::to_string(v).size());
    appendf(out, "%*" PRIu64, len <= 8 ? 9 : len + 1, v);
  } else if (v < 100000000ULL) {
    appendf(out, "%9" PRIu64, v);
  } else if (v < 1000000000ULL) {
    appendf(out, "%8" PRIu64 "K", v / 1000);
  } else if (v < 100000000000ULL) {
    appendf(out, "%8" PRIu64 "M", v / 1000000);
  } else if (v < 100000000000000ULL) {
    appendf(out, "%8" PRIu64 "G", v / uint64_t(1000000000));
  } else {
    appendf(out, "%8" PRIu64 "T", v / uint64_t(1000000000000));
  }
  return out;
}

std::string format_version_header(const proto::IpvsInfo& info) {
  std::string out;
  appendf(out, "IP Virtual Server version %u.%u.%u (size=%d)\n", (info.version >> 16) & 0xff,
          (info.version >> 8) & 0xff, info.version & 0xff, int(info.conn_table_size));
  return out;
}

std::string format_services(std::vector<ServiceEntry> entries, const ListFormat& format) {
  if (!format.nosort) sort_entries(entries);
  std::string out;
  append_title(out, format);
  for (const auto& e : entries) append_entry(out, e, format, false);
  return out;
}

std::string format_rules(std::vector<ServiceEntry> entries, const ListFormat& format) {
  if (!format.nosort) sort_entries(entries);
  std::string out;
  for (const auto& e : entries) append_entry(out, e, format, true);
  return out;
}

std::string format_connections(const ConnList& list, const ListFormat& format) {
  std::string out = "IPVS connection entries\n";
  if (format.persistent_conn) {
    appendf(out, "pro expire %-11s %-18s %-18s %-18s %-16s %s\n", "state", "source", "virtual", "destination",
            "pe name", "pe_data");
  } else {
    appendf(out, "pro expire %-11s %-18s %-18s %s\n", "state", "source", "virtual", "destination");
  }
  for (const auto& c : list.conns) {
    // /proc/net/ip_vs_conn gives whole seconds left; ipvsadm prints them as minutes:seconds.
    unsigned seconds = c.expires_ms / 1000;
    char expire[16];
    std::snprintf(expire, sizeof expire, "%02u:%02u", seconds / 60, seconds % 60);
    const std::string_view state = ctrl::fixed_string(c.state);
    // With --persistent-conn ipvsadm adds the persistence engine's columns only to connections that
    // have an engine; dplb's have none, so every line is the plain one.
    appendf(out, "%-3s %-6s %-11.*s %-18s %-18s %s\n", proto_label(c.proto), expire, int(state.size()),
            state.data(), addr_port(c.caddr, c.cport).c_str(), addr_port(c.vaddr, c.vport).c_str(),
            addr_port(c.daddr, c.dport).c_str());
  }
  return out;
}

std::string format_timeouts(const proto::IpvsTimeouts& t) {
  std::string out;
  appendf(out, "Timeout (tcp tcpfin udp): %d %d %d\n", int(t.tcp), int(t.tcp_fin), int(t.udp));
  return out;
}

}  // namespace dplb::cli
