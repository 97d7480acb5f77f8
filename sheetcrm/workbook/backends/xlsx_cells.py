"""Values and cells as the zip patch writer (``xlsx_patch``) writes them: the XML of a
cell for each kind of value, found or created in its row, as an lxml element
(``fill``: cells updated in place) or as text (``cell_xml``: owned tabs written as
a stream). Both write the same XML for the same value (tests/test_xlsx_stream.py)."""
from __future__ import annotations

import datetime as dt
import functools
import math
import numbers
import re
from collections.abc import Callable
from typing import Any

from lxml import etree

from .base import col_letter
from .xlsx_text import legal_text
from .xlsx_zip import DATE_FORMAT, XML_SPACE, _Package, _q, _split_ref, _Styles, _Unpatchable

# -- values ----------------------------------------------------------------------
_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (1900 system), as openpyxl's to_excel counts


def excel_serial(value: dt.date) -> float:
    """openpyxl's ``to_excel`` for the dates the patcher writes (from 1900-03-01 on),
    without importing openpyxl (most of a small write's time)."""
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        raise _Unpatchable("timezone-aware datetime")
    day = value.date() if isinstance(value, dt.datetime) else value
    if not day >= dt.date(1900, 3, 1):  # the 1900 leap-year bug zone: openpyxl decides
        raise _Unpatchable("date before 1900-03-01")
    if not isinstance(value, dt.datetime):
        value = dt.datetime.combine(value, dt.time())
    seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 10**6
    return (value - _EPOCH).days + seconds / 86400


def number_text(v: float | int) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            raise _Unpatchable("NaN or infinite number")
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    return str(v)


def value_kind(value: Any) -> tuple[str, Any]:
    """('n'|'b'|'s'|'d'|'none', normalised value)."""
    if type(value) is str and value:  # most cells: skip the checks below
        return "s", legal_text(value)
    if value is None or (isinstance(value, str) and value == ""):
        return "none", None  # openpyxl too writes no value for an empty string
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "b", bool(value)
    if isinstance(value, str):
        return "s", legal_text(str(value))
    if isinstance(value, dt.datetime) or isinstance(value, dt.date):
        try:
            return "d", number_text(float(excel_serial(value)))
        except (TypeError, ValueError, OverflowError, AttributeError):
            raise _Unpatchable(f"date {value!r}") from None
    if isinstance(value, numbers.Integral):
        return "n", number_text(int(value))
    if isinstance(value, numbers.Real):
        return "n", number_text(float(value))
    raise _Unpatchable(f"value of type {type(value).__name__}")


_C, _V, _IS, _T, _F = (_q(tag) for tag in ("c", "v", "is", "t", "f"))


def fill(c: etree._Element, value: Any, styles: _Styles) -> None:
    """Set cell element ``c``'s value (keeping its style unless a date needs one)."""
    kind, v = value_kind(value)
    del c[:]
    c.attrib.pop("t", None)
    if kind == "none":
        return
    if kind == "s":
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, _IS), _T)
        t.text = v  # legal_text made it XML-legal
        t.set(XML_SPACE, "preserve")
        return
    if kind == "b":
        c.set("t", "b")
        etree.SubElement(c, _V).text = "1" if v else "0"
        return
    if kind == "d":
        c.set("s", str(styles.xf(int(c.get("s", "0")), DATE_FORMAT)))
    etree.SubElement(c, _V).text = v


# -- cells of a row (shared by the tree and the stream) ---------------------------
@functools.lru_cache(maxsize=None)
def _columns() -> dict[str, int]:
    """Column letters -> number, A to XFD (the last column a workbook can have)."""
    return {col_letter(n): n for n in range(1, 16_385)}


@functools.cache
def _column_bytes() -> dict[bytes, int]:
    return {letters.encode(): n for letters, n in _columns().items()}


def row_cells(row_el: etree._Element, row: int) -> dict[int, etree._Element]:
    """Column -> cell element of a ``<row>``; refuses references it cannot read."""
    cells = {}
    suffix = str(row)
    cut = -len(suffix)
    columns = _columns()
    for c in row_el.iterchildren(_C):
        ref = c.get("r") or ""
        col = columns.get(ref[:cut]) if ref.endswith(suffix) else None
        if col is None:
            raise _Unpatchable(f"cell reference {ref!r} in row {row}")
        cells[col] = c
    return cells


