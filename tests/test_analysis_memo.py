"""An unchanged sheet is not analysed twice: a sync that reuses the last analysis
writes exactly what a fresh one writes, whatever changed in between."""
import dataclasses
import datetime as dt
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from sheetcrm import privacy, schema
from sheetcrm import rules as rules_mod
from sheetcrm.config import Settings
from sheetcrm.core.analysis import Analysis, analyse
from sheetcrm.demo import demo_data
from sheetcrm.values import FormulaWithoutValue
from sheetcrm.workbook import analysis_memo, sheet, sync
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.workbook.layout import workbook_layout

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 9, 30)
BASE = Settings(suppression_salt="pepper")
EDITS = ("none", "now", "day", "input_cell", "owned_cell", "same_cell", "retyped_cell", "add_row", "blank_row",
         "delete_row", "settings", "settings_retyped", "rules", "rules_recompiled", "suppressed", "owned_tab",
         "summary_gone", "input_header")
# What leaves every input of analyse but `now` and the owned cells as it was: the memo must be used.
KEEPS_INPUTS = {"none", "now", "same_cell", "owned_cell", "owned_tab", "summary_gone", "input_header"}


@pytest.fixture(autouse=True)
def memo_on():
    was = analysis_memo.enabled
    analysis_memo.enabled = True
    analysis_memo.clear()
    yield
    analysis_memo.enabled = was
    analysis_memo.clear()


def exact(tabs: dict) -> dict:
    """The tabs' cells with their types: 1 and 1.0 and True are different cells."""
    return {t: [[(type(v).__name__, repr(v)) for v in row] for row in rows] for t, rows in tabs.items()}


def data(n: int, seed: int) -> dict:
    out = demo_data(n, TODAY, seed)
    for row in random.Random(seed).sample(out[schema.CANDIDATES], k=min(2, n)):
        row[0] = None  # ids to assign
    return out


def workbook(n: int, seed: int, suppressed: bool) -> MemoryBackend:
    backend = MemoryBackend()
    backend.create(workbook_layout(BASE, data(n, seed)))
    if suppressed:
        backend.tabs[BASE.tab_title(schema.SUPPRESSED)] = [list(schema.SUPPRESSED_COLUMNS)]
    return backend


def run(backend: MemoryBackend, settings: Settings, today: dt.date, now: dt.datetime, memo: bool,
        dry_run: bool = False) -> tuple[dict, list]:
    """One sync; its report (without the time it took) and what it asked to write."""
    written: list = []
    real = backend.write

    def spy(snapshot, changes):
        written.append(([(c.tab, c.row, c.col, type(c.value).__name__, repr(c.value), c.identity) for c in changes.cells],
                        [(t.title, exact({"": t.rows}), t.volatile, t.bold_rows, t.widths, t.key) for t in changes.tabs]))
        return real(snapshot, changes)

    backend.write = spy
    analysis_memo.enabled = memo
    try:
        report = sync.sync(backend, settings, today, now=now, dry_run=dry_run).as_dict()
    finally:
        analysis_memo.enabled = True
        del backend.write
    report.pop("seconds")
    return report, written


