"""`forget`'s last step on an .xlsx file: the person's traces in the parts no cell
shows (DESIGN §3 forget; issue 14 cases 8 and 9).

The cell changes of :mod:`sheetcrm.workbook.forget` already erased what the cells
show. What is left lives elsewhere in the zip: cell comments (``xl/comments*.xml``)
and threaded comments, formulas (``HYPERLINK("mailto:…")``), hyperlink display
texts and their targets in ``sheet*.xml.rels``, shared strings no cell uses any
more (Excel and LibreOffice keep them), defined names, document properties, pivot
caches. Every XML part is read; text is passed through ``scrub(text, own)``, where
``own`` says the text is anchored on one of the person's rows (their comments and
links), so each part of their name goes too. Cell values are left to the cell
changes (a namesake keeps their name). Operates on the zip parts only.
"""
from __future__ import annotations

import posixpath
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from lxml import etree

Scrub = Callable[[str, bool], str]

_NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PARSER = etree.XMLParser(resolve_entities=False, remove_blank_text=False, huge_tree=True)
_REF_ROW = re.compile(r"[A-Z]+(\d+)", re.I)


def _row(ref: str | None) -> int | None:
    m = _REF_ROW.match(ref or "")
    return int(m.group(1)) if m else None


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _targets(zf: zipfile.ZipFile, names: set[str], part: str) -> dict[str, tuple[str, str]]:
    """rId -> (relationship type, part name or external target) of a part."""
    rels = _rels_name(part)
    if rels not in names:
        return {}
    folder = posixpath.dirname(part)
    out = {}
    for rel in etree.fromstring(zf.read(rels), _PARSER):
        target = rel.get("Target", "")
        if rel.get("TargetMode") != "External":
            target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", ""), target)
    return out


def sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Tab title -> worksheet part name."""
    names = set(zf.namelist())
    book = "xl/workbook.xml"
    rels = _targets(zf, names, book)
    out = {}
    for sheet in etree.fromstring(zf.read(book), _PARSER).iter(f"{{{_NS_MAIN}}}sheet"):
        rid = sheet.get(f"{{{_NS_REL}}}id")
        if rid in rels:
            out[sheet.get("name")] = rels[rid][1]
    return out


class _Plan:
    """Which rows of which parts are the person's, and which shared strings are in use."""

    def __init__(self, zf: zipfile.ZipFile, own_rows: dict[str, set[int]]):
        names = set(zf.namelist())
        self.own: dict[str, set[int]] = {}  # part (worksheet or comments) -> the person's rows
        self.own_links: dict[str, set[str]] = {}  # sheet rels part -> rIds of links on their rows
        self.used_strings: set[int] = set()
        folded = {t.casefold(): rows for t, rows in own_rows.items()}
        for title, part in sheet_parts(zf).items():
            if part not in names:
                continue
            rows = folded.get(title.casefold(), set())
            root = etree.fromstring(zf.read(part), _PARSER)
            for c in root.iter(f"{{{_NS_MAIN}}}c"):
                if c.get("t") == "s":
                    v = c.find(f"{{{_NS_MAIN}}}v")
                    if v is not None and (v.text or "").strip().isdigit():
                        self.used_strings.add(int(v.text))
            if not rows:
                continue
            self.own[part] = rows
            for rid, (kind, target) in _targets(zf, names, part).items():
                if kind.endswith(("/comments", "/threadedComment")):
                    self.own[target] = rows
            self.own_links[_rels_name(part)] = {
                h.get(f"{{{_NS_REL}}}id") for h in root.iter(f"{{{_NS_MAIN}}}hyperlink") if _row(h.get("ref")) in rows}


def _anchored(rows: set[int]) -> Callable[[etree._Element], bool]:
    """Whether an element sits in a comment or link whose cell is on the person's rows."""
    if not rows:
        return lambda el: False
    return lambda el: any(_row(a.get("ref")) in rows for a in (el, *el.iterancestors()) if a.get("ref"))


