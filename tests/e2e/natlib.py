"""A NAT test bed: a client namespace, dplb in its own namespace, and N real-server namespaces
behind a Linux bridge, each running httpd.py (HTTP, /id answers its name) and udp_echo.py.

    client (10.10.0.2) --veth-- [dpdk0 10.10.0.1, VIP 10.10.0.100] dplb [dpdk1 10.20.0.1] --veth-- bridge
                                                                              rs0 10.20.0.11, rs1 .12, rs2 .13
The servers route back through dplb (their default gateway), as NAT mode requires.
"""
from __future__ import annotations

import collections
import os
import socket
import time
from typing import List

from downloads import wait_http
from nslib import Dplb, TestFailure, Topology, sh

HERE = os.path.dirname(os.path.abspath(__file__))
VIP = "10.10.0.100"
CLIENT = "10.10.0.2"


def server_addr(i: int) -> str:
    return "10.20.0.%d" % (11 + i)


class NatBed:
    def __init__(self, topo: Topology, servers: int = 3, workers: int = 1, qpairs: int = 1,
                 blob_mb: int = 0, extra_config: str = "", **dplb_kw):
        """dplb_kw: more Dplb arguments (global_keys, batch, ipvs_rules...)."""
        self.topo = topo
        self.client = topo.ns("client")
        self.lb = topo.ns("lb")
        self.sw = topo.ns("sw")
        topo.veth(self.client, "c0", self.lb, "p0")
        topo.host(self.client, "c0", CLIENT + "/24", gateway="10.10.0.1")
        sh("ip", "-n", self.sw, "link", "add", "br0", "type", "bridge")
        sh("ip", "-n", self.sw, "link", "set", "br0", "up")
        topo.veth(self.lb, "p1", self.sw, "lbp")
        sh("ip", "-n", self.sw, "link", "set", "lbp", "master", "br0")
        self.servers: List[str] = []
        self.blob = os.path.join(topo.tmp, "blob")
        if blob_mb:
            with open(self.blob, "wb") as f:
                f.write(os.urandom(blob_mb << 20))
        for i in range(servers):
            ns = topo.ns("rs%d" % i)
            topo.veth(ns, "e0", self.sw, "rs%d" % i)
            sh("ip", "-n", self.sw, "link", "set", "rs%d" % i, "master", "br0")
            topo.host(ns, "e0", server_addr(i) + "/24", gateway="10.20.0.1")
            root = os.path.join(topo.tmp, "www%d" % i)
            os.makedirs(root)
            if blob_mb:
                os.link(self.blob, os.path.join(root, "blob"))
            topo.spawn(ns, ["/usr/bin/python3", os.path.join(HERE, "httpd.py"), server_addr(i), "80", root,
                            "server%d" % i])
            topo.spawn(ns, ["/usr/bin/python3", os.path.join(HERE, "udp_echo.py"), server_addr(i), "53",
                            "server%d" % i])
            self.servers.append(ns)
        self.dplb = Dplb(topo, self.lb, ["p0", "p1"], {0: ["10.10.0.1/24", VIP + "/32"], 1: ["10.20.0.1/24"]},
                         workers=workers, qpairs=qpairs, extra_config=extra_config, **dplb_kw)
        self.wait_servers()

    def wait_servers(self, timeout: float = 15) -> None:
        deadline = time.time() + timeout  # for all the servers together
        for i, ns in enumerate(self.servers):
            wait_http(ns, "http://%s/id" % server_addr(i), deadline - time.time(), "server %d did not come up" % i)

    def ipvsadm(self, *args: str, input: str | None = None) -> str:
        return self.dplb.ipvsadm(*args, input=input).stdout

    def service(self, sched: str, weights: List[int], proto: str = "-t", port: int = 80) -> None:
        rules = ["-A %s %s:%d -s %s" % (proto, VIP, port, sched)]
        rules += ["-a %s %s:%d -r %s:%d -m -w %d" % (proto, VIP, port, server_addr(i), port, w)
                  for i, w in enumerate(weights)]
        self.ipvsadm("-R", input="\n".join(rules) + "\n")

    def in_client(self, *args: str, timeout: float = 120, check: bool = False):
        return sh("ip", "netns", "exec", self.client, *args, timeout=timeout, check=check)

    def udp_query(self, payload: bytes, port: int = 53, timeout: float = 2.0) -> bytes:
        code = ("import socket,sys;s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM);s.settimeout(%f);"
                "s.sendto(%r,(%r,%d));d,a=s.recvfrom(2048);sys.stdout.write(a[0]+' '+d.decode())"
                % (timeout, payload, VIP, port))
        r = self.in_client("/usr/bin/python3", "-c", code, timeout=timeout + 5)
        if r.returncode != 0:
            raise TestFailure("UDP query got no answer: " + r.stderr.strip()[-200:])
        return r.stdout.encode()


def sequential_hits(bed, n: int, vip: str = VIP) -> collections.Counter:
    """n GETs of http://vip/id one after another from bed.in_client: {server name or curl error: count}."""
    hits = collections.Counter()
    for _ in range(n):
        r = bed.in_client("curl", "-s", "-m", "5", "http://%s/id" % vip)
        hits[r.stdout.strip() if r.returncode == 0 else "curl exit %d" % r.returncode] += 1
    return hits
