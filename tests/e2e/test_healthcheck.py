#!/usr/bin/python3
"""dplb-healthcheck drives the real servers (issue 18).

The NAT bed of natlib with four HTTP real servers (the fourth only joins on reload). dplb's port
dpdk1 (the servers' side) has its kernel tap (kni = true) with dplb's address 10.20.0.1 on it, so the
checks leave through the exception path. The VIP is configured only by a keepalived.conf read by
dplb-healthcheck (-n -l -x SOCK), wrr over servers 0..2 at weight 1, inhibit_on_failure, delay_loop
1 s, retry 1: server 0 by TCP_CHECK, server 1 by HTTP_GET /health (status 200 and the body's MD5),
server 2 by a MISC_CHECK script; an FNAT virtual server is reported unsupported and skipped.

1. A bad file: exit 2 with FILE:LINE. The checker adds the service; no warning about checks leaving
   outside a tap; 30 requests 10/10/10.
2. Server 0's httpd is stopped: within delay_loop x (retry + 1) + a margin it shows weight 0 and 30
   requests go to servers 1 and 2 only; server 1's /health answers 500: weight 0 likewise; both are
   restored and come back with weight 1 and their share; server 0's notify_down and notify_up ran.
3. The MISC_CHECK script fails (a flag file): server 2 gets weight 0, then back; with misc_dynamic its
   exit status 5 sets weight 3, exit 0 the configured weight again.
4. A broken file on SIGHUP is reported with its line and changes nothing. While a rate-limited 4 MB
   download runs on an established connection, the file is rewritten (server 3 added, server 1's
   weight 2) and the checker gets SIGHUP: exactly those two operations are logged, the download
   completes intact, and server 3 receives requests.
5. dplb is killed (SIGKILL) and started again with no service: the checker re-applies everything.
Each transition is one log line; the checker and dplb stop cleanly.
"""
import collections
import hashlib
import os
import re
import signal
import subprocess
import sys
import time

from downloads import finished_intact, sha256_file, start_download, wait_http
from hclib import KNI_PORTS, TAP, Healthcheck, httpd_of, setup_tap, start_httpd
from natlib import CLIENT, VIP, NatBed, server_addr
from nslib import TestFailure, Topology
from routelib import check, wait_until

BLOB_MB = 4
RATE = "250K"  # ~16 s for the download that spans the reload
DOWNLOAD_PORT = 45678
BODY_MD5 = "9574694bef92336eb3996bb3c2024bdf"  # md5("health\n"), checked below


def keepalived_conf(flag, weights, servers=3):
    rs = [
        """  real_server %s 80 {
    weight %d
    inhibit_on_failure
    notify_down "/bin/sh -c 'echo down >> %s'"
    notify_up "/bin/sh -c 'echo up >> %s'"
    TCP_CHECK { connect_timeout 1 }
  }""" % (server_addr(0), weights[0], flag + ".notify", flag + ".notify"),
        """  real_server %s 80 {
    weight %d
    inhibit_on_failure
    HTTP_GET {
      url {
        path /health
        status_code 200
        digest %s
      }
      connect_timeout 1
    }
  }""" % (server_addr(1), weights[1], BODY_MD5),
        """  real_server %s 80 {
    weight %d
    inhibit_on_failure
    MISC_CHECK {
      misc_path "test ! -e %s || exit 1; exit $(cat %s.weight 2>/dev/null || echo 0)"
      misc_timeout 2
      misc_dynamic
    }
  }""" % (server_addr(2), weights[2], flag, flag),
        """  real_server %s 80 {
    weight %d
    inhibit_on_failure
    TCP_CHECK { connect_timeout 1 }
  }""" % (server_addr(3), weights[3] if len(weights) > 3 else 1),
    ]
    return """! dplb-healthcheck e2e test
global_defs {
  router_id dplb_e2e
}
virtual_server %s 80 {
  delay_loop 1
  lb_algo wrr
  lb_kind NAT
  protocol TCP
  retry 1
  delay_before_retry 1
%s
}
virtual_server %s 443 {
  delay_loop 1
  lb_kind FNAT
  real_server %s 443 { weight 1 }
}
""" % (VIP, "\n".join(rs[:servers]), VIP, server_addr(0))


def hits(bed, n=30):
    c = collections.Counter()
    for _ in range(n):
        r = bed.in_client("curl", "-s", "-m", "3", "http://%s/id" % VIP)
        c[r.stdout.strip() if r.returncode == 0 else "curl exit %d" % r.returncode] += 1
    return c


