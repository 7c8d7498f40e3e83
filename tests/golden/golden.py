"""Golden pcap tests: packets in, exact packets out.

A case is {description, config, input packets, expected output packets, expected drop counters}
(Katran's fixture idea). The runner starts the real dplb with one net_pcap port per case port
(rx_pcap=in<N>.pcap, tx_pcap=out<N>.pcap), waits until every input packet is accounted for (the
ports' rx counters, read with `dpip -j -s link show`), optionally until the expected drop counters
are reached (timer-driven cases), stops dplb with SIGTERM, and compares the output files byte for
byte, printing a readable diff on mismatch. It also asserts that dplb exits 0 and that no mbuf is
still in use at exit.

Ordering: a single worker polls its RX queues in port order, so a case may rely on port 0's
input being processed before port 1's within the same poll (used for ARP-miss cases).
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from typing import Callable, Dict, List, Optional, Sequence, Tuple, Union

from scapy.all import ARP, Ether, Packet, Raw, raw, rdpcap, wrpcap  # noqa: F401
from scapy.utils import hexdump

PCAP_MAC_PREFIX = "02:70:63:61:70:"


def pcap_mac(port: int) -> str:
    """MAC address DPDK's net_pcap gives its port N (N-th pcap vdev)."""
    return PCAP_MAC_PREFIX + "%02x" % port


@dataclasses.dataclass
class Port:
    addresses: Sequence[str] = ()
    mtu: int = 1500
    promisc: bool = False
    extra: str = ""          # more TOML keys for [ports.dpdkN]

    @property
    def mac(self) -> str:
        raise AttributeError("use pcap_mac(index)")


PacketList = Union[Sequence[Packet], Callable[[], Sequence[Packet]]]


@dataclasses.dataclass
class Case:
    name: str
    description: str
    ports: Sequence[Port]
    inputs: Dict[int, PacketList]                 # port index -> packets received on it
    expected: Dict[int, PacketList]               # port index -> packets dplb must send on it
    drops: Dict[str, int] = dataclasses.field(default_factory=dict)  # reason -> exact total
    strict_drops: bool = True                     # every reason not listed must be zero
    config: str = ""                              # more [global] keys, e.g. "forwarding = true"
    dataplane: Dict[str, int] = dataclasses.field(default_factory=dict)  # [dataplane] keys over the defaults
    conn_capacity: int = 4096                     # [ipvs] conn_capacity (per worker)
    sections: str = ""                            # more TOML tables (after the generated ones)
    batch: Sequence[str] = ()                     # dpip commands applied before ports start
    ipvs_rules: Sequence[str] = ()                # ipvsadm -S lines applied at startup
    expect_garp: bool = True                      # gratuitous ARPs for configured addresses first
    settle_timeout: float = 10.0                  # for cases whose drops come from timers
    workers: int = 1
    pad_inputs: bool = True                       # pad short input frames to 60 bytes like a wire
    # (tool, args, text that must appear in its output): run after the packets, before SIGTERM;
    # tool is "dpip" or "ipvsadm".
    checks: Sequence[Tuple[str, Sequence[str], str]] = ()


def _packets(p: PacketList) -> List[Packet]:
    return list(p() if callable(p) else p)


def garps(port_index: int, port: Port) -> List[Packet]:
    out = []
    for a in port.addresses:
        ip = a.split("/")[0]
        out.append(Ether(dst="ff:ff:ff:ff:ff:ff", src=pcap_mac(port_index)) /
                   ARP(op=1, hwsrc=pcap_mac(port_index), psrc=ip, hwdst="00:00:00:00:00:00", pdst=ip))
    return out


def pad60(pkt: Packet) -> bytes:
    b = raw(pkt)
    return b + b"\x00" * (60 - len(b)) if len(b) < 60 else b


MBUF_EXIT_LINE = re.compile(r"mbufs in use at exit: pool (\S+): (\d+) of (\d+)")


