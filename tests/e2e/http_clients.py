#!/usr/bin/python3
"""HTTP load from a namespace: http_clients.py URL N CONCURRENCY [TIMEOUT].

Runs N GET requests, CONCURRENCY at a time (each on its own TCP connection), and prints one JSON
object: {"ok": n, "failed": n, "bodies": {body: count}, "errors": [first few errors]}.
"""
import collections
import concurrent.futures
import json
import sys
import urllib.request


def fetch(url, timeout):
    req = urllib.request.Request(url, headers={"Connection": "close"})
    with urllib.request.urlopen(req, timeout=timeout) as r:
        return r.read().decode().strip()


def main():
    url, n, conc = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    timeout = float(sys.argv[4]) if len(sys.argv) > 4 else 10.0
    bodies = collections.Counter()
    errors = []
    with concurrent.futures.ThreadPoolExecutor(max_workers=conc) as ex:
        for fut in [ex.submit(fetch, url, timeout) for _ in range(n)]:
            try:
                bodies[fut.result()] += 1
            except Exception as e:  # noqa: BLE001 - every failure is reported
                errors.append(repr(e))
    print(json.dumps({"ok": sum(bodies.values()), "failed": len(errors), "bodies": bodies, "errors": errors[:5]}))


if __name__ == "__main__":
    main()
