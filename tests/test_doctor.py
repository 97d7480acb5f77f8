"""`sheetcrm doctor` over hand-made workbooks and stand-in sheets: one line per finding,
exit 1 when something blocks a sync, never a person's cell in a message."""
import datetime as dt
import json

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.worksheet.table import Table

from sheetcrm import api
from sheetcrm.cli import cli
from sheetcrm.config import Settings

TODAY = dt.date(2026, 11, 22)
SECRET = "Zelda Quixote"  # a person's name: never in doctor's output


def _base(tmp_path):
    path = tmp_path / "w.xlsx"
    api.init_workbook(Settings(workbook=path), TODAY, demo=12)
    wb = openpyxl.load_workbook(path)
    wb["Candidates"]["B2"] = SECRET
    wb.save(path)
    return path


def _edit(fn):
    def setup(path):
        wb = openpyxl.load_workbook(path)
        fn(wb)
        wb.save(path)
    return setup


def _owned_col(ws, name):
    return next(c.column for c in ws[1] if c.value == name)


def _serial_date(wb):
    cell = wb["Pipeline"]["C2"]
    cell.value, cell.number_format = 46343, "General"


def _chart_sheet(wb):
    from openpyxl.chart import BarChart, Reference

    chart = BarChart()
    chart.add_data(Reference(wb["Pipeline"], min_col=4, min_row=2, max_row=6))
    wb.create_chartsheet("Board").add_chart(chart)


XLSX_CASES = [
    ("healthy", lambda p: None, {}, None, None),
    ("missing tab", _edit(lambda wb: wb.remove(wb["Positions"])), {}, "blocker", "tabs: Positions"),
    ("renamed header lookalike", _edit(lambda wb: wb["Pipeline"].__setitem__("B1", "positon_id")), {},
     "blocker", "headers: Pipeline"),
    ("their own header names", _edit(lambda wb: (wb["Candidates"].__setitem__("A1", "Candidate ID"),
                                                  wb["Candidates"].__setitem__("M1", "DNC"))), {}, "ok",
     "A=candidate_id B=name"),
    ("foreign Summary", _edit(lambda wb: wb["Summary"].__setitem__("A1", "Our own board")), {}, "blocker",
     "owned: Summary"),
    ("filter short of owned columns", _edit(lambda wb: setattr(wb["Candidates"].auto_filter, "ref", "A1:N13")), {},
     "warning", "filter: Candidates"),
    ("table short of owned columns", _edit(lambda wb: wb["Pipeline"].add_table(Table(displayName="Calls", ref="A1:J13"))),
     {}, "warning", "table 'Calls'"),
    ("phones as numbers", _edit(lambda wb: wb["Candidates"].__setitem__("D3", 447700900123)), {}, "warning",
     "formats: Candidates column D (phone)"),
    ("dates as serials", _edit(_serial_date), {}, "warning",
     "formats: Pipeline column C (first_contacted)"),
    ("chart-only tab", _edit(_chart_sheet), {}, "note", "chart: Board"),
    ("config names a missing tab", lambda p: None, {"tabs": {**Settings().tabs, "candidates": "People"}}, "blocker",
     "tabs: People"),
    ("two keys one title", lambda p: None, {"tabs": {**Settings().tabs, "issues": "Summary"}}, "blocker",
     "config: tabs.issues and tabs.summary"),
    ("Excel sheet protection", _edit(lambda wb: setattr(wb["Candidates"].protection, "sheet", True)), {}, "note",
     "protection: Candidates"),
    ("missing owned tab", _edit(lambda wb: wb.remove(wb["Issues"])), {}, "note", "owned: Issues: not there yet"),
]


@pytest.mark.parametrize("name, setup, settings_changes, level, text", XLSX_CASES, ids=[c[0] for c in XLSX_CASES])
def test_doctor_on_hand_made_workbooks(name, setup, settings_changes, level, text, tmp_path):
    path = _base(tmp_path)
    setup(path)
    settings = Settings(workbook=path).replace(**settings_changes)
    report = api.doctor(settings)
    lines = report.lines()
    assert all("\n" not in line and SECRET not in line for line in lines)
    if level is None:
        assert not report.blocks_sync and not [f for f in report.findings if f.level in ("warning", "blocker")], lines
        return
    hits = [f for f in report.findings if text in f.line()]
    assert hits and hits[0].level == level, lines
    assert report.blocks_sync == (level == "blocker")


