"""The same sync scenarios on memory, xlsx and Google Sheets (the stand-in, through
gspread over HTTP): init, sync, a person's edit, sync again. Every backend must end
with the same cells everywhere, Summary / Circle-backs / Issues included."""
from __future__ import annotations

import datetime as dt
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings as hyp_settings, strategies as st

from sheetcrm import api, schema
from sheetcrm.workbook.backends import base, memory
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


# -- the column-wise list of updates and the resolver reading it (issue 20) --------------------------
CELLS = [None, "", float("nan"), 0, 1, 1.0, 2.5, True, False, "1", "1.0", "TRUE", "x", " x", "é", "_x0041_",
         dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30), 46024, 46024.5, "2026-01-02", "C-00001"]
_update = st.builds(base.CellUpdate, st.sampled_from(["Candidates", "Pipeline"]), st.integers(1, 9),
                    st.integers(1, 5), st.sampled_from(CELLS),
                    st.lists(st.tuples(st.integers(1, 5), st.sampled_from(CELLS)), max_size=3).map(tuple))


@hyp_settings(max_examples=200, deadline=None)
@given(st.lists(_update, max_size=8), st.lists(_update, max_size=8), st.integers(-12, 12), st.integers(-12, 12))
def test_cell_updates_read_as_the_list_of_updates_given(first, more, i, j):
    cells = base.CellUpdates(first)
    cells += more[:2]
    assert list(cells) == first + more[:2]  # made once, then kept: later additions must show too
    cells.extend(more[2:4])
    for upd in more[4:]:
        cells.add(upd.tab, [upd.row], [upd.col], [upd.value], [upd.identity])
    want = first + more
    assert len(cells) == len(want) and list(cells) == want and cells == want and repr(cells) == repr(want)
    assert cells[i:j] == want[i:j] and cells[::-2] == want[::-2]
    if -len(want) <= i < len(want):
        assert cells[i] == want[i]
    assert base.Changes(cells=want).cells == want and base.Changes(cells=cells).cells is cells


@hyp_settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(CELLS), st.sampled_from(CELLS)), max_size=20))
def test_same_cells_is_same_cell_pairwise(pairs):
    olds, news = [a for a, _ in pairs], [b for _, b in pairs]
    assert base.same_cells(olds, news) == [same_cell(a, b) for a, b in pairs]


class _Text(str):
    """A str subclass: blank_cell reads it as a text (isinstance), as it reads str."""


@pytest.mark.parametrize("seed", range(20))
def test_same_cells_against_a_blank_old_cell_is_blank_cell_of_the_new_one(seed):
    """same_cells settles a blank (None) old cell without calling blank_cell for the
    usual new values (issue 20): the answer same_cell gives, pair by pair, for new
    values of every kind, exact types, subclasses and numpy's and pandas' own."""
    import random

    import numpy as np
    import pandas as pd

    pool = [*CELLS, _Text(""), _Text("x"), np.str_(""), np.str_("a"), np.float64("nan"), np.float64(0.0),
            np.int64(0), np.bool_(False), pd.Timestamp("2026-01-02"), pd.NaT, dt.time(0, 0), b"", float("-nan")]
    rnd = random.Random(seed)
    pairs = [(None if rnd.random() < 0.6 else rnd.choice(pool), rnd.choice(pool)) for _ in range(300)]
    olds, news = [a for a, _ in pairs], [b for _, b in pairs]
    assert base.same_cells(olds, news) == [same_cell(a, b) for a, b in pairs]


