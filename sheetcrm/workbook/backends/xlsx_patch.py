"""Write a sync's changes into an .xlsx by editing only the parts that change.

openpyxl's full load + save of a 10,000-candidate workbook takes tens of seconds,
almost all of it rebuilding objects for cells sheetcrm never touches. An .xlsx is a
zip of XML parts, so here every member is copied as is except the worksheets that
change (and styles.xml when a date, percent or bold style must be added), which
are edited with lxml: cell updates in place, owned tabs' ``sheetData`` rebuilt.

Text goes in as inline strings (``t="inlineStr"``), so text starting with '=' stays
text by construction and sharedStrings.xml is never rewritten. Anything this module
is not sure it can write faithfully (strict OOXML, cells without references,
shared or array formulas being overwritten, a missing owned tab, odd values...)
raises :class:`_Unpatchable` before anything is written; the caller then falls back
to openpyxl.
"""
from __future__ import annotations

import bisect
import copy
import datetime as dt
import math
import numbers
from pathlib import Path
from typing import Any

from lxml import etree

from . import xlsx_parts, xlsx_recalc
from .base import ROW_LINE_POINTS, Changes, OwnedTab, Snapshot, WriteResult, col_letter, col_number, resolve_rows
from .xlsx_text import legal_text
from .xlsx_zip import (  # noqa: F401  (_Unpatchable is this module's word for "use openpyxl")
    DATE_FORMAT, MAIN, OFFICE_DOC, PERCENT_FORMAT, REL_NS, STYLES, WORKSHEET, XML_SPACE, _Package, _q, _split_ref,
    _Styles, _Unpatchable)

# -- values ----------------------------------------------------------------------
def _excel_serial(value: dt.date) -> float:
    from openpyxl.utils.datetime import to_excel

    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        raise _Unpatchable("timezone-aware datetime")
    day = value.date() if isinstance(value, dt.datetime) else value
    if not day >= dt.date(1900, 3, 1):  # the 1900 leap-year bug zone: openpyxl decides
        raise _Unpatchable("date before 1900-03-01")
    return to_excel(value)


def _number_text(v: float | int) -> str:
    if isinstance(v, float):
        if not math.isfinite(v):
            raise _Unpatchable("NaN or infinite number")
        return str(int(v)) if v.is_integer() and abs(v) < 2**53 else repr(v)
    return str(v)


def _kind(value: Any) -> tuple[str, Any]:
    """('n'|'b'|'s'|'d'|'none', normalised value)."""
    if value is None or (isinstance(value, str) and value == ""):
        return "none", None  # openpyxl too writes no value for an empty string
    if isinstance(value, bool) or type(value).__name__ == "bool_":
        return "b", bool(value)
    if isinstance(value, str):
        return "s", legal_text(str(value))
    if isinstance(value, dt.datetime) or isinstance(value, dt.date):
        try:
            return "d", _number_text(float(_excel_serial(value)))
        except (TypeError, ValueError, OverflowError, AttributeError):
            raise _Unpatchable(f"date {value!r}") from None
    if isinstance(value, numbers.Integral):
        return "n", _number_text(int(value))
    if isinstance(value, numbers.Real):
        return "n", _number_text(float(value))
    raise _Unpatchable(f"value of type {type(value).__name__}")


def _fill(c: etree._Element, value: Any, styles: _Styles) -> None:
    """Set cell element ``c``'s value (keeping its style unless a date needs one)."""
    kind, v = _kind(value)
    for child in list(c):
        c.remove(child)
    c.attrib.pop("t", None)
    if kind == "none":
        return
    if kind == "s":
        c.set("t", "inlineStr")
        t = etree.SubElement(etree.SubElement(c, _q("is")), _q("t"))
        t.text = v  # legal_text made it XML-legal
        t.set(XML_SPACE, "preserve")
        return
    if kind == "b":
        c.set("t", "b")
        etree.SubElement(c, _q("v")).text = "1" if v else "0"
        return
    if kind == "d":
        c.set("s", str(styles.xf(int(c.get("s", "0")), DATE_FORMAT)))
    etree.SubElement(c, _q("v")).text = v


