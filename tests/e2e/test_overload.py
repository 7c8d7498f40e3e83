#!/usr/bin/python3
"""Overload in namespaces, with real kernel peers (issue 8). Counters are asserted, never timings.

1. Connection table full: dplb with [ipvs] conn_capacity = 2 and short timeouts (ipvsadm --set 3 2 2)
   in front of a TCP echo server. Two client connections fill the table; a third connect gets no
   SYN-ACK (its SYNs are counted as ipvs_conn_full); the first connection keeps echoing; once both
   entries expire (ipvsadm -Lnc empty, waited for, bounded), a new connection succeeds.
2. mbuf pool exhausted: a 1024-mbuf pool (the minimum) and forwarding; the client sends 8 UDP
   packets to each of 160 addresses behind dplb that nobody answers ARP for, so neighbour queues
   hold all 1280 packets' worth of mbufs until resolution fails (3 ARP requests, 1 s apart). While
   the pool is empty the port cannot receive: its rx_nombuf ("missed" in dpip) counts. dplb must
   stay up, drop the queued packets as neigh_failed, and forward again afterwards (a ping through
   it to a real host), and end with every mbuf back in the pool (checked by Dplb.stop()).
"""
import json
import os
import subprocess
import sys
import time

from natlib import VIP, NatBed
from nslib import Dplb, TestFailure, Topology, sh
from routelib import check

ECHO_PORT = 7
ECHO_SERVER = r"""
import socket, sys, threading
srv = socket.socket(); srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], int(sys.argv[2]))); srv.listen(16)
def serve(c):
    while True:
        d = c.recv(4096)
        if not d:
            break
        c.sendall(d)
    c.close()
while True:
    c, _ = srv.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
"""

CONN_CLIENT = r"""
import json, socket, sys
vip, port = sys.argv[1], int(sys.argv[2])
def connect(timeout):
    s = socket.create_connection((vip, port), timeout=timeout)
    s.settimeout(5)
    return s
def echo(s, msg):
    s.sendall(msg)
    got = b""
    while len(got) < len(msg):
        d = s.recv(100)
        if not d:
            break
        got += d
    return got == msg
out = {}
a, b = connect(5), connect(5)
out["a"], out["b"] = echo(a, b"first"), echo(b, b"second")
try:
    connect(1.5)
    out["third"] = "connected"
except OSError as e:
    out["third"] = "failed: %s" % e
out["a_again"] = echo(a, b"still here")
print(json.dumps(out), flush=True)
sys.stdin.readline()  # the harness saw the table empty
d = connect(5)
print(json.dumps({"after_expiry": echo(d, b"after expiry")}), flush=True)
"""


def drops(dplb: Dplb) -> dict:
    total = {}
    for link in dplb.links():
        for reason, n in link.get("drops", {}).items():
            total[reason] = total.get(reason, 0) + n
    return total


def conn_entries(bed: NatBed) -> int:
    return sum(1 for line in bed.ipvsadm("-Lnc").splitlines() if line.startswith("TCP"))


