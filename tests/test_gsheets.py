"""The Google Sheets backend against the stand-in Sheets API, over real HTTP through gspread."""
from __future__ import annotations

import datetime as dt
import json
import re
import time

import pytest
from click.testing import CliRunner

from sheetcrm import api, schema
from sheetcrm.workbook.backends.base import CellUpdate, Changes, OwnedTab
from sheetcrm.workbook.backends.gsheets import DATE_FORMAT, GSheetsBackend, load_credentials, to_cell
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.demo import demo_data
from sheetcrm.errors import AuthError, BackendError, ConfigError, NotFoundError
from sheetcrm.workbook.layout import workbook_layout

from conftest import TODAY, make_memory

NOW = dt.datetime(2026, 11, 22, 9, 30)
WRITES = ("values:batchUpdate", "batchUpdate", "values:batchUpdateByDataFilter")


def demo_tabs(settings, today, n=40, seed=7):
    """A workbook as a person would have typed it (no init structure), title -> rows."""
    memory = MemoryBackend()
    memory.create(workbook_layout(settings, demo_data(n, today, seed)))
    return memory.tabs


def input_cells(google, key, settings):
    """Every cell people own: input tabs without sheetcrm's columns."""
    out = {}
    for tab_key in schema.INPUT_TABS:
        title = settings.tab_title(tab_key)
        rows = google.cells(key, title)
        header = [schema.normalise_header(h) for h in rows[0]] if rows else []
        keep = [i for i, h in enumerate(header) if h not in {c.name for c in schema.INPUT_TAB_SCHEMAS[tab_key].owned_columns}]
        out[title] = [[r[i] if i < len(r) else "" for i in keep] for r in rows]
    return out


def same_people_cells(before, after):
    """Only blank candidate_id cells may have been filled (DESIGN §3)."""
    for title, rows in before.items():
        now = after[title]
        assert len(now) == len(rows), title
        for r, (old, new) in enumerate(zip(rows, now)):
            for c, (a, b) in enumerate(zip(old, new)):
                if a != b and not (title == "Candidates" and c == 0 and r > 0 and a in ("", None)):
                    raise AssertionError(f"{title} row {r + 1} column {c + 1}: {a!r} became {b!r}")
    return True


def owned_by_id(google, key, settings):
    """Candidates' owned cells by candidate_id: where each computed value landed."""
    rows = google.cells(key, settings.tab_title(schema.CANDIDATES))
    header = [schema.normalise_header(h) for h in rows[0]]
    idx = {h: i for i, h in enumerate(header)}
    owned = [c.name for c in schema.INPUT_TAB_SCHEMAS[schema.CANDIDATES].owned_columns]
    out = {}
    for r in rows[1:]:
        cell = lambda name: r[idx[name]] if idx[name] < len(r) else ""  # noqa: E731
        out.setdefault(cell("candidate_id"), []).append(tuple(cell(n) for n in owned))
    return out


# -- reading: Google's quirks become plain cells --------------------------------------
def test_read_gives_plain_cells_with_serial_dates(gsheet):
    key, backend = gsheet({"Tab 'one'": [["a", "b", "", ""], ["", 46000, "=1+1"], [], ["x"]], "Empty": []})
    snap = backend.read()
    assert list(snap.tabs) == ["Tab 'one'", "Empty"]
    # Read column by column (issue 20): each row as wide as the tab's cells, blanks as None.
    assert snap.tabs["Tab 'one'"].values == [["a", "b", None], [None, 46000, "=1+1"], [None] * 3, ["x", None, None]]
    assert snap.tabs["Empty"].values == []
    assert backend.request_log == ["get", "values:batchGet"]


@pytest.mark.parametrize("value, sent", [
    (dt.date(2026, 11, 22), 46348), (dt.datetime(2026, 11, 22, 12), 46348.5), (None, ""), ("=SUM(A1)", "=SUM(A1)"),
    (float("nan"), ""), (["P-1", "P-2"], "P-1, P-2"), (True, True), (3, 3),
])
def test_cells_are_sent_as_plain_values(value, sent):
    assert to_cell(value) == sent


def test_text_is_written_raw_never_as_a_formula(gsheet, google):
    key, backend = gsheet({"Candidates": [["candidate_id", "name"], ["C-1", "Ann"]]})
    snap = backend.read()
    backend.write(snap, Changes(cells=[CellUpdate("Candidates", 2, 3, "=IMPORTXML(\"x\")", ((1, "C-1"),))]))
    tab = google.book(key).tab("Candidates")
    assert tab.get(1, 2) == "=IMPORTXML(\"x\")" and not tab.formulas