# -- worksheets ------------------------------------------------------------------
class _Sheet:
    def __init__(self, pkg: _Package, part: str):
        self.pkg, self.part = pkg, part
        self.tree = pkg.xml(part)
        self.root = self.tree.getroot()
        if self.root.tag != _q("worksheet"):
            raise _Unpatchable(f"{part} is not a worksheet")
        self.data = self.root.find(_q("sheetData"))
        if self.data is None:
            raise _Unpatchable(f"{part} has no sheetData")
        self._rows: dict[int, etree._Element] | None = None
        self._row_numbers: list[int] = []
        self._cells: dict[int, dict[int, etree._Element]] = {}
        self.max_row = self.max_col = 0

    def rows(self) -> dict[int, etree._Element]:
        if self._rows is None:
            self._rows = {}
            for row in self.data.iterchildren(_q("row")):
                r = row.get("r")
                if r is None:
                    raise _Unpatchable("row without a row number")
                self._rows[int(r)] = row
            self._row_numbers = sorted(self._rows)
            if self._row_numbers != [int(r.get("r")) for r in self.data.iterchildren(_q("row"))]:
                raise _Unpatchable("rows out of order")
        return self._rows

    def cell(self, row: int, col: int) -> etree._Element:
        rows = self.rows()
        row_el = rows.get(row)
        if row_el is None:
            row_el = etree.Element(_q("row"), r=str(row))
            i = bisect.bisect(self._row_numbers, row)
            if i < len(self._row_numbers):
                rows[self._row_numbers[i]].addprevious(row_el)
            else:
                self.data.append(row_el)
            self._row_numbers.insert(i, row)
            rows[row] = row_el
        cells = self._cells.get(row)
        if cells is None:
            cells = {}
            suffix = str(row)
            cut = -len(suffix)
            for c in row_el.iterchildren(_q("c")):
                ref = c.get("r") or ""
                letters = ref[:cut]
                if not (ref.endswith(suffix) and letters.isascii() and letters.isalpha() and letters.isupper()):
                    raise _Unpatchable(f"cell reference {ref!r} in row {row}")
                cells[col_number(letters)] = c
            self._cells[row] = cells
        c = cells.get(col)
        if c is None:
            c = etree.Element(_q("c"), r=f"{col_letter(col)}{row}")
            after = [k for k in cells if k > col]
            if after:
                cells[min(after)].addprevious(c)
            else:
                row_el.append(c)
            cells[col] = c
            spans = row_el.get("spans")
            if spans:
                lo, _, hi = spans.partition(":")
                if lo.isdigit() and hi.isdigit():
                    row_el.set("spans", f"{min(int(lo), col)}:{max(int(hi), col)}")
                else:
                    del row_el.attrib["spans"]
        self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
        return c

    def set(self, row: int, col: int, value: Any, styles: _Styles, formulas_tracked: bool) -> None:
        c = self.cell(row, col)
        if c.get("vm") is not None or c.get("cm") is not None:
            raise _Unpatchable("cell with rich value or array metadata")
        f = c.find(_q("f"))
        if f is not None:
            child = f.get("t") == "shared" and f.get("ref") is None and not f.text  # its group's text is elsewhere
            if f.get("t") in ("shared", "array", "dataTable") and not child:
                raise _Unpatchable("overwriting a shared formula's first cell or an array formula")
            if formulas_tracked:
                self.pkg.drop_calc_chain = True  # Excel rebuilds its calculation chain
        _fill(c, value, styles)

    def finish(self) -> None:
        dim = self.root.find(_q("dimension"))
        if dim is not None and self.max_row:
            ref = dim.get("ref", "A1")
            first, _, last = ref.partition(":")
            r0, c0 = _split_ref(first)
            r1, c1 = _split_ref(last or first)
            r1, c1 = max(r1, self.max_row), max(c1, self.max_col)
            dim.set("ref", f"{col_letter(c0)}{r0}:{col_letter(c1)}{r1}")
        self.pkg.edited[self.part] = self.tree

    # -- owned tabs: rebuilt whole -------------------------------------------------
    def rewrite(self, tab: OwnedTab, styles: _Styles) -> None:
        if tab.charts and self.root.find(_q("drawing")) is None:
            xlsx_parts.add_charts(self.pkg, self.part, self.root, tab.title, tab.charts)
        for row in list(self.data):
            self.data.remove(row)
        base = 0
        xf_cache: dict[tuple, int] = {}

        def style(fmt, bold, right, wrap) -> int:
            key = (fmt, bold, right, wrap)
            if key not in xf_cache:
                xf_cache[key] = styles.xf(base, fmt, bold, right, named=True, wrap=wrap)
            return xf_cache[key]

        max_col = 0
        for r, values in enumerate(tab.rows, start=1):
            row_el = etree.SubElement(self.data, _q("row"), r=str(r))
            if r in tab.row_lines:  # wrapped text: tall enough for every line
                row_el.set("ht", _number_text(float(tab.row_lines[r] * ROW_LINE_POINTS)))
                row_el.set("customHeight", "1")
            bold = r in tab.bold_rows
            for c, value in enumerate(values, start=1):
                blank = value is None or (isinstance(value, str) and value == "")
                if blank and not bold:
                    continue
                cell = etree.SubElement(row_el, _q("c"), r=f"{col_letter(c)}{r}")
                fmt = None
                if not blank:
                    kind, _ = _kind(value)
                    if kind == "d":
                        fmt = DATE_FORMAT
                    elif c in tab.percent_columns and isinstance(value, float):
                        fmt = PERCENT_FORMAT
                cell.set("s", str(style(fmt, bold, (not blank) and c in tab.align_right, c in tab.wrap_columns)))
                if not blank:
                    _fill(cell, value, styles)
                max_col = max(max_col, c)
            if not len(row_el):
                self.data.remove(row_el)
        dim = self.root.find(_q("dimension"))
        if dim is not None:
            last = len(tab.rows) if tab.rows else 1
            dim.set("ref", f"A1:{col_letter(max(max_col, 1))}{max(last, 1)}")
        self._freeze(tab.freeze_rows)
        self._widths(tab.widths)
        self.pkg.edited[self.part] = self.tree

    def _freeze(self, rows: int) -> None:
        views = self.root.find(_q("sheetViews"))
        if views is None:
            if not rows:
                return
            views = etree.Element(_q("sheetViews"))
            anchor = self.root.find(_q("dimension"))
            if anchor is None:
                anchor = self.root.find(_q("sheetPr"))
            if anchor is not None:
                anchor.addnext(views)
            else:
                self.root.insert(0, views)
        view = views.find(_q("sheetView"))
        if view is None:
            view = etree.SubElement(views, _q("sheetView"), workbookViewId="0")
        for el in view.findall(_q("pane")) + view.findall(_q("selection")):
            view.remove(el)
        if rows:
            pane = etree.Element(_q("pane"), ySplit=str(rows), topLeftCell=f"A{rows + 1}",
                                 activePane="bottomLeft", state="frozen")
            sel = etree.Element(_q("selection"), pane="bottomLeft", activeCell="A1", sqref="A1")
            view.insert(0, sel)
            view.insert(0, pane)
        else:
            view.insert(0, etree.Element(_q("selection"), activeCell="A1", sqref="A1"))

    def _widths(self, widths) -> None:
        wanted = {c: w for c, w in enumerate(widths, start=1) if w}
        if not wanted:
            return
        cols = self.root.find(_q("cols"))
        if cols is None:
            cols = etree.Element(_q("cols"))
            self.data.addprevious(cols)
        per_col: dict[int, etree._Element] = {}
        for col in list(cols):
            lo, hi = int(col.get("min", "0")), int(col.get("max", "0"))
            if not any(lo <= c <= hi for c in wanted):
                continue
            if hi - lo > 1000:
                raise _Unpatchable("very wide column range")
            cols.remove(col)
            for c in range(lo, hi + 1):
                one = copy.deepcopy(col)
                one.set("min", str(c))
                one.set("max", str(c))
                per_col[c] = one
        for c, w in wanted.items():
            el = per_col.setdefault(c, etree.Element(_q("col"), min=str(c), max=str(c)))
            el.set("width", _number_text(float(w)))
            el.set("customWidth", "1")
        kept = [(int(el.get("min", "0")), el) for el in cols]
        for el in list(cols):
            cols.remove(el)
        for _, el in sorted(kept + list(per_col.items()), key=lambda p: p[0]):
            cols.append(el)


