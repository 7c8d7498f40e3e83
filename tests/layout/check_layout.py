#!/usr/bin/python3
"""The layout rules the build relies on (docs/design.md, "Code layout"):
- the DPDK-free core (src/core, include/dplb) includes no DPDK header, so it is unit-tested and
  fuzzed without EAL;
- nothing under src/ includes anything from tools/ (tools/ holds thin mains over src/cli);
- every role folder exists.
Prints each violation as FILE:LINE and exits 1 when there is one."""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "..")
INCLUDE = re.compile(r'^\s*#\s*include\s*[<"]([^>"]+)[>"]')
DPDK_HEADER = re.compile(r"^(rte_|cmdline_)")  # DPDK's public headers: <rte_*.h>, <cmdline_*.h>
ROLES = ("src/core", "src/cli", "src/daemon", "src/control", "src/datapath", "src/healthcheck", "tools", "include/dplb")


def sources(top):
    for dirpath, _, files in os.walk(os.path.join(ROOT, top)):
        for f in sorted(files):
            if f.endswith((".h", ".cc", ".hpp", ".cpp")):
                yield os.path.join(dirpath, f)


def main():
    bad = []
    for role in ROLES:
        if not os.path.isdir(os.path.join(ROOT, role)):
            bad.append("%s: missing role folder" % role)
    for top in ("src", "include"):
        for path in sources(top):
            rel = os.path.relpath(path, ROOT)
            core = rel.startswith(("src/core/", "include/"))
            with open(path, encoding="utf-8") as f:
                for n, line in enumerate(f, 1):
                    m = INCLUDE.match(line)
                    if not m:
                        continue
                    inc = m.group(1)
                    if core and not inc.startswith("dplb/") and DPDK_HEADER.match(os.path.basename(inc)):
                        bad.append("%s:%d: the DPDK-free core includes DPDK's %s" % (rel, n, inc))
                    if inc.startswith("tools/") or "/tools/" in inc or inc.startswith("../tools"):
                        bad.append("%s:%d: src/ includes %s from tools/" % (rel, n, inc))
    for b in bad:
        print(b)
    print("layout: %d violation(s)" % len(bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
