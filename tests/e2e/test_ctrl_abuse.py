#!/usr/bin/python3
"""The control socket under abuse (issue 3).

dplb (2 workers) answers pings from a namespace while raw clients on its control socket send random
bytes, truncated headers, wrong versions and kinds, unknown operations, 4 GiB and 1 MiB+1 payload
lengths, odd-length payloads to every operation, pipelined garbage; a silent client and one that
sent half a header stay connected meanwhile. Checked: every bad request gets an error reply (or, for
a truncated one, the connection is closed) and never changes the configuration; dpip commands succeed
while the silent clients are still connected (they do not wait for them); the server closes the
silent clients at their deadline; 64 idle clients fill the server (dpip gets a prompt EBUSY error,
not a hang) and dpip works again as soon as they go; pings are answered throughout; the daemon
exits cleanly.
"""
import errno
import os
import random
import select
import signal
import socket
import struct
import sys
import time

from nslib import Dplb, TestFailure, Topology
from routelib import check, ping, ping_summary

REQ_MAGIC, REPLY_MAGIC, VERSION = 0x51524C44, 0x50524C44, 1
GET, SET = 1, 2
MAX_REQUEST_PAYLOAD = 1 << 20
MAX_CLIENTS = 64          # ctrl::Server::Options::max_clients
GET_OPS = [100, 200, 300, 400, 401, 500, 501, 502, 503, 900]
SET_OPS = [250, 251, 252, 350, 351, 352, 450, 451, 452] + list(range(550, 559))
OP_SYNC = 900
rng = random.Random(1234)


def header(kind, op, length, magic=REQ_MAGIC, version=VERSION):
    return struct.pack("<IHHII", magic, version, kind, op, length)


class Client:
    def __init__(self, path, timeout=10.0):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.settimeout(timeout)
        self.s.connect(path)

    def send(self, data):
        try:
            self.s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server refused the start already: its reply (if any) is still readable

    def recv_exact(self, n):
        buf = b""
        while len(buf) < n:
            try:
                d = self.s.recv(n - len(buf))
            except ConnectionResetError:
                return None
            if not d:
                return None
            buf += d
        return buf

    def reply(self):
        """(error, message, payload) of the next reply, or None when the server closed first."""
        h = self.recv_exact(128)
        if h is None:
            return None
        magic, version, _, err = struct.unpack_from("<IHHi", h)
        msg = h[12:124].split(b"\0")[0].decode(errors="replace")
        (plen,) = struct.unpack_from("<I", h, 124)
        if magic != REPLY_MAGIC or version != VERSION:
            raise TestFailure("bad reply header %r" % h[:16])
        payload = self.recv_exact(plen) if plen else b""
        return err, msg, payload

    def closed_by_server(self):
        """True once the server has closed (reads EOF, skipping any pending reply bytes)."""
        try:
            while True:
                d = self.s.recv(4096)
                if not d:
                    return True
        except ConnectionResetError:
            return True
        except socket.timeout:
            return False

    def still_open(self):
        """The server has not closed this connection (nothing to read, no EOF)."""
        readable, _, _ = select.select([self.s], [], [], 0)
        if not readable:
            return True
        try:
            return self.s.recv(1, socket.MSG_PEEK) != b""
        except ConnectionResetError:
            return False

    def close(self):
        self.s.close()


def request(path, data, **kw):
    c = Client(path, **kw)
    try:
        c.send(data)
        r = c.reply()
        return r, c.closed_by_server()
    finally:
        c.close()


def snapshot(dplb):
    return [dplb.dpip(*args).stdout for args in (("addr", "show"), ("route", "show", "table", "all"),
                                                  ("neigh", "show"))] + [dplb.ipvsadm("-Ln").stdout]


def dpip_round(dplb):
    """A round of ordinary commands, each of which must succeed."""
    for args in (("link", "show"), ("addr", "add", "10.35.9.1/32", "dev", "dpdk0"), ("addr", "show"),
                 ("route", "add", "10.35.8.0/24", "via", "10.35.1.2", "dev", "dpdk0"), ("route", "show"),
                 ("neigh", "add", "10.35.1.9", "lladdr", "02:00:00:00:00:09", "dev", "dpdk0"),
                 ("neigh", "del", "10.35.1.9", "dev", "dpdk0"), ("route", "del", "10.35.8.0/24"),
                 ("addr", "del", "10.35.9.1/32", "dev", "dpdk0"), ("sync",)):
        dplb.dpip(*args)


