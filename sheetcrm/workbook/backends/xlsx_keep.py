"""What openpyxl would lose when it rewrites a workbook, kept (issue 13 item 2).

The zip patch writer handles a sync and a forget; openpyxl still saves `init
--upgrade` and the rare write the patcher refuses (overwriting a shared formula...).
openpyxl drops every formula's stored result: on the next read a ``candidate_id``
given by ``="C-00043"`` had no value, was read as blank and got a new id. And it
drops macros unless asked to keep them.

So such a save goes through :class:`Kept`: the workbook is loaded with its macros
when it has any (``xl/vbaProject.bin`` copied byte for byte, the macro-enabled
content type kept), and after openpyxl saved, each formula cell whose formula is
unchanged gets back the result the original file stored, unless it depends on a
cell this write changed (``xlsx_recalc``: those are left for the next open to
calculate, and read as an issue at their cell meanwhile).
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path
from typing import Any

from lxml import etree

from .xlsx_recalc import depends
from .xlsx_scrub import sheet_parts

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_PARSER = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)


def _q(tag: str) -> str:
    return f"{{{MAIN}}}{tag}"


def has_macros(path: Path) -> bool:
    """Does the workbook carry a VBA project (an .xlsm's macros)?"""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(name.lower().endswith("vbaproject.bin") for name in zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def load(path: Path):
    """openpyxl's full load, with the macros when there are any."""
    import openpyxl

    return openpyxl.load_workbook(path, keep_vba=has_macros(path))


class Kept:
    """An openpyxl workbook whose ``save(dest)`` also puts back the stored formula
    results of ``original`` (see the module docstring). ``changed``: tab title ->
    columns this write changed, or None for a tab rewritten whole."""

    def __init__(self, wb: Any, original: Path, changed: dict[str, set[int] | None]):
        self.wb, self.original, self.changed = wb, Path(original), changed

    def save(self, dest) -> None:
        buf = io.BytesIO()
        self.wb.save(buf)
        data = restore_results(self.original, buf.getvalue(), self.changed)
        if isinstance(dest, (str, os.PathLike)):
            Path(dest).write_bytes(data)
        else:
            dest.write(data)


def _stored(root: etree._Element) -> dict[str, tuple[str | None, bool, str | None, str]]:
    """Cell reference -> (formula text, shared child?, type, stored result) of each
    formula cell that has a stored result."""
    out = {}
    for c in root.iter(_q("c")):
        f, v = c.find(_q("f")), c.find(_q("v"))
        if f is None or v is None or (not v.text and c.get("t") != "str"):
            continue
        out[c.get("r")] = (f.text, f.get("t") == "shared" and not f.text, c.get("t"), v.text or "")
    return out


def _restore_sheet(old: bytes, new: bytes, title: str, changed: dict[str, set[int] | None]) -> bytes | None:
    stored = _stored(etree.fromstring(old, _PARSER))
    if not stored:
        return None
    root = etree.fromstring(new, _PARSER)
    restored = 0
    for c in root.iter(_q("c")):
        f = c.find(_q("f"))
        was = stored.get(c.get("r"))
        if f is None or was is None or not f.text:
            continue
        text, shared_child, kind, value = was
        if not (shared_child or text == f.text) or depends(f.text, title, changed):
            continue  # another formula now, or its result is stale: calculated on open
        v = c.find(_q("v"))
        if v is None:
            v = etree.SubElement(c, _q("v"))
        v.text = value
        if kind in ("str", "b", "e"):
            c.set("t", kind)
        restored += 1
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True) if restored else None


def restore_results(original: Path, saved: bytes, changed: dict[str, set[int] | None]) -> bytes:
    """``saved`` (a zip openpyxl wrote from ``original``) with the stored formula results put back."""
    try:
        with zipfile.ZipFile(original) as old_zf:
            old_parts = sheet_parts(old_zf)
            old_xml = {t: old_zf.read(p) for t, p in old_parts.items() if p in old_zf.namelist()}
    except (zipfile.BadZipFile, OSError, KeyError):
        return saved
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(saved)) as new_zf, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        by_part = {p: t for t, p in sheet_parts(new_zf).items()}
        for info in new_zf.infolist():
            data = new_zf.read(info.filename)
            title = by_part.get(info.filename)
            if title in old_xml and b"<f" in old_xml[title]:
                data = _restore_sheet(old_xml[title], data, title, changed) or data
            zout.writestr(info, data)
    return out.getvalue()
