"""The one small interface every backend implements (DESIGN §1).

* ``read()`` -> :class:`Snapshot`: every tab's cells in one go.
* ``write(snapshot, changes)``: one batch of cell changes plus whole owned tabs, in
  one go, only if the workbook is still the one we read (else ``ConflictError`` and
  nothing written), and each cell change only onto a row whose identity cells still
  hold what we read (see :class:`CellUpdate`).
* ``create(layout, force)``: make a new workbook with tabs, headers, dropdowns,
  frozen header rows and highlighting (``sheetcrm init``).

Cells are plain Python values: str, int, float, bool, datetime.date/datetime, None.
Rows and columns are 1-based, as the spreadsheet shows them.
"""
from __future__ import annotations

import abc
import dataclasses
import datetime as dt
import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Self

from ...schema import OwnedTab  # noqa: F401  (re-exported: backends take it in Changes)

# One named sans-serif font for every cell sheetcrm styles: a bold cell with no font
# name renders as a serif in LibreOffice. Arial is everywhere (LibreOffice maps it to
# the metric-compatible Liberation Sans), so widths computed for it hold in every client.
FONT_NAME = "Arial"
ROW_LINE_POINTS = 15  # the height of one line of text in a row (points)
LAST_ROW = 1_048_576  # dropdowns and highlighting reach the last row a workbook can have
from ...values import EXCEL_EPOCH
from .xlsx_text import legal_text


@dataclasses.dataclass
class Sheet:
    title: str
    values: list[list[Any]]  # row-major; values[0] is the header row (sheet row 1)

    def cell(self, row: int, col: int) -> Any:
        r = row - 1
        if r < len(self.values) and col - 1 < len(self.values[r]):
            return self.values[r][col - 1]
        return None


@dataclasses.dataclass
class Snapshot:
    tabs: dict[str, Sheet]  # by title, in workbook order
    token: Any = None  # backend's marker of the version read (conflict detection)
    meta: dict[str, Any] = dataclasses.field(default_factory=dict)

    def find(self, title: str) -> Sheet | None:
        if title in self.tabs:
            return self.tabs[title]
        folded = title.strip().casefold()
        for name, sheet in self.tabs.items():
            if name.strip().casefold() == folded:
                return sheet
        return None


@dataclasses.dataclass(frozen=True)
class CellUpdate:
    """Set one cell. ``identity`` lists (column, value as read) pairs of the row:
    the write lands only where those cells still hold those values (the row may
    have moved: backends that cannot rule that out look the row up by identity)."""

    tab: str
    row: int
    col: int
    value: Any
    identity: tuple[tuple[int, Any], ...] = ()


class CellUpdates(Sequence[CellUpdate]):
    """A list of :class:`CellUpdate` kept column-wise: a first sync of 100,000
    candidates plans over 600,000 of them, and one object per cell cost more than
    the plan's comparisons. It reads as a list of CellUpdate, made the first time it
    is gone through and kept for the next times (the Google write goes through it
    several times); ``tab``, ``row``, ``col``, ``value`` and ``identity`` are the
    columns, for the code that need not make them (the plan, ``resolve_targets``,
    the memory backend, the report).

    Identities may be given as a function that makes them (``add``), called the first
    time ``identity`` is read: the .xlsx write of a plan's updates never reads them
    (``Changes.read_from``), and the 1.8 million tuples of a first sync's identities
    at 100,000 candidates took a third of the plan, and time again to free (issue 20)."""

    __slots__ = ("_identity", "_later", "_made", "col", "row", "tab", "value")

    def __init__(self, updates: Iterable[CellUpdate] = ()):
        self.tab: list[str] = []
        self.row: list[int] = []
        self.col: list[int] = []
        self.value: list[Any] = []
        self._identity: list[tuple[tuple[int, Any], ...]] = []
        self._later: list[tuple[int, int, Callable[[], list]]] = []  # (start, count, make): identities not made yet
        self._made: list[CellUpdate] = []
        self.extend(updates)

    @property
    def identity(self) -> list[tuple[tuple[int, Any], ...]]:
        """The identities, one per update (those given as a function made now, once)."""
        if self._later:
            later, self._later = self._later, []
            for start, count, make in later:
                made = make()
                if len(made) != count:
                    raise ValueError(f"{len(made)} identities made for {count} updates")
                self._identity[start:start + count] = made
        return self._identity

    def append(self, upd: CellUpdate) -> None:
        self.add(upd.tab, [upd.row], [upd.col], [upd.value], [upd.identity])

    def extend(self, updates: Iterable[CellUpdate]) -> None:
        updates = list(updates)
        if not updates:
            return
        whole = len(self._made) == len(self.row)  # every update so far made: keep these objects too
        self.tab.extend([u.tab for u in updates])
        self.row.extend([u.row for u in updates])
        self.col.extend([u.col for u in updates])
        self.value.extend([u.value for u in updates])
        self._identity.extend([u.identity for u in updates])
        if whole:
            self._made.extend(updates)

    def __iadd__(self, updates: Iterable[CellUpdate]) -> Self:
        self.extend(updates)
        return self

    def add(self, tab: str, rows: list[int], cols: list[int], values: list[Any],
            identities: list[tuple[tuple[int, Any], ...]] | Callable[[], list]) -> None:
        """Updates of one tab, given as equally long columns; ``identities`` may be a
        function that makes their list, called when ``identity`` is first read."""
        if callable(identities):
            self._later.append((len(self.row), len(rows), identities))
            self._identity.extend(itertools.repeat((), len(rows)))  # their places, filled when made
        else:
            self._identity.extend(identities)
        self.tab.extend(itertools.repeat(tab, len(rows)))
        self.row.extend(rows)
        self.col.extend(cols)
        self.value.extend(values)

    def __len__(self) -> int:
        return len(self.row)

    def __iter__(self) -> Iterator[CellUpdate]:
        return iter(self._objects())

    def __getitem__(self, i: Any) -> Any:
        return self._objects()[i]

    def _objects(self) -> list[CellUpdate]:
        """The updates as objects: those added since the last time are made now."""
        made, n = self._made, len(self._made)
        if n < len(self.row):
            made.extend(map(CellUpdate, self.tab[n:], self.row[n:], self.col[n:], self.value[n:], self.identity[n:]))
        return made

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and list(self) == list(other)

    def __repr__(self) -> str:
        return repr(list(self))


