#!/usr/bin/python3
"""End to end with testpmd as a separate traffic generator over net_memif (how users test with testpmd).

    bench_memif.py --build build-bench --l3fwd PATH [--runs 3] [--seconds 5]

testpmd (`--forward-mode=flowgen`: UDP from 10.254.0.0 to 1,024 destinations 10.253.0.x, 64-byte
frames; it also receives and frees what comes back) is the memif client, its generator lcore on
CPU 0. The forwarder under test is the memif server with one forwarding lcore on CPU 1 and routes
10.253.0.0/16 back out the same port: testpmd io (the floor), l3fwd (LPM), dplb (forwarding, route
via a static neighbour; the port is promiscuous because flowgen's destination MAC is not ours).
Rate = the server port's received packets per second (DPDK telemetry), median of --runs.
The generator shares CPU 0 with the server's main lcore (which sleeps) and the telemetry thread.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--l3fwd", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=5)
    a = ap.parse_args()
    build, l3fwd = os.path.abspath(a.build), os.path.abspath(a.l3fwd)
    tmp = tempfile.mkdtemp(prefix="dplb-memif-")
    uid = os.getpid()
    with open(os.path.join(tmp, "fwd.batch"), "w") as f:
        f.write("neigh add 10.0.0.2 lladdr 02:00:00:00:00:02 dev dpdk0\n"
                "route add 10.253.0.0/16 via 10.0.0.2 dev dpdk0\n")
    with open(os.path.join(tmp, "l3fwd.v4"), "w") as f:
        f.write("R10.253.0.0/16 0\n")
    with open(os.path.join(tmp, "l3fwd.v6"), "w") as f:
        f.write("R2001:0db8:0000:0000:0000:0000:0000:0000/32 0\n")
    seq = [0]

    def names(tag):
        seq[0] += 1
        pre = "memif_%s_%d_%d" % (tag, uid, seq[0])
        sock = os.path.join(tmp, pre + ".sock")
        vdev = "--vdev=net_memif0,role=server,id=0,socket=%s,socket-abstract=no" % sock
        return pre, sock, vdev

    def testpmd_server():
        pre, sock, vdev = names("tpmd")
        cmd = ["stdbuf", "-o0", "dpdk-testpmd", "--lcores=0@0,1@1", "--no-huge", "-m", "512", "--no-pci",
               "--no-shconf", "--file-prefix=" + pre, "--log-level=warning", vdev, "--", "--forward-mode=io",
               "--total-num-mbufs=16384"]
        return bench.Contender("testpmd io", cmd, pre, tmp, stdin_pipe=True), sock

    def l3fwd_server():
        pre, sock, vdev = names("l3fwd")
        cmd = [l3fwd, "--lcores=1@1", "--no-huge", "-m", "512", "--no-pci", "--no-shconf", "--file-prefix=" + pre,
               "--log-level=warning", vdev, "--", "-p", "0x1", "-P", "--config=(0,0,1)", "--parse-ptype",
               "--lookup=lpm", "--rule_ipv4=" + os.path.join(tmp, "l3fwd.v4"),
               "--rule_ipv6=" + os.path.join(tmp, "l3fwd.v6")]
        return bench.Contender("l3fwd lpm", cmd, pre, tmp), sock

    def dplb_server():
        pre, sock, vdev = names("dplb")
        ipc = os.path.join(tmp, pre + ".ipc")
        eal = ["--no-huge", "-m", "1024", "--no-pci", "--no-shconf", "--file-prefix=" + pre, "--lcores=0@0,1@1",
               "--log-level=warning", vdev]
        conf = os.path.join(tmp, pre + ".toml")
        with open(conf, "w") as f:
            f.write("[global]\nlog_level = \"warn\"\nforwarding = true\ndpip_batch = [%s]\n\n[eal]\nargs = [%s]\n\n"
                    "[ctrl]\nsocket = %s\n\n[dataplane]\nidle_backoff = false\n\n[ipvs]\nconn_capacity = 65536\n\n"
                    "[ports.dpdk0]\naddresses = [\"10.0.0.1/24\"]\npromisc = true\n" % (
                        json.dumps(os.path.join(tmp, "fwd.batch")), ", ".join(json.dumps(x) for x in eal),
                        json.dumps(ipc)))
        c = bench.Contender("dplb forward", [os.path.join(build, "src/dplb"), "-c", conf], pre, tmp, ipc=ipc)
        return c, sock

    def generator(sock):
        pre = "memif_gen_%d_%d" % (uid, seq[0])
        cmd = ["stdbuf", "-o0", "dpdk-testpmd", "--lcores=0@0,1@0", "--main-lcore=0", "--no-huge", "-m", "256",
               "--no-pci", "--no-shconf", "--no-telemetry", "--file-prefix=" + pre, "--log-level=warning",
               "--vdev=net_memif0,role=client,id=0,socket=%s,socket-abstract=no" % sock, "--",
               "--forward-mode=flowgen", "--total-num-mbufs=8192"]
        return bench.Contender("generator", cmd, pre, tmp, stdin_pipe=True)

    rows = {}
    order = []
    print("memif: %s, %d run(s) x %.0f s; logs in %s" % (time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                                                         a.runs, a.seconds, tmp), flush=True)
    print(bench.machine_info.describe(), flush=True)
    for rnd in range(a.runs):
        for make in (testpmd_server, l3fwd_server, dplb_server):
            server, sock = make()
            gen = None
            if server.name not in rows:
                rows[server.name] = []
                order.append(server.name)
            try:
                server.start()
                tel = server.telemetry()
                end = time.monotonic() + 120
                while not os.path.exists(sock) and time.monotonic() < end:
                    time.sleep(0.1)
                gen = generator(sock)
                gen.start()
                bench.wait_for_traffic(tel, 1, 1.0)
                rate, txr = bench.measure_steady(tel, a.seconds)
                tel.close()
                rows[server.name].append(rate)
                print("  %-14s round %d: %6.2f Mpps  tx/rx %.2f" % (server.name, rnd + 1, rate / 1e6, txr), flush=True)
            except (RuntimeError, OSError) as e:
                print("  %-14s round %d: FAILED %s\n%s" % (server.name, rnd + 1, e, bench.tail(server.log)), flush=True)
            finally:
                if gen:
                    gen.stop()  # the client first (TESTBED: 22.11's memif server may crash otherwise)
                server.stop()
    med = {n: statistics.median(rows[n]) for n in order if rows[n]}
    print("\n| server (memif, testpmd flowgen as the client) | Mpps (median) | runs | vs l3fwd | vs testpmd io |")
    print("|---|---|---|---|---|")
    for n in order:
        if n not in med:
            print("| %s | failed | | | |" % n)
            continue
        print("| %s | %.2f | %s | %.2f | %.2f |" % (n, med[n] / 1e6, " ".join("%.2f" % (r / 1e6) for r in rows[n]),
                                                   med[n] / med["l3fwd lpm"] if "l3fwd lpm" in med else 0,
                                                   med[n] / med["testpmd io"] if "testpmd io" in med else 0))
    subprocess.run(["rm", "-rf", tmp])


if __name__ == "__main__":
    main()