def cells_for(row_el: etree._Element, row: int, cols) -> dict[int, etree._Element]:
    """``row_cells``, or only the row's last cell when every column in ``cols``
    comes after it (the usual case: sheetcrm's columns are blank and last, so their
    cells are appended and the rest of the row need not be read)."""
    last = row_el[-1] if len(row_el) else None
    if last is not None and last.tag == _C:
        ref = last.get("r") or ""
        suffix = str(row)
        col = _columns().get(ref[:-len(suffix)]) if ref.endswith(suffix) else None
        if col is not None and col < min(cols):
            return {col: last}
    return row_cells(row_el, row)


def cell_at(row_el: etree._Element, cells: dict[int, etree._Element], row: int, col: int) -> etree._Element:
    """The cell at ``col`` of the row, created in column order if missing."""
    c = cells.get(col)
    if c is None:
        c = etree.SubElement(row_el, _C, r=f"{col_letter(col)}{row}")  # made in its document: no namespace fixing
        if cells and col < max(cells):
            cells[min(k for k in cells if k > col)].addprevious(c)
        cells[col] = c
        spans = row_el.get("spans")
        if spans:
            lo, _, hi = spans.partition(":")
            if lo.isdigit() and hi.isdigit():
                row_el.set("spans", f"{min(int(lo), col)}:{max(int(hi), col)}")
            else:
                del row_el.attrib["spans"]
    return c


def set_cell(pkg: _Package, c: etree._Element, value: Any, styles: _Styles, formulas_tracked: bool) -> None:
    if c.get("vm") is not None or c.get("cm") is not None:
        raise _Unpatchable("cell with rich value or array metadata")
    f = c.find(_F)
    if f is not None:
        child = f.get("t") == "shared" and f.get("ref") is None and not f.text  # its group's text is elsewhere
        if f.get("t") in ("shared", "array", "dataTable") and not child:
            raise _Unpatchable("overwriting a shared formula's first cell or an array formula")
        if formulas_tracked:
            pkg.drop_calc_chain = True  # Excel rebuilds its calculation chain
    fill(c, value, styles)


def grown(ref: str, max_row: int, max_col: int) -> str:
    """A ``<dimension ref>`` grown to hold the cell at (max_row, max_col)."""
    first, _, last = ref.partition(":")
    r0, c0 = _split_ref(first)
    r1, c1 = _split_ref(last or first)
    return f"{col_letter(c0)}{r0}:{col_letter(max(c1, max_col))}{max(r1, max_row)}"


