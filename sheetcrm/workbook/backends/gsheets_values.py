"""The values write of a sync (gsheets_write): the cells of the people's tabs, each
column addressed by its marker (or a cell by its A1 range where a column has none),
and the owned tabs rewritten whole over their old extent. At 100,000 candidates a
first sync sends 1.4 million cells: they are grouped and turned into what the API
takes (``to_cell``) a column at a time, so that text and whole numbers, nearly all
of them, cost no call each."""
from __future__ import annotations

import itertools
from typing import Any

from . import gsheets_requests as req
from .base import CellUpdates, Changes, Snapshot
from .gsheets_cells import quote, to_cell


def value_filters(snapshot: Snapshot, changes: Changes, rows: list[int | None], plan: dict,
                  tabs_at: dict) -> list[dict]:
    """The values write: ``rows`` says where each of ``changes.cells`` lands (None: not written)."""
    data: list[dict] = []
    for (title, col), (at, values) in _by_column(changes.cells, rows).items():
        mid = plan["columns"].get((title, col))
        if mid is not None:  # the whole column, wherever it is now; null cells are left alone
            column: list[Any] = [None] * max(at)
            for r, value in zip(at, sent(values)):
                column[r - 1] = value  # a row given twice: its last value, as a dict by row would keep
            data.append({"dataFilter": {"developerMetadataLookup": {"metadataId": mid}},
                         "majorDimension": "COLUMNS", "values": [column]})
            continue
        for row, value in sorted(dict(zip(at, sent(values))).items()):
            data.append({"dataFilter": {"a1Range": f"{quote(title)}!{req.col_letter(col)}{row}"}, "values": [[value]]})
    for tab in changes.tabs:
        info, _ = tabs_at[tab.title]
        old = snapshot.find(info["name"]) if info is not None else None
        old_rows = old.values if old is not None else []
        height = max(len(tab.rows), len(old_rows), 1)
        width = max([len(r) for r in tab.rows] + [len(r) for r in old_rows] + [1])
        grid = _grid(tab.rows, width)
        grid += [[""] * width for _ in range(height - len(grid))]
        rng = {"sheetId": plan["tabs"][tab.title], "startRowIndex": 0, "endRowIndex": height,
               "startColumnIndex": 0, "endColumnIndex": width}
        data.append({"dataFilter": {"gridRange": rng}, "values": grid})
    return data


def left_alone(data: list[dict]) -> int:
    """The Nones of the values write ``data``: in a column addressed by its marker, the
    rows it does not write (its cells are :func:`sent`, never None). The JSON encoder
    takes that many nulls as meant (gsheets_json.encoded): one more could be a NaN."""
    return sum(d["values"][0].count(None) for d in data if d.get("majorDimension") == "COLUMNS")


def _by_column(cells: CellUpdates, rows: list[int | None]) -> dict[tuple[str, int], tuple[list[int], list[Any]]]:
    """{(tab, col): (rows, values)} of the cells written, in the plan's order."""
    by_col: dict[tuple[str, int], tuple[list[int], list[Any]]] = {}
    for tab, col, value, row in zip(cells.tab, cells.col, cells.value, rows):
        if row is not None:
            got = by_col.get((tab, col))
            if got is None:
                got = by_col[(tab, col)] = ([], [])
            got[0].append(row)
            got[1].append(value)
    return by_col


_AS_IS = frozenset({str, int})  # the cells to_cell sends unchanged: nearly all a sync writes


def sent(values: list[Any]) -> list[Any]:
    """:func:`to_cell` of each value, without its call for text and whole numbers."""
    return [v if type(v) in _AS_IS else to_cell(v) for v in values]


def _grid(rows: list[list[Any]], width: int) -> list[list[Any]]:
    """An owned tab's rows as sent: each ``width`` cells ("" past a row's end). Turned
    column by column, so that only the columns holding other cells than text and whole
    numbers (dates, blanks, rates) pay a call per cell (the Issues tab of 100,000
    candidates has 100,000 rows)."""
    columns = list(itertools.zip_longest(*rows, fillvalue=""))[:width] if rows else []
    columns += [("",) * len(rows)] * (width - len(columns))
    columns = [col if set(map(type, col)) <= _AS_IS else list(map(to_cell, col)) for col in columns]
    return [list(r) for r in zip(*columns)] if columns else [[] for _ in rows]
