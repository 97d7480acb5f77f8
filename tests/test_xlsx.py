"""The xlsx backend: never touch a person's cells, never leave a broken file."""
import os
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from sheetcrm import api, schema
from sheetcrm.workbook.backends.base import CellUpdate, Changes
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.errors import BackendError, ConflictError, WorkbookLockedError


def owned_cells(path: Path, settings) -> set[tuple[str, int]]:
    """(tab, column) pairs sheetcrm may write, found by header."""
    wb = openpyxl.load_workbook(path)
    out = set()
    for key, tab in schema.INPUT_TAB_SCHEMAS.items():
        ws = wb[settings.tab_title(key)]
        owned = {c.name for c in tab.owned_columns}
        for cell in ws[1]:
            if cell.value in owned:
                out.add((ws.title, cell.column))
    return out


def all_cells(path: Path) -> dict[tuple[str, int, int], tuple]:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.row, c.column): (c.value, c.data_type)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}


def add_user_content(path: Path) -> None:
    """What people add: formulas, an extra column, an extra tab, formatting."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Candidates"]
    extra = ws.max_column + 1
    ws.cell(1, extra, "lead source")  # "source" is a schema column since DESIGN §2 added it
    for r in range(2, 12):
        ws.cell(r, extra, "=LEN(B%d)" % r)
    ws.cell(2, 14, "met at meetup; =not a formula")
    ws.cell(3, 14).value = "=1+1"
    ws.cell(3, 14).data_type = "s"  # text that looks like a formula
    ws["B2"].font = openpyxl.styles.Font(bold=True)
    notes = wb.create_sheet("Team notes")
    notes["A1"], notes["B1"], notes["A2"] = "week", "=TODAY()", 47
    wb.save(path)


def test_sync_changes_no_cell_it_does_not_own(demo_xlsx, settings, today):
    path = demo_xlsx(80)
    add_user_content(path)
    before = all_cells(path)
    api.sync_workbook(settings.replace(workbook=path), today, backend=XlsxBackend(path))
    after = all_cells(path)
    owned = owned_cells(path, settings)
    owned_tabs = {settings.tab_title(k) for k in schema.OWNED_TABS}
    id_col = 1
    for key, value in before.items():
        tab, row, col = key
        if tab in owned_tabs or (tab, col) in owned:
            continue
        assert after.get(key) == value, key
    for key in after.keys() - before.keys():
        tab, row, col = key
        assert tab in owned_tabs or (tab, col) in owned or (tab == "Candidates" and col == id_col), key
    wb = openpyxl.load_workbook(path)
    assert wb["Candidates"]["B2"].font.bold
    assert wb["Team notes"]["B1"].value == "=TODAY()"
    sheets = pd.read_excel(path, sheet_name=None)
    assert {"Candidates", "Positions", "Pipeline", "Summary", "Circle-backs", "Issues", "Team notes"} <= set(sheets)


@pytest.mark.parametrize("lock_name", ["~$demo.xlsx", ".~lock.demo.xlsx#"])
def test_refuses_to_write_while_open_in_excel_or_libreoffice(demo_xlsx, settings, today, lock_name):
    path = demo_xlsx(30)
    (path.parent / lock_name).write_text("someone")
    before = path.read_bytes()
    with pytest.raises(WorkbookLockedError, match="open in Excel or LibreOffice"):
        api.sync_workbook(settings.replace(workbook=path), today, backend=XlsxBackend(path))
    assert path.read_bytes() == before


def test_refuses_to_write_when_modified_since_read(demo_xlsx):
    path = demo_xlsx(30)
    backend = XlsxBackend(path)
    snapshot = backend.read()
    wb = openpyxl.load_workbook(path)
    wb["Candidates"]["N2"] = "a recruiter typed this meanwhile"
    wb.save(path)
    edited = path.read_bytes()
    with pytest.raises(ConflictError, match="modified since it was read"):
        backend.write(snapshot, Changes(cells=[CellUpdate("Candidates", 2, 18, "x")]))
    assert path.read_bytes() == edited


def test_failed_rename_mid_save_leaves_old_file_intact(demo_xlsx, monkeypatch):
    path = demo_xlsx(30)
    before = path.read_bytes()
    backend = XlsxBackend(path)
    snapshot = backend.read()

    def crash(*args, **kwargs):
        raise OSError(5, "simulated crash during rename")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(BackendError, match="old file is unchanged"):
        backend.write(snapshot, Changes(cells=[CellUpdate("Candidates", 2, 18, "x")]))
    assert path.read_bytes() == before
    # no temp file left behind (the write lock's file stays, empty, for the next writer)
    assert [p.name for p in path.parent.iterdir() if not p.name.endswith(".sheetcrm-lock")] == [path.name]


def test_text_that_looks_like_a_formula_is_stored_as_text(demo_xlsx):
    path = demo_xlsx(10)
    backend = XlsxBackend(path)
    backend.write(backend.read(), Changes(cells=[CellUpdate("Candidates", 2, 18, "=HYPERLINK(\"x\")")]))
    cell = openpyxl.load_workbook(path)["Candidates"].cell(2, 18)
    assert (cell.value, cell.data_type) == ('=HYPERLINK("x")', "s")


def test_init_refuses_to_overwrite_without_force(demo_xlsx, settings, today):
    path = demo_xlsx(10)
    before = path.read_bytes()
    with pytest.raises(BackendError, match="--force"):
        api.init_workbook(settings, today, demo=5, backend=XlsxBackend(path))
    assert path.read_bytes() == before
    api.init_workbook(settings, today, demo=5, force=True, backend=XlsxBackend(path))
    assert path.read_bytes() != before


def test_created_workbook_has_dropdowns_frozen_headers_and_highlighting(demo_xlsx):
    wb = openpyxl.load_workbook(demo_xlsx(10))
    cands = wb["Candidates"]
    assert cands.freeze_panes == "A2"
    lists = {dv.formula1 for dv in cands.data_validations.dataValidation}
    assert '"active,passive"' in lists and '"yes,no"' in lists
    pipe_lists = {dv.formula1 for dv in wb["Pipeline"].data_validations.dataValidation}
    assert '"open,hired,rejected,declined,ghosted"' in pipe_lists
    assert '"open,on_hold,filled,closed"' in {dv.formula1 for dv in wb["Positions"].data_validations.dataValidation}
    formulas = [r.formula for rng in cands.conditional_formatting for r in rng.rules]
    from openpyxl.utils import get_column_letter
    issues_col = get_column_letter(schema.CANDIDATES_TAB.names.index("row_issues") + 1)
    assert any(f"LEN(${issues_col}2)>0" in f[0] for f in formulas)  # rows with row_issues
    assert any('="due"' in f[0] for f in formulas)


def test_missing_or_broken_workbook_is_a_clear_error(tmp_path):
    with pytest.raises(Exception, match="does not exist; create it"):
        XlsxBackend(tmp_path / "none.xlsx").read()
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip")
    with pytest.raises(BackendError, match="cannot be opened"):
        XlsxBackend(bad).read()


def test_init_stores_formula_looking_text_as_text(tmp_path, settings, today):
    from sheetcrm.workbook.layout import workbook_layout
    from tests.conftest import rows_for
    path = tmp_path / "w.xlsx"
    data = {"candidates": rows_for("candidates", [{"candidate_id": "C-1", "name": "=cmd|' /C calc'!A0"}])}
    XlsxBackend(path).create(workbook_layout(settings, data))
    cell = openpyxl.load_workbook(path)["Candidates"]["B2"]
    assert (cell.value, cell.data_type) == ("=cmd|' /C calc'!A0", "s")


def test_a_cell_calamine_cannot_read_falls_back_to_openpyxl(demo_xlsx):
    """A huge number typed into a date-formatted cell makes python-calamine panic."""
    path = demo_xlsx(10)
    wb = openpyxl.load_workbook(path)
    cell = wb["Candidates"]["J2"]  # available_from, a date column
    cell.value, cell.number_format = 1e15, "yyyy-mm-dd"
    wb.save(path)
    snapshot = XlsxBackend(path).read()
    assert snapshot.tabs["Candidates"].cell(2, 10) == 1e15


@pytest.mark.parametrize("enabled", [True, False])
def test_a_read_pauses_the_cycle_collector_and_restores_it(demo_xlsx, tmp_path, monkeypatch, enabled):
    """Reading runs with the cycle collector paused (issue 20: it made a resync's read
    slower than the first) and leaves it as it found it, also when the read fails."""
    import gc

    from sheetcrm.workbook.backends import xlsx as xlsx_mod

    seen = []
    real = xlsx_mod._read_calamine
    monkeypatch.setattr(xlsx_mod, "_read_calamine", lambda path: seen.append(gc.isenabled()) or real(path))
    path = demo_xlsx(5)
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a zip")
    (gc.enable if enabled else gc.disable)()
    try:
        assert XlsxBackend(path).read().tabs["Candidates"].values
        assert gc.isenabled() is enabled
        with pytest.raises(BackendError, match="cannot be opened"):
            XlsxBackend(bad).read()
        assert gc.isenabled() is enabled
    finally:
        gc.enable()
    assert seen and not any(seen)


def _reference_cells(rows):
    """The read's cells as they were made before issue 20's shared cells: row by row, a new object each."""
    from sheetcrm.workbook.backends.xlsx import _cell_value

    return [[_cell_value(v) for v in r] for r in rows]


@pytest.mark.parametrize("seed", range(200))
def test_the_reads_shared_cells_are_the_cells_made_one_by_one(seed):
    """_cells (equal texts and days of a tab as one object) gives every cell the value
    and type the plain conversion gives, on random rows of what calamine returns;
    and equal texts, and equal days, are one object."""
    import datetime as dt
    import random

    from sheetcrm.workbook.backends.xlsx import _cells

    rnd = random.Random(seed)
    pool = ["", "x", "X", "x ", "1", "True", "2026-01-02", "Ünïcode", 1.0, 2.5, -0.0, float("nan"), 0, 1, 3, True, False,
            1e300, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30), dt.time(9, 30),
            dt.timedelta(days=1)]
    rows = [[rnd.choice(pool) if rnd.random() < 0.8 else "".join(rnd.choice("ab ") for _ in range(rnd.randint(0, 3)))
             for _ in range(rnd.randint(0, 6))] for _ in range(rnd.randint(0, 30))]
    # calamine makes a new object per cell: so do these (equal texts, distinct objects)
    rows = [[("".join((v, "")) if type(v) is str else v) for v in r] for r in rows]  # noqa: FLY002 (a copy)
    want = _reference_cells(rows)
    got = _cells([list(r) for r in rows])
    assert [[(type(v), repr(v)) for v in r] for r in got] == [[(type(v), repr(v)) for v in r] for r in want]
    shared = [v for r in got for v in r if type(v) in (str, dt.date)]
    assert len({id(v) for v in shared}) == len({(type(v), v) for v in shared})


def _plain_read(path):
    """The calamine read as it was before iter_rows (issue 20): every tab whole through
    to_python(skip_empty_area=False), then converted one cell at a time."""
    import python_calamine

    from sheetcrm.workbook.backends.xlsx import _trim

    wb = python_calamine.CalamineWorkbook.from_path(str(path))
    return {name: _trim(_reference_cells(wb.get_sheet_by_name(name).to_python(skip_empty_area=False)))
            for name in wb.sheet_names}


@pytest.mark.parametrize("seed", range(40))
def test_the_read_row_by_row_gives_the_cells_of_the_whole_tab_read(seed, tmp_path):
    """_read_calamine (rows taken from calamine one at a time for a tab starting at A1)
    gives every tab, row and cell, with its type, that the whole-tab read gave, on random
    workbooks: tabs starting at A1 or further in, empty tabs and rows, trailing blanks,
    texts, numbers, days, times, booleans."""
    import datetime as dt
    import random

    from sheetcrm.workbook.backends.xlsx import _read_calamine

    rnd = random.Random(seed)
    pool = ["x", "X", "x ", " ", "1", "True", "Ünïcode", "=1+1", 1, 2.5, -0.0, 3.0, 10**15, 1e300, True, False,
            dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30), dt.time(9, 30), None, None, None]
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for t in range(rnd.randint(1, 4)):
        ws = wb.create_sheet(f"T{t}")
        top, left = (0, 0) if rnd.random() < 0.7 else (rnd.randint(0, 3), rnd.randint(0, 3))
        for r in range(rnd.randint(0, 40)):
            for c in range(rnd.randint(0, 8)):
                value = rnd.choice(pool)
                if value is not None:
                    cell = ws.cell(top + r + 1, left + c + 1, value)
                    if value == "=1+1":
                        cell.data_type = "s"  # a text that looks like a formula, not a formula
    path = tmp_path / "r.xlsx"
    wb.save(path)
    want = _plain_read(path)
    got = {name: sheet.values for name, sheet in _read_calamine(path).items()}
    assert list(got) == list(want)
    for name in want:
        assert [[(type(v), repr(v)) for v in r] for r in got[name]] == [[(type(v), repr(v)) for v in r] for r in want[name]]


def test_a_save_in_place_while_sheetcrm_writes_is_a_conflict_not_a_damaged_file(demo_xlsx, today, monkeypatch):
    """A person's save that overwrites the workbook in place while sheetcrm reads its
    parts made the write fail as "a damaged zip; restore it from a backup": restoring
    would lose what they typed. It is the conflict it is, and their bytes stay."""
    from click.testing import CliRunner

    from sheetcrm.cli import cli
    from sheetcrm.workbook.backends import xlsx_patch

    path = demo_xlsx(30)
    wb = openpyxl.load_workbook(path)
    wb["Candidates"]["N2"] = "a recruiter typed this meanwhile"
    theirs = path.with_name("theirs.xlsx")
    wb.save(theirs)
    saved = theirs.read_bytes()
    edit_rows = xlsx_patch._edit_rows

    def save_in_place(*args, **kwargs):  # between sheetcrm's read and its write, deterministically
        if path.read_bytes() != saved:
            with open(path, "r+b") as fh:  # in place: the same inode sheetcrm has open
                fh.write(saved)
                fh.truncate()
        return edit_rows(*args, **kwargs)

    monkeypatch.setattr(xlsx_patch, "_edit_rows", save_in_place)
    result = CliRunner().invoke(cli, ["--workbook", str(path), "sync", "--today", today.isoformat()])
    assert result.exit_code == 1, result.output
    assert "modified since it was read" in result.output, result.output
    assert "damaged" not in result.output and "backup" not in result.output
    assert path.read_bytes() == saved
