#!/usr/bin/python3
"""IPVS direct routing (-g) and IP-in-IP tunnel (-i) with real TCP (issue 17), on drlib's bed: the
client, dplb's one port and the real servers share one bridge; only NAT traffic comes back through
dplb.

Why these checks: in DR and tunnel modes dplb sees only the client's half of each connection, so a
test must show that (a) dplb delivers to the right server by the right means (MAC rewrite on-link;
an outer IPv4 header from its address toward the server), (b) the servers' answers reach the
client WITHOUT dplb, and (c) real TCP works end to end both ways. It checks:
1. The tunnel ends alone (no dplb involved): a crafted IPIP-wrapped SYN to each tunnel server gets a
   SYN-ACK from the VIP, so a later failure is dplb's, not the test's user-space decapsulator's.
2. ipvsadm: -Ln shows Route / Tunnel / Masq per server; `-S` restored with `-R` into a cleared
   dplb gives the same -Ln; -g to a server that is not on-link is refused.
3. DR, then tunnel (the other servers at weight 0): 30 sequential requests all answered, spread
   evenly (rr); a capture on the client's interface shows every reply frame sent by a real server's
   MAC and none by dplb's; one on a server shows what it gets comes from dplb's MAC with the client's
   TTL (64, not decremented) and DF (for the tunnel: in the outer header); a 20 MB download is
   intact while dplb's port transmits under a quarter of its size (replies through dplb would make
   it transmit all of it). Over the tunnel, UDP is echoed, and a full-size DF datagram draws ICMP
   frag-needed with MTU 1480 that the client's kernel takes as its path MTU to the VIP.
4. Mixed: one service with DR, tunnel and NAT servers at once (NAT replies hairpin through dplb's
   one port): every request answered, rr spreads them evenly. The decapsulators saw outer packets
   only from dplb's address toward them (10.40.0.1; besides step 1's probe).
dplb stops cleanly with no mbuf in use. About 7 s here (the bound: 90 s).
"""
import collections
import json
import os
import re
import sys
import time

from downloads import download, sha256_file
from drlib import LB_TUN, PY, VIP, Capture, DrBed, decap_summary
from natlib import sequential_hits
from nslib import TestFailure, Topology, sh
from routelib import check

HERE = os.path.dirname(os.path.abspath(__file__))
REQUESTS = 30


def tunnel_ends_alone(bed):
    for s in bed.of("i"):
        r = sh("ip", "netns", "exec", bed.of("m")[0].ns, PY, os.path.join(HERE, "ipip_probe.py"), "e0", s.addr,
               VIP, check=False, timeout=20)
        check(r.returncode == 0, "without dplb, an IPIP-wrapped SYN to %s gets a SYN-ACK from the VIP: %s"
              % (s.name, (r.stdout + r.stderr).strip()[-200:]))


def ipvsadm_listing(bed):
    dplb = bed.dplb
    bed.configure({s.name: 1 for s in bed.servers})
    listing = dplb.ipvsadm("-Ln").stdout
    shown = {s.name: re.search(r"->\s+%s:80\s+(\S+)" % re.escape(s.addr), listing) for s in bed.servers}
    want = {"g": "Route", "i": "Tunnel", "m": "Masq"}
    check(all(m and m.group(1) == want[s.method] for s, m in zip(bed.servers, shown.values())),
          "ipvsadm -Ln shows Route/Tunnel/Masq per server: %s" % {k: m and m.group(1) for k, m in shown.items()})
    saved = dplb.ipvsadm("-S", "-n").stdout
    dplb.ipvsadm("-C")
    check(bed.servers[0].addr not in dplb.ipvsadm("-Ln").stdout, "ipvsadm -C clears the table")
    dplb.ipvsadm("-R", input=saved)
    again = dplb.ipvsadm("-Ln").stdout
    check(again == listing, "ipvsadm -S restored with -R gives the same -Ln" + ("" if again == listing else
                                                                                 ":\n%s\n%s" % (listing, again)))
    r = dplb.ipvsadm("-a", "-t", "%s:80" % VIP, "-r", "10.50.0.9:80", "-g", check=False)
    check(r.returncode != 0 and r.stderr.strip(), "-g to 10.50.0.9 (routed via a gateway, not on-link) is refused: %r"
          % r.stderr.strip())


def port_bytes(bed):
    stats = bed.dplb.links()[0]["stats64"]
    return stats["rx"]["bytes"], stats["tx"]["bytes"]


