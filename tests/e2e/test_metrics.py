#!/usr/bin/python3
"""Observability (issue 21): dplb's Prometheus endpoint scraped by a real Prometheus.

A NAT bed (client, dplb, two HTTP real servers) with `[metrics]` on; Debian's prometheus runs in
dplb's namespace with a 1 s scrape of it. Checked: the endpoint's answers (200 with the families,
404, 405, promtool accepts the text); a scraper that sends nothing and one that sends garbage are
closed within about a second and meanwhile dpip and ipvsadm answer promptly; after traffic through
the VIP, EVERY PromQL expression of conf/grafana-dplb.json returns data through Prometheus's HTTP API
(a metric renamed without the dashboard following fails here); with EAL's shared configuration,
dpdk-dumpcap captures a curl through the VIP and tcpdump reads the file (skipped, and said so, when
the machine has no hugepages to give).
"""
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

from hugepages import Hugepages
from natlib import VIP, NatBed
from nslib import TestFailure, Topology, sh

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
DASHBOARD = os.path.join(ROOT, "conf", "grafana-dplb.json")
METRICS_PORT = 9469
PROM_PORT = 9090  # the namespace is new: nothing else listens on its loopback


def check(cond, what):
    if not cond:
        raise TestFailure(what)
    print("  ok  %s" % what, flush=True)


def dashboard_expressions():
    dash = json.load(open(DASHBOARD))
    exprs = [t["expr"] for p in dash["panels"] for t in p.get("targets", []) if t.get("expr")]
    # Grafana's variables, as Grafana would fill them for a short time range.
    return [e.replace("$__rate_interval", "1m").replace("$__interval", "15s") for e in exprs]


def in_lb(bed, *args, timeout=30):
    return sh("ip", "netns", "exec", bed.lb, *args, timeout=timeout, check=False)


def http(bed, *args):
    """curl in dplb's namespace: (status code, body)."""
    r = in_lb(bed, "curl", "-s", "-m", "5", "-o", "-", "-w", "\n%{http_code}", *args)
    body, _, code = r.stdout.rpartition("\n")
    return int(code or 0), body


def timed(fn):
    t = time.time()
    r = fn()
    return r, time.time() - t


def endpoint_answers(bed):
    url = "http://127.0.0.1:%d" % METRICS_PORT
    code, text = http(bed, url + "/metrics")
    check(code == 200, "GET /metrics -> 200")
    for family in ("dplb_port_rx_packets_total", "dplb_drops_total", "dplb_service_connections_total",
                   "dplb_real_server_in_packets_total", "dplb_worker_busy_polls_total", "dplb_conn_table_entries",
                   "dplb_mbuf_pool_free", "dplb_control_commands_total", "dplb_build_info"):
        check(re.search(r"^# TYPE %s " % family, text, re.M) is not None, "family %s present" % family)
    path = os.path.join(bed.topo.tmp, "scrape.txt")
    open(path, "w").write(text)
    r = subprocess.run(["promtool", "check", "metrics"], stdin=open(path), capture_output=True, text=True)
    check(r.returncode == 0, "promtool check metrics accepts the exposition %s" % (r.stdout + r.stderr)[-300:].strip())
    check(http(bed, url + "/")[0] == 404, "GET / -> 404")
    check(http(bed, url + "/metrics", "-X", "POST")[0] == 405, "POST /metrics -> 405")


