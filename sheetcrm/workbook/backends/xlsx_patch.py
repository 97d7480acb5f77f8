"""Write a sync's changes into an .xlsx by editing only the parts that change.

openpyxl's full load + save of a 10,000-candidate workbook takes tens of seconds,
almost all of it rebuilding objects for cells sheetcrm never touches. An .xlsx is a
zip of XML parts, so here every member is copied as is except the worksheets that
change (and styles.xml when a date, percent or bold style must be added). A
worksheet with cell updates is edited as a stream (``xlsx_stream``: only the rows
that change are parsed, with lxml); owned tabs are written from their rows
(``xlsx_owned``); new and edited parts wait in temporary files, so no part of a
100,000-candidate workbook is held whole in memory (issue 20).

Text goes in as inline strings (``t="inlineStr"``), so text starting with '=' stays
text by construction and sharedStrings.xml is never rewritten. Anything this module
is not sure it can write faithfully (strict OOXML, cells without references,
shared or array formulas being overwritten, a missing owned tab, odd values...)
raises :class:`_Unpatchable` before anything is written; the caller then falls back
to openpyxl.
"""
from __future__ import annotations

import bisect
import functools
from pathlib import Path
from typing import Any

from lxml import etree

from . import xlsx_aside, xlsx_owned, xlsx_parts, xlsx_recalc, xlsx_stream
from .base import Changes, OwnedTab, Snapshot, WriteResult, resolve_targets
from .xlsx_cells import (
    CellTails, add_new_cells, cell_at, cells_for, grown, row_cells, row_with_new_cells, set_cell)
from .xlsx_zip import (  # noqa: F401  (_Unpatchable is this module's word for "use openpyxl")
    DATE_FORMAT, OFFICE_DOC, REL_NS, STYLES, WORKSHEET, Deflated, _Package, _q, _Styles, _Unpatchable)

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
            cells = self._cells[row] = row_cells(row_el, row)
        self.max_row, self.max_col = max(self.max_row, row), max(self.max_col, col)
        return cell_at(row_el, cells, row, col)

    def set(self, row: int, col: int, value: Any, styles: _Styles, formulas_tracked: bool) -> None:
        set_cell(self.pkg, self.cell(row, col), value, styles, formulas_tracked)

    def finish(self) -> None:
        dim = self.root.find(_q("dimension"))
        if dim is not None and self.max_row:
            dim.set("ref", grown(dim.get("ref", "A1"), self.max_row, self.max_col))
        self.pkg.edited[self.part] = self.tree

# -- the patch -------------------------------------------------------------------
class PatchedWorkbook:
    """Built in memory by :func:`patch`; ``save(path)`` writes the new zip
    (the shape ``XlsxBackend._save`` expects of an openpyxl workbook)."""

    def __init__(self, pkg: _Package, result: WriteResult):
        self._pkg, self.result = pkg, result

    def save(self, dest) -> None:
        self._pkg.save(dest)  # a path or an open binary file

    def close(self) -> None:
        self._pkg.close()


def patch(path: Path, snapshot: Snapshot, changes: Changes) -> PatchedWorkbook:
    """Apply ``changes`` to the workbook at ``path`` (which must be the one
    ``snapshot`` was read from) in memory. Raises :class:`_Unpatchable` for what
    only openpyxl should write; nothing is written either way."""
    pkg = _Package(path)
    try:
        return _patch(pkg, snapshot, changes)
    except BaseException:
        pkg.close()
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
    for tab in changes.tabs:
        if tab.title not in parts:
            same = [t for t in parts if t.casefold() == tab.title.casefold()]  # tab names ignore case
            parts[tab.title] = parts[same[0]] if same else xlsx_parts.add_sheet(pkg, book_part, tab.title)

    # The file is byte-identical to what was read (the caller checked the
    # fingerprint), so the snapshot's cells are the file's cells.
    def get(tab: str, row: int, col: int) -> Any:  # Sheet.cell, inlined: called for every identity cell
        found = snapshot.tabs.get(tab)
        if found is None or row - 1 >= len(found.values):
            return None
        line = found.values[row - 1]
        return line[col - 1] if col - 1 < len(line) else None

    def height(tab: str) -> int:
        found = snapshot.tabs.get(tab)
        return len(found.values) if found is not None else 0

    def lines(tab: str) -> list[list[Any]] | None:
        found = snapshot.tabs.get(tab)
        return found.values if found is not None else None

    result = WriteResult()
    cells = changes.cells  # columns (CellUpdates): no object per update is made here
    # Identities the plan read from this snapshot hold in this file: it is that read, byte for byte.
    targets, result.skipped_rows = resolve_targets(cells, get, height, lines, changes.planned_from(snapshot))
    updates, changed = _grouped(cells, targets, parts)
    result.cells_written = len(targets) - targets.count(None)
    owned = {tab.title: tab for tab in changes.tabs}
    for title in owned:
        changed[title] = xlsx_recalc.ALL
    _write_parts(pkg, parts, owned, updates, changed, styles, calc_chain, result)
    if pkg.drop_calc_chain:
        xlsx_parts.remove_calc_chain(pkg, book_part)
    if changed:
        book = pkg.xml(book_part)
        xlsx_recalc.recalc_on_open(book.getroot())  # and a full recalculation on open
        pkg.edited[book_part] = book
    return PatchedWorkbook(pkg, result)


