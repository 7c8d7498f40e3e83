"""Hostile and malformed traffic: every input has one defined outcome (the exact reply, or nothing)
and one named drop counter. dpdk0 faces clients (our 10.0.0.1/24 and the VIP 10.0.0.100/32, a TCP
and a UDP virtual service), dpdk1 the real servers (10.1.0.1/24); forwarding is on.

Decisions (docs/operations.md, "Hostile traffic"):
- sources that are ours (an address, a subnet broadcast) or martians (0.0.0.0/8, 240.0.0.0/4 with
  255.255.255.255, multicast, loopback) are dropped as ipv4_bad_source: to us, to a VIP (a land attack too) and
  when forwarding;
- IP options: to us or to a VIP dropped (ipv4_options); forwarded untouched, as Linux does;
- fragments: to us or to a VIP dropped (ipv4_fragment: no reassembly); forwarded as they are;
- frames longer than the port MTU + 14 (or chained in several buffers) are dropped (eth_too_long);
- directed broadcasts to our subnets and martian destinations (0.0.0.0/8, 240.0.0.0/4) are not
  forwarded (ipv4_bad_dest);
- ICMP echo replies are limited by a per-worker token bucket on the worker's clock
  ([dataplane] icmp_rate_per_sec tokens per second, bursting to that many).
"""
from scapy.all import ARP, ICMP, IP, TCP, UDP, Ether, Raw, fragment, raw

from golden import Case, Port, pcap_mac

MAC0, MAC1 = pcap_mac(0), pcap_mac(1)
US = "10.0.0.1"
CLIENT, CLIENT_MAC = "10.0.0.2", "02:00:00:00:00:02"
VIP = "10.0.0.100"
RS, RS_MAC = "10.1.0.11", "02:00:00:00:01:11"
SERVER, SERVER_MAC = "10.1.0.2", "02:00:00:00:01:02"
PORTS = [Port(addresses=[US + "/24", VIP + "/32"]), Port(addresses=["10.1.0.1/24"])]
NEIGHBOURS = [
    "neigh add %s lladdr %s dev dpdk0" % (CLIENT, CLIENT_MAC),
    "neigh add %s lladdr %s dev dpdk1" % (RS, RS_MAC),
    "neigh add %s lladdr %s dev dpdk1" % (SERVER, SERVER_MAC),
]
RULES = ["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s:8080 -m" % (VIP, RS),
         "-A -u %s:53 -s rr" % VIP, "-a -u %s:53 -r %s:53 -m" % (VIP, RS)]


def case(name, description, inputs, expected, drops=None, config="forwarding = true", **kw):
    return Case(name, description, PORTS, inputs=inputs, expected=expected, drops=drops or {},
                batch=NEIGHBOURS, ipvs_rules=RULES, config=config, **kw)


def eth(src_mac=CLIENT_MAC, dst_mac=MAC0):
    return Ether(dst=dst_mac, src=src_mac)


def echo(src=CLIENT, dst=US, seq=1, **ip):
    return eth() / IP(src=src, dst=dst, ttl=64, id=0x4242, **ip) / ICMP(type=8, id=0x77, seq=seq) / Raw(b"hostile")


def echo_reply(seq=1):
    return Ether(dst=CLIENT_MAC, src=MAC0) / IP(src=US, dst=CLIENT, ttl=64, id=0x4242) / \
        ICMP(type=0, id=0x77, seq=seq) / Raw(b"hostile")


def syn(src=CLIENT, dst=VIP, sport=40000, dport=80, **ip):
    return eth() / IP(src=src, dst=dst, ttl=64, id=11, **ip) / TCP(sport=sport, dport=dport, flags="S", seq=1000,
                                                                     window=8192)


def _ack(sport):
    return eth() / IP(src=CLIENT, dst=VIP, ttl=64, id=12) / TCP(sport=sport, dport=80, flags="A", seq=1001, ack=5001,
                                                                  window=8192)


def syn_to_rs(pkt):
    """The SYN as the real server must see it (DNAT, TTL one less, checksums recomputed)."""
    ip = pkt[IP].copy()
    ip.dst = RS
    ip.ttl -= 1
    del ip.chksum
    ip.payload.dport = 8080
    del ip.payload.chksum
    return Ether(dst=RS_MAC, src=MAC1) / ip


def udp_fwd(dst=SERVER, src=CLIENT, payload=b"x" * 32, **ip):
    return eth() / IP(src=src, dst=dst, ttl=64, id=7, **ip) / UDP(sport=4000, dport=5000) / Raw(payload)


def forwarded(pkt, dst_mac=SERVER_MAC):
    ip = pkt[IP].copy()
    ip.ttl -= 1
    del ip.chksum
    return Ether(dst=dst_mac, src=MAC1) / ip


