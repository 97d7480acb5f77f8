"""The biggest worksheet edit of a write, done in a forked child on a second core (issue 20).

A first sync of 100,000 candidates edits its Pipeline part (300,000 rows, 117 MB of
XML) for ~1.3 s of this process' time, then the Candidates part and the owned tabs
for about as long, one after the other, while the second core idles. The parts are
independent: each is read from the old zip and written, deflated, to a temporary
file of its own (``xlsx_patch._edit_rows``). So :func:`start` forks a child that edits
the part with the most rows to update while this process edits the others, and
:meth:`Aside.finish` takes the child's part as if it had been edited here.

The child's part is the very bytes this process would write: the same function on
the same updates, the old zip read with ``os.pread`` (no file position shared with
this process), into a temporary file opened here before the fork. It is given only
when nothing it does can change what the other parts get: its updates hold no date
(a date's cell style may add a style to styles.xml, which only this process may do,
in the order it always did), and the child checks that it changed nothing but its own
part (a part it could not stream, edited as a tree, is refused). Whatever goes wrong
(a refusal, an error, the child dying or sending nothing within ``TIMEOUT_SECONDS``),
this process edits the part itself, as before: the same result, later.

No child is forked, and all is edited here as before, when: ``fork`` is not how this
platform starts processes safely, or there is one CPU (``second_core.can_fork``; off
with ``SHEETCRM_SECOND_CORE=0``), the machine's load leaves no core idle
(``cores.idle_core``: the fork costs ~0.2-0.4 CPU s of copy-on-write faults; at load
8 on 2 cores the sync was 0.4 CPU s and ~1.5 s slower with it), another thread runs in this process, the part has
fewer than ``MIN_ROWS`` rows to update (the fork does not pay), or the part is not
stored or deflated in the zip (zipfile's readers of other methods seek a shared file
position). The child ignores Ctrl-C, points stdin, stdout and stderr at /dev/null and
closes every inherited descriptor but the zip it reads, the file it writes and its
end of the pipe: it never holds the workbook's lock (issue 20's rule for children,
as in ``second_core``).
"""
from __future__ import annotations

import itertools
import multiprocessing
import operator
import os
import threading
import zipfile
from collections.abc import Callable
from typing import Any

from .. import child
from .xlsx_zip import Deflated, _Package

MIN_ROWS = 50_000  # rows to update below which the fork does not pay (~0.25 s of edit at 100,000 candidates)
TIMEOUT_SECONDS = 300.0  # a child this late is stuck, not busy (the part takes seconds)
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})  # values whose cells need no style
# Since the process started: children forked, parts taken from them, parts edited here after all;
# the last child's private memory at its end in MiB (what the fork cost in RAM), or None.
stats: dict[str, Any] = {"forked": 0, "used": 0, "fallbacks": 0, "child_private_mib": None}
# Tests only: called first thing in the child (to make it exit, raise or hang).
child_hook: Callable[[], None] | None = None


def start(pkg: _Package, parts: dict[str, str], updates: dict[str, dict[int, list[tuple[int, Any]]]],
          owned: set[str], edit: Callable[..., None]) -> Aside | None:
    """A child editing the edited (not owned) tab with the most rows to update, when
    that pays and is safe (module doc); ``edit(pkg, title, part, out)`` edits one part
    into ``out``. None: every part is edited here."""
    # imported here: second_core loads pandas, which a light use of the backend need not
    from ..cores import idle_core
    from ..second_core import can_fork

    if not can_fork() or threading.active_count() > 1 or not idle_core():
        return None
    title = max((t for t in updates if t not in owned), key=lambda t: len(updates[t]), default=None)
    if title is None or len(updates[title]) < MIN_ROWS:
        return None
    part = parts.get(title)
    info = pkg.infos.get(part)
    if (info is None or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or list(parts.values()).count(part) != 1 or part in pkg.edited or part in pkg.streamed):
        return None
    values = map(operator.itemgetter(1), itertools.chain.from_iterable(updates[title].values()))
    if not _PLAIN_TYPES.issuperset(map(type, values)):
        return None  # a date's style: this process' to add, in its order
    try:
        return Aside(pkg, title, part, edit)
    except (OSError, AssertionError):  # no fork now (out of processes or memory), or a daemonic worker here
        return None


