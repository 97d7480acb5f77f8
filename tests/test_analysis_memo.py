"""An unchanged sheet is not analysed twice: a sync that reuses the last analysis
writes exactly what a fresh one writes, whatever changed in between."""
import datetime as dt
import random

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from sheetcrm import privacy, schema
from sheetcrm import rules as rules_mod
from sheetcrm.config import Settings
from sheetcrm.demo import demo_data
from sheetcrm.workbook import analysis_memo, sync
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.workbook.layout import workbook_layout

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 9, 30)
BASE = Settings(suppression_salt="pepper")
EDITS = ("none", "now", "day", "input_cell", "owned_cell", "same_cell", "retyped_cell", "add_row", "blank_row",
         "delete_row", "settings", "settings_retyped", "rules", "rules_recompiled", "suppressed", "owned_tab",
         "summary_gone", "input_header")
# What leaves every input of analyse but `now` as it was: the memo must be used.
KEEPS_INPUTS = {"none", "now", "same_cell", "owned_tab", "summary_gone", "input_header"}


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
    typed = rnd.choice({"owned_cell": [None, "", "stale", 7]}.get(kind, [
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
    sync.sync(book, BASE, TODAY, now=NOW)
    sync.sync(book, BASE, TODAY, now=NOW)  # reads what the first wrote: analysed afresh
    assert len(calls) == 2
    summary = BASE.tab_title(schema.SUMMARY)
    del book.tabs[summary]  # rewritten whole, title included, from the kept analysis
    report = sync.sync(book, BASE, TODAY, now=NOW + dt.timedelta(hours=2))
    assert len(calls) == 2 and analysis_memo.stats["reused"] >= 1
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
    ([float("nan")], [float("nan")], False),
    ([dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)],
     [dt.datetime(2026, 1, 1, 13, tzinfo=dt.timezone(dt.timedelta(hours=1)))], False),
    ([dt.datetime(2026, 1, 1, 1, 30)], [dt.datetime(2026, 1, 1, 1, 30, fold=1)], False),
    ([dt.date(2026, 1, 1)], [dt.datetime(2026, 1, 1)], False),
    ([pd.Timestamp("2026-01-01")], [pd.Timestamp("2026-01-01")], False),  # not a plain cell type: never trusted
    ([["a"]], [["a"]], False), ([pd.NA], [pd.NA], False), (["a", pd.NA], ["a", None], False),
])
def test_cells_are_the_same_only_in_type_and_value(old, new, same):
    assert analysis_memo._same_column(old, new) is same


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