# -- the patch -------------------------------------------------------------------
class PatchedWorkbook:
    """Built in memory by :func:`patch`; ``save(path)`` writes the new zip
    (the shape ``XlsxBackend._save`` expects of an openpyxl workbook)."""

    def __init__(self, pkg: _Package, result: WriteResult):
        self._pkg, self.result = pkg, result

    def save(self, dest) -> None:
        self._pkg.save(dest)  # a path or an open binary file

    def close(self) -> None:
        self._pkg.zf.close()


def patch(path: Path, snapshot: Snapshot, changes: Changes) -> PatchedWorkbook:
    """Apply ``changes`` to the workbook at ``path`` (which must be the one
    ``snapshot`` was read from) in memory. Raises :class:`_Unpatchable` for what
    only openpyxl should write; nothing is written either way."""
    pkg = _Package(path)
    try:
        return _patch(pkg, snapshot, changes)
    except BaseException:
        pkg.zf.close()
        raise


def _workbook_parts(pkg: _Package) -> tuple[str, dict[str, str], dict[str, tuple[str, str]]]:
    """(the workbook part, tab title -> worksheet part, the workbook's relationships)."""
    root_rels = pkg.rels("")
    book = [name for kind, name in root_rels.values() if kind == OFFICE_DOC]
    if len(book) != 1:
        raise _Unpatchable("no single workbook part")
    book_part = book[0]
    book_root = pkg.xml(book_part).getroot()
    if book_root.tag != _q("workbook"):
        raise _Unpatchable("not a transitional SpreadsheetML workbook")
    rels = pkg.rels(book_part)
    parts: dict[str, str] = {}
    sheets_el = book_root.find(_q("sheets"))
    for sheet in sheets_el if sheets_el is not None else ():
        kind, name = rels.get(sheet.get(f"{{{REL_NS}}}id"), (None, None))
        if kind == WORKSHEET:
            parts[sheet.get("name")] = name
    return book_part, parts, rels


