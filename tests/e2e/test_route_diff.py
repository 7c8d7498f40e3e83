#!/usr/bin/python3
"""Differential test of dplb's routing against the Linux kernel's FIB (issue 19).

    ns ref:  veths named dpdk0..dpdk2 (peers q0..q2 up): Linux is given the commands with `ip -batch`
    ns lb:   dplb on af_packet ports over veths p0..p2 (peers in ns peer): the ports are dpdk0..dpdk2,
             given the very same commands with `dpip -batch`

Each scenario is a seeded random list of `addr add` / `route add|change|del` commands (several
addresses per port, on-link and gateway routes, metrics, src, scope link, site and global) followed by `route get` queries (plain, with
`from` and with `oif`). Both sides run it with -force; every line must succeed or fail on both, and
every answered `route get` must agree on type, device, gateway and source. Then both sides are reset
(`route flush`, `addr flush`) for the next scenario.

A mismatch that an ALLOW entry explains (a documented difference, docs/routing.md "Differences from
Linux") is counted and passes; a command accepted by one side only and allowed is dropped from the
scenario, which is run again without it, so what follows is still compared. Any other mismatch fails:
the scenario is shrunk to the smallest command list that still shows it, which is printed, with the
seed (`--seed N` replays one run, `--scenarios N` sets how many).
"""
from __future__ import annotations

import argparse
import ipaddress
import json
import os
import random
import re
import sys
import time
from typing import Callable, Dict, List, NamedTuple, Optional, Tuple

from nslib import Dplb, TestFailure, Topology, sh

PORTS = ("dpdk0", "dpdk1", "dpdk2")
QUERIES_PER_SCENARIO = 120
DEFAULT_SCENARIOS = 40


# ---------------------------------------------------------------------------------------------------
# The documented differences. Each entry names the difference, says why it is kept (or that it is
# still to be fixed; issue 19) and recognises it from one query's two answers (`linux`, `dplb`: dicts
# with type/dev/gateway/prefsrc, or an "error" string) or, for a command, from the two outcomes.
class Allow(NamedTuple):
    name: str
    reason: str
    query: Optional[Callable[[str, List[str], dict, dict], bool]] = None  # (query, lines before, linux, dplb)
    command: Optional[Callable[[str, List[str], bool, bool], bool]] = None  # (line, lines before, linux ok, dplb ok)


def _only_differ_in(linux: dict, dplb: dict, keys) -> bool:
    fields = ("type", "dev", "gateway", "prefsrc", "error")
    return all(linux.get(f) == dplb.get(f) for f in fields if f not in keys)


def _our_addresses(before: List[str]) -> set:
    return {l.split()[2].split("/")[0] for l in before if l.startswith("addr add ")}


def _shared_subnet_source(q: str, before: List[str], linux: dict, dplb: dict) -> bool:
    """Linux answers from the oif port's own on-link route (dev oif, no gateway, the port's address in
    that subnet as source) of a subnet another port also has an address in: dplb has only the other
    port's route there, so it takes another route through oif or assumes on-link."""
    words = q.split()
    if _deleted_shared_subnet(q, before, linux):
        return True
    if "oif" not in words or linux.get("gateway") or linux.get("type") != "unicast":
        return False
    oif, dst = words[words.index("oif") + 1], ipaddress.IPv4Address(words[2])
    if linux.get("dev") != oif or dplb.get("dev") != oif:
        return False
    nets = [(l.split()[4], ipaddress.IPv4Interface(l.split()[2])) for l in before if l.startswith("addr add ")]
    mine = [i for dev, i in nets if dev == oif and str(i.ip) == linux.get("prefsrc") and dst in i.network]
    return bool(mine) and any(dev != oif and i.network == mine[0].network for dev, i in nets)


def _deleted_shared_subnet(q: str, before: List[str], linux: dict) -> bool:
    """`route del` of a subnet several ports have addresses in: Linux removes one port's route and
    answers from another's (dev that port, its address as source); dplb had only one, now gone."""
    dst = ipaddress.IPv4Address(q.split()[2])
    nets = [(l.split()[4], ipaddress.IPv4Interface(l.split()[2])) for l in before if l.startswith("addr add ")]
    deleted = {ipaddress.IPv4Network(l.split()[2]) for l in before if l.startswith("route del ")}
    for net in deleted:
        devs = {d for d, i in nets if i.network == net}
        if dst in net and len(devs) > 1 and linux.get("dev") in devs and not linux.get("gateway"):
            return True
    return False