def _scrub_tree(root: etree._Element, scrub: Scrub, own_of: Callable[[etree._Element], bool]) -> bool:
    """Text of every element and the person-describing attributes, in place."""
    changed = False
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        own = own_of(el)
        for attr in ("display", "tooltip", "Target", "location"):
            value = el.get(attr)
            if value:
                new = scrub(value, own)
                if new != value:
                    el.set(attr, new)
                    changed = True
        if el.text and el.text.strip():
            new = scrub(el.text, own)
            if new != el.text:
                el.text, changed = new, True
    return changed


def _worksheet(root: etree._Element, scrub: Scrub, rows: set[int]) -> bool:
    """Formulas and links; cell values are the cell changes' job (namesakes keep theirs)."""
    changed = False
    for c in root.iter(f"{{{_NS_MAIN}}}c"):
        f = c.find(f"{{{_NS_MAIN}}}f")
        if f is not None and f.text:
            new = scrub(f.text, _row(c.get("r")) in rows)
            if new != f.text:
                f.text, changed = new, True
                v = c.find(f"{{{_NS_MAIN}}}v")  # the cached result may show what the formula held
                if v is not None:
                    c.remove(v)
    for tag in ("hyperlink", "oddHeader", "evenHeader", "oddFooter", "evenFooter", "firstHeader", "firstFooter"):
        for el in root.iter(f"{{{_NS_MAIN}}}{tag}"):
            changed |= _scrub_tree(el, scrub, _anchored(rows))
    return changed


def _shared_strings(root: etree._Element, scrub: Scrub, used: set[int]) -> bool:
    """Strings no cell uses any more are emptied when they hold a trace (indices stay)."""
    changed = False
    for i, si in enumerate(root.iterchildren(f"{{{_NS_MAIN}}}si")):
        if i in used:
            continue
        text = "".join(si.itertext())
        if scrub(text, True) != text:
            for child in list(si):
                si.remove(child)
            etree.SubElement(si, f"{{{_NS_MAIN}}}t").text = ""
            changed = True
    return changed


def _scrub_part(name: str, data: bytes, scrub: Scrub, plan: _Plan) -> bytes | None:
    """The new bytes of one part, or None when it holds no trace."""
    if not name.endswith((".xml", ".rels", ".vml")):
        return None
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError:  # Excel's VML is not always well-formed XML: scrub it as text
        text = data.decode("utf-8", "replace")
        new = scrub(text, False)
        return new.encode("utf-8") if new != text else None
    rows = plan.own.get(name, set())
    if name.startswith("xl/worksheets/") and name.endswith(".xml"):
        changed = _worksheet(root, scrub, rows)
    elif name == "xl/sharedStrings.xml":
        changed = _shared_strings(root, scrub, plan.used_strings)
    elif name.endswith(".rels"):
        links = plan.own_links.get(name, set())
        changed = _scrub_tree(root, scrub, lambda e: e.get("Id") in links)
    elif name == "xl/workbook.xml":  # defined names' values; tab names stay (formulas point at them)
        changed = any([_scrub_tree(d, scrub, lambda e: False) for d in root.iter(f"{{{_NS_MAIN}}}definedName")])
    else:  # comments, threaded comments, doc properties, pivot caches, drawings, tables
        changed = _scrub_tree(root, scrub, _anchored(rows))
    if not changed:
        return None
    return etree.tostring(root.getroottree(), xml_declaration=True, encoding="UTF-8", standalone=True)


def scrub_file(src: Path, dest: Path, scrub: Scrub, own_rows: dict[str, set[int]]) -> int:
    """Write ``src`` to ``dest`` with every part scrubbed; returns how many parts changed."""
    changed = 0
    with zipfile.ZipFile(src) as zf:
        plan = _Plan(zf, own_rows)
        with zipfile.ZipFile(dest, "w") as out:
            for info in zf.infolist():
                data = zf.read(info.filename)
                new = _scrub_part(info.filename, data, scrub, plan)
                if new is None:
                    out.writestr(info, data)
                    continue
                changed += 1
                fresh = zipfile.ZipInfo(info.filename, info.date_time)
                fresh.external_attr, fresh.create_system = info.external_attr, info.create_system
                fresh.compress_type = zipfile.ZIP_DEFLATED
                out.writestr(fresh, new)
    return changed