def main() -> int:
    topo = Topology("cabu")
    clients = []
    try:
        print("control socket abuse while dplb forwards:", flush=True)
        a, lb = topo.ns("a"), topo.ns("lb")
        topo.veth(a, "a0", lb, "p0")
        topo.host(a, "a0", "10.35.1.2/24")
        dplb = Dplb(topo, lb, ["p0"], {0: ["10.35.1.1/24"]}, workers=2, qpairs=2)
        path = dplb.sock
        check(ping(a, "10.35.1.1", count=3) == (3, 3), "ping dplb: 3/3")
        # Some configuration of every kind, so that a request wrongly applied would show.
        dplb.ipvsadm("-A", "-t", "10.35.1.1:80", "-s", "rr")
        dplb.ipvsadm("-a", "-t", "10.35.1.1:80", "-r", "10.35.1.2:80", "-m")
        dplb.dpip("route", "add", "10.35.7.0/24", "via", "10.35.1.2", "dev", "dpdk0")
        dplb.dpip("neigh", "add", "10.35.1.8", "lladdr", "02:00:00:00:00:08", "dev", "dpdk0")
        before = snapshot(dplb)
        log = os.path.join(topo.tmp, "ping.log")
        pinger = topo.spawn(a, ["ping", "-n", "-i", "0.01", "-W", "1", "10.35.1.1"], log=log)

        # The slow ones stay connected while everything else happens.
        silent = Client(path)
        half = Client(path)
        half.send(header(GET, OP_SYNC, 0)[:8])
        clients += [silent, half]
        t_silent = time.time()
        dpip_round(dplb)
        check(silent.still_open() and half.still_open(),
              "10 dpip commands succeeded while a silent and a half-header client were connected")

        # Random bytes: a wrong magic (a 1 in 2^32 chance otherwise) -> EPROTO, then closed.
        outcomes = set()
        for _ in range(100):
            data = rng.randbytes(rng.randrange(16, 2048))
            r, closed = request(path, data)
            outcomes.add((r[0] if r else None, closed))
        check(outcomes == {(errno.EPROTO, True)}, "100 random-byte clients: EPROTO reply and close %s" % outcomes)

        # Truncated headers: 1..15 bytes then end of stream -> closed without a reply.
        outcomes = set()
        for n in range(1, 16):
            c = Client(path)
            c.send(header(SET, 250, 16)[:n])
            c.s.shutdown(socket.SHUT_WR)
            outcomes.add((c.reply(), c.closed_by_server()))
            c.close()
        check(outcomes == {(None, True)}, "15 truncated headers: closed, no reply %s" % outcomes)

        cases = [("version 0", header(GET, OP_SYNC, 0, version=0), errno.EPROTO),
                 ("version 2", header(GET, OP_SYNC, 0, version=2), errno.EPROTO),
                 ("version 0xffff", header(GET, OP_SYNC, 0, version=0xFFFF), errno.EPROTO),
                 ("kind 0", header(0, OP_SYNC, 0), errno.EPROTO),
                 ("kind 3", header(3, OP_SYNC, 0), errno.EPROTO),
                 ("reply magic", header(GET, OP_SYNC, 0, magic=REPLY_MAGIC), errno.EPROTO),
                 ("payload 4 GiB-1", header(SET, 250, 0xFFFFFFFF), errno.EMSGSIZE),
                 ("payload 2 GiB", header(SET, 450, 0x80000000), errno.EMSGSIZE),
                 ("payload 1 MiB+1", header(SET, 450, MAX_REQUEST_PAYLOAD + 1), errno.EMSGSIZE)]
        for name, data, want in cases:
            r, closed = request(path, data)
            check(r is not None and r[0] == want and closed,
                  "%s: %s reply and close (%s)" % (name, errno.errorcode[want], r and r[:2]))

        # A full 1 MiB random payload to route add: read, refused as malformed, the connection lives on.
        c = Client(path, timeout=20)
        clients.append(c)
        c.send(header(SET, 450, MAX_REQUEST_PAYLOAD) + rng.randbytes(MAX_REQUEST_PAYLOAD))
        r1 = c.reply()
        c.send(header(GET, OP_SYNC, 0))
        r2 = c.reply()
        check(r1 is not None and r1[0] != 0 and r2 is not None and r2[0] == 0,
              "1 MiB of random route records: refused (%s), the same connection then serves sync" % (r1 and r1[:2],))

        # Unknown operations, and operations of the other kind: an error reply, the connection stays.
        c = Client(path)
        clients.append(c)
        bad = [(k, op) for k in (GET, SET) for op in (0, 1, 99, 149, 199, 349, 449, 504, 599, 899, 950, 0xFFFFFFFF)]
        bad += [(SET, op) for op in GET_OPS] + [(GET, op) for op in SET_OPS]
        errors = {}
        for kind, op in bad:
            c.send(header(kind, op, 0))
            r = c.reply()
            errors[(kind, op)] = r and r[0]
        c.send(header(GET, OP_SYNC, 0))
        r = c.reply()
        check(all(e for e in errors.values()) and r is not None and r[0] == 0,
              "%d unknown or wrong-kind operations: each an error reply on one connection that then serves sync %s"
              % (len(bad), sorted({e for e in errors.values()})))

        # Every known operation with odd-length random payloads (no record is an odd size).
        accepted = []
        c = Client(path)
        clients.append(c)
        for kind, ops in ((GET, GET_OPS), (SET, SET_OPS)):
            for op in ops:
                for n in (1, 3, 15, 17, 127, 1001, 4095):
                    c.send(header(kind, op, n) + rng.randbytes(n))
                    r = c.reply()
                    if r is None:
                        raise TestFailure("connection closed after op %d with %d bytes" % (op, n))
                    if r[0] == 0:
                        accepted.append((op, n))
        check(not accepted, "%d odd-length payloads to every operation: all refused %s"
              % (7 * (len(GET_OPS) + len(SET_OPS)), sorted({op for op, _ in accepted})))

        # Pipelined: a good request, then garbage in the same write -> the reply, then EPROTO and close.
        c = Client(path)
        c.send(header(GET, OP_SYNC, 0) + b"\xde\xad\xbe\xef" * 8)
        r1, r2 = c.reply(), c.reply()
        closed = c.closed_by_server()
        c.close()
        check(r1 is not None and r1[0] == 0 and r2 is not None and r2[0] == errno.EPROTO and closed,
              "pipelined good request + garbage: a reply, then EPROTO and close")

        check(snapshot(dplb) == before, "addresses, routes, neighbours and services unchanged by all of it")

        # The server closes the silent and half-header clients at their deadline (5 s).
        silent.s.settimeout(15)
        half.s.settimeout(15)
        check(silent.closed_by_server() and half.closed_by_server(),
              "the silent and half-header clients were closed by the server after %.1f s" % (time.time() - t_silent))

        # 64 idle clients fill the server: dpip fails at once with EBUSY, and works when they leave.
        for c in clients:
            c.close()
        clients = []
        time.sleep(0.2)  # the server drops the closed ones on its next poll
        fill = [Client(path) for _ in range(MAX_CLIENTS)]
        clients += fill
        served = 0
        for c in fill:
            c.send(header(GET, OP_SYNC, 0))
            r = c.reply()
            served += r is not None and r[0] == 0
        check(served == MAX_CLIENTS, "%d clients connected and served (%d)" % (MAX_CLIENTS, served))
        r = dplb.dpip("link", "show", check=False)
        check(r.returncode != 0 and "too many clients" in r.stderr,
              "with 64 idle clients dpip fails promptly: %s" % r.stderr.strip())
        for c in fill:
            c.close()
        clients = []
        for _ in range(50):  # the server notices the closes on its next poll
            if dplb.dpip("link", "show", check=False).returncode == 0:
                break
            time.sleep(0.02)
        dpip_round(dplb)
        print("  ok  after they left, dpip commands succeed again", flush=True)

        pinger.send_signal(signal.SIGINT)
        pinger.wait(timeout=10)
        sent, received = ping_summary(open(log).read())
        check(sent >= 300 and received >= sent - 2, "pings to dplb during the abuse: %d/%d answered" % (received, sent))
        check(dplb.dpip("sync", check=False).returncode == 0 and snapshot(dplb) == before,
              "workers agree, configuration as before")
        dplb.stop()
        print("ok   ctrl abuse", flush=True)
        return 0
    except TestFailure as e:
        print("FAIL ctrl abuse: %s" % e, flush=True)
        return 1
    finally:
        for c in clients:
            c.close()
        topo.close()


if __name__ == "__main__":
    sys.exit(main())
