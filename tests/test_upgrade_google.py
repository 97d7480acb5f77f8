"""`sheetcrm init --upgrade` on stand-in Google Sheets: adds only what is missing (one
:batchUpdate, one values write), changes no person's cell (every value and formula of
every tab compared before/after), twice = once."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from click.testing import CliRunner

from sheetcrm import api, schema
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.errors import SchemaError
from sheetcrm.workbook import upgrade_google
from sheetcrm.workbook.upgrade_columns import last_used_column, plan_columns

from test_gsheets import _service_account_env

TODAY = dt.date(2026, 11, 22)
CANDIDATES = ["candidate_id", "name", "email", "phone", "contact_every", "last_contacted", "do_not_contact"]
PEOPLE = [["C-00001", "Ada Example", "ada@example.com", "+44 7700 900001", "monthly", dt.date(2026, 5, 1), "no"],
          ["C-00002", "Bo Example", "bo@example.com", "+44 7700 900002", "quarterly", dt.date(2026, 3, 2), "x"]]
POSITIONS = [["position_id", "title", "status"], ["P-001", "Android engineer", "open"]]
PIPELINE = [["candidate_id", "position_id", "outcome", "rejection_reason", "decided_on"],
            ["C-00001", "P-001", "rejected", "salary too low", dt.date(2026, 4, 1)]]
OWNED = {c.name for t in schema.INPUT_TAB_SCHEMAS.values() for c in t.owned_columns}


def _tabs():
    return {"Candidates": [list(CANDIDATES), *map(list, PEOPLE)], "Positions": [list(r) for r in POSITIONS],
            "Pipeline": [list(r) for r in PIPELINE]}


# -- the setups: what people's sheets look like -------------------------------------------
def _standard(book, backend, settings):
    pass


def _no_pipeline(book, backend, settings):
    book.tabs.remove(book.tab("Pipeline"))


def _renamed_headers(book, backend, settings):
    tab = book.tab("Candidates")
    tab.grid[0][0], tab.grid[0][6], tab.grid[0][3] = "Candidate ID", "DNC", "Mobile"  # Mobile: a configured alias


def _foreign_summary(book, backend, settings):
    book.tabs.append(_tab(book, "Summary", [["our own board"], ["Q1", 3]]))


def _team_columns(book, backend, settings):
    tab = book.tab("Candidates")
    tab.put(0, 8, "team notes")
    tab.put(1, 8, "call after 5")
    tab.put(2, 10, "unlabelled but someone's")  # K3: a blank header, a person's value
    tab.put(1, 9, 11, formula="=LEN(B2)")  # J2


def _narrow_filter(book, backend, settings):
    tab = book.tab("Candidates")
    tab.basic_filter = {"range": {"sheetId": tab.sheet_id, "startRowIndex": 0, "endRowIndex": 3, "startColumnIndex": 0,
                                  "endColumnIndex": 7},
                        "filterSpecs": [{"columnIndex": 4, "filterCriteria": {"hiddenValues": ["quarterly"]}}]}


def _their_protections(book, backend, settings):
    tab = book.tab("Candidates")
    tab.protected += [{"protectedRangeId": 11, "range": {"sheetId": tab.sheet_id, "startColumnIndex": 0,
                                                         "endColumnIndex": 1}, "warningOnly": False,
                       "requestingUserCanEdit": True, "description": "ids: ask Kim"}]


def _formulas(book, backend, settings):
    tab = book.tab("Candidates")
    tab.put(3, 0, "C-00003")
    tab.put(3, 1, "Cy Example", formula='=PROPER("cy example")')
    tab.put(3, 6, "no", formula='=IF(A4="","","no")')
    book.tab("Pipeline").put(1, 5, 1, formula="=ROWS(A2)")  # a team column with a formula and no header


def _no_spare_columns(book, backend, settings):
    for tab in book.tabs:
        tab.col_count = max(len(r) for r in tab.grid)


def _already_upgraded(book, backend, settings):
    upgrade_google.upgrade(backend, settings)


def _their_dropdown(book, backend, settings):
    tab = book.tab("Candidates")
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": v} for v in ("yes", "no", "maybe")]}}
    tab.validations.append(((1, 6, 50, 7), rule))


def _empty_issues_and_ours(book, backend, settings):
    book.tabs.append(_tab(book, "Issues", []))
    book.tabs.append(_tab(book, "Circle-backs", [list(schema.CIRCLE_BACK_HEADER)]))


def _chart_only_circle_backs(book, backend, settings):
    tab = _tab(book, "Circle-backs", [])
    tab.sheet_type = "OBJECT"
    book.tabs.append(tab)


def _formatted_and_frozen(book, backend, settings):
    tab = book.tab("Candidates")
    tab.frozen_rows = 2
    tab.number_formats.append(((0, 5, tab.row_count, 6), {"type": "DATE", "pattern": "dd/mm/yyyy"}))
    tab.number_formats.append(((0, 3, tab.row_count, 4), {"type": "TEXT"}))
    tab.put(2, 3, 447700900002)  # a phone stored as a number before the column was text


def _empty_positions(book, backend, settings):
    book.tab("Positions").grid = []


def _configured_title(book, backend, settings):
    book.tab("Candidates").title = "People"


def _tab(book, title, rows):
    from tests.standin.model import Tab

    tab = Tab(9000 + len(book.tabs), title)
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            tab.put(r, c, v)
    return tab


SETUPS = [
    ("standard three tabs", _standard, {}),
    ("missing Pipeline tab", _no_pipeline, {}),
    ("renamed and aliased headers", _renamed_headers, {}),
    ("foreign tab named Summary", _foreign_summary, {}),
    ("team columns, blank header cells", _team_columns, {}),
    ("filter too narrow", _narrow_filter, {}),
    ("their protections", _their_protections, {}),
    ("formulas in person cells", _formulas, {}),
    ("grid with no spare columns", _no_spare_columns, {}),
    ("already upgraded", _already_upgraded, {}),
    ("their own dropdown", _their_dropdown, {}),
    ("empty Issues, Circle-backs ours", _empty_issues_and_ours, {}),
    ("chart-only tab titled Circle-backs", _chart_only_circle_backs, {}),
    ("formatted and frozen already", _formatted_and_frozen, {}),
    ("configured tab title", _configured_title, {"candidates": "People"}),
    ("empty Positions tab", _empty_positions, {}),
]


def cells(google, key):
    """Every value and formula of every tab, by (tab, row, column), 0-based."""
    out = {}
    for tab in google.book(key).tabs:
        for r, row in enumerate(tab.grid):
            for c, v in enumerate(row):
                if v is not None or (r, c) in tab.formulas:
                    out[(tab.title, r, c)] = (v, tab.formulas.get((r, c)))
    return out


def _recording(backend):
    sent = []
    real = backend._http.batch_update

    def record(key, body):
        sent.append(body)
        return real(key, body)

    backend._http.batch_update = record
    return sent


@pytest.mark.parametrize("name, setup, titles", SETUPS, ids=[s[0] for s in SETUPS])
def test_upgrade_adds_only_what_is_missing_and_changes_no_persons_cell(name, setup, titles, gsheet, google):
    key, backend = gsheet(_tabs())
    book = google.book(key)
    settings = Settings(tabs={**schema.DEFAULT_TAB_TITLES, **titles},
                        header_aliases={"candidates": {"mobile": "phone"}})
    setup(book, backend, settings)
    before, rows_before = cells(google, key), {t.title: t.row_count for t in book.tabs}
    sent = _recording(backend)
    result = upgrade_google.upgrade(backend, settings)
    after = cells(google, key)

    changed = {k: (v, after.get(k)) for k, v in before.items() if after.get(k) != v}
    assert not changed, changed
    kept = {k[0] for k in before}
    new = [k for k in after if k not in before]
    assert all(k[0] not in kept or (k[1] == 0 and after[k][0] in OWNED) for k in new), new
    assert {t.title: t.row_count for t in book.tabs if t.title in rows_before} == rows_before  # no rowCount sent
    assert "rowCount" not in json.dumps(sent).replace('"rowCount": 1000', "")  # only new tabs get a size
    if name == "already upgraded":
        assert result.added == [] and "nothing to add" in result.lines()[0]
        assert backend.request_log.count("batchUpdate") == 0 and "values:batchUpdate" not in backend.request_log
    else:
        assert result.added and backend.request_log.count("batchUpdate") == 1
        assert backend.request_log.count("values:batchUpdate") <= 1
    _check_structure(name, book, settings, result)
    again = upgrade_google.upgrade(backend, settings)  # twice = once
    assert again.added == [] and "nothing to add" in again.lines()[0], again.added
    assert cells(google, key) == after
    if name in ("foreign tab named Summary", "chart-only tab titled Circle-backs"):
        with pytest.raises(SchemaError, match="team's own"):  # sync, too, leaves the team's tab alone
            api.sync_workbook(settings, TODAY, backend=backend)
        return
    api.sync_workbook(settings, TODAY, backend=backend)  # sync finds sheetcrm's columns where upgrade put them
    people = {settings.tab_title(k) for k in schema.INPUT_TABS}
    assert {k: v for k, v in cells(google, key).items() if k in before and k[0] in people} == \
        {k: v for k, v in before.items() if k[0] in people}


def _check_structure(name, book, settings, result):
    tab = book.tab(settings.tab_title(schema.CANDIDATES))
    header = [tab.get(0, c) for c in range(tab.col_count)]
    col = {schema.header_key(h): i for i, h in enumerate(header) if h is not None}
    assert {"rejection_class", "next_circle_back", "circle_back_status", "row_issues"} <= set(col)
    assert tab.frozen_rows >= 1
    dropdowns = [(b, rule["condition"]["values"]) for b, rule in tab.validations]
    if name == "their own dropdown":  # kept as they made it, not stacked over
        assert [b for b, _ in dropdowns if b[1] == 6] == [(1, 6, 50, 7)]
    else:  # the whole column, not 2,000 rows
        assert any(b == (1, col.get("do_not_contact", 6), tab.row_count, col.get("do_not_contact", 6) + 1)
                   for b, _ in dropdowns)
    formats = {b[1]: f["type"] for b, f in tab.number_formats}
    assert formats[col["next_circle_back"]] == "DATE" and formats[0] == "TEXT"
    assert formats[3] == "TEXT" and formats[5] == "DATE"
    formulas = {v["userEnteredValue"] for r in tab.conditional for v in r["booleanRule"]["condition"]["values"]}
    assert f"=LEN(${_letter(col['row_issues'])}2)>0" in formulas
    assert all(not r["ranges"][0].get("endRowIndex") for r in tab.conditional)
    warn = [(p["range"].get("startColumnIndex"), p["warningOnly"]) for p in tab.protected]
    assert {(col[n], True) for n in ("rejection_class", "circle_back_status", "row_issues")} <= set(warn)
    marked = {(m["location"]["dimensionRange"]["sheetId"], m["metadataValue"]): m["location"]["dimensionRange"]["startIndex"]
              for m in book.developer_metadata if m["metadataKey"] == "sheetcrm.column"}
    assert {(tab.sheet_id, n): col[n] for n in ("candidate_id", "rejection_class", "row_issues")}.items() <= marked.items()
    tabs_marked = {m["metadataValue"]: m["location"]["sheetId"] for m in book.developer_metadata
                   if m["metadataKey"] == "sheetcrm.tab"}
    for key in schema.OWNED_TABS:
        mine = [t for t in book.tabs if t.title == settings.tab_title(key)]
        if mine and not any(line.startswith(f"tab {mine[0].title} left alone") for line in result.lines()):
            assert tabs_marked.get(key) == mine[0].sheet_id, key
    if name == "their protections":
        assert (0, False) in warn
    if name == "filter too narrow":
        rng = tab.basic_filter["range"]
        assert rng["endColumnIndex"] >= col["row_issues"] + 1 and "endRowIndex" not in rng
        assert tab.basic_filter["filterSpecs"][0]["filterCriteria"] == {"hiddenValues": ["quarterly"]}
    if name == "team columns, blank header cells":
        assert col["rejection_class"] == 11  # L: after K3, the last column holding any value
    if name == "grid with no spare columns":  # grown at its end (appendDimension), never cut
        assert tab.col_count == col["row_issues"] + 1
    if name == "foreign tab named Summary":
        assert any("Summary left alone" in line for line in result.lines())
        assert book.tab("Summary").get(0, 0) == "our own board" and not book.tab("Summary").protected
    if name == "missing Pipeline tab":
        pipe = book.tab("Pipeline")
        assert pipe.get(0, 0) == "candidate_id" and pipe.frozen_rows == 1 and pipe.validations
    if name == "empty Issues, Circle-backs ours":
        assert book.tab("Issues").get(0, 0) == "tab" and book.tab("Issues").protected
        assert len(book.tab("Circle-backs").conditional) == 2 and book.tab("Circle-backs").protected
    if name == "empty Positions tab":
        positions = book.tab("Positions")
        assert [positions.get(0, c) for c in range(3)] == ["position_id", "title", "client"] and positions.validations
    if name == "formatted and frozen already":
        assert tab.frozen_rows == 2 and not any("format on last_contacted" in a for a in result.added)


def _letter(col0: int) -> str:
    from sheetcrm.workbook.backends.base import col_letter

    return col_letter(col0 + 1)


def test_a_header_a_person_types_meanwhile_is_kept(gsheet, google):
    key, backend = gsheet(_tabs())
    settings = Settings()
    google.after("batchUpdate", lambda book: book.tab("Candidates").put(0, 7, "their own"))
    result = upgrade_google.upgrade(backend, settings)
    tab = google.book(key).tab("Candidates")
    assert tab.get(0, 7) == "their own" and tab.get(0, 8) == "next_circle_back"
    assert any("typed into meanwhile" in line for line in result.lines())


def test_a_lost_answer_is_one_line_and_a_rerun_finishes(gsheet, google):
    key, backend = gsheet(_tabs())
    google.drop(times=1, on="values:batchUpdate")
    with pytest.raises(Exception) as failed:
        upgrade_google.upgrade(backend, Settings())
    assert "run it again" in str(failed.value) and "\n" not in str(failed.value)
    again = upgrade_google.upgrade(backend, Settings())
    assert any("column H rejection_class" in a for a in again.added) or google.book(key).tab("Candidates").get(0, 7)
    assert upgrade_google.upgrade(backend, Settings()).added == []


@pytest.mark.parametrize("rows, last", [
    ([], 0), ([["a", None, ""]], 1), ([["a"], [None, None, "x"]], 3), ([["a", " "], [None, "=B1"]], 2),
])
def test_last_used_column_counts_any_row(rows, last):
    assert last_used_column(rows) == last


def test_an_empty_tab_gets_the_whole_header():
    plan = plan_columns(schema.POSITIONS, [[None, " "]])
    assert list(plan.added) == schema.INPUT_TAB_SCHEMAS[schema.POSITIONS].names and plan.found == {}


def test_plan_puts_owned_columns_after_the_last_used_column():
    plan = plan_columns(schema.CANDIDATES, [["Candidate ID", "Name", None, "row_issues"], [None, None, None, None, "x"]])
    assert plan.found == {"candidate_id": 1, "name": 2, "row_issues": 4}
    assert plan.added == {"rejection_class": 6, "next_circle_back": 7, "circle_back_status": 8}


def test_init_upgrade_command_on_a_google_sheet(google, tmp_path, monkeypatch):
    key = google.add_book(_tabs())
    _service_account_env(monkeypatch, tmp_path, google)
    first = CliRunner().invoke(cli, ["--sheet", key, "init", "--upgrade"])
    assert first.exit_code == 0, first.output
    assert "no person's cell was changed" in first.output and "Candidates: column H rejection_class" in first.output
    assert "tab Summary with its header" in first.output
    again = CliRunner().invoke(cli, ["--sheet", key, "init", "--upgrade"])
    assert again.exit_code == 0 and "nothing to add" in again.output
    refused = CliRunner().invoke(cli, ["--sheet", key, "init", "--upgrade", "--force"])
    assert refused.exit_code == 2 and "cannot be combined" in refused.output


@pytest.mark.parametrize("table, widened", [(None, True), ("tbl-1", False)])
def test_a_tables_filter_is_named_not_rewritten(table, widened):
    flt = {"range": {"sheetId": 7, "startColumnIndex": 0, "endColumnIndex": 3}, "filterSpecs": []}
    if table:
        flt["tableId"] = table
    found = upgrade_google.Found("Candidates", 7, 1000, 26, 1, True, [], flt, set(), [])
    plan = upgrade_google.Plan()
    upgrade_google._widen_filter(plan, found, [8, 9])
    assert bool(plan.requests) == widened and bool(plan.notes) != widened
