"""The :batchUpdate builders (gsheets_requests): an owned tab's date columns get the
date format, found a column at a time."""
from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.schema import OwnedTab
from sheetcrm.workbook.backends import gsheets_requests as req

CELLS = st.one_of(st.none(), st.text(max_size=3), st.integers(0, 9), st.dates(),
                  st.datetimes(min_value=dt.datetime(1900, 1, 1)), st.floats(allow_nan=False))


def _formatted_columns(requests):
    return sorted(r["repeatCell"]["range"]["startColumnIndex"] for r in requests
                  if r.get("repeatCell", {}).get("cell", {}).get("userEnteredFormat", {}).get("numberFormat") == req.DATE_FORMAT)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(CELLS, max_size=5), min_size=1, max_size=8))
def test_a_column_gets_the_date_format_exactly_when_a_cell_below_its_header_is_a_date(rows):
    tab = OwnedTab("Issues", [["a", "b", "c", "d", "e"]] + rows)
    plain = {i for r in rows for i, v in enumerate(r, start=1) if isinstance(v, dt.date)}
    assert _formatted_columns(req.owned_tab_formats(7, tab, len(tab.rows) + 1)) == sorted(c - 1 for c in plain)
