"""A report computes only what it shows (issue 12): `report circle-backs` and `match`
timed beside `sync --dry-run` on the same .xlsx workbook, each from a fresh read.

The workbook is the one the xlsx sync step of the same run and size left behind (at
100,000 candidates one more .xlsx sync costs minutes and gigabytes); without that
step it is generated and synced here."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import MIB, TODAY, grids_for, log, row, timed
from bench.sync_measure import synced_xlsx
from sheetcrm import api
from sheetcrm.config import Settings
from sheetcrm.workbook import sync as sync_mod
from sheetcrm.workbook.backends.xlsx import XlsxBackend


def run_reports_xlsx(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    n = spec["size"]
    work = Path(spec["workdir"])
    path = work / f"reports-{n}.xlsx"
    synced = synced_xlsx(work, n)
    if synced.exists():  # the xlsx sync step of this run left it: no second sync of the same workbook
        log(f"using the workbook the xlsx sync step synced ({n:,} candidates)")
        synced.replace(path)
    else:
        log(f"generating {n:,} candidates and saving them as .xlsx")
        generate.write_xlsx(grids_for(n, spec, settings), path)
        sync_mod.sync(XlsxBackend(path), settings, TODAY)  # ids and owned tabs in place, as in an agency's workbook
    position = _an_open_position(settings, path)
    runs = {
        "sync --dry-run": lambda: sync_mod.sync(XlsxBackend(path), settings, TODAY, dry_run=True),
        "report circle-backs": lambda: api.circle_back_report(settings, TODAY, backend=XlsxBackend(path)),
        f"match {position}": lambda: api.match_report(settings, position, TODAY, backend=XlsxBackend(path)),
    }
    out = []
    for name, fn in runs.items():
        log(f"xlsx: {name}")
        seconds, peak, _delta, _, _cpu = timed(fn, repeat=spec.get("repeat", 1))
        out.append(row(n, "xlsx", name, seconds, peak, file_mib=round(path.stat().st_size / MIB, 2)))
    path.unlink(missing_ok=True)
    return out


def _an_open_position(settings: Settings, path: Path) -> str:
    frames = sync_mod.load(XlsxBackend(path), settings)[2]
    positions = frames["positions"]
    return str(positions.loc[positions["status"].astype(str).str.lower() == "open", "position_id"].iloc[0])
