"""The domain, pure: frames, settings, parsed rules and ``today`` in, frames out.

Nothing under ``core`` imports ``sheetcrm.workbook``, a backend, openpyxl, lxml or
gspread, or opens a file (tests/test_architecture.py keeps it so). The order of the
steps of a sync is :func:`sheetcrm.core.analysis.analyse`.
"""
from __future__ import annotations

import pandas as pd

Frames = dict[str, pd.DataFrame]  # tab key -> one frame per tab, index = the sheet's row number


def with_all_tabs(frames: Frames) -> Frames:
    """``frames`` with every input tab: an optional tab the workbook lacks (Touchpoints)
    reads as a tab with no rows, so a workbook without one works as before."""
    from .. import schema

    missing = [key for key in schema.INPUT_TABS if key not in frames]
    if not missing:
        return frames
    frames = dict(frames)
    for key in missing:
        names = schema.INPUT_TAB_SCHEMAS[key].names
        frames[key] = pd.DataFrame({n: pd.Series([], dtype=object) for n in names}, columns=names,
                                   index=pd.Index([], dtype="int64", name="row"))
    return frames