def escaped(text: str) -> str:
    """``text`` as XML character data: & < > escaped, and a carriage return as a
    reference (a parser would read it as a newline). Four replaces in C run 4x as fast
    as the translate with a table they replace (issue 20: 130,000 distinct texts in
    a 100,000-candidate write); "&" first, so no escape another one adds is escaped again."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")


def cell_xml(ref: str, style: int, kind: str, v: Any) -> str:
    """The text of a cell holding a value ``value_kind`` gave (``kind`` not 'none'),
    as ``fill`` writes it."""
    return f'<c r="{ref}" s="{style}"' + _value_xml(kind, v)


def _value_xml(kind: str, v: Any) -> str:
    """A cell's text from its type attribute to its end: the one place that says how
    each kind of value is written (``cell_xml``, ``_cell_tail``)."""
    if kind == "s":
        return f' t="inlineStr"><is><t xml:space="preserve">{escaped(v)}</t></is></c>'
    if kind == "b":
        return f' t="b"><v>{"1" if v else "0"}</v></c>'
    return f"><v>{v}</v></c>"


# -- new cells spliced into a row's bytes (issue 20) -------------------------------
# Most rows a sync edits only gain cells (sheetcrm's columns start blank): they are
# written here as bytes, the row's own bytes kept as they were, instead of parsing
# the row and serialising it again. Anything else is left to the tree (None).
_ROW_HEAD = re.compile(rb'<row(?:\s+[^\s=<>/]+\s*=\s*(?:"[^"<]*"|\'[^\'<]*\'))*\s*/?>')
_CELL_TAG = re.compile(rb"<c(?=[\s/>])[^>]*>")
_CELL_REF = re.compile(rb'\sr\s*=\s*["\']([A-Z]{1,3})(\d+)["\']')
_SPANS = re.compile(rb'(\sspans\s*=\s*)(["\'])(.*?)\2')
_SPANS_VALUE = re.compile(rb"(\d+):(\d+)")
_FORMULA_OR_EXT = re.compile(rb"<f|<extLst")  # a row left to the tree: one pass, not two


def _cell_tail(value: Any, date_style: Callable[[], int]) -> str:
    """The text of the cell ``cell_at`` makes once ``fill`` has set ``value``, after
    its ``<c r="A1"``: all that depends on the value."""
    kind, v = value_kind(value)
    if kind == "none":
        return "/>"
    if kind == "d":
        return f' s="{date_style()}"' + _value_xml(kind, v)
    return _value_xml(kind, v)


class CellTails(dict):
    """``_cell_tail`` as bytes, remembered per (type, value) for one write: a sync
    writes the same few values (a class, a category) into thousands of rows."""

    def __init__(self, date_style: Callable[[], int]):
        super().__init__()
        self.date_style = date_style
        # A row's new cells, as bytes split where the row's number goes, per tuple of
        # (column, value): rows repeat the same few (class, category) pairs (issue 20).
        self.runs: dict[tuple, list[bytes]] = {}

    def __missing__(self, key: tuple[type, Any]) -> bytes:
        tail = _cell_tail(key[1], self.date_style).encode("utf-8")
        if len(self) < 200_000:  # bounded: distinct texts are not worth keeping all
            self[key] = tail
        return tail


def _last_cell(row: bytes, start: int, end: int) -> int:
    """Where the last ``<c`` tag between ``start`` and ``end`` begins (-1: none)."""
    while (end := row.rfind(b"<c", start, end)) >= 0 and row[end + 2:end + 3] not in _AFTER_C:
        pass
    return end


_LETTER_BYTES = [col_letter(c).encode() if c else b"" for c in range(1000)]
_AFTER_C = (b" ", b"\t", b"\n", b"\r", b"/", b">")


def _cell_col(row: bytes, at: int, suffix: bytes) -> int | None:
    """The column of the cell whose tag starts at ``at`` (None: not a reference in this row)."""
    if row.startswith(b'<c r="', at):  # as every writer puts it: the reference read without a regex
        ref = row[at + 6:row.find(b'"', at + 6)]
        if ref.endswith(suffix):
            col = _column_bytes().get(ref[:-len(suffix)])
            if col is not None:  # letters A to XFD, then this row's number: what the regex reads too
                return col
    ref = _CELL_REF.search(row, at, row.find(b">", at) + 1)
    return _columns().get(ref.group(1).decode()) if ref and ref.group(2) == suffix else None


def _cells_in(row: bytes, start: int, end: int, number: int, first_new: int) -> list[tuple[int, int]] | None:
    """(byte offset, column) of the row's cells in file order: only the last one
    when it comes before ``first_new`` (the tree edit, ``cells_for``, reads no
    more either); None when a reference is not this row's or columns do not ascend."""
    suffix = b"%d" % number
    last = _last_cell(row, start, end)
    if last < 0:
        return []
    col = _cell_col(row, last, suffix)
    if col is None:
        return None
    if col < first_new:
        return [(last, col)]
    have: list[tuple[int, int]] = []
    for m in _CELL_TAG.finditer(row, start, end):
        col = _cell_col(row, m.start(), suffix)
        if col is None or (have and col <= have[-1][1]):
            return None
        have.append((m.start(), col))
    return have


