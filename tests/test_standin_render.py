"""The stand-in's answers to a values read (tests/standin/model.py Tab.render): reading
column by column straight from the grid answers exactly what the rows made first and
then turned answered (the stand-in's first way, kept here as the reference)."""
from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.standin.model import Tab

CELLS = st.one_of(st.none(), st.text(max_size=3), st.integers(-5, 50000), st.booleans(),
                  st.floats(allow_nan=False, allow_infinity=False, min_value=0, max_value=2e6),
                  st.sampled_from([0.0, 3.0, 45000.0, 45000.5]))
OPTIONS = st.sampled_from([("UNFORMATTED_VALUE", "SERIAL_NUMBER"), ("UNFORMATTED_VALUE", "FORMATTED_STRING"),
                           ("FORMATTED_VALUE", "SERIAL_NUMBER"), ("FORMULA", "SERIAL_NUMBER")])


def rows_first(tab: Tab, r0: int, c0: int, r1: int, c1: int, value_option: str, date_option: str) -> list:
    """The first way of a ROWS read: render row by row, trim."""
    plain = value_option == "UNFORMATTED_VALUE" and date_option == "SERIAL_NUMBER" and not tab.formulas
    out: list[list[Any]] = []
    for r in range(r0, min(r1, len(tab.grid))):
        raw = tab.grid[r][c0:c1]
        if plain:
            row = ["" if v is None else (int(v) if type(v) is float and v.is_integer() else v) for v in raw]
        else:
            row = [tab._render(r, c0 + i, v, value_option, date_option) for i, v in enumerate(raw)]
        while row and row[-1] == "":
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


def rows_then_turned(tab: Tab, r0: int, c0: int, r1: int, c1: int, value_option: str, date_option: str) -> list:
    """The first way of a COLUMNS read: the rows, then turned into columns."""
    out = rows_first(tab, r0, c0, r1, c1, value_option, date_option)
    width = max((len(r) for r in out), default=0)
    cols = [[r[c] if c < len(r) else "" for r in out] for c in range(width)]
    for col in cols:
        while col and col[-1] == "":
            col.pop()
    return cols


@st.composite
def tabs(draw) -> Tab:
    """A tab as a sync and a person leave it: ragged rows, blanks, maybe formulas and dates."""
    grid = draw(st.lists(st.lists(CELLS, max_size=7), max_size=9))
    tab = Tab(7, "Candidates", rows=max(len(grid), 1) + draw(st.integers(0, 3)), cols=8)
    tab.grid = grid
    for r, c in draw(st.lists(st.tuples(st.integers(0, 9), st.integers(0, 7)), max_size=3)):
        if r < len(grid) and c < len(grid[r]) and grid[r][c] is not None:
            tab.formulas[(r, c)] = "=1+1"
    if draw(st.booleans()):
        tab.number_formats.append(((0, 1, tab.row_count, 2), {"type": "DATE", "pattern": "yyyy-mm-dd"}))
    return tab


@settings(max_examples=400, deadline=None)
@given(tabs(), st.integers(0, 10), st.integers(0, 8), st.integers(0, 12), st.integers(0, 9), OPTIONS)
def test_columns_read_straight_from_the_grid_are_the_rows_turned(tab, r0, c0, rows, cols, options):
    r1, c1 = r0 + rows, c0 + cols
    assert tab.render(r0, c0, r1, c1, *options, "COLUMNS") == rows_then_turned(tab, r0, c0, r1, c1, *options)
    assert tab.render(r0, c0, r1, c1, *options) == rows_first(tab, r0, c0, r1, c1, *options)


@settings(max_examples=100, deadline=None)
@given(tabs(), OPTIONS)
def test_a_whole_tab_read_by_columns_is_the_rows_turned(tab, options):
    whole = (0, 0, tab.row_count, tab.col_count)
    assert tab.render(*whole, *options, "COLUMNS") == rows_then_turned(tab, *whole, *options)
