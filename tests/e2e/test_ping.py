#!/usr/bin/python3
"""Foundation namespace test: a veth into a fresh namespace, dplb on the other end with
net_af_packet; ping from the namespace succeeds and its ARP table learns dplb's MAC."""
import sys

from nslib import Dplb, TestFailure, Topology, sh


def main() -> int:
    topo = Topology("ping")
    try:
        client = topo.ns("client")
        lb = topo.ns("lb")
        topo.veth(client, "c0", lb, "p0")
        topo.host(client, "c0", "10.77.0.2/24")
        dplb = Dplb(topo, lb, ["p0"], {0: ["10.77.0.1/24"]})
        mac = dplb.links()[0]["address"]
        r = sh("ip", "netns", "exec", client, "ping", "-c", "3", "-i", "0.2", "-W", "2", "10.77.0.1", check=False)
        if r.returncode != 0:
            raise TestFailure("ping failed:\n%s\n%s" % (r.stdout, dplb.log_tail()))
        neigh = sh("ip", "-n", client, "neigh", "show", "10.77.0.1").stdout
        if mac.lower() not in neigh.lower():
            raise TestFailure("client ARP table lacks dplb's MAC %s: %r" % (mac, neigh))
        dplb.stop()
        print("ok   ping: 3/3 replies, client learned %s" % mac)
        return 0
    except TestFailure as e:
        print("FAIL ping: %s" % e)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