@dataclasses.dataclass
class Changes:
    cells: CellUpdates = dataclasses.field(default_factory=CellUpdates)  # any list of CellUpdate is taken
    tabs: list[OwnedTab] = dataclasses.field(default_factory=list)
    labels: dict[tuple[str, int], str] = dataclasses.field(default_factory=dict)  # (tab, col) -> column name
    # (snapshot, n): the first n updates' identities were read from this very snapshot's
    # cells (plan_changes). A backend that knows its sheet is still that snapshot (the
    # .xlsx's fingerprint) finds those rows in place without reading them again:
    # resolve_targets' ``known`` (issue 20). Updates added after them are checked.
    read_from: tuple[Snapshot, int] | None = dataclasses.field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if not isinstance(self.cells, CellUpdates):
            self.cells = CellUpdates(self.cells)

    def planned_from(self, snapshot: Snapshot) -> int:
        """How many of the first updates have identities read from ``snapshot`` itself
        (``read_from``); 0 if they were read from another snapshot or none is known."""
        return self.read_from[1] if self.read_from is not None and self.read_from[0] is snapshot else 0

    def __bool__(self) -> bool:
        return bool(self.cells or self.tabs)

    @property
    def cells_written(self) -> int:
        return len(self.cells) + sum(sum(1 for v in r if v not in (None, "")) for t in self.tabs for r in t.rows)


@dataclasses.dataclass
class TabLayout:
    """What ``init`` creates for one tab."""

    title: str
    header: list[str]
    rows: list[list[Any]] = dataclasses.field(default_factory=list)
    dropdowns: dict[int, tuple[str, ...]] = dataclasses.field(default_factory=dict)  # col -> choices
    date_columns: tuple[int, ...] = ()
    # Highlight a row when the cell in this column is not empty (row_issues).
    highlight_nonempty_col: int | None = None
    # Highlight a row by the value in this column: {value: colour hex}
    highlight_values: tuple[int, dict[str, str]] | None = None
    owned_columns: tuple[int, ...] = ()
    key: str = ""  # schema's tab key (candidates, summary, ...): backends mark sheetcrm's tabs with it


@dataclasses.dataclass
class WriteResult:
    cells_written: int = 0
    tabs_written: int = 0
    skipped_rows: int = 0  # rows that moved or changed under us and were left for next time
    requests: int = 0
    restored_ids: int = 0  # existing ids a person's sort put under a new one mid-write, put back