def mbuf_leak(log_text: str) -> Optional[str]:
    """None when dplb's log reports every pool back to zero mbufs in use at exit, else what is wrong
    (a pool with mbufs still out, or no report at all: a crash or a missed shutdown path)."""
    pools = MBUF_EXIT_LINE.findall(log_text)
    if not pools:
        return "mbufs in use at exit: no report in the log"
    leaks = ["%s: %s of %s" % p for p in pools if p[1] != "0"]
    return "mbufs still in use at exit: " + ", ".join(leaks) if leaks else None


def mbuf_check_self_test() -> None:
    """The leak check must be able to fail: run on fake log lines before any case."""
    ok = "[info] mbufs in use at exit: pool dplb_mbuf_s0: 0 of 4095\n"
    assert mbuf_leak(ok) is None, "mbuf check rejects a clean exit"
    assert mbuf_leak("[info] stopped\n") is not None, "mbuf check passes a log without a report"
    bad = ok + "[warning] mbufs in use at exit: pool dplb_mbuf_s1: 3 of 4095\n"
    assert "dplb_mbuf_s1: 3 of 4095" in (mbuf_leak(bad) or ""), "mbuf check misses a leak"


class CaseFailure(Exception):
    pass


@dataclasses.dataclass
class Tools:
    dplb: str
    dpip: str
    ipvsadm: str = ""


def _run_check(tools: Tools, sock: str, tool: str, args: Sequence[str], want: str) -> Optional[str]:
    if tool == "dpip":
        cmd, env = [tools.dpip, "-x", sock] + list(args), None
    else:
        cmd, env = [tools.ipvsadm] + list(args), dict(os.environ, DPLB_IPC=sock)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=10, env=env)
    if want in out.stdout:
        return None
    return "%s %s: expected %r in output:\n%s%s" % (tool, " ".join(args), want, out.stdout, out.stderr)


def _toml_str(s: str) -> str:
    return json.dumps(s)


def _config(case: Case, tmp: str, prefix: str) -> str:
    vdevs = []
    for i, _ in enumerate(case.ports):
        vdevs.append("--vdev=net_pcap%d,rx_pcap=%s,tx_pcap=%s" %
                     (i, os.path.join(tmp, "in%d.pcap" % i), os.path.join(tmp, "out%d.pcap" % i)))
    lcores = "0@0," + ",".join("%d@1" % (w + 1) for w in range(case.workers))
    eal = ["--no-huge", "-m", "256", "--no-pci", "--no-shconf", "--no-telemetry",
           "--file-prefix=" + prefix, "--lcores=" + lcores, "--log-level=warning"] + vdevs
    lines = ["[global]", 'log_level = "info"']
    if case.config:
        lines.append(case.config)
    if case.batch:
        lines.append("dpip_batch = [%s]" % _toml_str(os.path.join(tmp, "setup.batch")))
    if case.ipvs_rules:
        lines.append("ipvs_rules = %s" % _toml_str(os.path.join(tmp, "rules.ipvs")))
    lines += ["", "[eal]", "args = [%s]" % ", ".join(_toml_str(a) for a in eal),
              "", "[ctrl]", "socket = %s" % _toml_str(os.path.join(tmp, "dplb.ipc")),
              "", "[dataplane]"]
    # conn_prefetch_min 0: the burst prefetch pass (normally only for big tables) runs in every case.
    dataplane = dict({"mbufs_per_pool": 4095, "mbuf_cache": 64, "conn_prefetch_min": 0}, **case.dataplane)
    lines += ["%s = %d" % kv for kv in dataplane.items()]
    lines += ["", "[ipvs]", "conn_capacity = %d" % case.conn_capacity]
    for i, p in enumerate(case.ports):
        lines += ["", "[ports.dpdk%d]" % i, "mtu = %d" % p.mtu, "promisc = %s" % ("true" if p.promisc else "false"),
                  "addresses = [%s]" % ", ".join(_toml_str(a) for a in p.addresses)]
        if p.extra:
            lines.append(p.extra)
    if case.sections:
        lines += ["", case.sections]
    return "\n".join(lines) + "\n"


