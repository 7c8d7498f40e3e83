#!/usr/bin/env bash
# The sanitizer build (gcc, AddressSanitizer + UndefinedBehaviorSanitizer) in BUILD_DIR (default
# build-asan): builds it, runs the unit suite (dplb_unit, the corpus replays) and the golden pcap
# cases with it. Any sanitizer report fails the run (docs/hardening.md).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${BUILD_DIR:-build-asan}
if [ ! -f "$build/build.ninja" ]; then
  # debugoptimized: asserts on, -O2 -g (usable stacks, bearable speed). -fno-sanitize-recover: UB
  # aborts instead of printing and going on. b_lundef=false: ASan's runtime symbols in shared
  # objects (none today, harmless).
  meson setup "$build" -Dbuildtype=debugoptimized -Db_sanitize=address,undefined -Db_lundef=false \
    -Dcpp_args=-fno-sanitize-recover=undefined -Dc_args=-fno-sanitize-recover=undefined >/dev/null
fi
ninja -C "$build"
# Every process of the run inherits these: the daemon and tools the golden harness starts too.
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:strict_string_checks=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
meson test -C "$build" --suite unit --print-errorlogs
/usr/bin/python3 tests/golden/run.py --build "$build"
