#!/usr/bin/python3
"""Route and real-server churn under traffic (issue 8).

The NAT bed of natlib (client, dplb with 2 workers on 2-queue ports, forwarding on, three HTTP real
servers behind a bridge) plus two probe hosts A (10.20.0.21) and B (10.20.0.22) on the same bridge,
each accepting any address of 172.16.8.0/24 and 172.16.9.0/24 (local routes on lo) and logging every
UDP probe it receives.

Traffic during the churn: two clients download a 4 MB file from the stable rr service VIP:80 again
and again (rate-limited), each download checked by sha256; a probe sender in the client namespace
sends timestamped UDP datagrams to 172.16.8.1 and 172.16.9.1.

The churn driver (this process) runs two streams at once for CHURN_SECONDS, each ticking every
0.1 s: one `dpip -batch` per tick (35 route adds and the previous tick's 35 deletes: /24s of
198.18.0.0/15 via rs0, and /29s inside the upper halves of 172.16.8.0/24 and 172.16.9.0/24 via B;
every 5th batch ends with a toggle of 172.16.9.0/24: via A -> via B -> deleted -> via A ...) and one
`ipvsadm -R` per tick (10 real servers added to and the previous tick's 10 deleted from VIP:8080, 10
weight edits on VIP:8081): 1,000 changes/s offered. The rate achieved by each stream is printed
(the issue asks for 1,000/s); a stream whose tick takes longer than 0.1 s goes on at once, so a slow
daemon shows as a lower rate, never as a failure (on a loaded machine it cannot be a hard bound).

"Every packet forwarded matches the table in force" - the sound version checked here: a route change
is in force for every packet processed after its command returned (dpip returns once every worker
applied it) and for none processed before its command was sent. A probe is processed by dplb after
it was sent (T_SEND, taken before sendto) and before it was received (T_RECV); so the tables that
can have been in force for it are those of the toggles from the last one that returned before
T_SEND up to the last one sent before T_RECV. A probe received at A or B whose possible tables all
route elsewhere (or have no route) is a violation; the stable 172.16.8.0/24 is via A throughout, so
its probes must never reach B (the /29 more-specifics churned next to it go to B and must not cover
.1). Probes sent while the prefix is deleted are counted by dplb as ipv4_no_route drops. (The
check can fail: recording each toggle with its successor's state instead gave ~2,500 violations in
12 s.) Then: the daemon is alive, `dpip sync` says both workers equal the model and none was ever
replayed (marked out of sync), every download arrived intact, and the addresses, routes and
services are back to where they started.
"""
import collections
import json
import os
import random
import sys
import threading
import time

from downloads import download, sha256_file
from natlib import VIP, NatBed, server_addr
from nslib import TestFailure, Topology, sh
from routelib import check, workers_agree

HERE = os.path.dirname(os.path.abspath(__file__))
CHURN_SECONDS = 30
TICK = 0.1
TOGGLE_EVERY = 5            # route ticks between toggles of TOGGLED_NET
ROUTES_PER_TICK = 35        # added, and as many deleted: 70 route changes per tick
SERVERS_PER_TICK = 10       # added, and as many deleted: 20 real-server changes per tick
WEIGHT_EDITS_PER_TICK = 10
OFFERED_PER_SECOND = int((2 * ROUTES_PER_TICK + 2 * SERVERS_PER_TICK + WEIGHT_EDITS_PER_TICK) / TICK)
PROBE_PORT = 9999
PROBE_PPS = 300
A, B = "10.20.0.21", "10.20.0.22"
STABLE_DST, TOGGLED_DST = "172.16.8.1", "172.16.9.1"
TOGGLED_NET = "172.16.9.0/24"
TOGGLE_STATES = ("B", None, "A")  # the initial state is A; then B, deleted, A, B, ...
NEXT_HOP = {"A": A, "B": B}


def tick_routes(i):
    """The route prefixes route tick i adds (and tick i+1 deletes): (prefix, gateway)."""
    half = i % 2
    routes = [("198.%d.%d.0/24" % (18 + half, j), server_addr(0)) for j in range(ROUTES_PER_TICK - 10)]
    routes += [("172.16.8.%d/29" % (128 + 8 * (k + 5 * half)), B) for k in range(5)]
    routes += [("172.16.9.%d/29" % (128 + 8 * (k + 5 * half)), B) for k in range(5)]
    return routes