def _link_stats(tools: Tools, sock: str) -> list:
    out = subprocess.run([tools.dpip, "-x", sock, "-j", "-s", "link", "show"], capture_output=True, text=True,
                         timeout=10)
    if out.returncode != 0:
        raise CaseFailure("dpip link show failed: " + out.stderr.strip())
    return json.loads(out.stdout)


def _total_rx(links: list) -> int:
    return sum(l["stats64"]["rx"]["packets"] for l in links)


def _drops(links: list) -> Dict[str, int]:
    total: Dict[str, int] = {}
    for l in links:
        for reason, n in l.get("drops", {}).items():
            total[reason] = total.get(reason, 0) + n
    return total


def _drop_mismatch(case: Case, drops: Dict[str, int]) -> Optional[str]:
    problems = []
    for reason, want in case.drops.items():
        if drops.get(reason, 0) != want:
            problems.append("%s: want %d, got %d" % (reason, want, drops.get(reason, 0)))
    if case.strict_drops:
        for reason, got in drops.items():
            if got and reason not in case.drops:
                problems.append("%s: want 0, got %d" % (reason, got))
    return "; ".join(problems) or None


def describe(b: bytes) -> str:
    return Ether(b).summary()


def _diff(port: int, got: List[bytes], want: List[bytes]) -> str:
    lines = ["port %d: %d packet(s) out, %d expected" % (port, len(got), len(want))]
    for i in range(max(len(got), len(want))):
        g = got[i] if i < len(got) else None
        w = want[i] if i < len(want) else None
        if g == w:
            lines.append("  #%d ok       %s" % (i, describe(g)))
            continue
        lines.append("  #%d MISMATCH" % i)
        lines.append("     expected: %s" % (describe(w) if w is not None else "<nothing>"))
        lines.append("     got:      %s" % (describe(g) if g is not None else "<nothing>"))
        if g is not None and w is not None:
            n = max(len(g), len(w))
            first = next((k for k in range(n) if k >= len(g) or k >= len(w) or g[k] != w[k]), n)
            lines.append("     first difference at byte %d (lengths %d vs %d)" % (first, len(w), len(g)))
            lines.append("     expected bytes:\n" + _indent(hexdump(w, dump=True)))
            lines.append("     got bytes:\n" + _indent(hexdump(g, dump=True)))
            lines.append("     expected decoded:\n" + _indent(Ether(w).show(dump=True)))
            lines.append("     got decoded:\n" + _indent(Ether(g).show(dump=True)))
    return "\n".join(lines)


def _indent(s: str) -> str:
    return "\n".join("       " + l for l in s.splitlines())


# What AddressSanitizer, LeakSanitizer and UndefinedBehaviorSanitizer print when they find something
# (the sanitizer build: docs/hardening.md). Any of it in the daemon's output fails the case.
_SANITIZER_REPORT = re.compile(r"ERROR: (Address|Leak|UndefinedBehavior)Sanitizer|SUMMARY: \w+Sanitizer|"
                               r"runtime error: ")


def _sanitizer_report(log_text: str) -> str:
    m = _SANITIZER_REPORT.search(log_text)
    if not m:
        return ""
    start = log_text.rfind("\n", 0, m.start()) + 1
    return "sanitizer report in the dplb output:\n" + _indent("\n".join(log_text[start:].splitlines()[:40]))


