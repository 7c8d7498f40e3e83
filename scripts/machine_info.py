#!/usr/bin/python3
"""The machine a benchmark ran on, in one paragraph: CPU model, caches, the vector ISA DPDK can use,
load, DPDK version. Figures differ between machine kinds (an Intel Xeon, an AMD EPYC), so every
benchmark prints this beside its numbers (docs/benchmarks.md keeps figures per machine kind)."""
import os
import subprocess


def lscpu():
    out = {}
    try:
        text = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except OSError:
        return out
    for line in text.splitlines():
        k, _, v = line.partition(":")
        out[k.strip()] = v.strip()
    return out


def cpu_flags():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("flags"):
                return set(line.split(":", 1)[1].split())
    return set()


def dpdk_version():
    r = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "libdpdk-dev"], capture_output=True, text=True)
    return r.stdout.strip() or "unknown"


def describe():
    c = lscpu()
    flags = cpu_flags()
    isa = [f for f in ("sse4_2", "avx2", "avx512f", "avx512bw") if f in flags]
    # DPDK's EAL caps its vector paths at 256 bits unless --force-max-simd-bitwidth says otherwise, and
    # no contender here passes it: AVX-512 code paths (rte_lpm's, the PMDs') stay off even where present.
    simd = "AVX2 (256-bit)" if "avx2" in flags else ("SSE4.2 (128-bit)" if "sse4_2" in flags else "scalar")
    load = os.getloadavg()
    return ("machine: %s, %s CPU(s); L1d %s, L2 %s, L3 %s; ISA %s; DPDK's vector paths: %s (EAL default max "
            "SIMD bitwidth 256, AVX-512 off); DPDK %s; load average %.2f %.2f %.2f" % (
                c.get("Model name", "unknown CPU"), c.get("CPU(s)", "?"), c.get("L1d cache", "?"),
                c.get("L2 cache", "?"), c.get("L3 cache", "?"), " ".join(isa) or "-", simd, dpdk_version(), *load))


if __name__ == "__main__":
    print(describe())
