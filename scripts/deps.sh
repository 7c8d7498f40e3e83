#!/usr/bin/env bash
# Installs what dplb needs to build, test and run on Debian 12 (idempotent: only what is missing).
set -euo pipefail
packages=(
  g++ meson ninja-build pkg-config
  libdpdk-dev dpdk dpdk-dev libnuma-dev
  libspdlog-dev libfmt-dev libtomlplusplus-dev
  libgtest-dev libgmock-dev googletest libbenchmark-dev libssl-dev
  clang-14 libclang-rt-14-dev
  python3 python3-scapy libpcap-dev
  iproute2 ethtool iputils-ping netcat-openbsd curl procps tcpdump
  prometheus  # tests/e2e/test_metrics.py: a real Prometheus scraping dplb (and promtool)
)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