def row_with_new_cells(row: bytes | None, number: int, cells: list[tuple[int, Any]],
                       tails: CellTails) -> bytes | None:
    """``row`` (one ``<row>`` element's bytes as ``xlsx_stream`` hands them, no prefixed
    element in it; None: a row to create) with a cell for each (column, value) of
    ``cells``, as the tree edit (``cell_at`` + ``fill``) would give, when every column
    is one the row has no cell in. None when that is not sure (a cell there already,
    a formula, a reference or ``spans`` it cannot read): the caller edits that row as
    a tree."""
    if row is None:
        row = b'<row r="%d"/>' % number
    if not cells or _FORMULA_OR_EXT.search(row):
        return None
    if len(cells) > 1 and not _ascending(cells):  # the plan lists them left to right
        cells = sorted(cells, key=_column_of)
        if not _ascending(cells):
            return None  # a column twice
    first = cells[0][0]
    usual = _after_last_cell(row, number, first)
    if usual is not None:  # most rows a sync edits: written without a regex (issue 20)
        return row[:usual] + _closing_cells(cells, number, tails)
    tag = _ROW_HEAD.match(row)
    if tag is None:
        return None
    head_end = tag.end()
    closed = row[head_end - 2] == 47  # "/>": a row with no cells yet
    head = row[:head_end - 2] + b">" if closed else row[:head_end]
    body_end = len(row) if closed else row.rindex(b"</row>")
    have = _cells_in(row, head_end, body_end, number, first)
    if have is None:
        return None
    if (spans := _SPANS.search(head)) is not None:
        lo_hi = _SPANS_VALUE.fullmatch(spans.group(3))
        if lo_hi is None:
            return None
        lo, hi = min(int(lo_hi.group(1)), first), max(int(lo_hi.group(2)), cells[-1][0])
        head = head[:spans.start(3)] + b"%d:%d" % (lo, hi) + head[spans.end(3):]
    if have and have[-1][1] >= first:  # cells among the row's own: each put in its place
        return _among(row, head, head_end, body_end, have, cells, number, tails)
    # The usual row: every new cell after the row's last one.
    return head + row[head_end:body_end] + _closing_cells(cells, number, tails)


def add_new_cells(rows: list[bytes], where: list[int], numbers: list[int],
                  updates: dict[int, list[tuple[int, Any]]], tails: CellTails) -> bool:
    """``row_with_new_cells`` for the rows of a piece at once (``xlsx_stream.RowStream``'s
    ``append``): ``rows[i]``, a row's bytes up to its ``</row>`` written ``<row r="N">``
    with no ``<f`` or ``<extLst`` in it, gets the cells ``updates[n]``, for each ``i``, ``n``
    of ``where``, ``numbers``. The usual row (every new cell after its last one, columns
    in order) is checked and written here without a call per row: a first sync of
    100,000 candidates adds cells to 280,000 rows (issue 20). False where
    ``row_with_new_cells`` declines: the rows are then partly edited, to be dropped."""
    columns, runs = _column_bytes(), tails.runs
    for i, number in zip(where, numbers):
        row, cells = rows[i], updates[number]
        last = row.rfind(b"<c")
        if (last >= 0 and (len(cells) == 1 or _ascending(cells))
                and _plain_cell_left_of(row, last, len(row), number, cells[0][0], columns)):  # the usual row
            try:
                parts = runs.get(tuple(cells))
            except TypeError:
                parts = None
            rows[i] = row + ((b"%d" % number).join(parts) if parts is not None else _cells_bytes(cells, number, tails))
            continue
        done = row_with_new_cells(row + b"</row>", number, cells, tails)
        if done is None:
            return False
        rows[i] = done[:-6]  # it ends with the </row> given
    return True


def _ascending(cells: list[tuple[int, Any]]) -> bool:
    """Each column right of the one before (a loop: a generator cost more than the check)."""
    prev = cells[0][0]
    for i in range(1, len(cells)):
        col = cells[i][0]
        if col <= prev:
            return False
        prev = col
    return True


def _after_last_cell(row: bytes, number: int, first_new: int) -> int | None:
    """Where the usual row's new cells go (before its ``</row>``), found without a
    regex: a row tag with no attribute but its number (as openpyxl and sheetcrm
    write it: no ``spans`` to widen), whose last cell is a plain ``<c r="..."``
    of this row left of ``first_new``. None: anything else (``row_with_new_cells``
    then reads the row in full)."""
    plain = b'<row r="%d">' % number
    if not row.startswith(plain) or not row.endswith(b"</row>"):
        return None
    body_end = len(row) - 6
    last = row.rfind(b"<c", len(plain), body_end)
    if last < 0:
        return body_end if row.find(b"<", len(plain), body_end) < 0 else None  # only whitespace inside
    return body_end if _plain_cell_left_of(row, last, body_end, number, first_new, _column_bytes()) else None


