#!/usr/bin/python3
"""Instructions per packet of dplb's worker under valgrind's callgrind (stable on a noisy machine).

    bench_callgrind.py --build build-cg --pcaps DIR [--seconds 60] [--workload nat1k|routes10|routes100k|nat1m]

dplb runs under `valgrind --tool=callgrind --collect-atstart=no --toggle-collect='dplb::dp::Worker::run*'`,
so only the worker thread's loop is counted (EAL init, the main lcore and control are not), reading the
workload with net_pcap infinite_rx=1 (every receive burst is a full 32 packets: the ring never runs dry)
and TX dropped. It is stopped with SIGTERM after --seconds; callgrind writes its profile at exit.
  packets        = 32 x calls of dplb::dp::eth_input (one call per non-empty burst)
  all / packet   = Ir of Worker::run (PMD receive and transmit, dplb's own work, loop overhead) / packets
  all - control  = the same without Multicaster::drain: the control messages the worker applies (the
                   startup routes and rules arrive while the worker already runs: 100,000 routes
                   cost ~250 M instructions, which a short run under valgrind would spread over
                   its packets)
  dplb / packet  = inclusive Ir of eth_input (parse, route, NAT, neighbour output, TX buffering; the
                   PMD's transmit when a 32-packet TX buffer fills inside it) / packets
Connections are created in the first pass over the pcap (1,000 for nat1k out of millions of packets
counted: negligible). Prints the top functions by inclusive and by self cost (what dominates).
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402  (config helpers)

WORKLOADS = {
    "nat1k": ("nat1k.pcap", "nat.batch", "nat.ipvs", False),
    "nat1m": ("nat1m.pcap", "nat.batch", "nat.ipvs", False),
    # Two workers on a 2-queue port, each queue holding the flows its worker owns (no handover), and
    # the same queues swapped (every packet lands on the wrong worker and is handed over): the
    # difference prices a handover (--workload nat2w-swapped prints it, given nat2w's figure).
    "nat2w": (["nat1k.q0.pcap", "nat1k.q1.pcap"], "nat.batch", "nat.ipvs", False),
    "nat2w-swapped": (["nat1k.q1.pcap", "nat1k.q0.pcap"], "nat.batch", "nat.ipvs", False),
    # nat1k with its real servers' forwarding method switched from -m (direct routing, tunnel).
    "dr1k": ("nat1k.pcap", "nat.batch", ("nat.ipvs", "-g"), False),
    "tun1k": ("nat1k.pcap", "nat.batch", ("nat.ipvs", "-i"), False),
    "routes10": ("routes10.pcap", "routes10.batch", None, True),
    # New connections: every counted packet must be a SYN that creates a connection, so the run has
    # to end within the first pass over the 1,000,000 new tuples: under valgrind a machine does
    # 25-150 k packets/s, so pass --seconds 5 on a fast one (20 s suits a slow or loaded one).
    "natnew": ("natnew.pcap", "nat.batch", "natnew.ipvs", False),
    "routes100k": ("routes100k.pcap", "routes100k.batch", None, True),
}


def parse_callgrind(path):
    """Total Ir of the profile and calls into functions, by function name."""
    names = {}
    calls = {}
    total = 0
    cfn = None
    with open(path) as f:
        for line in f:
            if line.startswith(("fn=", "cfn=")):
                key, _, rest = line.rstrip("\n").partition("=")
                m = re.match(r"\((\d+)\)(?: (.*))?", rest)
                if m:
                    if m.group(2):
                        names[m.group(1)] = m.group(2)
                    name = names.get(m.group(1), rest)
                else:
                    name = rest
                if key == "cfn":
                    cfn = name
            elif line.startswith("calls="):
                n = int(line[6:].split()[0])
                calls[cfn] = calls.get(cfn, 0) + n
            elif line.startswith(("summary:", "totals:")):
                total = max(total, int(line.split()[1]))
    return total, calls


def annotate(path, inclusive, top):
    out = subprocess.run(["callgrind_annotate", "--inclusive=" + ("yes" if inclusive else "no"),
                          "--threshold=100", path], capture_output=True, text=True)
    rows = []
    for line in out.stdout.splitlines():
        m = re.match(r"\s*([\d,]+)\s+(?:\([\s\d.]+%\)\s+)?(.*)", line)
        if m and ":" in m.group(2) and not m.group(2).startswith(("Ir", "PROGRAM", "file")):
            rows.append((int(m.group(1).replace(",", "")), m.group(2).strip()))
    return rows[:top]


def short(name):
    name = name.split(":", 1)[1] if name.startswith(("/", "?", "./")) or ".cc:" in name or ".h:" in name \
        or ".c:" in name else name
    name = re.sub(r"\(.*\)$", "", name)
    return name[:90]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-cg")
    ap.add_argument("--pcaps", required=True)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workload", default="nat1k", choices=sorted(WORKLOADS))
    ap.add_argument("--top", type=int, default=25)
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--direct", type=float, default=0,
                    help="nat2w-swapped: nat2w's eth_input instructions per packet (the cost without handover)")
    a = ap.parse_args()
    a.build, a.pcaps = os.path.abspath(a.build), os.path.abspath(a.pcaps)
    pcap, batch, rules, forwarding = WORKLOADS[a.workload]

    opts = argparse.Namespace(build=a.build, pcaps=a.pcaps, conn_capacity=1 << 20)
    b = bench.Bench(opts)
    # The idle back-off on: before the ports start (while the startup files are applied) the worker
    # sleeps instead of spinning, which under valgrind (one thread at a time) starves the control
    # thread past its client deadline. Once traffic flows the worker is never idle: no effect there.
    pcaps = pcap if isinstance(pcap, list) else [pcap]
    if isinstance(rules, tuple):
        source, switch = rules
        rules = os.path.join(b.tmp, a.workload + ".ipvs")
        with open(b.pcap(source)) as f, open(rules, "w") as out:
            out.write(f.read().replace(" -m ", " %s " % switch))
    c = b.dplb_conf("dplb callgrind", pcaps, batch, rules, forwarding, workers=len(pcaps), idle_backoff=True)
    out_file = os.path.join(b.tmp, "callgrind.out")
    c.cmd = ["valgrind", "--tool=callgrind", "--fair-sched=yes", "--collect-atstart=no", "--toggle-collect=dplb::dp::Worker::run*",
             "--callgrind-out-file=" + out_file] + c.cmd
    print("callgrind: %s, %s, %.0f s of traffic; files in %s" % (
        time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), a.workload, a.seconds, b.tmp), flush=True)
    print(bench.machine_info.describe(), flush=True)
    c.stop_timeout = 900  # shutdown and the profile dump are slow under valgrind
    c.start()
    try:
        b.wait_ready(c)
        while b.dplb_rx(c) == 0:
            time.sleep(1)
        t0, rx0 = time.monotonic(), b.dplb_rx(c)
        time.sleep(a.seconds)
        t1, rx1 = time.monotonic(), b.dplb_rx(c)
        print("rate under valgrind: %.0f packets/s" % ((rx1 - rx0) / (t1 - t0)), flush=True)
    finally:
        c.stop()
    if c.proc.returncode not in (0, -signal.SIGTERM):
        print(bench.tail(c.log, 30))
        sys.exit("dplb exited with %s under valgrind" % c.proc.returncode)
    total, calls = parse_callgrind(out_file)
    eth_calls = sum(n for name, n in calls.items() if name and name.startswith("dplb::dp::eth_input("))
    if eth_calls == 0:
        sys.exit("no eth_input calls in the profile (%s)" % out_file)
    packets = 32 * eth_calls
    incl = annotate(out_file, True, 400)
    self_rows = annotate(out_file, False, a.top)
    eth_incl = next((ir for ir, name in incl if "dplb::dp::eth_input(" in name), 0)
    ctrl_incl = next((ir for ir, name in incl if "dplb::ctrl::Multicaster::drain(" in name), 0)
    result = {"workload": a.workload, "packets": packets, "ir_total": total,
              "ir_per_packet_all": total / packets, "ir_per_packet_all_minus_control": (total - ctrl_incl) / packets,
              "ir_per_packet_eth_input": eth_incl / packets}
    if len(pcaps) > 1:
        # The handover: the sender's whole receive path ends in redirect_to_owner; the owner takes
        # the packet from its ring (poll_redirects) through the one-packet path.
        handed = sum(n for name, n in calls.items() if name and name.startswith("dplb::dp::redirect_to_owner("))
        redirected_in = sum(n for name, n in calls.items() if name and name.startswith("dplb::dp::ipv4_input("))
        owner_incl = next((ir for ir, name in incl if "dplb::dp::Worker::poll_redirects(" in name), 0)
        result.update({"handed_over": handed, "share_handed_over": handed / packets,
                       "redirected_processed": redirected_in,
                       "ir_owner_per_redirected": owner_incl / redirected_in if redirected_in else 0})
        if redirected_in and a.direct:
            # Per handed-over packet: the sender's receive path (all of eth_input's per-packet cost
            # here, every packet being steered) plus the owner's, minus what one worker spends on
            # the packet when it arrives on the right one.
            cost = eth_incl / packets + owner_incl / redirected_in - a.direct
            result["handover_cost_ir"] = cost
    print(json.dumps(result))
    if "handed_over" in result:
        print("\nhandover: %.1f%% of received packets handed to the other worker; the owner spends %.0f "
              "instructions per redirected packet%s" % (
                  100 * result["share_handed_over"], result["ir_owner_per_redirected"],
                  "; a handover costs %.0f instructions more than a packet arriving on its owner (direct: %.0f)"
                  % (result["handover_cost_ir"], a.direct) if "handover_cost_ir" in result else ""))
    print("\n%s: %d packets counted; instructions/packet: %.0f for the whole worker loop (PMD included), "
          "%.0f without control messages, %.0f in eth_input and below" % (
              a.workload, packets, total / packets, (total - ctrl_incl) / packets, eth_incl / packets))
    print("\nTop functions, inclusive (instructions per packet):")
    for ir, name in incl[:a.top]:
        print("  %8.1f  %s" % (ir / packets, short(name)))
    print("\nTop functions, self (instructions per packet):")
    for ir, name in self_rows:
        print("  %8.1f  %s" % (ir / packets, short(name)))
    if not a.keep:
        subprocess.run(["rm", "-rf", b.tmp])


if __name__ == "__main__":
    main()