def test_doctor_command_exit_codes_and_json(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = _base(tmp_path)
    ok = CliRunner().invoke(cli, ["doctor", "--workbook", str(path)])
    assert ok.exit_code == 0 and ok.output.splitlines()[1].startswith("ok")
    _edit(lambda wb: wb.remove(wb["Pipeline"]))(path)
    bad = CliRunner().invoke(cli, ["doctor", "--workbook", str(path), "--format", "json"])
    assert bad.exit_code == 1
    rows = json.loads(bad.output)
    assert {"level", "check", "where", "message"} == set(rows[0]) and any(r["level"] == "blocker" for r in rows)


def test_doctor_on_a_missing_workbook_is_a_blocker_not_a_crash(tmp_path):
    report = api.doctor(Settings(workbook=tmp_path / "nope.xlsx"))
    assert report.blocks_sync and "does not exist" in report.lines()[-1]


# -- Google: the stand-in --------------------------------------------------------------------------
def _protect_owned(book):
    book.tab("Candidates").protected.append({"protectedRangeId": 5, "range": {"sheetId": book.tab("Candidates").sheet_id},
                                             "warningOnly": False, "requestingUserCanEdit": False})


def _huge(book):
    book.tab("Candidates").row_count = 340_000


GOOGLE_CASES = [
    ("healthy", lambda b: b.properties.update(locale="en_GB"), {}, None, None),
    ("phones as numbers", lambda b: b.tab("Candidates").put(2, 3, 447700900123), {}, "warning", "formats: Candidates"),
    ("en_US with dmy", lambda b: None, {}, "warning", "locale: the sheet's locale is en_US"),
    ("en_GB with mdy", lambda b: b.properties.update(locale="en_GB"), {"date_order": "mdy"}, "warning", "locale"),
    ("protection excluding the account", _protect_owned, {}, "blocker", "protection: Candidates"),
    ("filter short of owned columns",
     lambda b: setattr(b.tab("Candidates"), "basic_filter", {"range": {"startColumnIndex": 0, "endColumnIndex": 14}}),
     {}, "warning", "filter: Candidates"),
    ("near the cell limit", _huge, {}, "warning", "room"),
    ("chart-only tab", lambda b: (b.tabs.append(__import__("tests.standin.model", fromlist=["Tab"]).Tab(99, "Board")),
                                  setattr(b.tabs[-1], "sheet_type", "OBJECT")), {}, "note", "chart: Board"),
    ("foreign Issues tab", lambda b: b.tab("Issues").put(0, 0, "our list"), {}, "blocker", "owned: Issues"),
]


@pytest.mark.parametrize("name, setup, settings_changes, level, text", GOOGLE_CASES, ids=[c[0] for c in GOOGLE_CASES])
def test_doctor_on_stand_in_sheets(name, setup, settings_changes, level, text, gsheet, google):
    key, backend = gsheet()
    settings = Settings(backend="gsheets", sheet_key=key).replace(**settings_changes)
    api.init_workbook(settings, TODAY, demo=8, backend=backend, force=True)
    setup(google.book(key))
    report = api.doctor(settings, backend=backend)
    lines = report.lines()
    if level is None:
        assert not [f for f in report.findings if f.level in ("warning", "blocker")], lines
        assert any(f.check == "room" and f.level == "ok" for f in report.findings)
        return
    hits = [f for f in report.findings if text in f.line()]
    assert hits and hits[0].level == level, lines


def test_doctor_without_google_credentials_says_so(tmp_path, monkeypatch):
    monkeypatch.delenv("SHEETCRM_CREDENTIALS", raising=False)
    report = api.doctor(Settings(backend="gsheets", sheet_key="k"))
    assert report.blocks_sync and report.findings[-1].check == "credentials"