def tick_servers(i):
    """The real servers ipvs tick i adds to VIP:8080 (and tick i+1 deletes)."""
    half = i % 2
    return ["10.20.2.%d" % (1 + SERVERS_PER_TICK * half + k) for k in range(SERVERS_PER_TICK)]


class Churn:
    """Two streams at once, each ticking every TICK seconds (or as fast as it can when a tick takes
    longer): route changes with `dpip -batch` and ipvs changes with `ipvsadm -R`. Their rates are
    measured separately: ipvsadm sends one request per rule (each waits for every worker), dpip
    groups consecutive route changes into one request."""

    def __init__(self, bed):
        self.bed = bed
        self.dplb = bed.dplb
        self.toggles = []     # (t_issue, t_return, state) in order
        self.commands = collections.Counter()  # per stream
        self.busy = collections.Counter()      # seconds spent in the tool, per stream
        self.errors = []
        self.rng = random.Random(8)
        self.batch = os.path.join(bed.topo.tmp, "churn.batch")

    def _ticks(self, seconds, stream, one_tick):
        t_start = time.monotonic()
        i = 0
        while time.monotonic() - t_start < seconds and not self.errors:
            due = t_start + i * TICK
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            one_tick(i)
            i += 1
        self.ticks[stream] = i

    def _route_tick(self, i):
        lines = ["route add %s via %s dev dpdk1" % (p, gw) for p, gw in tick_routes(i)]
        if i:
            lines += ["route del %s" % p for p, _ in tick_routes(i - 1)]
        toggle = None
        if i % TOGGLE_EVERY == TOGGLE_EVERY - 1:
            toggle = TOGGLE_STATES[(i // TOGGLE_EVERY) % len(TOGGLE_STATES)]
            lines.append("route del %s" % TOGGLED_NET if toggle is None else
                         "route replace %s via %s dev dpdk1" % (TOGGLED_NET, NEXT_HOP[toggle]))
        with open(self.batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        t_issue = time.monotonic()
        r = sh(self.dplb.dpip_bin, "-x", self.dplb.sock, "-batch", self.batch, check=False, timeout=60)
        t_return = time.monotonic()
        self.busy["route"] += t_return - t_issue
        if r.returncode != 0:
            self.errors.append("dpip -batch (tick %d): %s" % (i, r.stderr.strip()[-300:]))
        if toggle is not None or r.returncode != 0:
            # A failed batch may have stopped before the toggle: from here the state is unknown.
            self.toggles.append((t_issue, t_return, toggle if r.returncode == 0 else "?"))
        self.commands["route"] += len(lines)

    def _ipvs_tick(self, i):
        rules = ["-a -u %s:8080 -r %s:8080 -m -w 1" % (VIP, rs) for rs in tick_servers(i)]
        if i:
            rules += ["-d -u %s:8080 -r %s:8080" % (VIP, rs) for rs in tick_servers(i - 1)]
        rules += ["-e -u %s:8081 -r 10.20.3.%d:8081 -m -w %d" % (VIP, 1 + k % 4, self.rng.randint(0, 100))
                  for k in range(WEIGHT_EDITS_PER_TICK)]
        t0 = time.monotonic()
        r = self.dplb.ipvsadm("-R", input="\n".join(rules) + "\n", check=False)
        self.busy["ipvs"] += time.monotonic() - t0
        if r.returncode != 0:
            self.errors.append("ipvsadm -R (tick %d): %s" % (i, r.stderr.strip()[-300:]))
        self.commands["ipvs"] += len(rules)

    def run(self, seconds):
        self.ticks = {}
        t_start = time.monotonic()
        ipvs = threading.Thread(target=self._ticks, args=(seconds, "ipvs", self._ipvs_tick))
        ipvs.start()
        try:
            self._ticks(seconds, "route", self._route_tick)
        finally:
            ipvs.join()
        self.seconds = time.monotonic() - t_start
        # Back to the start: the last ticks' routes and servers go, the toggled route is via A again,
        # the weights of VIP:8081 are 1 again.
        lines = ["route del %s" % p for p, _ in tick_routes(self.ticks["route"] - 1)]
        lines.append("route replace %s via %s dev dpdk1" % (TOGGLED_NET, A))
        with open(self.batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        t_issue = time.monotonic()
        self.dplb.dpip("-batch", self.batch)
        self.toggles.append((t_issue, time.monotonic(), "A"))
        self.dplb.ipvsadm("-R", input="".join(
            "-d -u %s:8080 -r %s:8080\n" % (VIP, rs) for rs in tick_servers(self.ticks["ipvs"] - 1)) + "".join(
            "-e -u %s:8081 -r 10.20.3.%d:8081 -m -w 1\n" % (VIP, k) for k in range(1, 5)))

    def summary(self):
        total = sum(self.commands.values())
        parts = ["%s %d in %d ticks = %.0f/s (%.1f s in the tool)" % (
            stream, self.commands[stream], self.ticks[stream], self.commands[stream] / self.seconds,
            self.busy[stream]) for stream in ("route", "ipvs")]
        return total / self.seconds, "%d changes in %.1f s = %.0f changes/s (offered %d/s): %s; %d toggles of %s" % (
            total, self.seconds, total / self.seconds, OFFERED_PER_SECOND, "; ".join(parts), len(self.toggles) - 1,
            TOGGLED_NET)


def possible_states(toggles, t_send, t_recv):
    """The states of TOGGLED_NET that can have been in force for a probe processed in [t_send, t_recv]."""
    first = 0  # index into ["A" initial] + toggles
    last = 0
    for k, (t_issue, t_return, _) in enumerate(toggles, start=1):
        if t_return <= t_send:
            first = k
        if t_issue <= t_recv:
            last = k
    states = ["A"] + [s for _, _, s in toggles]
    return set(states[first:last + 1])


def no_route_drops(dplb):
    return sum(l.get("drops", {}).get("ipv4_no_route", 0) for l in dplb.links())


def config(dplb):
    """Addresses, routes and services (without the connection counters of ipvsadm -Ln)."""
    services = [" ".join(line.split()[:4]) for line in dplb.ipvsadm("-Ln").stdout.splitlines()]
    return {"addr": dplb.dpip("-j", "addr", "show").stdout,
            "route": dplb.dpip("-j", "route", "show", "table", "all").stdout, "services": services}


def download_loop(bed, name, stop, results, want):
    out = os.path.join(bed.topo.tmp, "dl_%s" % name)
    while not stop.is_set():
        r, ok = download(bed.client, "http://%s/blob" % VIP, out, want, ("-s", "-m", "60", "--limit-rate", "2M"),
                         timeout=90)
        results.append((name, r.returncode, ok))


def main() -> int:
    topo = Topology("chur")
    try:
        print("route and real-server churn under traffic, 2 workers:", flush=True)
        bed = NatBed(topo, workers=2, qpairs=2, blob_mb=4, global_keys={"forwarding": True})
        dplb = bed.dplb
        logs = {}
        for name, addr in (("A", A), ("B", B)):
            ns = topo.ns("probe" + name)
            topo.veth(ns, "e0", bed.sw, "pr" + name)
            sh("ip", "-n", bed.sw, "link", "set", "pr" + name, "master", "br0")
            topo.host(ns, "e0", addr + "/24", gateway="10.20.0.1")
            for net in ("172.16.8.0/24", TOGGLED_NET):
                sh("ip", "-n", ns, "route", "add", "local", net, "dev", "lo")
            logs[name] = os.path.join(topo.tmp, "probe_%s.log" % name)
            topo.spawn(ns, ["/usr/bin/python3", os.path.join(HERE, "udp_probe.py"), "recv", str(PROBE_PORT),
                            logs[name]])
        rules = ["-A -t %s:80 -s rr" % VIP]
        rules += ["-a -t %s:80 -r %s:80 -m -w 1" % (VIP, server_addr(i)) for i in range(3)]
        rules += ["-A -u %s:8080 -s rr" % VIP, "-A -u %s:8081 -s wrr" % VIP]
        rules += ["-a -u %s:8081 -r 10.20.3.%d:8081 -m -w 1" % (VIP, k) for k in range(1, 5)]
        bed.ipvsadm("-R", input="\n".join(rules) + "\n")
        dplb.dpip("route", "add", "172.16.8.0/24", "via", A, "dev", "dpdk1")
        dplb.dpip("route", "add", TOGGLED_NET, "via", A, "dev", "dpdk1")
        base = config(dplb)
        no_route_before = no_route_drops(dplb)

        want = sha256_file(bed.blob)
        stop = threading.Event()
        downloads = []
        loops = [threading.Thread(target=download_loop, args=(bed, n, stop, downloads, want)) for n in ("c1", "c2")]
        for t in loops:
            t.start()
        probe_log = os.path.join(topo.tmp, "probe_send.log")
        sender = topo.spawn(bed.client, ["/usr/bin/python3", os.path.join(HERE, "udp_probe.py"), "send",
                                         str(PROBE_PORT), str(PROBE_PPS), str(CHURN_SECONDS + 2), STABLE_DST,
                                         TOGGLED_DST], log=probe_log)
        time.sleep(1)
        churn = Churn(bed)
        try:
            churn.run(CHURN_SECONDS)
        finally:
            stop.set()
            sender.wait(timeout=30)
            for t in loops:
                t.join(timeout=120)
        rate, text = churn.summary()
        print("      churn: " + text, flush=True)
        check(not churn.errors, "every churn command succeeded %s" % churn.errors[:2])
        check(dplb.proc.poll() is None, "dplb is alive")
        time.sleep(0.5)  # the last probes reach the receivers
        for p in topo.procs:
            if p.args[-1] in logs.values():
                p.terminate()
                p.wait(timeout=10)

        sent = json.loads(open(probe_log).read())
        seen = collections.Counter()
        violations = []
        outcome = collections.Counter()  # (dst, determinate state, where) for the summary
        for where, log in logs.items():
            for line in open(log):
                dst, seq, t_send, t_recv = line.split()
                t_send, t_recv = float(t_send), float(t_recv)
                seen[dst] += 1
                states = {"A"} if dst == STABLE_DST else possible_states(churn.toggles, t_send, t_recv)
                if where not in states:
                    violations.append("%s #%s at %s, tables possible: %s" % (dst, seq, where, states))
                if len(states) == 1:
                    outcome[(dst, next(iter(states)), where)] += 1
        print("      probes sent %s, received %s; with one possible table: %s" % (
            sent, dict(seen), dict(sorted(((d, str(s), w), n) for (d, s, w), n in outcome.items()))), flush=True)
        check(not violations, "no probe reached a next hop the tables in force did not name (%d violations %s)"
              % (len(violations), violations[:3]))
        check(outcome[(TOGGLED_DST, "A", "A")] > 0 and outcome[(TOGGLED_DST, "B", "B")] > 0,
              "the toggled prefix carried probes to both A and B")
        no_route = no_route_drops(dplb) - no_route_before
        check(0 < no_route <= sent[TOGGLED_DST] - seen[TOGGLED_DST],
              "probes to the deleted prefix were dropped as ipv4_no_route (%d of the %d not received)"
              % (no_route, sent[TOGGLED_DST] - seen[TOGGLED_DST]))
        check(seen[STABLE_DST] >= 0.5 * sent[STABLE_DST],
              "most probes to the stable prefix arrived (%d of %d)" % (seen[STABLE_DST], sent[STABLE_DST]))

        failed = [d for d in downloads if not d[2]]
        check(downloads and not failed, "%d downloads during the churn, all intact %s" % (len(downloads), failed[:3]))
        ok, s = workers_agree(dplb)
        check(ok and all(w["replays"] == 0 for w in s["workers"]),
              "dpip sync: both workers equal the model, none was ever out of sync %s" % s["workers"])
        now = config(dplb)
        for key in base:
            check(now[key] == base[key], "%s back to the start" % key)
        dplb.stop()
        print("ok   churn (%.0f changes/s)" % rate, flush=True)
        return 0
    except TestFailure as e:
        print("FAIL churn: %s" % e, flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
