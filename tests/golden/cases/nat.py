"""IPVS NAT: DNAT of requests, SNAT of replies, state tracking, no-server and no-connection drops,
ICMP errors translated. dpdk0 faces clients (VIP 10.0.0.100), dpdk1 the real servers."""
from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, raw

from golden import Case, Port, pcap_mac

MAC0, MAC1 = pcap_mac(0), pcap_mac(1)
CLIENT, CLIENT_MAC = "10.0.0.2", "02:00:00:00:00:02"
VIP = "10.0.0.100"
RS1, RS1_MAC = "10.1.0.11", "02:00:00:00:01:11"
RS2, RS2_MAC = "10.1.0.12", "02:00:00:00:01:12"
PORTS = [Port(addresses=["10.0.0.1/24", VIP + "/32"]), Port(addresses=["10.1.0.1/24"])]
NEIGHBOURS = [
    "neigh add %s lladdr %s dev dpdk0" % (CLIENT, CLIENT_MAC),
    "neigh add %s lladdr %s dev dpdk1" % (RS1, RS1_MAC),
    "neigh add %s lladdr %s dev dpdk1" % (RS2, RS2_MAC),
]
TCP_RULES = ["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s:8080 -m -w 1" % (VIP, RS1),
             "-a -t %s:80 -r %s:8080 -m -w 1" % (VIP, RS2)]
UDP_RULES = ["-A -u %s:53 -s rr" % VIP, "-a -u %s:53 -r %s:53 -m" % (VIP, RS1)]


def c2v(flags="S", sport=40000, seq=1000, ack=0, payload=b"", proto="tcp"):
    l4 = TCP(sport=sport, dport=80, flags=flags, seq=seq, ack=ack, window=8192) if proto == "tcp" else \
        UDP(sport=sport, dport=53)
    return Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, ttl=64, id=11) / l4 / Raw(payload)


def s2c(rs, flags="SA", sport=40000, seq=5000, ack=1001, payload=b"", proto="tcp", rport=8080):
    mac = RS1_MAC if rs == RS1 else RS2_MAC
    l4 = TCP(sport=rport, dport=sport, flags=flags, seq=seq, ack=ack, window=8192) if proto == "tcp" else \
        UDP(sport=rport, dport=sport)
    return Ether(dst=MAC1, src=mac) / IP(src=rs, dst=CLIENT, ttl=64, id=22) / l4 / Raw(payload)


def dnat(pkt, rs, rport=8080):
    """The request as the real server must see it: dst rewritten, TTL one less, checksums right."""
    ip = pkt[IP].copy()
    ip.dst = rs
    ip.ttl -= 1
    del ip.chksum
    l4 = ip.payload
    l4.dport = rport
    del l4.chksum
    mac = RS1_MAC if rs == RS1 else RS2_MAC
    return Ether(dst=mac, src=MAC1) / ip


def snat(pkt, vport=80):
    ip = pkt[IP].copy()
    ip.src = VIP
    ip.ttl -= 1
    del ip.chksum
    l4 = ip.payload
    l4.sport = vport
    del l4.chksum
    return Ether(dst=CLIENT_MAC, src=MAC0) / ip


def case(name, description, inputs, expected, rules=TCP_RULES, batch=NEIGHBOURS, **kw):
    return Case(name, description, PORTS, inputs=inputs, expected=expected, batch=batch,
                ipvs_rules=rules, **kw)


_syn = c2v("S")
_syn2 = c2v("S", sport=40001)
_synack = s2c(RS1, "SA")
_udp = c2v(proto="udp", payload=b"query")
_udp_dnat = dnat(_udp, RS1, rport=53)


def _port_unreachable_from_rs():
    # The server's kernel quotes the request as it received it (client -> RS:53).
    quote = raw(_udp_dnat[IP].copy())
    return Ether(dst=MAC1, src=RS1_MAC) / IP(src=RS1, dst=CLIENT, ttl=64, id=33) / ICMP(type=3, code=3) / Raw(quote)


def _port_unreachable_to_client():
    # Outer source becomes the VIP; the quote is again the client's own packet (client -> VIP:53),
    # with the TTL as the server saw it.
    q = _udp_dnat[IP].copy()
    q.dst = VIP
    q[UDP].dport = 53
    del q.chksum
    del q[UDP].chksum
    return Ether(dst=CLIENT_MAC, src=MAC0) / IP(src=VIP, dst=CLIENT, ttl=63, id=33) / ICMP(type=3, code=3) / Raw(raw(q))


