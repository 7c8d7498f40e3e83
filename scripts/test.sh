#!/usr/bin/env bash
# The whole test run, as CI does it: dependencies, build, unit tests, golden pcap tests,
# namespace tests. Run as root on Debian 12.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh
echo "== unit tests"
meson test -C build --suite unit --print-errorlogs
echo "== golden pcap tests"
/usr/bin/python3 tests/golden/run.py --build build
echo "== namespace tests"
for t in tests/e2e/test_*.py; do
  /usr/bin/python3 "$t"
done
# -- sanitizers and fuzzers (docs/hardening.md) --
echo "== sanitizer build (ASan+UBSan): unit + golden"
scripts/sanitize.sh
echo "== fuzzers (${FUZZ_SECONDS:-45} s each)"
scripts/fuzz.sh "${FUZZ_SECONDS:-45}"
# -- end sanitizers and fuzzers --
echo "== all tests passed"
