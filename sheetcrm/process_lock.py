"""One run.py per workbook or sheet: the workbook's write lock, held for the life of the process."""
from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from .config import Settings
from .workbook.write_lock import WriteLock, lock_file


def lock_target(settings: Settings) -> tuple[str, Path] | None:
    """(what is locked, lock file). A workbook's lock is the one every writer of it
    takes (``workbook.write_lock``); a Google Sheet's sits in the temp folder, keyed
    on the sheet key. The in-memory backend needs none."""
    if settings.backend == "xlsx":
        path = Path(settings.workbook).expanduser().resolve()
        return f"workbook {path}", lock_file(path)
    if settings.backend == "gsheets":
        key = settings.sheet_key.strip()
        digest = hashlib.sha256(key.encode()).hexdigest()[:16]
        return f"sheet {key}", Path(tempfile.gettempdir()) / f"sheetcrm-sheet-{digest}.lock"
    return None


class ProcessLock(WriteLock):
    """Held for the life of a run.py process; ``sheetcrm sync``/``forget``/``init``
    on the same workbook wait for it like for any writer. Who holds it is written
    beside the lock file, for the message the second process prints. A second
    run.py loop in the same process is refused like one in another process."""

    reentrant = False

    def __init__(self, settings: Settings):
        target = lock_target(settings)
        what, path = target if target else ("memory workbook", None)
        workbook = Path(settings.workbook).expanduser()
        if settings.backend == "xlsx" and os.path.lexists(workbook) and not os.path.isfile(workbook):
            path = None  # a folder, a pipe, /dev/null: no lock file beside it; each run says what the path is
        super().__init__(what, path or Path(), settings.lock_wait_seconds)
        self.path = path  # None: nothing to lock

    def acquire(self) -> "ProcessLock":
        if self.path is not None:
            super().acquire()
        return self
