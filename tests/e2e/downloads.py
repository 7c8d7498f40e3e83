"""HTTP downloads with curl from inside a namespace, checked against the served file: a download
counts only when curl succeeded and the saved file exists and has the original's sha256 (a missing,
short or corrupt file fails)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import time
from typing import Sequence, Tuple

from nslib import TestFailure, sh


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def intact(out: str, want: str) -> bool:
    """`out` exists and hashes to `want`."""
    return os.path.exists(out) and sha256_file(out) == want


def curl_command(ns: str, url: str, out: str, options: Sequence[str] = ("-s",)) -> list:
    """curl in `ns` saving `url` to `out`; `options` (silence, time and rate limits, ...) go first."""
    return ["ip", "netns", "exec", ns, "curl", *options, "-o", out, url]


def download(ns: str, url: str, out: str, want: str, options: Sequence[str] = ("-s",),
             timeout: float = 150) -> Tuple[subprocess.CompletedProcess, bool]:
    """Runs one download to its end: (curl's finished process, whether curl succeeded and `out` is intact)."""
    r = sh(*curl_command(ns, url, out, options), check=False, timeout=timeout)
    return r, r.returncode == 0 and intact(out, want)


def start_download(ns: str, url: str, out: str, options: Sequence[str] = ("-s",), **popen_kw) -> subprocess.Popen:
    """Starts a download in the background; popen_kw says where curl's output goes."""
    return subprocess.Popen(curl_command(ns, url, out, options), **popen_kw)


def finished_intact(proc: subprocess.Popen, out: str, want: str, timeout: float = 120) -> bool:
    """Waits for a started download: whether curl succeeded and `out` is intact."""
    return proc.wait(timeout=timeout) == 0 and intact(out, want)


def wait_http(ns: str, url: str, timeout: float, failure: str) -> None:
    """Polls `url` from `ns` until it answers; raises TestFailure(failure) after `timeout` seconds."""
    deadline = time.time() + timeout
    while sh(*curl_command(ns, url, "/dev/null", ("-s", "-m", "1")), check=False).returncode != 0:
        if time.time() > deadline:
            raise TestFailure(failure)
        time.sleep(0.1)
