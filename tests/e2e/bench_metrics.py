#!/usr/bin/python3
"""The time of one scrape of a large configuration (issue 21): dplb with 1,000 services and 10,000
real servers (10 each, NAT) and [metrics] on; a client in dplb's namespace times N scrapes end to end
(connect, request, the whole answer read) and the daemon's own figure, dplb_metrics_render_seconds
(the main lcore's time to build the text). Prints one line per figure; docs/benchmarks.md has the
results. Not a test (scripts/test.sh runs test_*.py only).

Usage: bench_metrics.py [--services 1000] [--per-service 10] [--scrapes 20]
"""
import argparse
import json
import os
import subprocess
import sys
import time

from natlib import NatBed
from nslib import Topology

CLIENT = r'''
import json, socket, sys, time
n = int(sys.argv[1]); times = []; size = 0
for _ in range(n):
    time.sleep(0.3)  # past the endpoint's 250 ms reuse window: every scrape is rendered afresh
    t = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", 9469))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    data = bytearray()
    while True:
        b = s.recv(1 << 20)
        if not b: break
        data += b
    times.append(time.perf_counter() - t); size = len(data); s.close()
render = [l for l in data.decode().splitlines() if l.startswith("dplb_metrics_render_seconds ")]
renders = [l for l in data.decode().splitlines() if l.startswith("dplb_metrics_renders_total ")]
samples = sum(1 for l in data.decode().splitlines() if l and not l.startswith("#"))
print(json.dumps({"times": times, "bytes": size, "samples": samples, "render": float(render[0].split()[1]),
                  "renders": int(renders[0].split()[1])}))
'''


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--services", type=int, default=1000)
    ap.add_argument("--per-service", type=int, default=10)
    ap.add_argument("--scrapes", type=int, default=20)
    a = ap.parse_args()
    topo = Topology("mbench")
    try:
        bed = NatBed(topo, servers=1, extra_config='[metrics]\nlisten = "127.0.0.1:9469"\n[ipvs]\nconn_capacity = 65536')
        rules = []
        for s in range(a.services):
            vip = "10.10.%d.%d" % (1 + s // 250, 1 + s % 250)
            rules.append("-A -t %s:80 -s rr" % vip)
            rules += ["-a -t %s:80 -r 10.20.%d.%d:8080 -m -w 1" % (vip, 1 + r // 250, 1 + r % 250)
                      for r in range(a.per_service)]
        t = time.time()
        bed.ipvsadm("-R", input="\n".join(rules) + "\n")
        print("loaded %d services, %d real servers in %.1f s" % (a.services, a.services * a.per_service,
                                                                time.time() - t), flush=True)
        r = subprocess.run(["ip", "netns", "exec", bed.lb, "/usr/bin/python3", "-c", CLIENT, str(a.scrapes)],
                           capture_output=True, text=True, timeout=300)
        if r.returncode != 0:
            sys.exit("scrape client failed: " + r.stderr[-500:])
        res = json.loads(r.stdout)
        times = sorted(res["times"])
        print("scrape end to end over %d scrapes: min %.1f ms, median %.1f ms, max %.1f ms; %d bytes, %d samples"
              % (len(times), times[0] * 1e3, times[len(times) // 2] * 1e3, times[-1] * 1e3, res["bytes"],
                 res["samples"]))
        print("render on the main lcore (dplb_metrics_render_seconds, previous scrape): %.1f ms; renders before "
              "the last scrape: %d" % (res["render"] * 1e3, res["renders"]))
        bed.dplb.stop()
    finally:
        topo.close()


if __name__ == "__main__":
    main()