class Backend(abc.ABC):
    name = "backend"

    @abc.abstractmethod
    def read(self) -> Snapshot: ...

    @abc.abstractmethod
    def write(self, snapshot: Snapshot, changes: Changes) -> WriteResult: ...

    @abc.abstractmethod
    def create(self, layout: list[TabLayout], force: bool = False) -> None: ...

    def describe(self) -> str:
        """Where this backend reads and writes, safe to print."""
        return self.name

    def exclusive(self) -> "Exclusive":
        """``with backend.exclusive() as held:`` -- one writer at a time from read to
        write (``held.wait``: whether and for whom we waited). Local workbooks take
        ``workbook.write_lock``; others need none here."""
        return Exclusive()

    def erase_traces(self, scrub: Any, own_rows: dict[str, set[int]]) -> int:
        """`forget`'s last step: erase the person from what no cell shows (comments,
        links, unused strings, properties). ``scrub(text, own) -> text``; ``own_rows``:
        tab title -> the person's rows. Returns the parts changed; a backend whose
        cells are all there is has nothing more to do."""
        return 0


class Exclusive:
    """No lock: nothing to wait for."""

    wait = None

    def __enter__(self) -> "Exclusive":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


def col_letter(col: int) -> str:
    """1 -> A, 27 -> AA (A1 notation, 1-based)."""
    if 0 < col < len(_LETTERS):
        return _LETTERS[col]
    return _letters(col)


def _letters(col: int) -> str:
    out = ""
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


_LETTERS = ["", *(_letters(c) for c in range(1, 1000))]  # the columns a sheet uses, looked up not computed


def col_number(letters: str) -> int:
    """A -> 1, AA -> 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


# Cells of these types that are equal (and of one type) look the same to a person.
PLAIN_CELL_TYPES = frozenset({str, int, float, bool, dt.date, type(None)})


def blank_cell(v: Any) -> bool:
    """Empty to a person: None, "" or NaN."""
    return v is None or (isinstance(v, str) and v == "") or (isinstance(v, float) and math.isnan(v))


def same_cell(a: Any, b: Any) -> bool:
    """Would a person see the same value? Blank == None; dates equal across
    date/datetime/serial forms; numbers equal across int/float/numeric text."""
    # The usual case first (a cell read back as sheetcrm wrote it), answered as the
    # rules below would: equal plain values of one type. Not datetimes (equal aware
    # instants can fall on different days) nor floats' NaN (never equal to itself).
    kind = type(a)
    if kind is type(b) and kind in PLAIN_CELL_TYPES and a == b:
        return True
    a_blank, b_blank = blank_cell(a), blank_cell(b)
    if a_blank or b_blank:
        return a_blank and b_blank
    if isinstance(a, (dt.date, dt.datetime)) or isinstance(b, (dt.date, dt.datetime)):
        return _as_day(a) == _as_day(b) and _as_day(a) is not None
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b or (str(a).upper() == str(b).upper())
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        try:
            return float(a) == float(b)
        except (TypeError, ValueError):
            return False
    a, b = str(a), str(b)
    # An .xlsx holds a character XML cannot hold as U+FFFD (xlsx_text): the same to see.
    return a == b or legal_text(a) == legal_text(b)


def same_cells(olds: Iterable[Any], news: Iterable[Any]) -> list[bool]:
    """:func:`same_cell` pairwise. Its usual cases are settled here without the call
    (the plan compares every owned cell): equal plain values of one type, and a
    blank old cell, which is the same as the new one when that one is blank; and a
    date Google read back as its serial number (the same day: same_cell's answer)."""
    plain, date, epoch, filled = PLAIN_CELL_TYPES, dt.date, EXCEL_EPOCH, _NEVER_BLANK
    # blank_cell(b) for a blank old cell, without the call for the usual new values (a
    # first sync of 100,000 candidates compares 630,000 blank owned cells: issue 20)
    return [(type(a) is type(b) and type(a) in plain and a == b)
            or ((b is None or (not b if type(b) is str else type(b) not in filled and blank_cell(b))) if a is None else
                (type(a) is int and type(b) is date and (b - epoch).days == a) or same_cell(a, b))
            for a, b in zip(olds, news)]


_NEVER_BLANK = frozenset({int, bool, dt.date, dt.datetime})  # exactly these types: blank_cell is False for each


def _as_day(v: Any) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return EXCEL_EPOCH + dt.timedelta(days=int(v))
        except (OverflowError, ValueError):  # a number no day has (huge, inf, NaN) is no date
            return None
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip()[:10])
        except ValueError:
            return None
    return None


def resolve_rows(cells: Iterable[CellUpdate], get, height) -> tuple[list[tuple[CellUpdate, int]], int]:
    """:func:`resolve_targets` as (update, row it lands on) pairs, the skipped left out."""
    cells = cells if isinstance(cells, CellUpdates) else CellUpdates(cells)
    targets, skipped = resolve_targets(cells, get, height)
    return [(upd, row) for upd, row in zip(cells, targets) if row is not None], skipped


