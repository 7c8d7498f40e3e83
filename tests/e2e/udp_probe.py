#!/usr/bin/python3
"""Timestamped UDP probes for the route checks of the fault tests.

  udp_probe.py send PORT PPS SECONDS DST [DST...]
      sends PPS datagrams per second to each DST:PORT for SECONDS; each carries
      "DST SEQ T_SEND" (T_SEND: CLOCK_MONOTONIC, taken before sendto). Prints {DST: sent} as JSON.
  udp_probe.py recv PORT LOG
      logs "DST SEQ T_SEND T_RECV" for every datagram received on PORT until SIGTERM.

CLOCK_MONOTONIC is shared by every network namespace, so the times compare with the test's own.
"""
import json
import signal
import socket
import sys
import time


def send(port, pps, seconds, dsts):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sent = {d: 0 for d in dsts}
    interval = 1.0 / pps
    start = time.monotonic()
    tick = 0
    while True:
        due = start + tick * interval
        now = time.monotonic()
        if now - start >= seconds:
            break
        if due > now:
            time.sleep(due - now)
        for d in dsts:
            t = time.monotonic()
            try:
                s.sendto(("%s %d %.6f" % (d, sent[d], t)).encode(), (d, port))
            except OSError:
                pass  # e.g. an ICMP unreachable reported on the socket: the probe still counts as sent
            sent[d] += 1
        tick += 1
    print(json.dumps(sent))


def recv(port, log):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    out = open(log, "w", buffering=1)

    def stop(signum, frame):
        out.close()
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    while True:
        data, _ = s.recvfrom(2048)
        out.write("%s %.6f\n" % (data.decode(), time.monotonic()))


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5:])
    else:
        recv(int(sys.argv[2]), sys.argv[3])
