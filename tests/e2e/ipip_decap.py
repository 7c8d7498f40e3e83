#!/usr/bin/python3
"""User-space IP-in-IP decapsulation for a tunnel real server: ipip_decap.py TUN.

This kernel has no ipip module, so a real server behind dplb's tunnel mode (`ipvsadm -i`) cannot
decapsulate in the kernel. This does it instead: a raw IPPROTO_IPIP (4) socket receives each
outer datagram whole (outer header included), the outer header is stripped, and the inner IPv4
packet is written to the tun device TUN (IFF_TUN | IFF_NO_PI, which must already exist with the VIP
on it). The kernel then takes the inner packet as arriving on TUN, so its TCP answers from the VIP,
routed as usual (straight to the client, not back through the tunnel).

Runs until SIGTERM/SIGINT, polling with a timeout; on exit prints one line:
`decapsulated N packets from OUTER_SOURCE[,...] dropped M` (M: not IPv4 inside, or truncated).
"""
import fcntl
import os
import select
import signal
import socket
import struct
import sys

TUNSETIFF = 0x400454CA
IFF_TUN = 0x0001
IFF_NO_PI = 0x1000


def open_tun(name: str) -> int:
    fd = os.open("/dev/net/tun", os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack("16sH", name.encode(), IFF_TUN | IFF_NO_PI))
    return fd


def inner_packet(outer: bytes):
    """The inner IPv4 packet of an outer IPv4 datagram, or None when it is not one."""
    if len(outer) < 20 or outer[0] >> 4 != 4:
        return None
    inner = outer[(outer[0] & 0x0F) * 4:]
    if len(inner) < 20 or inner[0] >> 4 != 4:
        return None
    return inner[:struct.unpack("!H", inner[2:4])[0]]


def main() -> int:
    tun = open_tun(sys.argv[1])
    raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_IPIP)
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    print("ready", flush=True)
    sources, count, dropped = set(), 0, 0
    while not stop:
        ready, _, _ = select.select([raw], [], [], 0.5)  # a signal ends the wait within 0.5 s
        if not ready:
            continue
        outer, (src, _) = raw.recvfrom(65535)
        inner = inner_packet(outer)
        if inner is None:
            dropped += 1
            continue
        os.write(tun, inner)
        sources.add(src)
        count += 1
    print("decapsulated %d packets from %s dropped %d" % (count, ",".join(sorted(sources)) or "-", dropped),
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