# -- the request budget ------------------------------------------------------------------
def candidate_grid(settings, today, n):
    """n valid candidates and a little pipeline, built directly (fast at 50,000)."""
    candidates = [{"candidate_id": f"C-{i:05d}", "name": f"Person {i}", "email": f"p{i}@example.com",
                   "skills": "python, sql", "years_experience": i % 20, "seeker_type": "passive" if i % 3 else "active",
                   "last_contacted": f"2026-0{1 + i % 9}-{1 + i % 28:02d}" if i % 7 else None, "contact_every": "quarterly"} for i in range(1, n + 1)]
    positions = [{"position_id": "P-001", "title": "Data engineer", "skills": "python, sql", "location": "Remote",
                  "status": "open"}]
    pipeline = [{"candidate_id": f"C-{i:05d}", "position_id": "P-001", "first_contacted": f"2026-02-{1 + i % 28:02d}", "attempts": 2,
                 "responded_on_attempt": 1, "interest": "interested", "outcome": "rejected",
                 "rejection_reason": "salary expectations too high", "decided_on": f"2026-03-{1 + i % 28:02d}"} for i in range(2, min(n, 400) + 1, 2)]
    return make_memory(settings, candidates, positions, pipeline).tabs


@pytest.mark.parametrize("n", [10, 1_000, 50_000])
def test_requests_per_sync_do_not_grow_with_rows(n, gsheet, settings, today):
    key, backend = gsheet(candidate_grid(settings, today, n))
    first = api.sync_workbook(settings, today, NOW, backend=backend)
    assert first.written and first.requests == backend.requests
    # metadata, values | sheetcrm's column markers, identity re-read, structure (markers, protections, grid),
    # the new markers checked in place, values written by marker (README, "Requests per sync")
    assert backend.request_log == ["get", "values:batchGet", "developerMetadata:search", "values:batchGet", "batchUpdate",
                                   "values:batchGetByDataFilter", "values:batchUpdateByDataFilter"]
    second = api.sync_workbook(settings, today, NOW, backend=backend)
    assert not second.changed
    assert backend.request_log == ["get", "values:batchGet"] and second.requests == 2


def test_a_sync_that_only_rewrites_owned_tabs_makes_three_requests(gsheet, settings, today):
    key, backend = gsheet(demo_tabs(settings, today))
    api.sync_workbook(settings, today, NOW, backend=backend)
    later = dt.datetime(2026, 11, 23, 8, 0)  # the Summary title changes, nothing else
    report = api.sync_workbook(settings, today, later, backend=backend)
    if report.changed:
        assert len(backend.request_log) <= 4 and backend.request_log.count("values:batchUpdateByDataFilter") == 1


# -- what a sync leaves in the sheet ------------------------------------------------------
def test_first_sync_on_a_hand_made_sheet_adds_columns_formats_and_warning_protection(gsheet, google, settings, today):
    tabs = demo_tabs(settings, today)
    owned = {c.name for c in schema.INPUT_TAB_SCHEMAS[schema.CANDIDATES].owned_columns}
    cands = tabs["Candidates"]
    keep = [i for i, h in enumerate(cands[0]) if h not in owned]
    tabs["Candidates"] = [[r[i] if i < len(r) else None for i in keep] for r in cands]
    del tabs["Circle-backs"]
    key, backend = gsheet(tabs)
    google.book(key).tab("Candidates").col_count = len(keep)  # a grid exactly as wide as the header
    before = input_cells(google, key, settings)
    report = api.sync_workbook(settings, today, NOW, backend=backend)
    assert report.written
    book = google.book(key)
    cand = book.tab("Candidates")
    header = google.cells(key, "Candidates")[0]
    assert header[len(keep):] == ["rejection_class", "next_circle_back", "circle_back_status", "row_issues"]
    assert cand.col_count >= len(header)
    next_col = header.index("next_circle_back")
    assert cand.number_format(5, next_col) == DATE_FORMAT
    protected_cols = {p["range"].get("startColumnIndex") for p in cand.protected if p["warningOnly"]}
    assert set(range(len(keep), len(header))) <= protected_cols
    circle = book.tab("Circle-backs")
    assert any(p["warningOnly"] and "startColumnIndex" not in p["range"] for p in circle.protected)
    assert same_people_cells(before, input_cells(google, key, settings))
    assert not api.sync_workbook(settings, today, NOW, backend=backend).changed
    assert not set(backend.request_log) & set(WRITES)


