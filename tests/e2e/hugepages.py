"""Hugepages for a test that needs them (dpdk-dumpcap cannot run without): reserve, mount hugetlbfs
if nothing is mounted, and give back exactly what was changed."""
import os
import subprocess

NR = "/proc/sys/vm/nr_hugepages"
MOUNT = "/dev/hugepages"


def _mounted() -> bool:
    return any(line.split()[2] == "hugetlbfs" for line in open("/proc/mounts") if len(line.split()) > 2)


class Hugepages:
    """with Hugepages(384) as ok: ... ok is False when the kernel could not give that many."""

    def __init__(self, pages: int):
        self.pages = pages
        self.before = None
        self.mounted_here = False

    def __enter__(self) -> bool:
        self.before = int(open(NR).read())
        free = int([l.split()[1] for l in open("/proc/meminfo") if l.startswith("HugePages_Free")][0])
        if free < self.pages:
            with open(NR, "w") as f:
                f.write(str(self.before + self.pages - free))
        if not _mounted():
            os.makedirs(MOUNT, exist_ok=True)
            self.mounted_here = subprocess.run(["mount", "-t", "hugetlbfs", "nodev", MOUNT]).returncode == 0
        free = int([l.split()[1] for l in open("/proc/meminfo") if l.startswith("HugePages_Free")][0])
        return free >= self.pages and _mounted()

    def __exit__(self, *exc):
        if self.mounted_here:
            subprocess.run(["umount", MOUNT])
        if self.before is not None and int(open(NR).read()) != self.before:
            with open(NR, "w") as f:
                f.write(str(self.before))
        return False
