"""Small helpers shared by the routing and control-plane namespace tests."""
from __future__ import annotations

import json
import re
import time
from typing import Tuple

from nslib import TestFailure, sh


def check(cond, what: str) -> None:
    if not cond:
        raise TestFailure(what)
    print("  ok  %s" % what, flush=True)


def ping_summary(text: str) -> Tuple[int, int]:
    """(transmitted, received) from ping's summary line; raises when there is none."""
    m = re.search(r"(\d+) packets transmitted, (\d+) received", text)
    if not m:
        raise TestFailure("no ping summary in: %r" % text[-300:])
    return int(m.group(1)), int(m.group(2))


def ping(ns: str, dst: str, count: int = 5, interval: float = 0.2, wait: float = 2) -> Tuple[int, int]:
    r = sh("ip", "netns", "exec", ns, "ping", "-n", "-c", str(count), "-i", str(interval), "-W", str(wait), dst,
           check=False, timeout=count * interval + wait + 30)
    return ping_summary(r.stdout)


def snmp(ns: str, group: str, field: str) -> int:
    """A counter of the namespace's /proc/net/snmp, e.g. snmp(ns, "Icmp", "InEchos")."""
    rows = [l.split() for l in sh("ip", "netns", "exec", ns, "cat", "/proc/net/snmp").stdout.splitlines()
            if l.startswith(group + ":")]
    return int(rows[1][rows[0].index(field)])


def wait_until(cond, timeout: float, what: str, step: float = 0.05) -> None:
    deadline = time.time() + timeout
    while not cond():
        if time.time() > deadline:
            raise TestFailure("timed out after %.0f s waiting for %s" % (timeout, what))
        time.sleep(step)


def workers_agree(dplb, workers: int = 2):
    """(ok, state) of `dpip -j sync`: ok when it exits 0 and each of the `workers` workers reports the
    model's digest and is in sync."""
    r = dplb.dpip("-j", "sync", check=False)
    s = json.loads(r.stdout)
    ok = (r.returncode == 0 and s["all_in_sync"] and len(s["workers"]) == workers and
          all(w["digest"] == s["model_digest"] and w["in_sync"] for w in s["workers"]))
    return ok, s