def frame_bytes(n):
    """An echo request to us whose frame is exactly n bytes long."""
    return echo() / Raw(b"J" * (n - len(raw(echo()))))


_options = IP(src=CLIENT, dst=SERVER, ttl=64, id=7, options=b"\x01\x01\x01\x00")  # NOP NOP NOP EOL
_opt_fwd = eth() / _options / UDP(sport=4000, dport=5000) / Raw(b"opt")
_frags = fragment(IP(src=CLIENT, dst=SERVER, ttl=64, id=99) / UDP(sport=4000, dport=5000) / Raw(b"F" * 200),
                  fragsize=96)
_frags_vip = fragment(IP(src=CLIENT, dst=VIP, ttl=64, id=98) / UDP(sport=4000, dport=53) / Raw(b"Q" * 200),
                      fragsize=96)
_max_fwd = udp_fwd(payload=b"M" * (1500 - 28))       # 1514-byte frame: the MTU exactly
_ihl3 = bytearray(raw(echo()))
_ihl3[14] = 0x43
ECHO_FLOOD = 40
ECHO_RATE = 2


def _tcp_truncated_to_vip():
    """An IP packet to the VIP whose total length leaves 10 of the 20 TCP header bytes."""
    tcp = raw(TCP(sport=40000, dport=80, flags="S", seq=1000, window=8192))[:10]
    return eth() / IP(src=CLIENT, dst=VIP, ttl=64, id=11, proto=6, len=30) / Raw(tcp)