# One-armed: clients and servers on dpdk0, so one input file orders both directions exactly.
ONE_ARM_PORTS = [Port(addresses=["10.0.0.1/24", VIP + "/32"])]
ARM_RS = "10.0.0.11"
ARM_RS_MAC = "02:00:00:00:00:11"
ARM_RULES = ["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s:8080 -m" % (VIP, ARM_RS)]


def arm_c2v(flags, seq, ack=0):
    return Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, ttl=64, id=11) / \
        TCP(sport=40000, dport=80, flags=flags, seq=seq, ack=ack, window=8192)


def arm_s2c(flags, seq, ack):
    return Ether(dst=MAC0, src=ARM_RS_MAC) / IP(src=ARM_RS, dst=CLIENT, ttl=64, id=22) / \
        TCP(sport=8080, dport=40000, flags=flags, seq=seq, ack=ack, window=8192)


def arm_dnat(pkt):
    ip = pkt[IP].copy()
    ip.dst = ARM_RS
    ip.ttl -= 1
    del ip.chksum
    ip.payload.dport = 8080
    del ip.payload.chksum
    return Ether(dst=ARM_RS_MAC, src=MAC0) / ip


def arm_case(name, description, packets, state, drops=None):
    """packets: (direction, flags, seq, ack) with direction 'c' (client) or 's' (server)."""
    ins, outs = [], []
    for d, flags, seq, ack in packets:
        if d == "c":
            p = arm_c2v(flags, seq, ack)
            ins.append(p)
            outs.append(arm_dnat(p))
        else:
            p = arm_s2c(flags, seq, ack)
            ins.append(p)
            outs.append(snat(p))
    return Case(name, description, ONE_ARM_PORTS, inputs={0: ins}, expected={0: outs}, drops=drops or {},
                batch=["neigh add %s lladdr %s dev dpdk0" % (CLIENT, CLIENT_MAC),
                       "neigh add %s lladdr %s dev dpdk0" % (ARM_RS, ARM_RS_MAC)],
                ipvs_rules=ARM_RULES,
                checks=[("ipvsadm", ["-Lnc"], "%-11s 10.0.0.2:40000     10.0.0.100:80      10.0.0.11:8080" % state)])


_HANDSHAKE = [("c", "S", 1000, 0), ("s", "SA", 5000, 1001), ("c", "A", 1001, 5001)]
ARM_RS2 = "10.0.0.12"
ARM_RS2_MAC = "02:00:00:00:00:12"


def _port_reuse_case():
    """A closed connection (TIME_WAIT) and a new SYN from the same client port: IPVS's conn_reuse_mode
    schedules it afresh, so rr sends it to the second server, not the first one again."""
    rules = ["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s:8080 -m" % (VIP, ARM_RS),
             "-a -t %s:80 -r %s:8080 -m" % (VIP, ARM_RS2)]
    close = _HANDSHAKE + [("c", "FA", 1001, 5001), ("s", "FA", 5001, 1002), ("c", "A", 1002, 5002)]
    ins, outs = [], []
    for d, flags, seq, ack in close:
        p = arm_c2v(flags, seq, ack) if d == "c" else arm_s2c(flags, seq, ack)
        ins.append(p)
        outs.append(arm_dnat(p) if d == "c" else snat(p))
    syn = arm_c2v("S", 90000)
    ins.append(syn)
    second = arm_dnat(syn)
    second[IP].dst = ARM_RS2
    second[Ether].dst = ARM_RS2_MAC
    del second[IP].chksum
    del second[TCP].chksum
    outs.append(Ether(raw(second)))
    return Case("nat_port_reuse_after_time_wait", _port_reuse_case.__doc__.split(":")[0], ONE_ARM_PORTS,
                inputs={0: ins}, expected={0: outs},
                batch=["neigh add %s lladdr %s dev dpdk0" % (CLIENT, CLIENT_MAC),
                       "neigh add %s lladdr %s dev dpdk0" % (ARM_RS, ARM_RS_MAC),
                       "neigh add %s lladdr %s dev dpdk0" % (ARM_RS2, ARM_RS2_MAC)],
                ipvs_rules=rules,
                checks=[("ipvsadm", ["-Lnc"], "SYN_RECV    10.0.0.2:40000     10.0.0.100:80      10.0.0.12:8080")])

