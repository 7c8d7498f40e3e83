#!/usr/bin/python3
"""Runs the golden pcap cases: run.py --build BUILD_DIR [-k SUBSTRING] [-j JOBS] [--keep]."""
import argparse
import concurrent.futures
import importlib
import os
import pkgutil
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import golden  # noqa: E402


def load_cases():
    cases = []
    pkg_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases")
    sys.path.insert(0, pkg_dir)
    for mod in sorted(m.name for m in pkgutil.iter_modules([pkg_dir])):
        cases += importlib.import_module(mod).CASES
    names = [c.name for c in cases]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        sys.exit("duplicate golden case names: %s" % ", ".join(sorted(dup)))
    return cases


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("-k", default="", help="only cases whose name contains this")
    ap.add_argument("-j", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep temp dirs")
    args = ap.parse_args()
    tools = golden.Tools(dplb=os.path.join(args.build, "src/dplb"), dpip=os.path.join(args.build, "tools/dpip/dpip"),
                         ipvsadm=os.path.join(args.build, "tools/ipvsadm/ipvsadm"))
    golden.mbuf_check_self_test()
    cases = [c for c in load_cases() if args.k in c.name]
    if not cases:
        sys.exit("no golden case matches")
    start = time.time()
    failed = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as ex:
        futs = {ex.submit(golden.run_case, c, tools, args.keep): c for c in cases}
        for f in concurrent.futures.as_completed(futs):
            c = futs[f]
            ok, detail = f.result()
            print("%-4s %-40s %s" % ("ok" if ok else "FAIL", c.name, c.description), flush=True)
            if not ok:
                failed.append(c.name)
                print(detail, flush=True)
    print("golden: %d passed, %d failed in %.1f s" % (len(cases) - len(failed), len(failed), time.time() - start))
    if failed:
        print("failed: " + " ".join(sorted(failed)))
        sys.exit(1)


if __name__ == "__main__":
    main()
