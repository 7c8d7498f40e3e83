#!/usr/bin/python3
"""Packet-rate benchmark: dplb beside testpmd io and DPDK l3fwd on identical pcap workloads.

Run through scripts/bench.sh (which builds everything and generates the pcaps), or directly:
    bench.py --build build-bench --pcaps DIR --l3fwd PATH [--quick] [--runs N] [--seconds S]
             [--only SCENARIO,...] [--json OUT]

Every contender reads the workload from memory (net_pcap rx_pcap=FILE,infinite_rx=1) on one port
whose TX drops what is sent (net_pcap with no tx_pcap), runs ONE forwarding lcore on CPU 1 (the main
lcore, and the telemetry thread this script talks to, on CPU 0), and is measured by its port's
counters read over DPDK telemetry (/ethdev/stats): rate = (ipackets after - before) / elapsed, after a
warm-up. opackets/ipackets over the same window is printed as a health check (1.00: every packet
was forwarded, nothing dropped). Contenders of one scenario run interleaved, round after round; the
table shows medians and each dplb figure's ratio to the same rounds' l3fwd and testpmd medians.

With 2 workers (nat2w), dplb also reports the share of packets one worker handed to the other (the
connection's owner), from `dpip -j -s link show` after the measured window, and each contender's
rate against its 1-worker nat1k figure of the same invocation. The "wrong worker" contender feeds
each queue the flows the OTHER worker owns (the two files swapped), so every packet is handed over:
its rate against the right-worker run prices one handover.
"""
import argparse
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import machine_info

HERE = os.path.dirname(os.path.abspath(__file__))


class Telemetry:
    timeout = 30.0  # a 1M-mbuf pool takes a while to populate on a loaded machine

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.s.settimeout(self.timeout)
        self.s.connect(path)
        self.s.recv(4096)

    def stats(self, port=0):
        self.s.send(("/ethdev/stats,%d" % port).encode())
        st = json.loads(self.s.recv(1 << 16))["/ethdev/stats"]
        if not st:  # the port is not configured yet
            return time.monotonic(), 0, 0
        return time.monotonic(), st["ipackets"], st["opackets"]

    def close(self):
        self.s.close()


def pcap_packets(path):
    return (os.path.getsize(path) - 24) // 76  # every frame is 60 bytes + a 16-byte record header


def pool_size(packets):
    """2^n - 1 mbufs: the whole pcap (infinite_rx keeps it in mbufs) plus rings, caches, bursts."""
    need = packets + 24000
    n = 8191
    while n < need:
        n = n * 2 + 1
    return n


def mem_mb(mbufs):
    """EAL -m for a pool of this many mbufs (~2.5 KB each with their headroom) and the rest."""
    return max(512, mbufs * 4096 // (1 << 20) + 1024)


class Contender:
    """One process under test: a command line, how to stop it, its telemetry prefix."""

    def __init__(self, name, cmd, prefix, tmp, env=None, stdin_pipe=False, ipc=None):
        self.name, self.cmd, self.prefix, self.tmp = name, cmd, prefix, tmp
        self.env, self.stdin_pipe, self.ipc = env, stdin_pipe, ipc
        self.proc = None
        self.workers = 1  # dplb's (dplb_conf sets it): with 2, the handover is read
        self.stop_timeout = 60
        self.log = os.path.join(tmp, name.replace(" ", "_").replace("/", "_") + ".log")

    def start(self):
        self.logf = open(self.log, "w")
        self.proc = subprocess.Popen(self.cmd, stdout=self.logf, stderr=subprocess.STDOUT, env=self.env,
                                     stdin=subprocess.PIPE if self.stdin_pipe else subprocess.DEVNULL, cwd=self.tmp)

    def telemetry(self, timeout=300):
        path = "/var/run/dpdk/%s/dpdk_telemetry.v2" % self.prefix
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited (%d) early; log %s:\n%s" % (self.name, self.proc.returncode, self.log,
                                                                        tail(self.log)))
            if os.path.exists(path):
                try:
                    return Telemetry(path)
                except OSError:
                    pass
            time.sleep(0.05)
        raise RuntimeError("%s: no telemetry socket after %d s" % (self.name, timeout))

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            if self.stdin_pipe:
                try:
                    self.proc.stdin.close()  # testpmd quits when its stdin closes
                except OSError:
                    pass
            else:
                self.proc.send_signal(signal.SIGINT if "l3fwd" in self.cmd[0] else signal.SIGTERM)
            try:
                self.proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.logf.close()
        run_dir = "/var/run/dpdk/" + self.prefix
        if os.path.isdir(run_dir):
            subprocess.run(["rm", "-rf", run_dir])


