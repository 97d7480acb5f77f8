"""Workbook held in memory as lists of rows: tests, dry runs, benchmarks."""
from __future__ import annotations

from typing import Any

from ...errors import ConflictError, NotFoundError
from .base import Backend, Changes, Sheet, Snapshot, TabLayout, WriteResult, resolve_targets


class MemoryBackend(Backend):
    name = "memory"

    def __init__(self, tabs: dict[str, list[list[Any]]] | None = None):
        self.tabs: dict[str, list[list[Any]]] = {k: [list(r) for r in v] for k, v in (tabs or {}).items()}
        self.version = 0
        self.writes = 0

    def read(self) -> Snapshot:
        if not self.tabs:
            raise NotFoundError("the in-memory workbook is empty; run init first")
        # Cells are immutable values (str, numbers, dates, None): copying each row's
        # list keeps the snapshot apart from later writes and edits (both change a
        # row in place), as a deep copy would, at a fraction of its cost.
        return Snapshot({t: Sheet(t, [list(r) for r in v]) for t, v in self.tabs.items()}, token=self.version)

    def write(self, snapshot: Snapshot, changes: Changes) -> WriteResult:
        if snapshot.token != self.version:
            raise ConflictError("the workbook changed since it was read; nothing was written, the next sync will retry")
        result = WriteResult()
        cells = changes.cells
        targets, result.skipped_rows = resolve_targets(cells, _getter(self.tabs), _height(self.tabs), self.tabs.get,
                                                       _known(snapshot, changes))
        _put(self.tabs, cells.tab, cells.col, cells.value, targets)
        result.cells_written += len(targets) - targets.count(None)
        for tab in changes.tabs:
            self.tabs[tab.title] = [list(r) for r in tab.rows]
            result.tabs_written += 1
        self.version += 1
        self.writes += 1
        return result

    def create(self, layout: list[TabLayout], force: bool = False) -> None:
        self.tabs = {t.title: [list(t.header)] + [list(r) for r in t.rows] for t in layout}
        self.version += 1

    def edit(self, tab: str, row: int, col: int, value: Any) -> None:
        """A person typing into a cell (tests)."""
        grid = self.tabs[tab]
        while len(grid) < row:
            grid.append([])
        while len(grid[row - 1]) < col:
            grid[row - 1].append(None)
        grid[row - 1][col - 1] = value
        self.version += 1


def _put(tabs: dict[str, list[list[Any]]], tab_of: list[str], cols: list[int], values: list[Any],
         rows: list[int | None]) -> None:
    """Each value into its tab's cell (row, col), 1-based; a row of None is skipped.
    The grid, or a row, too short for a cell is padded (empty rows, None cells) up to it.
    A first sync puts 600,000 cells: the usual cell, inside a row already that wide,
    costs one indexing each way, the padding only where Python finds the row or
    column missing (IndexError), and a tab's grid is looked up once per run of its cells."""
    name, grid = None, None
    for tab, col, value, row in zip(tab_of, cols, values, rows):
        if row is None:
            continue
        if tab != name:
            name, grid = tab, tabs[tab]
        try:
            grid[row - 1][col - 1] = value
        except IndexError:
            if len(grid) < row:
                grid.extend([] for _ in range(row - len(grid)))
            line = grid[row - 1]
            if len(line) < col:
                line.extend([None] * (col - len(line)))
            line[col - 1] = value


def _known(snapshot: Snapshot, changes: Changes) -> int:
    """resolve_targets' ``known``: the token check above proves the tabs are still the
    ones ``snapshot`` copied, so the updates whose identities were read from it
    (``Changes.read_from``) are in place, as the .xlsx's fingerprint proves for its
    file (issue 20: at 100,000 candidates, 1.8 million identity tuples not made and
    370,000 rows not looked at again). Updates added after them are checked."""
    return changes.planned_from(snapshot)


def _getter(tabs: dict[str, list[list[Any]]]):
    """``get(tab, row, col)``: a cell as it is now (None beyond the grid), in one call."""
    def get(tab: str, row: int, col: int) -> Any:
        grid = tabs.get(tab)
        if grid is None or row - 1 >= len(grid):
            return None
        line = grid[row - 1]
        return line[col - 1] if col - 1 < len(line) else None
    return get


def _height(tabs: dict[str, list[list[Any]]]):
    return lambda tab: len(tabs.get(tab, []))
