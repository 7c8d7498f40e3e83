#!/usr/bin/python3
"""Demo: a client namespace pings dplb over a veth; dplb answers from the data plane."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from nslib import Dplb, Topology, sh  # noqa: E402


def show(title, text):
    print("\n### " + title)
    print(text.rstrip())


def main():
    topo = Topology("demo")
    try:
        client = topo.ns("client")
        lb = topo.ns("lb")
        topo.veth(client, "c0", lb, "p0")
        topo.host(client, "c0", "10.77.0.2/24")
        dplb = Dplb(topo, lb, ["p0"], {0: ["10.77.0.1/24"]})
        show("dpip link show (dplb's port on the veth)", dplb.dpip("link", "show").stdout)
        show("dpip addr show", dplb.dpip("addr", "show").stdout)
        r = sh("ip", "netns", "exec", client, "ping", "-c", "3", "-i", "0.2", "10.77.0.1", check=False)
        show("client: ping -c 3 10.77.0.1", r.stdout)
        show("client: ip neigh (dplb's MAC learned by ARP)", sh("ip", "-n", client, "neigh", "show").stdout)
        show("dpip -s link show", dplb.dpip("-s", "link", "show").stdout)
        dplb.stop()
        print("\ndemo %s" % ("succeeded" if r.returncode == 0 else "FAILED"))
        return r.returncode
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
