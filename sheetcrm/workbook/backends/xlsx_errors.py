"""Error values (#N/A, #REF!, #VALUE!…) in an .xlsx file, as the reader must see them.

python-calamine reads an error cell as blank. Blank is a meaning ("no",
"unknown", "not given"): a do_not_contact holding ``#N/A`` would read as "may be
called". The error text is kept instead, so validation reports it at its cell and
the never-call policy reads it as the worst case.

A formula cell whose file holds no calculated result (openpyxl saves none; a
sync removes the stale result of formulas depending on what it changed, so the
next open recalculates) reads as blank too; it becomes
:class:`sheetcrm.values.FormulaWithoutValue` here, an issue at its cell.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from ...values import FormulaWithoutValue
from .base import Sheet, col_number
from .xlsx_scrub import sheet_parts

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HAS_ERROR = re.compile(rb't="e"')
# A formula element not followed by a non-empty cached value: a cheap look at the
# bytes before parsing (false alarms, e.g. pretty-printed XML, are parsed and dropped).
_FORMULA_WITHOUT_VALUE = (re.compile(rb"</f>(?!<v>[^<])"), re.compile(rb"<f\s[^>]*/>(?!<v>[^<])"))
_REF = re.compile(r"([A-Z]+)(\d+)")


def _unread(c: etree._Element) -> Any:
    """What the reader must see instead of a blank: the error text of an error cell,
    a formula without a cached result; None for any other cell."""
    v = c.find(f"{{{_MAIN}}}v")
    if c.get("t") == "e":
        text = (v.text or "").strip() if v is not None else ""
        return text or "#ERROR"
    f = c.find(f"{{{_MAIN}}}f")
    if f is None:
        return None
    if v is not None and (v.text or c.get("t") == "str"):
        return None  # a cached result (an empty text result is a result)
    return FormulaWithoutValue(f.text or "")


_PREFIXED = re.compile(rb"<\w+:c[\s>]")
# What every match of _PREFIXED holds, and "<f": literals, which the regex engine finds
# quickly (~0.1 CPU s each over the 310 MB of sheet XML of a 100,000-candidate resync),
# where _PREFIXED is tried at every "<" and ``b"<f" in data`` stops at each (0.29 and
# 0.25 s; issue 20).
_PREFIXED_HINT = re.compile(rb":c[\s>]")
_FORMULA = re.compile(rb"<f")
_CELL_START = re.compile(rb"<c[\s>]")
_PARSER = etree.XMLParser(resolve_entities=False, huge_tree=True)
_WRAP = f'<sheetData xmlns="{_MAIN}">'.encode()


def _candidate_cells(data: bytes) -> list[etree._Element]:
    """The cells of a worksheet's XML that may hold an error or a formula without a
    result. Only those cells are parsed (a whole tab of 100,000 rows takes seconds),
    unless the file writes its elements with a namespace prefix."""
    if _PREFIXED_HINT.search(data) and _PREFIXED.search(data):  # <x:c>: rare; parse it all
        if not (_HAS_ERROR.search(data) or re.search(rb":f[\s>/]", data)):
            return []
        root = etree.fromstring(data, _PARSER)
        return root.xpath("//m:c[@t='e' or m:f]", namespaces={"m": _MAIN})
    hits = [m.start() for m in _HAS_ERROR.finditer(data)]
    if _FORMULA.search(data):
        hits += [m.start() for pattern in _FORMULA_WITHOUT_VALUE for m in pattern.finditer(data)]
    if not hits:
        return []
    starts: dict[int, etree._Element] = {}
    for pos in hits:
        window = data[max(0, pos - 65536):pos + 1]
        last = None
        for last in _CELL_START.finditer(window):
            pass
        start = max(0, pos - 65536) + last.start() if last is not None else -1
        end = data.find(b"</c>", pos)
        if start < 0 or start in starts:
            continue
        close = data.find(b">", start)
        if data[close - 1:close] == b"/" or end < 0:
            continue  # an empty cell <c .../>: no error, no formula
        starts[start] = etree.fromstring(_WRAP + data[start:end + 4] + b"</sheetData>", _PARSER)[0]
    return list(starts.values())


# 256 KiB: 4 MiB chunks (and their copies) came back from malloc as fresh pages
# (51,000 page faults per scan of a 100,000-candidate workbook's parts on their own,
# 0.86 CPU s); 256 KiB ones reuse the same memory (1,500 faults, 0.79 s; issue 20).
_CHUNK = 1 << 18


def _part_cells(zf: zipfile.ZipFile, part: str):
    """``_candidate_cells`` of a worksheet part read in chunks, each cut after a
    ``</c>`` (a cell never spans two), so a 100,000-row tab is never in memory whole."""
    carry = b""
    with zf.open(part) as src:
        while chunk := src.read(_CHUNK):
            data = carry + chunk
            cut = data.rfind(b"</c>")
            if cut < 0:  # no whole cell yet (or prefixed elements: <x:c>...</x:c>, read whole)
                carry = data
                continue
            yield from _candidate_cells(data[:cut + 4])
            carry = data[cut + 4:]
    if carry:
        yield from _candidate_cells(carry)


def error_cells(path: Path) -> dict[str, list[tuple[int, int, Any]]]:
    """Tab title -> (row, col, what to read) of every error cell and every formula
    cell without a cached result."""
    out: dict[str, list[tuple[int, int, Any]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for title, part in sheet_parts(zf).items():
                if part not in names:
                    continue
                for c in _part_cells(zf, part):
                    m = _REF.fullmatch(c.get("r") or "")
                    seen = _unread(c) if m else None
                    if seen is not None:
                        out.setdefault(title, []).append((int(m[2]), col_number(m[1]), seen))
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError):
        return {}
    return out


def mark_error_values(path: Path, tabs: dict[str, Sheet]) -> None:
    """Put the error text (or the formula marker) where the reader left a blank."""
    for title, cells in error_cells(path).items():
        sheet = tabs.get(title)
        if sheet is None:
            continue
        for row, col, text in cells:
            while len(sheet.values) < row:
                sheet.values.append([])
            line = sheet.values[row - 1]
            if len(line) < col:
                line.extend([None] * (col - len(line)))
            if line[col - 1] is None or line[col - 1] == "":
                line[col - 1] = text
