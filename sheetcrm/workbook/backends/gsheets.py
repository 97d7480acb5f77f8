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

import itertools
import random
import re
from typing import Any, Callable

from ...errors import BackendError, ConfigError
from gspread.urls import SPREADSHEET_URL

from . import gsheets_json, gsheets_markers, gsheets_write
from . import gsheets_requests as req
from .base import Backend, Changes, Sheet, Snapshot, TabLayout, WriteResult, col_letter
from .gsheets_auth import AccessReport, api_url_from_env, load_credentials
from .gsheets_cells import READ, from_cells, quote, to_cell
from .gsheets_http import GoogleHTTP, Unanswered
from .gsheets_requests import DATE_FORMAT

__all__ = ["AccessReport", "DATE_FORMAT", "GSheetsBackend", "check_access", "load_credentials", "quote", "to_cell"]


def rows_of(columns: list[list[Any]]) -> list[list[Any]]:
    """A tab read column by column (``majorDimension=COLUMNS``) as the snapshot's rows,
    blank cells as None; a row shorter than the widest is padded with None (a blank
    cell either way). Read by columns because the JSON parser then makes a column's
    cells one after another in memory, as the memory backend holds them: analysing
    frames whose text was made row by row took about a fifth longer (every pass over
    a column reached all over memory). Blanks are made None a column at a time, then
    the rows are made in C (a Python loop per row took a quarter longer)."""
    cells = [from_cells(column) for column in columns]
    return list(map(list, itertools.zip_longest(*cells)))


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
            got = self._http.values_batch_get(self.key, [quote(t) for t in titles],
                                              params=dict(READ, majorDimension="COLUMNS")) if titles else {}
        except Unanswered as exc:
            raise self._unanswered(exc, "reading", "nothing was written") from None
        tabs: dict[str, Sheet] = {}
        columns: dict[str, list[list[Any]]] = {}  # as read: the write's re-read compares its identity columns
        for title, vr in zip(titles, got.get("valueRanges", [])):
            columns[title] = vr.get("values", [])
            tabs[title] = Sheet(title, rows_of(columns[title]))
        return Snapshot(tabs, token=None, meta={"sheets": sheets, "columns": columns})

    # -- writing: gsheets_write.py ------------------------------------------------
    def write(self, snapshot: Snapshot, changes: Changes) -> WriteResult:
        if not changes:
            return WriteResult(requests=self.requests)
        try:
            return gsheets_write.write(self, snapshot, changes)
        except Unanswered as exc:
            raise self._unanswered(exc, "writing", "each request was written completely or not at all; "
                                                   "the next sync will finish") from None

    def post_read(self, method: str, body: dict) -> dict:
        """A POST that only reads (developerMetadata:search, values:batchGetByDataFilter): retried."""
        url, data = f"{SPREADSHEET_URL % self.key}/{method}", gsheets_json.encoded(body)
        return self._again(lambda: self._http.request("post", url, data=data, headers=gsheets_json.HEADERS).json(),
                           lambda: False)

    def post_write(self, method: str, body: dict, landed: Callable[[], bool] = lambda: False, nulls: int = 0) -> dict:
        """A write, sent again after a lost answer unless ``landed()`` says it applied;
        ``nulls``: the Nones ``body`` holds on purpose (gsheets_json.encoded)."""
        url = f"{SPREADSHEET_URL % self.key}" + (method if method.startswith(":") else "/" + method)
        data = gsheets_json.encoded(body, nulls)  # once: a resend sends the same bytes
        return self._again(lambda: self._http.request("post", url, data=data, headers=gsheets_json.HEADERS).json(),
                           landed)

    def _again(self, send: Callable[[], dict], landed: Callable[[], bool]) -> dict:
        tries = self._tries()
        while True:
            try:
                return send()
            except Unanswered as exc:
                if not tries.again(exc):
                    raise
                if landed():
                    return {}

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
            plan = req.create_requests(sheets, layout, ids) + gsheets_markers.init_markers(layout, ids)
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