def edit(kind: str, rnd: random.Random, books: list[MemoryBackend], settings: Settings, today: dt.date,
         now: dt.datetime) -> tuple[Settings, dt.date, dt.datetime]:
    """The same change, made to each of the books (a person's, the clock's or the config's)."""
    first = books[0].tabs
    if kind == "now":
        return settings, today, now + dt.timedelta(minutes=rnd.choice([1, 15, 600]))
    if kind == "day":
        days = rnd.choice([1, 2, 31])
        return settings, today + dt.timedelta(days=days), now + dt.timedelta(days=days)
    if kind == "settings":
        return settings.replace(**rnd.choice([{"grace_days": 3}, {"calls_per_day": 1}, {"phone_region": "US"},
                                              {"default_contact_every_days": 7}, {"suppression_salt": "salt"},
                                              {"match_min_skill_coverage": 0.1}])), today, now
    if kind == "settings_retyped":  # equal, of another type: not the same setting
        return settings.replace(match_min_skill_coverage=1, grace_days=30.0), today, now
    if kind == "rules":
        return settings.replace(builtin_reasons=False), today, now
    if kind == "rules_recompiled":  # the same files compiled afresh: another RuleSet
        rules_mod._COMPILED.clear()
        return settings, today, now
    title = rnd.choice([k for k in schema.INPUT_TABS if len(first[settings.tab_title(k)]) > 1])
    tab = settings.tab_title(title)
    grid, names = first[tab], [schema.normalise_header(h) for h in first[tab][0]]
    owned = [i for i, n in enumerate(names) if n in {c.name for c in schema.INPUT_TAB_SCHEMAS[title].owned_columns}]
    people = [i for i in range(len(names)) if i not in owned]
    row = rnd.randrange(1, len(grid)) if len(grid) > 1 else None
    col = rnd.choice(owned if kind == "owned_cell" else people)
    typed = rnd.choice({"owned_cell": [None, "", "stale", 7, 7.0, -0.0, float("nan"), True, dt.date(2026, 1, 2),
                                       "#N/A", FormulaWithoutValue("SUM(A1)")]}.get(kind, [
        None, "", "x", 3, 2.5, dt.date(2026, 1, 2), "C-00001", "no-show", "do not contact", "open", "hired"]))
    emails = [r[2] for r in first[settings.tab_title(schema.CANDIDATES)][1:] if len(r) > 2 and r[2]]
    email = rnd.choice(emails) if emails else "nobody@example.com"
    for book in books:
        tabs = book.tabs
        if kind in ("input_cell", "owned_cell", "same_cell", "retyped_cell") and row is not None:
            line = tabs[tab][row]
            line.extend([None] * (len(names) - len(line)))
            old = line[col]
            line[col] = old if kind == "same_cell" else _retyped(old) if kind == "retyped_cell" else typed
        elif kind == "add_row" and row is not None:
            new = list(tabs[tab][row])
            if title == schema.CANDIDATES:
                new[0], new[2] = None, f"new.person{row}@example.com"
            tabs[tab].append(new)
        elif kind == "blank_row" and row is not None:
            tabs[tab][row] = [None] * len(tabs[tab][row])
        elif kind == "delete_row" and row is not None:
            del tabs[tab][row]
        elif kind == "suppressed":
            sup = tabs.setdefault(settings.tab_title(schema.SUPPRESSED), [list(schema.SUPPRESSED_COLUMNS)])
            sup.append([privacy.person_hash("email", privacy.normalise_email(email), settings.suppression_salt),
                        "email", today])
        elif kind == "owned_tab":
            tabs[settings.tab_title(schema.CIRCLE_BACKS)].append(["a person's note"])
            tabs.setdefault(settings.tab_title(schema.SUMMARY), [[]])[-1] = ["typed over"]
        elif kind == "summary_gone":
            tabs.pop(settings.tab_title(schema.SUMMARY), None)
        elif kind == "input_header":
            tabs[tab][0] = [*tabs[tab][0], "team notes"]
            tabs[tab][-1] = [*tabs[tab][-1], *[None] * (len(names) - len(tabs[tab][-1])), "mine"]
        book.version += 1
    return settings, today, now


