"""The same sync scenarios on memory, xlsx and Google Sheets (the stand-in, through
gspread over HTTP): init, sync, a person's edit, sync again. Every backend must end
with the same cells everywhere, Summary / Circle-backs / Issues included."""
from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
import pytest

from sheetcrm import api, schema
from sheetcrm.workbook.backends.base import same_cell
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.demo import demo_data
from sheetcrm.workbook.layout import workbook_layout

from conftest import rows_for

NOW = dt.datetime(2026, 11, 22, 7, 45)
OWNED_TABS = ("Summary", "Circle-backs", "Issues")


def edge_cases(today):
    """Rows that stress the cell path: blank and duplicate ids, formula-looking text,
    text and serial dates, do-not-contact, unclassified reasons."""
    return {
        schema.CANDIDATES: rows_for(schema.CANDIDATES, [
            {"candidate_id": "C-00001", "name": "Ann Lee", "email": "ann@example.com", "skills": "python, sql",
             "last_contacted": "2026-01-10", "contact_every": "quarterly"},
            {"candidate_id": None, "name": "Bob O'Neil", "email": "bob@example.com", "skills": "go"},
            {"candidate_id": "C-00003", "name": "Cy Tan", "phone": "+44 7700 900123", "skills": "java",
             "last_contacted": 46000, "do_not_contact": "yes"},
            {"candidate_id": "C-00003", "name": "Cy Tan again", "email": "cy@example.com"},
            {"candidate_id": None, "name": "Dee Roe", "email": "not-an-email", "available_from": dt.date(2026, 12, 1)},
            {"candidate_id": "C-00009", "name": "Eve Poe", "email": "eve@example.com", "skills": "python",
             "contact_every": "2 weeks", "last_contacted": dt.date(2026, 10, 1)},
        ]),
        schema.POSITIONS: rows_for(schema.POSITIONS, [
            {"position_id": "P-1", "title": "Backend", "skills": "python, sql", "location": "Remote", "status": "open"},
            {"position_id": "P-2", "title": "Go dev", "skills": "go", "status": "filled", "opened_on": "2026-01-02"},
        ]),
        schema.PIPELINE: rows_for(schema.PIPELINE, [
            {"candidate_id": "C-00001", "position_id": "P-1", "first_contacted": "2026-02-01", "attempts": 2,
             "responded_on_attempt": 2, "interest": "interested", "outcome": "rejected",
             "rejection_reason": "salary too high", "decided_on": "2026-03-01"},
            {"candidate_id": "C-00009", "position_id": "P-1", "first_contacted": dt.date(2026, 5, 1), "outcome": "declined",
             "rejection_reason": "zzz nobody knows", "decided_on": dt.date(2026, 5, 20)},
            {"candidate_id": "C-00003", "position_id": "P-2", "outcome": "rejected", "rejection_reason": "lied on resume",
             "decided_on": "2026-04-01"},
            {"candidate_id": "C-404", "position_id": "P-1", "outcome": "hired", "decided_on": "2026-06-01"},
        ]),
    }


SCENARIOS = {
    "demo 60": lambda today: demo_data(60, today, 7),
    "demo 150, another seed": lambda today: demo_data(150, today, 3),
    "edge cases": edge_cases,
}


class Memory:
    def __init__(self, tmp_path, gsheet, google):
        self.backend = MemoryBackend()

    def edit(self, tab, row, col, value):
        self.backend.edit(tab, row, col, value)


class Xlsx:
    def __init__(self, tmp_path, gsheet, google):
        self.path = tmp_path / "agency.xlsx"
        self.backend = XlsxBackend(self.path)

    def edit(self, tab, row, col, value):
        wb = openpyxl.load_workbook(self.path)
        wb[tab].cell(row, col).value = value
        wb.save(self.path)


class Google:
    def __init__(self, tmp_path, gsheet, google):
        self.key, self.backend = gsheet()
        self.google = google

    def edit(self, tab, row, col, value):
        self.google.book(self.key).tab(tab).put(row - 1, col - 1, value)


BACKENDS = {"memory": Memory, "xlsx": Xlsx, "gsheets": Google}


def grid_of(backend) -> dict[str, list[list[Any]]]:
    return {title: sheet.values for title, sheet in backend.read().tabs.items()}


def assert_same_grids(a: dict, b: dict, label: str) -> None:
    assert set(a) == set(b), label
    for title in a:
        ra, rb = _trimmed(a[title]), _trimmed(b[title])
        assert len(ra) == len(rb), f"{label}: {title} has {len(ra)} vs {len(rb)} rows"
        for r, (x, y) in enumerate(zip(ra, rb), start=1):
            for c in range(max(len(x), len(y))):
                va = x[c] if c < len(x) else None
                vb = y[c] if c < len(y) else None
                assert same_cell(va, vb), f"{label}: {title}!R{r}C{c + 1}: {va!r} vs {vb!r}"


def _trimmed(rows):
    out = [list(r) for r in rows]
    for r in out:
        while r and r[-1] in (None, ""):
            r.pop()
    while out and not out[-1]:
        out.pop()
    return out


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_every_backend_ends_with_the_same_sheet(scenario, tmp_path, gsheet, google, settings, today):
    results: dict[str, dict] = {}
    reports: dict[str, list] = {}
    for name, kind in BACKENDS.items():
        place = kind(tmp_path, gsheet, google)
        place.backend.create(workbook_layout(settings, SCENARIOS[scenario](today)))
        first = api.sync_workbook(settings, today, NOW, backend=place.backend)
        assert first.written, name
        again = api.sync_workbook(settings, today, NOW, backend=place.backend)
        assert not again.changed, f"{name}: a second sync found something to write"
        # A person decides a pipeline row, then the next sync runs.
        place.edit("Pipeline", 2, 7, "hired")
        third = api.sync_workbook(settings, today, NOW, backend=place.backend)
        results[name] = grid_of(place.backend)
        reports[name] = [first.lines(), third.lines()]
    assert reports["gsheets"] == reports["xlsx"] == reports["memory"]
    assert_same_grids(results["xlsx"], results["gsheets"], f"{scenario}: xlsx vs gsheets")
    assert_same_grids(results["memory"], results["gsheets"], f"{scenario}: memory vs gsheets")
    for title in OWNED_TABS:
        assert len(_trimmed(results["gsheets"][title])) >= 1, title


def test_duplicate_rows_never_take_each_others_values(settings):
    """resolve_rows: a row that moved may not be re-targeted onto a row another
    update still finds in place (two rows with the same identity)."""
    from sheetcrm.workbook.backends.base import CellUpdate, resolve_rows

    cells = {(4, 1): "C-00003", (4, 2): "Yu", (9, 1): None, (9, 2): "Yu", (3, 1): None, (3, 2): "Yu"}
    get = lambda tab, row, col: cells.get((row, col))  # noqa: E731
    row3 = CellUpdate("Candidates", 3, 1, "C-00031", ((1, None), (2, "Yu")))  # row 3 now holds someone else
    cells[(3, 2)] = "Someone else"
    row9 = CellUpdate("Candidates", 9, 1, "C-00032", ((1, None), (2, "Yu")))
    targets, skipped = resolve_rows([row3, row9], get, lambda tab: 10)
    assert targets == [(row9, 9)] and skipped == 1
