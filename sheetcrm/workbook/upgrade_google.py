"""`sheetcrm init --upgrade` on a Google Sheet: add what this sheetcrm expects to a sheet
people already keep, without changing any person's cell (DESIGN §7; the .xlsx twin is
upgrade.py, the column decisions both share are upgrade_columns.py).

Reads: the metadata (tabs, grids, protections, filters, highlighting rules), every tab's
values and formulas (one ``values:batchGet``, FORMULA), and for the columns it would
format or give a dropdown, row 2's number format and data validation (one
``spreadsheets.get`` of those cells), sheetcrm's column markers (one
``developerMetadata:search``). Writes: one atomic ``:batchUpdate`` (tabs, wider
grids, formats, dropdowns, highlighting, frozen header, warning-only protections, a
filter widened, the markers sync finds its tabs and columns by: gsheets_write) and one ``values:batchUpdate`` of header cells that were blank — row 1
is read again just before, so a header a person typed meanwhile is kept, not written
over. A lost answer is never resent: running it again adds only what is still missing.
"""
from __future__ import annotations

import dataclasses
import random
from typing import Any

from .. import schema
from ..config import Settings
from .backends import gsheets_requests as req
from .backends import gsheets_markers as marks
from .backends import gsheets_write
from .backends.base import TabLayout, col_letter
from .backends.gsheets_cells import from_cells, quote, to_cell
from .backends.gsheets_http import Unanswered
from .doctor import looks_like_ours
from .layout import workbook_layout
from .upgrade import UpgradeResult
from .upgrade_columns import TEXT_COLUMNS, ColumnPlan, plan_columns

FORMULAS = {"valueRenderOption": "FORMULA", "dateTimeRenderOption": "SERIAL_NUMBER"}
TEXT_FORMAT = {"type": "TEXT"}  # plain text: keeps a phone's `+` and an id's leading zeros
# What a column's format already is when row 2 has one of these types.
KINDS = {"date": ("DATE", "DATE_TIME"), "plain-text": ("TEXT",)}
ROW2_FIELDS = ("sheets(properties(sheetId,title),"
               "data(startRow,startColumn,rowData(values(dataValidation,userEnteredFormat(numberFormat)))))")


@dataclasses.dataclass
class Found:
    """One tab as the read found it."""

    title: str
    sid: int
    rows: int
    cols: int
    frozen: int
    grid: bool  # False: a chart-only tab (no cells)
    protected: list[dict]
    basic_filter: dict | None
    rules: set[str]  # the custom formulas of its highlighting rules, loosely spelled
    markers: list[dict]  # sheet-located developer metadata (sheetcrm's tab marker)
    cells: list[list[Any]] = dataclasses.field(default_factory=list)  # values and formulas
    columns: dict[str, int] = dataclasses.field(default_factory=dict)  # sheetcrm's marked columns -> column now


@dataclasses.dataclass
class Plan:
    """What one run sends: structure first, then the header cells."""

    requests: list[dict] = dataclasses.field(default_factory=list)
    headers: list[tuple[str, int, int, Any]] = dataclasses.field(default_factory=list)  # (tab, row, col, value)
    new_tabs: set[str] = dataclasses.field(default_factory=set)
    mids: set[int] = dataclasses.field(default_factory=set)  # developer metadata ids in use
    added: list[str] = dataclasses.field(default_factory=list)
    notes: list[str] = dataclasses.field(default_factory=list)


def upgrade(backend, settings: Settings) -> UpgradeResult:
    backend.requests, backend.request_log = 0, []
    found = _read(backend)
    try:
        plans = {key: plan_columns(key, f.cells, settings.header_aliases.get(key, {}))
                 for key in schema.INPUT_TABS if (f := _find(found, settings.tab_title(key))) and f.grid}
        row2 = _read_row2(backend, found, settings, plans)
        plan = build(settings, found, plans, row2, _read_markers(backend, found, plans))
        if plan.requests:  # atomic at Google; a lost answer is not resent (see the docstring)
            backend._http.batch_update(backend.key, {"requests": plan.requests})
        plan.notes += _write_headers(backend, plan)
    except Unanswered as exc:
        raise backend._unanswered(exc, "init --upgrade", "run it again: it adds only what is still missing") from None
    return UpgradeResult(backend.describe(), plan.added, notes=plan.notes)