def _retyped(value):
    """An equal value of another type (or a different value where there is none)."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return float(value)
    if isinstance(value, float):
        return -value if value == 0 else (int(value) if value.is_integer() else str(value))
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if value is None:
        return ""
    return str(value) + " "


_SETTLED: dict[tuple[int, bool], dict] = {}


def settled(base: int, suppressed: bool) -> MemoryBackend:
    """One of a few workbooks as any sync leaves them (ids and owned cells in place)."""
    if (base, suppressed) not in _SETTLED:
        book = workbook(3 + 2 * base, 1000 + base, suppressed)
        run(book, BASE, TODAY, NOW, memo=False)
        _SETTLED[base, suppressed] = book.tabs
    return MemoryBackend(_SETTLED[base, suppressed])


@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, 5), suppressed=st.booleans(), seed=st.integers(0, 10**6),
       kinds=st.lists(st.sampled_from(EDITS), min_size=1, max_size=2), dry_run=st.booleans())
def test_a_memoised_sync_writes_what_a_fresh_one_writes(base, suppressed, seed, kinds, dry_run):
    memo_book = settled(base, suppressed)
    run(memo_book, BASE, TODAY, NOW, memo=True)  # what the memo keeps: this sheet, as it was read
    fresh_book = MemoryBackend(memo_book.tabs)
    settings, today, now, rnd = BASE, TODAY, NOW, random.Random(seed)
    for kind in kinds:
        settings, today, now = edit(kind, rnd, [memo_book, fresh_book], settings, today, now)
    assert exact(memo_book.tabs) == exact(fresh_book.tabs)
    before = dict(analysis_memo.stats)
    with_memo = run(memo_book, settings, today, now, memo=True, dry_run=dry_run)
    reused = analysis_memo.stats["reused"] > before["reused"]
    without = run(fresh_book, settings, today, now, memo=False, dry_run=dry_run)
    assert with_memo == without
    assert exact(memo_book.tabs) == exact(fresh_book.tabs)
    if set(kinds) <= KEEPS_INPUTS:
        assert reused, kinds
    if set(kinds) & {"day", "settings", "settings_retyped", "rules", "rules_recompiled", "suppressed",
                     "retyped_cell"}:
        assert not reused, kinds


def test_a_reused_analysis_skips_analyse_and_restamps_the_summary(monkeypatch):
    book = workbook(8, 1, False)
    calls = []
    real = sync.analyse
    monkeypatch.setattr(sync, "analyse", lambda *a, **k: calls.append(1) or real(*a, **k))
    assert sync.sync(book, BASE, TODAY, now=NOW).ids_assigned == 2
    assert sync.sync(book, BASE, TODAY, now=NOW).ids_assigned == 0  # reads the ids and owned cells the first wrote
    assert len(calls) == 1
    summary = BASE.tab_title(schema.SUMMARY)
    del book.tabs[summary]  # rewritten whole, title included, from the kept analysis
    report = sync.sync(book, BASE, TODAY, now=NOW + dt.timedelta(hours=2))
    assert len(calls) == 1 and analysis_memo.stats["reused"] >= 2
    assert report.tabs_rewritten == [summary]
    assert book.tabs[summary][0][0] == "sheetcrm summary, updated 2026-11-22 11:30"


def test_switched_off_every_sync_analyses(monkeypatch):
    book = workbook(5, 2, False)
    calls = []
    real = sync.analyse
    monkeypatch.setattr(sync, "analyse", lambda *a, **k: calls.append(1) or real(*a, **k))
    analysis_memo.enabled = False
    for _ in range(3):
        sync.sync(book, BASE, TODAY, now=NOW)
    assert len(calls) == 3 and analysis_memo._last is None


@pytest.mark.parametrize("old, new, same", [
    (["a", 1, None, dt.date(2026, 1, 1)], ["a", 1, None, dt.date(2026, 1, 1)], True),
    ([1], [1.0], False), ([1], [True], False), (["1"], [1], False), ([0.0], [-0.0], False), ([1.5], [1.5], True),
    ([float("nan")], [float("nan")], False), ([0.0, 1.5], [-0.0, 1.5], False), (["a", 0.0], ["a", -0.0], False),
    ([-0.0, "a"], [-0.0, "a"], True), ([dt.datetime(2026, 1, 1, 1, 30), "x"], [dt.datetime(2026, 1, 1, 1, 30, fold=1), "x"], False),
    ([dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)], [dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)], True),
    ([dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)],
     [dt.datetime(2026, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1)))], False),
    ([dt.datetime(2026, 1, 1, 1, 30)], [dt.datetime(2026, 1, 1, 1, 30, fold=1)], False),
    ([dt.date(2026, 1, 1)], [dt.datetime(2026, 1, 1)], False),
    ([pd.Timestamp("2026-01-01")], [pd.Timestamp("2026-01-01")], False),  # not a plain cell type: never trusted
    ([["a"]], [["a"]], False), ([pd.NA], [pd.NA], False), (["a", pd.NA], ["a", None], False),
])
def test_cells_are_the_same_only_in_type_and_value(old, new, same):
    assert analysis_memo._same_column(old, new) is same


_TWINS = st.sampled_from([  # cells equal by == yet told apart by type or repr, beside plain ones
    0.0, -0.0, 1.0, 1, True, 2.5, float("inf"), "1", None, dt.date(2026, 1, 1), dt.datetime(2026, 1, 1),
    dt.datetime(2026, 1, 1, fold=1), dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC),
    dt.datetime(2026, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1))), dt.time(1, 30), dt.time(1, 30, fold=1)])


@hyp_settings(max_examples=300, deadline=None)
@given(old=st.lists(_TWINS, max_size=6), picks=st.lists(st.tuples(st.integers(0, 5), _TWINS), max_size=3))
def test_cells_are_the_same_exactly_when_their_types_and_reprs_are(old, picks):
    """The shortcuts that spare repr (floats, naive datetimes) never call two cells
    the same that repr tells apart, nor the other way round."""
    new = list(old)
    for at, value in picks:
        if new:
            new[at % len(new)] = value
    by_repr = [(type(v), repr(v)) for v in old] == [(type(v), repr(v)) for v in new]
    assert analysis_memo._same_column(old, new) is by_repr


def test_settings_are_the_same_only_in_type_and_value():
    frozen = analysis_memo._frozen
    assert frozen(BASE) == frozen(Settings(suppression_salt="pepper"))
    assert frozen(BASE) != frozen(BASE.replace(grace_days=30.0))
    assert frozen(BASE) != frozen(BASE.replace(tabs={**BASE.tabs, "summary": "Overview"}))
    with pytest.raises(analysis_memo._Unknown):
        frozen(object())


def _picture(analysis) -> tuple:
    """What a later sync takes from a kept analysis, as plain values with their types."""
    tabs = [(t.title, exact({"": t.rows}), t.volatile, t.bold_rows, t.widths, t.row_lines, t.charts) for t in analysis.tabs]
    owned = {k: (list(f.columns), f.index.tolist(), exact({"": f.to_numpy(dtype=object).tolist()})) for k, f in
             analysis.owned.items()}
    return tabs, owned, dict(analysis.new_ids), list(analysis.new_roles), dict(analysis.left_out)


@pytest.mark.parametrize("backend", ["memory", "xlsx"])
def test_a_sync_leaves_the_analysis_it_keeps_as_it_was(backend, tmp_path, monkeypatch):
    """The kept analysis answers for the next sync: planning and writing it (a first
    sync writes every tab and owned cell) must not change it."""
    from sheetcrm.workbook.backends.xlsx import XlsxBackend

    book = workbook(6, 3, False)
    if backend == "xlsx":
        book = XlsxBackend(tmp_path / "w.xlsx")
        book.create(workbook_layout(BASE, data(6, 3)))
    pictures = []
    real = sync.analyse

    def analyse(*args, **kwargs):
        out = real(*args, **kwargs)
        pictures.append(_picture(out))
        return out

    monkeypatch.setattr(sync, "analyse", analyse)
    report = sync.sync(book, BASE, TODAY, now=NOW)
    assert report.written and report.tabs_rewritten and report.ids_assigned
    assert _picture(analysis_memo._last.analysis) == pictures[0]


def test_what_analyse_does_to_its_frames_is_not_what_the_memo_compares(monkeypatch):
    """The key is made after analysing (not held beside its peak): from the frames as
    read, which analyse's own changes to the frames it got must not reach."""
    book = settled(0, False)
    real = sync.analyse

    def meddling(frames, *args, **kwargs):
        out = real(frames, *args, **kwargs)
        cands = frames[schema.CANDIDATES]
        cands.loc[cands.index[0], "name"] = "Someone Else"  # as if the sheet said so
        return out

    monkeypatch.setattr(sync, "analyse", meddling)
    sync.sync(book, BASE, TODAY, now=NOW)
    book.edit(BASE.tab_title(schema.CANDIDATES), 2, 2, "Someone Else")  # now a person does say so
    before = analysis_memo.stats["reused"]
    sync.sync(book, BASE, TODAY, now=NOW)
    assert analysis_memo.stats["reused"] == before