def reference_resolve_rows(cells, get, height):
    """resolve_rows as it was before issue 20's column-wise list: update by update."""
    out, skipped, index = [], set(), {}
    in_place = [not u.identity or all(same_cell(get(u.tab, u.row, c), v) or get(u.tab, u.row, c) == v
                                      and type(get(u.tab, u.row, c)) is type(v) for c, v in u.identity)
                for u in cells]
    claimed = {(u.tab, u.row) for u, ok in zip(cells, in_place) if ok and u.identity}
    for upd, ok in zip(cells, in_place):
        if ok:
            out.append((upd, upd.row))
            continue
        cols = tuple(c for c, _ in upd.identity)
        if (upd.tab, cols) not in index:
            index[(upd.tab, cols)] = {}
            for r in range(2, height(upd.tab) + 1):
                index[(upd.tab, cols)].setdefault(tuple(base._norm(get(upd.tab, r, c)) for c in cols), []).append(r)
        rows = index[(upd.tab, cols)].get(tuple(base._norm(v) for _, v in upd.identity), [])
        if len(rows) == 1 and (upd.tab, rows[0]) not in claimed:
            out.append((upd, rows[0]))
        else:
            skipped.add((upd.tab, upd.row))
    return out, len(skipped)


def random_resolve_case(rnd):
    """A grid read, the plan's updates (a row's cells sharing one identity object, some
    rows listed twice), then a person's sorting, editing and deleting before the write."""
    pool = ["Ann", "Bob", "Cy", None, "", 1, 1.0, True][: rnd.randint(2, 8)]
    grid = [["h1", "h2", "h3"]] + [[rnd.choice(pool) for _ in range(rnd.randint(0, 3))] for _ in range(rnd.randint(0, 9))]
    cells = base.CellUpdates()
    for row in rnd.sample(range(2, len(grid) + 2), rnd.randint(0, len(grid))):
        line = grid[row - 1] if row <= len(grid) else []
        ident = tuple((c, line[c - 1] if c <= len(line) else None) for c in rnd.sample([1, 2], rnd.randint(0, 2)))
        for col in rnd.sample([3, 4], rnd.randint(1, 2)):
            cells.add("T", [row], [col], ["new"], [ident if rnd.random() < 0.7 else tuple(ident)])
    now = [grid[0]] + rnd.sample(grid[1:], len(grid) - 1)
    for _ in range(rnd.randint(0, 3)):
        if len(now) > 1:
            r = rnd.randrange(1, len(now))
            if rnd.random() < 0.5:
                del now[r]
            else:
                now[r] = [rnd.choice(pool) for _ in range(2)]
    return cells, now


@pytest.mark.parametrize("seed", range(300))
def test_resolve_targets_lands_where_the_update_by_update_reference_does(seed):
    import random
    cells, now = random_resolve_case(random.Random(seed))
    backend = MemoryBackend({"T": now})
    def get(tab, row, col):
        return base.Sheet(tab, backend.tabs[tab]).cell(row, col)

    def height(tab):
        return len(backend.tabs[tab])

    want = reference_resolve_rows(list(cells), get, height)
    assert base.resolve_rows(cells, get, height) == want
    assert base.resolve_rows(list(cells), get, height) == want
    expected = [list(r) for r in now]
    for upd, row in want[0]:
        expected += [[] for _ in range(row - len(expected))]
        expected[row - 1] += [None] * (upd.col - len(expected[row - 1]))
        expected[row - 1][upd.col - 1] = upd.value
    result = backend.write(backend.read(), base.Changes(cells=cells))
    assert backend.tabs["T"] == expected and (result.cells_written, result.skipped_rows) == (len(want[0]), want[1])


@pytest.mark.parametrize("number", [10**20, -10**20, float("inf"), float("-inf"), float("nan"), 1e300])
@pytest.mark.parametrize("day", [dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30)])
def test_a_number_no_day_has_is_not_the_same_as_a_date_and_never_raises(number, day):
    # A person may type any number over a date sheetcrm wrote in an owned cell: the
    # plan must see a change, not stop the sync with an OverflowError.
    assert same_cell(number, day) is False and same_cell(day, number) is False
    assert base.same_cells([number, day], [day, number]) == [False, False]


@pytest.mark.parametrize("seed", range(300))
def test_identities_read_from_the_rows_are_the_identities_the_getter_reads(seed):
    """resolve_targets given the backend's rows (``lines``, issue 20) lands every update
    where it lands reading each identity cell through ``get``."""
    import random
    cells, now = random_resolve_case(random.Random(seed))
    tabs = {"T": now}
    def get(tab, row, col):
        return base.Sheet(tab, tabs[tab]).cell(row, col) if tab in tabs else None

    def height(tab):
        return len(tabs.get(tab, []))

    assert base.resolve_targets(cells, get, height, tabs.get) == base.resolve_targets(cells, get, height)
    other = base.CellUpdates([base.CellUpdate("Gone", 2, 1, "x", ((1, "a"),)), base.CellUpdate("T", 99, 1, "x", ((1, None),))])
    assert base.resolve_targets(other, get, height, tabs.get) == base.resolve_targets(other, get, height)


