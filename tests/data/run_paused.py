"""run.py with a pause inside the workbook's read or save, so a signal test lands
mid-run for sure: ``python run_paused.py read:30 --workbook x.xlsx``. The product
itself has no test hook; this wraps the xlsx backend from outside."""
from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import run  # noqa: E402  (run.py at the repository root)
from sheetcrm.workbook.backends.xlsx import XlsxBackend  # noqa: E402

phase, _, seconds = sys.argv.pop(1).partition(":")
pause = float(seconds or 1)
original = getattr(XlsxBackend, phase)


def paused(self, *args, **kwargs):
    logging.getLogger("sheetcrm.run").info("test hook: pausing %.1f s before the %s", pause, phase)
    time.sleep(pause)
    return original(self, *args, **kwargs)


setattr(XlsxBackend, phase, paused)
run.main(prog_name="run.py")
