"""Owned tabs (Summary, Circle-backs, Issues) written by the zip patch writer
(``xlsx_patch``) as a stream (issue 20).

An owned tab is rebuilt whole on every sync that changes it. Its rows are written
straight from the tab's values as XML text into a temporary file, never as a tree
(the Issues tab of 100,000 candidates has hundreds of thousands of cells); only what
surrounds ``sheetData`` (views, column widths, the chart's drawing) is edited as a
small tree. The old rows are skipped while reading, never parsed.
"""
from __future__ import annotations

import copy
import re
from typing import IO, Any

from lxml import etree

from . import xlsx_parts, xlsx_stream
from .base import ROW_LINE_POINTS, OwnedTab, col_letter
from .xlsx_cells import cell_xml, escaped, number_text, value_kind
from .xlsx_text import legal_text
from .xlsx_zip import (
    DATE_FORMAT,
    MAIN,
    PERCENT_FORMAT,
    _Package,
    _q,
    _Styles,
    _Unpatchable,
)

_BATCH = 2000  # rows joined before each write
_EMPTY_DATA = re.compile(rb"<(?:([A-Za-z_][\w.-]*):)?sheetData/>")


def rewrite(pkg: _Package, part: str, tab: OwnedTab, styles: _Styles) -> None:
    """Replace the rows of worksheet ``part`` by ``tab``'s and set its views, widths
    and charts; the new part goes to ``pkg.streamed``."""
    root = _frame(pkg, part)
    if root.tag != _q("worksheet") or root.find(_q("sheetData")) is None:
        raise _Unpatchable(f"{part} is not a worksheet with sheetData")
    if tab.charts and root.find(_q("drawing")) is None:
        xlsx_parts.add_charts(pkg, part, root, tab.title, tab.charts)
    out = pkg.deflated()
    try:
        body = pkg.scratch()
        with body:
            max_col = _write_rows(body, tab, styles)
            dim = root.find(_q("dimension"))
            if dim is not None:
                dim.set("ref", f"A1:{col_letter(max(max_col, 1))}{max(len(tab.rows), 1)}")
            _freeze(root, tab.freeze_rows)
            _widths(root, tab.widths)
            text = etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=True)
            m = _EMPTY_DATA.search(text)
            if m is None:
                raise _Unpatchable(f"{part}: no empty sheetData to fill")
            # A prefixed sheetData (<x:sheetData/>) gets the rows in the default namespace, declared on it.
            opening = b"<sheetData>" if m.group(1) is None else f'<sheetData xmlns="{MAIN}">'.encode()
            out.write(text[:m.start()] + opening)
            body.seek(0)
            while chunk := body.read(1 << 20):
                out.write(chunk)
            out.write(b"</sheetData>" + text[m.end():])
    except BaseException:
        out.close()
        raise
    old = pkg.streamed.pop(part, None)
    if old is not None:
        old.close()
    pkg.streamed[part] = out


def _frame(pkg: _Package, part: str) -> etree._Element:
    """The worksheet without its rows: read as a stream that skips them, or as a
    tree when the scanner cannot read it (or it is a part added in memory)."""
    if part in pkg.edited or part in pkg.added:
        root = pkg.xml(part).getroot()
    else:
        try:
            with pkg.open(part) as src:
                head, tail = xlsx_stream.without_rows(src)
            return etree.fromstring(head + b"<sheetData/>" + tail, xlsx_stream._PARSER)
        except xlsx_stream.Unstreamable:
            root = pkg.xml(part).getroot()
        except etree.XMLSyntaxError as exc:
            raise _Unpatchable(f"{part} is not XML ({exc})") from None
    root = copy.deepcopy(root)
    data = root.find(_q("sheetData"))
    if data is not None:
        for row in list(data):
            data.remove(row)
    return root