class Aside:
    """The child editing one part, its end of the pipe and the file it writes."""

    def __init__(self, pkg: _Package, title: str, part: str, edit: Callable[..., None]):
        self.pkg, self.title, self.part, self._edit = pkg, title, part, edit
        self.out = pkg.deflated()
        ctx = multiprocessing.get_context("fork")
        self._conn, theirs = ctx.Pipe(duplex=False)
        keep = (theirs.fileno(), pkg.fh.fileno(), self.out.file.fileno())
        self._process = ctx.Process(target=_child, args=(theirs, keep, pkg, title, part, self.out, edit),
                                    name="sheetcrm-write", daemon=True)
        try:
            self._process.start()
        except BaseException:
            self._conn.close()
            self.out.close()
            raise
        finally:
            theirs.close()  # the child's copy is its own: EOF here once it is gone
        stats["forked"] += 1

    def finish(self) -> None:
        """The child's part put where this process' edit would have put it (``pkg.streamed``,
        ``pkg.drop_calc_chain``); edited here if the child did not do it."""
        try:
            got = self._message()
        except BaseException:  # Ctrl-C while waiting: no child left running, its file dropped
            self.abandon()
            raise
        self.close()
        if got is not None and got[0] == "written" and self._take(*got[1:]):
            stats["used"] += 1
            return
        if got is not None and got[0] == "nothing":
            self.out.close()
            self.pkg.drop_calc_chain |= got[1]
            stats["used"] += 1
            return
        self.out.close()
        stats["fallbacks"] += 1
        self._edit(self.pkg, self.title, self.part, None)

    def _take(self, crc: int, size: int, compressed: int, drop_calc_chain: bool, private_mib: float | None) -> bool:
        if self.out.file.seek(0, os.SEEK_END) != compressed:
            return False  # not what the child says it wrote: edit it here
        self.out.written_elsewhere(crc, size)
        self.pkg.streamed[self.part] = self.out
        self.pkg.drop_calc_chain |= drop_calc_chain
        stats["child_private_mib"] = private_mib
        return True

    def _message(self) -> tuple | None:
        try:
            if self._conn.poll(TIMEOUT_SECONDS):
                got = self._conn.recv()
                return got if isinstance(got, tuple) and got else None
        except Exception:  # noqa: BLE001 - EOF (it died), a broken message: edit the part here
            return None
        return None

    def close(self) -> None:
        """The child stopped (killed if it still runs) and reaped; its file stays open."""
        self._conn.close()
        child.stop(self._process)

    def abandon(self) -> None:
        """This process' write failed: the child stopped and its file dropped."""
        self.close()
        self.out.close()


def _child(conn: Any, keep: tuple[int, ...], pkg: _Package, title: str, part: str, out: Deflated,
           edit: Callable[..., None]) -> None:
    """In the child: detach, edit the part into ``out``, say what came of it."""
    child.detach(keep)
    if child_hook is not None:
        child_hook()
    # What this process had already changed before the fork (the owned tabs a workbook
    # lacks are added first) is no reason to refuse: only what the edit itself changed.
    edited, streamed, added = set(pkg.edited), dict(pkg.streamed), list(pkg.added)
    try:
        edit(pkg, title, part, out)
    except Exception:  # noqa: BLE001 - the parent edits the part itself and meets the error there
        conn.send(("refused",))
        return
    # Anything but this part's own bytes changed (a tree edit, a style): the parent's to do.
    if set(pkg.edited) != edited or pkg.added != added or {k: v for k, v in pkg.streamed.items() if k != part} != streamed:
        conn.send(("refused",))
    elif pkg.streamed.get(part) is out:
        compressed = out.finish()
        out.file.flush()
        conn.send(("written", out.crc, out.size, compressed, pkg.drop_calc_chain, child.private_mib()))
    elif part not in pkg.streamed:
        conn.send(("nothing", pkg.drop_calc_chain))
    else:
        conn.send(("refused",))
