#!/usr/bin/python3
"""Route and real-server churn under traffic (issue 8).

The NAT bed of natlib (client, dplb with 2 workers on 2-queue ports, forwarding on, three HTTP real
servers behind a bridge) plus two probe hosts A (10.20.0.21) and B (10.20.0.22) on the same bridge,
each accepting any address of 172.16.8.0/24 and 172.16.9.0/24 (local routes on lo) and logging every
UDP probe it receives.

Traffic during the churn: two clients download a 4 MB file from the stable rr service VIP:80 again
and again (rate-limited), each download checked by sha256; a probe sender in the client namespace
sends timestamped UDP datagrams to 172.16.8.1 and 172.16.9.1.

The churn driver (this process), for CHURN_SECONDS: every 0.1 s one `dpip -batch` (20 route adds and
the previous tick's 20 route deletes: /24s of 198.18.0.0/15 via rs0, and /29s inside the upper halves
of 172.16.8.0/24 and 172.16.9.0/24 via B) and one `ipvsadm -R` (15 real servers added to and the
previous tick's 15 deleted from VIP:8080, 30 weight edits on VIP:8081). Every 5th tick the batch
ends with a toggle of 172.16.9.0/24: via A -> via B -> deleted -> via A ... The achieved rate of
changes per second is printed (the issue asks for 1,000/s).

"Every packet forwarded matches the table in force" - the sound version checked here: a route change
is in force for every packet processed after its command returned (dpip returns once every worker
applied it) and for none processed before its command was sent. A probe is processed by dplb after
it was sent (T_SEND, taken before sendto) and before it was received (T_RECV); so the tables that
can have been in force for it are those of the toggles from the last one that returned before
T_SEND up to the last one sent before T_RECV. A probe received at A or B whose possible tables all
route elsewhere (or have no route) is a violation; the stable 172.16.8.0/24 is via A throughout, so
its probes must never reach B (the /29 more-specifics churned next to it go to B and must not cover
.1). Then: the daemon is alive, `dpip sync` says both workers equal the model and none was ever
replayed (marked out of sync), every download arrived intact, and the addresses, routes and
services are back to where they started.
"""
import collections
import hashlib
import json
import os
import random
import subprocess
import sys
import threading
import time

from natlib import VIP, NatBed, server_addr
from nslib import TestFailure, Topology, sh
from routelib import check, workers_agree

HERE = os.path.dirname(os.path.abspath(__file__))
CHURN_SECONDS = 30
TICK = 0.1
TOGGLE_EVERY = 5
PROBE_PORT = 9999
PROBE_PPS = 300
A, B = "10.20.0.21", "10.20.0.22"
STABLE_DST, TOGGLED_DST = "172.16.8.1", "172.16.9.1"
TOGGLED_NET = "172.16.9.0/24"
TOGGLE_STATES = ("B", None, "A")  # the initial state is A; then B, deleted, A, B, ...
NEXT_HOP = {"A": A, "B": B}


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tick_routes(i):
    """The route prefixes tick i adds (and tick i+1 deletes): (prefix, gateway)."""
    half = i % 2
    routes = [("198.%d.%d.0/24" % (18 + half, j), server_addr(0)) for j in range(10)]
    routes += [("172.16.8.%d/29" % (128 + 8 * (k + 5 * half)), B) for k in range(5)]
    routes += [("172.16.9.%d/29" % (128 + 8 * (k + 5 * half)), B) for k in range(5)]
    return routes


def tick_servers(i):
    half = i % 2
    return ["10.20.2.%d" % (1 + 15 * half + k) for k in range(15)]


