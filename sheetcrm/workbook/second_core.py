"""The texts analyse reads with the rules, read on a second core while this one validates (issue 20).

A first sync reads its 3,500-5,000 distinct rejection reasons and call notes
(``reasons.classify_pipeline``: ~0.75 s at 10,000 candidates, of which ~0.2 s is paid
once per process: the rules' patterns compiled on first use, the labelled examples'
index) right after validating (~0.2 s at 10,000, ~1.35 s at 100,000), and validation
does not need them. So :func:`analyse` (the sync's ``analyse``) forks a child that reads
every text analyse reads with the rules (``TEXT_COLUMNS`` of the raw frames:
``reasons.distinct_texts``, in sorted order) while this process validates. Core's
analyse asks for the readings once validation is done (``core.analysis.ReadReasons``):
the child then sends what it has read, and more every ``CHUNK`` texts, while this
process reads the texts from the last one back, until the two meet. So this process
never waits for the child: at 100,000 candidates the child is done before it is asked
(this process reads no text, and compiles none of the rules' patterns); at 10,000 each
reads about half, meanwhile (each pays the patterns' compiles its texts need). Only the
texts go in (the child inherits them: nothing is pickled on the way in) and only their
readings come back, pickled through a pipe.

Before the texts, the child reads the Candidates' phone cells (``contacts.read_phones``,
~0.15 s at 100,000 candidates: phonenumbers' parser for each distinct number) and sends
them at once: validation checks the phones after its first few steps and uses them if
they are here by then (``core.validate.ReadPhones``); it never waits for them, as reading
them here takes no longer than waiting would.

The result is the same either way: the child computes the same pure functions of the
same texts with the same rules, and whatever it did not send by the time this process
reaches it is read here. If the child dies, is killed, raises, hangs or sends what it
does not send, this process reads the rest itself. No child is started, and all is read
here as before, when: ``fork`` is not how this platform starts processes safely (Windows has
none; macOS' system libraries are not fork-safe), the process may use one CPU only,
the frames hold fewer than ``MIN_ROWS`` rows or fewer than ``MIN_TEXTS`` distinct texts
(:func:`pays`: the fork does not pay), no core is idle now (``cores.idle_core``, as for the
rules' thread and the xlsx write's child), another thread runs in this process (see below),
or ``SHEETCRM_SECOND_CORE=0`` is in the environment (``enabled = False``).

Why not on a busy machine: there the child, at nice 10, gets too little of a CPU to read
ahead, and this process reads nearly every text itself anyway (paired A/B of the 100k memory
sync at a load of 3-7, child vs none: the sync read 4,743-4,935 of the 4,999 texts itself in
every run with a child); the child then only adds its fork, the copy-on-write faults it
causes this process (+55,000 minor faults) and 0.5-1.2 s of CPU taken from other work.

When it pays (issue 20; A/B of the memory sync with SHEETCRM_SECOND_CORE=1/0, figures in
the README and in the commits that set ``MIN_ROWS``): while this process waited for a
child that read every text, the most the fork saved was the validation done meanwhile,
and at 10,000 and 20,000 candidates (40,200 and 80,200 rows) it won no steady wall time.
Since the two read towards each other, this process reads only what the child has not
read by then, and the child is forked from MIN_ROWS rows (10,000 candidates).

What the child may do: before anything else it ignores Ctrl-C (the parent's
KeyboardInterrupt kills it), points stdin, stdout and stderr at /dev/null and closes
every other descriptor it inherited but its ends of the two pipes. So it cannot write to
the workbook or the log files, and it does not hold the workbook's lock (a flock is
held while any descriptor of its open file is): the lock is the parent's alone, as
before. The parent kills the child if it still runs and reaps it before analyse
returns or raises: no zombie is left behind.
"""
from __future__ import annotations

import datetime as dt
import multiprocessing
import os
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
from . import child, cores

enabled = os.environ.get("SHEETCRM_SECOND_CORE", "1").strip().lower() not in ("0", "off", "false", "no")
MIN_TEXTS = 1000  # distinct reason cells below which the fork does not pay (the patterns' compiles dominate)
MIN_ROWS = 40_000  # rows (10,000 candidates: 40,200) from which the fork was measured to pay (module doc)
# Texts the child reads between two looks at whether it is asked for its readings, and then
# between two sends: ~3 ms of reading, so the two processes read at most that twice.
CHUNK = 16
NICE = 10  # how much lower the child's CPU priority is than this process' (see the module doc)
# Tests only: called first thing in the child (to make it exit, raise or hang).
child_hook: Callable[[], None] | None = None
# Since the process started: children forked, readings used (some of the child's), fallbacks
# (every text read here), phone readings used; the texts the last child's parent read itself; the
# last child's private memory at its end in MiB (the pages it did not share with this process:
# what the fork cost in RAM), or None.
stats: dict[str, Any] = {"forked": 0, "used": 0, "fallbacks": 0, "phones_used": 0, "child_private_mib": None,
                         "read_here": None}


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
    if not cores.idle_core():  # no core to read on: this process would read the texts anyway (module doc)
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
        return _Side(sorted(reasons.distinct_texts(cells)), rules, phones, settings.phone_region)
    except (OSError, AssertionError):  # no fork now (out of processes or memory), or this process
        return None  # is a daemonic multiprocessing worker (no children allowed there): read them here