def frag_needed_case(name, description, nexthopmtu, rules=TCP_RULES):
    """A 1,240-byte DF SYN to the VIP while the route to RS1 has MTU 1000: ICMP fragmentation needed
    from the VIP to the client, carrying `nexthopmtu`, and the packet dropped."""
    big = Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP, ttl=64, id=11, flags="DF") / \
        TCP(sport=40000, dport=80, flags="S", seq=1000, window=8192) / Raw(b"p" * 1200)
    quote = raw(big[IP])[:576 - 28]
    icmp = Ether(dst=CLIENT_MAC, src=MAC0) / IP(src=VIP, dst=CLIENT, ttl=64, tos=0xc0, id=0, flags=0) / \
        ICMP(type=3, code=4, nexthopmtu=nexthopmtu) / Raw(quote)
    return case(name, description, {0: [big]}, {0: [icmp]}, drops={"ipv4_frag_needed": 1}, rules=rules,
                batch=NEIGHBOURS + ["route add %s/32 dev dpdk1 mtu 1000" % RS1])


CASES = [
    arm_case("nat_state_established", "SYN, SYN-ACK, ACK: the connection is ESTABLISHED", _HANDSHAKE, "ESTABLISHED"),
    arm_case("nat_state_synack_keeps_syn_recv", "after the server's SYN-ACK the connection stays SYN_RECV (IPVS)",
             _HANDSHAKE[:2], "SYN_RECV"),
    arm_case("nat_state_client_fin", "handshake, then the client's FIN: CLOSE_WAIT",
             _HANDSHAKE + [("c", "FA", 1001, 5001)], "CLOSE_WAIT"),
    arm_case("nat_state_server_fin", "handshake, then the server's FIN: FIN_WAIT",
             _HANDSHAKE + [("s", "FA", 5001, 1001)], "FIN_WAIT"),
    arm_case("nat_state_close", "both FINs and the last ACK: TIME_WAIT",
             _HANDSHAKE + [("c", "FA", 1001, 5001), ("s", "FA", 5001, 1002), ("c", "A", 1002, 5002)], "TIME_WAIT"),
    arm_case("nat_state_rst", "a client RST on an established connection: CLOSE",
             _HANDSHAKE + [("c", "R", 1001, 0)], "CLOSE"),
    _port_reuse_case(),
    frag_needed_case("nat_frag_needed_to_server", "DF and larger than the MTU toward the real server: ICMP "
                     "fragmentation needed from the VIP, with the MTU", 1000),

    case("nat_syn_dnat", "SYN to the VIP: DNATed to the first real server (rr), exact bytes",
         {0: [_syn]}, {1: [dnat(_syn, RS1)]},
         checks=[("ipvsadm", ["-Lnc"], "SYN_RECV    10.0.0.2:40000     10.0.0.100:80      10.1.0.11:8080")]),
    case("nat_rr_second_server", "two new connections: rr sends the second to the next server",
         {0: [_syn, _syn2]}, {1: [dnat(_syn, RS1), dnat(_syn2, RS2)]}),
    case("nat_synack_snat", "the server's SYN-ACK is SNATed back to the client from the VIP",
         {0: [_syn], 1: [_synack]}, {1: [dnat(_syn, RS1)], 0: [snat(_synack)]}),
    case("nat_retransmit_same_conn", "a retransmitted SYN follows its connection, not the scheduler",
         {0: [_syn, _syn]}, {1: [dnat(_syn, RS1), dnat(_syn, RS1)]}),
    case("nat_no_conn_ack", "an ACK with no connection is not scheduled: dropped and counted",
         {0: [c2v("A", seq=1001, ack=5001)]}, {}, drops={"ipvs_no_conn": 1}),
    case("nat_no_real_server", "a service whose only server has weight 0: new connection dropped (no RST)",
         {0: [_syn]}, {}, drops={"ipvs_no_dest": 1},
         rules=["-A -t %s:80 -s wlc" % VIP, "-a -t %s:80 -r %s:8080 -m -w 0" % (VIP, RS1)]),
    case("nat_other_port_unclaimed", "TCP to another port of the VIP is not load-balanced",
         {0: [Ether(dst=MAC0, src=CLIENT_MAC) / IP(src=CLIENT, dst=VIP) / TCP(sport=1234, dport=22, flags="S")]},
         {}, drops={"l4_unhandled": 1}),
    case("nat_udp", "UDP service: datagram DNATed, the reply SNATed",
         {0: [_udp], 1: [s2c(RS1, proto="udp", rport=53, payload=b"answer")]},
         {1: [_udp_dnat], 0: [snat(s2c(RS1, proto="udp", rport=53, payload=b"answer"), vport=53)]},
         rules=UDP_RULES, checks=[("ipvsadm", ["-Lnc"], "UDP")]),
    case("nat_icmp_port_unreachable", "a server's ICMP port unreachable is translated back to the client",
         {0: [_udp], 1: [_port_unreachable_from_rs()]},
         {1: [_udp_dnat], 0: [_port_unreachable_to_client()]}, rules=UDP_RULES),
]
