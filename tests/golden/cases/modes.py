"""Forwarding methods other than NAT (ipvsadm -g, -i): direct routing rewrites only the MAC; the
tunnel wraps the packet in IP-in-IP from our address; neither touches the inner packet (no TTL
decrement), and the TCP state follows the client's packets alone (IPVS's INPUT_ONLY table).
dpdk0 faces clients (VIP 10.0.0.100), dpdk1 the real servers (topology of nat.py)."""
from scapy.all import IP, TCP, Ether

from cases.nat import CLIENT, CLIENT_MAC, MAC0, MAC1, RS1, RS1_MAC, RS2, RS2_MAC, VIP, c2v, case, frag_needed_case

DR_RULES = ["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s:80 -g -w 1" % (VIP, RS1),
            "-a -t %s:80 -r %s:80 -g -w 1" % (VIP, RS2)]
TUN_RULES = ["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s -i -w 1" % (VIP, RS1)]
LOCAL1 = "10.1.0.1"  # our address on dpdk1: the tunnel's outer source

_syn = c2v("S")
_syn2 = c2v("S", sport=40001)


def routed(pkt, rs_mac):
    """Direct routing: the same IP packet, byte for byte, framed to the real server."""
    return Ether(dst=rs_mac, src=MAC1) / pkt[IP].copy()


def tunnelled(pkt, ident, df=False):
    inner = pkt[IP].copy()
    return Ether(dst=RS1_MAC, src=MAC1) / IP(src=LOCAL1, dst=RS1, ttl=inner.ttl, tos=inner.tos, id=ident,
                                            flags="DF" if df else 0, proto=4) / inner


_ack = c2v("A", seq=1001, ack=5001)
_syn_df = Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, ttl=64, id=11, flags="DF") / \
    TCP(sport=40000, dport=80, flags="S", seq=1000, window=8192)
_data = c2v("PA", seq=1001, ack=5001, payload=b"GET / HTTP/1.0\r\n\r\n")

CASES = [
    case("dr_syn_mac_only", "direct routing: the SYN goes to the real server unchanged but for the MAC "
         "(no TTL decrement, VIP kept)", {0: [_syn]}, {1: [routed(_syn, RS1_MAC)]}, rules=DR_RULES,
         checks=[("ipvsadm", ["-Ln"], "  -> 10.1.0.11:80                 Route   1"),
                 ("ipvsadm", ["-Lnc"], "SYN_RECV    10.0.0.2:40000     10.0.0.100:80      10.1.0.11:80")]),
    case("dr_rr_and_one_way_state", "direct routing, rr over two servers; the client's ACK alone makes the "
         "connection ESTABLISHED (INPUT_ONLY table: the server's replies never pass)",
         {0: [_syn, _syn2, _ack, _data]},
         {1: [routed(_syn, RS1_MAC), routed(_syn2, RS2_MAC), routed(_ack, RS1_MAC), routed(_data, RS1_MAC)]},
         rules=DR_RULES,
         checks=[("ipvsadm", ["-Lnc"], "ESTABLISHED 10.0.0.2:40000     10.0.0.100:80      10.1.0.11:80")]),
    case("tun_syn_ipip", "tunnel: the SYN inside an IPv4 header (protocol 4) from our address on the real "
         "servers' side to the real server, TTL and TOS from the inner packet, inner untouched",
         {0: [_syn, _ack]}, {1: [tunnelled(_syn, 0), tunnelled(_ack, 1)]}, rules=TUN_RULES,
         checks=[("ipvsadm", ["-Ln"], "  -> 10.1.0.11:80                 Tunnel  1"),
                 ("ipvsadm", ["-Lnc"], "ESTABLISHED 10.0.0.2:40000     10.0.0.100:80      10.1.0.11:80")]),
    case("tun_df_copied", "tunnel: the inner DF bit is copied to the outer header",
         {0: [_syn_df]}, {1: [tunnelled(_syn_df, 0, df=True)]}, rules=TUN_RULES),
    frag_needed_case("tun_frag_needed_reduced_mtu", "DF and too big once the 20-byte outer header is added: "
                     "ICMP fragmentation needed with the MTU less 20 (as ip_vs_tunnel_xmit)", 980, rules=TUN_RULES),
]