def tail(path, n=15):
    try:
        with open(path) as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def wait_for_traffic(tel, min_packets, min_seconds, timeout=600):
    """Until traffic flows (the RX count grows between two samples: a count taken before the port
    started may be reset), the port has received min_packets and traffic has flowed min_seconds."""
    end = time.monotonic() + timeout
    first = None
    prev = None
    while time.monotonic() < end:
        t, rx, _ = tel.stats()
        if prev is not None and rx > prev and first is None:
            first = t
        prev = rx
        if first is not None and rx >= min_packets and t - first >= min_seconds:
            return
        time.sleep(0.05)
    raise RuntimeError("no traffic")


def measure_steady(tel, seconds, ports=(0,)):
    def total():
        t = rx = tx = 0
        for p in ports:
            t, r, o = tel.stats(p)
            rx += r
            tx += o
        return t, rx, tx
    t0, rx0, tx0 = total()
    time.sleep(seconds)
    t1, rx1, tx1 = total()
    drx = rx1 - rx0
    return drx / (t1 - t0), (tx1 - tx0) / drx if drx else 0.0


def measure_first_pass(tel, packets):
    """New connections: the rate while the first pass over the pcap runs (every packet a new tuple),
    from 10% to 90% of it, sampling every 10 ms. net_pcap counts its preload of the pcap (infinite_rx
    reads the whole file into memory at queue setup) as received, then zeroes the counter: samples
    from before that reset are left out, and the pass ends only once packets are being sent."""
    samples = []
    end = time.monotonic() + 600
    while time.monotonic() < end:
        t, rx, tx = tel.stats()
        if samples and rx < samples[-1][1]:
            samples = []  # the preload's count was reset: the real pass starts here
        samples.append((t, rx, tx))
        if tx > 0 and rx >= packets:
            break
        time.sleep(0.01)
    lo = next(s for s in samples if s[1] >= packets * 0.1)
    hi = [s for s in samples if s[1] <= packets * 0.9][-1]
    if hi[1] <= lo[1]:
        raise RuntimeError("first pass too fast to sample")
    return (hi[1] - lo[1]) / (hi[0] - lo[0]), (hi[2] - lo[2]) / (hi[1] - lo[1])


def rss_kb(pid):
    out = {}
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmData"):
                out[k] = int(v.split()[0])
    return out