def resolve_targets(cells: CellUpdates, get, height, lines=None, known: int = 0) -> tuple[list[int | None], int]:
    """Where does each update land now? At its row if the row's identity cells
    still match; else at the one row that matches (it moved); else nowhere (None:
    the row was deleted or edited, or is ambiguous): skipped until the next sync.
    ``get(tab, row, col)`` reads a current cell; ``height(tab)`` counts rows;
    ``lines(tab)``, where the backend has them, gives the rows ``get`` reads (lists
    of cells, None: no such tab), so the identity cells are read without a call each.
    ``known``: the first so many updates are in place, not looked at (their identities
    were read from the very cells ``get`` reads: ``Changes.read_from``).
    Returns the rows, one per update, and how many rows were skipped."""
    if known >= len(cells):  # every update in place (a plan's, written to the grid it read): nothing to look at
        return list(cells.row), 0
    skipped: set[tuple[str, int]] = set()
    index: dict[tuple[str, tuple[int, ...]], dict[tuple, list[int]]] = {}
    in_place = _in_place(cells, get, lines, known)
    tabs, rows = cells.tab, cells.row
    targets: list[int | None] = [r if ok else None for r, ok in zip(rows, in_place)]
    moved = [i for i, ok in enumerate(in_place) if not ok]
    identities = cells.identity if moved else []  # not made when every update is known in place
    # A row some update still finds in place is that update's: another row with the
    # same identity (a duplicate) may not be re-targeted onto it.
    claimed = {(t, r) for t, r, ident, ok in zip(tabs, rows, identities, in_place) if ok and ident} if moved else set()
    for i in moved:
        tab, ident = tabs[i], identities[i]
        cols = tuple(c for c, _ in ident)
        key = (tab, cols)
        if key not in index:
            by_values: dict[tuple, list[int]] = {}
            for r in range(2, height(tab) + 1):
                by_values.setdefault(tuple(_norm(get(tab, r, c)) for c in cols), []).append(r)
            index[key] = by_values
        found = index[key].get(tuple(_norm(v) for _, v in ident), [])
        if len(found) == 1 and (tab, found[0]) not in claimed:
            targets[i] = found[0]
        else:
            skipped.add((tab, rows[i]))
    return targets, len(skipped)


def _norm(v: Any) -> Any:
    if v is None or (isinstance(v, str) and v == ""):
        return None
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, float) and v == int(v):
        return int(v)
    return v


def _in_place(cells: CellUpdates, get, lines=None, known: int = 0) -> list[bool]:
    """Does each update's row still hold its identity? The first ``known`` do
    (resolve_targets). Checked once for a row's updates in a row (the plan lists a
    row's cells one after another, sharing one identity), again where a row comes
    back (an id, then its owned cells)."""
    known = min(max(known, 0), len(cells))
    out = [True] * known
    last: tuple = (None, None, None)
    ok = True
    line_of = None if lines is None else _Lines(lines).line
    if known == len(cells):
        return out  # identities not even made
    rest = (itertools.islice(column, known, None) for column in (cells.tab, cells.row, cells.identity))
    for tab, row, identity in zip(*rest):
        if not identity:
            out.append(True)
            continue
        if not (identity is last[2] and row == last[1] and tab == last[0]):
            last = (tab, row, identity)
            ok = _matches(get, tab, row, identity) if line_of is None else _line_matches(line_of(tab, row), identity)
        out.append(ok)
    return out


def _matches(get, tab: str, row: int, identity) -> bool:
    for c, v in identity:
        now = get(tab, row, c)
        # the same value of the same type is the same cell; anything else asks same_cell
        if not (now is v or (type(now) is type(v) and now == v) or same_cell(now, v)):
            return False
    return True


def _line_matches(line: Sequence[Any], identity) -> bool:
    """``_matches`` on the row's cells (``get`` reads None beyond a row's end)."""
    width = len(line)
    for c, v in identity:
        now = line[c - 1] if c - 1 < width else None
        if not (now is v or (type(now) is type(v) and now == v) or same_cell(now, v)):
            return False
    return True


class _Lines:
    """``line(tab, row)``: the row's cells from a backend's ``lines(tab)`` (empty
    beyond the grid), each tab's rows asked for once."""

    def __init__(self, lines):
        self.lines, self.grids = lines, {}

    def line(self, tab: str, row: int) -> Sequence[Any]:
        grid = self.grids.get(tab, self)
        if grid is self:
            grid = self.grids[tab] = self.lines(tab)
        if grid is None or row - 1 >= len(grid):
            return ()
        return grid[row - 1]
