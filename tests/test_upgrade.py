"""`sheetcrm init --upgrade` over hand-made workbooks: adds what is missing, changes no
person's cell (compared cell for cell: value, type and number format), twice = once."""
import datetime as dt

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.comments import Comment
from openpyxl.worksheet.datavalidation import DataValidation

from sheetcrm import api, schema
from sheetcrm.cli import cli
from sheetcrm.config import Settings

TODAY = dt.date(2026, 11, 22)
CANDIDATES = ["candidate_id", "name", "email", "phone", "contact_every", "last_contacted", "do_not_contact"]
PEOPLE = [["C-00001", "Ada Example", "ada@example.com", "+44 7700 900001", "monthly", dt.datetime(2026, 5, 1), "no"],
          ["C-00002", "Bo Example", "bo@example.com", "+44 7700 900002", "quarterly", dt.datetime(2026, 3, 2), "x"]]
POSITIONS = [["position_id", "title", "status"], ["P-001", "Android engineer", "open"]]
PIPELINE = [["candidate_id", "position_id", "outcome", "rejection_reason", "decided_on"],
            ["C-00001", "P-001", "rejected", "salary too low", dt.datetime(2026, 4, 1)]]


def _book(path, tabs):
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, rows in tabs.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    return wb


def _standard(wb):
    return wb


def _team_columns(wb):
    ws = wb["Candidates"]
    ws["I1"], ws["I2"], ws["K3"] = "team notes", "call after 5", "unlabelled but someone's"
    ws["J2"] = "=LEN(B2)"


def _renamed(wb):
    wb["Candidates"]["A1"], wb["Candidates"]["G1"] = "Candidate ID", "DNC"


def _short_filter(wb):
    wb["Candidates"].auto_filter.ref = "A1:G3"


def _own_dropdown(wb):
    dv = DataValidation(type="list", formula1='"yes,no,maybe"')
    dv.add("G2:G50")
    wb["Candidates"].add_data_validation(dv)


def _foreign_summary(wb):
    wb.create_sheet("Summary")["A1"] = "our own board"


def _serial_dates(wb):
    cell = wb["Pipeline"]["E2"]
    cell.value, cell.number_format = 46343, "General"


def _numeric_phone(wb):
    wb["Candidates"]["D3"] = 447700900002


def _comment_and_merge(wb):
    wb["Candidates"]["B2"].comment = Comment("met at the meetup", "recruiter")
    wb["Positions"]["E1"] = "notes"
    wb["Positions"]["E2"] = "merged"
    wb["Positions"].merge_cells("E2:F2")


def _no_pipeline(wb):
    wb.remove(wb["Pipeline"])


def _styled(wb):
    wb["Candidates"]["B2"].font = openpyxl.styles.Font(italic=True, name="Georgia")
    wb["Candidates"]["F2"].number_format = "dd/mm/yyyy"


def _renamed_tab(wb):
    wb["Candidates"].title = "People"


SETUPS = [
    ("standard three tabs", _standard, {}),
    ("team columns and unlabelled data", _team_columns, {}),
    ("renamed headers", _renamed, {}),
    ("filter short of owned columns", _short_filter, {}),
    ("their own dropdown", _own_dropdown, {}),
    ("foreign Summary", _foreign_summary, {}),
    ("dates as serials", _serial_dates, {}),
    ("phone as number", _numeric_phone, {}),
    ("comment and merged cells", _comment_and_merge, {}),
    ("no Pipeline tab", _no_pipeline, {}),
    ("cell styles of their own", _styled, {}),
    ("configured tab title", _renamed_tab, {"candidates": "People"}),
]


def _cells(path):
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.row, c.column): (c.value, c.data_type, c.number_format, c.font.name, c.font.i)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}


@pytest.mark.parametrize("name, setup, titles", SETUPS, ids=[s[0] for s in SETUPS])
def test_upgrade_adds_what_is_missing_and_changes_no_persons_cell(name, setup, titles, tmp_path):
    path = tmp_path / "theirs.xlsx"
    wb = _book(path, {"Candidates": [CANDIDATES, *PEOPLE], "Positions": POSITIONS, "Pipeline": PIPELINE})
    setup(wb)
    wb.save(path)
    settings = Settings(workbook=path, tabs={**schema.DEFAULT_TAB_TITLES, **titles})
    before = _cells(path)
    result = api.upgrade_workbook(settings)
    after = _cells(path)
    changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
    assert not changed, changed
    new = [k for k in after if k not in before]
    owned = {c.name for t in schema.INPUT_TAB_SCHEMAS.values() for c in t.owned_columns}
    kept_tabs = {k[0] for k in before}
    assert all(k[0] not in kept_tabs or (k[1] == 1 and after[k][0] in owned) for k in new), new
    assert result.added
    assert api.upgrade_workbook(settings).added == []  # twice = once
    wb = openpyxl.load_workbook(path)
    cands = wb[settings.tab_title(schema.CANDIDATES)]
    assert cands.freeze_panes == "A2"
    header = [c.value for c in cands[1]]
    assert {"rejection_class", "circle_back_status", "row_issues"} <= set(header)
    ranges = [(dv.formula1, max(r.max_row for r in dv.sqref.ranges)) for dv in cands.data_validations.dataValidation]
    if name == "their own dropdown":  # kept as they made it, not stacked over
        assert ranges == [('"yes,no,maybe"', 50)]
    else:
        assert max(rows for _, rows in ranges) > 100_000
    if name == "foreign Summary":
        assert any("left alone" in line for line in result.lines()) and wb["Summary"]["A1"].value == "our own board"
    if name == "filter short of owned columns":
        assert cands.auto_filter.ref.startswith("A1:") and cands.auto_filter.ref != "A1:G3"
    if name == "team columns and unlabelled data":
        assert header.index("rejection_class") + 1 > 11  # after the last column holding any value (K)


def test_sync_works_after_an_upgrade(tmp_path):
    path = tmp_path / "theirs.xlsx"
    _book(path, {"Candidates": [CANDIDATES, *PEOPLE], "Positions": POSITIONS, "Pipeline": PIPELINE}).save(path)
    settings = Settings(workbook=path)
    api.upgrade_workbook(settings)
    report = api.sync_workbook(settings, TODAY)
    assert "rewrote Summary" in " ".join(report.lines())


def test_init_upgrade_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "theirs.xlsx"
    _book(path, {"Candidates": [CANDIDATES, *PEOPLE], "Positions": POSITIONS, "Pipeline": PIPELINE}).save(path)
    result = CliRunner().invoke(cli, ["init", "--upgrade", "--workbook", str(path)])
    assert result.exit_code == 0 and "no person's cell was changed" in result.output
    again = CliRunner().invoke(cli, ["init", "--upgrade", "--workbook", str(path)])
    assert again.exit_code == 0 and "nothing to add" in again.output
    assert CliRunner().invoke(cli, ["init", "--upgrade", "--force", "--workbook", str(path)]).exit_code == 2
