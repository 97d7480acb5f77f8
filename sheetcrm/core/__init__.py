"""The domain, pure: frames, settings, parsed rules and ``today`` in, frames out.

Nothing under ``core`` imports ``sheetcrm.workbook``, a backend, openpyxl, lxml or
gspread, or opens a file (tests/test_architecture.py keeps it so). The order of the
steps of a sync is :func:`sheetcrm.core.analysis.analyse`.
"""
from __future__ import annotations

import pandas as pd

Frames = dict[str, pd.DataFrame]  # tab key -> one frame per tab, index = the sheet's row number