def _shared_subnet_gateway(cmd: str, before: List[str], linux_ok: bool, dplb_ok: bool) -> bool:
    """`via G dev X` with G in a subnet X has an address in, that an earlier port also has: Linux
    resolves G through X's own on-link route, dplb has only the other port's."""
    words = cmd.split()
    if not linux_ok or dplb_ok:
        return False
    if words[:2] == ["route", "del"]:  # Linux has a route per port to delete, dplb had one
        net = ipaddress.IPv4Network(words[2])
        return len({l.split()[4] for l in before if l.startswith("addr add ")
                    and ipaddress.IPv4Interface(l.split()[2]).network == net}) > 1
    if "via" not in words or "dev" not in words:
        return False
    gw, dev = ipaddress.IPv4Address(words[words.index("via") + 1]), words[words.index("dev") + 1]
    nets = [(l.split()[4], ipaddress.IPv4Interface(l.split()[2])) for l in before if l.startswith("addr add ")]
    mine = [i for d, i in nets if d == dev and gw in i.network]
    return any(d != dev and i.network == m.network for m in mine for d, i in nets)


def _via(cmd: str) -> Optional[str]:
    words = cmd.split()
    return words[words.index("via") + 1] if "via" in words else None


ALLOW: List[Allow] = [
    Allow("local-dev-lo",
          "a route get of one of our addresses: Linux answers `local ... dev lo`, dplb names the port that "
          "holds the address (it has no loopback device; local delivery stays on the port)",
          query=lambda q, before, l, d: l.get("type") == "local" and d.get("type") == "local" and l.get("dev") == "lo"
          and _only_differ_in(l, d, ("dev",))),
    Allow("loopback",
          "127.0.0.0/8: Linux's lo holds it (route get answers local dev lo), dplb has no loopback device and "
          "drops such packets as martians",
          query=lambda q, before, l, d: q.split()[2].startswith("127.") and l.get("type") == "local" and l.get("dev") == "lo"),
    Allow("shared-subnet-route",
          "two ports with addresses in one subnet share one on-link route in dplb (the first port's); Linux "
          "keeps one per port, so `route get ... oif` through the second port takes that port's address "
          "as source where dplb assumes on-link or takes another route, and refuses `via G dev PORT` for a "
          "gateway only that route covers; `route del` of the subnet removes Linux's first route but dplb's "
          "only one",
          query=_shared_subnet_source, command=_shared_subnet_gateway),
    Allow("local-gateway",
          "`via` one of our own addresses: Linux accepts it, dplb refuses it (Nexthop has invalid gateway): "
          "such a route cannot forward, the next hop would be ourselves",
          command=lambda c, before, lok, dok: lok and not dok and _via(c) in _our_addresses(before)),
]


def allowed_query(q: str, before: List[str], linux: dict, dplb: dict) -> Optional[Allow]:
    return next((a for a in ALLOW if a.query and a.query(q, before, linux, dplb)), None)


def allowed_command(cmd: str, before: List[str], linux_ok: bool, dplb_ok: bool) -> Optional[Allow]:
    return next((a for a in ALLOW if a.command and a.command(cmd, before, linux_ok, dplb_ok)), None)


# ---------------------------------------------------------------------------------------------------
# Random scenarios.
def ip_str(v: int) -> str:
    return str(ipaddress.IPv4Address(v & 0xffffffff))