# -- the owned cells' values are not in the key ------------------------------------------

ERRORS_AS_READ = ["#N/A", "#REF!", "#VALUE!", "#DIV/0!", "#ERROR"]  # xlsx_errors keeps an error cell's text
CELLS = st.one_of(  # what any backend may read in a cell, and a few things none does
    st.none(), st.sampled_from(["", " ", "\t", "stale", "12", "=SUM(A1:A3)", *ERRORS_AS_READ]),
    st.text(max_size=6), st.integers(-3, 10**6), st.booleans(), st.dates(), st.times(),
    st.floats(allow_nan=True, allow_infinity=True), st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.timedeltas(), st.builds(FormulaWithoutValue, st.sampled_from(["SUM(A1)", "=B2*2", ""])),
    st.sampled_from([pd.NA, pd.NaT, pd.Timestamp("2026-01-02"), ("a",)]))


def picture(value) -> object:
    """A value as plain nested tuples that are equal only when the values are the same
    in type, content, order and layout (frames: columns, dtypes, index, cells)."""
    if isinstance(value, pd.DataFrame):
        return ("frame", [picture(c) for c in value.columns], [str(t) for t in value.dtypes], picture(value.index),
                [picture(value.iloc[:, i]) for i in range(value.shape[1])], picture(value.attrs))
    if isinstance(value, pd.Series):
        return ("series", picture(value.name), str(value.dtype), picture(value.index), [picture(v) for v in value.tolist()])
    if isinstance(value, pd.Index):
        return ("index", type(value).__name__, str(value.dtype), picture(list(value.names)),
                [picture(v) for v in value.tolist()])
    if isinstance(value, dict):
        return (type(value).__name__, [(picture(k), picture(v)) for k, v in value.items()])
    if isinstance(value, (list, tuple)):  # the Summary's rows are a list with attributes
        return (type(value).__name__, [picture(v) for v in value], picture(dict(getattr(value, "__dict__", {}))))
    if isinstance(value, (set, frozenset)):
        return (type(value).__name__, sorted(repr(picture(v)) for v in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (type(value).__name__, [(f.name, picture(getattr(value, f.name))) for f in dataclasses.fields(value)])
    return type(value).__name__, repr(value)


def inputs(book: MemoryBackend, compact: bool = True) -> tuple:
    snapshot, _, frames = sync.load(book, BASE, compact)
    return frames, BASE, TODAY, NOW, rules_mod.load_rules(BASE), sync.read_suppressed(snapshot, BASE)


def memo_answer(book: MemoryBackend) -> tuple[Analysis, bool]:
    """What the memo answers for this sheet, and whether it reused the kept analysis:
    asked as sync asks it (frames as read, texts copied together only to analyse)."""
    frames, settings, today, now, rules, suppressed = inputs(book, compact=False)
    before = analysis_memo.stats["reused"]
    out = analysis_memo.analysed(sync.analyse, frames, settings, today, now, rules, suppressed, prepare=sheet.compacted)
    return out, analysis_memo.stats["reused"] > before


def test_frames_are_prepared_only_to_analyse_afresh():
    book = workbook(6, 3, False)
    prepared, analysed_frames = [], []
    frames, settings, today, now, rules, suppressed = inputs(book, compact=False)

    def prepare(given):
        prepared.append(given)
        return sheet.compacted(given)

    def compute(given, *args, **kwargs):
        analysed_frames.append(given)
        return analyse(given, *args, **kwargs)
    for _ in range(2):
        analysis_memo.analysed(compute, frames, settings, today, now, rules, suppressed, prepare=prepare)
    assert len(prepared) == 1 and prepared[0] is frames and len(analysed_frames) == 1
    assert analysis_memo.stats["reused"] >= 1
    analysis_memo.enabled = False
    analysis_memo.analysed(compute, frames, settings, today, now, rules, suppressed, prepare=prepare)
    assert len(prepared) == 2 and len(analysed_frames) == 2


def fresh_answer(book: MemoryBackend) -> Analysis:
    frames, settings, today, now, rules, suppressed = inputs(book)
    return analyse(frames, settings, today, now, rules=rules, suppressed=suppressed)


def columns_of(book: MemoryBackend, key: str, owned: bool) -> tuple[list[list], list[int]]:
    grid = book.tabs[BASE.tab_title(key)]
    names = {c.name for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns}
    return grid, [i for i, h in enumerate(grid[0]) if (schema.normalise_header(h) in names) is owned]


def put(grid: list[list], row: int, col: int, value) -> None:
    grid[row].extend([None] * (col + 1 - len(grid[row])))
    grid[row][col] = value


EDIT = st.tuples(st.sampled_from(schema.INPUT_TABS), st.integers(0, 10**6), st.integers(0, 10**6), CELLS)


@hyp_settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, 5), suppressed=st.booleans(), ids_written=st.booleans(), owned_edits=st.lists(EDIT, max_size=8),
       people_edits=st.lists(EDIT, max_size=2), owned_only_rows=st.integers(0, 2),
       reopened=st.none() | st.tuples(st.integers(0, 10**6), st.sampled_from([None, "", " ", float("nan")])))
