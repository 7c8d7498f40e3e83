#!/usr/bin/python3
"""Routing through dplb with real kernel peers (issue 4).

    host a (10.31.1.2) --veth-- [dpdk0 10.31.1.1] dplb [dpdk1 10.31.2.1] --veth-- bridge (namespace sw)
                                                                                  host b  10.31.2.2
                                                                                  gw ra   10.31.2.11 ┐ 10.31.9.0/24
                                                                                  gw rb   10.31.2.12 ┘ (on each)
dplb forwards (forwarding = true), 2 workers on 2-queue ports. The hosts' default routes point at
dplb's addresses. Checked: ping both ways between a and b; 50 MB over TCP each way whose sha256
matches on the receiving side; and `dpip route replace 10.31.9.0/24 via rb` in the middle of a fast
ping run from a: every echo request went to ra before the change and to rb after it (each router's
own ICMP InEchos counter: the network 10.31.9.0/24 is configured on both routers, so whichever one
receives a request answers it), with at most two pings lost, without restarting anything.
"""
import os
import re
import sys
import time

from downloads import download, sha256_file, wait_http
from nslib import Dplb, TestFailure, Topology, sh
from routelib import check, ping, ping_summary, snmp, wait_until, workers_agree

HERE = os.path.dirname(os.path.abspath(__file__))
A, B = "10.31.1.2", "10.31.2.2"
GW_A, GW_B = "10.31.2.11", "10.31.2.12"
FAR_NET, FAR = "10.31.9.0/24", "10.31.9.9"
BLOB_MB = 50
PING_COUNT, PING_INTERVAL = 300, 0.02
TTL_A, TTL_B = 64, 100  # the routers' default TTLs tell their replies apart

# Receives one TCP connection, prints "<bytes> <sha256>" of everything read.
SINK = r"""
import hashlib, socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2]))); s.listen(1); s.settimeout(60)
c, _ = s.accept(); c.settimeout(60); h = hashlib.sha256(); n = 0
while True:
    d = c.recv(1 << 20)
    if not d: break
    h.update(d); n += len(d)
print(n, h.hexdigest(), flush=True)
"""
# Sends a file over one TCP connection (retrying the connect while the sink starts).
SOURCE = r"""
import socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=60); break
    except OSError:
        time.sleep(0.1)
else:
    sys.exit("cannot connect")
with open(sys.argv[3], "rb") as f:
    s.sendfile(f)
s.shutdown(socket.SHUT_WR); s.recv(1); s.close()
"""


def replies(log):
    """(icmp_seq, ttl) of every echo reply in a ping log."""
    return [(int(m.group(1)), int(m.group(2)))
            for m in re.finditer(r"icmp_seq=(\d+) ttl=(\d+)", open(log).read())]


def in_echos(ns):
    return snmp(ns, "Icmp", "InEchos")


def build(topo):
    a, lb, sw, b = topo.ns("a"), topo.ns("lb"), topo.ns("sw"), topo.ns("b")
    topo.veth(a, "a0", lb, "p0")
    topo.host(a, "a0", A + "/24", gateway="10.31.1.1")
    sh("ip", "-n", sw, "link", "add", "br0", "type", "bridge")
    sh("ip", "-n", sw, "link", "set", "br0", "up")
    topo.veth(lb, "p1", sw, "lbp")
    sh("ip", "-n", sw, "link", "set", "lbp", "master", "br0")
    topo.veth(b, "b0", sw, "hb")
    sh("ip", "-n", sw, "link", "set", "hb", "master", "br0")
    topo.host(b, "b0", B + "/24", gateway="10.31.2.1")
    routers = []
    for name, addr, ttl in (("ra", GW_A, TTL_A), ("rb", GW_B, TTL_B)):
        ns = topo.ns(name)
        topo.veth(ns, "e0", sw, name)
        sh("ip", "-n", sw, "link", "set", name, "master", "br0")
        topo.host(ns, "e0", addr + "/24", gateway="10.31.2.1")
        sh("ip", "-n", ns, "addr", "add", FAR + "/24", "dev", "lo")  # no dummy module here: lo
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_default_ttl=%d" % ttl)
        routers.append(ns)
    dplb = Dplb(topo, lb, ["p0", "p1"], {0: ["10.31.1.1/24"], 1: ["10.31.2.1/24"]}, workers=2, qpairs=2,
                global_keys={"forwarding": True})
    return a, b, routers, dplb


