"""One writer at a time per workbook (DESIGN §3): the lock every writer takes.

``sync``, ``forget``, ``init``, ``init --upgrade`` and run.py all take this one
lock: a filelock file beside the workbook (``.NAME.sheetcrm-lock``; beside the
link's target for a symlinked workbook, so every spelling of the path meets the
same lock, and people sharing the folder from other machines see it too). A
second writer waits up to ``lock_wait_seconds`` (config; small by default) and
then stops with one line naming the holder: pid, host, since when and which
command, from a note the holder writes beside the lock.

Within one process the lock is re-entrant: run.py holds it for its whole life
and its syncs pass through; forget's follow-up sync runs inside forget's hold.
The operating system drops the lock when its process dies, so a crash leaves no
stale lock (only a stale note, replaced by the next holder).
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import socket
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import filelock

from ..errors import NotFoundError, WorkbookLockedError

DEFAULT_WAIT_SECONDS = 15.0

# Lock file -> [filelock, holds] of the locks this process holds (re-entry counts).
_HELD: dict[str, list[Any]] = {}
_GUARD = threading.Lock()

# The holder note names the command without any value: forget's --email/--phone
# would put a person's address in a file anyone in the folder can read. So only
# option names and the CLI's own command names are kept (an allow-list: an option
# added later cannot leak its value, even a one-word one such as a first name).
_OPTION_NAME = re.compile(r"^--?[a-z][a-z-]*$")
_VALUE_OPTIONS = {"--email", "--phone", "--candidate-id", "--workbook", "--sheet", "--config", "--today"}  # left out whole


def lock_file(workbook: str | Path) -> Path:
    """Where a local workbook's lock lives: beside the file it really is."""
    path = Path(workbook).expanduser().resolve()
    return path.with_name(f".{path.name}.sheetcrm-lock")


@dataclasses.dataclass(frozen=True)
class Wait:
    """This writer found the lock held and waited for it."""

    seconds: float
    holder: str

    def line(self) -> str:
        return f"waited {self.seconds:.1f} s for {self.holder} to finish writing the workbook"


def command_words(argv: list[str] | None = None) -> str:
    """``sheetcrm --workbook a.xlsx sync --today 2027-01-01 --dry-run`` -> ``sheetcrm sync --dry-run``."""
    argv = sys.argv if argv is None else argv
    program = Path(argv[0]) if argv else Path("python")
    commands = _command_names()
    words = [program.parent.name if program.name == "__main__.py" else program.name]
    skip = False
    for arg in argv[1:]:
        if skip:
            skip = False
        elif arg in _VALUE_OPTIONS:
            skip = True
        elif _OPTION_NAME.match(arg) or arg in commands:
            words.append(arg)
    return " ".join(words)[:120]


def _command_names() -> set[str]:
    """The names of the click commands of the running CLI, if it is loaded (run.py has
    none: its argv holds only options)."""
    cli = getattr(sys.modules.get("sheetcrm.cli"), "cli", None)
    names: set[str] = set()
    stack = [cli] if cli is not None else []
    while stack:
        group = stack.pop()
        for name, command in getattr(group, "commands", {}).items():
            names.add(name)
            stack.append(command)
    return names


class WriteLock:
    """The lock on one workbook (or, for run.py, one Google Sheet): ``with
    WriteLock(...) as held:`` -- ``held.wait`` says whether we waited and for whom."""

    reentrant = True  # a hold inside a hold of this process passes through

    def __init__(self, what: str, path: Path, wait_seconds: float = DEFAULT_WAIT_SECONDS, mode: int | None = None):
        self.what, self.path, self.wait_seconds = what, Path(path), max(0.0, float(wait_seconds))
        self.mode = mode  # of a new lock file; None: from the umask
        self.wait: Wait | None = None
        self._holding = False

    @classmethod
    def for_workbook(cls, workbook: str | Path, wait_seconds: float = DEFAULT_WAIT_SECONDS) -> "WriteLock":
        path = Path(workbook).expanduser().resolve()
        try:  # whoever may write the workbook may take its lock (a team sharing it through a group)
            mode = stat.S_IMODE(path.stat().st_mode) & 0o666 | 0o600  # the owner always (filelock needs it)
        except OSError:
            mode = None
        return cls(f"workbook {path}", lock_file(path), wait_seconds, mode)

    @property
    def holder_path(self) -> Path:
        return self.path.with_name(self.path.name + ".json")

    def acquire(self) -> "WriteLock":
        key = str(self.path)
        with _GUARD:
            if key in _HELD and not self.reentrant:
                raise WorkbookLockedError(f"{self.what} is already being synced by {self.holder()} (this process); "
                                          f"nothing was written (lock file {self.path})")
            if key in _HELD:  # this process holds it already (run.py's syncs, forget's sync)
                _HELD[key][1] += 1
                self._holding = True
                return self
        if not self.path.parent.is_dir():  # filelock would create it: a mistyped path must not make folders
            raise NotFoundError(f"{self.what}: its folder {self.path.parent} does not exist; check the path")
        options = {} if self.mode is None else {"mode": self.mode}
        lock = filelock.FileLock(key, timeout=0, thread_local=False, **options)
        self.wait = self._take(lock)
        with _GUARD:
            _HELD[key] = [lock, 1]
        self._holding = True
        self._write_note()
        return self

    def _take(self, lock: filelock.BaseFileLock) -> Wait | None:
        try:
            try:
                lock.acquire(timeout=0)
                return None
            except filelock.Timeout:
                first, started = self.holder(), time.monotonic()
            try:
                lock.acquire(timeout=self.wait_seconds)
            except filelock.Timeout:
                raise WorkbookLockedError(
                    f"{self.what} is already being synced by {self.holder()}; waited {self.wait_seconds:g} s. "
                    f"Nothing was written: try again when it has finished (lock file {self.path})") from None
            return Wait(time.monotonic() - started, first)
        except OSError as exc:
            raise WorkbookLockedError(
                f"{self.what}: cannot take its write lock {self.path} ({exc.strerror or exc}); nothing was written. "
                "Fix that path (it must be a plain file, or absent, in a folder you can write)") from None

    def _write_note(self) -> None:
        note = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"), "command": command_words()}
        with contextlib.suppress(OSError):  # the note is a courtesy; the lock itself is what counts
            fd, tmp = tempfile.mkstemp(prefix=self.holder_path.name + ".", suffix=".tmp", dir=self.path.parent)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    json.dump(note, fh)
                os.chmod(tmp, 0o644)  # others sharing the folder may read who holds it
                os.replace(tmp, self.holder_path)
            finally:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)

    def holder(self) -> str:
        try:
            note = json.loads(self.holder_path.read_text(encoding="utf-8"))
            command = f" ({note['command']})" if note.get("command") else ""
            return f"pid {note['pid']} on host {note['host']} since {note['since']}{command}"
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return "another process (it has not said who yet)"

    def release(self) -> None:
        if not self._holding:
            return
        self._holding = False
        key = str(self.path)
        with _GUARD:
            entry = _HELD[key]
            entry[1] -= 1
            if entry[1]:
                return
            del _HELD[key]
        with contextlib.suppress(OSError):
            self.holder_path.unlink()
        entry[0].release()

    def __enter__(self) -> "WriteLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
