"""What `sheetcrm doctor` needs to know beyond the cells: per tab, filters and tables,
protections and whether it holds only a chart; the sheet's locale and size. One
reader per backend; the checks in ``doctor.py`` do not care where facts came from."""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from .backends.base import col_number


@dataclasses.dataclass
class TabFacts:
    title: str
    chart_only: bool = False
    # (what, first column, last column), 1-based: a filter or table people sort with
    ranges: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)
    # (first column or None = whole tab, last column or None, sheetcrm may not write there)
    protections: list[tuple[int | None, int | None, bool]] = dataclasses.field(default_factory=list)
    cells: int = 0


@dataclasses.dataclass
class Facts:
    backend: str  # "xlsx" | "gsheets" | "memory"
    tabs: dict[str, TabFacts] = dataclasses.field(default_factory=dict)
    locale: str | None = None
    cell_limit: int | None = None  # Google: 10 million cells per spreadsheet


GOOGLE_CELL_LIMIT = 10_000_000


def _span(ref: str) -> tuple[int, int]:
    """'B1:N200' -> (2, 14); 'A:F' -> (1, 6)."""
    first, _, last = ref.replace("$", "").partition(":")
    letters = lambda part: "".join(ch for ch in part if ch.isalpha()) or "A"  # noqa: E731
    return col_number(letters(first)), col_number(letters(last or first))


def xlsx_facts(path: Path) -> Facts:
    """Filters, tables, sheet protection and chart sheets of a local workbook."""
    import openpyxl

    wb = openpyxl.load_workbook(path)
    facts = Facts("xlsx")
    for ws in wb.worksheets:
        tab = TabFacts(ws.title, cells=(ws.max_row or 0) * (ws.max_column or 0))
        if ws.auto_filter is not None and ws.auto_filter.ref:
            tab.ranges.append(("filter", *_span(ws.auto_filter.ref)))
        for name, table in ws.tables.items():
            ref = table.ref if hasattr(table, "ref") else table
            tab.ranges.append((f"table '{name}'", *_span(str(ref))))
        if ws.protection is not None and ws.protection.sheet:
            # Excel's sheet protection stops people, not sheetcrm (it writes the file itself).
            tab.protections.append((None, None, False))
        facts.tabs[ws.title] = tab
    for cs in wb.chartsheets:
        facts.tabs[cs.title] = TabFacts(cs.title, chart_only=True)
    wb.close()
    return facts


def google_facts(meta: dict[str, Any]) -> Facts:
    """From the spreadsheet's metadata: locale, filters, protections, chart tabs, size."""
    facts = Facts("gsheets", locale=meta.get("properties", {}).get("locale"), cell_limit=GOOGLE_CELL_LIMIT)
    for sheet in meta.get("sheets", []):
        props = sheet.get("properties", {})
        grid = props.get("gridProperties", {})
        tab = TabFacts(props.get("title", ""), chart_only=props.get("sheetType", "GRID") != "GRID",
                       cells=grid.get("rowCount", 0) * grid.get("columnCount", 0))
        rng = (sheet.get("basicFilter") or {}).get("range")
        if rng is not None:
            tab.ranges.append(("filter", rng.get("startColumnIndex", 0) + 1,
                               rng.get("endColumnIndex", grid.get("columnCount", 0))))
        for view in sheet.get("filterViews", []):
            r = view.get("range", {})
            tab.ranges.append((f"filter view '{view.get('title', '')}'", r.get("startColumnIndex", 0) + 1,
                               r.get("endColumnIndex", grid.get("columnCount", 0))))
        for p in sheet.get("protectedRanges", []):
            r = p.get("range", {})
            # Google says whether the account asking may edit the range (requestingUserCanEdit).
            blocks = not p.get("warningOnly", False) and not p.get("requestingUserCanEdit", False)
            lo = r.get("startColumnIndex")
            hi = r.get("endColumnIndex")
            tab.protections.append((None if lo is None else lo + 1, hi, blocks))
        facts.tabs[tab.title] = tab
    return facts
