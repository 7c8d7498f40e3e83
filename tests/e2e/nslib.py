"""Namespace test bed: network namespaces, veth pairs, and a dplb running in its own namespace.

Everything created gets a unique name (pid-based) and is removed by Topology.close(), which the
tests call from a finally block (and atexit, and on SIGTERM/SIGINT) so a failure leaves nothing
behind. Only processes this module started are ever killed, by PID.
"""
from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
from typing import Dict, List, Optional, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def sh(*args: str, check: bool = True, timeout: float = 30, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), check=check, capture_output=True, text=True, timeout=timeout, **kw)


class TestFailure(Exception):
    pass


def kernel_ignores(ns: str, ifname: str) -> None:
    """The kernel of `ns` stops handling what arrives on ifname (a veth dplb reads with net_af_packet,
    which only copies frames). Needed once `ns` has kernel addresses (a kni tap): by the weak host
    model the kernel would otherwise answer for them on the veth itself, bypassing dplb. Strict
    reverse-path filtering drops IPv4 (and ARP) whose source is not routed back out of ifname."""
    for key, value in (("net.ipv4.conf.%s.rp_filter" % ifname, "1"), ("net.ipv4.conf.%s.arp_ignore" % ifname, "8"),
                       ("net.ipv6.conf.%s.disable_ipv6" % ifname, "1")):
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", "%s=%s" % (key, value))


def mbuf_leak(log_text: str) -> Optional[str]:
    """None when dplb's log reports every pool back to zero mbufs in use at exit, else what is wrong."""
    pools = re.findall(r"mbufs in use at exit: pool (\S+): (\d+) of (\d+)", log_text)
    if not pools:
        return "mbufs in use at exit: no report in the log"
    leaks = ["%s: %s of %s" % p for p in pools if p[1] != "0"]
    return "mbufs still in use at exit: " + ", ".join(leaks) if leaks else None


class Topology:
    """Namespaces and veths with unique names; close() removes them all."""

    def __init__(self, tag: str):
        self.uid = "%s%d" % (tag[:4], os.getpid() % 100000)
        self.namespaces: List[str] = []
        self.procs: List[subprocess.Popen] = []
        self.tmp = tempfile.mkdtemp(prefix="dplb_e2e_%s_" % tag)
        self.closed = False
        atexit.register(self.close)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)

    def _on_signal(self, signum, frame):
        self.close()
        raise SystemExit(128 + signum)

    def ns(self, name: str) -> str:
        full = "%s_%s" % (self.uid, name)
        sh("ip", "netns", "add", full)
        self.namespaces.append(full)
        sh("ip", "-n", full, "link", "set", "lo", "up")
        return full

    def veth(self, ns_a: str, if_a: str, ns_b: str, if_b: str) -> None:
        """A veth pair: if_a in ns_a, if_b in ns_b (interface names are per namespace)."""
        sh("ip", "link", "add", if_a, "netns", ns_a, "type", "veth", "peer", "name", if_b, "netns", ns_b)
        sh("ip", "-n", ns_a, "link", "set", if_a, "up")
        sh("ip", "-n", ns_b, "link", "set", if_b, "up")

    def host(self, ns: str, ifname: str, addr: str, gateway: Optional[str] = None) -> None:
        """A kernel host end: address, TX checksum offload off (TCP through DPDK needs it), route."""
        sh("ip", "-n", ns, "addr", "add", addr, "dev", ifname)
        sh("ip", "netns", "exec", ns, "ethtool", "-K", ifname, "tx", "off")
        if gateway:
            sh("ip", "-n", ns, "route", "add", "default", "via", gateway)

    def spawn(self, ns: str, args: Sequence[str], log: Optional[str] = None, **kw) -> subprocess.Popen:
        out = open(log, "w") if log else subprocess.DEVNULL
        p = subprocess.Popen(["ip", "netns", "exec", ns] + list(args), stdout=out, stderr=subprocess.STDOUT, **kw)
        self.procs.append(p)
        return p

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        for p in reversed(self.procs):
            if p.poll() is None:
                p.terminate()
                try:
                    p.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    p.kill()
                    p.wait()
        for ns in reversed(self.namespaces):
            sh("ip", "netns", "del", ns, check=False)
        shutil.rmtree(self.tmp, ignore_errors=True)