def test_the_memo_answers_what_a_fresh_analysis_answers_whatever_the_owned_cells_hold(
        base, suppressed, ids_written, owned_edits, people_edits, owned_only_rows, reopened):
    """Between two syncs the owned cells change (sheetcrm wrote them, or a person typed
    over them: any type, error values, formulas as read), perhaps the ids the first
    assigned are written, and perhaps people's cells change: the memo's answer is,
    field for field, what analyse() answers afresh."""
    if ids_written:  # kept: the analysis of a sync that assigned ids and wrote them and every owned cell
        book = workbook(3 + 2 * base, 1000 + base, suppressed)
        assert run(book, BASE, TODAY, NOW, memo=True)[0]["ids_assigned"]
    else:  # kept: the analysis of the sheet as a sync left it
        book = settled(base, suppressed)
        memo_answer(book)
    for edits, owned in ((owned_edits, True), (people_edits, False)):
        for key, row, col, value in edits:
            grid, cols = columns_of(book, key, owned)
            if len(grid) > 1 and cols:
                put(grid, 1 + row % (len(grid) - 1), cols[col % len(cols)], value)
    if reopened is not None:  # a blank backpocket cell on an open role: a new or reopened role
        grid, cols = columns_of(book, schema.POSITIONS, True)
        # a cell an edit made pd.NA compares as NA, not False: "open" is looked for among texts only
        open_rows = [i for i, r in enumerate(grid) if i and "open" in [v for v in r if isinstance(v, str)]]
        put(grid, open_rows[reopened[0] % len(open_rows)], cols[0], reopened[1])
    for i in range(owned_only_rows):  # a row of owned cells alone is no row of the sheet's
        grid, cols = columns_of(book, schema.POSITIONS, True)
        grid.append([None] * len(grid[0]))
        put(grid, len(grid) - 1, cols[i % len(cols)], 3)
    try:
        want = fresh_answer(book)
    except Exception as failed:  # noqa: BLE001 - a cell no backend reads (pd.NA) may fail analyse: so must the memo
        with pytest.raises(type(failed)):
            memo_answer(book)
        assert people_edits
        return
    got, reused = memo_answer(book)
    for field in dataclasses.fields(Analysis):
        assert picture(getattr(got, field.name)) == picture(getattr(want, field.name)), field.name
    if not people_edits:  # what sheetcrm wrote is no person's change
        assert reused
        assert not (ids_written and got.new_ids)


