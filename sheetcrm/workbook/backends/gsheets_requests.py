"""The :batchUpdate requests sheetcrm sends to Google: tabs, grids, formats,
protections, dropdowns and highlighting. Builders only: nothing here talks to Google."""
from __future__ import annotations

import datetime as dt
import itertools
import random
from typing import Any

from ... import schema
from .base import FONT_NAME, OwnedTab, TabLayout, col_letter

OWNED_NOTE = "sheetcrm: computed by every sync; edits here are overwritten"
DATE_FORMAT = {"type": "DATE", "pattern": "yyyy-mm-dd"}
PERCENT_FORMAT = {"type": "PERCENT", "pattern": "0.0%"}
HEADER_FILL = "DDE6F0"
ISSUE_FILL = schema.ISSUE_COLOUR
OWNED_COLUMNS = frozenset(c.name for t in schema.INPUT_TAB_SCHEMAS.values() for c in t.owned_columns)
DATE_COLUMNS = frozenset(c.name for t in schema.INPUT_TAB_SCHEMAS.values() for c in t.columns
                         if c.kind == schema.DATE) | {"last_contact", "next_circle_back"}


def new_id(used: set[int]) -> int:
    while True:
        sid = random.randint(10_000, 2**31 - 1)
        if sid not in used:
            used.add(sid)
            return sid


def rgb(hex_colour: str) -> dict:
    return {k: int(hex_colour[i:i + 2], 16) / 255 for k, i in (("red", 0), ("green", 2), ("blue", 4))}


def add_sheet(sid: int, title: str, rows: int, cols: int, frozen: int = 1) -> dict:
    grid: dict[str, int] = {"rowCount": rows, "columnCount": cols}
    if frozen:
        grid["frozenRowCount"] = frozen
    return {"addSheet": {"properties": {"sheetId": sid, "title": title, "gridProperties": grid}}}


def append_dimension(sid: int, dimension: str, length: int) -> dict:
    """Grow a grid at its end: never cuts rows or columns a person added meanwhile."""
    return {"appendDimension": {"sheetId": sid, "dimension": dimension, "length": length}}


def number_format(sid: int, col: int, fmt: dict, start_row: int = 1) -> dict:
    return {"repeatCell": {"range": {"sheetId": sid, "startRowIndex": start_row, "startColumnIndex": col - 1, "endColumnIndex": col},
                           "cell": {"userEnteredFormat": {"numberFormat": dict(fmt)}},
                           "fields": "userEnteredFormat.numberFormat"}}


def header_style(sid: int, row: int, width: int, fill: str | None = HEADER_FILL) -> dict:
    fmt: dict[str, Any] = {"textFormat": {"bold": True, "fontFamily": FONT_NAME}}
    if fill:
        fmt["backgroundColor"] = rgb(fill)
    return {"repeatCell": {"range": {"sheetId": sid, "startRowIndex": row - 1, "endRowIndex": row,
                                     "startColumnIndex": 0, "endColumnIndex": width},
                           "cell": {"userEnteredFormat": fmt},
                           "fields": "userEnteredFormat(textFormat,backgroundColor)" if fill else "userEnteredFormat.textFormat"}}


def protect(sid: int, col: int | None = None) -> dict:
    rng: dict[str, int] = {"sheetId": sid}
    if col is not None:
        rng.update(startColumnIndex=col - 1, endColumnIndex=col)
    return {"addProtectedRange": {"protectedRange": {"range": rng, "description": OWNED_NOTE, "warningOnly": True}}}


def protected(info: dict, col: int | None) -> bool:
    """Is there already a warning (or stricter) protection over this column / the whole tab?"""
    for p in info.get("protected", []):
        rng = p.get("range", {})
        if rng.get("startRowIndex", 0) > 0:
            continue
        lo, hi = rng.get("startColumnIndex"), rng.get("endColumnIndex")
        if col is None:
            if lo in (None, 0) and hi is None:
                return True
        elif (lo is None or lo <= col - 1) and (hi is None or col - 1 < hi):
            return True
    return False