def pays(rows: int, texts: int) -> bool:
    """Whether reading ``texts`` distinct texts in a child while this process validates
    ``rows`` rows (every row of the frames) saves wall time worth its CPU (module doc)."""
    return rows >= MIN_ROWS and texts >= MIN_TEXTS


class _Side:
    """The child reading the texts, and this process' ends of the two pipes: its readings
    and phones come in on one; closing the other asks it for the readings."""

    def __init__(self, texts: list[str], rules: reasons.RuleSet, phones: Any, region: str):
        ctx = multiprocessing.get_context("fork")
        self._texts, self._rules = texts, rules
        self._conn, theirs = ctx.Pipe(duplex=False)
        asked, self._ask = ctx.Pipe(duplex=False)
        self._phones: dict[str, str | None] | None = None  # received before validation asked for them
        self._process = ctx.Process(target=_child, args=(theirs, asked, texts, rules, phones, region),
                                    name="sheetcrm-reasons", daemon=True)
        try:
            self._process.start()
        except BaseException:
            self._conn.close()
            self._ask.close()
            raise
        finally:
            theirs.close()  # the child's copies are its own: EOF here once it is gone
            asked.close()
        stats["forked"] += 1

    def phones(self) -> dict[str, str | None] | None:
        """The child's phone readings if they are here already, else None (this process
        reads the phones): never waited for, as reading them here takes no longer."""
        try:
            got = self._conn.recv() if self._conn.poll(0) else None  # the child sends the phones first
        except Exception:  # noqa: BLE001 - EOF (it died), a broken message: read them here
            return None
        if not (isinstance(got, tuple) and len(got) == 2 and got[0] == "phones" and isinstance(got[1], dict)):
            return None
        stats["phones_used"] += 1
        return got[1]

    def readings(self) -> reasons.Known:
        """Every text's reading: the child's from the first text on, this process' own from the
        last one back, until the two meet (module doc). Never waits for the child."""
        self._ask.close()  # the child sends what it has read, then more as it reads
        texts, rules, theirs, mine = self._texts, self._rules, [], []
        listening = True
        while len(theirs) + len(mine) < len(texts):
            listening = listening and self._receive(theirs)
            if len(theirs) + len(mine) < len(texts):
                mine.append(reasons.classify_text(texts[len(texts) - 1 - len(mine)], rules))
        stats["used" if theirs else "fallbacks"] += 1
        stats["read_here"] = len(mine)
        known = dict(zip(texts, theirs))
        known.update(zip(reversed(texts), mine))
        return known

    def _receive(self, theirs: list) -> bool:
        """The readings the child has sent so far appended to ``theirs``; False once it will send
        no more (done, gone, or a message it does not send: this process reads the rest)."""
        try:
            while self._conn.poll(0):
                got = self._conn.recv()
                if not (isinstance(got, tuple) and len(got) == 2):
                    return False
                if got[0] == "read" and isinstance(got[1], list):
                    theirs.extend(got[1])
                elif got[0] == "done":
                    stats["child_private_mib"] = got[1]
                    return False
                elif got[0] != "phones":  # phones validation did not take: it read them itself
                    return False
        except Exception:  # noqa: BLE001 - EOF (it died), a broken message: read the rest here
            return False
        return True

    def close(self) -> None:
        """The child stopped (killed if it still runs: its readings are no longer wanted) and reaped."""
        self._conn.close()
        self._ask.close()
        child.stop(self._process)


def _child(conn: Any, asked: Any, texts: list[str], rules: reasons.RuleSet, phones: Any, region: str) -> None:
    """In the child: detach, then serve (:func:`_serve`)."""
    child.detach((conn.fileno(), asked.fileno()), nice=NICE)  # the parent comes first for a CPU (module doc)
    if child_hook is not None:
        child_hook()
    _serve(conn, asked, texts, rules, phones, region)


def _serve(conn: Any, asked: Any, texts: list[str], rules: reasons.RuleSet, phones: Any, region: str) -> None:
    """Read the phones and send them (validation checks them first), then read the texts in
    order; once asked (the parent closed its end of ``asked``), send what was read, then
    every ``CHUNK`` texts, and the rest at the end. Not before it is asked: a pipe holds
    ~64 KB, and a send to a full one would stall the texts until the parent reads. For the
    same reason the phones go out on a thread of their own: at 100,000 candidates their
    message is megabytes, and the parent takes it only if it is complete when validation
    asks (hostile review of 7a28529: the parent waited ~1.5 s for texts not read meanwhile)."""
    sending = threading.Thread(target=conn.send, args=(("phones", contacts.read_phones(phones, region)),),
                               name="sheetcrm-phones", daemon=True)
    sending.start()
    read: list[reasons.Classification] = []
    sent = 0
    for text in texts:
        read.append(reasons.classify_text(text, rules))
        if len(read) % CHUNK == 0 and (sent or asked.poll(0)):
            sending.join()  # one message at a time on the pipe
            conn.send(("read", read[sent:]))
            sent = len(read)
    sending.join()
    conn.send(("read", read[sent:]))
    conn.send(("done", child.private_mib()))
