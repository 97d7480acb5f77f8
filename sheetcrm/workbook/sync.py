"""The main job: read -> validate -> classify -> compute -> diff -> write.

:func:`analyse` is pure (frames + today in, everything sheetcrm has to say out);
:func:`plan_changes` turns that into the cell changes that differ from what the
sheet holds now; :func:`sync` does the I/O around them. Only owned columns, blank
candidate_id cells and owned tabs are ever written (DESIGN §3).
"""
from __future__ import annotations

import collections
import contextlib
import dataclasses
import datetime as dt
import functools
import gc
import itertools
import operator
import time
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
from pandas.api.extensions import ExtensionDtype

from .. import schema
from ..core.analysis import Analysis
from .backends.base import (PLAIN_CELL_TYPES, Backend, CellUpdate, CellUpdates, Changes, Sheet, Snapshot, WriteResult,
                            same_cells)
from ..config import Settings
from ..rules import RulesAhead, load_rules
from . import analysis_memo, cores
from .second_core import analyse  # core's analyse, the reasons read on a second core meanwhile
from .sheet import Frames, TabMap, compacted, locate, to_frames


def plan_changes(snapshot: Snapshot, maps: dict[str, TabMap], analysis: Analysis) -> Changes:
    """Only the cells whose value differs from what the sheet holds now."""
    changes = Changes()
    for key, tmap in maps.items():
        _plan_tab(changes, snapshot.tabs[tmap.title], key, tmap, analysis)
    for tab in analysis.tabs:
        current = snapshot.find(tab.title)
        if current is None or not _same_grid(current.values, tab.rows, tab.volatile):
            changes.tabs.append(tab)
    changes.read_from = (snapshot, len(changes.cells))  # every identity above was read from its cells
    return changes


def _plan_tab(changes: Changes, sheet: Sheet, key: str, tmap: TabMap, analysis: Analysis) -> None:
    """One input tab's changes: headers of appended columns, new ids, then the owned
    cells that differ, row by row and left to right within a row (as a person reads
    the changes), then the stale owned cells of rows a person emptied."""
    tab = schema.INPUT_TAB_SCHEMAS[key]
    title, grid = tmap.title, sheet.values
    for name in tmap.appended:
        changes.cells.append(CellUpdate(title, 1, tmap.columns[name], name))
    id_cols = [tmap.columns[c] for c in tab.identity if c in tmap.columns]
    owned = analysis.owned[key]
    cols = [tmap.columns[name] for name in owned.columns]
    changes.labels.update({(title, c): n for n, c in tmap.columns.items()})
    if key == schema.CANDIDATES and analysis.new_ids:
        id_rows = list(analysis.new_ids)
        changes.cells.add(title, id_rows, [tmap.columns["candidate_id"]] * len(id_rows),
                          list(analysis.new_ids.values()),
                          functools.partial(_identities, _columns(grid, id_rows), range(len(id_rows)), id_cols))
    rows = owned.index.astype(np.int64).tolist()
    _add_differing(changes.cells, title, grid, rows, cols, [_cells(owned[name]) for name in owned.columns], id_cols)
    below = np.arange(2, len(grid) + 1)
    stale = below[np.isin(below, rows, invert=True)].tolist()  # rows a person emptied
    _add_differing(changes.cells, title, grid, stale, cols, [[None] * len(stale)] * len(cols), id_cols)


def _add_differing(cells: CellUpdates, title: str, grid: list[list[Any]], rows: list[int], cols: list[int],
                   news: list[list[Any]], id_cols: list[int]) -> None:
    """The cells at these rows and columns (``news``: the new values, a list per
    column) that a person would not see as the sheet's, in the order of ``rows`` and
    left to right. Compared a column at a time, against the sheet's grid turned into
    columns once; the changes gathered by position, at C speed (a first sync changes
    600,000 cells)."""
    if not rows or not cols:
        return
    column = _columns(grid, rows)
    same = np.empty((len(rows), len(cols)), dtype=bool)
    for j, col in enumerate(cols):
        same[:, j] = same_cells(column(col), news[j])
    at, on = np.nonzero(~same)
    if not len(at):
        return
    column.cache_clear()  # the compared columns are not kept for the identities
    # news read column after column: the cell (i, j) is at j * len(rows) + i
    values = list(itertools.chain.from_iterable(news))
    cells.add(title, np.asarray(rows)[at].tolist(), np.asarray(cols)[on].tolist(),
              list(map(values.__getitem__, (on * len(rows) + at).tolist())),
              functools.partial(_changed_rows_identities, column, at, id_cols))


