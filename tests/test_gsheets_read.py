"""The Google read's cells (gsheets.rows_of): a tab read column by column becomes the
snapshot's rows, blanks as None, short rows padded; the same rows as the first way
(a comprehension per row, kept here as the reference) on any columns."""
from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.workbook.backends.gsheets import rows_of

CELLS = st.one_of(st.just(""), st.text(max_size=3), st.integers(-5, 10**6), st.booleans(),
                  st.floats(allow_nan=False), st.none())


def rows_one_by_one(columns: list[list]) -> list[list]:
    return [[None if v == "" else v for v in row] for row in itertools.zip_longest(*columns)] if columns else []


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=8), max_size=7))
def test_rows_of_columns_are_the_rows_made_one_by_one(columns):
    rows = rows_of(columns)
    assert rows == rows_one_by_one(columns)
    assert all(type(row) is list for row in rows)  # rows are lists, as every backend reads them


def test_a_tab_read_by_columns_is_its_rows():
    assert rows_of([["id", "C-1", "C-2"], ["name", "", "Bo"], ["note"]]) == [
        ["id", "name", "note"], ["C-1", None, None], ["C-2", "Bo", None]]
    assert rows_of([]) == [] and rows_of([[]]) == []