@pytest.mark.parametrize("seed", range(200))
def test_updates_known_in_place_land_where_the_checked_ones_do(seed):
    """``known`` (Changes.read_from, issue 20): updates whose identities were read from
    the very grid the write reads land where checking them lands them; updates added
    after them (a person's sort, other identities) are still checked."""
    import random
    rnd = random.Random(seed)
    plan, now = random_resolve_case(rnd)
    grid = [list(r) for r in now]
    cells = base.CellUpdates()
    for tab, row, col, value in zip(plan.tab, plan.row, plan.col, plan.value):  # identities read from ``grid``
        line = grid[row - 1] if row <= len(grid) else []
        cols = rnd.sample([1, 2], rnd.randint(0, 2))
        cells.add(tab, [row], [col], [value], [tuple((c, line[c - 1] if c <= len(line) else None) for c in cols)])
    known = len(cells)
    later, _ = random_resolve_case(rnd)  # identities read elsewhere: to be checked
    cells.add("T", later.row, later.col, later.value, later.identity)
    tabs = {"T": grid}

    def get(tab, row, col):
        return base.Sheet(tab, tabs[tab]).cell(row, col)

    def height(tab):
        return len(tabs[tab])

    for k in sorted({0, rnd.randint(0, known), known}):
        assert base.resolve_targets(cells, get, height, tabs.get, k) == base.resolve_targets(cells, get, height)
    planned = base.CellUpdates(list(cells)[:known])  # only the plan's: all known, none looked at
    for k in (known, known + 3):
        assert base.resolve_targets(planned, get, height, tabs.get, k) == base.resolve_targets(planned, get, height)


@pytest.mark.parametrize("seed", range(100))
def test_identities_given_as_a_function_read_as_the_list_it_makes(seed):
    """CellUpdates.add takes identities as a function (the plan's, issue 20): made once,
    when ``identity`` is first read, never when only the other columns are; the updates
    read as those added with the list itself, whatever was added before and after."""
    import random
    rnd = random.Random(seed)
    lazy, eager, calls = base.CellUpdates(), base.CellUpdates(), []
    for k in range(rnd.randint(0, 6)):
        n = rnd.randint(0, 4)
        rows, cols = [rnd.randint(1, 9) for _ in range(n)], [rnd.randint(1, 5) for _ in range(n)]
        values, idents = [rnd.random() for _ in range(n)], [((1, rnd.choice(["a", None, 1])),) for _ in range(n)]
        if rnd.random() < 0.3:
            upd = base.CellUpdate("T", 2, 3, k, ((2, k),))
            lazy.append(upd)
            eager.append(upd)
        eager.add("T", rows, cols, values, idents)
        if rnd.random() < 0.5:
            lazy.add("T", rows, cols, values, lambda idents=idents: calls.append(1) or list(idents))
        else:
            lazy.add("T", rows, cols, values, idents)
    assert (lazy.tab, lazy.row, lazy.col, lazy.value, len(lazy)) == (eager.tab, eager.row, eager.col, eager.value, len(eager))
    assert not calls
    made = len(lazy._later)
    assert lazy.identity == eager.identity and list(lazy) == list(eager) and len(calls) == made
    assert lazy.identity == eager.identity and len(calls) == made  # made once


def _put_one_by_one(tabs, tab_of, cols, values, rows):
    """The memory backend's write loop before issue 20's: every cell checked for padding."""
    for tab, col, value, row in zip(tab_of, cols, values, rows):
        if row is None:
            continue
        grid = tabs[tab]
        if len(grid) < row:
            grid.extend([] for _ in range(row - len(grid)))
        line = grid[row - 1]
        if len(line) < col:
            line.extend([None] * (col - len(line)))
        line[col - 1] = value


