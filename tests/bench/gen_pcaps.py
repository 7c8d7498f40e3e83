#!/usr/bin/python3
"""Generates the packet-rate benchmark workloads (64-byte frames: 60 bytes + the FCS the wire adds).

    gen_pcaps.py OUT_DIR [--only NAME,...] [--seed N]

Every workload is deterministic for a seed. Writes pcap bytes directly (struct), not scapy per
packet: the 1,000,000-flow files are generated in a few seconds. Files, all in OUT_DIR:

  routes10.pcap / routes100k.pcap   UDP to random destinations over a table of 10 / 100,000 prefixes
  routes10.batch / routes100k.batch the same table for dplb (dpip batch: neighbour + routes via it)
  routes10.l3fwd.v4 / ...v4          the same table for DPDK l3fwd's --rule_ipv4 (all to port 0)
  l3fwd.v6                           a one-route IPv6 table (l3fwd wants both rule files or neither)
  nat1k.pcap                         UDP from 1,000 client tuples to the VIP (65,536 packets, random order)
  nat1m.pcap                         UDP from 1,000,000 client tuples to the VIP, each once (shuffled)
  nat1k.q0.pcap / nat1k.q1.pcap      nat1k split by the dplb worker owning each flow (2 workers):
                                     what a NIC whose RSS matched dplb's flow ownership would deliver
  natnew.pcap                        TCP SYNs, every one from a new client tuple (1,000,000)
  nat.batch / nat.ipvs / natnew.ipvs dplb neighbours and the ipvsadm rules (UDP and TCP services)

The dplb side: port dpdk0 (net_pcap, MAC 02:70:63:61:70:00) has 10.0.0.1/24 and the VIP 10.0.0.100;
the gateway 10.0.0.2 and the real servers 10.0.0.11-20 are on-link with static neighbours, so every
packet leaves on the port it came in on (net_pcap with only rx_pcap drops what is sent).
"""
import argparse
import os
import random
import struct
import sys

PORT_MAC = bytes.fromhex("027063617000")   # net_pcap port 0
PEER_MAC = bytes.fromhex("020000000002")   # the gateway / clients' router
GATEWAY = "10.0.0.2"
VIP = "10.0.0.100"
VPORT_UDP = 5000
VPORT_TCP = 80
REAL_SERVERS = ["10.0.0.%d" % (11 + i) for i in range(10)]
FRAME_LEN = 60
ROUTE_PACKETS = 65536
NAT1K_PACKETS = 65536


def ip2int(s):
    a, b, c, d = (int(x) for x in s.split("."))
    return a << 24 | b << 16 | c << 8 | d


