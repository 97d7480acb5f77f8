"""The values write (gsheets_values): what is sent is what to_cell makes of each cell,
however the cells are grouped to save the call per cell."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.workbook.backends import gsheets_values
from sheetcrm.workbook.backends.gsheets_cells import to_cell

CELLS = st.one_of(st.none(), st.text(max_size=4), st.integers(-10**12, 10**12), st.booleans(),
                  st.floats(allow_nan=True, allow_infinity=True), st.dates(),
                  st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.lists(st.text(max_size=2), max_size=2))


@pytest.mark.parametrize("value", ["text", "", 7, 0, True, False, None, 1.5, float("nan"), float("inf"),
                                   dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 12, 0), ["a", "b"]])
def test_sent_is_to_cell(value):
    assert gsheets_values.sent([value]) == [to_cell(value)]


def _plain_grid(rows, width):
    """The owned tab's rows as they were sent: to_cell of each cell, a row at a time."""
    return [[to_cell(r[c]) if c < len(r) else "" for c in range(width)] for r in rows]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=6), max_size=8), st.integers(0, 3))
def test_an_owned_tab_turned_column_by_column_is_never_other_than_row_by_row(rows, extra):
    width = max([len(r) for r in rows] + [1]) + extra
    assert gsheets_values._grid(rows, width) == _plain_grid(rows, width)