def _write_parts(pkg: _Package, parts: dict[str, str], owned: dict[str, OwnedTab],
                 updates: dict[str, dict[int, list[tuple[int, Any]]]], changed: dict, styles: _Styles,
                 calc_chain: bool, result: WriteResult) -> None:
    """Every worksheet that changes, in the workbook's order: owned tabs rewritten, the
    others' rows edited; the tab with the most rows to update edited meanwhile by a
    child on another core (``xlsx_aside``), when that pays and is safe."""
    def edit(pkg: _Package, title: str, part: str, out: Deflated | None) -> None:
        _edit_rows(pkg, title, part, updates.get(title, {}), changed, styles, calc_chain, out)

    aside = xlsx_aside.start(pkg, parts, updates, set(owned), edit)
    done: set[str] = {aside.part} if aside is not None else set()
    try:
        for title, part in parts.items():
            if part in done:
                continue  # an owned tab named in another case shares its part; the child's part
            done.add(part)
            if title in owned:
                _rewrite(pkg, title, part, owned[title], updates.get(title, {}), changed, styles, calc_chain)
                result.tabs_written += 1
            elif title in updates or (changed and _mentions(pkg, part, changed)):
                edit(pkg, title, part, None)
    except BaseException:
        if aside is not None:
            aside.abandon()
        raise
    if aside is not None:
        aside.finish()


def _grouped(cells, targets: list[int | None], parts: dict[str, str]
             ) -> tuple[dict[str, dict[int, list[tuple[int, Any]]]], dict[str, set[int] | None]]:
    """The updates by tab and row (tab -> row -> [(column, value)], in order), and the
    columns written per tab; updates whose row could not be resolved are left out."""
    updates: dict[str, dict[int, list[tuple[int, Any]]]] = {}
    changed: dict[str, set[int] | None] = {}
    for tab, row, col, value in zip(cells.tab, targets, cells.col, cells.value):
        if row is None:
            continue
        rows = updates.get(tab)
        if rows is None:
            if tab not in parts:
                raise _Unpatchable(f"no worksheet {tab!r}")
            rows = updates[tab] = {}
            changed[tab] = set()
        line = rows.get(row)
        if line is None:
            rows[row] = [(col, value)]
        else:
            line.append((col, value))
        changed[tab].add(col)
    return updates, changed


def _mentions(pkg: _Package, part: str, titles) -> bool:
    if part not in pkg.names:
        raise _Unpatchable(f"missing part {part}")
    with pkg.open(part) as data:
        return xlsx_recalc.mentions(data, titles)


def _rewrite(pkg: _Package, title: str, part: str, tab: OwnedTab, rows: dict[int, list[tuple[int, Any]]],
             changed: dict, styles: _Styles, calc_chain: bool) -> None:
    """An owned tab: rebuilt whole (cell updates onto it are checked, then replaced)."""
    if rows:  # checked as any update is (what cannot be written refuses), then replaced
        sheet = _Sheet(pkg, part)
        for row, cells in rows.items():
            for col, value in cells:
                sheet.set(row, col, value, styles, calc_chain)
    xlsx_owned.rewrite(pkg, part, tab, styles)  # no formula is left there to clear

def _edit_rows(pkg: _Package, title: str, part: str, rows: dict[int, list[tuple[int, Any]]],
               changed: dict, styles: _Styles, calc_chain: bool, out: Deflated | None = None) -> None:
    """Set the cells of ``rows`` on a worksheet and clear the stale results of its formulas,
    streaming the part (``xlsx_stream``) into ``out`` (None: a new ``pkg.deflated()``); as a
    tree if it cannot be streamed. A part where nothing changed stays as it was, byte for byte."""
    max_row = max(rows, default=0)
    max_col = max(changed[title]) if rows else 0  # the columns _grouped saw: not 630,000 updates again
    shared: dict[str, bool] = {}
    cleared = 0

    def edit(data: etree._Element) -> None:
        nonlocal cleared
        for row_el in data.iterchildren(_q("row")):
            number = int(row_el.get("r"))
            cells = rows.get(number)
            if cells:
                found = cells_for(row_el, number, [col for col, _ in cells])
                for col, value in cells:
                    set_cell(pkg, cell_at(row_el, found, number, col), value, styles, calc_chain)
        try:
            cleared += xlsx_recalc.clear_stale(data, title, changed, shared)
        except LookupError:
            raise xlsx_stream.Unstreamable("a shared formula's cell before its first cell") from None

    tails = CellTails(functools.partial(styles.xf, 0, DATE_FORMAT))  # a new cell's style (none) with a date's

    def fast(row: bytes | None, number: int) -> bytes | None:
        cells = rows.get(number)
        return row_with_new_cells(row, number, cells, tails) if cells else None

    def head(data: bytes) -> bytes:
        ref = xlsx_stream.dimension_ref(data)
        if ref is None:
            if b"<dimension" in data:
                raise xlsx_stream.Unstreamable("a dimension the scanner cannot read")
            return data
        return xlsx_stream.with_dimension(data, grown(ref, max_row, max_col)) if max_row else data

    out = out if out is not None else pkg.deflated()
    try:
        # read (inflated) and written (deflated) on other threads: another core, meanwhile
        with pkg.open(part) as src, xlsx_stream.Ahead(src) as ahead, xlsx_stream.Behind(out) as behind:
            xlsx_stream.RowStream(ahead, behind, sorted(rows), edit, formulas=bool(changed), head=head,
                                   fast=fast, append=functools.partial(add_new_cells, updates=rows, tails=tails)).run()
    except xlsx_stream.Unstreamable:
        out.close()
        sheet = _Sheet(pkg, part)
        for row, cells in rows.items():
            for col, value in cells:
                sheet.set(row, col, value, styles, calc_chain)
        if xlsx_recalc.clear_stale(sheet.root, title, changed) or rows:
            sheet.finish()
        return
    except BaseException:
        out.close()
        raise
    if rows or cleared:
        pkg.streamed[part] = out
    else:
        out.close()