def hostile_scrapers(bed):
    p = subprocess.Popen(["ip", "netns", "exec", bed.lb, "/usr/bin/python3", os.path.join(HERE, "hostile_scrapers.py"),
                          "127.0.0.1", str(METRICS_PORT), "10"], stdout=subprocess.PIPE, text=True)
    bed.topo.procs.append(p)
    first = json.loads(p.stdout.readline() or "{}")
    check(first.get("open"), "a silent and a garbage scraper connected")
    # While they are connected: the tools answer as promptly as ever.
    r, t_dpip = timed(lambda: bed.dplb.dpip("-s", "link", "show", check=False))
    check(r.returncode == 0 and t_dpip < 1.0, "dpip -s link show answers in %.3f s beside them" % t_dpip)
    r, t_ipvs = timed(lambda: bed.dplb.ipvsadm("-Ln", check=False))
    check(r.returncode == 0 and t_ipvs < 1.0 and VIP in r.stdout, "ipvsadm -Ln answers in %.3f s beside them" % t_ipvs)
    closed = json.loads(p.stdout.readline() or "{}")
    p.wait(timeout=15)
    check(closed.get("silent") is not None and closed["silent"] < 3, "the silent scraper was closed after %ss" % closed.get("silent"))
    check(closed.get("garbage") is not None and closed["garbage"] < 0.5, "the garbage scraper was answered 400 and closed after %ss" % closed.get("garbage"))
    r, t_dpip = timed(lambda: bed.dplb.dpip("link", "show", check=False))
    check(r.returncode == 0 and t_dpip < 1.0, "dpip still answers afterwards (%.3f s)" % t_dpip)


def start_prometheus(bed):
    d = os.path.join(bed.topo.tmp, "prometheus")
    os.makedirs(os.path.join(d, "data"))
    conf = os.path.join(d, "prometheus.yml")
    with open(conf, "w") as f:
        f.write("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  evaluation_interval: 1s\n"
                "scrape_configs:\n  - job_name: dplb\n    static_configs:\n"
                "      - targets: ['127.0.0.1:%d']\n" % METRICS_PORT)
    proc = bed.topo.spawn(bed.lb, ["prometheus", "--config.file=" + conf, "--storage.tsdb.path=" + os.path.join(d, "data"),
                                   "--web.listen-address=127.0.0.1:%d" % PROM_PORT, "--log.level=warn"],
                          log=os.path.join(d, "prometheus.log"))
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            raise TestFailure("prometheus exited: " + open(os.path.join(d, "prometheus.log")).read()[-500:])
        code, body = http(bed, "http://127.0.0.1:%d/api/v1/targets" % PROM_PORT)
        if code == 200:
            targets = json.loads(body)["data"]["activeTargets"]
            if targets and targets[0]["health"] == "up":
                check(True, "prometheus scrapes dplb (target up)")
                return proc
        time.sleep(0.3)
    raise TestFailure("the prometheus target never came up")


def query(bed, expr):
    r = in_lb(bed, "curl", "-s", "-m", "5", "--data-urlencode", "query=" + expr,
              "http://127.0.0.1:%d/api/v1/query" % PROM_PORT)
    try:
        return json.loads(r.stdout)
    except ValueError:
        return {"status": "error", "error": "not JSON: " + r.stdout[:200]}


def dashboard_queries(bed):
    exprs = dashboard_expressions()
    check(len(exprs) >= 20, "the dashboard has %d expressions" % len(exprs))
    failed = []
    deadline = time.time() + 20
    pending = list(exprs)
    while pending and time.time() < deadline:
        still = []
        for e in pending:
            ans = query(bed, e)
            if ans.get("status") != "success" or not ans["data"]["result"]:
                still.append((e, ans.get("error", "no data")))
        pending = [e for e, _ in still]
        failed = still
        if pending:
            time.sleep(1)  # rate() needs two scrapes inside its range
    for e, why in failed:
        print("  FAIL %s: %s" % (e, why))
    check(not failed, "every dashboard expression returns data (%d)" % len(exprs))
    # The check can fail: a name the daemon does not export gives no data.
    ans = query(bed, "sum by (port) (rate(dplb_port_rx_packets_renamed_total[1m]))")
    check(ans.get("status") == "success" and not ans["data"]["result"], "a renamed metric would give no data")
    # Traffic is visible, not only present: the service counted the requests.
    ans = query(bed, 'sum(dplb_service_connections_total{service="%s:80"})' % VIP)
    n = float(ans["data"]["result"][0]["value"][1]) if ans.get("data", {}).get("result") else 0
    check(n >= 20, "Prometheus sees %d connections of the VIP's service" % n)


def drive_traffic(bed, n=20):
    ok = 0
    for _ in range(n):
        ok += bed.in_client("curl", "-s", "-m", "5", "-o", "/dev/null", "http://%s/id" % VIP).returncode == 0
    check(ok == n, "%d/%d requests through the VIP" % (ok, n))