def _patch(pkg: _Package, snapshot: Snapshot, changes: Changes) -> PatchedWorkbook:
    book_part, parts, rels = _workbook_parts(pkg)
    style_parts = [name for kind, name in rels.values() if kind == STYLES]
    styles = _Styles(pkg, style_parts[0] if style_parts else None)
    calc_chain = any(kind == REL_NS + "/calcChain" for kind, _ in rels.values())

    sheets: dict[str, _Sheet] = {}

    def sheet(title: str) -> _Sheet:
        if title not in sheets:
            if title not in parts:
                raise _Unpatchable(f"no worksheet {title!r}")
            sheets[title] = _Sheet(pkg, parts[title])
        return sheets[title]

    for tab in changes.tabs:
        if tab.title not in parts:
            same = [t for t in parts if t.casefold() == tab.title.casefold()]  # tab names ignore case
            parts[tab.title] = parts[same[0]] if same else xlsx_parts.add_sheet(pkg, book_part, tab.title)

    # The file is byte-identical to what was read (the caller checked the
    # fingerprint), so the snapshot's cells are the file's cells.
    def get(tab: str, row: int, col: int) -> Any:
        found = snapshot.tabs.get(tab)
        return found.cell(row, col) if found is not None else None

    def height(tab: str) -> int:
        found = snapshot.tabs.get(tab)
        return len(found.values) if found is not None else 0

    result = WriteResult()
    targets, result.skipped_rows = resolve_rows(changes.cells, get, height)
    for upd, row in targets:
        sheet(upd.tab).set(row, upd.col, upd.value, styles, calc_chain)
        result.cells_written += 1
    for s in sheets.values():
        s.finish()
    changed: dict[str, set[int] | None] = {}
    for upd, _row in targets:
        changed.setdefault(upd.tab, set()).add(upd.col)
    for tab in changes.tabs:
        owned = sheets.get(tab.title) or sheet(tab.title)
        owned.rewrite(tab, styles)
        changed[tab.title] = xlsx_recalc.ALL
        result.tabs_written += 1
    if pkg.drop_calc_chain:
        xlsx_parts.remove_calc_chain(pkg, book_part)
    xlsx_recalc.refresh(pkg, book_part, parts, changed)
    return PatchedWorkbook(pkg, result)
