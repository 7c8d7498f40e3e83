#!/usr/bin/python3
"""Exception path: dplb's port dpdk0 has a kernel tap dpdk0.kni (kni = true) in dplb's namespace.

1. A client reaches a TCP (HTTP) server that runs in the kernel on dplb's own address, through dplb:
   a byte-exact GET of a random file.
2. `route add 10.78.0.5/32 dev dpdk0 scope kni_host` with 10.78.0.5 on the tap: the client's pings
   to it are answered by the kernel, not the data plane. Proof: the kni to_kernel counter rises by the
   echo count, the kernel's OutEchoReps by the echo count, and the port transmits exactly what the
   kernel sent (the data plane originates nothing); without the route, the same ping goes unanswered.
3. With unclaimed = "drop", the kernel's server is unreachable and the data plane counts l4_unhandled.
4. A virtual service and the kernel share a VIP: VIP:80 is load-balanced to a real server while
   another port of the VIP reaches a server in the kernel.
Each dplb stops cleanly with no mbuf in use.
"""
import hashlib
import os
import re
import sys
import time

from nslib import Dplb, TestFailure, Topology, kernel_ignores, sh

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT = "10.78.0.2"
LB = "10.78.0.1"
KNI_HOST = "10.78.0.5"
VIP = "10.78.0.100"
SERVER = "10.79.0.11"
TAP = "dpdk0.kni"
PORT = 8080
ECHOES = 5