# -- reading ------------------------------------------------------------------------
def _read(backend) -> dict[str, Found]:
    meta = backend.metadata()
    found: dict[str, Found] = {}
    for s in meta.get("sheets", []):
        p = s.get("properties", {})
        grid = p.get("gridProperties", {})
        rules = {_loose(v.get("userEnteredValue", "")) for r in s.get("conditionalFormats", [])
                 for v in r.get("booleanRule", {}).get("condition", {}).get("values", [])}
        found[p["title"]] = Found(p["title"], p.get("sheetId", 0), grid.get("rowCount", 0), grid.get("columnCount", 0),
                                  grid.get("frozenRowCount", 0), p.get("sheetType", "GRID") == "GRID",
                                  s.get("protectedRanges", []), s.get("basicFilter"), rules,
                                  s.get("developerMetadata", []))
    titles = [t for t, f in found.items() if f.grid]
    try:
        got = backend._http.values_batch_get(backend.key, [quote(t) for t in titles], params=dict(FORMULAS)) \
            if titles else {}
    except Unanswered as exc:
        raise backend._unanswered(exc, "reading", "nothing was written") from None
    for title, vr in zip(titles, got.get("valueRanges", [])):
        found[title].cells = [from_cells(row) for row in vr.get("values", [])]
    return found


def _loose(formula: str) -> str:
    return "".join(str(formula).split()).lstrip("=").upper()


def _find(found: dict[str, Found], title: str) -> Found | None:
    return next((f for t, f in found.items() if t.strip().casefold() == title.strip().casefold()), None)


def _wanted_formats(key: str, plan: ColumnPlan) -> list[tuple[str, int, dict, str]]:
    """(column, sheet column, format, kind) for the date and plain-text columns found or added."""
    out = []
    for column in schema.INPUT_TAB_SCHEMAS[key].columns:
        col = plan.columns.get(column.name)
        if col is None:
            continue
        if column.kind == schema.DATE:
            out.append((column.name, col, req.DATE_FORMAT, "date"))
        elif column.name in TEXT_COLUMNS:
            out.append((column.name, col, TEXT_FORMAT, "plain-text"))
    return out


def _read_row2(backend, found: dict[str, Found], settings: Settings, plans: dict[str, ColumnPlan]) -> dict:
    """(tab title, column) -> row 2's cell as Google describes it: its format and dropdown
    tell whether the column already has them (one request for every column asked)."""
    ranges = []
    for key, plan in plans.items():
        f = _find(found, settings.tab_title(key))
        if f is None or f.rows < 2:
            continue
        cols = {plan.found[n] for n in schema.DROPDOWNS[key] if n in plan.found}
        cols |= {col for name, col, _fmt, _kind in _wanted_formats(key, plan) if name in plan.found}
        ranges += [f"{quote(f.title)}!{col_letter(c)}2" for c in sorted(cols) if c <= f.cols]
    if not ranges:
        return {}
    got = backend._http.fetch_sheet_metadata(backend.key, params={"ranges": ranges, "fields": ROW2_FIELDS})
    out: dict[tuple[str, int], dict] = {}
    for s in got.get("sheets", []):
        title = s.get("properties", {}).get("title", "")
        for data in s.get("data", []):
            first = (data.get("rowData") or [{}])[0].get("values") or [{}]
            out[(title, data.get("startColumn", 0) + 1)] = first[0]
    return out


