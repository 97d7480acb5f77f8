"""A Google Sheet through gspread + google-auth. The only module that imports gspread.

Requests per sync do not depend on the number of rows (Google allows 60 per minute):

* ``read()``: one metadata read (``spreadsheets.get``, no grid data) and one
  ``values:batchGet`` of every tab (UNFORMATTED_VALUE + SERIAL_NUMBER: dates stay
  serial numbers, sheetcrm's own typing reads them; gspread's numericise is never used).
* ``write()``: only when something changed. At most one ``:batchUpdate``, only when a
  tab, a wider grid, a column format or a warning-only protection must be created;
  one ``values:batchGet`` of the identity columns and header rows, to see where the
  rows are *now*; one ``values:batchUpdate`` (RAW: text is never a formula) with the
  re-targeted cells and the owned tabs rewritten whole over their old extent.
  So: 2 requests when nothing changed, at most 5 when something did.

Google has no conditional writes. The identity re-read closes the gap between our
read and our write (sorting, inserting, deleting rows); what remains is the time
between that re-read and the write (one round trip), documented in the README.

Errors: reads are retried on 429, 5xx, timeouts, dropped connections and answers that are
not Google's, with exponential backoff and jitter, honouring Retry-After, within
``attempts`` (429s: for at least a minute; gsheets_http.Tries). Writes are
never blindly resent: a structural ``:batchUpdate`` is rebuilt from fresh metadata
(if the lost attempt landed, nothing is left to do) and the values write is
re-targeted by a fresh identity read before it is sent again. After the last attempt:
one line (``BackendError``), exit 1. Credentials are never printed or logged.
"""
from __future__ import annotations

import random
import re
from typing import Any, Callable

from ...errors import BackendError, ConfigError
from . import gsheets_chart
from . import gsheets_requests as req
from .base import Backend, Changes, CellUpdate, Sheet, Snapshot, TabLayout, WriteResult, col_letter, resolve_rows, same_cell
from .gsheets_auth import AccessReport, api_url_from_env, load_credentials
from .gsheets_cells import READ, from_cell, quote, to_cell
from .gsheets_http import GoogleHTTP, Unanswered
from .gsheets_requests import DATE_FORMAT

__all__ = ["AccessReport", "DATE_FORMAT", "GSheetsBackend", "check_access", "load_credentials", "quote", "to_cell"]


