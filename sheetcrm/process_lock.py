"""One run.py per workbook or sheet: a lock held for the life of the process."""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

import filelock

from .config import Settings
from .errors import WorkbookLockedError


def lock_target(settings: Settings) -> tuple[str, Path] | None:
    """(what is locked, lock file). A workbook's lock sits beside it, so processes
    on other machines sharing the folder see it too; a Google Sheet's sits in the
    temp folder, keyed on the sheet key. The in-memory backend needs none."""
    if settings.backend == "xlsx":
        path = Path(settings.workbook).expanduser().resolve()
        return f"workbook {path}", path.with_name(f".{path.name}.sheetcrm-lock")
    if settings.backend == "gsheets":
        key = settings.sheet_key.strip()
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return f"sheet {key}", Path(tempfile.gettempdir()) / f"sheetcrm-sheet-{digest}.lock"
    return None


class ProcessLock:
    """Held for the life of a run.py process. Who holds it (pid, host, since) is
    written beside the lock file, for the message the second process prints. The
    operating system drops the lock when its process dies, so a crash leaves no
    stale lock (only a stale holder note, overwritten by the next holder)."""

    def __init__(self, settings: Settings):
        target = lock_target(settings)
        self.what, self.path = target if target else ("memory workbook", None)
        self._lock: filelock.BaseFileLock | None = None

    @property
    def holder_path(self) -> Path | None:
        return None if self.path is None else self.path.with_name(self.path.name + ".json")

    def acquire(self) -> "ProcessLock":
        if self.path is None:
            return self
        lock = filelock.FileLock(str(self.path), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout:
            raise WorkbookLockedError(
                f"{self.what} is already being synced by {self.holder()}; stop that run.py first "
                f"(lock file {self.path})"
            ) from None
        except OSError as exc:
            raise WorkbookLockedError(f"{self.what}: cannot create the lock file {self.path} ({exc.strerror})") from None
        self._lock = lock
        note = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": " ".join([Path(sys.argv[0]).name] + sys.argv[1:])[:200]}
        tmp = self.holder_path.with_name(self.holder_path.name + ".tmp")
        with contextlib.suppress(OSError):  # the note is a courtesy; the lock itself is what counts
            tmp.write_text(json.dumps(note), encoding="utf-8")
            os.replace(tmp, self.holder_path)
        return self

    def holder(self) -> str:
        try:
            note = json.loads(self.holder_path.read_text(encoding="utf-8"))
            return f"pid {note['pid']} on host {note['host']} since {note['since']}"
        except (OSError, ValueError, KeyError, TypeError):
            return "another process (it has not said who yet)"

    def release(self) -> None:
        if self._lock is None:
            return
        with contextlib.suppress(OSError):
            self.holder_path.unlink()
        self._lock.release()
        self._lock = None

    def __enter__(self) -> "ProcessLock":
        return self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