def _read_markers(backend, found: dict[str, Found], plans: dict[str, ColumnPlan]) -> set[int]:
    """sheetcrm's column markers (only a search lists them): per tab, name -> column now.
    Returns the metadata ids in use."""
    if not plans:
        return set()
    got = marks.search_columns(backend, set(found), {})
    by_id = {f.sid: f for f in found.values()}
    for sid, columns in got.items():
        if sid in by_id:
            by_id[sid].columns = {name: col for name, (_mid, col) in columns.items()}
    return marks.used_ids(got)


# -- planning -----------------------------------------------------------------------
def build(settings: Settings, found: dict[str, Found], plans: dict[str, ColumnPlan], row2: dict,
          mids: set[int] = frozenset()) -> Plan:
    plan = Plan(mids=set(mids) | {m.get("metadataId", 0) for f in found.values() for m in f.markers})
    used = {f.sid for f in found.values()}
    for tab in workbook_layout(settings):
        key = _key_of(settings, tab.title)
        f = _find(found, tab.title)
        if f is None:
            _new_tab(plan, tab, req.new_id(used))
        elif key in schema.OWNED_TABS:
            _owned_tab(plan, key, tab, f)
        elif not f.grid:
            plan.notes.append(f"tab {f.title} left alone: it holds only a chart (see `sheetcrm doctor`)")
        else:
            _input_tab(plan, key, f, plans[key], row2)
    return plan


def _key_of(settings: Settings, title: str) -> str:
    return next(k for k in (*schema.INPUT_TABS, *schema.OWNED_TABS) if settings.tab_title(k) == title)


def _new_tab(plan: Plan, tab: TabLayout, sid: int) -> None:
    """A tab the sheet lacks, as `init` makes it (and plain text on its id and phone columns)."""
    plan.requests += req.create_requests({}, [tab], {tab.title: sid})
    plan.requests += [_fresh_mid(plan, r) for r in marks.init_markers([tab], {tab.title: sid})]
    plan.requests += [req.number_format(sid, c, TEXT_FORMAT) for c, name in enumerate(tab.header, start=1)
                      if tab.owned_columns and name in TEXT_COLUMNS]
    plan.new_tabs.add(tab.title)
    for r, row in enumerate([tab.header, *tab.rows], start=1):
        plan.headers += [(tab.title, r, c, v) for c, v in enumerate(row, start=1)]
    plan.added.append(f"tab {tab.title} with its header")


def _owned_tab(plan: Plan, key: str, tab: TabLayout, f: Found) -> None:
    """sheetcrm's own tab: protected and highlighted if it is sheetcrm's; left alone if not."""
    if not f.grid or (f.cells and not looks_like_ours(key, f.cells)):
        plan.notes.append(f"tab {f.title} left alone: it holds the team's own content (see `sheetcrm doctor`)")
        return
    if not f.cells:  # an empty tab with sheetcrm's title: its header goes into blank cells
        for r, row in enumerate([tab.header, *tab.rows], start=1):
            plan.headers += [(f.title, r, c, v) for c, v in enumerate(row, start=1)]
        plan.added.append(f"{f.title}: header")
    if marks.tab_marker_of({"markers": f.markers}) is None:  # sync finds it by its marker, renamed or not
        plan.requests.append(_fresh_mid(plan, marks.marker(marks.TAB_KEY, key, {"sheetId": f.sid}, 0)))
        plan.added.append(f"{f.title}: marked as sheetcrm's {key.replace('_', '-')} tab")
    if tab.highlight_values:
        _status_highlights(plan, f, tab.highlight_values[0], max(len(tab.header), 1))
    if not req.protected({"protected": f.protected}, None):
        plan.requests.append(req.protect(f.sid))
        plan.added.append(f"{f.title}: warning-only protection (sheetcrm rewrites this tab)")