def test_owned_dates_are_serial_numbers_and_a_second_sync_writes_nothing(gsheet, google, settings, today):
    key, backend = gsheet(demo_tabs(settings, today, n=60))
    api.sync_workbook(settings, today, NOW, backend=backend)
    rows = google.cells(key, "Candidates")
    col = rows[0].index("next_circle_back")
    dates = [r[col] for r in rows[1:] if col < len(r) and r[col] != ""]
    assert dates and all(isinstance(v, int) and 40000 < v < 60000 for v in dates)
    backend.request_log.clear()
    assert not api.sync_workbook(settings, today, NOW, backend=backend).changed


# -- init -----------------------------------------------------------------------------------
def test_init_creates_the_same_structure_as_xlsx(gsheet, google, settings, today):
    key, backend = gsheet()
    result = api.init_workbook(settings, today, demo=30, backend=backend)
    assert result.where == f"Google Sheet {key}"
    assert backend.request_log == ["get", "values:batchGet", "batchUpdate", "values:batchUpdate"]
    assert "Sheet1" not in [t.title for t in google.book(key).tabs]  # the blank tab a new sheet starts with
    book = google.book(key)
    for layout in workbook_layout(settings):
        tab = book.tab(layout.title)
        assert google.cells(key, layout.title)[0] == layout.header
        assert tab.frozen_rows == 1
        assert {b[1] for b, _rule in tab.validations} == {c - 1 for c in layout.dropdowns}
        assert all(rule["condition"]["type"] == "ONE_OF_LIST" and not rule["strict"] for _b, rule in tab.validations)
        formulas = [r["booleanRule"]["condition"]["values"][0]["userEnteredValue"] for r in tab.conditional]
        if layout.highlight_nonempty_col:
            assert any(f.startswith("=LEN(") for f in formulas)
        if layout.highlight_values:
            assert {'="due"', '="overdue"'} <= {f[-6:] if f.endswith('"due"') else f[-10:] for f in formulas}
        for col in layout.owned_columns:
            assert any(p["warningOnly"] and p["range"].get("startColumnIndex") == col - 1 for p in tab.protected)
        for col in layout.date_columns:
            assert tab.number_format(3, col - 1) == DATE_FORMAT
    assert len(google.cells(key, "Candidates")) == result.candidates + 1
    with pytest.raises(BackendError, match="already has the tabs .*--force"):
        api.init_workbook(settings, today, backend=backend)
    again = api.init_workbook(settings, today, demo=5, force=True, backend=backend)
    assert len(google.cells(key, "Candidates")) == again.candidates + 1
    assert [t.title for t in book.tabs].count("Candidates") == 1 and not any("replaced" in t.title for t in book.tabs)


# -- faults: retried, or one clear line with nothing half-written ------------------------------
FAULTS = {
    "429 with Retry-After": lambda g, on, times: g.fail(429, times=times, on=on, retry_after=7),
    "503": lambda g, on, times: g.fail(503, times=times, on=on),
    "HTML error page": lambda g, on, times: g.fail(502, times=times, on=on, html=True),
    "slow answer": lambda g, on, times: g.slow(0.6, times=times, on=on),
    "dropped connection": lambda g, on, times: g.drop(times=times, on=on),
    "dropped after applying": lambda g, on, times: g.drop(times=times, on=on, after_apply=True),
}
STEPS = ["get", "values:batchGet", "developerMetadata:search", "batchUpdate", "values:batchUpdateByDataFilter"]


TITLES = ("Candidates", "Positions", "Pipeline", "Summary", "Circle-backs", "Issues")
_clean: dict[str, list] = {}


def fault_tabs():
    return demo_tabs(Settings(), TODAY, n=12)


def clean_result(gsheet, google, settings, today):
    """The sheet after a sync that met no trouble (computed once per test process)."""
    if not _clean:
        key, backend = gsheet(fault_tabs())
        api.sync_workbook(settings, today, NOW, backend=backend)
        _clean.update({t: google.cells(key, t) for t in TITLES})
    return _clean


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("on", STEPS)
def test_a_passing_fault_is_retried_and_the_result_is_the_same(fault, on, gsheet, google, settings, today):
    expected = clean_result(gsheet, google, settings, today)
    key, backend = gsheet(fault_tabs(), timeout=0.3)
    FAULTS[fault](google, on, 2)
    report = api.sync_workbook(settings, today, NOW, backend=backend)
    assert report.written and backend.waits  # it paused, then tried again or looked again
    assert {t: google.cells(key, t) for t in TITLES} == expected
    if fault.startswith("429"):
        assert max(backend.waits) >= 7
    if on == "values:batchUpdateByDataFilter":  # sent twice or not: the next sync has nothing to say
        assert not api.sync_workbook(settings, today, NOW, backend=backend).changed


