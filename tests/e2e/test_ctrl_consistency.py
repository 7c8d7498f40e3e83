#!/usr/bin/python3
"""Control-plane consistency under traffic (issue 3).

    host a (10.34.1.2-.5) --veth-- [dpdk0 10.34.1.1] dplb, 2 workers, 2-queue ports [dpdk1 10.34.2.1] --veth-- (idle)

While a pings dplb from four source addresses (flows spread over both RX queues), `dpip -batch` adds
1,000 addresses (half on each port, /24 /25 /30 /32, one of them a secondary in a's own subnet) and
1,000 PERMANENT neighbours. Then: every worker's digest equals the model's (`dpip sync`); `dpip addr
show` lists exactly the original addresses plus the added ones; `dpip neigh show` exactly the added
neighbours (PERMANENT, right MAC and device) plus what dplb learned from a; the added addresses
answer (ARP for the one in a's subnet, ICMP for one behind the gateway), and each address added on
dpdk0 was announced by exactly one gratuitous ARP. Deleting them all leaves exactly the original
addresses, routes and model digest. Pings keep being answered throughout.
"""
import collections
import json
import os
import re
import signal
import sys
import time

from nslib import Dplb, TestFailure, Topology, sh
from routelib import check, ping, ping_summary, wait_until, workers_agree

SOURCES = ["10.34.1.%d" % i for i in (2, 3, 4, 5)]
N = 1000
SECONDARY = "10.34.1.77"  # an added address in a's own subnet: dplb must answer ARP for it


