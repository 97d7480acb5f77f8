"""The texts analyse reads with the rules, read on a second core while this one validates (issue 20).

A first sync of 100,000 candidates reads its ~5,000 distinct rejection reasons
(``reasons.classify_pipeline``, ~1.1 s, of which ~0.3 s compiles the rules' patterns
on first use) right after validating (~1.35 s), and validation does not need them. So
:func:`analyse` (the sync's ``analyse``) forks a child that reads every text analyse
reads with the rules (``TEXT_COLUMNS`` of the raw frames: ``reasons.read_distinct``)
while this process validates; core's analyse asks for the readings once validation is
done (``core.analysis.ReadReasons``) and reads here only a text the child did not (so
this process compiles none of the rules' patterns either). Only the texts go in (the
child inherits them: nothing is pickled on the way in) and only their readings come
back, pickled through a pipe.

Before the texts, the child reads the Candidates' phone cells (``contacts.read_phones``,
~0.15 s at 100,000 candidates: phonenumbers' parser for each distinct number) and sends
them at once: validation checks the phones after its first few steps and uses them if
they are here by then (``core.validate.ReadPhones``); it never waits for them, as reading
them here takes no longer than waiting would.

The result is the same either way: the child computes the same pure functions of the
same texts with the same rules, and whatever it did not read is read here as before.
If the child dies, is killed, raises, or sends nothing within ``TIMEOUT_SECONDS``,
this process reads every text itself. No child is started, and all is read here as
before, when: ``fork`` is not how this platform starts processes safely (Windows has
none; macOS' system libraries are not fork-safe), the process may use one CPU only,
the frames hold fewer than ``MIN_ROWS`` rows or fewer than ``MIN_TEXTS`` distinct texts
(:func:`pays`: the fork does not pay), another thread runs in this process (see below),
or ``SHEETCRM_SECOND_CORE=0`` is in the environment (``enabled = False``).

When it pays (issue 20; A/B of the memory sync with SHEETCRM_SECOND_CORE=1/0, figures in
the README and in the commit that set ``MIN_ROWS``): the child reads for about as long at
any size (~1 s: the patterns' compiles and 3,500-5,000 distinct texts), so the most the
fork saves is what this process does meanwhile, validating, ~9 CPU µs a row. At 10,000
and 20,000 candidates (40,200 and 80,200 rows) this process then waited for the child in
every run, and the fork won no steady wall time (faster in 5 of 11 pairs at 10,000, in
0 of 3 at 20,000) and cost up to 0.3 CPU s. From 30,000 (120,200 rows) it was faster in
7 of 9 pairs; at 100,000 (400,200 rows, no wait) in 6 of 9, and by 0.8-1.7 s on a quiet
machine.

What the child may do: before anything else it ignores Ctrl-C (the parent's
KeyboardInterrupt kills it), points stdin, stdout and stderr at /dev/null and closes
every other descriptor it inherited but its end of the pipe. So it cannot write to
the workbook or the log files, and it does not hold the workbook's lock (a flock is
held while any descriptor of its open file is): the lock is the parent's alone, as
before. The parent kills the child if it still runs and reaps it before analyse
returns or raises: no zombie is left behind.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..config import Settings
from ..core import Frames, contacts, reasons
from ..core.analysis import Analysis
from ..core.analysis import analyse as analyse_here

enabled = os.environ.get("SHEETCRM_SECOND_CORE", "1").strip().lower() not in ("0", "off", "false", "no")
MIN_TEXTS = 1000  # distinct reason cells below which the fork does not pay (the patterns' compiles dominate)
MIN_ROWS = 100_000  # rows validated while the child reads, below which the fork does not pay (see the module doc)
TIMEOUT_SECONDS = 60.0  # ~50x what 5,000 texts take: a child this late is stuck, not busy
# Tests only: called first thing in the child (to make it exit, raise or hang).
child_hook: Callable[[], None] | None = None
# Since the process started: children forked, readings used, fallbacks (read here after
# all), phone readings used; the last child's private memory at its end in MiB (the pages it did not share
# with this process: what the fork cost in RAM), or None.
stats: dict[str, Any] = {"forked": 0, "used": 0, "fallbacks": 0, "phones_used": 0, "child_private_mib": None}


def analyse(frames: Frames, settings: Settings, today: dt.date, now: dt.datetime | None = None,
            rules: reasons.RuleSet | None = None, suppressed: pd.DataFrame | None = None) -> Analysis:
    """``core.analysis.analyse``, the reason texts read meanwhile on another core when that pays."""
    side = _start(frames, rules, settings)
    try:
        return analyse_here(frames, settings, today, now, rules=rules, suppressed=suppressed,
                            read_reasons=side.readings if side is not None else None,
                            read_phones=side.phones if side is not None else None)
    finally:
        if side is not None:
            side.close()


def can_fork() -> bool:
    """A second CPU, and fork as a safe way to start a process here."""
    if not enabled or sys.platform in ("win32", "darwin") or "fork" not in multiprocessing.get_all_start_methods():
        return False
    try:
        return len(os.sched_getaffinity(0)) >= 2
    except AttributeError:  # no affinity on this platform: all the CPUs
        return (os.cpu_count() or 1) >= 2


# The raw cells whose texts analyse reads with the rules (reasons.read_distinct): the
# reasons, the call notes, and the call outcomes of Touchpoints rows left out for an error.
TEXT_COLUMNS = ((schema.PIPELINE, "rejection_reason"), (schema.TOUCHPOINTS, "note"), (schema.TOUCHPOINTS, "outcome"))


def _start(frames: Frames, rules: reasons.RuleSet | None, settings: Settings) -> _Side | None:
    if rules is None or not can_fork() or threading.active_count() > 1:  # another thread: see the module doc
        return None
    rows = sum(len(frame) for frame in frames.values())
    if not pays(rows, MIN_TEXTS):  # too few rows whatever the texts: not worth finding them
        return None
    columns = [frames[key][name].to_numpy(dtype=object) for key, name in TEXT_COLUMNS
               if key in frames and list(frames[key].columns).count(name) == 1]
    try:
        cells = pd.unique(np.concatenate(columns)) if columns else []
    except Exception:  # noqa: BLE001 - a cell pandas cannot hash: validation says what it is, read here
        return None
    if not pays(rows, len(cells)):
        return None
    cands = frames.get(schema.CANDIDATES)
    phones = cands["phone"].to_numpy(dtype=object) if cands is not None and "phone" in cands else []
    try:
        return _Side(cells, rules, phones, settings.phone_region)
    except (OSError, AssertionError):  # no fork now (out of processes or memory), or this process
        return None  # is a daemonic multiprocessing worker (no children allowed there): read them here


def pays(rows: int, texts: int) -> bool:
    """Whether reading ``texts`` distinct texts in a child while this process validates
    ``rows`` rows (every row of the frames) saves wall time worth its CPU (module doc)."""
    return rows >= MIN_ROWS and texts >= MIN_TEXTS


class _Side:
    """The child reading the texts, and its end of the pipe."""

    def __init__(self, cells: Any, rules: reasons.RuleSet, phones: Any, region: str):
        ctx = multiprocessing.get_context("fork")
        self._conn, theirs = ctx.Pipe(duplex=False)
        self._got: dict[str, tuple] = {}  # messages received before they were asked for
        self._process = ctx.Process(target=_child, args=(theirs, cells, rules, phones, region),
                                    name="sheetcrm-reasons", daemon=True)
        try:
            self._process.start()
        except BaseException:
            self._conn.close()
            raise
        finally:
            theirs.close()  # the child's copy is its own: EOF here once it is gone
        stats["forked"] += 1

    def phones(self) -> dict[str, str | None] | None:
        """The child's phone readings if they are here already, else None (this process
        reads the phones): never waited for, as reading them here takes no longer."""
        got = self._message("phones", 0.0)
        if got is None or not isinstance(got[0], dict):
            return None
        stats["phones_used"] += 1
        return got[0]

    def readings(self) -> reasons.Known | None:
        """The child's readings; None (this process reads them all) if it sent none in time."""
        got = self._message("readings", TIMEOUT_SECONDS)
        if got is None or len(got) != 2 or not isinstance(got[0], dict):
            stats["fallbacks"] += 1
            return None
        stats["used"] += 1
        readings, stats["child_private_mib"] = got
        return readings

    def _message(self, kind: str, timeout: float) -> tuple | None:
        """The child's message of this kind (what follows its name), receiving and keeping
        any sent before it; None if it does not come within ``timeout`` seconds, the child
        died, or a message is not one the child sends."""
        try:
            while kind not in self._got and self._conn.poll(timeout):
                got = self._conn.recv()
                if not (isinstance(got, tuple) and got and got[0] in ("phones", "readings")):
                    return None
                self._got[got[0]] = got[1:]
        except Exception:  # noqa: BLE001 - EOF (it died), a broken message: read them here
            return None
        return self._got.pop(kind, None)

    def close(self) -> None:
        """The child stopped (killed if it still runs: its readings are no longer wanted) and reaped."""
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()
        self._process.close()


