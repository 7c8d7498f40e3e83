#!/usr/bin/python3
"""Overload in namespaces, with real kernel peers (issue 8). Counters are asserted, never timings.

1. Connection table full: dplb with [ipvs] conn_capacity = 2 and short timeouts (ipvsadm --set 3 2 2)
   in front of a TCP echo server. Two client connections fill the table; a third connect gets no
   SYN-ACK (its SYNs are counted as ipvs_conn_full); the first connection keeps echoing; once both
   entries expire (ipvsadm -Lnc empty, waited for, bounded), a new connection succeeds.
2. mbuf pool exhausted: a 1024-mbuf pool (the minimum) and forwarding; a net_pcap port delivers 8
   UDP packets to each of 180 addresses behind dplb that nobody answers ARP for, so neighbour
   queues hold 1440 packets' worth of mbufs until resolution fails (3 ARP requests, 1 s apart).
   While the pool is empty no port can receive: the pcap port counts rx_nombuf ("missed" in dpip).
   dplb must stay up, drop the queued packets as neigh_failed, forward again afterwards (a ping
   from a namespace through it to a real host), and end with every mbuf back in the pool (checked
   by Dplb.stop()).
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
    check(conn_entries(bed) == 2, "ipvsadm -Lnc lists the 2 connections of the full table")
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


FLOOD_HOSTS, FLOOD_PER_HOST = 180, 8


def write_flood(path: str) -> int:
    """FLOOD_PER_HOST UDP packets to each of FLOOD_HOSTS addresses behind dplb that nobody answers."""
    from scapy.all import IP, UDP, Ether, Raw, wrpcap
    pkts = [Ether(dst="02:00:00:00:99:99", src="02:00:00:00:99:98") /
            IP(src="10.30.0.2", dst="10.31.%d.%d" % (1 + h // 200, 1 + h % 200)) / UDP(sport=9, dport=9) /
            Raw(b"pressure") for _ in range(FLOOD_PER_HOST) for h in range(FLOOD_HOSTS)]
    wrpcap(path, pkts, linktype=1)
    return len(pkts)


def scenario_mbuf_exhaustion(topo: Topology) -> None:
    print("mbuf pool exhausted (1024 mbufs; %d packets for %d unresolved neighbours):" %
          (FLOOD_HOSTS * FLOOD_PER_HOST, FLOOD_HOSTS), flush=True)
    client = topo.ns("client")
    lb = topo.ns("lb")
    sink = topo.ns("sink")
    topo.veth(client, "c0", lb, "p0")
    topo.veth(lb, "p1", sink, "s0")
    topo.host(client, "c0", "10.30.0.2/24", gateway="10.30.0.1")
    topo.host(sink, "s0", "10.31.255.254/16", gateway="10.31.0.1")
    # The flood comes from a net_pcap port (dpdk2): it reads the whole file as fast as dplb polls,
    # and, unlike DPDK 22.11's af_packet, counts the frames it could not get an mbuf for (rx_nombuf).
    flood = os.path.join(topo.tmp, "flood.pcap")
    n_flood = write_flood(flood)
    dplb = Dplb(topo, lb, ["p0", "p1"], {0: ["10.30.0.1/24"], 1: ["10.31.0.1/16"]},
                global_keys={"forwarding": True}, dataplane_keys={"mbufs_per_pool": 1024, "mbuf_cache": 0},
                vdevs=["net_pcap0,rx_pcap=%s" % flood], port_config={2: ["promisc = true"]})
    # Pressure ends when the neighbours fail (3 ARP requests 1 s apart) and give their mbufs back.
    deadline = time.time() + 30
    ok = False
    while time.time() < deadline and not ok:
        r = sh("ip", "netns", "exec", client, "ping", "-c", "1", "-W", "1", "10.31.255.254", check=False)
        ok = r.returncode == 0
    check(ok, "afterwards forwarding works: a ping through dplb is answered")
    # Every flood packet dplb received ends counted: dropped when its neighbour fails (bounded wait).
    deadline = time.time() + 20
    while True:
        flood_link = dplb.links()[2]
        dropped = sum(flood_link.get("drops", {}).values())
        if dropped >= flood_link["stats64"]["rx"]["packets"] or time.time() > deadline:
            break
        time.sleep(0.2)
    nombuf = flood_link["stats64"]["rx"]["over_errors"]
    received = flood_link["stats64"]["rx"]["packets"]
    d = {k: v for k, v in drops(dplb).items() if v}
    print("  info: flood port received %d, missed (rx_nombuf) %d of %d; drops %s" % (received, nombuf, n_flood, d),
          flush=True)
    check(nombuf > 0, "the empty pool was seen by the port: rx_nombuf counted (%d)" % nombuf)
    check(dropped == received, "every flood packet received is counted as a drop (%d of %d): %s" %
          (dropped, received, {k: v for k, v in flood_link.get("drops", {}).items() if v}))
    check(d.get("neigh_failed", 0) > 0, "the queued packets were dropped as neigh_failed (%d)" %
          d.get("neigh_failed", 0))
    check(dplb.proc.poll() is None, "dplb is still running")
    # Shutdown while packets wait for ARP: the neighbour queue must give them back too.
    sh("ip", "netns", "exec", client, "/usr/bin/python3", "-c",
       "import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
       "for _ in range(4): s.sendto(b'queued', ('10.31.7.7', 9))")
    deadline = time.time() + 5
    pending = ""
    while time.time() < deadline and "10.31.7.7" not in pending:
        pending = dplb.dpip("neigh", "show").stdout
        time.sleep(0.05)
    check("10.31.7.7" in pending, "packets wait for an unresolved neighbour: %s" %
          [l for l in pending.splitlines() if "10.31.7.7" in l])
    dplb.stop()
    print("  ok  dplb stopped cleanly with those packets queued, no mbuf left in use", flush=True)


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
