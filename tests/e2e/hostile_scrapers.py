#!/usr/bin/python3
"""Hostile scrapers of a metrics endpoint, run inside dplb's namespace by test_metrics.py: one
connection that sends nothing and one that sends garbage (no blank line ever). Prints one JSON line
once both are open ("open"), then one when the server has closed each, with the seconds it took.

Usage: hostile_scrapers.py HOST PORT LIMIT_SECONDS
"""
import json
import socket
import sys
import time


def main():
    host, port, limit = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    silent = socket.create_connection((host, port), timeout=limit)
    garbage = socket.create_connection((host, port), timeout=limit)
    garbage.sendall(b"\x00\x01garbage that is not HTTP\xff" * 4)
    start = time.time()
    print(json.dumps({"open": True}), flush=True)
    closed = {}
    for name, s in (("garbage", garbage), ("silent", silent)):  # garbage first: it should go at once
        try:
            while s.recv(4096):  # a garbage request may get an error answer first, then the close
                pass
            closed[name] = round(time.time() - start, 3)
        except (socket.timeout, ConnectionResetError) as e:
            closed[name] = round(time.time() - start, 3) if isinstance(e, ConnectionResetError) else None
    print(json.dumps(closed), flush=True)


if __name__ == "__main__":
    main()
