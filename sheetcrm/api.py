"""The library behind every command: one function per command, no click, no printing.

    from sheetcrm import api, config
    settings = config.load_settings(overrides={"workbook": "agency.xlsx"})
    report = api.sync_workbook(settings, today=datetime.date.today())
"""
from __future__ import annotations

import dataclasses
import datetime as dt

import pandas as pd

from . import schema, sync as sync_mod
from .backends import Backend, open_backend
from .config import Settings
from .demo import demo_data
from .layout import workbook_layout


@dataclasses.dataclass
class InitResult:
    where: str
    candidates: int
    positions: int
    pipeline: int


def init_workbook(settings: Settings, today: dt.date, demo: int | None = None, force: bool = False,
                  seed: int = 7, backend: Backend | None = None) -> InitResult:
    """Create the tabs, headers, dropdowns and highlighting; with ``demo``, N synthetic candidates."""
    backend = backend or open_backend(settings)
    data = demo_data(demo, today, seed) if demo else {}
    backend.create(workbook_layout(settings, data), force=force)
    return InitResult(backend.describe(), *(len(data.get(k, [])) for k in schema.INPUT_TABS))


def sync_workbook(settings: Settings, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False,
                  backend: Backend | None = None) -> sync_mod.SyncReport:
    """Validate, classify, compute, flag; write what changed (DESIGN §7 `sync`)."""
    return sync_mod.sync(backend or open_backend(settings), settings, today, now, dry_run=dry_run)


def analyse_workbook(settings: Settings, today: dt.date, backend: Backend | None = None) -> sync_mod.Analysis:
    """Read and compute everything without writing (for reports)."""
    backend = backend or open_backend(settings)
    snapshot, _maps, frames = sync_mod.load(backend, settings)
    return sync_mod.analyse(frames, settings, today, suppressed=sync_mod.read_suppressed(snapshot, settings))


def validate_workbook(settings: Settings, today: dt.date, backend: Backend | None = None) -> pd.DataFrame:
    """Every problem in the workbook, as rows (tab, row, column, value, severity, message, suggestion)."""
    return analyse_workbook(settings, today, backend).issues