def _changed_rows_identities(column: Callable[[int], Sequence[Any]], at: np.ndarray,
                             id_cols: list[int]) -> list[tuple[tuple[int, Any], ...]]:
    """The identity of each change's row (``at``: the changes' positions in ``column``'s
    rows, in row order), one identity object per row: made only when a backend asks
    (CellUpdates.add), from the cells as read."""
    first = np.empty(len(at), dtype=bool)  # the first change of each row
    first[0], first[1:] = True, at[1:] != at[:-1]
    idents = _identities(column, at[first].tolist(), id_cols)
    return list(map(idents.__getitem__, (np.cumsum(first) - 1).tolist()))


def _columns(grid: list[list[Any]], rows: list[int]) -> Callable[[int], Sequence[Any]]:
    """``column(col)``: the cells of a sheet column at these rows (None beyond a row's
    end), each column taken once and only if asked for (the plan needs the owned and
    identity columns, a third of a tab's), in C where every row reaches it."""
    height = len(grid)
    if rows and max(rows) <= height:
        lines = list(map(grid.__getitem__, map(operator.sub, rows, itertools.repeat(1))))
    else:
        lines = [grid[row - 1] if row <= height else () for row in rows]
    shortest = min(map(len, lines), default=0)

    @functools.cache
    def column(col: int) -> list[Any]:
        if col <= shortest:
            return list(map(operator.itemgetter(col - 1), lines))
        return [line[col - 1] if col <= len(line) else None for line in lines]
    return column


def _identities(column: Callable[[int], Sequence[Any]], at: Sequence[int],
                id_cols: list[int]) -> list[tuple[tuple[int, Any], ...]]:
    """Each row's identity (see CellUpdate) at these positions of ``column``'s rows."""
    if not id_cols:
        return [()] * len(at)
    per_col = []
    for c in id_cols:
        cells = column(c)
        per_col.append(zip(itertools.repeat(c), cells if len(at) == len(cells) else map(cells.__getitem__, at)))
    return list(zip(*per_col))


def _cells(values: pd.Series) -> list[Any]:
    """The column's cells as plain Python values: what ``Series.to_dict()`` gives
    (numpy scalars as Python's, pd.NA as None), without its per-cell cost."""
    if values.dtype != object:
        return list(values.to_dict().values()) if isinstance(values.dtype, ExtensionDtype) else values.tolist()
    cells = values.tolist()
    if _NATIVE.issuperset(map(type, cells)):  # the usual column: nothing to convert
        return cells
    return [v if type(v) in _NATIVE else _native(v) for v in cells]


_NATIVE = frozenset({str, type(None), int, float, bool, dt.date, dt.datetime, pd.Timestamp})


def _native(v: Any) -> Any:
    if isinstance(v, (float, np.floating)):
        return float(v)
    if isinstance(v, (int, np.integer)) and not isinstance(v, (bool, np.bool_)):
        return int(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.datetime64):
        return pd.Timestamp(v)
    if isinstance(v, np.timedelta64):
        return pd.Timedelta(v)
    return None if v is pd.NA else v


