"""A test bed for IPVS direct routing (-g) and IP-in-IP tunnel (-i): one L2 segment (a Linux bridge in
its own namespace) joins the client, dplb's single port and every real server.

    client 10.30.0.2/24 ---+
    dplb dpdk0 (p0) -------+  10.30.0.1/24, 10.40.0.1/24 and the VIP 10.30.0.100/32
    dr0..dr2 10.30.0.11-13 +  DR servers: the VIP on lo, arp_ignore=1, arp_announce=2
    tun0..tun1 10.40.0.11- +  tunnel servers: ipip_decap.py feeds a tun device holding the VIP
    nat0 10.40.0.21 -------+  a NAT server: default route via dplb (10.40.0.1)
                       bridge br0

The DR servers share the client's subnet, so dplb reaches them on-link (DR requires it). The tunnel
servers sit in another subnet that dplb also has on its port, so the outer source dplb picks toward
them (10.40.0.1) differs from the client-side address; they reach the client directly over the
bridge by an on-link route. Only the NAT server routes through dplb. Every server runs httpd.py on
port 80 (bound to the VIP for DR and tunnel, to its own address for NAT); /id answers its name. The
tunnel servers also run udp_echo.py on VIP:53.
"""
from __future__ import annotations

import json
import os
import re
import time
from typing import Dict, List

from downloads import wait_http
from nslib import Dplb, TestFailure, Topology, sh

HERE = os.path.dirname(os.path.abspath(__file__))
PY = "/usr/bin/python3"
VIP = "10.30.0.100"
CLIENT = "10.30.0.2"
LB = "10.30.0.1"
LB_TUN = "10.40.0.1"
TUN_DEV = "ipip0"


def sysctl(ns: str, *settings: str) -> None:
    """sysctl -w KEY=VALUE ... in ns."""
    for setting in settings:
        sh("ip", "netns", "exec", ns, "sysctl", "-qw", setting)


def hide_vip_from_arp(ns: str) -> None:
    """The LVS-DR recipe: answer ARP only for addresses on the asking interface, and announce only
    the outgoing interface's address, so the server never claims the VIP on the shared segment."""
    for dev in ("all", "lo"):
        sysctl(ns, "net.ipv4.conf.%s.arp_ignore=1" % dev, "net.ipv4.conf.%s.arp_announce=2" % dev)


def spawn_ready(topo: Topology, ns: str, args: List[str], log: str, marker: str):
    """Starts args in ns, logging to log, and waits (10 s at most) until the log shows marker."""
    proc = topo.spawn(ns, args, log=log)
    deadline = time.time() + 10
    while marker not in open(log).read():
        if proc.poll() is not None or time.time() > deadline:
            raise TestFailure("`%s` in %s did not start: %s" % (" ".join(args), ns, open(log).read()[-300:]))
        time.sleep(0.05)
    return proc


def tunnel_end(topo: Topology, ns: str, vip: str, log: str):
    """The VIP on a tun device fed by ipip_decap.py; returns the decapsulator's process. Inner
    packets arrive on the tun from a client routed out of another interface: rp_filter off."""
    sh("ip", "-n", ns, "tuntap", "add", "mode", "tun", "name", TUN_DEV)
    sh("ip", "-n", ns, "addr", "add", vip + "/32", "dev", TUN_DEV)
    sh("ip", "-n", ns, "link", "set", TUN_DEV, "up")
    sysctl(ns, *("net.ipv4.conf.%s.rp_filter=0" % dev for dev in ("all", "default", TUN_DEV)))
    return spawn_ready(topo, ns, [PY, os.path.join(HERE, "ipip_decap.py"), TUN_DEV], log, "ready")


def decap_summary(proc, log: str) -> str:
    """Stops a decapsulator and returns its summary line ("decapsulated N packets from ...")."""
    proc.terminate()
    proc.wait(timeout=10)
    lines = open(log).read().splitlines()
    return lines[-1] if lines else ""


class Capture:
    """tcpdump -e -v on ns/ifname for the BPF filter, from construction until frames(): each IPv4
    frame's (source MAC, destination MAC, TTL, DF set) as tcpdump printed them (outermost header)."""

    def __init__(self, topo: Topology, ns: str, ifname: str, bpf: str):
        self.log = os.path.join(topo.tmp, "capture_%s_%s.txt" % (ns, ifname))
        self.proc = spawn_ready(topo, ns, ["tcpdump", "-i", ifname, "-e", "-v", "-nn", "-l", "-U", bpf], self.log,
                                "listening on")

    def frames(self) -> List[tuple]:
        time.sleep(0.2)  # the last frames reach the capture
        self.proc.terminate()
        self.proc.wait(timeout=10)
        found = re.findall(r"^\S+ ([0-9a-f:]{17}) > ([0-9a-f:]{17}), .*?\bttl (\d+), .*?flags \[([^]]*)\]",
                           open(self.log).read(), re.M)
        return [(src, dst, int(ttl), "DF" in flags) for src, dst, ttl, flags in found]