def _plain_cell_left_of(row: bytes, last: int, end: int, number: int, first_new: int,
                        columns: dict[bytes, int]) -> bool:
    """The cell starting at ``last`` (before ``end``) is a plain ``<c r="..."`` of row
    ``number`` in a column left of ``first_new``: the usual row's last cell, for
    ``_after_last_cell`` and ``add_new_cells`` alike."""
    if not row.startswith(b'<c r="', last):
        return False
    quote = row.find(b'"', last + 6, end)
    suffix = b"%d" % number
    ref = row[last + 6:quote]
    if quote < 0 or not ref.endswith(suffix):
        return False
    col = columns.get(ref[:-len(suffix)])
    return col is not None and col < first_new


def _column_of(cell: tuple[int, Any]) -> int:
    return cell[0]


_CELL_OPENS = [b'<c r="' + letters for letters in _LETTER_BYTES]


def _new_cells(cells: list[tuple[int, Any]], number: int, tails: CellTails) -> list[bytes]:
    """The XML of each new cell of row ``number``, in the order of ``cells``."""
    suffix = b'%d"' % number
    out = []
    for col, value in cells:
        out += (_cell_open(col), suffix, _tail(value, tails))
    return out


def _cell_open(col: int) -> bytes:
    return _CELL_OPENS[col] if col < len(_CELL_OPENS) else b'<c r="' + col_letter(col).encode()


def _tail(value: Any, tails: CellTails) -> bytes:
    try:
        return tails[type(value), value]
    except TypeError:  # an unhashable value: value_kind says what it is
        return _cell_tail(value, tails.date_style).encode("utf-8")


_RUN_TYPES = (str, dt.date)  # what a remembered run may hold: no two such values of other types are equal
_RUNS = 100_000


def _closing_cells(cells: list[tuple[int, Any]], number: int, tails: CellTails) -> bytes:
    """``_new_cells`` and the row's ``</row>`` as one bytes."""
    return _cells_bytes(cells, number, tails) + b"</row>"


def _cells_bytes(cells: list[tuple[int, Any]], number: int, tails: CellTails) -> bytes:
    """``_new_cells`` as one bytes, from the remembered run of the same (column,
    value) pairs when there is one: one join per row, not a few appends per cell.
    A run is kept only when each value is exactly a str or a date, so a lookup
    never mistakes ``True`` for ``1`` (equal, written differently)."""
    try:
        parts = tails.runs.get(key := tuple(cells))
    except TypeError:  # an unhashable value (or one that cannot say whether it is equal)
        parts = key = None
    if parts is None:
        parts, pending = [], b""
        for col, value in cells:  # '<c r="K' | row number | '"' + the rest of the cell ...
            parts.append(pending + _cell_open(col))
            pending = b'"' + _tail(value, tails)
        parts.append(pending)
        if key is not None and len(tails.runs) < _RUNS and all(type(v) in _RUN_TYPES for _, v in cells):
            tails.runs[key] = parts
    return (b"%d" % number).join(parts)


def _among(row: bytes, head: bytes, head_end: int, body_end: int, have: list[tuple[int, int]],
           cells: list[tuple[int, Any]], number: int, tails: CellTails) -> bytes | None:
    """``row_with_new_cells`` where new cells go between the row's own (``have``:
    their offsets and columns, in order); None when a column has a cell already."""
    if {c for _, c in have} & {col for col, _ in cells}:
        return None
    out = [head]
    pos = head_end
    at = iter(have)
    nxt = next(at, None)
    for cell in cells:
        while nxt is not None and nxt[1] < cell[0]:
            nxt = next(at, None)
        cut = nxt[0] if nxt is not None else body_end
        out.append(row[pos:cut])
        out += _new_cells([cell], number, tails)
        pos = cut
    out.append(row[pos:body_end])
    out.append(b"</row>")
    return b"".join(out)
