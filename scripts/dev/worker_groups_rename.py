#!/usr/bin/env python3
"""Renames accesses to Worker's members into its groups (src/datapath/worker.h):
w.routes -> w.tables.routes, w->index -> w->setup.index, w.txb -> w.io.txb, ...

Usage: scripts/dev/worker_groups_rename.py FILE...
Rewrites the files in place and prints those it changed. Idempotent: a second run changes nothing
(group names are not members, so w.tables.routes is left alone).

A member is renamed only on a receiver known to be a Worker in that file:
  - a name declared as Worker&, Worker*, const Worker& (parameters, locals, struct fields),
    unique_ptr<Worker> or `auto x = std::make_unique<Worker>(...)`; a function returning Worker&
    or Worker* (`worker_of(ctx).routes`);
  - static_cast<Worker*>(p)->;
  - the variable of a range-for over workers_, workers or x.workers() / x->workers();
  - an element of those: workers_[i]->, workers[i]->, cp.workers()[0]->.
Implicit accesses inside Worker's own member functions (worker.h, worker.cc) are not handled: those
files were converted by hand with the groups themselves.
"""
import re
import sys

GROUPS = {
    "setup": ["index", "lcore", "settings", "pool", "n_rx", "rx", "n_workers", "redirect_to",
              "redirect_from", "control", "garp_ports", "tsc_per_ms"],
    "tables": ["ports", "neigh", "routes", "services", "conns", "timeouts", "polling",
               "applying_remote_neigh"],
    "io": ["txb", "stats", "kni", "icmp_limit", "next_ip_id", "now_tsc", "now_ms", "now_tick"],
}
GROUP_OF = {member: group for group, members in GROUPS.items() for member in members}
assert not set(GROUPS) & set(GROUP_OF), "a group name must not be a member name (idempotence)"

# Names bound to a Worker somewhere in the file.
DECLS = [
    re.compile(r"\bWorker\s*(?:const\s*)?[&*]+\s*(?:const\s+)?([A-Za-z_]\w*)"),
    re.compile(r"\bunique_ptr<\s*Worker\s*>\s*[&*]*\s*([A-Za-z_]\w*)"),
    re.compile(r"\b([A-Za-z_]\w*)\s*=\s*std::make_unique<\s*Worker\s*>"),
    re.compile(r"\bfor\s*\(\s*(?:const\s+)?auto\s*[&*]{0,2}\s*([A-Za-z_]\w*)\s*:\s*"
               r"(?:workers_|workers|\w+\s*(?:\.|->)\s*workers\s*\(\s*\))\s*\)"),
]
NOT_NAMES = {"operator", "const", "ctx"}
# An element of a container of workers (unique_ptr): reached with ->.
INDEXED = r"(?:(?:\b\w+\s*(?:\.|->)\s*)?workers\s*\(\s*\)|\bworkers_?)\s*\[[^\[\]]*\]\s*->"
CAST = r"\bstatic_cast<\s*(?:const\s+)?Worker\s*\*\s*>\s*\([^()]*\)\s*->"


def worker_names(text):
    names = set()
    for decl in DECLS:
        names.update(decl.findall(text))
    return names - NOT_NAMES


def rename(text):
    names = worker_names(text)
    members = "|".join(sorted(GROUP_OF, key=len, reverse=True))
    receivers = [INDEXED, CAST]
    if names:
        # A plain name, not itself a member of something else (x.w.routes is not ours).
        # Or a call of a function returning a Worker: worker_of(ctx).routes.
        receivers.append(r"(?<![\w.])(?<!->)(?<!::)(?:" + "|".join(sorted(names)) + r")\s*(?:\([^()]*\)\s*)?(?:\.|->)")
    pattern = re.compile(r"(?P<recv>" + "|".join(receivers) + r")\s*(?P<member>" + members + r")\b")

    def group(match):
        return f"{match.group('recv')}{GROUP_OF[match.group('member')]}.{match.group('member')}"

    return pattern.sub(group, text)


def main(paths):
    if not paths:
        sys.exit(__doc__)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        renamed = rename(text)
        if renamed != text:
            with open(path, "w", encoding="utf-8") as f:
                f.write(renamed)
            print(path)


if __name__ == "__main__":
    main(sys.argv[1:])