def gen_scenario(rng: random.Random) -> List[str]:
    """Setup commands, then queries: one list of ip/dpip batch lines."""
    cmds: List[str] = []
    addrs: List[Tuple[str, int, int]] = []  # (port, ip, len)
    used = set()
    # Addresses from a few shared /16s, so subnets overlap across ports and with routes.
    bases = [ipaddress.IPv4Address("10.%d.0.0" % rng.randrange(4)) for _ in range(3)]
    for port in PORTS:
        for _ in range(rng.choice((0, 1, 1, 2, 2, 3))):
            length = rng.choice((16, 24, 24, 24, 28, 32))
            base = int(rng.choice(bases))
            ip = base | rng.randrange(1, 0xffff)
            mask = (0xffffffff << (32 - length)) & 0xffffffff
            host = ip & ~mask & 0xffffffff
            if length < 31 and (host == 0 or host == (~mask & 0xffffffff)):
                continue
            if ip in used:
                continue
            used.add(ip)
            addrs.append((port, ip, length))
            cmds.append("addr add %s/%d dev %s" % (ip_str(ip), length, port))
    nets: List[Tuple[int, int]] = [(ip & ((0xffffffff << (32 - l)) & 0xffffffff), l) for _, ip, l in addrs]
    gateways = [ip ^ rng.randrange(1, 200) for _, ip, l in addrs if l < 30]
    # Subnets with addresses on several ports have one on-link route in dplb but one per port in
    # Linux (ALLOW "shared-subnet-route"): changing or deleting it would make everything after differ.
    shared = {n for n in set(nets) if len({p for p, ip, l in addrs
                                           if (ip & ((0xffffffff << (32 - l)) & 0xffffffff), l) == n}) > 1}
    prefixes: List[Tuple[int, int]] = []
    for _ in range(rng.randrange(2, 14)):
        length = rng.choice((8, 12, 15, 16, 16, 20, 24, 24, 28, 32))
        if nets and rng.random() < 0.4:
            net, nlen = rng.choice(nets)  # inside or around an address's subnet
            base = net | (rng.randrange(1 << 16) & ~((0xffffffff << (32 - nlen)) & 0xffffffff))
        else:
            base = (rng.choice((45, 45, 46, 172)) << 24) | rng.randrange(1 << 24)
        mask = (0xffffffff << (32 - length)) & 0xffffffff if length else 0
        net = base & mask
        prefixes.append((net, length))
        verb = "change" if rng.random() < 0.1 else "add"  # change: ENOENT unless an earlier add made it
        if verb == "change" and prefixes and rng.random() < 0.5:
            net, length = rng.choice(prefixes)
        if verb == "change" and (net, length) in shared:
            verb = "add"
        words = ["route", verb, "%s/%d" % (ip_str(net), length)]
        kind = rng.random()
        if kind < 0.4 or not gateways:
            words += ["dev", rng.choice(PORTS)]
            scope = rng.random()
            if scope < 0.15:
                words += ["scope", "link"]
            elif scope < 0.3:  # not a way to reach gateways (fib_check_nh looks up at link scope)
                words += ["scope", "global"]
            elif scope < 0.4:  # Linux's site: reaches gateways of global routes only
                words += ["scope", rng.choice(("site", "200"))]
        else:
            gw = rng.choice(gateways) if rng.random() < 0.85 else rng.choice([ip for _, ip, _ in addrs] or [1])
            words += ["via", ip_str(gw)]
            if rng.random() < 0.3:
                words += ["dev", rng.choice(PORTS)]
            if rng.random() < 0.1:
                words += ["scope", "site"]
        if rng.random() < 0.3:
            words += ["metric", str(rng.choice((1, 5, 10, 100)))]
        if addrs and rng.random() < 0.15:
            words += ["src", ip_str(rng.choice(addrs)[1])]
        cmds.append(" ".join(words))
    if rng.random() < 0.3 and gateways:
        cmds.append("route add default via %s" % ip_str(rng.choice(gateways)))
    # An address goes now and then: its routes follow (fib_del_ifaddr, and fib_disable_ip for a
    # port's last address).
    if addrs and rng.random() < 0.3:
        port, ip, length = rng.choice(addrs)
        cmds.append("addr del %s/%d dev %s" % (ip_str(ip), length, port))
    # Deletes by prefix, optionally by dev, via or metric.
    for _ in range(rng.randrange(0, 3)):
        if not prefixes:
            break
        net, length = rng.choice(prefixes)
        if (net, length) in shared:
            continue
        line = "route del %s/%d" % (ip_str(net), length)
        r = rng.random()
        if r < 0.3:
            line += " dev %s" % rng.choice(PORTS)
        elif r < 0.5 and gateways:
            line += " via %s" % ip_str(rng.choice(gateways))
        if rng.random() < 0.3:  # 0 is iproute2's wildcard
            line += " metric %d" % rng.choice((0, 0, 1, 5, 10, 100))
        cmds.append(line)
    # Queries: inside routes and subnets, their edges, our addresses and gateways, and elsewhere.
    targets: List[int] = []
    for net, length in prefixes + nets:
        size = 1 << (32 - length)
        targets += [net | rng.randrange(size), net, net + size - 1]
    targets += [ip for _, ip, _ in addrs] + gateways
    for _ in range(QUERIES_PER_SCENARIO):
        r = rng.random()
        dst = rng.choice(targets) if targets and r < 0.9 else rng.randrange(1, 0xdfffffff)
        line = "route get %s" % ip_str(dst)
        extra = rng.random()
        if extra < 0.1 and addrs:
            line += " from %s" % ip_str(rng.choice(addrs)[1])
        elif extra < 0.2:
            line += " oif %s" % rng.choice(PORTS)
        cmds.append(line)
    return cmds


