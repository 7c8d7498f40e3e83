#!/usr/bin/env bash
# Builds DPDK's l3fwd example (Debian's dpdk-doc) for the benchmark: bench_l3fwd.sh OUT_DIR
# -> OUT_DIR/l3fwd. Three small changes, applied to a copy (the example's own sources stay untouched):
#  - the RX offloads it requests are masked by the device's capabilities (net_pcap has none; TESTBED.md);
#  - the LPM table takes up to 262,144 IPv4 rules (the example stops at 1,024) so the 100,000-route
#    table given with --rule_ipv4 fits;
#  - the mbuf pool has at least $L3FWD_MIN_MBUFS mbufs (default 8192 as upstream): net_pcap's
#    infinite_rx keeps the whole pcap in mbufs of the application's pool.
set -euo pipefail
out=$(realpath -m "$1")
src=/usr/share/dpdk/examples/l3fwd
if [ ! -d "$src" ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dpdk-doc >/dev/null
fi
if [ -x "$out/l3fwd" ] && [ "$out/l3fwd" -nt "$0" ]; then exit 0; fi
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$src" "$work/l3fwd"
cp -r "$src/../common" "$work/common" 2>/dev/null || true
cd "$work/l3fwd"
sed -i 's|#define IPV4_L3FWD_LPM_MAX_RULES         1024|#define IPV4_L3FWD_LPM_MAX_RULES (1 << 18)|' l3fwd_lpm.c
sed -i 's|#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 8)|#define IPV4_L3FWD_LPM_NUMBER_TBL8S (1 << 12)|' l3fwd_lpm.c
sed -i 's|(unsigned)8192)|(unsigned)(getenv("L3FWD_MIN_MBUFS") ? atoi(getenv("L3FWD_MIN_MBUFS")) : 8192))|' main.c
sed -i 's|local_port_conf.rx_adv_conf.rss_conf.rss_hf &=|local_port_conf.rxmode.offloads \&= dev_info.rx_offload_capa;\n\t\tport_conf.rxmode.offloads \&= dev_info.rx_offload_capa;\n\t\tlocal_port_conf.rx_adv_conf.rss_conf.rss_hf \&=|' main.c
grep -q 'IPV4_L3FWD_LPM_MAX_RULES (1 << 18)' l3fwd_lpm.c
grep -q 'L3FWD_MIN_MBUFS' main.c
grep -q 'rxmode.offloads &= dev_info.rx_offload_capa' main.c
make -s >/dev/null 2>&1 || make
cp build/l3fwd-shared "$out/l3fwd"
echo "l3fwd built: $out/l3fwd"
