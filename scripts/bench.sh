#!/usr/bin/env bash
# Benchmarks (not part of the test run; see docs/benchmarks.md). Needs root, as the tests do.
#
#   scripts/bench.sh [--quick] [bench.py options]  packet rate: testpmd io, l3fwd and dplb on the same
#                                                   pcap workloads (scripts/bench.py)
#   scripts/bench.sh --micro [FILTER]               the Google Benchmark microbenchmarks (tests/bench)
#   scripts/bench.sh --callgrind [options]          instructions per packet under valgrind (bench_callgrind.py)
#   scripts/bench.sh --memif [options]              end to end, testpmd flowgen over memif (bench_memif.py)
#
# Builds what it needs: build-bench (-Dbench=true -Dtests=false, -march=native), build-cg (x86-64-v3,
# -g: valgrind cannot run AVX-512) for --callgrind, DPDK's l3fwd example from dpdk-doc (installed here
# only: the tests do not need it), and the pcaps (tests/bench/gen_pcaps.py; ~180 MB, in
# $BENCH_PCAPS, default build-bench/pcaps, regenerated when the generator changes).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=rate
case "${1:-}" in
  --micro) mode=micro; shift ;;
  --callgrind) mode=callgrind; shift ;;
  --memif) mode=memif; shift ;;
esac

scripts/deps.sh
dpkg-query -W -f='${Status}' dpdk-doc 2>/dev/null | grep -q "install ok installed" ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpdk-doc >/dev/null
command -v valgrind >/dev/null || [ "$mode" != callgrind ] ||
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends valgrind >/dev/null

build=${BENCH_BUILD:-build-bench}
[ -f "$build/build.ninja" ] || meson setup "$build" -Dbench=true -Dtests=false >/dev/null
ninja -C "$build" -j2 >/dev/null

pcaps=${BENCH_PCAPS:-$build/pcaps}
stamp="$pcaps/.generated-$(sha1sum tests/bench/gen_pcaps.py | cut -c1-12)"
if [ "$mode" != micro ] && [ "$mode" != memif ] && [ ! -f "$stamp" ]; then
  echo "bench: generating the workloads into $pcaps"
  rm -rf "$pcaps"
  /usr/bin/python3 tests/bench/gen_pcaps.py "$pcaps"
  touch "$stamp"
fi

case $mode in
  micro)
    filter=${1:-.}
    for b in route_bench conn_bench sched_bench packet_bench; do
      echo "== $b"
      "$build/tests/bench/$b" --benchmark_filter="$filter" --benchmark_min_time=0.2
    done
    ;;
  callgrind)
    cg=${BENCH_CG_BUILD:-build-cg}
    [ -f "$cg/build.ninja" ] || meson setup "$cg" -Dmarch=x86-64-v3 -Ddebug=true -Dtests=false >/dev/null
    ninja -C "$cg" -j2 src/dplb tools/dpip/dpip >/dev/null
    /usr/bin/python3 scripts/bench_callgrind.py --build "$cg" --pcaps "$pcaps" "$@"
    ;;
  memif)
    scripts/bench_l3fwd.sh "$build/l3fwd" >/dev/null
    /usr/bin/python3 scripts/bench_memif.py --build "$build" --l3fwd "$build/l3fwd/l3fwd" "$@"
    ;;
  rate)
    scripts/bench_l3fwd.sh "$build/l3fwd" >/dev/null
    /usr/bin/python3 scripts/bench.py --build "$build" --pcaps "$pcaps" --l3fwd "$build/l3fwd/l3fwd" "$@"
    ;;
esac
