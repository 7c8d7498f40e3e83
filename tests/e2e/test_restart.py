#!/usr/bin/python3
"""Restart (issue 8): SIGTERM, then a start with the same config restores the same addresses, routes
and services, and traffic resumes.

The NAT bed of natlib (client, dplb with 2 workers, three HTTP/UDP real servers) with forwarding on;
the config names a dpip batch file (a second VIP, gateway, on-link and metric routes) and an ipvs
rules file (TCP services on both VIPs, a UDP service, timeouts set with --set). After the first start
the test records `dpip -j addr show`, `dpip -j route show table all`, `ipvsadm -Ln` and
`ipvsadm -L --timeout`, and checks that each of them shows what the files asked for (so an empty
restore cannot pass). Traffic: HTTP to both VIPs lands on the servers the rules name, the UDP service
answers, and a ping to 198.51.100.1 (on rs0's loopback, behind a batch route) is forwarded. Then
SIGTERM: exit status 0 and no mbuf in use. The same config starts the daemon again: all four outputs
are identical to the first start's, and the same traffic works again (each probe is retried for a
bounded time: the client's and servers' neighbour caches may need to re-resolve).
"""
import json
import sys
import time

from natlib import VIP, NatBed, server_addr
from nslib import TestFailure, Topology, sh
from routelib import check, ping, wait_until

VIP2 = "10.10.0.101"
FAR = "198.51.100.1"  # on rs0's loopback; dplb reaches it through a route of the batch file

BATCH = [
    "addr add %s/32 dev dpdk0" % VIP2,
    "route add 198.51.100.0/24 via %s dev dpdk1" % server_addr(0),
    "route add 203.0.113.0/24 via %s dev dpdk1 metric 50" % server_addr(1),
    "route add 192.0.2.0/28 dev dpdk1",
]
RULES = [
    "-A -t %s:80 -s rr" % VIP,
    "-a -t %s:80 -r %s:80 -m -w 1" % (VIP, server_addr(0)),
    "-a -t %s:80 -r %s:80 -m -w 1" % (VIP, server_addr(1)),
    "-a -t %s:80 -r %s:80 -m -w 1" % (VIP, server_addr(2)),
    "-A -t %s:80 -s wrr" % VIP2,
    "-a -t %s:80 -r %s:80 -m -w 3" % (VIP2, server_addr(2)),
    "-a -t %s:80 -r %s:80 -m -w 0" % (VIP2, server_addr(1)),
    "-A -u %s:53 -s rr" % VIP,
    "-a -u %s:53 -r %s:53 -m -w 1" % (VIP, server_addr(1)),
    "--set 600 90 200",
]


def wait_links_up(dplb):
    """The control socket answers a moment before the ports are started (links still DOWN)."""
    wait_until(lambda: all(l["operstate"] == "UP" for l in json.loads(dplb.dpip("-j", "link", "show").stdout)),
               20, "the ports to be UP")


def snapshot(dplb):
    wait_links_up(dplb)
    return {
        "addr": json.loads(dplb.dpip("-j", "addr", "show").stdout),
        "route": json.loads(dplb.dpip("-j", "route", "show", "table", "all").stdout),
        "services": dplb.ipvsadm("-Ln").stdout,
        "timeouts": dplb.ipvsadm("-L", "--timeout").stdout,
    }


def check_configured(snap):
    """The snapshot shows what the config and its files asked for."""
    addrs = json.dumps(snap["addr"])
    check(all(a in addrs for a in ('"10.10.0.1"', '"%s"' % VIP, '"%s"' % VIP2, '"10.20.0.1"')),
          "addresses from [ports] and the batch file are configured")
    routes = {(r["dst"], r.get("gateway"), r.get("metric", 0)) for r in snap["route"]}
    want = {("198.51.100.0/24", server_addr(0), 0), ("203.0.113.0/24", server_addr(1), 50),
            ("192.0.2.0/28", None, 0)}
    check(want <= routes, "the batch file's routes are configured %s" % sorted(want - routes))
    services = snap["services"]
    check(services.count("-> %s:80" % server_addr(0)) == 1 and services.count("-> %s:80" % server_addr(2)) == 2
          and "UDP  %s:53" % VIP in services and "TCP  %s:80 wrr" % VIP2 in services,
          "the rules file's services and real servers are configured")
    check("600" in snap["timeouts"] and "90" in snap["timeouts"] and "200" in snap["timeouts"],
          "the rules file's timeouts are set: %s" % snap["timeouts"].strip())


def retry(fn, what, timeout=20.0):
    """fn() -> (ok, detail); retried until ok or the bounded time is up."""
    deadline = time.time() + timeout
    while True:
        ok, detail = fn()
        if ok:
            return detail
        if time.time() > deadline:
            raise TestFailure("%s: still failing after %.0f s: %s" % (what, timeout, detail))
        time.sleep(0.3)


def traffic(bed):
    def http(vip):
        r = bed.in_client("curl", "-s", "-m", "3", "http://%s/id" % vip, timeout=10)
        return r.returncode == 0, r.stdout.strip() or "curl exit %d" % r.returncode

    # rr state is per worker and the kernel spreads connections over the 2 queues: no exact order.
    answers = [retry(lambda: http(VIP), "HTTP to %s" % VIP) for _ in range(9)]
    check(set(answers) <= {"server0", "server1", "server2"} and len(set(answers)) >= 2,
          "rr on %s: 9 requests answered by the real servers %s" % (VIP, sorted(answers)))
    answers = [retry(lambda: http(VIP2), "HTTP to %s" % VIP2) for _ in range(3)]
    check(answers == ["server2"] * 3, "wrr on %s: weight 0 server never used %s" % (VIP2, answers))

    def udp():
        try:
            return True, bed.udp_query(b"hello").decode()
        except TestFailure as e:
            return False, str(e)

    answer = retry(udp, "UDP to %s:53" % VIP)
    check(answer == "%s server1:hello" % VIP, "UDP service answers from server1 via the VIP: %r" % answer)
    retry(lambda: (ping(bed.client, FAR, count=1, wait=1)[1] == 1, "no echo reply"), "ping %s" % FAR)
    check(ping(bed.client, FAR, count=3) == (3, 3), "ping %s (behind a batch route) 3/3" % FAR)


def main() -> int:
    topo = Topology("rsta")
    try:
        print("restart with the same config restores addresses, routes and services:", flush=True)
        bed = NatBed(topo, workers=2, qpairs=2, batch=BATCH, ipvs_rules=RULES, global_keys={"forwarding": True})
        sh("ip", "-n", bed.servers[0], "addr", "add", FAR + "/32", "dev", "lo")
        before = snapshot(bed.dplb)
        check_configured(before)
        traffic(bed)
        bed.dplb.stop()
        print("  ok  SIGTERM: exit 0, no mbuf in use", flush=True)

        t0 = time.time()
        bed.dplb.start()
        print("      restarted in %.1f s" % (time.time() - t0), flush=True)
        after = snapshot(bed.dplb)
        for key in ("addr", "route", "services", "timeouts"):
            check(after[key] == before[key], "after the restart %s is identical%s" % (
                key, "" if after[key] == before[key] else ":\nbefore %s\nafter  %s" % (before[key], after[key])))
        traffic(bed)
        check(bed.dplb.dpip("sync", check=False).returncode == 0, "dpip sync: the workers agree with the model")
        bed.dplb.stop()
        print("ok   restart", flush=True)
        return 0
    except TestFailure as e:
        print("FAIL restart: %s" % e, flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
