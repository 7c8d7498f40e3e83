#!/usr/bin/python3
"""The demo: a client, dplb and three real servers in network namespaces. dplb answers ping on its
own address, load-balances HTTP to a VIP over the servers (configured with ipvsadm), and shows the
spread with `ipvsadm -Ln --stats` and in its Prometheus metrics. Then the same VIP from a keepalived.conf through dplb-healthcheck
(checks through dplb's tap): a server fails and is taken out, then comes back. Last, direct return:
one service whose real servers are reached by direct routing (-g), IP-in-IP tunnel (-i) and NAT (-m)
at once; the DR and tunnel servers answer the client themselves, so dplb's port carries the client's
side only. Everything is removed at the end."""
import collections
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from hclib import KNI_PORTS, Healthcheck, httpd_of, setup_tap, start_httpd  # noqa: E402
from drlib import VIP as DR_VIP, DrBed  # noqa: E402
from natlib import VIP, NatBed, sequential_hits  # noqa: E402
from nslib import Topology, sh  # noqa: E402

KEEPALIVED_CONF = """virtual_server %s 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
%s
}
""" % (VIP, "\n".join("""  real_server 10.20.0.%d 80 {
    weight 1
    inhibit_on_failure
    HTTP_GET {
      url {
        path /health
      }
      connect_timeout 1
      retry 1
      delay_before_retry 1
    }
  }""" % (11 + i) for i in range(3)))


def show(title, text):
    print("\n### " + title)
    print(text.rstrip())


def spread(bed):
    hits = collections.Counter()
    for _ in range(30):
        out = bed.in_client("curl", "-s", "-m", "5", "http://%s/id" % VIP)
        hits[out.stdout.strip() or "failed"] += 1
    return hits


def transitions(hc):
    return "\n".join(l for l in hc.text().splitlines() if " UP" in l or " DOWN" in l or "ipvsadm -" in l)


def healthcheck_demo(topo, bed):
    """The VIP again, from keepalived.conf: server 1 fails, is taken out (weight 0), comes back."""
    bed.ipvsadm("-C")
    setup_tap(bed)
    show("keepalived.conf", KEEPALIVED_CONF)
    hc = Healthcheck(topo, bed, KEEPALIVED_CONF)
    up = {"10.20.0.%d" % (11 + i): 1 for i in range(3)}
    hc.wait_weights(up, "dplb-healthcheck to add the service")
    show("dplb-healthcheck -f keepalived.conf -n -l: ipvsadm -Ln", bed.ipvsadm("-Ln"))
    victim = httpd_of(topo, "10.20.0.12")
    victim.terminate()
    victim.wait(timeout=10)
    t = hc.wait_weights(dict(up, **{"10.20.0.12": 0}), "server 1 to be taken out")
    show("server1's HTTP server stopped: taken out after %.1f s; ipvsadm -Ln" % t, bed.ipvsadm("-Ln"))
    down = spread(bed)
    show("client: 30 x curl http://%s/id" % VIP, "\n".join("%s: %d" % kv for kv in sorted(down.items())))
    start_httpd(topo, bed, 1, "10.20.0.12")
    t = hc.wait_weights(up, "server 1 to come back")
    show("server1 started again: back after %.1f s; ipvsadm -Ln" % t, bed.ipvsadm("-Ln"))
    back = spread(bed)
    show("client: 30 x curl http://%s/id" % VIP, "\n".join("%s: %d" % kv for kv in sorted(back.items())))
    show("dplb-healthcheck's log: transitions and what it sent", transitions(hc))
    hc.stop()
    return sorted(down.items()) == [("server0", 15), ("server2", 15)] and sorted(back.values()) == [10, 10, 10]


def direct_return_demo():
    """Direct routing, tunnel and NAT servers behind one VIP (tests/e2e/drlib.py's bed)."""
    topo = Topology("demodr")
    try:
        bed = DrBed(topo, dr=2, tun=1, nat=1, blob_mb=20)
        bed.configure({s.name: 1 for s in bed.servers})
        show("direct return: ipvsadm -Ln (Route = -g, Tunnel = -i, Masq = -m)", bed.dplb.ipvsadm("-Ln").stdout)
        hits = sequential_hits(bed, 24, DR_VIP)
        show("client: 24 x curl http://%s/id" % DR_VIP, "\n".join("%s: %d" % kv for kv in sorted(hits.items())))
        bed.configure({s.name: 1 for s in bed.of("g")})
        before = bed.dplb.links()[0]["stats64"]
        r = bed.in_client("curl", "-s", "-o", "/dev/null", "-w", "%{size_download}", "http://%s/blob" % DR_VIP)
        after = bed.dplb.links()[0]["stats64"]
        sent = after["tx"]["bytes"] - before["tx"]["bytes"]
        show("client: a 20 MB download from the DR servers", "downloaded %s bytes; dplb's port sent %d bytes meanwhile "
             "(the servers answer the client directly)" % (r.stdout.strip(), sent))
        bed.dplb.stop()
        return sorted(hits.values()) == [6, 6, 6, 6] and r.stdout.strip() == str(20 << 20) and sent < (5 << 20)
    finally:
        topo.close()


def main():
    topo = Topology("demo")
    try:
        bed = NatBed(topo, servers=3, port_config=KNI_PORTS, extra_config='[metrics]\nlisten = "127.0.0.1:9469"')
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

        hits = spread(bed)
        show("client: 30 x curl http://%s/id" % VIP, "\n".join("%s: %d" % kv for kv in sorted(hits.items())))
        show("ipvsadm -Ln --stats", bed.ipvsadm("-Ln", "--stats"))
        show("ipvsadm -Lnc (first lines)", "\n".join(bed.ipvsadm("-Lnc").splitlines()[:6]))
        show("dpip -s link show", bed.dplb.dpip("-s", "link", "show").stdout)
        metrics = sh("ip", "netns", "exec", bed.lb, "curl", "-s", "http://127.0.0.1:9469/metrics").stdout
        show("curl http://127.0.0.1:9469/metrics (Prometheus; a few families of many)",
             "\n".join(l for l in metrics.splitlines()
                       if l.startswith(("dplb_port_rx_packets_total", "dplb_service_connections_total",
                                        "dplb_real_server_in_packets_total", "dplb_conn_table_entries"))))
        checked = healthcheck_demo(topo, bed)
        bed.dplb.stop()
        topo.close()
        direct = direct_return_demo()
        ok = r.returncode == 0 and sorted(hits.values()) == [10, 10, 10] and checked and direct
        print("\ndemo %s" % ("succeeded: ping answered, 30 requests spread 10/10/10, a failed server taken out "
                             "and back, direct routing and tunnel answering the client directly" if ok else "FAILED"))
        return 0 if ok else 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