def int2ip(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def csum_fold(s):
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return s


class PcapWriter:
    def __init__(self, path):
        self.f = open(path, "wb", buffering=1 << 20)
        self.f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))  # Ethernet
        self.rec = struct.Struct("<IIII")
        self.n = 0

    def write(self, frame):
        self.f.write(self.rec.pack(self.n // 1000000, self.n % 1000000, len(frame), len(frame)))
        self.f.write(frame)
        self.n += 1

    def close(self):
        self.f.close()


ETH = PORT_MAC + PEER_MAC + b"\x08\x00"
IP_HDR = struct.Struct("!BBHHHBBHII")
UDP_HDR = struct.Struct("!HHHH")
TCP_HDR = struct.Struct("!HHIIBBHHH")
UDP_PAYLOAD = bytes(FRAME_LEN - 14 - 20 - 8)        # 18 bytes
ETH_PAD_TCP = bytes(FRAME_LEN - 14 - 20 - 20)       # 6 bytes of Ethernet padding after a bare SYN


def ip_header(src, dst, proto, total_len, ident):
    words = (0x4500 + total_len + ident + 0x4000 + (64 << 8 | proto) + (src >> 16) + (src & 0xFFFF) +
             (dst >> 16) + (dst & 0xFFFF))
    return IP_HDR.pack(0x45, 0, total_len, ident, 0x4000, 64, proto, ~csum_fold(words) & 0xFFFF, src, dst)


def udp_frame(src, dst, sport, dport, ident):
    ulen = 8 + len(UDP_PAYLOAD)
    # Pseudo-header + header; the payload is zeros.
    s = (src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 17 + ulen + sport + dport + ulen
    c = ~csum_fold(s) & 0xFFFF or 0xFFFF
    return ETH + ip_header(src, dst, 17, 20 + ulen, ident) + UDP_HDR.pack(sport, dport, ulen, c) + UDP_PAYLOAD


def tcp_syn_frame(src, dst, sport, dport, seq, ident):
    window = 64240
    s = ((src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + 6 + 20 + sport + dport + (seq >> 16) +
         (seq & 0xFFFF) + (5 << 12 | 0x02) + window)
    c = ~csum_fold(s) & 0xFFFF
    return (ETH + ip_header(src, dst, 6, 40, ident) + TCP_HDR.pack(sport, dport, seq, 0, 5 << 4, 0x02, window, c, 0) +
            ETH_PAD_TCP)


# --- dplb's flow ownership (include/dplb/ipvs/conn_hash.h owner_worker), to split flows per queue ---
M64 = (1 << 64) - 1


def mum_fold(a, b):
    p = a * b
    return (p & M64) ^ (p >> 64)


def owner_worker(client_addr, client_port, nworkers):
    k0, k1 = 0x2D358DCCAA6C78A5, 0x8BB84B93962EACC9
    x = client_addr | client_port << 32
    h = mum_fold(x ^ k0, k1)
    h = mum_fold(h ^ k1, k0)
    return ((h >> 32) * nworkers) >> 32


# --- routes ---
def random_routes(rng, n):
    """n distinct prefixes, lengths shaped like a BGP table (mostly /24, none longer), outside the
    addresses the benchmark uses (10/8) and outside martian / multicast space."""
    lengths = [24] * 55 + [23] * 8 + [22] * 10 + [21] * 5 + [20] * 5 + [19] * 4 + [18] * 3 + [17] * 2 + [16] * 6 + \
        [12, 14, 15]
    seen = set()
    routes = []
    while len(routes) < n:
        plen = rng.choice(lengths)
        first = rng.randint(11, 223)
        if first in (100, 127, 169, 172, 192, 198):  # keep well-known special ranges out of the table
            continue
        addr = (first << 24 | rng.getrandbits(24)) & (M64 << (32 - plen)) & 0xFFFFFFFF
        if (addr, plen) in seen:
            continue
        seen.add((addr, plen))
        routes.append((addr, plen))
    return routes


def gen_routes(out, name, n, rng):
    routes = random_routes(rng, n)
    with open(os.path.join(out, name + ".batch"), "w") as f:
        f.write("neigh add %s lladdr 02:00:00:00:00:02 dev dpdk0\n" % GATEWAY)
        for addr, plen in routes:
            f.write("route add %s/%d via %s dev dpdk0\n" % (int2ip(addr), plen, GATEWAY))
    with open(os.path.join(out, name + ".l3fwd.v4"), "w") as f:
        for addr, plen in routes:
            f.write("R%s/%d 0\n" % (int2ip(addr), plen))
    src = ip2int(GATEWAY)
    w = PcapWriter(os.path.join(out, name + ".pcap"))
    for i in range(ROUTE_PACKETS):
        addr, plen = routes[rng.randrange(n)]
        host_bits = 32 - plen
        dst = addr | (rng.getrandbits(host_bits) if host_bits else 0)
        if dst & 0xFF in (0, 255):
            dst ^= 1
        w.write(udp_frame(src, dst, 1024 + (i & 0x7FFF), 9, i & 0xFFFF))
    w.close()


# --- NAT ---
def client_tuple(i):
    """Client i: one of 65,536 addresses in 172.16.0.0/12's first /16s, 64 ports each at most."""
    return ip2int("172.16.0.0") + (i >> 6), 1024 + (i & 63) * 907


def gen_nat_common(out):
    with open(os.path.join(out, "nat.batch"), "w") as f:
        for rs in REAL_SERVERS:
            f.write("neigh add %s lladdr 02:00:00:00:01:%02x dev dpdk0\n" % (rs, ip2int(rs) & 0xFF))
        f.write("neigh add %s lladdr 02:00:00:00:00:02 dev dpdk0\n" % GATEWAY)
        f.write("route add 172.16.0.0/12 via %s dev dpdk0\n" % GATEWAY)
    with open(os.path.join(out, "nat.ipvs"), "w") as f:
        f.write("-A -u %s:%d -s rr\n" % (VIP, VPORT_UDP))
        for rs in REAL_SERVERS:
            f.write("-a -u %s:%d -r %s:%d -m -w 1\n" % (VIP, VPORT_UDP, rs, VPORT_UDP))
    with open(os.path.join(out, "natnew.ipvs"), "w") as f:
        f.write("-A -t %s:%d -s rr\n" % (VIP, VPORT_TCP))
        for rs in REAL_SERVERS:
            f.write("-a -t %s:%d -r %s:%d -m -w 1\n" % (VIP, VPORT_TCP, rs, VPORT_TCP))
    with open(os.path.join(out, "l3fwd.v6"), "w") as f:
        f.write("R2001:0db8:0000:0000:0000:0000:0000:0000/32 0\n")


def gen_nat1k(out, rng):
    vip = ip2int(VIP)
    flows = [client_tuple(i) for i in range(1000)]
    order = [i % 1000 for i in range(NAT1K_PACKETS)]
    rng.shuffle(order)
    w = PcapWriter(os.path.join(out, "nat1k.pcap"))
    queues = [PcapWriter(os.path.join(out, "nat1k.q%d.pcap" % q)) for q in range(2)]
    for n, i in enumerate(order):
        caddr, cport = flows[i]
        frame = udp_frame(caddr, vip, cport, VPORT_UDP, n & 0xFFFF)
        w.write(frame)
        queues[owner_worker(caddr, cport, 2)].write(frame)
    w.close()
    for q in queues:
        q.close()


def gen_nat1m(out, rng):
    vip = ip2int(VIP)
    order = list(range(1000000))
    rng.shuffle(order)
    w = PcapWriter(os.path.join(out, "nat1m.pcap"))
    for n, i in enumerate(order):
        caddr, cport = client_tuple(i)
        w.write(udp_frame(caddr, vip, cport, VPORT_UDP, n & 0xFFFF))
    w.close()


def gen_natnew(out, rng):
    vip = ip2int(VIP)
    order = list(range(1000000))
    rng.shuffle(order)
    w = PcapWriter(os.path.join(out, "natnew.pcap"))
    for n, i in enumerate(order):
        caddr, cport = client_tuple(i)
        w.write(tcp_syn_frame(caddr, vip, cport, VPORT_TCP, rng.getrandbits(32), n & 0xFFFF))
    w.close()


WORKLOADS = ["routes10", "routes100k", "nat1k", "nat1m", "natnew"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--only", default=",".join(WORKLOADS), help="comma-separated subset of " + ",".join(WORKLOADS))
    ap.add_argument("--seed", type=int, default=20261202)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    gen_nat_common(args.out)
    for name in args.only.split(","):
        rng = random.Random("%d-%s" % (args.seed, name))  # each workload independent of the others
        if name == "routes10":
            gen_routes(args.out, name, 10, rng)
        elif name == "routes100k":
            gen_routes(args.out, name, 100000, rng)
        elif name == "nat1k":
            gen_nat1k(args.out, rng)
        elif name == "nat1m":
            gen_nat1m(args.out, rng)
        elif name == "natnew":
            gen_natnew(args.out, rng)
        else:
            sys.exit("unknown workload " + name)


if __name__ == "__main__":
    main()
