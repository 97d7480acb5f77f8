"""Fresh formula results after a write (issue 13 item 5).

A formula cell in an .xlsx keeps its last result (``<v>``) beside the formula, and
LibreOffice shows that stored result on open, even with ``fullCalcOnLoad`` set: a
person's ``=COUNTIF(Pipeline!J2:J2000,"soft_no")`` showed 35 after a sync made it
36. So after sheetcrm changes cells, the stored result of every formula that refers
to a changed column (or to a tab sheetcrm rewrote) is removed, and the workbook asks
Excel to recalculate everything on open. LibreOffice calculates a formula that has
no stored result; sheetcrm's own reader reports such a cell as an issue at its cell
rather than reading it as blank (``xlsx_errors``), so only formulas that depend on
what sheetcrm wrote lose their result: ``="C-00043"`` in a candidate_id keeps its.

References are found in the formula's text: ``A1``, ``$J$2:$J$2000``, ``J:J``,
``Tab!A1``, ``'Tab name'!A:B``; a formula whose references cannot be told
(``INDIRECT``, ``OFFSET``, whole rows) is treated as depending on every cell of the
tabs it names, or of its own tab.
"""
from __future__ import annotations

import re

from lxml import etree

from .base import col_number

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
ALL = None  # every column of a tab changed (an owned tab rewritten)
_STRING = re.compile(r'"(?:[^"]|"")*"')
_REF = re.compile(
    r"(?:(?P<sheet>'(?:[^']|'')+'|[^\s!:,()'\"=+\-*/&^<>;{}]+)!)?"
    r"(?<![A-Za-z0-9_.])\$?(?P<c1>[A-Za-z]{1,3})(?P<r1>\$?\d+)?(?::\$?(?P<c2>[A-Za-z]{1,3})(?P<r2>\$?\d+)?)?"
    r"(?![A-Za-z0-9_(!.\[])")
_ROWS = re.compile(r"(?<![A-Za-z0-9_.$])\$?\d+:\$?\d+(?![A-Za-z0-9_(])")
_UNKNOWABLE = re.compile(r"\b(?:INDIRECT|OFFSET)\s*\(", re.IGNORECASE)
_SHEET_NAME = re.compile(r"(?P<sheet>'(?:[^']|'')+'|[^\s!:,()'\"=+\-*/&^<>;{}]+)!")


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def _sheet(token: str) -> str:
    return token[1:-1].replace("''", "'") if token.startswith("'") else token


def depends(formula: str, own: str, changed: dict[str, set[int] | None]) -> bool:
    """Does ``formula`` (on tab ``own``) refer to a changed cell? ``changed``:
    tab title (case-folded) -> changed columns, or ``ALL``."""
    text = _STRING.sub('""', formula)
    folded = {t.casefold(): cols for t, cols in changed.items()}
    if _UNKNOWABLE.search(text) or _ROWS.search(text):
        named = {_sheet(m["sheet"]).casefold() for m in _SHEET_NAME.finditer(text)} | {own.casefold()}
        return bool(named & folded.keys())
    for m in _REF.finditer(text):
        if not (m["r1"] or m["c2"]):
            continue  # a bare word (a function or a name), not a reference
        tab = _sheet(m["sheet"]).casefold() if m["sheet"] else own.casefold()
        if tab not in folded:
            continue
        cols = folded[tab]
        if cols is ALL:
            return True
        lo, hi = sorted((col_number(m["c1"].upper()), col_number((m["c2"] or m["c1"]).upper())))
        if any(lo <= c <= hi for c in cols):
            return True
    return False


def clear_stale(root: etree._Element, own: str, changed: dict[str, set[int] | None],
                shared: dict[str, bool] | None = None) -> int:
    """Remove the stored result of each formula cell on worksheet ``root`` that
    depends on a changed cell; returns how many. A shared formula's cells follow
    its first cell (the one holding the text). ``shared``: carried from call to call
    when ``root`` is one run of rows after another (``xlsx_stream``); a cell whose
    group's first cell was not met before raises ``LookupError`` then."""
    cleared = 0
    carried = shared is not None
    shared = {} if shared is None else shared
    cells = [f.getparent() for f in root.iter(_q("f"))]  # formulas only (a big tab has millions of cells)
    for c in cells:  # first the cells holding a shared formula's text
        f = c.find(_q("f"))
        if f.get("t") == "shared" and f.text:
            shared[f.get("si", "")] = depends(f.text, own, changed)
    for c in cells:
        f = c.find(_q("f"))
        if f.get("t") == "shared" and not f.text:
            if carried and f.get("si", "") not in shared:
                raise LookupError("a shared formula's cell before its first cell")
            stale = shared.get(f.get("si", ""), False)
        else:
            stale = depends(f.text or "", own, changed)
        v = c.find(_q("v"))
        if stale and v is not None:
            c.remove(v)
            if c.get("t") in ("str", "b", "e", "n"):
                del c.attrib["t"]
            cleared += 1
    return cleared


def mentions(part, titles) -> bool:
    """Could a worksheet's XML (a binary file, read in chunks) hold a formula naming
    one of ``titles``? (a cheap look before editing a tab sheetcrm did not touch)"""
    names = [n for t in titles for n in {t.casefold().encode("utf-8"), t.casefold().replace("'", "''").encode("utf-8")}]
    overlap = max((len(n) for n in names), default=0) + 2
    formula = named = False
    tail = b""
    while chunk := part.read(1 << 22):
        data = tail + chunk
        formula = formula or b"<f" in data or b":f" in data
        if not named:
            low = data.lower()
            named = any(n in low for n in names)
        if formula and named:
            return True
        tail = data[-overlap:]
    return False


def recalc_on_open(book_root: etree._Element) -> None:
    """``<calcPr fullCalcOnLoad="1"/>``: Excel recalculates every formula on open."""
    calc = book_root.find(_q("calcPr"))
    if calc is None:
        calc = etree.Element(_q("calcPr"), calcId="191029")
        later = {"oleSize", "customWorkbookViews", "pivotCaches", "smartTagPr", "smartTagTypes", "webPublishing",
                 "fileRecoveryPr", "webPublishObjects", "extLst"}
        after = [el for el in book_root if isinstance(el.tag, str) and etree.QName(el).localname in later]
        if after:
            after[0].addprevious(calc)
        else:
            book_root.append(calc)
    calc.set("fullCalcOnLoad", "1")