def run_case(case: Case, tools: Tools, keep: bool = False) -> Tuple[bool, str]:
    tmp = tempfile.mkdtemp(prefix="dplb_golden_%s_" % case.name)
    prefix = "golden_%d_%s" % (os.getpid(), re.sub(r"[^A-Za-z0-9]", "", case.name)[:40])
    log_path = os.path.join(tmp, "dplb.log")
    proc = None
    try:
        n_in = 0
        for i, _ in enumerate(case.ports):
            # As a wire delivers them: short frames padded to the 60-byte minimum.
            frames = [pad60(p) if case.pad_inputs else raw(p) for p in _packets(case.inputs.get(i, []))]
            # Raw for a runt (shorter than an Ethernet header: Ether cannot parse it), written as it is.
            pkts = [Ether(b) if len(b) >= 14 else Raw(b) for b in frames]
            n_in += len(pkts)
            wrpcap(os.path.join(tmp, "in%d.pcap" % i), pkts, linktype=1)
        if case.batch:
            with open(os.path.join(tmp, "setup.batch"), "w") as f:
                f.write("\n".join(case.batch) + "\n")
        if case.ipvs_rules:
            with open(os.path.join(tmp, "rules.ipvs"), "w") as f:
                f.write("\n".join(case.ipvs_rules) + "\n")
        conf = os.path.join(tmp, "dplb.toml")
        with open(conf, "w") as f:
            f.write(_config(case, tmp, prefix))
        sock = os.path.join(tmp, "dplb.ipc")
        with open(log_path, "w") as log:
            proc = subprocess.Popen([tools.dplb, "-c", conf], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        links = None
        while time.time() < deadline:
            if proc.poll() is not None:
                raise CaseFailure("dplb exited early with code %d" % proc.returncode)
            if os.path.exists(sock):
                try:
                    links = _link_stats(tools, sock)
                    if _total_rx(links) >= n_in:
                        break
                except (CaseFailure, json.JSONDecodeError, subprocess.TimeoutExpired):
                    pass
            time.sleep(0.05)
        else:
            raise CaseFailure("timed out waiting for %d input packets to be received (got %s)" %
                              (n_in, _total_rx(links) if links else "no stats"))
        # Drops driven by timers (ARP retries...) need time: wait for them, bounded.
        settle = time.time() + (case.settle_timeout if case.drops else 0)
        problem = _drop_mismatch(case, _drops(links))
        while problem and time.time() < settle:
            time.sleep(0.1)
            links = _link_stats(tools, sock)
            problem = _drop_mismatch(case, _drops(links))
        time.sleep(0.05)  # let the TX drain timer flush the last partial burst
        links = _link_stats(tools, sock)
        problem = _drop_mismatch(case, _drops(links))
        check_failures = [f for f in (_run_check(tools, sock, *c) for c in case.checks) if f]
        proc.send_signal(signal.SIGTERM)
        try:
            rc = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise CaseFailure("dplb did not exit within 15 s of SIGTERM")
        failures = []
        if rc != 0:
            failures.append("dplb exited with code %d" % rc)
        log_text = open(log_path).read()
        leak = mbuf_leak(log_text)
        if leak:
            failures.append(leak)
        report = _sanitizer_report(log_text)
        if report:
            failures.append(report)
        if problem:
            failures.append("drop counters: " + problem)
        failures += check_failures
        for i, port in enumerate(case.ports):
            want = [pad60(p) for p in (garps(i, port) if case.expect_garp else [])]
            want += [pad60(p) for p in _packets(case.expected.get(i, []))]
            out_file = os.path.join(tmp, "out%d.pcap" % i)
            # A NIC pads short frames on the wire; net_pcap records them as sent: compare padded.
            got = [pad60(p) for p in rdpcap(out_file)] if os.path.getsize(out_file) > 24 else []
            if got != want:
                failures.append(_diff(i, got, want))
        if failures:
            tail = "\n".join(log_text.splitlines()[-25:])
            return False, "\n".join(failures) + "\n  dplb log (tail):\n" + _indent(tail)
        return True, ""
    except CaseFailure as e:
        tail = ""
        if os.path.exists(log_path):
            log_text = open(log_path).read()
            tail = "\n  dplb log (tail):\n" + _indent("\n".join(log_text.splitlines()[-25:]))
            report = _sanitizer_report(log_text)
            if report:
                tail = "\n" + report + tail
        return False, str(e) + tail
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait()
        shutil.rmtree("/var/run/dpdk/" + prefix, ignore_errors=True)
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)