def _same_grid(old: list[list[Any]], new: list[list[Any]], volatile: frozenset[tuple[int, int]]) -> bool:
    """Does an owned tab already show these rows? Each cell as :func:`same_cells` sees
    it, a row's missing cells as blank; trailing blank rows don't count; volatile
    cells (the time of the sync) are not compared."""
    height, plain = _height(old), PLAIN_CELL_TYPES
    if height != _height(new):
        return False
    olds: list[Any] = []
    news: list[Any] = []
    for r in range(height):
        ra, rb = old[r], new[r]
        # Most rows are unchanged: equal lists of plain values of the same types
        # (what same_cell's fast case settles), checked at C speed.
        if plain.issuperset(map(type, ra)) and list(map(type, ra)) == list(map(type, rb)) and ra == rb:
            continue
        # The others (a Google or .xlsx tab reads blanks back as None, Google dates as
        # serial numbers, rows padded) compared together below, the shorter side
        # padded with blanks, volatile cells blank on both sides.
        if volatile:
            ra, rb = (_unstamped(r + 1, line, volatile) for line in (ra, rb))
        olds += ra
        news += rb
        if len(ra) != len(rb):
            (olds if len(ra) < len(rb) else news).extend([None] * abs(len(ra) - len(rb)))
    return all(same_cells(olds, news))


def _unstamped(r: int, line: list[Any], volatile: frozenset[tuple[int, int]]) -> list[Any]:
    """The row with its volatile cells blank (not compared)."""
    cols = [c for row, c in volatile if row == r and c <= len(line)]
    if not cols:
        return line
    line = list(line)
    for c in cols:
        line[c - 1] = None
    return line


def _height(grid: list[list[Any]]) -> int:
    """Rows up to the last one holding anything."""
    n = len(grid)
    while n and all(v is None or v == "" for v in reversed(grid[n - 1])):
        n -= 1
    return n


@dataclasses.dataclass
class SyncReport:
    rows_read: dict[str, int]
    errors: int
    warnings: int
    ids_assigned: int
    cells_changed: int
    tabs_rewritten: list[str]
    changed_columns: dict[str, int]  # "Tab.column" -> cells
    circle_backs_due: int
    circle_backs_overdue: int
    written: bool
    dry_run: bool
    skipped_rows: int
    seconds: float
    requests: int | None = None
    new_roles: list[str] = dataclasses.field(default_factory=list)  # issue 17: new or reopened roles' backpocket
    waited: str = ""  # this writer found the workbook's lock held and waited (write_lock.Wait.line)
    ids_restored: int = 0  # existing ids a person's sort put under a new one mid-write, put back

    @property
    def changed(self) -> bool:
        return bool(self.cells_changed or self.tabs_rewritten)

    def lines(self) -> list[str]:
        """What changed, for people."""
        read = ", ".join(f"{n} {k}" for k, n in self.rows_read.items())
        out = [self.waited] if self.waited else []
        out.append(f"read {read}; {self.errors} errors, {self.warnings} warnings")
        if not self.changed:
            out.append("no changes" + (" (dry run)" if self.dry_run else "; nothing written"))
            return out
        verb = "would change" if self.dry_run else "changed"
        if self.ids_assigned:
            out.append(f"assigned {self.ids_assigned} new candidate ids")
        for col, n in sorted(self.changed_columns.items()):
            out.append(f"{verb} {n} cells in {col}")
        if self.tabs_rewritten:
            out.append(("would rewrite " if self.dry_run else "rewrote ") + ", ".join(self.tabs_rewritten))
        if self.skipped_rows:
            out.append(f"skipped {self.skipped_rows} rows that changed while syncing; the next sync will update them")
        if self.ids_restored:
            out.append(f"restored {self.ids_restored} candidate ids that a sort during the sync had moved under new ones")
        out.append(f"circle-backs: {self.circle_backs_due} due, {self.circle_backs_overdue} overdue")
        out += [f"new or reopened role {line}" for line in self.new_roles]
        return out

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def load(backend: Backend, settings: Settings, compact: bool = True) -> tuple[Snapshot, dict[str, TabMap], Frames]:
    snapshot = backend.read()
    maps = locate(snapshot, settings)
    return snapshot, maps, to_frames(snapshot, maps, compact)


