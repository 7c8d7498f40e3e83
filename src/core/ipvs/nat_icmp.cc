#include "dplb/ipvs/nat_icmp.h"

#include <cstring>

#include "dplb/ipvs/nat.h"
#include "dplb/net/checksum.h"

namespace dplb::ipvs {

std::string_view to_string(IcmpErrorParse r) {
  switch (r) {
    case IcmpErrorParse::kOk: return "ok";
    case IcmpErrorParse::kNotIpv4Icmp: return "not an IPv4 ICMP packet";
    case IcmpErrorParse::kNotError: return "not an ICMP error IPVS translates";
    case IcmpErrorParse::kTruncated: return "truncated ICMP error";
    case IcmpErrorParse::kBadChecksum: return "bad ICMP checksum";
    case IcmpErrorParse::kBadInner: return "malformed quoted IPv4 header";
    case IcmpErrorParse::kInnerNotTcpUdp: return "quoted packet is not TCP or UDP";
    case IcmpErrorParse::kInnerFragment: return "quoted packet is a non-first fragment";
  }
  return "?";
}

IcmpErrorParse icmp_error_parse(net::Ipv4Hdr* ip, size_t len, IcmpErrorView* view) {
  using namespace net;
  if (len < sizeof(Ipv4Hdr) || ip->version() != 4 || ip->proto != kIpProtoIcmp) {
    return IcmpErrorParse::kNotIpv4Icmp;
  }
  size_t outer_hlen = ip->header_len();
  size_t total = ip->total_len.host();
  if (outer_hlen < sizeof(Ipv4Hdr) || total < outer_hlen || total > len) return IcmpErrorParse::kNotIpv4Icmp;

  auto* base = reinterpret_cast<uint8_t*>(ip);
  size_t icmp_len = total - outer_hlen;
  if (icmp_len < sizeof(IcmpHdr)) return IcmpErrorParse::kTruncated;
  auto* icmp = reinterpret_cast<IcmpHdr*>(base + outer_hlen);
  if (icmp->type != kIcmpDestUnreach && icmp->type != 4 /* source quench */ && icmp->type != kIcmpTimeExceeded) {
    return IcmpErrorParse::kNotError;
  }
  if (csum_fold(csum_add_bytes(icmp, icmp_len)) != 0xffff) return IcmpErrorParse::kBadChecksum;

  size_t quote_len = icmp_len - sizeof(IcmpHdr);
  if (quote_len < sizeof(Ipv4Hdr)) return IcmpErrorParse::kTruncated;
  auto* inner = reinterpret_cast<Ipv4Hdr*>(base + outer_hlen + sizeof(IcmpHdr));
  size_t inner_hlen = inner->header_len();
  if (inner->version() != 4 || inner_hlen < sizeof(Ipv4Hdr)) return IcmpErrorParse::kBadInner;
  if (inner_hlen > quote_len) return IcmpErrorParse::kTruncated;
  if (inner->proto != kIpProtoTcp && inner->proto != kIpProtoUdp) return IcmpErrorParse::kInnerNotTcpUdp;
  if ((inner->frag_off.host() & kIpFragOffsetMask) != 0) return IcmpErrorParse::kInnerFragment;
  // The quote holds at most what the original packet had: its own total length bounds the L4 part.
  size_t inner_total = inner->total_len.host();
  if (inner_total < inner_hlen) return IcmpErrorParse::kBadInner;
  size_t l4_len = quote_len - inner_hlen;
  if (inner_total - inner_hlen < l4_len) l4_len = inner_total - inner_hlen;
  if (l4_len < 4) return IcmpErrorParse::kTruncated;  // both ports are needed to find the connection

  uint8_t* l4 = base + outer_hlen + sizeof(IcmpHdr) + inner_hlen;
  Be16 sport, dport;
  std::memcpy(&sport, l4, 2);
  std::memcpy(&dport, l4 + 2, 2);
  view->outer = ip;
  view->icmp = icmp;
  view->icmp_len = static_cast<uint32_t>(icmp_len);
  view->inner = inner;
  view->inner_l4 = l4;
  view->inner_l4_len = static_cast<uint32_t>(l4_len);
  view->inner_key = {inner->proto, inner->src(), sport.host(), inner->dst(), dport.host()};
  return IcmpErrorParse::kOk;
}

namespace {

// Rewrites one endpoint of the quoted packet and one outer address, then the ICMP checksum.
void translate(const IcmpErrorView& v, bool inner_src, bool outer_src, Ip4 addr, uint16_t port) {
  using namespace net;
  uint32_t new_addr = Be32::from_host(addr.v).raw;
  uint16_t new_port = Be16::from_host(port).raw;

  uint8_t* inner_field = detail::ip_addr_field(v.inner, inner_src);
  uint32_t old_addr = detail::load_raw32(inner_field);
  v.inner->checksum = csum_update32(v.inner->checksum, old_addr, new_addr);
  detail::store_raw32(inner_field, new_addr);

  uint8_t* port_field = v.inner_l4 + (inner_src ? 0 : 2);
  uint16_t old_port;
  std::memcpy(&old_port, port_field, 2);
  std::memcpy(port_field, &new_port, 2);
  size_t check_off = l4_checksum_offset(v.inner->proto);
  if (v.inner_l4_len >= check_off + 2) {
    l4_checksum_adjust(v.inner->proto, v.inner_l4 + check_off,
                       net::csum_delta32(old_addr, new_addr) + net::csum_delta16(old_port, new_port));
  }

  uint8_t* outer_field = detail::ip_addr_field(v.outer, outer_src);
  v.outer->checksum = csum_update32(v.outer->checksum, detail::load_raw32(outer_field), new_addr);
  detail::store_raw32(outer_field, new_addr);

  v.icmp->checksum = 0;
  v.icmp->checksum = csum_finish(csum_add_bytes(v.icmp, v.icmp_len));
}

}  // namespace

void icmp_error_to_client(const IcmpErrorView& view, Ip4 vaddr, uint16_t vport) {
  translate(view, /*inner_src=*/false, /*outer_src=*/true, vaddr, vport);
}

void icmp_error_to_server(const IcmpErrorView& view, Ip4 raddr, uint16_t rport) {
  translate(view, /*inner_src=*/true, /*outer_src=*/false, raddr, rport);
}

}  // namespace dplb::ipvs