# ---------------------------------------------------------------------------------------------------
# Running a command list on both sides.
class Outcome(NamedTuple):
    ok: List[bool]                     # per line
    answers: Dict[int, dict]           # line index -> normalized route get answer


def parse_json_stream(text: str) -> List[dict]:
    dec, i, out = json.JSONDecoder(), 0, []
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i >= len(text):
            return out
        value, i = dec.raw_decode(text, i)
        out.extend(value if isinstance(value, list) else [value])


def normalize(r: dict) -> dict:
    out = {k: r[k] for k in ("dev", "gateway", "prefsrc") if k in r}
    out["type"] = r.get("type", "unicast")
    return out


def outcome(lines: List[str], stdout: str, stderr: str) -> Outcome:
    failed = {int(n) - 1 for n in re.findall(r"Command failed \S+:(\d+)", stderr)}
    ok = [i not in failed for i in range(len(lines))]
    results = parse_json_stream(stdout)
    answers: Dict[int, dict] = {}
    gets = [i for i, l in enumerate(lines) if l.startswith("route get") and ok[i]]
    if len(gets) != len(results):
        raise TestFailure("%d answered route gets but %d JSON answers:\n%s\n%s" % (len(gets), len(results), stdout[-500:], stderr[-500:]))
    for i, r in zip(gets, results):
        answers[i] = normalize(r)
    for i, l in enumerate(lines):
        if l.startswith("route get") and not ok[i]:
            answers[i] = {"error": "failed"}
    return Outcome(ok, answers)


class Sides:
    def __init__(self, topo: Topology, ref: str, dplb: Dplb):
        self.topo, self.ref, self.dplb = topo, ref, dplb
        self.batch = os.path.join(topo.tmp, "scenario.batch")
        self.runs = 0

    def reset(self) -> None:
        sh("ip", "-n", self.ref, "route", "flush", "table", "main")
        self.dplb.dpip("route", "flush")
        for p in PORTS:
            sh("ip", "-n", self.ref, "addr", "flush", "dev", p)
            self.dplb.dpip("addr", "flush", "dev", p)

    def run(self, lines: List[str]) -> Tuple[Outcome, Outcome]:
        self.runs += 1
        self.reset()
        with open(self.batch, "w") as f:
            f.write("\n".join(lines) + "\n")
        lx = sh("ip", "-n", self.ref, "-j", "-force", "-batch", self.batch, check=False, timeout=60)
        dp = sh(self.dplb.dpip_bin, "-x", self.dplb.sock, "-j", "-force", "-batch", self.batch, check=False, timeout=60)
        return outcome(lines, lx.stdout, lx.stderr), outcome(lines, dp.stdout, dp.stderr)


class Mismatch(NamedTuple):
    line: int
    text: str


def compare(sides: Sides, lines: List[str], stats: Dict[str, int]) -> Tuple[List[str], Optional[Mismatch]]:
    """Runs `lines`; allowed command mismatches are dropped (and the rest run again). Returns the
    lines finally compared and the first mismatch no ALLOW entry explains (None: all agree)."""
    while True:
        lx, dp = sides.run(lines)
        dropped = None
        for i, l in enumerate(lines):
            if l.startswith("route get") or lx.ok[i] == dp.ok[i]:
                continue
            a = allowed_command(l, lines[:i], lx.ok[i], dp.ok[i])
            if a is None:
                return lines, Mismatch(i, "%r: linux %s, dplb %s" % (l, "ok" if lx.ok[i] else "refused",
                                                                     "ok" if dp.ok[i] else "refused"))
            key = a.name + " (command)"
            stats[key] = stats.get(key, 0) + 1
            dropped = i
            break
        if dropped is not None:
            lines = lines[:dropped] + lines[dropped + 1:]
            continue
        first = None
        for i in sorted(lx.answers):
            la, da = lx.answers[i], dp.answers[i]
            if la == da:
                stats["agree"] = stats.get("agree", 0) + 1
                continue
            a = allowed_query(lines[i], lines[:i], la, da)
            if a is not None:
                stats[a.name] = stats.get(a.name, 0) + 1
                continue
            if first is None:
                first = Mismatch(i, "%r: linux %s, dplb %s" % (lines[i], la, da))
        return lines, first