def capture(bed):
    """dpdk-dumpcap attached to the running dplb captures a curl through the VIP on dpdk0."""
    pcap = os.path.join(bed.topo.tmp, "dpdk0.pcapng")
    log = os.path.join(bed.topo.tmp, "dumpcap.log")
    # net_af_packet0 is dpdk0 (the client side); dumpcap takes the ethdev name, not dplb's.
    dumpcap = bed.topo.spawn(bed.lb, ["dpdk-dumpcap", "--file-prefix=" + bed.dplb.prefix, "-i", "net_af_packet0",
                                      "-w", pcap], log=log)
    deadline = time.time() + 15
    while "Packets captured" not in open(log).read():  # printed once the capture is enabled
        if dumpcap.poll() is not None or time.time() > deadline:
            raise TestFailure("dpdk-dumpcap did not start: " + open(log).read()[-400:])
        time.sleep(0.2)
    r = bed.in_client("curl", "-s", "-m", "5", "http://%s/id" % VIP)
    check(r.returncode == 0, "a curl through the VIP during the capture")
    time.sleep(0.5)
    dumpcap.send_signal(signal.SIGINT)  # dumpcap writes its statistics and closes the file
    dumpcap.wait(timeout=10)
    r = sh("tcpdump", "-nr", pcap, check=False)
    lines = [l for l in r.stdout.splitlines() if "%s.80" % VIP in l]
    if len(lines) < 5:
        print("    dumpcap: %s\n    tcpdump: %s" % (open(log).read().strip().replace("\n", " | ")[-400:],
                                                   (r.stdout + r.stderr).strip().replace("\n", " | ")[-300:]), flush=True)
    check(r.returncode == 0 and len(lines) >= 5,
          "tcpdump -r reads %d packets of the curl (to or from %s.80) captured by dpdk-dumpcap" % (len(lines), VIP))
    check(any("Flags [S]" in l for l in lines), "the capture holds the curl's SYN")


def scenario(topo, shared_eal):
    # A tap on dpdk0 (the exception path) so that its families have samples for the dashboard.
    bed = NatBed(topo, servers=2, shared_eal=shared_eal, port_config={0: ["kni = true"]},
                 extra_config='[metrics]\nlisten = "127.0.0.1:%d"\n[ipvs]\nconn_capacity = 65536' % METRICS_PORT)
    try:
        bed.service("rr", [1, 1])
        endpoint_answers(bed)
        hostile_scrapers(bed)
        prom = start_prometheus(bed)
        drive_traffic(bed)
        dashboard_queries(bed)
        prom.terminate()
        prom.wait(timeout=10)
        if shared_eal:
            capture(bed)
        bed.dplb.stop()
    finally:
        topo.close()  # before the hugepages are given back
        # EAL's hugepage files of this daemon (its --file-prefix), if it could not remove them itself.
        prefix = "e2e_%s" % topo.uid
        for f in os.listdir("/dev/hugepages") if os.path.isdir("/dev/hugepages") else []:
            if f.startswith(prefix):
                os.unlink(os.path.join("/dev/hugepages", f))


def main():
    if shutil.which("prometheus") is None or shutil.which("promtool") is None:
        raise TestFailure("prometheus is not installed (scripts/deps.sh installs it)")
    topo = Topology("metr")
    t0 = time.time()
    try:
        print("metrics endpoint, Prometheus and dpdk-dumpcap:", flush=True)
        with Hugepages(384) as have_hugepages:
            if not have_hugepages:
                print("  SKIP dpdk-dumpcap: no 384 free hugepages (the rest runs without shared EAL)", flush=True)
            scenario(topo, shared_eal=have_hugepages)
        print("metrics: done in %.1f s" % (time.time() - t0), flush=True)
    finally:
        topo.close()


if __name__ == "__main__":
    try:
        main()
    except TestFailure as e:
        print("FAIL: %s" % e, flush=True)
        sys.exit(1)
    print("PASS", flush=True)