def highlight(sid: int, width: int, formula: str, colour: str) -> dict:
    return {"addConditionalFormatRule": {"index": 0, "rule": {
        "ranges": [{"sheetId": sid, "startRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": width}],
        "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                        "format": {"backgroundColor": rgb(colour)}}}}}


def status_highlights(sid: int, width: int, col: int) -> list[dict]:
    letter = col_letter(col)
    return [highlight(sid, width, f'=${letter}2="{value}"', colour) for value, colour in reversed(list(schema.DUE_COLOURS.items()))]


def owned_tab_formats(sid: int, tab: OwnedTab, rows: int, highlights: bool = True) -> list[dict]:
    width = max([len(r) for r in tab.rows] + [1])
    out = [look(sid, tab)]
    out += [header_style(sid, r, width, fill=None) for r in tab.bold_rows if r <= len(tab.rows)]
    header = [str(v) for v in tab.rows[tab.freeze_rows - 1]] if tab.freeze_rows and len(tab.rows) >= tab.freeze_rows else []
    dates = set(tab.date_columns) | {i for i, h in enumerate(header, start=1) if h in DATE_COLUMNS}
    # The columns holding a date below the header, told from each column's cell types
    # in C, not cell by cell (the Issues tab of 100,000 candidates has 100,000 rows).
    columns = itertools.zip_longest(*tab.rows[1:])  # None past a row's end: no date
    dates |= {i for i, col in enumerate(columns, start=1) if any(issubclass(t, dt.date) for t in set(map(type, col)))}
    out += [number_format(sid, c, DATE_FORMAT, start_row=tab.freeze_rows) for c in sorted(dates)]
    out += [number_format(sid, c, PERCENT_FORMAT, start_row=tab.freeze_rows) for c in tab.percent_columns]
    out += columns_look(sid, tab)
    if highlights and "circle_back_status" in header:
        out += status_highlights(sid, width, header.index("circle_back_status") + 1)
    return out


def look(sid: int, tab: OwnedTab) -> dict:
    """The whole tab in the named sans-serif font, top-aligned, not wrapped (below: where)."""
    return {"repeatCell": {"range": {"sheetId": sid},
                           "cell": {"userEnteredFormat": {"textFormat": {"fontFamily": FONT_NAME}, "wrapStrategy": "OVERFLOW_CELL",
                                                          "verticalAlignment": "TOP"}},
                           "fields": "userEnteredFormat(textFormat,wrapStrategy,verticalAlignment)"}}


def columns_look(sid: int, tab: OwnedTab) -> list[dict]:
    """Widths from content (pixels: about 7 per character), long text wrapped,
    numbers and their headers right-aligned."""
    out: list[dict] = []
    for c, width in enumerate(tab.widths, start=1):
        if width:
            out.append({"updateDimensionProperties": {
                "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": c - 1, "endIndex": c},
                "properties": {"pixelSize": int(width * 7 + 5)}, "fields": "pixelSize"}})
    for c in tab.wrap_columns:
        out.append(column_format(sid, c, {"wrapStrategy": "WRAP"}, "userEnteredFormat.wrapStrategy"))
    for c in tab.align_right:
        out.append(column_format(sid, c, {"horizontalAlignment": "RIGHT"}, "userEnteredFormat.horizontalAlignment"))
    return out


def column_format(sid: int, col: int, fmt: dict, fields: str) -> dict:
    return {"repeatCell": {"range": {"sheetId": sid, "startColumnIndex": col - 1, "endColumnIndex": col},
                           "cell": {"userEnteredFormat": fmt}, "fields": fields}}


def dropdown(sid: int, col: int, choices) -> dict:
    """A warning-only dropdown over the whole column below the header (no end row:
    however many rows people add)."""
    return {"setDataValidation": {
        "range": {"sheetId": sid, "startRowIndex": 1, "startColumnIndex": col - 1, "endColumnIndex": col},
        "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": c} for c in choices]},
                 "inputMessage": f"Choose one of: {', '.join(choices)}", "strict": False, "showCustomUi": True}}}


def create_requests(sheets: dict, layout: list[TabLayout], ids: dict[str, int]) -> list[dict]:
    """Everything `init` makes, as one atomic :batchUpdate. Tabs being replaced (--force)
    are renamed out of the way first and deleted last."""
    out: list[dict] = []
    replaced = [info["id"] for t in layout for title, info in sheets.items() if title.casefold() == t.title.casefold()]
    stamp = dt.datetime.now().strftime("%H%M%S")
    out += [{"updateSheetProperties": {"properties": {"sheetId": sid, "title": f"sheetcrm-replaced-{sid}-{stamp}"},
                                       "fields": "title"}} for sid in replaced]
    for t in layout:
        sid, width = ids[t.title], max(len(t.header), 1)
        rows = max(1000, len(t.rows) + 1 + 500)
        out.append(add_sheet(sid, t.title, rows, max(width, 26)))
        out.append(header_style(sid, 1, width))
        out += [dropdown(sid, col, choices) for col, choices in t.dropdowns.items()]
        dates = set(t.date_columns) | {i for i, h in enumerate(t.header, start=1) if h in DATE_COLUMNS}
        out += [number_format(sid, c, DATE_FORMAT) for c in sorted(dates)]
        if t.highlight_values:
            col, colours = t.highlight_values
            letter = col_letter(col)
            out += [highlight(sid, width, f'=${letter}2="{v}"', colour) for v, colour in reversed(list(colours.items()))]
        if t.highlight_nonempty_col:
            out.append(highlight(sid, width, f"=LEN(${col_letter(t.highlight_nonempty_col)}2)>0", ISSUE_FILL))
        if t.owned_columns:
            out += [protect(sid, c) for c in t.owned_columns]
        else:
            out.append(protect(sid))
    out += [{"deleteSheet": {"sheetId": sid}} for sid in replaced]
    return out
