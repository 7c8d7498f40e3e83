"""Routing and forwarding: TTL and checksum, ICMP errors, MTU and fragmentation, ARP resolution."""
from scapy.all import ARP, ICMP, IP, UDP, Ether, Raw, fragment, raw

from golden import Case, Port, pcap_mac

MAC0, MAC1 = pcap_mac(0), pcap_mac(1)
CLIENT, CLIENT_MAC = "10.0.0.2", "02:00:00:00:00:02"
SERVER, SERVER_MAC = "10.1.0.2", "02:00:00:00:01:02"
PORTS = [Port(addresses=["10.0.0.1/24"]), Port(addresses=["10.1.0.1/24"])]
NEIGHBOURS = [
    "neigh add %s lladdr %s dev dpdk0" % (CLIENT, CLIENT_MAC),
    "neigh add %s lladdr %s dev dpdk1" % (SERVER, SERVER_MAC),
]


def from_client(dst, ttl=64, payload=b"x" * 32, flags=0, **kw):
    return Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=dst, ttl=ttl, id=7, flags=flags, **kw) / \
        UDP(sport=4000, dport=5000) / Raw(payload)


def forwarded(pkt, dst_mac=SERVER_MAC):
    """What the server side sees: TTL one less, MACs of dpdk1 -> next hop, checksum recomputed."""
    ip = pkt[IP].copy()
    ip.ttl -= 1
    del ip.chksum
    return Ether(dst=dst_mac, src=MAC1) / ip


def icmp_error(orig, type_, code, src="10.0.0.1", rest=0):
    quote = raw(orig[IP])[:576 - 28]
    icmp = ICMP(type=type_, code=code)
    if type_ == 3 and code == 4:
        icmp.nexthopmtu = rest
    return Ether(dst=CLIENT_MAC, src=MAC0) / IP(src=src, dst=CLIENT, ttl=64, tos=0xc0, id=0, flags=0) / icmp / Raw(quote)


def case(name, description, inputs, expected, drops=None, batch=(), **kw):
    return Case(name, description, PORTS, inputs=inputs, expected=expected, drops=drops or {},
                batch=list(NEIGHBOURS) + list(batch), config="", **kw)


_ttl_pkt = from_client(SERVER, ttl=64)
_ttl1 = from_client(SERVER, ttl=1)
_noroute = from_client("192.168.5.5")
_gw_pkt = from_client("10.2.3.4")
_big_df = from_client("10.3.0.9", payload=b"d" * 1200, flags="DF")
_big = from_client("10.3.0.9", payload=bytes(range(256)) * 4 + b"e" * 176)
_miss = from_client("10.1.0.3")


def _fragments():
    ip = _big[IP].copy()
    ip.ttl -= 1
    del ip.chksum
    return [Ether(dst=SERVER_MAC, src=MAC1) / f for f in fragment(ip, fragsize=976)]


ROUTES = ["route add 10.2.0.0/16 via %s" % SERVER, "route add 10.3.0.0/16 via %s mtu 1000" % SERVER]

CASES = [
    case("fwd_ttl_checksum", "forwarded packet: TTL one less, header checksum updated, next hop's MAC",
         {0: [_ttl_pkt]}, {1: [forwarded(_ttl_pkt)]}),
    case("fwd_via_gateway", "a route via a gateway sends to the gateway's MAC",
         {0: [_gw_pkt]}, {1: [forwarded(_gw_pkt)]}, batch=ROUTES),
    case("fwd_ttl_expired", "TTL 1 in transit: ICMP time exceeded to the sender, nothing forwarded",
         {0: [_ttl1]}, {0: [icmp_error(_ttl1, 11, 0)]}, drops={"ipv4_ttl_exceeded": 1}),
    case("fwd_no_route", "no route: ICMP net unreachable to the sender",
         {0: [_noroute]}, {0: [icmp_error(_noroute, 3, 0)]}, drops={"ipv4_no_route": 1}),
    case("fwd_frag_needed", "DF and larger than the route MTU: ICMP fragmentation needed with the MTU",
         {0: [_big_df]}, {0: [icmp_error(_big_df, 3, 4, rest=1000)]}, drops={"ipv4_frag_needed": 1}, batch=ROUTES),
    case("fwd_fragments", "no DF and larger than the route MTU: correct fragments",
         {0: [_big]}, {1: _fragments}, batch=ROUTES),
    case("fwd_arp_miss", "unknown next hop: ARP request, then the queued packet once the reply arrives",
         {0: [_miss], 1: [Ether(dst=MAC1, src="02:00:00:00:01:03") /
                          ARP(op=2, hwsrc="02:00:00:00:01:03", psrc="10.1.0.3", hwdst=MAC1, pdst="10.1.0.1")]},
         {1: [Ether(dst="ff:ff:ff:ff:ff:ff", src=MAC1) /
              ARP(op=1, hwsrc=MAC1, psrc="10.1.0.1", hwdst="00:00:00:00:00:00", pdst="10.1.0.3"),
              forwarded(_miss, dst_mac="02:00:00:00:01:03")]}),
    case("fwd_arp_unanswered", "unknown next hop that never answers: 3 ARP requests, then the packet is dropped",
         {0: [_miss]},
         {1: [Ether(dst="ff:ff:ff:ff:ff:ff", src=MAC1) /
              ARP(op=1, hwsrc=MAC1, psrc="10.1.0.1", hwdst="00:00:00:00:00:00", pdst="10.1.0.3")] * 3},
         drops={"neigh_failed": 1}),
    case("fwd_disabled_by_default_off", "with forwarding off a transit packet is dropped quietly",
         {0: [_ttl_pkt]}, {}, drops={"ipv4_not_local": 1}),
]

# Every case but the last runs with forwarding on.
for c in CASES[:-1]:
    c.config = "forwarding = true"
