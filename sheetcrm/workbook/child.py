"""What every forked child of a sync does and is done to (issue 20): the reasons child
(``second_core``) and the write's child (``backends.xlsx_aside``) detach the same way,
report their private pages the same way, and are stopped the same way. One place, so
the rule for children (Ctrl-C is the parent's, the workbook's lock is never held by a
child) cannot drift between the two.
"""
from __future__ import annotations

import os
import signal
from typing import Any


def detach(keep: tuple[int, ...], nice: int = 0) -> None:
    """In the child: Ctrl-C is the parent's to handle; no descriptor but ``keep`` and
    /dev/null (so it never holds the workbook's lock); ``nice`` lowers its CPU priority
    below the parent's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if nice:
        os.nice(nice)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    low = 3
    for fd in sorted(set(keep)):
        os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, max_fd())


def max_fd() -> int:
    try:
        return max(os.sysconf("SC_OPEN_MAX"), 256)
    except (OSError, ValueError):
        return 65536


def private_mib() -> float | None:
    """This process' pages not shared with any other (Linux), in MiB."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            kib = sum(int(line.split()[1]) for line in fh if line.startswith(("Private_Clean:", "Private_Dirty:")))
        return round(kib / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None


def stop(process: Any) -> None:
    """In the parent: the child killed if it still runs (what it would send is no longer
    wanted) and reaped; its ``multiprocessing.Process`` closed."""
    if process.is_alive():
        process.kill()
    process.join()
    process.close()