class Churn:
    def __init__(self, bed):
        self.bed = bed
        self.dplb = bed.dplb
        self.toggles = []     # (t_issue, t_return, state) in order
        self.commands = 0
        self.errors = []
        self.rng = random.Random(8)
        self.batch = os.path.join(bed.topo.tmp, "churn.batch")
        self.time_in = collections.Counter()  # seconds spent in dpip / ipvsadm

    def run(self, seconds):
        t_start = time.monotonic()
        i = 0
        state = 0
        while time.monotonic() - t_start < seconds and not self.errors:
            due = t_start + i * TICK
            now = time.monotonic()
            if due > now:
                time.sleep(due - now)
            lines = ["route add %s via %s dev dpdk1" % (p, gw) for p, gw in tick_routes(i)]
            if i:
                lines += ["route del %s" % p for p, _ in tick_routes(i - 1)]
            toggle = None
            if i % TOGGLE_EVERY == TOGGLE_EVERY - 1:
                toggle = TOGGLE_STATES[state % len(TOGGLE_STATES)]
                state += 1
                lines.append("route del %s" % TOGGLED_NET if toggle is None else
                             "route replace %s via %s dev dpdk1" % (TOGGLED_NET, NEXT_HOP[toggle]))
            with open(self.batch, "w") as f:
                f.write("\n".join(lines) + "\n")
            rules = ["-a -u %s:8080 -r %s:8080 -m -w 1" % (VIP, rs) for rs in tick_servers(i)]
            if i:
                rules += ["-d -u %s:8080 -r %s:8080" % (VIP, rs) for rs in tick_servers(i - 1)]
            rules += ["-e -u %s:8081 -r 10.20.3.%d:8081 -m -w %d" % (VIP, 1 + k % 4, self.rng.randint(0, 100))
                      for k in range(30)]
            t_issue = time.monotonic()
            r = sh(self.dplb.dpip_bin, "-x", self.dplb.sock, "-batch", self.batch, check=False, timeout=60)
            t_return = time.monotonic()
            self.time_in["dpip"] += t_return - t_issue
            if r.returncode != 0:
                self.errors.append("dpip -batch (tick %d): %s" % (i, r.stderr.strip()[-300:]))
            if toggle is not None or r.returncode != 0:
                # A failed batch may have stopped before the toggle: then the state is unknown from here.
                self.toggles.append((t_issue, t_return, toggle if r.returncode == 0 else "?"))
            t0 = time.monotonic()
            r = self.dplb.ipvsadm("-R", input="\n".join(rules) + "\n", check=False)
            self.time_in["ipvsadm"] += time.monotonic() - t0
            if r.returncode != 0:
                self.errors.append("ipvsadm -R (tick %d): %s" % (i, r.stderr.strip()[-300:]))
            self.commands += len(lines) + len(rules)
            i += 1
        self.seconds = time.monotonic() - t_start
        self.ticks = i
        # Back to the start: the last tick's routes and servers go, the toggled route is via A again.
        last = i - 1
        lines = ["route del %s" % p for p, _ in tick_routes(last)]
        lines.append("route replace %s via %s dev dpdk1" % (TOGGLED_NET, A))
        with open(self.batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        t_issue = time.monotonic()
        self.dplb.dpip("-batch", self.batch)
        self.toggles.append((t_issue, time.monotonic(), "A"))
        self.dplb.ipvsadm("-R", input="".join("-d -u %s:8080 -r %s:8080\n" % (VIP, rs) for rs in tick_servers(last)) +
                          "".join("-e -u %s:8081 -r 10.20.3.%d:8081 -m -w 1\n" % (VIP, k) for k in range(1, 5)))


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


def config(dplb):
    """Addresses, routes and services (without the connection counters of ipvsadm -Ln)."""
    services = [" ".join(line.split()[:4]) for line in dplb.ipvsadm("-Ln").stdout.splitlines()]
    return {"addr": dplb.dpip("-j", "addr", "show").stdout,
            "route": dplb.dpip("-j", "route", "show", "table", "all").stdout, "services": services}


def download_loop(bed, name, stop, results, want):
    out = os.path.join(bed.topo.tmp, "dl_%s" % name)
    while not stop.is_set():
        r = subprocess.run(["ip", "netns", "exec", bed.client, "curl", "-s", "-m", "60", "--limit-rate", "2M",
                            "-o", out, "http://%s/blob" % VIP], capture_output=True, timeout=90)
        results.append((name, r.returncode, r.returncode == 0 and sha256_file(out) == want))


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
        bed.ipvsadm("-R", input="\n".join([
            "-A -t %s:80 -s rr" % VIP] + ["-a -t %s:80 -r %s:80 -m -w 1" % (VIP, server_addr(i)) for i in range(3)] + [
            "-A -u %s:8080 -s rr" % VIP,
            "-A -u %s:8081 -s wrr" % VIP] + ["-a -u %s:8081 -r 10.20.3.%d:8081 -m -w 1" % (VIP, k) for k in range(1, 5)])
            + "\n")
        dplb.dpip("route", "add", "172.16.8.0/24", "via", A, "dev", "dpdk1")
        dplb.dpip("route", "add", TOGGLED_NET, "via", A, "dev", "dpdk1")
        base = config(dplb)

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
        rate = churn.commands / churn.seconds
        print("      churn: %d changes in %d ticks over %.1f s = %.0f changes/s (%d toggles of %s); "
              "time in dpip -batch %.1f s, ipvsadm -R %.1f s"
              % (churn.commands, churn.ticks, churn.seconds, rate, len(churn.toggles) - 1, TOGGLED_NET,
                 churn.time_in["dpip"], churn.time_in["ipvsadm"]), flush=True)
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
