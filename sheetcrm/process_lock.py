"""One run.py per workbook or sheet: a lock held for the life of the process.

It is not the workbook's write lock (``workbook.write_lock``): run.py takes that
one for each run, like every other writer, so `sheetcrm sync` or `forget` by hand
only waits for the run in progress, not for the whole life of the service."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .config import Settings
from .workbook.write_lock import WriteLock, lock_file


def lock_target(settings: Settings) -> tuple[str, Path] | None:
    """(what is locked, lock file). A workbook's sits beside it (beside the write
    lock, ``.NAME.sheetcrm-run-lock``), so run.py on another machine sharing the
    folder sees it too; a Google Sheet's sits in the temp folder, keyed on the sheet
    key. The in-memory backend needs none."""
    if settings.backend == "xlsx":
        path = Path(settings.workbook).expanduser().resolve()
        return f"workbook {path}", lock_file(path).with_name(f".{path.name}.sheetcrm-run-lock")
    if settings.backend == "gsheets":
        key = settings.sheet_key.strip()
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return f"sheet {key}", Path(tempfile.gettempdir()) / f"sheetcrm-sheet-{digest}.lock"
    return None


class ProcessLock(WriteLock):
    """Held for the life of a run.py process: a second run.py on the same workbook
    or sheet stops at once, told who holds it (the note beside the lock file). A
    second loop in the same process is refused like one in another process."""

    reentrant = False

    def __init__(self, settings: Settings):
        target = lock_target(settings)
        what, path = target if target else ("memory workbook", None)
        workbook = Path(settings.workbook).expanduser()
        if settings.backend == "xlsx" and os.path.lexists(workbook) and not os.path.isfile(workbook):
            path = None  # a folder, a pipe, /dev/null: no lock file beside it; each run says what the path is
        super().__init__(what, path or Path(), wait_seconds=0)
        self.path = path  # None: nothing to lock

    def acquire(self) -> "ProcessLock":
        if self.path is not None:
            super().acquire()
        return self