CASES = [
    # --- sources that are ours: spoofed.
    case("hostile_src_our_address_icmp", "echo request 'from' our own address gets nothing",
         {0: [echo(src=US)]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_vip_udp", "UDP to a virtual service 'from' the VIP is not forwarded to a server",
         {0: [eth() / IP(src=VIP, dst=VIP) / UDP(sport=5353, dport=53) / Raw(b"q")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_land_attack", "land: SYN with src == dst == VIP and sport == dport opens no connection",
         {0: [syn(src=VIP, sport=80)]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_our_address_forwarded", "a packet to forward 'from' our own address is not forwarded",
         {0: [udp_fwd(src=US)]}, {}, {"ipv4_bad_source": 1}),
    # --- martian sources.
    case("hostile_src_subnet_broadcast", "echo request from our subnet's broadcast address gets nothing",
         {0: [echo(src="10.0.0.255")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_subnet_broadcast_syn", "SYN to the VIP from our subnet's broadcast opens nothing",
         {0: [syn(src="10.0.0.255")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_subnet_broadcast_forwarded", "a packet to forward from a broadcast of ours is dropped",
         {0: [udp_fwd(src="10.1.0.255")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_limited_broadcast", "SYN from 255.255.255.255 to the VIP is dropped",
         {0: [syn(src="255.255.255.255")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_multicast", "echo request from 224.0.0.5 gets nothing",
         {0: [echo(src="224.0.0.5")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_zero", "SYN from 0.0.0.0 to the VIP is dropped",
         {0: [syn(src="0.0.0.0")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_zero_network_forwarded", "a packet to forward from 0.1.2.3 (0.0.0.0/8) is dropped (Linux: martian)",
         {0: [udp_fwd(src="0.1.2.3")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_class_e", "echo request from 240.0.0.1 (240.0.0.0/4) gets nothing (Linux: martian)",
         {0: [echo(src="240.0.0.1")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_src_loopback_forwarded", "a packet to forward from 127.0.0.1 is dropped",
         {0: [udp_fwd(src="127.0.0.1")]}, {}, {"ipv4_bad_source": 1}),
    case("hostile_eth_broadcast_source", "a frame whose source MAC is broadcast is dropped",
         {0: [Ether(dst=MAC0, src="ff:ff:ff:ff:ff:ff") / IP(src=CLIENT, dst=US) / ICMP(type=8)]}, {},
         {"eth_bad_source": 1}),
    # --- destinations.
    case("hostile_dst_zero_network", "a packet to 0.1.2.3 (0.0.0.0/8) is not forwarded (Linux: martian destination)",
         {0: [udp_fwd(dst="0.1.2.3")]}, {}, {"ipv4_bad_dest": 1}),
    case("hostile_dst_class_e", "a packet to 240.1.2.3 (240.0.0.0/4) is not forwarded (Linux: martian destination)",
         {0: [udp_fwd(dst="240.1.2.3")]}, {}, {"ipv4_bad_dest": 1}),
    case("hostile_dst_subnet_broadcast_forwarded", "a directed broadcast to our server subnet is not forwarded",
         {0: [udp_fwd(dst="10.1.0.255")]}, {}, {"ipv4_bad_dest": 1}),
    case("hostile_dst_limited_broadcast", "echo request to 255.255.255.255 gets nothing",
         {0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=CLIENT_MAC) / IP(src=CLIENT, dst="255.255.255.255") /
              ICMP(type=8)]}, {}, {"ipv4_bad_dest": 1}),
    # --- IP options.
    case("hostile_options_to_vip", "SYN with IP options to the VIP: dropped, no connection",
         {0: [syn(options=b"\x01\x01\x01\x00")]}, {}, {"ipv4_options": 1}),
    case("hostile_options_forwarded", "a forwarded packet keeps its IP options (as Linux forwards them)",
         {0: [_opt_fwd]}, {1: [forwarded(_opt_fwd)]}),
    # --- fragments.
    case("hostile_fragments_to_vip", "UDP fragments to a virtual service: each dropped (no reassembly)",
         {0: [eth() / f for f in _frags_vip]}, {}, {"ipv4_fragment": len(_frags_vip)}),
    case("hostile_fragments_forwarded", "fragments to a forwarded address go on unchanged but the TTL",
         {0: [eth() / f for f in _frags]}, {1: [forwarded(eth() / f) for f in _frags]}),
    # --- frame sizes.
    case("hostile_runt_frame", "a 10-byte frame (no full Ethernet header) is dropped",
         {0: [Raw(raw(echo())[:10])]}, {}, {"eth_too_short": 1}, pad_inputs=False),
    case("hostile_max_frame_forwarded", "a 1514-byte frame (the MTU exactly) is forwarded",
         {0: [_max_fwd]}, {1: [forwarded(_max_fwd)]}),
    case("hostile_giant_frame", "a 1515-byte frame to us (one byte over the MTU) gets no reply",
         {0: [frame_bytes(1515)]}, {}, {"eth_too_long": 1}),
    case("hostile_jumbo_frame", "a 9000-byte jumbo frame (chained in several mbufs) is dropped",
         {0: [frame_bytes(9000)]}, {}, {"eth_too_long": 1}),
    # --- broken headers.
    case("hostile_bad_ihl", "IHL 3 (below the minimum 5) is dropped",
         {0: [Ether(bytes(_ihl3))]}, {}, {"ipv4_bad_ihl": 1}),
    case("hostile_total_len_beyond_frame", "a SYN whose IP total length exceeds the frame is dropped",
         {0: [syn(len=400)]}, {}, {"ipv4_bad_total_len": 1}),
    case("hostile_truncated_tcp_to_vip", "10 bytes of TCP header to the VIP: dropped, no connection",
         {0: [_tcp_truncated_to_vip()]}, {}, {"ipvs_truncated": 1}),
    case("hostile_bad_ip_checksum_to_vip", "a SYN with a bad IP header checksum opens nothing",
         {0: [syn(chksum=0x1234)]}, {}, {"ipv4_bad_checksum": 1}),
    # --- ARP.
    case("hostile_arp_for_other", "ARP requests for addresses we do not own get no reply, each counted",
         {0: [Ether(dst="ff:ff:ff:ff:ff:ff", src=CLIENT_MAC) / ARP(op=1, hwsrc=CLIENT_MAC, psrc=CLIENT, pdst=a)
              for a in ("10.0.0.9", "10.0.0.255", "10.1.0.11")]}, {}, {"arp_not_ours": 3}),
    # --- connection table full (capacity 2): the third SYN is refused and counted; the two open
    # connections keep working (a retransmitted SYN and an ACK on them are still translated).
    case("overload_conn_table_full", "table of 2 connections: a third SYN is dropped, the first two go on",
         {0: [syn(sport=40000), syn(sport=40001), syn(sport=40002), syn(sport=40000),
              _ack(sport=40001)]},
         {1: [syn_to_rs(syn(sport=40000)), syn_to_rs(syn(sport=40001)), syn_to_rs(syn(sport=40000)),
              syn_to_rs(_ack(sport=40001))]},
         {"ipvs_conn_full": 1}, conn_capacity=2,
         checks=[("dpip", ["-s", "link", "show", "dpdk0"], "ipvs_conn_full")]),
    # --- ICMP echo flood: the bucket starts full with ECHO_RATE tokens; the whole file arrives well
    # within the 1/ECHO_RATE s one more token takes.
    case("hostile_echo_flood", "%d echo requests at once: exactly %d replies, the rest rate-limited" %
         (ECHO_FLOOD, ECHO_RATE),
         {0: [echo(seq=i) for i in range(ECHO_FLOOD)]}, {0: [echo_reply(seq=i) for i in range(ECHO_RATE)]},
         {"icmp_rate_limited": ECHO_FLOOD - ECHO_RATE},
         dataplane={"icmp_rate_per_sec": ECHO_RATE}),
]
