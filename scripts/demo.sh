#!/usr/bin/env bash
# The demo: a client, dplb and three HTTP servers in namespaces; ping dplb, load-balance a VIP
# configured with ipvsadm, show the spread with ipvsadm -Ln --stats; the VIP from keepalived.conf
# through dplb-healthcheck, a server taken out and back; clean up.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
scripts/build.sh >/dev/null
exec /usr/bin/python3 scripts/demo.py