class Dplb:
    """A dplb daemon in namespace `ns`, on af_packet ports bound to the given interfaces."""

    def __init__(self, topo: Topology, ns: str, ifaces: Sequence[str], addresses: Dict[int, Sequence[str]],
                 workers: int = 1, qpairs: int = 1, extra_config: str = "", batch: Sequence[str] = (),
                 ipvs_rules: Sequence[str] = (), build: str = os.environ.get("DPLB_BUILD", os.path.join(ROOT, "build")),
                 global_keys: Optional[Dict[str, object]] = None, dataplane_keys: Optional[Dict[str, object]] = None,
                 vdevs: Sequence[str] = (), port_config: Optional[Dict[int, Sequence[str]]] = None,
                 shared_eal: bool = False):
        """global_keys / dataplane_keys: extra keys of [global] / [dataplane] (e.g. forwarding=True,
        idle_backoff=False). vdevs: extra EAL --vdev arguments after the af_packet ports (they become
        dpdk<len(ifaces)>..., configured with the same queue counts and no addresses unless
        `addresses` names them). port_config: extra TOML lines for [ports.dpdkN], e.g. {0: ["kni = true"]}."""
        self.topo = topo
        self.ns = ns
        self.dplb = os.path.join(build, "src/dplb")
        self.dpip_bin = os.path.join(build, "tools/dpip/dpip")
        self.ipvsadm_bin = os.path.join(build, "tools/ipvsadm/ipvsadm")
        self.sock = os.path.join(topo.tmp, "dplb.ipc")
        self.log = os.path.join(topo.tmp, "dplb.log")
        self.prefix = "e2e_%s" % topo.uid
        lcores = "0@0," + ",".join("%d@%d" % (w + 1, 1 if w % 2 == 0 else 0) for w in range(workers))
        # shared_eal: EAL's shared configuration on hugepages, what a secondary process (dpdk-dumpcap)
        # needs to attach; the caller reserves the hugepages (hugepages.py).
        private = [] if shared_eal else ["--no-huge", "--no-shconf"]
        eal = private + ["-m", "512", "--no-pci", "--no-telemetry", "--file-prefix=" + self.prefix,
                         "--lcores=" + lcores, "--log-level=warning"]
        for i, ifname in enumerate(ifaces):
            eal.append("--vdev=net_af_packet%d,iface=%s,framecnt=4096,qpairs=%d" % (i, ifname, qpairs))
        eal += ["--vdev=" + v for v in vdevs]
        lines = ["[global]", 'log_level = "info"']
        lines += ["%s = %s" % (k, json.dumps(v)) for k, v in (global_keys or {}).items()]
        if batch:
            path = os.path.join(topo.tmp, "setup.batch")
            with open(path, "w") as f:
                f.write("\n".join(batch) + "\n")
            lines.append("dpip_batch = [%s]" % json.dumps(path))
        if ipvs_rules:
            path = os.path.join(topo.tmp, "rules.ipvs")
            with open(path, "w") as f:
                f.write("\n".join(ipvs_rules) + "\n")
            lines.append("ipvs_rules = %s" % json.dumps(path))
        lines += ["[eal]", "args = [%s]" % ", ".join(json.dumps(a) for a in eal),
                  "[ctrl]", "socket = %s" % json.dumps(self.sock),
                  "[dataplane]"]
        dataplane = dict({"mbufs_per_pool": 16383}, **(dataplane_keys or {}))
        lines += ["%s = %s" % (k, json.dumps(v)) for k, v in dataplane.items()]
        for i in range(len(ifaces) + len(vdevs)):
            lines += ["[ports.dpdk%d]" % i, "rx_queues = %d" % qpairs, "tx_queues = %d" % max(qpairs, workers),
                      "addresses = [%s]" % ", ".join(json.dumps(a) for a in addresses.get(i, []))]
            lines += list((port_config or {}).get(i, []))
        if extra_config:
            lines.append(extra_config)
        self.conf = os.path.join(topo.tmp, "dplb.toml")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.start()

    def start(self) -> None:
        """Start the daemon with self.conf (again, after stop(): a restart with the same config) and wait
        until it answers on its control socket."""
        self.proc = self.topo.spawn(self.ns, [self.dplb, "-c", self.conf], log=self.log)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise TestFailure("dplb exited early (%d):\n%s" % (self.proc.returncode, self.log_tail()))
            if os.path.exists(self.sock) and self.dpip("link", "show", check=False).returncode == 0:
                return
            time.sleep(0.1)
        raise TestFailure("dplb did not come up in 30 s:\n" + self.log_tail())

    def dpip(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        r = sh(self.dpip_bin, "-x", self.sock, *args, check=False)
        if check and r.returncode != 0:
            raise TestFailure("dpip %s failed: %s" % (" ".join(args), r.stderr.strip()))
        return r

    def ipvsadm(self, *args: str, check: bool = True, input: Optional[str] = None) -> subprocess.CompletedProcess:
        r = subprocess.run([self.ipvsadm_bin, *args], capture_output=True, text=True, timeout=30, input=input,
                           env=dict(os.environ, DPLB_IPC=self.sock))
        if check and r.returncode != 0:
            raise TestFailure("ipvsadm %s failed: %s" % (" ".join(args), r.stderr.strip()))
        return r

    def links(self) -> list:
        return json.loads(self.dpip("-j", "-s", "link", "show").stdout)

    def log_tail(self, n: int = 30) -> str:
        try:
            return "\n".join(open(self.log).read().splitlines()[-n:])
        except OSError:
            return "<no log>"

    def stop(self) -> str:
        """SIGTERM, wait, and check a clean exit with no mbuf left in use. Returns the log."""
        self.proc.terminate()
        try:
            rc = self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise TestFailure("dplb did not stop within 20 s of SIGTERM")
        text = open(self.log).read()
        if rc != 0:
            raise TestFailure("dplb exited with %d:\n%s" % (rc, self.log_tail()))
        leak = mbuf_leak(text)
        if leak:
            raise TestFailure(leak)
        shutil.rmtree("/var/run/dpdk/" + self.prefix, ignore_errors=True)
        return text