# ---------------------------------------------------------------------------------------------------
class Bench:
    def __init__(self, args):
        self.a = args
        self.tmp = tempfile.mkdtemp(prefix="dplb-bench-")
        self.uid = "%d" % os.getpid()
        self.seq = 0
        self.dplb = os.path.join(args.build, "src/dplb")
        self.dpip = os.path.join(args.build, "tools/dpip/dpip")
        self.ipvsadm = os.path.join(args.build, "tools/ipvsadm/ipvsadm")

    def prefix(self, tag):
        self.seq += 1
        return "bench_%s_%s_%d" % (tag, self.uid, self.seq)

    def pcap(self, name):
        return os.path.join(self.a.pcaps, name)

    # ----- contenders -----
    def vdev(self, pcaps):
        return "--vdev=net_pcap0," + ",".join("rx_pcap=" + self.pcap(p) for p in pcaps) + ",infinite_rx=1"

    def testpmd(self, pcaps, workers=1):
        packets = sum(pcap_packets(self.pcap(p)) for p in pcaps)
        mbufs = pool_size(packets)
        lcores = "0@0,1@1" if workers == 1 else "0@0,1@0,2@1"
        pre = self.prefix("tpmd")
        cmd = ["stdbuf", "-o0", "dpdk-testpmd", "--lcores=" + lcores, "--no-huge", "-m", str(mem_mb(mbufs)),
               "--no-pci", "--no-shconf", "--file-prefix=" + pre, "--log-level=warning", self.vdev(pcaps), "--",
               "--forward-mode=io", "--nb-cores=%d" % workers, "--rxq=%d" % len(pcaps), "--txq=%d" % len(pcaps),
               "--total-num-mbufs=%d" % mbufs, "--no-flush-rx"]
        return Contender("testpmd io", cmd, pre, self.tmp, stdin_pipe=True)

    def l3fwd(self, pcaps, rules, workers=1):
        packets = sum(pcap_packets(self.pcap(p)) for p in pcaps)
        mbufs = pool_size(packets)
        pre = self.prefix("l3fwd")
        if workers == 1:
            lcores, config = "1@1", "(0,0,1)"
        else:
            lcores, config = "1@0,2@1", "(0,0,1),(0,1,2)"
        cmd = [self.a.l3fwd, "--lcores=" + lcores, "--no-huge", "-m", str(mem_mb(mbufs) + 256), "--no-pci",
               "--no-shconf", "--file-prefix=" + pre, "--log-level=warning", self.vdev(pcaps), "--",
               "-p", "0x1", "-P", "--config=" + config, "--parse-ptype", "--lookup=lpm",
               "--rule_ipv4=" + self.pcap(rules), "--rule_ipv6=" + self.pcap("l3fwd.v6")]
        env = dict(os.environ, L3FWD_MIN_MBUFS=str(mbufs))
        return Contender("l3fwd lpm", cmd, pre, self.tmp, env=env)

    def dplb_conf(self, name, pcaps, batch, rules, forwarding, workers=1, idle_backoff=False):
        packets = sum(pcap_packets(self.pcap(p)) for p in pcaps)
        mbufs = pool_size(packets)
        pre = self.prefix("dplb")
        lcores = "0@0,1@1" if workers == 1 else "0@0,1@0,2@1"
        eal = ["--no-huge", "-m", str(mem_mb(mbufs) + 512 + self.a.conn_capacity * 256 // (1 << 20)), "--no-pci", "--no-shconf", "--file-prefix=" + pre,
               "--lcores=" + lcores, "--log-level=warning", self.vdev(pcaps)]
        ipc = os.path.join(self.tmp, pre + ".ipc")
        q = lambda s: json.dumps(s)  # TOML basic strings are JSON strings for these paths
        lines = ["[global]", 'log_level = "warn"', "forwarding = %s" % ("true" if forwarding else "false"),
                 "dpip_batch = [%s]" % q(self.pcap(batch))]
        if rules:
            lines.append("ipvs_rules = %s" % q(self.pcap(rules)))
        lines += ["", "[eal]", "args = [%s]" % ", ".join(q(a) for a in eal),
                  "", "[ctrl]", "socket = %s" % q(ipc),
                  "", "[dataplane]", "idle_backoff = %s" % ("true" if idle_backoff else "false"), "mbufs_per_pool = %d" % mbufs,
                  "", "[ipvs]", "conn_capacity = %d" % self.a.conn_capacity,
                  "", "[ports.dpdk0]", 'addresses = ["10.0.0.1/24", "10.0.0.100/32"]', "kni = false"]
        conf = os.path.join(self.tmp, pre + ".toml")
        with open(conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        c = Contender(name, [self.dplb, "-c", conf], pre, self.tmp, ipc=ipc)
        c.rules = rules
        c.workers = workers
        return c

    def wait_ready(self, c, timeout=600):
        """dplb answers its control socket once the startup files are applied."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if c.proc.poll() is not None:
                raise RuntimeError("%s exited (%d) early:\n%s" % (c.name, c.proc.returncode, tail(c.log)))
            if os.path.exists(c.ipc) and subprocess.run([self.dpip, "-x", c.ipc, "link", "show"],
                                                        capture_output=True, timeout=timeout).returncode == 0:
                return
            time.sleep(0.2)
        raise RuntimeError("%s: control socket not answering after %d s" % (c.name, timeout))

    def dplb_rx(self, c):
        out = subprocess.run([self.dpip, "-x", c.ipc, "-j", "-s", "link", "show"], capture_output=True, text=True,
                             timeout=300, check=True)
        return sum(link["stats64"]["rx"]["packets"] for link in json.loads(out.stdout))

    def dplb_drops(self, c):
        out = subprocess.run([self.dpip, "-x", c.ipc, "-j", "-s", "link", "show"], capture_output=True, text=True,
                             timeout=30)
        if out.returncode != 0:
            return {"error": out.stderr.strip()}
        drops = {}
        for link in json.loads(out.stdout):
            for reason, n in link.get("drops", {}).items():
                if n:
                    drops[reason] = drops.get(reason, 0) + n
        return drops

    def dplb_handover(self, c):
        """Packets handed to the owner worker, refused by its full ring, and received, over the whole
        run (dpip -j -s link show: the per-link "handover" list, absent with one worker)."""
        out = subprocess.run([self.dpip, "-x", c.ipc, "-j", "-s", "link", "show"], capture_output=True, text=True,
                             timeout=30, check=True)
        h = {"handed_over": 0, "ring_full": 0, "received": 0}
        for link in json.loads(out.stdout):
            h["received"] += link["stats64"]["rx"]["packets"]
            for w in link.get("handover", []):
                h["handed_over"] += w["handed_over"]
                h["ring_full"] += w["ring_full"]
        return h

    def ipvs_stats(self, c):
        """Connections per service as `ipvsadm -L -n --stats` shows them (total since start)."""
        out = subprocess.run([self.ipvsadm, "-L", "-n", "--stats"], capture_output=True, text=True, timeout=30,
                             env=dict(os.environ, DPLB_IPC=c.ipc))
        conns = 0
        for line in out.stdout.splitlines():
            f = line.split()
            if len(f) > 2 and f[0] in ("TCP", "UDP"):
                conns += int(f[2])
        return conns

    # ----- one measurement -----
    def run_one(self, c, warm_packets, mode="steady", packets=0):
        c.start()
        res = {}
        try:
            tel = c.telemetry()
            if c.ipc:
                res["mem_start"] = rss_kb(c.proc.pid)  # EAL up; the ports are not started yet
            if mode == "first_pass":
                res["rate"], res["tx_ratio"] = measure_first_pass(tel, packets)
            else:
                wait_for_traffic(tel, warm_packets, self.a.warmup)
                if c.ipc:
                    res["mem_before"] = rss_kb(c.proc.pid)
                res["rate"], res["tx_ratio"] = measure_steady(tel, self.a.seconds)
                if c.ipc:
                    res["mem_after"] = rss_kb(c.proc.pid)
            if c.ipc:
                res["drops"] = self.dplb_drops(c)
                if c.workers > 1:
                    res["handover"] = self.dplb_handover(c)
                if c.rules:
                    res["conns"] = self.ipvs_stats(c)
            tel.close()
        finally:
            c.stop()
        return res

    # ----- scenarios -----
    def scenario(self, key, title, make, warm_packets, mode="steady", packets=0):
        """make(): list of contenders (fresh processes) for one round."""
        rows = {}
        order = []
        for rnd in range(self.a.runs):
            for c in make():
                if not any(c.name.startswith(k) for k in self.a.contenders.split(",")):
                    continue
                if c.name not in rows:
                    rows[c.name] = []
                    order.append(c.name)
                m = mode if c.ipc else "steady"
                try:
                    r = self.run_one(c, warm_packets, m, packets)
                except (RuntimeError, OSError, StopIteration, IndexError) as e:
                    print("  %-28s round %d: FAILED %s\n%s" % (c.name, rnd + 1, e, tail(c.log)), flush=True)
                    continue
                rows[c.name].append(r)
                print("  %-28s round %d: %7.2f Mpps  tx/rx %.2f%s%s%s" % (
                    c.name, rnd + 1, r["rate"] / 1e6, r["tx_ratio"],
                    ("  connections %d" % r["conns"]) if "conns" in r else "",
                    ("  handed over %.1f%%" % (100 * handover_share(r["handover"]))) if "handover" in r else "",
                    ("  drops " + json.dumps(r["drops"])) if r.get("drops") else ""), flush=True)
        return {"key": key, "title": title, "order": order, "rows": rows}


def scenarios(b):
    a = b.a
    one_loop = lambda p: pcap_packets(b.pcap(p))
    out = []
    want = set(a.only.split(",")) if a.only else None

    def on(name):
        return want is None or name in want

    for n in ("routes10", "routes100k"):
        if on(n):
            p = [n + ".pcap"]
            title = "L3 forwarding, %s routes" % ("10" if n == "routes10" else "100,000")
            print(title, flush=True)
            out.append(b.scenario(n, title, lambda p=p, n=n: [
                b.testpmd(p), b.l3fwd(p, n + ".l3fwd.v4"),
                b.dplb_conf("dplb forward", p, n + ".batch", None, True)], warm_packets=one_loop(p[0])))
    for n, flows in (("nat1k", "1,000"), ("nat1m", "1,000,000")):
        if on(n):
            p = [n + ".pcap"]
            title = "NAT established flows (UDP), %s flows, 10 real servers" % flows
            print(title, flush=True)
            # Two full passes first: the first creates the connections.
            out.append(b.scenario(n, title, lambda p=p: [
                b.testpmd(p), b.l3fwd(p, "routes10.l3fwd.v4"),
                b.dplb_conf("dplb nat", p, "nat.batch", "nat.ipvs", False)], warm_packets=2 * one_loop(p[0])))
    for n, method, switch in (("dr1k", "direct routing", "-g"), ("tun1k", "IP-in-IP tunnel", "-i")):
        if on(n):
            # nat1k's flows and real servers (on-link), their forwarding method switched from -m.
            rules = os.path.join(b.tmp, n + ".ipvs")
            with open(b.pcap("nat.ipvs")) as f, open(rules, "w") as out_rules:
                out_rules.write(f.read().replace(" -m ", " %s " % switch))
            p = ["nat1k.pcap"]
            title = "%s%s, established flows (UDP), 1,000 flows, 10 real servers" % (method[0].upper(), method[1:])
            print(title, flush=True)
            out.append(b.scenario(n, title, lambda p=p, rules=rules, method=method: [
                b.testpmd(p), b.l3fwd(p, "routes10.l3fwd.v4"),
                b.dplb_conf("dplb " + method, p, "nat.batch", rules, False)], warm_packets=2 * one_loop(p[0])))
    if on("natnew"):
        p = ["natnew.pcap"]
        title = "NAT new connections (TCP SYN, every packet a new tuple), first pass over 1,000,000"
        print(title, flush=True)
        out.append(b.scenario("natnew", title, lambda: [
            b.testpmd(p), b.l3fwd(p, "routes10.l3fwd.v4"),
            b.dplb_conf("dplb nat new conns", p, "nat.batch", "natnew.ipvs", False)],
            warm_packets=one_loop(p[0]), mode="first_pass", packets=one_loop(p[0])))
    if on("nat2w"):
        p = ["nat1k.q0.pcap", "nat1k.q1.pcap"]
        # Queue q carries the flows worker q owns (RSS matching the owner function); swapped, every
        # packet arrives at the worker that does not own its connection.
        swapped = list(reversed(p))
        title = ("NAT 1,000 flows, 2 workers on a 2-queue port (workers on CPU 0 and 1; the main lcore "
                 "sleeps in poll() on CPU 0)")
        print(title, flush=True)
        out.append(b.scenario("nat2w", title, lambda: [
            b.testpmd(p, workers=2), b.l3fwd(p, "routes10.l3fwd.v4", workers=2),
            b.dplb_conf("dplb nat 2 workers", p, "nat.batch", "nat.ipvs", False, workers=2),
            b.dplb_conf("dplb nat 2 workers, wrong worker", swapped, "nat.batch", "nat.ipvs", False, workers=2)],
            warm_packets=2 * (one_loop(p[0]) + one_loop(p[1]))))
    return out


def handover_share(h):
    return h["handed_over"] / h["received"] if h["received"] else 0.0


def medians(s):
    return {n: statistics.median(r["rate"] for r in s["rows"][n]) for n in s["order"] if s["rows"][n]}


# 2-worker contender -> its 1-worker counterpart in nat1k (same workload, one queue).
ONE_WORKER_OF = {"testpmd io": "testpmd io", "l3fwd lpm": "l3fwd lpm", "dplb nat 2 workers": "dplb nat",
                 "dplb nat 2 workers, wrong worker": "dplb nat"}


def scaling_lines(s, results):
    """nat2w: the handover share, 2 workers / 1 worker against nat1k of this invocation, and the cost of
    a handover from the right- and wrong-worker runs."""
    lines = []
    med = medians(s)
    one = next((medians(x) for x in results if x["key"] == "nat1k"), {})
    for n in s["order"]:
        if n not in med:
            continue
        parts = []
        base = one.get(ONE_WORKER_OF.get(n, ""))
        if base:
            parts.append("2 workers / 1 worker %.2f (%.2f / %.2f Mpps)" % (med[n] / base, med[n] / 1e6, base / 1e6))
        hs = [r["handover"] for r in s["rows"][n] if "handover" in r]
        if hs:
            shares = [handover_share(h) for h in hs]
            parts.append("handed to the other worker %.2f%% of received (runs: %s), ring full %d" % (
                100 * statistics.median(shares), " ".join("%.2f%%" % (100 * x) for x in shares),
                sum(h["ring_full"] for h in hs)))
        if parts:
            lines += ["", "%s: %s" % (n, "; ".join(parts))]
    right, wrong = "dplb nat 2 workers", "dplb nat 2 workers, wrong worker"
    if right in med and wrong in med:
        share = lambda n: statistics.median(handover_share(r["handover"]) for r in s["rows"][n] if "handover" in r)
        forwarded = lambda n: statistics.median(r["rate"] * r["tx_ratio"] for r in s["rows"][n])
        ring_full = sum(r["handover"]["ring_full"] for r in s["rows"][wrong] if "handover" in r)
        extra = share(wrong) - share(right)
        if ring_full:
            # The source never stops (infinite_rx): each worker reads faster than the other drains
            # its ring, so the wrong-worker rate is the reading, not the handing over, and no
            # per-handover cost follows from it.
            lines += ["", "cost of a handover: not derived: the owner's ring overflowed in the wrong-worker runs "
                      "(%d redirect_full drops); forwarded %.2f vs %.2f Mpps (wrong vs right worker)" % (
                          ring_full, forwarded(wrong) / 1e6, forwarded(right) / 1e6)]
        elif extra > 0:
            # Two workers' CPU time per packet is 2 / rate; the difference per extra handed packet.
            ns = 2e9 * (1 / med[wrong] - 1 / med[right]) / extra
            lines += ["", "cost of a handover (2 workers' CPU time, from the two medians): %.0f ns per packet "
                      "handed over (%.2f vs %.2f Mpps, %.0f%% vs %.0f%% handed)" % (
                          ns, med[wrong] / 1e6, med[right] / 1e6, 100 * share(wrong), 100 * share(right))]
    return lines


def report(results):
    lines = []
    for s in results:
        lines.append("")
        lines.append("### " + s["title"])
        lines.append("")
        lines.append("| contender | Mpps (median) | runs | vs l3fwd | vs testpmd io | tx/rx |")
        lines.append("|---|---|---|---|---|---|")
        med = medians(s)
        for n in s["order"]:
            if not s["rows"][n]:
                lines.append("| %s | failed | | | | |" % n)
                continue
            rates = [r["rate"] for r in s["rows"][n]]
            txr = statistics.median(r["tx_ratio"] for r in s["rows"][n])
            l3 = med.get("l3fwd lpm")
            tp = med.get("testpmd io")
            lines.append("| %s | %.2f | %s | %s | %s | %.2f |" % (
                n, med[n] / 1e6, " ".join("%.2f" % (x / 1e6) for x in rates),
                "%.2f" % (med[n] / l3) if l3 else "-", "%.2f" % (med[n] / tp) if tp else "-", txr))
        for n in s["order"]:
            if not s["rows"][n]:
                continue
            r = s["rows"][n][-1]
            if "mem_before" in r:
                lines.append("")
                lines.append("%s memory (last run, kB): at start (EAL up) %s, after warm-up %s, after the measured "
                             "window %s" % (n, r.get("mem_start"), r["mem_before"], r["mem_after"]))
            if "conns" in r:
                lines.append("")
                lines.append("%s connections created (last run, ipvsadm --stats): %d" % (n, r["conns"]))
            if r.get("drops"):
                lines.append("")
                lines.append("%s drops by reason (last run, whole run): %s" % (n, json.dumps(r["drops"])))
        if s["key"] == "nat2w":
            lines += scaling_lines(s, results)
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--pcaps", required=True)
    ap.add_argument("--l3fwd", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    ap.add_argument("--warmup", type=float, default=1, help="seconds of traffic before measuring (at least)")
    ap.add_argument("--quick", action="store_true", help="1 run of 2 s per contender")
    ap.add_argument("--only", default="", help="routes10,routes100k,nat1k,nat1m,natnew,nat2w,dr1k,tun1k")
    ap.add_argument("--contenders", default="testpmd,l3fwd,dplb", help="names starting with these")
    ap.add_argument("--conn-capacity", type=int, default=2097152)
    ap.add_argument("--json", default="")
    a = ap.parse_args()
    if a.quick:
        a.runs, a.seconds = 1, 2
    if os.geteuid() != 0:
        sys.exit("bench.py needs root (DPDK runtime dir /var/run/dpdk)")
    a.build, a.pcaps, a.l3fwd = (os.path.abspath(x) for x in (a.build, a.pcaps, a.l3fwd))
    b = Bench(a)
    print("bench: %s, %d run(s) x %.0f s per contender; logs in %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), a.runs, a.seconds, b.tmp), flush=True)
    print(machine_info.describe(), flush=True)
    results = scenarios(b)
    text = report(results)
    print(text)
    print("\n" + machine_info.describe())
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
