#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan+UBSan) in BUILD_DIR (default build-fuzz) and runs
# each for SECONDS (default 45, first argument) over a scratch copy of its corpus, so the repository
# gets no new inputs. A crash, leak or broken invariant fails the run; the input that did it is
# kept under /tmp and printed. Optional further arguments: only these targets.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
shift || true
build=${BUILD_DIR:-build-fuzz}
if [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 CXX=clang++-14 meson setup "$build" -Dfuzz=true -Dwerror=false >/dev/null
fi
ninja -C "$build" fuzz-targets
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(request_decoder config_loader keepalived_conf http_response scrape_request dpip_parser ipvsadm_parser pipeline)
fi
export ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1"
export UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tests/fuzz/lsan.supp:print_suppressions=0"
scratch=$(mktemp -d /tmp/dplb_fuzz.XXXXXX)
status=0
for t in "${targets[@]}"; do
  mkdir -p "$scratch/$t/corpus" "$scratch/$t/artifacts"
  cp tests/fuzz/corpus/"$t"/* "$scratch/$t/corpus/"
  echo "-- $t: ${seconds} s"
  # -rss_limit_mb: EAL maps its -m memory and ASan its shadow; 4 GiB leaves room for both.
  if ! "$build/tests/fuzz/${t}_fuzz" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
      -print_final_stats=1 -artifact_prefix="$scratch/$t/artifacts/" "$scratch/$t/corpus" \
      >"$scratch/$t/log" 2>&1; then
    echo "FAIL $t: $(ls "$scratch/$t/artifacts")"
    tail -60 "$scratch/$t/log"
    status=1
    continue
  fi
  grep -E "^stat::number_of_executed_units|^#[0-9]+.*DONE" "$scratch/$t/log" | tail -2 || true
  rm -rf "${scratch:?}/$t"
done
if ((status == 0)); then
  rm -rf "$scratch"
else
  echo "fuzz: failing inputs and logs kept in $scratch"
fi
exit $status
