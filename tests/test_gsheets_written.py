"""sheetcrm's own Google tabs read back as written (gsheets_written): the snapshot holds the
rows sheetcrm wrote only when Google holds exactly what they were sent as, and a sync then
leaves the sheet as a sync reading every tab as Google gives it (a fresh backend) does."""
from __future__ import annotations

import datetime as dt
import random

from test_gsheets import NOW, demo_tabs

from sheetcrm import api, schema
from sheetcrm.workbook.backends.gsheets import rows_of
from sheetcrm.workbook.backends.gsheets_cells import to_cell
from sheetcrm.workbook.backends.gsheets_written import Written, read_back

OWNED = ("Summary", "Circle-backs", "Issues")


def _cell(rng: random.Random):
    return rng.choice([
        "", "", "x", "two words", " padded ", 0, 7, -3, 10**6, 2.5, 3.0, -0.0, True, False,
        dt.date(2026, 1, 2), dt.datetime(2026, 3, 4, 12, 30), None, float("nan")])


def test_read_back_is_what_the_stand_in_reads_of_a_tab_holding_the_grid(gsheet):
    """The columns read_back expects are the ones a values read gives (random grids of
    what to_cell sends, ragged, blank rows and columns inside and at the ends)."""
    rng = random.Random(20)
    grids = []
    for _ in range(120):
        width = rng.randint(0, 5)
        grids.append([[to_cell(_cell(rng)) for _ in range(rng.choice([width, rng.randint(0, width)]))]
                      for _ in range(rng.randint(0, 6))])
    _key, backend = gsheet({f"T{i}": grid for i, grid in enumerate(grids)})
    read = backend.read()
    for i, grid in enumerate(grids):
        assert read.meta["columns"][f"T{i}"] == read_back(grid), grid


def test_rows_are_given_only_for_exactly_the_columns_they_read_back_as():
    rows = [["Issues", None], [dt.date(2026, 1, 2), 3.0, ""]]
    grid = [[to_cell(v) for v in row] for row in rows]
    written = Written()
    written.note({"Issues": (rows, grid)})
    columns = read_back(grid)
    assert columns == [["Issues", 46024], ["", 3]]
    got = written.rows("Issues", [list(c) for c in columns])
    assert got == rows and got[0] is not rows[0]  # the snapshot's own lists
    assert written.rows("Other", columns) is None
    for other in ([["Issues", 46024], ["", 3.0]], [["Issues", 46024], ["", 3], []], [["Issues", "46024"], ["", 3]],
                  [["Issues", 46024], [None, 3]], [["Issues", 46024, ""], ["", 3]]):
        fresh = Written()
        fresh.note({"Issues": (rows, grid)})
        assert fresh.rows("Issues", other) is None, other
        assert fresh.rows("Issues", columns) is None  # forgotten after a miss: the tab changed
    assert written.rows("Issues", columns) == rows  # kept while the tab reads so


def test_an_owned_tab_google_still_holds_as_written_is_read_as_written(gsheet, settings, today):
    key, backend = gsheet(demo_tabs(settings, today, n=30))
    api.sync_workbook(settings, today, NOW, backend=backend)
    snap = backend.read()
    circle = snap.find(settings.tab_title(schema.CIRCLE_BACKS)).values
    assert any(isinstance(v, dt.date) for row in circle for v in row)  # as written, not serial numbers
    _key, fresh = gsheet(like=key)
    plain = fresh.read().find(settings.tab_title(schema.CIRCLE_BACKS)).values
    assert plain == rows_of(fresh.read().meta["columns"][settings.tab_title(schema.CIRCLE_BACKS)])
    assert not any(isinstance(v, dt.date) for row in plain for v in row)


def _person(book, rng: random.Random, settings) -> str:
    """What a person may do between two syncs, to sheetcrm's tabs or to their own."""
    what = rng.choice(["nothing", "owned cell", "owned cell", "owned row gone", "owned row added", "owned tab cleared",
                       "own cell", "own row gone"])
    owned = book.tab(rng.choice(OWNED))
    r = rng.randrange(max(len(owned.grid), 1))
    c = rng.randrange(max(len(owned.grid[r]) if owned.grid else 1, 1))
    if what == "owned cell":
        owned.put(r, c, rng.choice(["typed", 12, 12.0, 46024, None, True]))
    elif what == "owned row gone" and len(owned.grid) > 1:
        owned.delete_rows(r + 1 if r else 1)
    elif what == "owned row added":
        owned.insert_rows(r + 1, [["a person's line", 3]])
    elif what == "owned tab cleared":
        owned.clear(0, 0, 10**6, 100)
    elif what in ("own cell", "own row gone"):
        tab = book.tab(settings.tab_title(rng.choice([schema.CANDIDATES, schema.PIPELINE])))
        row = rng.randrange(1, len(tab.grid))
        if what == "own row gone":
            tab.delete_rows(row)
        else:
            tab.put(row, rng.randrange(1, 4), rng.choice(["", "Someone Else", "rejected"]))
    return what


def test_a_sync_leaves_the_sheet_as_a_sync_reading_every_tab_as_google_gives_it(google, gsheet, settings, today):
    """Random edits between two syncs, on one spreadsheet synced by the backend that
    wrote it (owned tabs read as written when unchanged) and on a copy synced by a fresh
    backend (every tab as Google gives it): the same report and the same cells after."""
    rng = random.Random(11)
    for case in range(10):
        key, backend = gsheet(demo_tabs(settings, today, n=20, seed=case))
        api.sync_workbook(settings, today, NOW, backend=backend)
        what = _person(google.book(key), rng, settings)
        copy_key, fresh = gsheet(like=key)
        mine = api.sync_workbook(settings, today, NOW, backend=backend)
        plain = api.sync_workbook(settings, today, NOW, backend=fresh)
        assert (mine.cells_changed, mine.tabs_rewritten, mine.changed_columns) == \
            (plain.cells_changed, plain.tabs_rewritten, plain.changed_columns), (case, what)
        for tab in google.book(key).tabs:
            assert google.cells(key, tab.title) == google.cells(copy_key, tab.title), (case, what, tab.title)