def _child(conn: Any, cells: Any, rules: reasons.RuleSet, phones: Any, region: str) -> None:
    """In the child: detach, then serve (:func:`_serve`)."""
    _detach(conn.fileno())
    if child_hook is not None:
        child_hook()
    _serve(conn, cells, rules, phones, region)


def _serve(conn: Any, cells: Any, rules: reasons.RuleSet, phones: Any, region: str) -> None:
    """Read the phones and send them (validation checks them first), then read the texts and
    send the readings. The phones go out on a thread of their own: at 100,000 candidates
    their message is megabytes, far more than a pipe holds, and the parent takes it only if it
    is complete when validation asks (else it reads the phones itself and takes the message
    with the readings). A send on this thread would stall the texts until then, and the
    parent would wait for readings it could have had (hostile review of 7a28529)."""
    sending = threading.Thread(target=conn.send, args=(("phones", contacts.read_phones(phones, region)),),
                               name="sheetcrm-phones", daemon=True)
    sending.start()
    readings = reasons.read_distinct(cells, rules)
    sending.join()  # one message at a time on the pipe
    conn.send(("readings", readings, _private_mib()))


def _detach(keep: int) -> None:
    """Ctrl-C is the parent's to handle; no descriptor but ``keep`` and /dev/null (see the module doc)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    null = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(null, fd)
    os.closerange(3, keep)
    os.closerange(keep + 1, _max_fd())


def _max_fd() -> int:
    try:
        return max(os.sysconf("SC_OPEN_MAX"), 256)
    except (OSError, ValueError):
        return 65536


def _private_mib() -> float | None:
    """This process' pages not shared with any other (Linux), in MiB."""
    try:
        with open("/proc/self/smaps_rollup", encoding="ascii") as fh:
            kib = sum(int(line.split()[1]) for line in fh if line.startswith(("Private_Clean:", "Private_Dirty:")))
        return round(kib / 1024, 1)
    except (OSError, ValueError, IndexError):
        return None