def ip_text(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def planned():
    """The addresses (ip, plen, dev) and neighbours (ip, mac, dev) to add."""
    addrs = [(SECONDARY, 24, "dpdk0")]
    neighs = []
    for i in range(N - 1):
        block = (172 << 24) + (16 << 16) + i * 256       # each address owns a /24 block
        addrs.append((ip_text(block + 1), (24, 25, 30, 32)[i % 4], "dpdk%d" % (i % 2)))
    for i in range(N):
        block = (172 << 24) + (16 << 16) + i * 256
        neighs.append((ip_text(block + 100), "02:00:5e:%02x:%02x:%02x" % (i >> 16, (i >> 8) & 255, i & 255),
                       "dpdk%d" % (i % 2)))
    return addrs, neighs


def addr_set(dplb):
    return {(a["local"], a["prefixlen"], link["ifname"])
            for link in json.loads(dplb.dpip("-j", "addr", "show").stdout) for a in link["addr_info"]}


def neigh_list(dplb):
    return [(n["dst"], n.get("lladdr"), n["dev"], tuple(n["state"]))
            for n in json.loads(dplb.dpip("-j", "neigh", "show").stdout)]


def learned_from_a(neighs, a_mac):
    """dplb's own entries for a's source addresses: learned (never PERMANENT), a's MAC."""
    return [n for n in neighs if n[0] in SOURCES and n[1] == a_mac and n[2] == "dpdk0" and n[3] != ("PERMANENT",)]


def main() -> int:
    topo = Topology("ccon")
    try:
        print("1,000 addresses and neighbours on 2 workers under traffic:", flush=True)
        a, lb, idle = topo.ns("a"), topo.ns("lb"), topo.ns("idle")
        topo.veth(a, "a0", lb, "p0")
        topo.veth(idle, "i0", lb, "p1")
        for s in SOURCES:
            sh("ip", "-n", a, "addr", "add", s + "/24", "dev", "a0")
        sh("ip", "-n", a, "route", "add", "default", "via", "10.34.1.1")
        a_mac = json.loads(sh("ip", "-n", a, "-j", "link", "show", "a0").stdout)[0]["address"]
        dplb = Dplb(topo, lb, ["p0", "p1"], {0: ["10.34.1.1/24"], 1: ["10.34.2.1/24"]}, workers=2, qpairs=2)
        check(ping(a, "10.34.1.1", count=3) == (3, 3), "ping dplb from a: 3/3")
        base_addrs = addr_set(dplb)
        base_routes = dplb.dpip("route", "show", "table", "all").stdout
        ok, s0 = workers_agree(dplb)
        check(ok, "dpip sync before: workers agree (model %s)" % s0["model_digest"])

        addrs, neighs = planned()
        add = os.path.join(topo.tmp, "add.batch")
        with open(add, "w") as f:
            f.writelines("addr add %s/%d dev %s\n" % x for x in addrs)
            f.writelines("neigh add %s lladdr %s dev %s\n" % x for x in neighs)
        delete = os.path.join(topo.tmp, "del.batch")
        with open(delete, "w") as f:
            f.writelines("neigh del %s dev %s\n" % (ip, dev) for ip, _, dev in reversed(neighs))
            f.writelines("addr del %s/%d dev %s\n" % x for x in reversed(addrs))

        # Every ARP dplb sends toward a while the addresses come and go.
        arp_pcap, arp_log = os.path.join(topo.tmp, "arp.pcap"), os.path.join(topo.tmp, "tcpdump.log")
        tcpdump = topo.spawn(a, ["tcpdump", "-i", "a0", "-n", "-U", "-w", arp_pcap, "arp", "and", "ether", "src",
                                 dplb.links()[0]["address"]], log=arp_log)
        wait_until(lambda: "listening on" in open(arp_log).read(), 10, "tcpdump to start")
        logs = [os.path.join(topo.tmp, "ping%d.log" % i) for i in range(len(SOURCES))]
        pingers = [topo.spawn(a, ["ping", "-n", "-i", "0.004", "-W", "1", "-I", src, "10.34.1.1"], log=log)
                   for src, log in zip(SOURCES, logs)]
        time.sleep(1)
        t0 = time.time()
        r = sh(dplb.dpip_bin, "-x", dplb.sock, "-batch", add, check=False, timeout=120)
        t_add = time.time() - t0
        check(r.returncode == 0, "dpip -batch: %d addresses and %d neighbours added in %.2f s %s"
              % (len(addrs), len(neighs), t_add, r.stderr.strip()[-300:]))
        ok, s1 = workers_agree(dplb)
        check(ok, "dpip sync: both workers' digests equal the model's (%s)" % s1["model_digest"])
        check(s1["model_digest"] != s0["model_digest"], "the model digest changed with the additions")
        got = addr_set(dplb)
        want = base_addrs | set(addrs)
        check(got == want, "dpip addr show: exactly the %d original + %d added addresses (missing %s, extra %s)"
              % (len(base_addrs), len(addrs), sorted(want - got)[:3], sorted(got - want)[:3]))
        shown = neigh_list(dplb)
        learned = learned_from_a(shown, a_mac)
        want_n = sorted([(ip, mac, dev, ("PERMANENT",)) for ip, mac, dev in neighs] + learned)
        check(sorted(shown) == want_n, "dpip neigh show: exactly the %d added (PERMANENT) + %d learned from a %s"
              % (len(neighs), len(learned), sorted(set(shown) - set(want_n))[:3]))
        check(len(neigh_list_text := dplb.dpip("neigh", "show").stdout.splitlines()) == len(want_n),
              "dpip neigh show (text): %d lines" % len(neigh_list_text))
        sh("ip", "-n", a, "neigh", "flush", "dev", "a0")
        check(ping(a, SECONDARY, count=3)[1] == 3, "ping %s (added, ARP answered): 3/3" % SECONDARY)
        check(ping(a, addrs[2][0], count=3)[1] == 3, "ping %s (added on dpdk0 behind the gateway): 3/3" % addrs[2][0])

        t0 = time.time()
        r = sh(dplb.dpip_bin, "-x", dplb.sock, "-batch", delete, check=False, timeout=120)
        t_del = time.time() - t0
        check(r.returncode == 0, "dpip -batch: all deleted in %.2f s %s" % (t_del, r.stderr.strip()[-300:]))
        time.sleep(0.5)
        for p in pingers:
            p.send_signal(signal.SIGINT)
        for p in pingers:
            p.wait(timeout=10)
        sums = [ping_summary(open(log).read()) for log in logs]
        sent, received = sum(x[0] for x in sums), sum(x[1] for x in sums)
        check(sent >= 1000 and received >= sent * 0.99,
              "pings from 4 sources during the changes: %d/%d answered" % (received, sent))

        ok, s2 = workers_agree(dplb)
        check(ok, "dpip sync after deletion: workers agree (%s)" % s2["model_digest"])
        check(s2["model_digest"] == s0["model_digest"], "the model digest is back to its value before the additions")
        tcpdump.terminate()
        tcpdump.wait(timeout=10)
        garps = collections.Counter(
            m.group(1) for m in re.finditer(r"Request who-has (\S+) tell (\S+),",
                                            sh("tcpdump", "-n", "-r", arp_pcap, check=False).stdout)
            if m.group(1) == m.group(2))
        want_garps = collections.Counter(ip for ip, _, dev in addrs if dev == "dpdk0")
        check(garps == want_garps, "one gratuitous ARP on dpdk0 per address added there (%d), none for others: "
              "%d sent, extra %s" % (len(want_garps), sum(garps.values()), list((garps - want_garps).items())[:3]))
        check(addr_set(dplb) == base_addrs, "dpip addr show: exactly the original addresses %s" % sorted(base_addrs))
        shown = neigh_list(dplb)
        check(shown == learned_from_a(shown, a_mac),
              "dpip neigh show: nothing added is left, only learned entries for a %s" % shown[:3])
        check(dplb.dpip("route", "show", "table", "all").stdout == base_routes,
              "route show table all: exactly the original routes")
        links = json.loads(dplb.dpip("-j", "-s", "-v", "link", "show").stdout)
        print("      add %.2f s, delete %.2f s" % (t_add, t_del), flush=True)
        per_worker = [w["rx_packets"] for link in links if link["ifname"] == "dpdk0" for w in link["workers"]]
        print("      dpdk0 packets received per worker: %s" % per_worker, flush=True)
        check(ping(a, SECONDARY, count=2, wait=1)[1] == 0, "ping %s after deletion: no answer" % SECONDARY)
        dplb.stop()
        print("ok   ctrl consistency", flush=True)
        return 0
    except TestFailure as e:
        print("FAIL ctrl consistency: %s" % e, flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
