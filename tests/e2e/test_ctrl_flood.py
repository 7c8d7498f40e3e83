#!/usr/bin/python3
"""A packet flood must not make commands time out (issue 3; DPVS users hit exactly that).

dplb runs 2 workers on a net_null port (DPDK's null PMD hands out a full burst of 64-byte packets on
every poll: `net_null0,size=64,copy=0`, 2 queues) with idle back-off off, so both workers are
saturated. 200 dpip commands (addr add/del, route add/del) must all succeed: each waits for every
worker to apply it within the multicast timeout (ctrl.msg_timeout_ms, default 2000 ms) and fails
otherwise. Checked too: both workers received packets during the commands (millions), no worker was
ever marked out of sync (replays 0), every worker's digest equals the model's, the configuration is
back to the start, and the daemon exits cleanly. The command latencies are printed.
"""
import json
import statistics
import sys
import time

from nslib import Dplb, TestFailure, Topology, sh
from routelib import check

ROUNDS = 50  # 4 commands each


def rx_per_worker(dplb):
    links = json.loads(dplb.dpip("-j", "-s", "-v", "link", "show", "dpdk0").stdout)
    return [w["rx_packets"] for w in links[0]["workers"]]


def main() -> int:
    topo = Topology("cflo")
    try:
        print("200 commands while 2 workers are saturated by net_null:", flush=True)
        lb = topo.ns("lb")
        dplb = Dplb(topo, lb, [], {0: ["198.18.0.1/24"]}, workers=2, qpairs=2,
                    vdevs=["net_null0,size=64,copy=0"], dataplane_keys={"idle_backoff": False})
        base_addrs = dplb.dpip("addr", "show").stdout
        base_routes = dplb.dpip("route", "show", "table", "all").stdout
        rx0 = rx_per_worker(dplb)
        time.sleep(0.5)
        rx1 = rx_per_worker(dplb)
        check(all(b - a > 10000 for a, b in zip(rx0, rx1)),
              "net_null floods both workers: %s packets in 0.5 s" % [b - a for a, b in zip(rx0, rx1)])

        latencies, failures = [], []
        t_start = time.time()
        for i in range(ROUNDS):
            addr = "198.19.%d.1/24" % i
            net = "198.20.%d.0/24" % i
            for args in (("addr", "add", addr, "dev", "dpdk0"),
                         ("route", "add", net, "via", "198.18.0.2", "dev", "dpdk0"),
                         ("route", "del", net),
                         ("addr", "del", addr, "dev", "dpdk0")):
                t0 = time.time()
                r = sh(dplb.dpip_bin, "-x", dplb.sock, *args, check=False, timeout=30)
                latencies.append(time.time() - t0)
                if r.returncode != 0:
                    failures.append("%s: %s" % (" ".join(args), r.stderr.strip()))
        secs = time.time() - t_start
        rx2 = rx_per_worker(dplb)
        t0 = time.time()
        for _ in range(20):
            dplb.dpip("link", "show")
        get_ms = (time.time() - t0) / 20 * 1e3
        rates = ["%.1f" % ((b - a) / secs / 1e6) for a, b in zip(rx1, rx2)]
        print("      dpip latency: median %.1f ms, max %.1f ms (a read-only link show: %.1f ms); workers received %s "
              "Mpps meanwhile" % (statistics.median(latencies) * 1e3, max(latencies) * 1e3, get_ms, rates), flush=True)
        check(not failures, "%d commands under the flood all succeeded %s" % (len(latencies), failures[:3]))
        check(all(b - a > 100000 for a, b in zip(rx1, rx2)),
              "both workers kept receiving during the commands: %s packets" % [b - a for a, b in zip(rx1, rx2)])
        r = dplb.dpip("-j", "sync", check=False)
        s = json.loads(r.stdout)
        check(r.returncode == 0 and all(w["digest"] == s["model_digest"] and w["replays"] == 0 for w in s["workers"]),
              "every worker agrees with the model and none was ever replayed: %s" % s["workers"])
        check(dplb.dpip("addr", "show").stdout == base_addrs and
              dplb.dpip("route", "show", "table", "all").stdout == base_routes,
              "addresses and routes are back to the start")
        dplb.stop()
        print("ok   ctrl flood", flush=True)
        return 0
    except TestFailure as e:
        print("FAIL ctrl flood: %s" % e, flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