def _input_tab(plan: Plan, key: str, f: Found, cols: ColumnPlan, row2: dict) -> None:
    width = max(cols.width, 1)
    if width > f.cols:  # grown at its end, as sync does: a rowCount or columnCount sent could cut
        # rows or columns a person added meanwhile
        plan.requests.append(gsheets_write.append_dimension(f.sid, "COLUMNS", width - f.cols))
    for name, col in cols.added.items():
        plan.headers.append((f.title, 1, col, name))
        plan.requests.append(_header_look(f.sid, col))
        if cols.found or cols.last_used:
            plan.added.append(f"{f.title}: column {col_letter(col)} {name}")
    if cols.added and not (cols.found or cols.last_used):
        plan.added.append(f"{f.title}: header ({len(cols.added)} columns) in the empty tab")
    _dropdowns(plan, key, f, cols, row2)
    _formats(plan, key, f, cols, row2)
    if "row_issues" in cols.columns:
        _highlight(plan, f, width, f"=LEN(${col_letter(cols.columns['row_issues'])}2)>0", req.ISSUE_FILL,
                   "rows with issues highlighted")
    if key == schema.CANDIDATES and "circle_back_status" in cols.columns:
        _status_highlights(plan, f, cols.columns["circle_back_status"], width)
    if f.frozen < 1:
        plan.requests.append({"updateSheetProperties": {
            "properties": {"sheetId": f.sid, "gridProperties": {"frozenRowCount": 1}},
            "fields": "gridProperties.frozenRowCount"}})
        plan.added.append(f"{f.title}: header row frozen")
    owned = {col: name for name, col in cols.columns.items() if name in req.OWNED_COLUMNS}
    for col, name in sorted(owned.items()):
        if not req.protected({"protected": f.protected}, col):
            plan.requests.append(req.protect(f.sid, col))
            plan.added.append(f"{f.title}: warning-only protection on column {col_letter(col)} ({name})")
    _widen_filter(plan, f, sorted(owned))
    _column_markers(plan, f, cols)


def _column_markers(plan: Plan, f: Found, cols: ColumnPlan) -> None:
    """sheetcrm's columns and the id column carry a marker that moves with the column
    (sync addresses its writes by it): added where the tab has none for that name."""
    for name, col in sorted(cols.columns.items(), key=lambda x: x[1]):
        if name in marks.MARKED and name not in f.columns:
            plan.requests.append(_fresh_mid(plan, marks.marker(marks.COLUMN_KEY, name, marks.column_location(f.sid, col), 0)))
            plan.added.append(f"{f.title}: column {col_letter(col)} ({name}) marked as sheetcrm's")


def _fresh_mid(plan: Plan, request: dict) -> dict:
    """A marker request with a metadata id no other marker of the sheet has."""
    meta = request["createDeveloperMetadata"]["developerMetadata"]
    mid = meta["metadataId"]
    while mid in plan.mids or mid < 1_000:
        mid = random.randint(1_000, 2**31 - 1)
    plan.mids.add(mid)
    meta["metadataId"] = mid
    return request


def _header_look(sid: int, col: int) -> dict:
    look = req.header_style(sid, 1, col)
    look["repeatCell"]["range"]["startColumnIndex"] = col - 1
    return look


def _dropdowns(plan: Plan, key: str, f: Found, cols: ColumnPlan, row2: dict) -> None:
    for name, choices in schema.DROPDOWNS[key].items():
        col = cols.columns.get(name)
        if col is None or "dataValidation" in row2.get((f.title, col), {}):
            continue  # theirs (or ours) is kept as it is, never stacked over
        plan.requests.append(req.dropdown(f.sid, col, choices))
        plan.added.append(f"{f.title}: dropdown on {name} (column {col_letter(col)})")


def _formats(plan: Plan, key: str, f: Found, cols: ColumnPlan, row2: dict) -> None:
    """Number formats over whole columns below the header; the values stay as they are."""
    for name, col, fmt, kind in _wanted_formats(key, cols):
        have = row2.get((f.title, col), {}).get("userEnteredFormat", {}).get("numberFormat", {}).get("type")
        if name in cols.found and have in KINDS[kind]:
            continue
        plan.requests.append(req.number_format(f.sid, col, fmt))
        plan.added.append(f"{f.title}: {kind} format on {name} (column {col_letter(col)})")