@pytest.mark.parametrize("fault", list(FAULTS))
@pytest.mark.parametrize("on", STEPS)
def test_a_lasting_fault_fails_with_one_line_and_leaves_peoples_cells_alone(fault, on, gsheet, google, settings, today):
    expected = clean_result(gsheet, google, settings, today)
    key, backend = gsheet(fault_tabs(), timeout=0.3, attempts=3)
    before = {t: google.cells(key, t) for t in TITLES}
    people = input_cells(google, key, settings)
    FAULTS[fault](google, on, 99)
    try:
        api.sync_workbook(settings, today, NOW, backend=backend)
    except BackendError as err:
        message = str(err)
        assert "\n" not in message and key in message
        if fault.startswith("429"):  # the per-minute quota: tried for more than a minute, then given up
            assert re.search(r"after \d+ attempts", message) and sum(backend.waits) >= 70
        else:
            assert "after 3 attempts" in message
    else:  # only a structural change whose answer was lost may succeed: a fresh look shows it landed
        assert on == "batchUpdate" and fault in ("slow answer", "dropped after applying")
    after = {t: google.cells(key, t) for t in TITLES}
    assert same_people_cells(people, input_cells(google, key, settings))
    assert after in (before, expected)  # all or nothing


def test_the_cli_says_one_line_and_exits_1_when_google_keeps_failing(google, tmp_path, monkeypatch, settings, today):
    from sheetcrm.workbook.backends import gsheets_http

    monkeypatch.setattr(gsheets_http, "pause", lambda seconds: None)  # the backoff is waited, not slept, here
    key = google.add_book(demo_tabs(settings, today, n=10))
    _service_account_env(monkeypatch, tmp_path, google)
    google.fail(503, times=99, on="values:batchGet")
    result = CliRunner().invoke(cli, ["--sheet", key, "sync", "--today", "2026-11-22"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "HTTP 503" in result.stderr and "Traceback" not in result.output


def test_retry_after_is_honoured_in_real_time(gsheet, google, settings, today):
    key, backend = gsheet(demo_tabs(settings, today, n=5), sleep=time.sleep)
    google.fail(429, times=1, on="get", retry_after=1)
    started = time.perf_counter()
    backend.read()
    assert time.perf_counter() - started >= 1.0 and backend.request_log == ["get", "get", "values:batchGet"]


@pytest.mark.parametrize("status", [500, 503, 504])
def test_server_errors_on_a_read_are_retried(status, gsheet, google):
    key, backend = gsheet({"Candidates": [["candidate_id"], ["C-1"]]})
    google.fail(status, times=2, on="values:batchGet")
    assert backend.read().tabs["Candidates"].values == [["candidate_id"], ["C-1"]]
    assert backend.request_log == ["get"] + ["values:batchGet"] * 3 and len(backend.waits) == 2


def test_a_refusal_is_not_retried(gsheet, google):
    key, backend = gsheet()
    google.fail(400, times=1, on="values:batchGet")
    with pytest.raises(BackendError, match="HTTP 400 INVALID_ARGUMENT"):
        backend.read()
    assert backend.request_log == ["get", "values:batchGet"]


# -- people editing while we sync -----------------------------------------------------------------
def _sort_by_name(book):
    book.tab("Candidates").sort_rows(2, reverse=True)


def _insert_above(book):
    tab = book.tab("Candidates")
    tab.insert_rows(2, [["", "New Person", "new@example.com"], []])


def _delete_row(book):
    book.tab("Candidates").delete_rows(3, 2)


def _edit_owned_cell(book):
    tab = book.tab("Candidates")
    header = tab.grid[0]
    tab.put(4, header.index("circle_back_status"), "typed by a person")


def _rows_unnumbered(values):
    """Row numbers inside texts ("duplicate of C-3 (row 4)") move with the rows: mask them."""
    return [tuple(re.sub(r"row \d+", "row N", str(v)) for v in vs) for vs in values]


@pytest.mark.parametrize("person", [_sort_by_name, _insert_above, _delete_row, _edit_owned_cell])
def test_rows_moved_between_read_and_write_get_their_own_values(person, gsheet, google, settings, today):
    tabs = demo_tabs(settings, today, n=60)
    key_ok, clean = gsheet(tabs)
    api.sync_workbook(settings, today, NOW, backend=clean)
    expected = {cid: _rows_unnumbered(v) for cid, v in owned_by_id(google, key_ok, settings).items()}
    key, backend = gsheet(tabs)
    google.before("values:batchGet", person, nth=2)  # after our read, before our write
    report = api.sync_workbook(settings, today, NOW, backend=backend)
    assert report.written
    blank = ("", "", "", "")
    for cid, values in owned_by_id(google, key, settings).items():
        for v in _rows_unnumbered(values):
            if cid in ("", None):
                assert v == blank, "a new person's row got someone else's values"
            else:
                assert v in (expected[cid][0], blank) or "typed by a person" in v, cid
    # The next sync catches up: the same as a clean sync of what the person left.
    api.sync_workbook(settings, today, NOW, backend=backend)
    left = {t.title: google.cells(key, t.title) for t in google.book(key).tabs}
    key_again, fresh = gsheet(left)
    api.sync_workbook(settings, today, NOW, backend=fresh)
    assert owned_by_id(google, key, settings) == owned_by_id(google, key_again, settings)


def test_an_id_typed_while_we_sync_is_never_overwritten(gsheet, google, settings, today):
    tabs = demo_tabs(settings, today, n=30)
    rows = tabs["Candidates"]
    rows[3][0] = None  # a blank id sheetcrm would fill

    def type_id(book):
        book.tab("Candidates").put(3, 0, "C-77777")

    key, backend = gsheet(tabs)
    google.before("values:batchGet", type_id, nth=2)
    report = api.sync_workbook(settings, today, NOW, backend=backend)
    assert report.skipped_rows >= 1
    assert google.cells(key, "Candidates")[3][0] == "C-77777"


def test_a_column_inserted_while_we_sync_skips_that_tab(gsheet, google, settings, today):
    key, backend = gsheet(demo_tabs(settings, today, n=20))
    seen = []

    def insert_column(book):
        tab = book.tab("Candidates")
        tab.grid = [[("nickname" if i == 0 else None)] + r for i, r in enumerate(tab.grid)]
        seen.append(google.cells(key, "Candidates"))

    google.before("values:batchGet", insert_column, nth=2)
    report = api.sync_workbook(settings, today, NOW, backend=backend)
    assert report.skipped_rows >= 1
    assert google.cells(key, "Candidates") == seen[0]  # nothing written into shifted columns


# -- credentials and access --------------------------------------------------------------------
def _service_account_file(tmp_path, token_uri):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    path = tmp_path / "key.json"
    path.write_text(json.dumps({"type": "service_account", "project_id": "test", "private_key_id": "abc123",
                                "private_key": pem, "client_email": "sheetcrm@test.iam.gserviceaccount.com",
                                "client_id": "1", "token_uri": token_uri}))
    return path, pem


def _service_account_env(monkeypatch, tmp_path, google):
    path, pem = _service_account_file(tmp_path, google.url + "/token")
    monkeypatch.setenv("SHEETCRM_CREDENTIALS", str(path))
    monkeypatch.setenv("SHEETCRM_GOOGLE_API_URL", google.url)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    return path, pem


def test_auth_check_signs_in_reads_and_proves_write_access(google, tmp_path, monkeypatch):
    key = google.add_book()
    path, pem = _service_account_env(monkeypatch, tmp_path, google)
    result = CliRunner().invoke(cli, ["--sheet", key, "auth", "check"])
    assert result.exit_code == 0, result.output
    assert "sheetcrm@test.iam.gserviceaccount.com" in result.output and "writable: yes" in result.output
    assert "PRIVATE KEY" not in result.output and pem[40:80] not in result.output
    assert google.count("token") >= 1


@pytest.mark.parametrize("setup, message", [
    (lambda g, key: setattr(g.book(key), "writers_denied", True), "can read .* but not change it: share the sheet"),
    (lambda g, key: g.books.pop(key), "was not found: check --sheet KEY"),
])
def test_auth_check_says_what_to_do(setup, message, google, tmp_path, monkeypatch):
    key = google.add_book()
    _service_account_env(monkeypatch, tmp_path, google)
    setup(google, key)
    result = CliRunner().invoke(cli, ["--sheet", key, "auth", "check"])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert __import__("re").search(message, result.stderr), result.stderr


@pytest.mark.parametrize("content, kind, message", [
    (None, "service_account", "no Google credentials"),
    ("missing", "service_account", "does not exist"),
    ("{not json SECRET", "service_account", "is not JSON"),
    ('{"type": "authorized_user", "refresh_token": "SECRET"}', "service_account", "not a service-account key"),
    ('{"type": "service_account", "private_key": "SECRET"}', "service_account", "not a valid service-account key"),
    ('{"installed": {"client_secret": "SECRET"}}', "oauth", "no saved Google sign-in"),
])
def test_credential_problems_are_one_clear_line_without_secrets(content, kind, message, tmp_path, settings, monkeypatch):
    monkeypatch.delenv("SHEETCRM_CREDENTIALS", raising=False)
    path = tmp_path / "key.json"
    if content not in (None, "missing"):
        path.write_text(content)
    s = settings.replace(credentials="" if content is None else str(path), credentials_type=kind, sheet_key="k")
    with pytest.raises(AuthError, match=message) as err:
        load_credentials(s)
    assert "SECRET" not in str(err.value) and "\n" not in str(err.value)


def test_only_a_loopback_stand_in_may_replace_google(monkeypatch, tmp_path, settings):
    monkeypatch.setenv("SHEETCRM_GOOGLE_API_URL", "http://evil.example.com")
    with pytest.raises(ConfigError, match="127.0.0.1"):
        GSheetsBackend.from_settings(settings.replace(sheet_key="k"))


def test_missing_or_unshared_sheet(gsheet, google):
    key, backend = gsheet()
    google.books.pop(key)
    with pytest.raises(NotFoundError, match=f"Google Sheet {key} was not found"):
        backend.read()


def test_describe_names_the_sheet_only(gsheet):
    key, backend = gsheet()
    assert backend.describe() == f"Google Sheet {key}"


def test_owned_tab_shrinks_cleanly(gsheet, google):
    key, backend = gsheet({"Issues": [["tab", "row"], ["Candidates", 2], ["Candidates", 3], ["Pipeline", 9]]})
    snap = backend.read()
    backend.write(snap, Changes(tabs=[OwnedTab("Issues", [["tab", "row"], ["Positions", 4]])]))
    assert google.cells(key, "Issues") == [["tab", "row"], ["Positions", 4]]


def test_credentials_and_tokens_never_reach_the_logs(google, tmp_path, monkeypatch, caplog):
    import logging

    key = google.add_book()
    path, pem = _service_account_env(monkeypatch, tmp_path, google)
    with caplog.at_level(logging.DEBUG):
        result = CliRunner().invoke(cli, ["--sheet", key, "auth", "check"])
    assert result.exit_code == 0
    logged = caplog.text + result.output + result.stderr
    for secret in ("PRIVATE KEY", pem.splitlines()[1], "standin-access-token", "abc123"):
        assert secret not in logged


@pytest.mark.parametrize("seed", range(20))
def test_read_by_columns_gives_the_cells_a_read_by_rows_gives(gsheet, seed):
    """read() asks for the tabs column by column (issue 20: the analysis runs faster on
    cells parsed that way); each row is what a read by rows gives, padded with blanks."""
    import random

    from sheetcrm.workbook.backends.gsheets_cells import READ, quote
    rnd = random.Random(seed)
    pool = ["", "x", " é ", 0, 1, 2.5, True, False, 46024, "2026-01-02", "=not a formula"]
    tabs = {t: [[rnd.choice(pool) for _ in range(rnd.randint(0, 6))] for _ in range(rnd.randint(0, 8))]
            for t in ("Candidates", "Empty", "Notes")}
    key, backend = gsheet(tabs)
    snap = backend.read()
    by_rows = backend._http.values_batch_get(key, [quote(t) for t in snap.tabs], params=dict(READ))
    for title, vr in zip(snap.tabs, by_rows["valueRanges"]):
        want = [[None if v == "" else v for v in row] for row in vr.get("values", [])]
        got = snap.tabs[title].values
        assert len(got) == len(want), title
        for g, w in zip(got, want):
            assert g[: len(w)] == w and all(v is None for v in g[len(w):]), title
            assert [type(v) for v in g[: len(w)]] == [type(v) for v in w]