def mac_of(ns: str, ifname: str) -> str:
    return json.loads(sh("ip", "-n", ns, "-j", "link", "show", ifname).stdout)[0]["address"]


class Server:
    def __init__(self, name: str, ns: str, addr: str, method: str):
        self.name, self.ns, self.addr, self.method = name, ns, addr, method
        self.mac = mac_of(ns, "e0")
        self.decap = None
        self.decap_log = ""


class DrBed:
    def __init__(self, topo: Topology, dr: int = 3, tun: int = 2, nat: int = 1, blob_mb: int = 0, **dplb_kw):
        """dplb_kw: more Dplb arguments (batch, ipvs_rules...)."""
        self.topo = topo
        self.sw = topo.ns("sw")
        sh("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.sw, "link", "set", "br0", "up")
        self.client = self._attach("client", "c0")
        topo.host(self.client, "c0", CLIENT + "/24", gateway=LB)
        self.lb = self._attach("lb", "p0")
        self.blob = os.path.join(topo.tmp, "blob")
        with open(self.blob, "wb") as f:
            f.write(os.urandom(blob_mb << 20))
        self.servers: List[Server] = []
        for i in range(dr):
            self._server("dr%d" % i, "10.30.0.%d" % (11 + i), "g")
        for i in range(tun):
            self._server("tun%d" % i, "10.40.0.%d" % (11 + i), "i")
        for i in range(nat):
            self._server("nat%d" % i, "10.40.0.%d" % (21 + i), "m")
        self.dplb = Dplb(topo, self.lb, ["p0"], {0: [LB + "/24", LB_TUN + "/24", VIP + "/32"]}, **dplb_kw)
        deadline = time.time() + 15
        for s in self.servers:
            wait_http(s.ns, "http://%s/id" % (s.addr if s.method == "m" else VIP), deadline - time.time(),
                      "server %s did not come up" % s.name)

    def _attach(self, name: str, ifname: str) -> str:
        ns = self.topo.ns(name)
        self.topo.veth(ns, ifname, self.sw, name)
        sh("ip", "-n", self.sw, "link", "set", name, "master", "br0")
        return ns

    def _server(self, name: str, addr: str, method: str) -> None:
        ns = self._attach(name, "e0")
        self.topo.host(ns, "e0", addr + "/24", gateway=LB_TUN if method == "m" else None)
        s = Server(name, ns, addr, method)
        if method != "m":
            hide_vip_from_arp(ns)
        if method == "g":
            sh("ip", "-n", ns, "addr", "add", VIP + "/32", "dev", "lo")
        if method == "i":
            sh("ip", "-n", ns, "route", "add", CLIENT + "/32", "dev", "e0")  # straight to the client
            s.decap_log = os.path.join(self.topo.tmp, name + "_decap.log")
            s.decap = tunnel_end(self.topo, ns, VIP, s.decap_log)
            self.topo.spawn(ns, [PY, os.path.join(HERE, "udp_echo.py"), VIP, "53", name])
        root = os.path.join(self.topo.tmp, "www_" + name)
        os.makedirs(root)
        os.link(self.blob, os.path.join(root, "blob"))
        self.topo.spawn(ns, [PY, os.path.join(HERE, "httpd.py"), addr if method == "m" else VIP, "80", root, name])
        self.servers.append(s)

    def of(self, method: str) -> List[Server]:
        """The servers of a forwarding method: "g" (DR), "i" (tunnel), "m" (NAT)."""
        return [s for s in self.servers if s.method == method]

    def rules(self, weights: Dict[str, int]) -> str:
        """ipvsadm -R input: the rr service VIP:80 with every server by its method, weight from
        `weights` (0 for a server not named), and the UDP service VIP:53 on the tunnel servers."""
        lines = ["-A -t %s:80 -s rr" % VIP] + ["-a -t %s:80 -r %s:80 -%s -w %d" % (VIP, s.addr, s.method,
                                                                                 weights.get(s.name, 0))
                                               for s in self.servers]
        lines += ["-A -u %s:53 -s rr" % VIP] + ["-a -u %s:53 -r %s:53 -i -w 1" % (VIP, s.addr) for s in self.of("i")]
        return "\n".join(lines) + "\n"

    def configure(self, weights: Dict[str, int]) -> None:
        """Replaces dplb's services with rules(weights)."""
        self.dplb.ipvsadm("-C")
        self.dplb.ipvsadm("-R", input=self.rules(weights))

    def in_client(self, *args: str, timeout: float = 60, check: bool = False):
        return sh("ip", "netns", "exec", self.client, *args, timeout=timeout, check=check)