def read_suppressed(snapshot: Snapshot, settings: Settings) -> pd.DataFrame | None:
    sheet = snapshot.find(settings.tab_title(schema.SUPPRESSED))
    if sheet is None or not sheet.values:
        return None
    header = [schema.normalise_header(h) for h in sheet.values[0]]
    rows = [list(r) + [None] * (len(header) - len(r)) for r in sheet.values[1:]]
    return pd.DataFrame([r[: len(header)] for r in rows], columns=header)


def sync(backend: Backend, settings: Settings, today: dt.date, now: dt.datetime | None = None,
         dry_run: bool = False) -> SyncReport:
    """Read the workbook, compute everything, write what changed. Returns the report.
    One writer at a time from read to write (the workbook's write lock): a second
    one waits, then reads what the first wrote."""
    with without_cyclic_gc():
        if dry_run:
            return _sync(backend, settings, today, now, dry_run)
        with backend.exclusive() as held:
            report = _sync(backend, settings, today, now, dry_run)
    report.waited = held.wait.line() if held.wait else ""
    return report


@contextlib.contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Python's cyclic garbage collector, left on, walks every list the sync holds
    (a snapshot of 100,000 candidates is millions of objects) each time enough new
    ones are made: over a third of a large sync's time went there. A sync's data
    are freed by reference counting; cycles it leaves are collected after it, as
    before. The collector's state is restored however the sync ends."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _sync(backend: Backend, settings: Settings, today: dt.date, now: dt.datetime | None, dry_run: bool) -> SyncReport:
    started = time.perf_counter()
    # The frames' texts are copied together (sheet.compacted) only if analyse runs:
    # an unchanged sheet is not analysed twice in one process (analysis_memo).
    # The rules compile on another thread while the workbook is read (RulesAhead), when
    # a core is free for it (else the thread only takes turns with the read).
    rules = RulesAhead(settings, load_rules, thread=cores.idle_core())
    try:
        snapshot, maps, frames = load(backend, settings, compact=False)
    except BaseException:
        rules.join()  # no thread left behind; the read's error is the one to see
        raise
    analysis = analysis_memo.analysed(analyse, frames, settings, today, now, rules.get(),
                                      read_suppressed(snapshot, settings), prepare=compacted)
    changes = plan_changes(snapshot, maps, analysis)
    result = WriteResult()
    if changes and not dry_run:
        result = backend.write(snapshot, changes)
    return _report(analysis, changes, result, dry_run, time.perf_counter() - started, getattr(backend, "requests", None))


def _report(analysis: Analysis, changes: Changes, result: WriteResult, dry_run: bool, seconds: float,
            requests: int | None) -> SyncReport:
    cells, changed_columns = changes.cells, {}
    # Counted per (tab, column) at C speed, then labelled: a first sync changes 600,000 cells.
    counts = collections.Counter(itertools.compress(zip(cells.tab, cells.col), [r != 1 for r in cells.row]))
    for (tab, col), n in counts.items():
        label = f"{tab}.{changes.labels.get((tab, col), col)}"
        changed_columns[label] = changed_columns.get(label, 0) + n
    status = analysis.circle["circle_back_status"] if len(analysis.circle) else pd.Series(dtype=object)
    sev = analysis.issues["severity"]
    return SyncReport(
        rows_read={k: len(v) for k, v in analysis.frames.items()},
        errors=int((sev == "error").sum()),
        warnings=int((sev == "warning").sum()),
        ids_assigned=len(analysis.new_ids),
        cells_changed=len(changes.cells),
        tabs_rewritten=[t.title for t in changes.tabs],
        changed_columns=changed_columns,
        circle_backs_due=int((status == "due").sum()),
        circle_backs_overdue=int((status == "overdue").sum()),
        written=bool(changes) and not dry_run,
        dry_run=dry_run,
        skipped_rows=result.skipped_rows,
        ids_restored=result.restored_ids,
        seconds=round(seconds, 3),
        requests=requests,
        new_roles=list(analysis.new_roles),
    )
