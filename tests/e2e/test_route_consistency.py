#!/usr/bin/python3
"""100,000 routes loaded while traffic flows (issue 4).

    host a (10.33.1.2) --veth-- [dpdk0 10.33.1.1] dplb, 2 workers [dpdk1 10.33.2.1] --veth-- host b (10.33.2.2)

dplb forwards between a and b while a pings b every 2 ms. `dpip -batch` loads 100,000 routes (mixed
prefix lengths /20../32, gateways and on-link routes, 5,000 prefixes twice with another metric).
Then: `dpip sync` says every worker agrees with the model; `dpip route show` has exactly one line per
loaded route plus the two on-link routes of the addresses, and `-j route show` is exactly the loaded
set; a loaded route carries traffic (b answers for 16.0.0.1 behind one of them); `dpip route flush`
empties the main table (as `ip route flush table main` does, the addresses' on-link routes go too)
and leaves exactly the local routes of the two addresses; the workers agree again. The load time is
printed (docs/benchmarks.md).
"""
import json
import os
import signal
import sys
import time

from nslib import Dplb, TestFailure, Topology, sh
from routelib import check, ping, ping_summary, workers_agree

A, B = "10.33.1.2", "10.33.2.2"
ROUTES = 100_000
DUPLICATES = 5_000     # the first prefixes again with metric 200
LENGTHS = (20, 24, 28, 32)
FAR = "16.0.0.1"       # inside the first loaded route (16.0.0.0/20 via b); b has it on lo


def ip_text(v):
    return "%d.%d.%d.%d" % (v >> 24, (v >> 16) & 255, (v >> 8) & 255, v & 255)


def routes():
    """(dst, gateway or None, metric) of every loaded route, and the batch text."""
    expected, lines = [], []
    for i in range(ROUTES - DUPLICATES):
        net = (16 << 24) + i * 4096  # each route owns a /20 block: no two prefixes are equal
        plen = LENGTHS[i % len(LENGTHS)]
        dst = ip_text(net) if plen == 32 else "%s/%d" % (ip_text(net), plen)
        gw = B if i % 3 != 1 else None
        entries = [(dst, gw, 0)] + ([(dst, gw, 200)] if i < DUPLICATES else [])
        for d, g, metric in entries:
            expected.append((d, g, metric))
            lines.append("route add %s%s dev dpdk1%s" % (d, " via " + g if g else "",
                                                         " metric %d" % metric if metric else ""))
    return expected, "\n".join(lines) + "\n"


def shown(dplb, *args):
    """(dst, gateway, metric) of each route `dpip -j route show ARGS` lists."""
    return [(r["dst"], r.get("gateway"), r.get("metric", 0))
            for r in json.loads(dplb.dpip("-j", "route", "show", *args).stdout)]


def main() -> int:
    topo = Topology("rcon")
    try:
        print("100,000 routes on 2 workers while traffic flows:", flush=True)
        a, lb, b = topo.ns("a"), topo.ns("lb"), topo.ns("b")
        topo.veth(a, "a0", lb, "p0")
        topo.veth(b, "b0", lb, "p1")
        topo.host(a, "a0", A + "/24", gateway="10.33.1.1")
        topo.host(b, "b0", B + "/24", gateway="10.33.2.1")
        sh("ip", "-n", b, "addr", "add", FAR + "/32", "dev", "lo")
        dplb = Dplb(topo, lb, ["p0", "p1"], {0: ["10.33.1.1/24"], 1: ["10.33.2.1/24"]}, workers=2, qpairs=2,
                    global_keys={"forwarding": True})
        check(ping(a, B) == (5, 5), "ping a -> b through dplb: 5/5")
        base = shown(dplb)
        check(sorted(base) == [("10.33.1.0/24", None, 0), ("10.33.2.0/24", None, 0)],
              "before: the main table holds the two on-link routes of the addresses %s" % base)
        local = dplb.dpip("route", "show", "table", "local").stdout

        expected, text = routes()
        batch = os.path.join(topo.tmp, "routes.batch")
        with open(batch, "w") as f:
            f.write(text)
        log = os.path.join(topo.tmp, "ping.log")
        pinger = topo.spawn(a, ["ping", "-n", "-i", "0.002", "-W", "1", B], log=log)
        time.sleep(1)
        t0 = time.time()
        r = sh(dplb.dpip_bin, "-x", dplb.sock, "-batch", batch, check=False, timeout=120)
        load = time.time() - t0
        time.sleep(0.5)
        pinger.send_signal(signal.SIGINT)
        pinger.wait(timeout=10)
        sent, received = ping_summary(open(log).read())
        check(r.returncode == 0, "dpip -batch: %d routes loaded in %.2f s (%.0f routes/s) %s"
              % (ROUTES, load, ROUTES / load, r.stderr.strip()[-200:]))
        print("      route load time: %d routes onto 2 workers in %.2f s, under a 500 pps ping" % (ROUTES, load),
              flush=True)
        # Forwarding went on during the load (a route change never stops a worker for long).
        check(sent >= 400 and received >= sent * 0.95,
              "ping a -> b every 2 ms during the load: %d/%d answered" % (received, sent))
        ok, s = workers_agree(dplb)
        check(ok, "dpip sync: both workers' digests equal the model's (%s) %s" % (s["model_digest"], s["workers"]))

        lines = dplb.dpip("route", "show").stdout.splitlines()
        check(len(lines) == ROUTES + 2, "dpip route show | wc -l = %d (%d loaded + 2 on-link)" % (len(lines), ROUTES))
        got = shown(dplb)
        check(sorted(got) == sorted(expected + base), "-j route show lists exactly the loaded routes and the on-link ones")
        check(dplb.dpip("route", "show", "table", "local").stdout == local, "the local table is unchanged")
        check(("via %s dev dpdk1" % B) in dplb.dpip("route", "get", FAR).stdout, "route get %s: via b" % FAR)
        check(ping(a, FAR, count=3) == (3, 3), "ping %s through a loaded route: 3/3" % FAR)

        dplb.dpip("route", "flush")
        check(dplb.dpip("route", "show").stdout == "", "route flush: the main table is empty")
        check(dplb.dpip("route", "show", "table", "local").stdout == local,
              "route flush: the local table is untouched:\n%s" % local.rstrip())
        want_local = {("local", "10.33.1.1", "dpdk0"), ("local", "10.33.2.1", "dpdk1")}
        got_local = {(r.get("type"), r["dst"], r.get("dev")) for r in json.loads(
            dplb.dpip("-j", "route", "show", "table", "all").stdout)}
        check(got_local == want_local, "route flush: table all holds exactly the local routes %s" % sorted(got_local))
        ok, s2 = workers_agree(dplb)
        check(ok and s2["model_digest"] != s["model_digest"], "dpip sync: the workers agree after the flush (%s)"
              % s2["model_digest"])
        check(ping(a, FAR, count=2, interval=0.2, wait=1)[1] == 0, "ping %s after the flush: no answer" % FAR)
        dplb.stop()
        print("ok   route consistency (load %.2f s)" % load, flush=True)
        return 0
    except TestFailure as e:
        print("FAIL route consistency: %s" % e, flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
