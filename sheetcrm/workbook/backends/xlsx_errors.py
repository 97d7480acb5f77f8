"""Error values (#N/A, #REF!, #VALUE!…) in an .xlsx file, as the reader must see them.

python-calamine reads an error cell as blank. Blank is a meaning ("no",
"unknown", "not given"): a do_not_contact holding ``#N/A`` would read as "may be
called". The error text is kept instead, so validation reports it at its cell and
the never-call policy reads it as the worst case.
"""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from lxml import etree

from .base import Sheet, col_number
from .xlsx_scrub import sheet_parts

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_HAS_ERROR = re.compile(rb't="e"')
_REF = re.compile(r"([A-Z]+)(\d+)")


def error_cells(path: Path) -> dict[str, list[tuple[int, int, str]]]:
    """Tab title -> (row, col, error text) of every error cell."""
    out: dict[str, list[tuple[int, int, str]]] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            for title, part in sheet_parts(zf).items():
                if part not in names:
                    continue
                data = zf.read(part)
                if not _HAS_ERROR.search(data):
                    continue
                for c in etree.fromstring(data, etree.XMLParser(resolve_entities=False, huge_tree=True)).iter(
                        f"{{{_MAIN}}}c"):
                    m = _REF.fullmatch(c.get("r") or "")
                    if c.get("t") == "e" and m:
                        v = c.find(f"{{{_MAIN}}}v")
                        text = (v.text or "").strip() if v is not None else ""
                        out.setdefault(title, []).append((int(m[2]), col_number(m[1]), text or "#ERROR"))
    except (zipfile.BadZipFile, KeyError, OSError, etree.XMLSyntaxError):
        return {}
    return out


def mark_error_values(path: Path, tabs: dict[str, Sheet]) -> None:
    """Put the error text where the reader left a blank."""
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