def tcp_transfers(topo, a, b):
    blob = os.path.join(topo.tmp, "blob")
    with open(blob, "wb") as f:
        f.write(os.urandom(BLOB_MB << 20))
    want = sha256_file(blob)

    # a -> b: the sink on b hashes what it received.
    sink_out = os.path.join(topo.tmp, "sink.out")
    sink = topo.spawn(b, ["/usr/bin/python3", "-c", SINK, B, "5001"], log=sink_out)
    t0 = time.time()
    r = sh("ip", "netns", "exec", a, "/usr/bin/python3", "-c", SOURCE, B, "5001", blob, check=False, timeout=120)
    sink.wait(timeout=60)
    secs = time.time() - t0
    got = open(sink_out).read().split()
    check(r.returncode == 0 and got == [str(BLOB_MB << 20), want],
          "TCP a->b: %d MB in %.1f s, sha256 matches on b (%s)" % (BLOB_MB, secs, " ".join(got)[:40] or r.stderr[-200:]))

    # b -> a over HTTP: curl on a saves the file, hashed there.
    root = os.path.join(topo.tmp, "www")
    os.makedirs(root)
    os.link(blob, os.path.join(root, "blob"))
    topo.spawn(b, ["/usr/bin/python3", os.path.join(HERE, "httpd.py"), B, "80", root])
    out = os.path.join(topo.tmp, "download")
    wait_http(a, "http://%s/" % B, 15, "httpd on b did not answer through dplb")
    t0 = time.time()
    r, ok = download(a, "http://%s/blob" % B, out, want, ("-s", "-S", "-m", "90"), timeout=120)
    secs = time.time() - t0
    check(ok,
          "TCP b->a (HTTP): %d MB in %.1f s, sha256 matches on a %s" % (BLOB_MB, secs, r.stderr.strip()[-200:]))


def route_change(topo, a, routers, dplb):
    ra, rb = routers
    dplb.dpip("route", "add", FAR_NET, "via", GW_A, "dev", "dpdk1")
    check(("via %s dev dpdk1" % GW_A) in dplb.dpip("route", "get", FAR).stdout, "route get %s: via ra" % FAR)
    check(ping(a, FAR, count=3) == (3, 3), "ping %s from a through ra" % FAR)

    log = os.path.join(topo.tmp, "ping.log")
    ra0, rb0 = in_echos(ra), in_echos(rb)
    p = topo.spawn(a, ["ping", "-n", "-c", str(PING_COUNT), "-i", str(PING_INTERVAL), "-W", "2", FAR], log=log)
    wait_until(lambda: len(replies(log)) >= PING_COUNT // 4 or p.poll() is not None, 30, "pings through ra")
    ra1, rb1 = in_echos(ra), in_echos(rb)
    dplb.dpip("route", "replace", FAR_NET, "via", GW_B, "dev", "dpdk1")
    ra2, rb2 = in_echos(ra), in_echos(rb)
    p.wait(timeout=PING_COUNT * PING_INTERVAL + 30)
    time.sleep(0.2)
    ra3, rb3 = in_echos(ra), in_echos(rb)
    sent, received = ping_summary(open(log).read())
    seq = replies(log)
    # Which router answered each request, in icmp_seq order: its TTL says (one hop through dplb).
    path = "".join({TTL_A - 1: "A", TTL_B - 1: "B"}.get(ttl, "?") for _, ttl in seq)
    n_a, n_b = path.count("A"), path.count("B")
    print("      echo requests: ra %d before the change, %d after; rb %d before, %d after; ping %d/%d; "
          "replies %d from ra then %d from rb" % (ra1 - ra0, ra3 - ra2, rb1 - rb0, rb3 - rb2, received, sent,
                                                   n_a, n_b), flush=True)
    check(rb1 - rb0 == 0 and ra1 - ra0 >= PING_COUNT // 4,
          "before the change every echo request went to ra (%d), none to rb" % (ra1 - ra0))
    # One request may still be on its way to ra when dpip returns: the routers are read after it returns.
    check(ra3 - ra2 <= 1 and rb3 - rb2 >= PING_COUNT // 4,
          "after the change the requests went to rb (%d), ra got %d more" % (rb3 - rb2, ra3 - ra2))
    check(path == "A" * n_a + "B" * n_b and n_a >= PING_COUNT // 4 and n_b >= PING_COUNT // 4,
          "the replies in icmp_seq order: %d from ra, then %d from rb, never back" % (n_a, n_b))
    check([s for s, _ in seq] == sorted(set(s for s, _ in seq)), "no duplicate replies")
    check(n_a <= ra3 - ra0 <= n_a + 2 and n_b <= rb3 - rb0 <= n_b + 2,
          "each router's InEchos matches the replies it sent (ra %d/%d, rb %d/%d)"
          % (ra3 - ra0, n_a, rb3 - rb0, n_b))
    check(sent == PING_COUNT and received >= sent - 2, "ping lost at most 2 packets (%d/%d)" % (received, sent))
    check(("via %s dev dpdk1" % GW_B) in dplb.dpip("route", "get", FAR).stdout, "route get %s: via rb" % FAR)
    ok, s = workers_agree(dplb)
    check(ok, "dpip sync: both workers' digests equal the model's after the change (%s)" % s["model_digest"])


def main() -> int:
    topo = Topology("rout")
    try:
        print("routing through dplb, 2 workers:", flush=True)
        a, b, routers, dplb = build(topo)
        check(ping(a, B) == (5, 5), "ping a -> b through dplb: 5/5")
        check(ping(b, A) == (5, 5), "ping b -> a through dplb: 5/5")
        tcp_transfers(topo, a, b)
        route_change(topo, a, routers, dplb)
        dplb.stop()
        print("ok   routing", flush=True)
        return 0
    except TestFailure as e:
        print("FAIL routing: %s" % e, flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
