"""The owned tabs a sync wrote, read back as written when Google holds exactly that (issue 20).

A sync compares each owned tab it made (Summary, Circle-backs, Issues) with the tab
as read (``sync._same_grid``). The memory backend gives back the very rows it was
given; Google gives back what it stores: blanks as None, dates as serial numbers,
whole floats as integers. Such a row is never equal to the one sheetcrm made, so
every row of the tab (24,000 at 10,000 candidates) took the cell-by-cell comparison,
and the plan of a sync with nothing to change cost half as much again as on the
memory backend.

So the rows sent are kept (:meth:`Written.note`) with what a values read of the tab
will give if Google holds them (:func:`read_back`). When a read gives exactly that
(the same values of the same types, :func:`gsheets_cells.same_as_read`), the
snapshot holds the rows as they were written: what Google holds is what ``to_cell``
made of them, so a person sees the same cells either way. Anything else (a person's
edit, a tab renamed or cleared, an API reading a value otherwise than expected)
reads as Google gave it, as before: the check costs a miss, never a wrong answer.
"""
from __future__ import annotations

import itertools
from typing import Any

from .gsheets_cells import same_as_read


def read_back(grid: list[list[Any]]) -> list[list[Any]]:
    """The columns a values read (UNFORMATTED_VALUE, SERIAL_NUMBER, majorDimension=COLUMNS)
    gives of a tab holding ``grid`` (the cells as sent RAW: "" blank): a whole float as a
    whole number, each column without its trailing blanks, no trailing empty columns."""
    columns = []
    for column in itertools.zip_longest(*grid, fillvalue=""):
        cells = [int(v) if type(v) is float and v.is_integer() else v for v in column]
        while cells and cells[-1] == "":
            cells.pop()
        columns.append(cells)
    while columns and not columns[-1]:
        columns.pop()
    return columns


class Written:
    """Per tab title: the rows last written and the columns a read of them gives."""

    def __init__(self) -> None:
        self._tabs: dict[str, tuple[list[list[Any]], list[list[Any]]]] = {}

    def note(self, sent: dict[str, tuple[list[list[Any]], list[list[Any]]]]) -> None:
        """``sent``: title -> (the rows written, the grid sent for them), once Google took them."""
        for title, (rows, grid) in sent.items():
            self._tabs[title] = (rows, read_back(grid))

    def rows(self, title: str, columns: list[list[Any]]) -> list[list[Any]] | None:
        """The rows last written to this tab (each a new list: the snapshot's own), if
        ``columns`` (the tab as read) is what they read back as; else None, and they are
        forgotten (the tab changed since)."""
        got = self._tabs.get(title)
        if got is None:
            return None
        rows, expected = got
        if len(columns) != len(expected) or not all(map(same_as_read, expected, columns)):
            del self._tabs[title]
            return None
        return [list(row) for row in rows]
