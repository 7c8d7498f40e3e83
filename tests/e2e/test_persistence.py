#!/usr/bin/python3
"""Persistence with real TCP on two workers (ipvsadm -p, issue 17): the NAT bed of natlib with 2
workers on 2-queue ports, one rr service over three servers made persistent.

Without persistence rr (each worker has its own) spreads 30 requests over the three servers. With -p every request of the client (each a new
TCP connection from a new source port, so the NIC's queues and the owner function would spread them
over both workers) reaches one server, and ipvsadm -Lnc lists exactly one template (client port 0):
a template kept per worker would show two, and a second server. Removing that server sends the client
to another one (its template is dropped with it); dropping persistence (-E without -p) spreads again.
"""
import re
import sys

from natlib import CLIENT, VIP, NatBed, sequential_hits, server_addr
from nslib import TestFailure, Topology
from routelib import check


def templates(bed) -> list:
    """ipvsadm -Lnc's template lines (client port 0) of the client."""
    return [l for l in bed.ipvsadm("-Lnc").splitlines() if re.search(r"\s%s:0\s" % re.escape(CLIENT), l)]


def main():
    topo = Topology("persist")
    try:
        bed = NatBed(topo, workers=2, qpairs=2)
        bed.service("rr", [1, 1, 1])
        hits = sequential_hits(bed, 30)
        check(len(hits) == 3 and min(hits.values()) >= 5 and sum(hits.values()) == 30,
              "without persistence rr (one per worker) spreads 30 requests over the three servers: %s" % dict(hits))

        bed.ipvsadm("-E", "-t", "%s:80" % VIP, "-s", "rr", "-p", "60")
        check("persistent 60" in bed.ipvsadm("-Ln"), "ipvsadm -Ln shows 'persistent 60'")
        hits = sequential_hits(bed, 30)
        check(len(hits) == 1 and sum(hits.values()) == 30,
              "-p 60: 30 new connections from new ports all reach one server %s" % dict(hits))
        found = templates(bed)
        check(len(found) == 1, "exactly one template for the client, on the worker owning it: %s" % found)
        chosen = next(iter(hits))
        links = bed.dplb.links()
        handed = sum(h["handed_over"] for l in links for h in l.get("handover", []))
        check(handed > 0, "connections arrived on both workers and were handed to the owner (%d handovers)" % handed)

        victim = server_addr(int(chosen[-1]))
        bed.ipvsadm("-d", "-t", "%s:80" % VIP, "-r", "%s:80" % victim)
        hits = sequential_hits(bed, 10)
        check(len(hits) == 1 and chosen not in hits and sum(hits.values()) == 10,
              "its server removed, the client sticks to another one %s" % dict(hits))

        bed.ipvsadm("-E", "-t", "%s:80" % VIP, "-s", "rr")
        check("persistent" not in bed.ipvsadm("-Ln"), "-E without -p ends persistence")
        hits = sequential_hits(bed, 20)
        check(len(hits) == 2 and sum(hits.values()) == 20, "rr spreads again over the two servers left %s" % dict(hits))
        check(bed.dplb.stop() is not None, "dplb stopped cleanly")
    except TestFailure as e:
        print("FAIL persistence: %s" % e)
        return 1
    finally:
        topo.close()
    print("ok   persistence")
    return 0


if __name__ == "__main__":
    sys.exit(main())
