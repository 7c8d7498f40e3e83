#!/usr/bin/python3
"""IPVS NAT with real TCP and UDP (issue 5): a client, dplb and three HTTP real servers in
namespaces. rr and wrr distribute exactly; a 100 MB download arrives intact; 200 concurrent
connections complete; weight 0 drains a server while its download finishes; a UDP service
answers. Then the same traffic with 2 workers on 2-queue ports: no connection fails.

Usage: test_nat.py [--workers-only 1|2]
"""
import collections
import json
import os
import re
import subprocess
import sys
import time

from downloads import download, finished_intact, sha256_file, start_download
from natlib import VIP, NatBed, sequential_hits, server_addr
from nslib import TestFailure, Topology

HERE = os.path.dirname(os.path.abspath(__file__))


def check(cond, what):
    if not cond:
        raise TestFailure(what)
    print("  ok  %s" % what, flush=True)


def concurrent(bed, n, conc):
    r = bed.in_client("/usr/bin/python3", os.path.join(HERE, "http_clients.py"), "http://%s/id" % VIP, str(n),
                      str(conc), "30", timeout=120)
    if r.returncode != 0:
        raise TestFailure("http_clients failed: " + r.stderr[-300:])
    return json.loads(r.stdout)


def reset(bed, sched, weights, proto="-t", port=80):
    bed.ipvsadm("-C")
    bed.service(sched, weights, proto, port)


def scenario_single_worker(topo):
    print("NAT, 1 worker:", flush=True)
    bed = NatBed(topo, workers=1, blob_mb=100)
    names = ["server0", "server1", "server2"]

    reset(bed, "rr", [1, 1, 1])
    hits = sequential_hits(bed, 30)
    check(hits == collections.Counter({n: 10 for n in names}), "rr: 30 requests -> 10/10/10 %s" % dict(hits))

    reset(bed, "wrr", [3, 2, 1])
    hits = sequential_hits(bed, 60)
    check(hits == collections.Counter({"server0": 30, "server1": 20, "server2": 10}),
          "wrr 3:2:1: 60 requests -> 30/20/10 %s" % dict(hits))
    stats = bed.ipvsadm("-Ln", "--stats")
    check(re.search(r"TCP  %s:80\s+60\s" % re.escape(VIP), stats) is not None, "ipvsadm --stats counts 60 connections")

    res = concurrent(bed, 200, 200)
    check(res["ok"] == 200 and res["failed"] == 0, "200 concurrent connections all complete (%s)" % res["errors"])

    want = sha256_file(bed.blob)
    out = os.path.join(topo.tmp, "download")
    t0 = time.time()
    _, ok = download(bed.client, "http://%s/blob" % VIP, out, want, ("-s", "-m", "120"), timeout=150)
    dt = time.time() - t0
    check(ok,
          "100 MB download, sha256 matches (%.1f s, %.0f Mbit/s)" % (dt, 800 / dt))
    os.unlink(out)

    # Drain: weight 0 stops new connections to a server; its ongoing download completes.
    reset(bed, "rr", [1, 1, 1])
    dl = start_download(bed.client, "http://%s/blob" % VIP, out, ("-s", "-m", "120", "--limit-rate", "10M"),
                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    topo.procs.append(dl)
    busy = None
    for _ in range(50):
        m = re.search(r"ESTABLISHED\s+\S+\s+\S+\s+(\S+):80", bed.ipvsadm("-Lnc"))
        if m:
            busy = m.group(1)
            break
        time.sleep(0.1)
    check(busy is not None, "the download's connection is ESTABLISHED on %s" % busy)
    bed.ipvsadm("-e", "-t", "%s:80" % VIP, "-r", "%s:80" % busy, "-m", "-w", "0")
    drained = "server%d" % [server_addr(i) for i in range(3)].index(busy)
    check(dl.poll() is None, "the download is still running after weight 0 on %s" % drained)
    hits = sequential_hits(bed, 30)
    check(hits[drained] == 0 and sum(hits.values()) == 30 and all(k.startswith("server") for k in hits),
          "weight 0 on %s: 30 new requests avoid it %s" % (drained, dict(hits)))
    check(finished_intact(dl, out, want), "the drained server's download completed intact")

    reset(bed, "rr", [1, 1, 1], proto="-u", port=53)
    answers = [bed.udp_query(b"ping%d" % i).decode() for i in range(3)]
    check(all(a.startswith(VIP + " server") and a.endswith(":ping%d" % i) for i, a in enumerate(answers)),
          "UDP service answers from the VIP, spread over servers %s" % answers)
    text = bed.dplb.stop()
    check("mbufs in use at exit: pool dplb_mbuf_s0: 0 of " in text, "dplb stopped cleanly, no mbuf leaked")


def scenario_two_workers(topo):
    print("NAT, 2 workers on 2-queue ports:", flush=True)
    bed = NatBed(topo, workers=2, qpairs=2, blob_mb=20)
    reset(bed, "rr", [1, 1, 1])
    hits = sequential_hits(bed, 30)
    check(sum(hits.values()) == 30 and all(k.startswith("server") for k in hits) and len(hits) == 3,
          "30 sequential requests all answered, every server used %s" % dict(hits))
    res = concurrent(bed, 200, 200)
    check(res["ok"] == 200 and res["failed"] == 0, "200 concurrent connections all complete (%s)" % res["errors"])
    out = os.path.join(topo.tmp, "download")
    _, ok = download(bed.client, "http://%s/blob" % VIP, out, sha256_file(bed.blob), ("-s", "-m", "120"), timeout=150)
    check(ok, "20 MB download intact")
    reset(bed, "rr", [1, 1, 1], proto="-u", port=53)
    check(bed.udp_query(b"x").decode().startswith(VIP), "UDP service answers")
    links = bed.dplb.links()
    per_worker = [w for l in links for w in l.get("workers", [])]
    sync = bed.dplb.dpip("sync").stdout
    check("out of sync" not in sync.lower(), "workers agree with the model")
    text = bed.dplb.stop()
    redirected = sum(int(x) for x in re.findall(r"redirected (\d+)", text))
    print("  info: packets handed to their owner worker: %d" % redirected)
    # dpip -s link show's per-worker handover, read before the stop: never more than the exit log's.
    handed = [h["handed_over"] for l in links for h in l.get("handover", [])]
    check(len(handed) == 2 * len(links) and sum(handed) <= redirected,
          "dpip -s link show reports each worker's handover (%d, exit log %d)" % (sum(handed), redirected))
    check("mbufs in use at exit: pool dplb_mbuf_s0: 0 of " in text, "dplb stopped cleanly, no mbuf leaked")


def main():
    only = sys.argv[2] if len(sys.argv) > 2 and sys.argv[1] == "--workers-only" else None
    for name, fn in (("1", scenario_single_worker), ("2", scenario_two_workers)):
        if only and only != name:
            continue
        topo = Topology("nat%s" % name)
        try:
            fn(topo)
        except TestFailure as e:
            print("FAIL nat (%s worker): %s" % (name, e))
            return 1
        finally:
            topo.close()
    print("ok   nat")
    return 0


if __name__ == "__main__":
    sys.exit(main())
