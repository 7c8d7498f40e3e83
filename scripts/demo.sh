#!/usr/bin/env bash
# The demo: dplb on a veth into a fresh namespace; ping its address from there; clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh >/dev/null
exec /usr/bin/python3 scripts/demo.py