def main():
    assert hashlib.md5(b"health\n").hexdigest() == BODY_MD5
    topo = Topology("hchk")
    try:
        bed = NatBed(topo, servers=4, blob_mb=BLOB_MB, port_config=KNI_PORTS)
        setup_tap(bed)
        flag = os.path.join(topo.tmp, "rs2_down")
        hc = Healthcheck(topo, bed, keepalived_conf(flag, [1, 1, 1]))
        names = ["server%d" % i for i in range(4)]
        all_up = {server_addr(i): 1 for i in range(3)}

        print("healthcheck:", flush=True)
        bad = os.path.join(topo.tmp, "bad.conf")
        with open(bad, "w") as f:
            f.write("virtual_server %s 80 {\n  lb_algo nosuch\n" % VIP)
        r = subprocess.run([hc.binary, "-f", bad, "-n", "-l"], capture_output=True, text=True, timeout=10)
        check(r.returncode == 2 and "bad.conf:2: lb_algo" in r.stderr,
              "a bad file: exit 2 with FILE:LINE (%s)" % r.stderr.strip().splitlines()[0])
        hc.wait_weights(all_up, "the checker to add the service")
        log = hc.text()
        check("lb_kind FNAT unsupported" in log and "virtual server skipped" in log,
              "the FNAT virtual server is reported unsupported and skipped")
        check("not a dplb tap" not in log and "cannot tell" not in log,
              "no warning: checks of the servers leave through %s" % TAP)
        h = hits(bed)
        check(h == collections.Counter({n: 10 for n in names[:3]}), "30 requests -> 10/10/10 %s" % dict(h))

        # 2. a stopped server, a health URL answering 500
        rs0 = httpd_of(topo, server_addr(0))
        rs0.terminate()
        rs0.wait(timeout=10)
        t = hc.wait_weights(dict(all_up, **{server_addr(0): 0}), "server 0 to get weight 0")
        check(True, "server 0 stopped: weight 0 after %.1f s" % t)
        h = hits(bed)
        check(set(h) == {"server1", "server2"} and sum(h.values()) == 30,
              "30 requests go to servers 1 and 2 only %s" % dict(h))
        with open(os.path.join(topo.tmp, "www1", "health_status"), "w") as f:
            f.write("500")
        t = hc.wait_weights({server_addr(0): 0, server_addr(1): 0, server_addr(2): 1}, "server 1 to get weight 0")
        check(True, "server 1's /health answers 500: weight 0 after %.1f s" % t)
        h = hits(bed)
        check(h == collections.Counter({"server2": 30}), "30 requests go to server 2 only %s" % dict(h))
        start_httpd(topo, bed, 0, server_addr(0))
        os.unlink(os.path.join(topo.tmp, "www1", "health_status"))
        t = hc.wait_weights(all_up, "servers 0 and 1 to come back")
        check(True, "server 0 restarted and server 1 healthy: weight 1 again after %.1f s" % t)
        h = hits(bed)
        check(h == collections.Counter({n: 10 for n in names[:3]}), "30 requests -> 10/10/10 %s" % dict(h))
        notified = open(flag + ".notify").read().split() if os.path.exists(flag + ".notify") else []
        check(notified == ["down", "up"], "server 0's notify_down then notify_up ran: %r" % notified)

        # 3. MISC_CHECK decides for server 2
        open(flag, "w").close()
        t = hc.wait_weights(dict(all_up, **{server_addr(2): 0}), "server 2 (MISC_CHECK) to get weight 0")
        check(True, "MISC_CHECK fails: server 2 weight 0 after %.1f s" % t)
        os.unlink(flag)
        t = hc.wait_weights(all_up, "server 2 to come back")
        check(True, "MISC_CHECK passes: server 2 weight 1 after %.1f s" % t)
        with open(flag + ".weight", "w") as f:
            f.write("5")
        t = hc.wait_weights(dict(all_up, **{server_addr(2): 3}), "misc_dynamic to set weight 3")
        check(True, "misc_dynamic: exit 5 sets server 2's weight to 3 after %.1f s" % t)
        os.unlink(flag + ".weight")
        hc.wait_weights(all_up, "server 2's configured weight again")

        # 4. a reload of a broken file keeps the running configuration; then a reload during a download
        hc.write(keepalived_conf(flag, [1, 1, 1]).replace("delay_loop 1", "delay_loop x", 1))
        hc.proc.send_signal(signal.SIGHUP)
        wait_until(lambda: "keeping the running configuration" in hc.text(), 5, "the broken reload's report", step=0.1)
        check(re.search(r"keepalived.conf:\d+: delay_loop: \"x\" is not a time", hc.text()) is not None
              and hc.weights() == all_up, "a broken file on SIGHUP: reported with its line, nothing changed")
        # the reload during a download
        out = os.path.join(topo.tmp, "slow.blob")
        # From a port of its own, so the wait below sees this download's connection and no older one.
        dl = start_download(bed.client, "http://%s/blob" % VIP, out,
                            ("-sS", "--limit-rate", RATE, "-m", "60", "--local-port", str(DOWNLOAD_PORT)),
                            stderr=subprocess.PIPE, text=True)
        topo.procs.append(dl)
        wait_until(lambda: re.search(r"ESTABLISHED\s+%s:%d\s" % (re.escape(CLIENT), DOWNLOAD_PORT), bed.ipvsadm("-Lnc")),
                   10, "the download's connection", step=0.1)
        time.sleep(1)
        before = len(hc.text().splitlines())
        hc.write(keepalived_conf(flag, [1, 2, 1, 1], servers=4))
        hc.proc.send_signal(signal.SIGHUP)
        t = hc.wait_weights({server_addr(0): 1, server_addr(1): 2, server_addr(2): 1, server_addr(3): 1},
                         "the reload (server 3 added, server 1 weight 2)")
        ended = dl.poll()
        check(ended is None, "reload applied after %.1f s while the download still runs%s" % (
            t, "" if ended is None else " (curl ended: exit %s, %s bytes, %r)" % (
                ended, os.path.getsize(out) if os.path.exists(out) else "no", dl.stderr.read()[-300:])))
        time.sleep(1.5)  # a full resync period: nothing else may be sent
        ops = [l.split("ipvsadm ", 1)[1] for l in hc.text().splitlines()[before:] if " ipvsadm -" in l]
        want_ops = ["-e -t %s:80 -r %s:80 -m -w 2" % (VIP, server_addr(1)),
                    "-a -t %s:80 -r %s:80 -m -w 1" % (VIP, server_addr(3))]
        check(sorted(ops) == sorted(want_ops), "the reload sent exactly %r" % ops)
        check(finished_intact(dl, out, sha256_file(bed.blob), timeout=60), "the download completed intact")
        h = hits(bed)
        check(h["server3"] > 0 and h["server1"] > max(h["server0"], h["server2"], h["server3"])
              and sum(h.values()) == 30, "the new server receives requests, server 1 twice its share %s" % dict(h))

        # 5. dplb killed and restarted: the checker re-applies the services
        bed.dplb.proc.kill()
        bed.dplb.proc.wait(timeout=10)
        wait_until(lambda: "dplb not reachable" in hc.text(), 10, "the checker to notice", step=0.2)
        bed.dplb.start()
        setup_tap(bed)
        t = hc.wait_weights({server_addr(0): 1, server_addr(1): 2, server_addr(2): 1, server_addr(3): 1},
                         "the checker to re-apply the services")
        check(True, "dplb restarted: the checker re-applied the service within %.1f s" % t)
        check(re.search(r"connected to dplb at \S+: 5 change\(s\) to apply", hc.text()) is not None,
              "the restarted dplb had lost the service: 5 changes re-applied (1 service, 4 servers)")
        wait_http(bed.client, "http://%s/id" % VIP, 10, "the VIP does not answer after the restart")
        h = hits(bed)
        check(set(h) == set(names) and sum(h.values()) == 30, "requests reach all four servers again %s" % dict(h))

        transitions = re.findall(r"real server \S+ of TCP \S+ (UP|DOWN)", hc.text())
        check(transitions.count("DOWN") >= 3 and transitions.count("UP") >= 3,
              "one log line per transition (%d DOWN, %d UP)" % (transitions.count("DOWN"), transitions.count("UP")))
        check(hc.stop() == 0, "the checker stops with status 0 on SIGTERM")
        bed.dplb.stop()
        print("ok   healthcheck", flush=True)
        return 0
    except (TestFailure, subprocess.TimeoutExpired) as e:
        print("FAIL healthcheck: %s" % e)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