def _outcome(put, tabs, *updates):
    try:
        put(tabs, *updates)
    except Exception as exc:  # noqa: BLE001 - the same failure is part of the same behaviour
        return type(exc), repr(tabs)
    return None, repr(tabs)


@pytest.mark.parametrize("seed", range(400))
def test_memory_write_puts_each_cell_where_the_cell_by_cell_loop_does(seed):
    """memory._put (issue 20: padding only when a cell is missing) leaves every grid as
    the loop that checked each cell's row and column did, odd cells, short and missing
    rows, rows written twice, skipped updates and out-of-range rows and columns included."""
    import random

    from sheetcrm.workbook.backends import memory
    rnd = random.Random(seed)
    pool = [None, "", "  ", "x", "é😀", 0, 1, 1.0, True, False, float("nan"), dt.date(2026, 1, 2)]
    def grid():
        return [[rnd.choice(pool) for _ in range(rnd.randint(0, 5))] for _ in range(rnd.randint(0, 6))]
    tabs = {t: grid() for t in ("A", "B")[: rnd.randint(1, 2)]}
    n = rnd.randint(0, 30)
    updates = ([rnd.choice(list(tabs)) for _ in range(n)], [rnd.randint(0 if rnd.random() < 0.05 else 1, 8) for _ in range(n)],
               [rnd.choice(pool) for _ in range(n)],
               [None if rnd.random() < 0.2 else rnd.randint(0 if rnd.random() < 0.05 else 1, 10) for _ in range(n)])
    old = {t: [list(r) for r in g] for t, g in tabs.items()}
    assert _outcome(memory._put, tabs, *updates) == _outcome(_put_one_by_one, old, *updates)


@pytest.mark.parametrize("seed", range(200))
def test_the_memory_write_trusts_only_the_updates_read_from_the_snapshot_it_writes(seed):
    """The memory write takes the plan's updates as in place (memory._known) only when
    they were read from the snapshot it writes (its token proves the tabs are still
    those); updates added after them, or read from another snapshot, are checked: the
    tabs and the skipped rows are those of a write that checks every update."""
    import random
    rnd = random.Random(seed)
    grid = random_resolve_case(rnd)[1]
    books = [MemoryBackend({"T": grid}) for _ in range(3)]
    snaps = [b.read() for b in books]
    cells = base.CellUpdates()
    for row in rnd.sample(range(2, len(grid) + 2), rnd.randint(0, len(grid))):
        line = grid[row - 1] if row <= len(grid) else []
        ident = tuple((c, line[c - 1] if c <= len(line) else None) for c in rnd.sample([1, 2], rnd.randint(0, 2)))
        cells.add("T", [row], [rnd.choice([3, 4])], ["new"], [ident])
    known = len(cells)
    later, _ = random_resolve_case(rnd)  # identities of another grid: most rows must be skipped
    cells.add("T", later.row, later.col, later.value, later.identity)
    other = books[2].read()
    results = [book.write(snap, base.Changes(cells, read_from=read_from)) for book, snap, read_from
               in zip(books, snaps, [(snaps[0], known), None, (other, len(cells))])]
    reference = {"T": [list(r) for r in grid]}  # every update checked, outside the backend
    targets, skipped = base.resolve_targets(cells, memory._getter(reference), memory._height(reference), reference.get)
    memory._put(reference, cells.tab, cells.col, cells.value, targets)
    assert books[0].tabs == books[1].tabs == books[2].tabs == reference
    assert results[0].skipped_rows == results[1].skipped_rows == results[2].skipped_rows == skipped


def test_a_memory_sync_writes_what_a_write_checking_every_update_writes(settings, today, monkeypatch):
    from sheetcrm.workbook import sync
    books = []
    for trust in (True, False):
        if not trust:
            monkeypatch.setattr(memory, "_known", lambda snapshot, changes: 0)
        book = MemoryBackend({t.title: [list(t.header)] + [list(r) for r in t.rows]
                              for t in workbook_layout(settings, demo_data(300, today))})
        sync.sync(book, settings, today)
        books.append(book.tabs)
    assert books[0] == books[1]