@pytest.mark.parametrize("ids, reused", [("as written", True), ("one retyped", False), ("one blanked", False),
                                         ("one other id", False), ("all blank again", True)])
def test_ids_the_kept_analysis_assigned_are_the_sheet_it_analysed_only_all_exactly(ids, reused):
    """The ids a sync assigned and wrote read back as the sheet the kept analysis was
    made of (it filled them in before reading anything); all of them, exactly, or none
    written (the sheet as it was): anything else is a person's edit."""
    book = workbook(9, 4, False)
    before = book.tabs[BASE.tab_title(schema.CANDIDATES)]
    blank = [i for i, r in enumerate(before) if i and r[0] is None]
    assert len(blank) == 2
    run(book, BASE, TODAY, NOW, memo=True)
    grid = book.tabs[BASE.tab_title(schema.CANDIDATES)]
    first = blank[0]
    change = {"as written": [], "one retyped": [(first, " " + grid[first][0])], "one blanked": [(first, None)],
              "one other id": [(first, "C-09999")], "all blank again": [(i, None) for i in blank]}[ids]
    for row, value in change:
        put(grid, row, 0, value)
    got, was_reused = memo_answer(book)
    assert was_reused is reused
    want = fresh_answer(book)
    for field in dataclasses.fields(Analysis):
        assert picture(getattr(got, field.name)) == picture(getattr(want, field.name)), field.name
    assert len(got.new_ids) == {"as written": 0, "all blank again": 2}.get(ids, len(want.new_ids))


