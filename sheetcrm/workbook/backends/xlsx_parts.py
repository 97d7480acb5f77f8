"""New parts for the zip patch writer (``xlsx_patch``): an owned tab that does not
exist yet (a first sync of a workbook `init` did not make, a tab someone renamed or
deleted) and the chart of a tab that has none yet.

They used to send the whole write to openpyxl, which loses what it does not model:
formulas' cached results (a ``candidate_id`` given by ``="C-00043"`` then read as
blank and got a new id), macros (``.xlsm``), and parts it does not know. Here a
tab or a chart is added as new parts with their relationships and content types;
every other part of the zip is copied byte for byte.
"""
from __future__ import annotations

import posixpath
import re
import types

from lxml import etree

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CONTENT_TYPES = "[Content_Types].xml"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
DRAWING_TYPE = "application/vnd.openxmlformats-officedocument.drawing+xml"
CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
# CT_Worksheet children that come after <drawing> (its place in the schema's sequence).
_AFTER_DRAWING = {"legacyDrawing", "legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls",
                  "webPublishItems", "tableParts", "extLst"}


def rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _free_name(pkg, pattern: str) -> str:
    """The first ``pattern.format(n)`` (n = 1, 2, ...) no part has."""
    n = 1
    while pattern.format(n) in pkg.names:
        n += 1
    return pattern.format(n)


def _relate(pkg, part: str, kind: str, target: str) -> str:
    """Add a relationship from ``part`` to ``target`` (a part name); returns its Id."""
    name = rels_name(part)
    if name in pkg.names:
        root = pkg.xml(name).getroot()
    else:
        root = etree.Element(f"{{{PKG_REL}}}Relationships", nsmap={None: PKG_REL})
        pkg.add(name, root.getroottree())
    used = {rel.get("Id") for rel in root}
    n = 1
    while f"rId{n}" in used:
        n += 1
    etree.SubElement(root, f"{{{PKG_REL}}}Relationship", Id=f"rId{n}", Type=f"{REL_NS}/{kind}", Target="/" + target)
    pkg.edited[name] = root.getroottree()
    return f"rId{n}"


def _declare(pkg, part: str, content_type: str) -> None:
    root = pkg.xml(CONTENT_TYPES).getroot()
    etree.SubElement(root, f"{{{CT_NS}}}Override", PartName="/" + part, ContentType=content_type)
    pkg.edited[CONTENT_TYPES] = root.getroottree()


def add_sheet(pkg, book_part: str, title: str) -> str:
    """A new, empty worksheet ``title`` after the last tab; returns its part name."""
    folder = posixpath.dirname(book_part)
    part = _free_name(pkg, posixpath.join(folder, "worksheets", "sheet{}.xml"))
    root = etree.Element(f"{{{MAIN}}}worksheet", nsmap={None: MAIN, "r": REL_NS})
    etree.SubElement(root, f"{{{MAIN}}}dimension", ref="A1")
    views = etree.SubElement(root, f"{{{MAIN}}}sheetViews")
    etree.SubElement(views, f"{{{MAIN}}}sheetView", workbookViewId="0")
    etree.SubElement(root, f"{{{MAIN}}}sheetFormatPr", defaultRowHeight="15")
    etree.SubElement(root, f"{{{MAIN}}}sheetData")
    etree.SubElement(root, f"{{{MAIN}}}pageMargins", left="0.75", right="0.75", top="1", bottom="1",
                     header="0.5", footer="0.5")
    pkg.add(part, root.getroottree())
    _declare(pkg, part, WORKSHEET_TYPE)
    rid = _relate(pkg, book_part, "worksheet", part)
    book = pkg.xml(book_part).getroot()
    sheets = book.find(f"{{{MAIN}}}sheets")
    ids = [int(s.get("sheetId")) for s in sheets if (s.get("sheetId") or "").isdigit()]
    sheet = etree.SubElement(sheets, f"{{{MAIN}}}sheet", name=title, sheetId=str(max(ids, default=0) + 1))
    sheet.set(f"{{{REL_NS}}}id", rid)
    pkg.edited[book_part] = book.getroottree()
    return part


def add_charts(pkg, sheet_part: str, sheet_root: etree._Element, title: str, specs) -> None:
    """Draw ``specs`` (schema.ChartSpec) on a worksheet that has no drawing yet, as
    the openpyxl writer draws them (``xlsx_chart.funnel_chart``)."""
    from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
    from openpyxl.xml.functions import tostring

    from .base import col_letter
    from .xlsx_chart import funnel_chart

    drawing_part = _free_name(pkg, "xl/drawings/drawing{}.xml")
    drawing = SpreadsheetDrawing()
    stand_in = types.SimpleNamespace(title=title)  # what a chart's cell references need of a worksheet
    for spec in specs:
        chart = funnel_chart(stand_in, spec)
        chart.anchor = f"{col_letter(spec.anchor_col)}{spec.anchor_row}"
        chart_part = _free_name(pkg, "xl/charts/chart{}.xml")
        chart._id = int(re.search(r"(\d+)\.xml$", chart_part)[1])
        pkg.add(chart_part, etree.fromstring(tostring(chart._write())).getroottree())
        _declare(pkg, chart_part, CHART_TYPE)
        drawing.charts.append(chart)
    tree = etree.fromstring(tostring(drawing._write())).getroottree()
    pkg.add(drawing_part, tree)
    pkg.add(rels_name(drawing_part), etree.fromstring(tostring(drawing._write_rels())).getroottree())
    _declare(pkg, drawing_part, DRAWING_TYPE)
    rid = _relate(pkg, sheet_part, "drawing", drawing_part)
    el = etree.Element(f"{{{MAIN}}}drawing", nsmap={"r": REL_NS})
    el.set(f"{{{REL_NS}}}id", rid)
    later = [c for c in sheet_root if isinstance(c.tag, str) and etree.QName(c).localname in _AFTER_DRAWING]
    if later:
        later[0].addprevious(el)
    else:
        sheet_root.append(el)


def remove_calc_chain(pkg, book_part: str) -> None:
    """Drop ``calcChain.xml`` (Excel's cache of the order to calculate formulas in,
    rebuilt on open): a formula sheetcrm overwrote must not stay listed there."""
    rels = pkg.xml(rels_name(book_part)).getroot()
    folder = posixpath.dirname(book_part)
    for rel in list(rels):
        if rel.get("Type") == f"{REL_NS}/calcChain":
            target = rel.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            rels.remove(rel)
            pkg.removed.add(name)
            types_root = pkg.xml(CONTENT_TYPES).getroot()
            for override in list(types_root):
                if override.get("PartName") == "/" + name:
                    types_root.remove(override)
            pkg.edited[CONTENT_TYPES] = types_root.getroottree()
    pkg.edited[rels_name(book_part)] = rels.getroottree()
