"""dplb-healthcheck on the NAT bed of natlib: dplb's address on the servers' side goes on dpdk1's tap
(the bed is built with port_config={1: ["kni = true"]}), so the checks leave through the exception
path (docs/healthcheck.md); the checker runs in dplb's namespace with -n -l, logging to a file."""
from __future__ import annotations

import os
import re
import subprocess
import time
from typing import Dict

from natlib import VIP
from nslib import TestFailure, kernel_ignores, sh
from routelib import wait_until

HERE = os.path.dirname(os.path.abspath(__file__))
TAP = "dpdk1.kni"
LB_RS_SIDE = "10.20.0.1"
KNI_PORTS = {1: ["kni = true"]}  # NatBed(..., port_config=KNI_PORTS)


def setup_tap(bed) -> None:
    """dplb's servers-side address on dpdk1's tap (again after each dplb start: the tap is new); the
    kernel ignores the veths dplb reads, or it would answer ARP for the tap's address on them."""
    for ifname in ("p0", "p1"):
        kernel_ignores(bed.lb, ifname)
    wait_until(lambda: sh("ip", "-n", bed.lb, "link", "show", TAP, check=False).returncode == 0, 10, TAP)
    sh("ip", "netns", "exec", bed.lb, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % TAP.replace(".", "/"))
    sh("ip", "-n", bed.lb, "addr", "add", LB_RS_SIDE + "/24", "dev", TAP)


class Healthcheck:
    """dplb-healthcheck -f CONF -x SOCK -n -l in dplb's namespace."""

    def __init__(self, topo, bed, conf_text: str):
        self.bed = bed
        self.conf = os.path.join(topo.tmp, "keepalived.conf")
        self.write(conf_text)
        self.log = os.path.join(topo.tmp, "healthcheck.log")
        self.binary = os.path.join(os.environ.get("DPLB_BUILD", os.path.join(HERE, "..", "..", "build")),
                              "tools/healthcheck/dplb-healthcheck")
        self.proc = topo.spawn(bed.lb, [self.binary, "-f", self.conf, "-x", bed.dplb.sock, "-n", "-l"], log=self.log)

    def write(self, conf_text: str) -> None:
        with open(self.conf, "w") as f:
            f.write(conf_text)

    def text(self) -> str:
        return open(self.log).read()

    def log_tail(self, n: int = 25) -> str:
        return "healthcheck log:\n" + "\n".join(self.text().splitlines()[-n:])

    def weights(self) -> Dict[str, int]:
        """{real server address: weight} of the VIP:80 service ({} when there is no such service)."""
        out, inside = {}, False
        for line in self.bed.dplb.ipvsadm("-Ln", check=False).stdout.splitlines():
            if line.startswith("TCP "):
                inside = line.split()[1] == "%s:80" % VIP
            m = re.match(r"\s+->\s+(\S+):80\s+\S+\s+(\d+)", line)
            if inside and m:
                out[m.group(1)] = int(m.group(2))
        return out

    def wait_weights(self, want: Dict[str, int], what: str, timeout: float = 10) -> float:
        """Seconds until `ipvsadm -Ln` shows exactly `want` for VIP:80. The default timeout suits the
        tests' delay_loop 1 s, retry 1, delay_before_retry 1 s, connect_timeout 1 s (about 3 s), with margin."""
        t0 = time.time()
        try:
            wait_until(lambda: self.weights() == want, timeout, what, step=0.2)
        except TestFailure as e:
            raise TestFailure("%s: have %r\n%s" % (e, self.weights(), self.log_tail()))
        return time.time() - t0

    def stop(self) -> int:
        self.proc.terminate()
        return self.proc.wait(timeout=10)


def httpd_of(topo, server: str) -> subprocess.Popen:
    """The running httpd.py of real server address `server` (started by the bed or start_httpd)."""
    return [p for p in topo.procs if "httpd.py" in " ".join(map(str, p.args)) and server in p.args][-1]


def start_httpd(topo, bed, i: int, server: str) -> None:
    """Starts real server i's httpd.py again, on the bed's files."""
    topo.spawn(bed.servers[i], ["/usr/bin/python3", os.path.join(HERE, "httpd.py"), server, "80",
                                os.path.join(topo.tmp, "www%d" % i), "server%d" % i])