def scenario_conn_table_full(topo: Topology) -> None:
    print("connection table full (capacity 2):", flush=True)
    bed = NatBed(topo, servers=1, extra_config="[ipvs]\nconn_capacity = 2")
    topo.spawn(bed.servers[0], ["/usr/bin/python3", "-c", ECHO_SERVER, "10.20.0.11", str(ECHO_PORT)])
    bed.ipvsadm("-R", input="-A -t %s:%d -s rr\n-a -t %s:%d -r 10.20.0.11:%d -m\n" %
                (VIP, ECHO_PORT, VIP, ECHO_PORT, ECHO_PORT))
    bed.ipvsadm("--set", "3", "2", "2")
    time.sleep(0.5)  # the echo server listens (a refused connect would show as a failure below)
    client = subprocess.Popen(["ip", "netns", "exec", bed.client, "/usr/bin/python3", "-c", CONN_CLIENT, VIP,
                               str(ECHO_PORT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    topo.procs.append(client)
    first = json.loads(client.stdout.readline() or "{}")
    check(first.get("a") and first.get("b"), "two connections fill the table and echo (%s)" % first)
    check(str(first.get("third", "")).startswith("failed"), "a third connection gets no answer (%s)" %
          first.get("third"))
    full = drops(bed.dplb).get("ipvs_conn_full", 0)
    check(full >= 1, "its SYNs are counted: ipvs_conn_full = %d" % full)
    check(first.get("a_again"), "the first connection still echoes while the table is full")
    deadline = time.time() + 20
    while conn_entries(bed) and time.time() < deadline:
        time.sleep(0.2)
    check(conn_entries(bed) == 0, "both entries expire (tcp timeout 3 s)")
    client.stdin.write("go\n")
    client.stdin.flush()
    second = json.loads(client.stdout.readline() or "{}")
    check(second.get("after_expiry"), "a new connection succeeds after the expiry")
    client.wait(timeout=10)
    bed.dplb.stop()
    print("  ok  dplb stopped cleanly, no mbuf left in use", flush=True)


FLOOD = r"""
import socket, sys
hosts, per_host = int(sys.argv[1]), int(sys.argv[2])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(per_host):
    for h in range(hosts):
        s.sendto(b"pressure", ("10.31.%d.%d" % (1 + h // 200, 1 + h % 200), 9))
"""


def scenario_mbuf_exhaustion(topo: Topology) -> None:
    print("mbuf pool exhausted (1024 mbufs, 1280 packets held by unresolved neighbours):", flush=True)
    client = topo.ns("client")
    lb = topo.ns("lb")
    sink = topo.ns("sink")
    topo.veth(client, "c0", lb, "p0")
    topo.veth(lb, "p1", sink, "s0")
    topo.host(client, "c0", "10.30.0.2/24", gateway="10.30.0.1")
    topo.host(sink, "s0", "10.31.255.254/16", gateway="10.31.0.1")
    dplb = Dplb(topo, lb, ["p0", "p1"], {0: ["10.30.0.1/24"], 1: ["10.31.0.1/16"]},
                global_keys={"forwarding": True}, dataplane_keys={"mbufs_per_pool": 1024, "mbuf_cache": 0})
    r = sh("ip", "netns", "exec", client, "ping", "-c", "1", "-W", "2", "10.31.255.254", check=False)
    check(r.returncode == 0, "before: a ping through dplb to the sink host is answered")
    sh("ip", "netns", "exec", client, "/usr/bin/python3", "-c", FLOOD, "160", "8")
    # Pressure ends when the neighbours fail (about 3 s after their first request), bounded.
    deadline = time.time() + 30
    ok = False
    while time.time() < deadline and not ok:
        r = sh("ip", "netns", "exec", client, "ping", "-c", "1", "-W", "1", "10.31.255.254", check=False)
        ok = r.returncode == 0
    check(ok, "after: forwarding resumes (a ping through dplb is answered again)")
    links = dplb.links()
    nombuf = sum(l["stats64"]["rx"].get("over_errors", 0) for l in links)
    d = drops(dplb)
    print("  info: rx missed (incl. rx_nombuf) %d, drops %s" % (nombuf, d), flush=True)
    check(nombuf > 0, "the empty pool was seen: rx_nombuf counted (%d)" % nombuf)
    check(d.get("neigh_failed", 0) > 0, "the queued packets were dropped as neigh_failed (%d)" %
          d.get("neigh_failed", 0))
    check(dplb.proc.poll() is None, "dplb is still running")
    dplb.stop()
    print("  ok  dplb stopped cleanly, no mbuf left in use", flush=True)


def main() -> int:
    failed = []
    for name, scenario in (("conn_table_full", scenario_conn_table_full),
                           ("mbuf_exhaustion", scenario_mbuf_exhaustion)):
        topo = Topology("ovl" + name[:1])
        try:
            scenario(topo)
        except (TestFailure, subprocess.TimeoutExpired, ValueError) as e:
            print("FAIL overload %s: %s" % (name, e), flush=True)
            failed.append(name)
        finally:
            topo.close()
    print("overload: %d passed, %d failed" % (2 - len(failed), len(failed)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