def _write_rows(out: IO[bytes], tab: OwnedTab, styles: _Styles) -> int:
    """``tab``'s rows as XML text; returns the last column written."""
    xf_cache: dict[tuple, int] = {}

    def style(fmt, bold, right, wrap) -> int:
        key = (fmt, bold, right, wrap)
        if key not in xf_cache:
            xf_cache[key] = styles.xf(0, fmt, bold, right, named=True, wrap=wrap)
        return xf_cache[key]

    columns: dict[int, _Column] = {}
    max_col = 0
    batch: list[str] = []
    bold_rows = frozenset(tab.bold_rows)  # looked up for every row
    texts: dict[str, str] = {}
    heights: dict[Any, str] = {}  # lines -> the row tag's height attributes (a few distinct ones)
    row_lines = tab.row_lines
    for r, values in enumerate(tab.rows, start=1):
        if len(values) > len(columns):
            columns.update((c, _Column(c, tab, style)) for c in range(len(columns) + 1, len(values) + 1))
        cells, last = _row_cells(r, values, columns, r in bold_rows, texts)
        max_col = max(max_col, last)
        if cells:
            tall = ""
            lines = row_lines.get(r)
            if lines is not None:  # wrapped text: tall enough for every line
                tall = heights.get(lines)
                if tall is None:
                    tall = heights[lines] = f' ht="{number_text(float(lines * ROW_LINE_POINTS))}" customHeight="1"'
            batch.append(f'<row r="{r}"{tall}>{"".join(cells)}</row>')
        if len(batch) >= _BATCH:
            out.write("".join(batch).encode("utf-8"))
            batch.clear()
    out.write("".join(batch).encode("utf-8"))
    return max_col


class _Column:
    """What every cell of one column of an owned tab shares: its letter, and its
    styles (found once, not per cell)."""

    __slots__ = ("c", "letter", "percent", "plain", "right", "style", "wrap")

    def __init__(self, c: int, tab: OwnedTab, style):
        self.c, self.letter, self.style = c, col_letter(c), style
        self.right, self.wrap, self.percent = c in tab.align_right, c in tab.wrap_columns, c in tab.percent_columns
        self.plain: dict[bool, int] = {}  # bold -> style, found when first needed (none added unused)

    def plain_style(self, bold: bool) -> int:
        s = self.plain.get(bold)
        if s is None:
            s = self.plain[bold] = self.style(None, bold, self.right, self.wrap)
        return s


# Texts escaped once per write and remembered (bounded): the Issues tab of 100,000
# candidates has 559,000 text cells but 27,000 distinct texts (issue 20).
_TEXTS = 100_000


def _row_cells(r: int, values: list[Any], columns: dict[int, _Column], bold: bool,
               texts: dict[str, str]) -> tuple[list[str], int]:
    cells: list[str] = []
    last = 0
    for c, value in enumerate(values, start=1):
        if type(value) is str and value:  # most cells: text in the column's plain style
            col = columns[c]
            text = texts.get(value)
            if text is None:
                text = escaped(legal_text(value))
                if len(texts) < _TEXTS:
                    texts[value] = text
            s = col.plain.get(bold)
            if s is None:
                s = col.plain_style(bold)
            cells.append(f'<c r="{col.letter}{r}" s="{s}" t="inlineStr">'
                         f'<is><t xml:space="preserve">{text}</t></is></c>')
            last = c
            continue
        if type(value) is int:  # a row number, a count: what value_kind and cell_xml write for it
            col = columns[c]
            s = col.plain.get(bold)
            if s is None:
                s = col.plain_style(bold)
            cells.append(f'<c r="{col.letter}{r}" s="{s}"><v>{value}</v></c>')
            last = c
            continue
        blank = value is None or (isinstance(value, str) and not value)
        if blank and not bold:
            continue
        col = columns[c]
        ref = f"{col.letter}{r}"
        last = c
        if blank:
            cells.append(f'<c r="{ref}" s="{col.style(None, bold, False, col.wrap)}"/>')
            continue
        kind, v = value_kind(value)
        fmt = DATE_FORMAT if kind == "d" else (PERCENT_FORMAT if col.percent and isinstance(value, float) else None)
        s = col.plain_style(bold) if fmt is None else col.style(fmt, bold, col.right, col.wrap)
        cells.append(cell_xml(ref, s, kind, v) if kind != "none" else f'<c r="{ref}" s="{s}"/>')
    return cells, last


def _freeze(root: etree._Element, rows: int) -> None:
    views = root.find(_q("sheetViews"))
    if views is None:
        if not rows:
            return
        views = etree.Element(_q("sheetViews"))
        anchor = root.find(_q("dimension"))
        if anchor is None:
            anchor = root.find(_q("sheetPr"))
        if anchor is not None:
            anchor.addnext(views)
        else:
            root.insert(0, views)
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



def _widths(root: etree._Element, widths) -> None:
    wanted = {c: w for c, w in enumerate(widths, start=1) if w}
    if not wanted:
        return
    cols = root.find(_q("cols"))
    if cols is None:
        cols = etree.Element(_q("cols"))
        root.find(_q("sheetData")).addprevious(cols)
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
        el.set("width", number_text(float(w)))
        el.set("customWidth", "1")
    kept = [(int(el.get("min", "0")), el) for el in cols]
    for el in list(cols):
        cols.remove(el)
    for _, el in sorted(kept + list(per_col.items()), key=lambda p: p[0]):
        cols.append(el)