def still_fails(sides: Sides, lines: List[str], line: Optional[str] = None) -> Optional[Mismatch]:
    """The unexplained mismatch `lines` show, if any (only one on `line`, when given: shrinking keeps
    the same query failing, not another one)."""
    compared, m = compare(sides, lines, {})
    if m is None or line is None:
        return m
    return m if compared[m.line] == line else None


def shrink(sides: Sides, lines: List[str], m: Mismatch, budget: int = 150) -> Tuple[List[str], Mismatch]:
    """Delta debugging: keep the failing query (the last line), then drop chunks of the other lines
    while some unexplained mismatch remains."""
    query = lines[m.line] if lines[m.line].startswith("route get") else None
    cur = [l for l in lines[:m.line + 1] if not l.startswith("route get")] + ([query] if query else [])
    target = lines[m.line]
    found = still_fails(sides, cur, target)
    if found is None:  # the mismatch needed other queries' setup: keep everything before it
        cur = lines[:m.line + 1]
        found = still_fails(sides, cur, target) or m
    chunk = max(1, len(cur) // 2)
    while chunk >= 1 and budget > 0:
        i, progressed = 0, False
        while i < len(cur) and budget > 0:
            trial = cur[:i] + cur[i + chunk:]
            if not trial:
                i += chunk
                continue
            budget -= 1
            f = still_fails(sides, trial, target)
            if f is not None:
                cur, found, progressed = trial, f, True
            else:
                i += chunk
        if not progressed:
            chunk //= 2
    return cur, found


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=None)
    ap.add_argument("--scenarios", type=int, default=DEFAULT_SCENARIOS)
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 32)
    print("route differential test against Linux: seed %d (replay: %s --seed %d)" % (seed, sys.argv[0], seed),
          flush=True)
    topo = Topology("rdif")
    t0 = time.time()
    try:
        ref, lb, peer = topo.ns("ref"), topo.ns("lb"), topo.ns("peer")
        # dplb promotes a secondary address when the primary goes: Linux with promote_secondaries=1
        # (Debian's sysctl default; a new namespace starts at the kernel's 0).
        for conf in ("all", "default"):
            sh("ip", "netns", "exec", ref, "sysctl", "-qw", "net.ipv4.conf.%s.promote_secondaries=1" % conf)
        for i, p in enumerate(PORTS):
            sh("ip", "-n", ref, "link", "add", p, "type", "veth", "peer", "name", "q%d" % i)
            sh("ip", "-n", ref, "link", "set", p, "up")
            sh("ip", "-n", ref, "link", "set", "q%d" % i, "up")
            sh("ip", "netns", "exec", ref, "sysctl", "-qw", "net.ipv4.conf.%s.promote_secondaries=1" % p)
            topo.veth(peer, "x%d" % i, lb, "p%d" % i)
        dplb = Dplb(topo, lb, ["p%d" % i for i in range(len(PORTS))], {})
        sides = Sides(topo, ref, dplb)
        rng = random.Random(seed)
        stats: Dict[str, int] = {}
        for n in range(args.scenarios):
            lines = gen_scenario(rng)
            compared, m = compare(sides, lines, stats)
            if m is not None:
                print("FAIL scenario %d: %s" % (n, m.text), flush=True)
                small, m2 = shrink(sides, compared, m)
                print("smallest reproducing command list (%d lines; %s):" % (len(small), m2.text))
                for l in small:
                    print("    " + l)
                print("replay: %s --seed %d" % (sys.argv[0], seed))
                return 1
        query_names = {a.name for a in ALLOW if a.query}
        gets = stats.get("agree", 0) + sum(v for k, v in stats.items() if k in query_names)
        allowed = {k: v for k, v in stats.items() if k != "agree"}
        print("  ok  %d scenarios, %d route gets compared, %d identical; allowed differences: %s (%d runs, %.1f s)"
              % (args.scenarios, gets, stats.get("agree", 0), allowed or "none", sides.runs, time.time() - t0),
              flush=True)
        dplb.stop()
        print("ok   route differential test (seed %d)" % seed, flush=True)
        return 0
    except TestFailure as e:
        print("FAIL route differential test (seed %d): %s" % (seed, e), flush=True)
        return 1
    finally:
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