# -- the backend --------------------------------------------------------------------
class GSheetsBackend(GoogleHTTP, Backend):
    name = "gsheets"

    def __init__(self, sheet_key: str, credentials: Any, *, account: str = "the account in the credentials",
                 credentials_type: str = "service_account",
                 base_url: str | None = None, timeout: float | tuple[float, float] = (10.0, 60.0),
                 attempts: int = 6, backoff: float = 1.0, max_wait: float = 64.0,
                 sleep: Callable[[float], None] | None = None, jitter: Callable[[], float] = random.random):
        self.key = sheet_key
        self.account, self.credentials_type = account, credentials_type
        self._init_http(credentials, base_url, timeout, attempts, backoff, max_wait, sleep, jitter)

    @classmethod
    def from_settings(cls, settings) -> "GSheetsBackend":
        base_url = api_url_from_env()
        creds, account = load_credentials(settings)
        return cls(settings.sheet_key, creds, account=account, credentials_type=settings.credentials_type, base_url=base_url)

    def describe(self) -> str:
        return f"Google Sheet {self.key}"

    # -- reading ---------------------------------------------------------------
    def _sheets(self) -> dict[str, dict]:
        meta = self._http.fetch_sheet_metadata(self.key)
        out: dict[str, dict] = {}
        for s in meta.get("sheets", []):
            p = s["properties"]
            grid = p.get("gridProperties", {})
            out[p["title"]] = {"id": p.get("sheetId", 0), "rows": grid.get("rowCount", 0),
                               "cols": grid.get("columnCount", 0), "protected": s.get("protectedRanges", []),
                               "charts": [c.get("chartId") for c in s.get("charts", [])],
                               "type": p.get("sheetType", "GRID"), "markers": s.get("developerMetadata", []),
                               "title": meta.get("properties", {}).get("title", "")}
        return out

    def metadata(self) -> dict:
        """The spreadsheet's metadata as Google gives it (locale, tabs, protections,
        filters, charts), for `sheetcrm doctor`."""
        try:
            return self._http.fetch_sheet_metadata(self.key)
        except Unanswered as exc:
            raise self._unanswered(exc, "reading the sheet's settings", "nothing was written") from None

    def read(self) -> Snapshot:
        self.requests = 0
        self.request_log = []
        try:
            sheets = self._sheets()
            # A chart-only tab (sheetType OBJECT) has no cells: a range on it is refused.
            titles = [t for t, info in sheets.items() if info["type"] == "GRID"]
            got = self._http.values_batch_get(self.key, [quote(t) for t in titles], params=dict(READ)) if titles else {}
        except Unanswered as exc:
            raise self._unanswered(exc, "reading", "nothing was written") from None
        tabs: dict[str, Sheet] = {}
        for title, vr in zip(titles, got.get("valueRanges", [])):
            tabs[title] = Sheet(title, [[None if v == "" else v for v in row] for row in vr.get("values", [])])
        return Snapshot(tabs, token=None, meta={"sheets": sheets})

    # -- writing ---------------------------------------------------------------
    def write(self, snapshot: Snapshot, changes: Changes) -> WriteResult:
        if not changes:
            return WriteResult(requests=self.requests)
        sheets = snapshot.meta.get("sheets")
        try:
            if sheets is None:
                sheets = self._sheets()
            self._structure(lambda current: self._needed_structure(current, snapshot, changes), sheets)
        except Unanswered as exc:
            raise self._unanswered(exc, "preparing tabs and columns", "no values were written; the next sync will retry") from None
        tries = self._tries()
        while True:
            try:
                targets, skipped = self._retarget(snapshot, changes)
                data = self._value_ranges(snapshot, changes, targets)
                if data:
                    self._http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})
                return WriteResult(cells_written=len(targets), tabs_written=len(changes.tabs),
                                   skipped_rows=skipped, requests=self.requests)
            except Unanswered as exc:
                if not tries.again(exc):
                    raise self._unanswered(exc, "writing", "the values were written completely or not at all; "
                                                           "the next sync will finish") from None

    def _structure(self, build: Callable[[dict], list[dict]], sheets: dict) -> None:
        """Send ``build(sheets)`` as one :batchUpdate (atomic at Google). If the answer is
        lost, look again and send only what is still missing: never a blind resend."""
        todo = build(sheets)
        tries = self._tries()
        while todo:
            try:
                self._http.batch_update(self.key, {"requests": todo})
                return
            except Unanswered as exc:
                if not tries.again(exc):
                    raise
                todo = build(self._sheets())

    def _needed_structure(self, sheets: dict, snapshot: Snapshot, changes: Changes) -> list[dict]:
        found = {t.casefold(): info for t, info in sheets.items()}
        used = {info["id"] for info in sheets.values()}
        out: list[dict] = []
        for tab in changes.tabs:
            height = max(len(tab.rows), 1)
            width = max([len(r) for r in tab.rows] + [1])
            info = found.get(tab.title.casefold())
            if info is None:
                sid = req.new_id(used)
                out.append(req.add_sheet(sid, tab.title, height + max(100, height // 5), max(width, 10), tab.freeze_rows))
                out += req.owned_tab_formats(sid, tab, height + max(100, height // 5))
                out += gsheets_chart.chart_requests(sid, tab, [])
                out.append(req.protect(sid))
                continue
            if info["rows"] < height or info["cols"] < width:
                out.append(req.grid(info["id"], max(info["rows"], height + max(100, height // 5)), max(info["cols"], width)))
            # A tab `init` made (or an older sheetcrm) has no formats yet: rates would show as 0.6154.
            out += req.owned_tab_formats(info["id"], tab, info["rows"], highlights=False)
            out += gsheets_chart.chart_requests(info["id"], tab, info.get("charts", []))
            if not req.protected(info, None):
                out.append(req.protect(info["id"]))
        by_tab: dict[str, list[CellUpdate]] = {}
        for upd in changes.cells:
            by_tab.setdefault(upd.tab, []).append(upd)
        for title, cells in by_tab.items():
            info = found.get(title.casefold())
            if info is None:
                continue
            widest = max(u.col for u in cells)
            if info["cols"] < widest:
                out.append(req.grid(info["id"], info["rows"], widest))
            for (t, col), name in changes.labels.items():
                if t != title or name not in req.OWNED_COLUMNS:
                    continue
                appended = any(u.row == 1 and u.col == col and not u.identity for u in cells)
                if appended and name in req.DATE_COLUMNS:
                    out.append(req.number_format(info["id"], col, DATE_FORMAT, start_row=1))
                if not req.protected(info, col):
                    out.append(req.protect(info["id"], col))
        return out

    def _retarget(self, snapshot: Snapshot, changes: Changes) -> tuple[list[tuple[CellUpdate, int]], int]:
        """Where are the rows now? One read of the identity columns and header rows."""
        need: dict[str, set[int]] = {}
        for upd in changes.cells:
            if upd.identity:
                need.setdefault(upd.tab, set()).update(c for c, _ in upd.identity)
        if not need:
            return [(u, u.row) for u in changes.cells], 0
        ranges: list[str] = []
        keys: list[tuple[str, int]] = []
        for title, cols in need.items():
            ranges.append(f"{quote(title)}!1:1")
            keys.append((title, 0))
            for c in sorted(cols):
                ranges.append(f"{quote(title)}!{col_letter(c)}:{col_letter(c)}")
                keys.append((title, c))
        got = self._http.values_batch_get(self.key, ranges, params=dict(READ, majorDimension="COLUMNS"))
        columns: dict[tuple[str, int], list[Any]] = {}
        for key, vr in zip(keys, got.get("valueRanges", [])):
            values = vr.get("values", [])
            if key[1] == 0:  # the header row, asked for by columns
                columns[key] = [from_cell(v[0]) if v else None for v in values]
            else:
                columns[key] = [from_cell(v) for v in (values[0] if values else [])]
        moved_columns = {t for t in need if not _same_header(snapshot.find(t), columns[(t, 0)], changes, t)}

        def get(tab: str, row: int, col: int) -> Any:
            values = columns.get((tab, col), [])
            return values[row - 1] if row - 1 < len(values) else None

        def height(tab: str) -> int:
            return max((len(v) for (t, c), v in columns.items() if t == tab and c), default=0)

        cells = [u for u in changes.cells if u.tab not in moved_columns]
        targets, skipped = resolve_rows(cells, get, height)
        skipped += len({(u.tab, u.row) for u in changes.cells if u.tab in moved_columns})
        return targets, skipped

    def _value_ranges(self, snapshot: Snapshot, changes: Changes, targets: list[tuple[CellUpdate, int]]) -> list[dict]:
        data: list[dict] = []
        by_col: dict[tuple[str, int], dict[int, Any]] = {}
        for upd, row in targets:
            by_col.setdefault((upd.tab, upd.col), {})[row] = to_cell(upd.value)
        for (title, col), cells in by_col.items():
            rows = sorted(cells)
            start = prev = rows[0]
            for r in rows[1:] + [None]:
                if r is not None and r == prev + 1:
                    prev = r
                    continue
                letter = col_letter(col)
                data.append({"range": f"{quote(title)}!{letter}{start}:{letter}{prev}",
                             "values": [[cells[i]] for i in range(start, prev + 1)]})
                if r is not None:
                    start = prev = r
        for tab in changes.tabs:
            old = snapshot.find(tab.title)
            title = old.title if old is not None else tab.title
            old_rows = old.values if old is not None else []
            height = max(len(tab.rows), len(old_rows), 1)
            width = max([len(r) for r in tab.rows] + [len(r) for r in old_rows] + [1])
            grid = [[to_cell(r[c]) if c < len(r) else "" for c in range(width)] for r in tab.rows]
            grid += [[""] * width for _ in range(height - len(grid))]
            data.append({"range": f"{quote(title)}!A1:{col_letter(width)}{height}", "values": grid})
        return data

    # -- init ------------------------------------------------------------------
    def create(self, layout: list[TabLayout], force: bool = False) -> None:
        self.requests = 0
        try:
            sheets = self._sheets()
            existing = [t.title for t in layout if t.title.casefold() in {s.casefold() for s in sheets}]
            if existing and not force:
                raise BackendError(f"Google Sheet {self.key} already has the tabs {', '.join(existing)}; "
                                   "use --force to replace them (other tabs are kept)")
            used = {info["id"] for info in sheets.values()}
            ids = {t.title: req.new_id(used) for t in layout}
            plan = req.create_requests(sheets, layout, ids)
            plan += [{"deleteSheet": {"sheetId": sid}} for sid in self._empty_default_tabs(sheets, layout)]

            def build(current: dict) -> list[dict]:
                have = {info["id"] for info in current.values()}
                return [] if set(ids.values()) <= have else plan

            self._structure(build, sheets)
            data = [{"range": f"{quote(t.title)}!A1:{col_letter(max(len(t.header), 1))}{1 + len(t.rows)}",
                     "values": [[to_cell(v) for v in t.header]]
                     + [[to_cell(r[c]) if c < len(r) else "" for c in range(len(t.header))] for r in t.rows]}
                    for t in layout if t.header]
            tries = self._tries()
            while data:  # absolute ranges in brand-new tabs: safe to send again as is
                try:
                    self._http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})
                    break
                except Unanswered as exc:
                    if not tries.again(exc):
                        raise
        except Unanswered as exc:
            raise self._unanswered(exc, "init", "run init again with --force") from None

    def _empty_default_tabs(self, sheets: dict, layout: list[TabLayout]) -> list[int]:
        """The blank "Sheet1" a new Google Sheet starts with: removed by init, if empty."""
        wanted = {t.title.casefold() for t in layout}
        spare = [t for t in sheets if re.fullmatch(r"Sheet ?\d+", t) and t.casefold() not in wanted]
        if not spare:
            return []
        got = self._http.values_batch_get(self.key, [quote(t) for t in spare], params=dict(READ))
        return [sheets[t]["id"] for t, vr in zip(spare, got.get("valueRanges", [])) if not vr.get("values")]

    # -- auth check ------------------------------------------------------------
    def check_access(self) -> AccessReport:
        """Read the metadata, then write the title back unchanged: proves edit rights
        without touching a cell (the same title again: safe to resend)."""
        try:
            meta = self._http.fetch_sheet_metadata(self.key)
        except Unanswered as exc:
            raise self._unanswered(exc, "reading the sheet", "try again later") from None
        title = meta.get("properties", {}).get("title", "")
        tabs = [s["properties"]["title"] for s in meta.get("sheets", [])]
        tries = self._tries()
        while True:
            try:
                self._http.batch_update(self.key, {"requests": [
                    {"updateSpreadsheetProperties": {"properties": {"title": title}, "fields": "title"}}]})
                return AccessReport(self.account, self.key, title, tabs, writable=True)
            except Unanswered as exc:
                if not tries.again(exc):
                    raise self._unanswered(exc, "proving write access", "try again later") from None


def check_access(settings) -> AccessReport:
    """`sheetcrm auth check`: do the credentials work, is the sheet reachable and writable?"""
    if not settings.sheet_key:
        raise ConfigError("auth check needs a Google Sheet: --sheet KEY, SHEETCRM_SHEET or sheet_key in the config")
    return GSheetsBackend.from_settings(settings).check_access()


def _same_header(old: Sheet | None, now: list[Any], changes: Changes, title: str) -> bool:
    """Did anyone insert, delete or rename columns since we read? Columns we append
    this sync may already hold their names (a lost answer whose write landed)."""
    before = list(old.values[0]) if old is not None and old.values else []
    appended = {u.col: u.value for u in changes.cells if u.tab == title and u.row == 1 and not u.identity}
    for i in range(max(len(before), len(now))):
        a = before[i] if i < len(before) else None
        b = now[i] if i < len(now) else None
        if same_cell(a, b):
            continue
        if a in (None, "") and i + 1 in appended and same_cell(b, appended[i + 1]):
            continue
        return False
    return True