def wait_for(what, cond, timeout=10.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if cond():
            return
        time.sleep(0.1)
    raise TestFailure("timed out waiting for " + what)


def link(dplb):
    return dplb.links()[0]


def kernel_out_echo_replies(ns):
    snmp = sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").stdout.splitlines()
    heads = [l.split() for l in snmp if l.startswith("Icmp:")]
    return int(heads[1][heads[0].index("OutEchoReps")])


def start_dplb(topo, lb, unclaimed, workers=1):
    # With 2 workers and 2 queue pairs both workers write to the kernel (each on its own tap queue)
    # and the kernel spreads its frames over both tap queues, which worker 0 reads.
    dplb = Dplb(topo, lb, ["p0"], {0: [LB + "/24"]}, workers=workers, qpairs=workers,
                port_config={0: ["kni = true", 'unclaimed = "%s"' % unclaimed]})
    wait_for(TAP, lambda: sh("ip", "-n", lb, "link", "show", TAP, check=False).returncode == 0)
    # The kernel side: dplb's address (its TCP server) and an address only the kernel has.
    sh("ip", "netns", "exec", lb, "sysctl", "-qw", "net.ipv6.conf.%s.disable_ipv6=1" % TAP.replace(".", "/"))
    sh("ip", "-n", lb, "addr", "add", LB + "/24", "dev", TAP)
    sh("ip", "-n", lb, "addr", "add", KNI_HOST + "/32", "dev", TAP)
    return dplb


def check_tap(dplb, lb, workers):
    info = sh("ip", "-n", lb, "-d", "link", "show", TAP).stdout
    if "numqueues %d " % workers not in info:  # one tun queue per worker (besides a detached keep-alive one)
        raise TestFailure("%s should have one queue per worker:\n%s" % (TAP, info))
    mac = link(dplb)["address"]
    if mac.lower() not in info.lower():
        raise TestFailure("%s does not carry the port's MAC %s:\n%s" % (TAP, mac, info))
    if "mtu 1500" not in info or "UP" not in info.split(">")[0]:
        raise TestFailure("%s is not up with mtu 1500:\n%s" % (TAP, info))
    text = dplb.dpip("link", "show").stdout
    if "    kni %s\n" % TAP not in text:
        raise TestFailure("dpip link show lacks the tap line:\n" + text)
    if link(dplb).get("kni", {}).get("ifname") != TAP:
        raise TestFailure("dpip -j -s link show lacks the kni counters: %r" % link(dplb))
    return mac


def http_get(topo, client, lb, timeout=20):
    www = os.path.join(topo.tmp, "www")
    os.makedirs(www, exist_ok=True)
    blob = os.urandom(300 * 1024)
    with open(os.path.join(www, "blob"), "wb") as f:
        f.write(blob)
    topo.spawn(lb, ["/usr/bin/python3", os.path.join(HERE, "httpd.py"), LB, str(PORT), www, "kernel"],
               log=os.path.join(topo.tmp, "http.log"))
    wait_for("the kernel's HTTP server",
             lambda: ":%d" % PORT in sh("ip", "netns", "exec", lb, "ss", "-ltn").stdout)
    code = ("import hashlib, urllib.request\n"
            "d = urllib.request.urlopen('http://%s:%d/blob', timeout=%d).read()\n"
            "print(len(d), hashlib.sha256(d).hexdigest())\n" % (LB, PORT, timeout))
    r = sh("ip", "netns", "exec", client, "/usr/bin/python3", "-c", code, check=False, timeout=timeout + 10)
    return r, "%d %s" % (len(blob), hashlib.sha256(blob).hexdigest())


def ping(client, addr, count, wait=2):
    return sh("ip", "netns", "exec", client, "ping", "-n", "-c", str(count), "-i", "0.2", "-W", str(wait),
              addr,
              check=False, timeout=30)


def received(ping_out):
    m = re.search(r"(\d+) received", ping_out)
    return int(m.group(1)) if m else 0


def kernel_pings_client(dplb, lb):
    """The kernel's own ping (a health check, say): its ARP and echo requests leave through the tap and
    the port; the client's ARP reply (a copy) and echo replies (ICMP the data plane does not answer)
    come back to it through the tap."""
    before = link(dplb)
    r = sh("ip", "netns", "exec", lb, "ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", CLIENT,
           check=False, timeout=30)
    if received(r.stdout) != 3:
        raise TestFailure("the kernel's ping of the client failed:\n%s" % r.stdout)
    after = link(dplb)
    if after["drops"].get("icmp_unhandled", 0) != before["drops"].get("icmp_unhandled", 0):
        raise TestFailure("echo replies to the kernel were dropped as icmp_unhandled")
    if after["kni"]["to_kernel"] - before["kni"]["to_kernel"] < 3:
        raise TestFailure("echo replies did not go to the kernel")


def part_tcp_through_kernel(topo, dplb, client, lb):
    before = link(dplb)
    r, expect = http_get(topo, client, lb)
    if r.returncode != 0 or r.stdout.strip() != expect:
        raise TestFailure("HTTP GET from the kernel's server failed: %r (want %r)\n%s\n%s"
                          % (r.stdout.strip(), expect, r.stderr[-2000:], dplb.log_tail()))
    after = link(dplb)
    to_k = after["kni"]["to_kernel"] - before["kni"]["to_kernel"]
    from_k = after["kni"]["from_kernel"] - before["kni"]["from_kernel"]
    if to_k < 10 or from_k < 200:  # 300 KiB from the kernel is > 200 segments; the client ACKs them
        raise TestFailure("kni counters did not carry the transfer: to_kernel +%d from_kernel +%d"
                          % (to_k, from_k))
    if after["drops"].get("l4_unhandled", 0) != 0:
        raise TestFailure("TCP to our address was dropped as l4_unhandled with a tap: %r" % after["drops"])
    return to_k, from_k


def part_kni_host(dplb, client, lb, client_mac, lb_mac):
    # Static neighbours on both sides: no ARP during the measurement, so the counts are exact.
    sh("ip", "-n", client, "neigh", "replace", KNI_HOST, "lladdr", lb_mac, "dev", "c0", "nud", "permanent")
    sh("ip", "-n", lb, "neigh", "replace", CLIENT, "lladdr", client_mac, "dev", TAP, "nud", "permanent")
    time.sleep(0.3)  # let stray frames (TCP teardown of part 1) settle

    # Without the route the data plane owns nothing there and does not forward: no answer.
    before = link(dplb)
    r = ping(client, KNI_HOST, 2, wait=1)
    after = link(dplb)
    if received(r.stdout) != 0:
        raise TestFailure("%s answered before the kni_host route existed:\n%s" % (KNI_HOST, r.stdout))
    not_local = after["drops"]["ipv4_not_local"] - before["drops"]["ipv4_not_local"]
    if not_local != 2:
        raise TestFailure("expected 2 ipv4_not_local drops without the route, got %d" % not_local)

    dplb.dpip("route", "add", KNI_HOST + "/32", "dev", "dpdk0", "scope", "kni_host")
    time.sleep(0.3)
    before, reps_before = link(dplb), kernel_out_echo_replies(lb)
    r = ping(client, KNI_HOST, ECHOES)
    time.sleep(0.3)  # the last reply's counters
    after, reps_after = link(dplb), kernel_out_echo_replies(lb)
    got = received(r.stdout)
    if got != ECHOES or "DUP" in r.stdout:
        raise TestFailure("ping %s: %d/%d replies (duplicates: %s):\n%s"
                          % (KNI_HOST, got, ECHOES, "DUP" in r.stdout, r.stdout))
    to_k = after["kni"]["to_kernel"] - before["kni"]["to_kernel"]
    from_k = after["kni"]["from_kernel"] - before["kni"]["from_kernel"]
    tx = after["stats64"]["tx"]["packets"] - before["stats64"]["tx"]["packets"]
    reps = reps_after - reps_before
    if to_k != ECHOES:
        raise TestFailure("kni to_kernel rose by %d, want the echo count %d" % (to_k, ECHOES))
    if reps != ECHOES:
        raise TestFailure("the kernel sent %d echo replies, want %d" % (reps, ECHOES))
    if tx != from_k or from_k < ECHOES:
        raise TestFailure("port tx +%d but from_kernel +%d: the data plane answered some itself"
                          % (tx, from_k))
    return to_k, reps


def part_policy_drop(topo, client, lb):
    dplb = start_dplb(topo, lb, "drop")
    code = ("import socket\n"
            "s = socket.create_connection(('%s', %d), timeout=2)\n" % (LB, PORT))
    r = sh("ip", "netns", "exec", client, "/usr/bin/python3", "-c", code, check=False, timeout=20)
    if r.returncode == 0:
        raise TestFailure("TCP to the kernel's server connected although unclaimed = drop")
    l = link(dplb)
    if l["drops"]["l4_unhandled"] < 1:
        raise TestFailure("unclaimed = drop did not count l4_unhandled: %r" % l["drops"])
    if received(ping(client, LB, 1).stdout) != 1:  # the data plane still answers for itself
        raise TestFailure("the data plane stopped answering pings to %s" % LB)
    dplb.stop()
    return l["drops"]["l4_unhandled"]


def part_service_and_kernel(topo):
    """A virtual service and the kernel on one VIP: VIP:80 is load-balanced to a real server, VIP:PORT
    (no service) reaches the kernel, which has the VIP on the tap."""
    client, lb, rs = topo.ns("client2"), topo.ns("lb2"), topo.ns("rs0")
    topo.veth(client, "c0", lb, "p0")
    topo.veth(lb, "p1", rs, "e0")
    for ifname in ("p0", "p1"):
        kernel_ignores(lb, ifname)
    topo.host(client, "c0", CLIENT + "/24")
    topo.host(rs, "e0", SERVER + "/24", gateway="10.79.0.1")
    www = os.path.join(topo.tmp, "www_rs0")
    os.makedirs(www)
    topo.spawn(rs, ["/usr/bin/python3", os.path.join(HERE, "httpd.py"), SERVER, "80", www, "server0"])
    dplb = Dplb(topo, lb, ["p0", "p1"], {0: [LB + "/24", VIP + "/32"], 1: ["10.79.0.1/24"]},
                port_config={0: ["kni = true"]},
                ipvs_rules=["-A -t %s:80 -s rr" % VIP, "-a -t %s:80 -r %s:80 -m -w 1" % (VIP, SERVER)])
    wait_for(TAP, lambda: sh("ip", "-n", lb, "link", "show", TAP, check=False).returncode == 0)
    sh("ip", "-n", lb, "addr", "add", LB + "/24", "dev", TAP)
    sh("ip", "-n", lb, "addr", "add", VIP + "/32", "dev", TAP)
    kwww = os.path.join(topo.tmp, "www_kernel2")
    os.makedirs(kwww)
    topo.spawn(lb, ["/usr/bin/python3", os.path.join(HERE, "httpd.py"), VIP, str(PORT), kwww, "kernel"])
    wait_for("the kernel's HTTP server on the VIP",
             lambda: ":%d" % PORT in sh("ip", "netns", "exec", lb, "ss", "-ltn").stdout)
    wait_for("the real server", lambda: sh("ip", "netns", "exec", rs, "ss", "-ltn").stdout.count(":80 ") > 0)
    answers = []
    for port in (80, PORT, 80, PORT):
        r = sh("ip", "netns", "exec", client, "curl", "-s", "-m", "5", "http://%s:%d/id" % (VIP, port),
               check=False)
        answers.append(r.stdout.strip() if r.returncode == 0 else "curl exit %d" % r.returncode)
    if answers != ["server0", "kernel", "server0", "kernel"]:
        raise TestFailure("VIP:80 should reach the real server and VIP:%d the kernel: %r\n%s"
                          % (PORT, answers, dplb.log_tail()))
    stats = dplb.ipvsadm("-Ln", "--stats").stdout
    if not re.search(r"TCP  %s:80\s+2\s" % re.escape(VIP), stats):
        raise TestFailure("ipvsadm should count 2 connections:\n" + stats)
    dplb.stop()
    return answers


def main() -> int:
    topo = Topology("kni")
    try:
        client = topo.ns("client")
        lb = topo.ns("lb")
        topo.veth(client, "c0", lb, "p0")
        kernel_ignores(lb, "p0")  # only dplb may hand the kernel what arrives there
        topo.host(client, "c0", CLIENT + "/24")
        sh("ip", "netns", "exec", client, "sysctl", "-qw", "net.ipv6.conf.c0.disable_ipv6=1")
        client_mac = re.search(r'"address":"([0-9a-f:]+)"',
                               sh("ip", "-n", client, "-j", "link", "show", "c0").stdout).group(1)

        dplb = start_dplb(topo, lb, "kernel", workers=2)
        lb_mac = check_tap(dplb, lb, 2)
        kernel_pings_client(dplb, lb)
        tcp_to, tcp_from = part_tcp_through_kernel(topo, dplb, client, lb)
        echo_to, echo_reps = part_kni_host(dplb, client, lb, client_mac, lb_mac)
        log = dplb.stop()
        if "kni %s" % TAP not in log:
            raise TestFailure("the daemon did not log its tap")
        drops = part_policy_drop(topo, client, lb)
        part_service_and_kernel(topo)
        print("ok   kni: HTTP GET of 300 KiB from the kernel's server (to_kernel +%d, from_kernel +%d); "
              "%d pings to a kni_host address answered by the kernel "
              "(to_kernel +%d, kernel echo replies +%d); "
              "unclaimed = drop: %d l4_unhandled; VIP:80 load-balanced while VIP:%d reaches the kernel"
              % (tcp_to, tcp_from, ECHOES, echo_to, echo_reps, drops, PORT))
        return 0
    except TestFailure as e:
        print("FAIL kni: %s" % e)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
