"""Backends: where the workbook lives. Pick one with :func:`open_backend`."""
from __future__ import annotations

from ...config import Settings
from ...errors import ConfigError
from .base import Backend, Changes, CellUpdate, OwnedTab, Sheet, Snapshot, TabLayout, WriteResult
from .memory import MemoryBackend
from .xlsx import XlsxBackend

__all__ = [
    "Backend", "Changes", "CellUpdate", "OwnedTab", "Sheet", "Snapshot", "TabLayout",
    "WriteResult", "MemoryBackend", "XlsxBackend", "open_backend",
]


def open_backend(settings: Settings) -> Backend:
    if settings.backend == "xlsx":
        return XlsxBackend(settings.workbook, settings.lock_wait_seconds)
    if settings.backend == "memory":
        return MemoryBackend()
    if settings.backend == "gsheets":
        if not settings.sheet_key:
            raise ConfigError("backend 'gsheets' needs a spreadsheet key: --sheet KEY, SHEETCRM_SHEET or sheet_key in the config")
        from .gsheets import GSheetsBackend  # the only place gspread is imported

        return GSheetsBackend.from_settings(settings)
    raise ConfigError(f"config key 'backend': unknown backend {settings.backend!r}")
