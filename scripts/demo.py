#!/usr/bin/python3
"""The demo: a client, dplb and three real servers in network namespaces. dplb answers ping on its
own address, load-balances HTTP to a VIP over the servers (configured with ipvsadm), and shows the
spread with `ipvsadm -Ln --stats`. Everything is removed at the end."""
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from natlib import VIP, NatBed  # noqa: E402
from nslib import Topology  # noqa: E402


def show(title, text):
    print("\n### " + title)
    print(text.rstrip())


def main():
    topo = Topology("demo")
    try:
        bed = NatBed(topo, servers=3)
        show("dpip link show", bed.dplb.dpip("link", "show").stdout)
        show("dpip addr show", bed.dplb.dpip("addr", "show").stdout)
        show("dpip route show", bed.dplb.dpip("route", "show").stdout)
        r = bed.in_client("ping", "-c", "3", "-i", "0.2", "10.10.0.1")
        show("client: ping -c 3 10.10.0.1 (answered by dplb's data plane)", r.stdout)

        cmds = ["-A -t %s:80 -s rr" % VIP] + \
               ["-a -t %s:80 -r 10.20.0.%d:80 -m -w 1" % (VIP, 11 + i) for i in range(3)]
        for c in cmds:
            bed.ipvsadm(*c.split())
        show("ipvsadm " + " ; ipvsadm ".join(cmds), "")
        show("ipvsadm -Ln", bed.ipvsadm("-Ln"))

        hits = collections.Counter()
        for _ in range(30):
            out = bed.in_client("curl", "-s", "-m", "5", "http://%s/id" % VIP)
            hits[out.stdout.strip() or "failed"] += 1
        show("client: 30 x curl http://%s/id" % VIP, "\n".join("%s: %d" % kv for kv in sorted(hits.items())))
        show("ipvsadm -Ln --stats", bed.ipvsadm("-Ln", "--stats"))
        show("ipvsadm -Lnc (first lines)", "\n".join(bed.ipvsadm("-Lnc").splitlines()[:6]))
        show("dpip -s link show", bed.dplb.dpip("-s", "link", "show").stdout)
        bed.dplb.stop()
        ok = r.returncode == 0 and sorted(hits.values()) == [10, 10, 10]
        print("\ndemo %s" % ("succeeded: ping answered, 30 requests spread 10/10/10" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