def _highlight(plan: Plan, f: Found, width: int, formula: str, colour: str, what: str) -> None:
    if _loose(formula) in f.rules:
        return
    plan.requests.append(req.highlight(f.sid, width, formula, colour))
    plan.added.append(f"{f.title}: {what}")


def _status_highlights(plan: Plan, f: Found, col: int, width: int) -> None:
    for value, colour in reversed(list(schema.DUE_COLOURS.items())):
        _highlight(plan, f, width, f'=${col_letter(col)}2="{value}"', colour, f"{value} rows highlighted")


def _widen_filter(plan: Plan, f: Found, owned: list[int]) -> None:
    """A filter people sort with must cover sheetcrm's columns, or sorting leaves their
    values on the wrong rows. Its criteria and sort order are kept."""
    if not f.basic_filter or not owned:
        return
    rng = dict(f.basic_filter.get("range", {}))
    lo, hi = rng.get("startColumnIndex", 0), rng.get("endColumnIndex", f.cols)
    if all(lo < c <= hi for c in owned):
        return
    if f.basic_filter.get("tableId"):  # a table's filter: its range is the table's, widened in Sheets
        plan.notes.append(f"{f.title}: the filter belongs to a table that stops short of sheetcrm's columns; "
                          "widen the table in Google Sheets (Table > Edit table range)")
        return
    rng.update(sheetId=f.sid, startColumnIndex=min(lo, owned[0] - 1), endColumnIndex=max(hi, owned[-1]))
    rng.pop("endRowIndex", None)  # every row, however many people add
    plan.requests.append({"setBasicFilter": {"filter": {**f.basic_filter, "range": rng}}})
    plan.added.append(f"{f.title}: filter widened to {col_letter(rng['startColumnIndex'] + 1)}:"
                      f"{col_letter(rng['endColumnIndex'])}")


# -- writing the header cells -----------------------------------------------------------
def _write_headers(backend, plan: Plan) -> list[str]:
    """Header cells into blank cells only: row 1 of the existing tabs is read again first,
    and a cell a person filled since the first read is left as they typed it."""
    cells = plan.headers
    kept: list[str] = []
    old = sorted({t for t, r, _c, _v in cells if t not in plan.new_tabs})
    if old:
        got = backend._http.values_batch_get(backend.key, [f"{quote(t)}!1:1" for t in old], params=dict(FORMULAS))
        now = {t: (vr.get("values") or [[]])[0] for t, vr in zip(old, got.get("valueRanges", []))}
        taken = {(t, c) for t, row in now.items() for c, v in enumerate(row, start=1) if v not in ("", None)}
        kept = [f"{t}: column {col_letter(c)} was typed into meanwhile; its header is left to you"
                for t, r, c, _v in cells if r == 1 and (t, c) in taken]
        cells = [x for x in cells if x[0] in plan.new_tabs or x[1] > 1 or (x[0], x[2]) not in taken]
    data = _ranges(cells)
    if data:
        backend._http.values_batch_update(backend.key, {"valueInputOption": "RAW", "data": data})
    return kept


def _ranges(cells: list[tuple[str, int, int, Any]]) -> list[dict]:
    """Cells -> one range per run of neighbours in a row (RAW: text is never a formula)."""
    data: list[dict] = []
    last: tuple[str, int, int] | None = None
    for t, r, c, v in sorted(cells, key=lambda x: (x[0], x[1], x[2])):
        if last == (t, r, c - 1):
            data[-1]["values"][0].append(to_cell(v))
            data[-1]["range"] = f"{quote(t)}!{data[-1]['range'].rsplit('!', 1)[1].split(':')[0]}:{col_letter(c)}{r}"
        else:
            data.append({"range": f"{quote(t)}!{col_letter(c)}{r}", "values": [[to_cell(v)]]})
        last = (t, r, c)
    return data