def direct_return(bed, method, what):
    """Only the servers of `method` in service: rr spreads evenly, replies come from their MACs, and a
    20 MB download is intact while dplb's port carries only the client's side."""
    servers = bed.of(method)
    bed.configure({s.name: 1 for s in servers})
    lb_mac = bed.dplb.links()[0]["address"]
    replies = Capture(bed.topo, bed.client, "c0", "tcp and src host %s and src port 80" % VIP)
    arrivals = Capture(bed.topo, servers[0].ns, "e0", "ip dst %s and tcp port 80" % VIP if method == "g"
                       else "ip proto 4")
    hits = sequential_hits(bed, REQUESTS, VIP)
    even = REQUESTS // len(servers)
    check(hits == collections.Counter({s.name: even for s in servers}),
          "%s: %d requests answered, rr %s each: %s" % (what, REQUESTS, even, dict(hits)))
    names = {s.mac: s.name for s in bed.servers}
    names[lb_mac] = "dplb"
    senders = collections.Counter(names.get(frame[0], frame[0]) for frame in replies.frames())
    check(set(senders) == {s.name for s in servers},
          "%s: reply frames on the client's link come from the servers' MACs, none from dplb: %s"
          % (what, dict(senders)))
    seen = collections.Counter((names.get(src, src), names.get(dst, dst), ttl, df)
                               for src, dst, ttl, df in arrivals.frames())
    check(set(seen) == {("dplb", servers[0].name, 64, True)},
          "%s: %s receives %s from dplb's MAC to its own, TTL 64 and DF (the client's): %s"
          % (what, servers[0].name, "the client's packets" if method == "g" else "IPIP packets, outer header",
             dict(seen)))

    rx0, tx0 = port_bytes(bed)
    out = os.path.join(bed.topo.tmp, "download_" + method)
    t0 = time.time()
    _, ok = download(bed.client, "http://%s/blob" % VIP, out, sha256_file(bed.blob), ("-s", "-m", "40"), timeout=45)
    dt = time.time() - t0
    rx1, tx1 = port_bytes(bed)
    size = os.path.getsize(bed.blob)
    check(ok, "%s: 20 MB download intact (%.1f s)" % (what, dt))
    check(tx1 - tx0 < size // 4, "%s: during it dplb's port sent %d bytes, received %d: the client's side only"
          % (what, tx1 - tx0, rx1 - rx0))
    os.unlink(out)


PMTU_PROBE = """
import json, socket
IP_MTU_DISCOVER, IP_PMTUDISC_DO, IP_MTU = 10, 2, 14  # <linux/in.h>; Python's socket lacks them
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO)
s.settimeout(2)
s.connect((%r, 53))
s.send(b"small")
echo = s.recv(2048).decode()
errors = []
for _ in range(2):  # a 1500-byte datagram with DF: 1520 bytes once encapsulated
    try:
        s.send(b"x" * 1472)
        s.recv(2048)
    except OSError as e:
        errors.append(str(e))
print(json.dumps({"echo": echo, "mtu": s.getsockopt(socket.IPPROTO_IP, IP_MTU), "errors": errors}))
"""


def tunnel_pmtu(bed):
    """UDP over the tunnel: a small datagram is echoed by a tunnel server; a full-size one with DF
    does not fit after the outer header, so dplb answers ICMP frag-needed with MTU 1480, which the
    client's kernel accepts (it matches the client's socket) and caches as the path MTU."""
    r = bed.in_client(PY, "-c", PMTU_PROBE % VIP, timeout=20)
    if r.returncode != 0:
        raise TestFailure("UDP over the tunnel: " + r.stderr.strip()[-300:])
    res = json.loads(r.stdout)
    check(re.match(r"tun\d+:small$", res["echo"]), "UDP over the tunnel echoed by %s" % res["echo"])
    check(res["mtu"] == 1480, "a 1500-byte DF datagram draws frag-needed: the client's path MTU to the VIP "
          "is %d (1500 - 20 for the outer header), errors %s" % (res["mtu"], res["errors"]))


def mixed(bed):
    bed.configure({s.name: 1 for s in bed.servers})
    hits = sequential_hits(bed, 4 * len(bed.servers), VIP)
    check(hits == collections.Counter({s.name: 4 for s in bed.servers}),
          "mixed DR + tunnel + NAT service: %d requests answered, rr 4 each: %s" % (4 * len(bed.servers), dict(hits)))


def main():
    t0 = time.time()
    topo = Topology("drtun")
    try:
        bed = DrBed(topo, dr=3, tun=2, nat=1, blob_mb=20,
                    batch=["route add 10.50.0.0/24 via 10.30.0.11 dev dpdk0"])
        print("DR and tunnel (bed up in %.1f s):" % (time.time() - t0), flush=True)
        tunnel_ends_alone(bed)
        ipvsadm_listing(bed)
        direct_return(bed, "g", "DR")
        direct_return(bed, "i", "tunnel")
        tunnel_pmtu(bed)
        mixed(bed)
        for s in bed.of("i"):
            line = decap_summary(s.decap, s.decap_log)
            m = re.match(r"decapsulated (\d+) packets from (\S+) dropped (\d+)", line)
            check(m and int(m.group(1)) > 0 and set(m.group(2).split(",")) == {LB_TUN, bed.of("m")[0].addr},
                  "%s decapsulated packets only from dplb's address toward it, %s (and the probe's): %s"
                  % (s.name, LB_TUN, line))
        text = bed.dplb.stop()
        check("mbufs in use at exit: pool" in text, "dplb stopped cleanly, no mbuf leaked")
    except TestFailure as e:
        print("FAIL dr_tun: %s" % e)
        return 1
    finally:
        topo.close()
    print("ok   dr_tun (%.0f s)" % (time.time() - t0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