@hyp_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(base=st.integers(0, 5), edit=EDIT, owned_edits=st.lists(EDIT, max_size=3))
def test_an_edit_to_a_persons_cell_is_never_answered_from_the_memo(base, edit, owned_edits):
    """Whatever else changed (owned cells too), a person's cell now holding another
    value, or an equal one of another type, means a fresh analysis."""
    book = settled(base, False)
    memo_answer(book)
    key, row, col, value = edit
    grid, cols = columns_of(book, key, owned=False)
    assume(len(grid) > 1)
    row, col = 1 + row % (len(grid) - 1), cols[col % len(cols)]
    old = grid[row][col] if col < len(grid[row]) else None
    assume((type(old), repr(old)) != (type(value), repr(value)))
    put(grid, row, col, value)
    for key, r, c, v in owned_edits:
        grid, cols = columns_of(book, key, owned=True)
        if len(grid) > 1 and cols:
            put(grid, 1 + r % (len(grid) - 1), cols[c % len(cols)], v)
    assert memo_answer(book)[1] is False


@pytest.mark.parametrize("reopened", [False, True])
def test_the_sync_after_a_writing_sync_reuses_the_analysis(reopened):
    """The resync reads the owned cells the sync wrote: no person changed anything, so
    the analysis is reused, and the sheet ends as it does with the memo off (a role
    whose backpocket cell a person blanked is told as reopened, as analyse tells it)."""
    rows = demo_data(12, TODAY, 5)
    for i, person in enumerate(rows[schema.CANDIDATES]):
        person[0] = person[0] or f"C-{900 + i:05d}"  # every id given: the sync writes owned cells only
    books = [MemoryBackend(), MemoryBackend()]
    for book in books:
        book.create(workbook_layout(BASE, rows))
    reports = []
    for book, memo in zip(books, (True, False)):
        first = run(book, BASE, TODAY, NOW, memo=memo)
        assert first[0]["written"] and not first[0]["ids_assigned"]
        if reopened:
            grid, cols = columns_of(book, schema.POSITIONS, owned=True)
            row = next(i for i, r in enumerate(grid) if i and r[grid[0].index("status")] == "open")
            put(grid, row, cols[0], None)  # backpocket_matches
            book.version += 1
        before = analysis_memo.stats["reused"]
        reports.append(run(book, BASE, TODAY, NOW + dt.timedelta(minutes=5), memo=memo))
        assert (analysis_memo.stats["reused"] > before) is memo
    assert reports[0] == reports[1]
    assert bool(reports[0][0]["new_roles"]) is reopened
    assert exact(books[0].tabs) == exact(books[1].tabs)
