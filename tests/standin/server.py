"""A stand-in for the Google Sheets API v4 (and the few Drive v3 calls gspread makes),
served over real HTTP on 127.0.0.1 for tests and benchmarks.

    from tests.standin import serve
    with serve() as google:                       # a thread; google.url = "http://127.0.0.1:PORT"
        key = google.add_book({"Candidates": [["candidate_id", "name"], ["C-00001", "Ann"]]})
        backend = GSheetsBackend(key, AnonymousCredentials(), base_url=google.url)

Switches (each fires on the next matching requests, then turns itself off):

* ``google.fail(status, times=1, on="any", retry_after=None, html=False, body=None)``: 429/500/503...,
  with a Retry-After header or an HTML error page instead of Google's JSON error body; ``body``
  answers exactly that (a dict as JSON, a str as an HTML page, e.g. a proxy's login page with
  status 200; on="token" with ``google_errors.TOKEN_EXPIRED`` for the sign-in service).
* ``google.slow(seconds, times=1, on="any")``: answer late (after applying the request).
* ``google.drop(times=1, on="any", after_apply=False)``: close the connection without an answer.
* ``google.before(on, action, nth=1)``: run ``action(book)`` (a person editing, sorting,
  inserting or deleting rows) just before the nth matching request is handled.

``on`` is a request kind: "get" (spreadsheets.get), "values:batchGet", "values:batchUpdate",
"batchUpdate", "values.get", "values.update", "drive", "any", "write" (any non-GET).
``google.log`` lists the kinds served, in order (one entry per HTTP request received).

Lasting setups, as Google answers them (bodies in google_errors.py): ``google.disabled_apis``
(``{"sheets.googleapis.com"}``: SERVICE_DISABLED for project ``google.project``),
``google.token_scopes`` (the scopes the tokens carry; too few: ACCESS_TOKEN_SCOPE_INSUFFICIENT),
``book.readers_denied`` (not shared: 403) and ``book.writers_denied`` (shared read-only),
``google.revoked_refresh_tokens`` (the token endpoint answers ``invalid_grant`` for them).
"""
from __future__ import annotations

import contextlib
import copy
import dataclasses
import datetime as dt
import itertools
import json
import random
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from . import google_errors, structure
from .model import ApiError, Tab, quote_title, serial, split_range

STATUS_TEXT = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
               429: "RESOURCE_EXHAUSTED", 500: "INTERNAL", 502: "BAD_GATEWAY", 503: "UNAVAILABLE"}
HTML_ERROR = "<!DOCTYPE html><html><head><title>Error {code}</title></head><body><p><b>{code}.</b> That’s an error.</p></body></html>"
DEFAULT_PROPERTIES = {  # what a new spreadsheet says about itself (recorded from Google)
    "locale": "en_US", "autoRecalc": "ON_CHANGE", "timeZone": "Etc/GMT",
    "defaultFormat": {
        "backgroundColor": {"red": 1, "green": 1, "blue": 1},
        "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
        "verticalAlignment": "BOTTOM", "wrapStrategy": "OVERFLOW_CELL",
        "textFormat": {"foregroundColor": {}, "fontFamily": "arial,sans,sans-serif", "fontSize": 10, "bold": False,
                       "italic": False, "strikethrough": False, "underline": False,
                       "foregroundColorStyle": {"rgbColor": {}}},
        "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
    },
    "spreadsheetTheme": {"primaryFontFamily": "Arial", "themeColors": [
        {"colorType": t, "color": {"rgbColor": c}} for t, c in [
            ("TEXT", {}), ("BACKGROUND", {"red": 1, "green": 1, "blue": 1}),
            ("ACCENT1", {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275}),
            ("ACCENT2", {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314}),
            ("ACCENT3", {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275}),
            ("ACCENT4", {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902}),
            ("ACCENT5", {"red": 1, "green": 0.42745098, "blue": 0.003921569}),
            ("ACCENT6", {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706}),
            ("LINK", {"red": 0.06666667, "green": 0.33333334, "blue": 0.8})]]},
}
EDITOR = "standin-editor@example.com"


def _now() -> str:
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class Book:
    """One spreadsheet."""

    def __init__(self, key: str, title: str):
        self.key, self.title = key, title
        self.tabs: list[Tab] = [Tab(0, "Sheet1")]
        self.created = self.modified = _now()
        self.writers_denied = False  # shared read-only with the caller
        self.readers_denied = False  # not shared with the caller at all
        self.properties: dict[str, Any] = {}  # over DEFAULT_PROPERTIES, e.g. {"locale": "en_GB"}
        self.developer_metadata: list[dict] = []  # DeveloperMetadata objects (structure.py)

    def tab(self, title: str) -> Tab:
        for t in self.tabs:
            if t.title == title:
                return t
        for t in self.tabs:  # Google matches tab titles case-insensitively
            if t.title.casefold() == title.casefold():
                return t
        raise ApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {title}")

    def tab_by_id(self, sheet_id: int) -> Tab:
        for t in self.tabs:
            if t.sheet_id == sheet_id:
                return t
        raise ApiError(400, "INVALID_ARGUMENT", f"No grid with id: {sheet_id}")

    def locate(self, text: str) -> tuple[Tab, tuple[int, int, int, int]]:
        title, a1 = split_range(text)
        tab = self.tab(title)
        return tab, tab.bounds(a1)

    def metadata(self) -> dict:
        sheets = []
        for i, t in enumerate(self.tabs):
            grid = {"rowCount": t.row_count, "columnCount": t.col_count}
            if t.frozen_rows:
                grid["frozenRowCount"] = t.frozen_rows
            if t.frozen_cols:
                grid["frozenColumnCount"] = t.frozen_cols
            entry: dict[str, Any] = {"properties": {"sheetId": t.sheet_id, "title": t.title, "index": i,
                                                    "sheetType": t.sheet_type, "gridProperties": grid}}
            if t.basic_filter:
                entry["basicFilter"] = copy.deepcopy(t.basic_filter)
            if t.conditional:
                entry["conditionalFormats"] = copy.deepcopy(t.conditional)
            if t.charts:
                entry["charts"] = copy.deepcopy(t.charts)
            if structure.sheet_metadata(self, t.sheet_id):
                entry["developerMetadata"] = structure.sheet_metadata(self, t.sheet_id)
            if t.protected:
                entry["protectedRanges"] = [dict(p, editors={"users": [EDITOR]}) for p in t.protected]
            sheets.append(entry)
        return {"spreadsheetId": self.key, "properties": {"title": self.title, **copy.deepcopy(DEFAULT_PROPERTIES),
                                                          **copy.deepcopy(self.properties)},
                "sheets": sheets, "spreadsheetUrl": f"https://docs.google.com/spreadsheets/d/{self.key}/edit"}

    # -- spreadsheets:batchUpdate: all requests apply, or none ------------------
    def batch_update(self, requests: list[dict]) -> list[dict]:
        saved = [(t, {k: (list(v) if isinstance(v, list) else v) for k, v in vars(t).items()}) for t in self.tabs]
        tabs, title, meta = list(self.tabs), self.title, copy.deepcopy(self.developer_metadata)
        try:
            return [self._one(i, r) for i, r in enumerate(requests)]
        except ApiError:
            self.tabs, self.title, self.developer_metadata = tabs, title, meta
            for t, state in saved:
                vars(t).update(state)
            raise

    def _one(self, i: int, request: dict) -> dict:
        if len(request) != 1:
            raise ApiError(400, "INVALID_ARGUMENT", f"Invalid requests[{i}]: exactly one kind of request expected")
        kind, body = next(iter(request.items()))
        handler = getattr(self, f"_req_{kind}", None)
        if handler is None:
            raise ApiError(400, "INVALID_ARGUMENT", f"Invalid requests[{i}]: {kind} is not supported by the stand-in")
        return handler(body) or {}

    def _req_addSheet(self, body: dict) -> dict:
        props = body.get("properties", {})
        title = props.get("title") or f"Sheet{len(self.tabs) + 1}"
        if any(t.title.casefold() == title.casefold() for t in self.tabs):
            raise ApiError(400, "INVALID_ARGUMENT",
                           f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. Please enter another name.')
        sheet_id = props.get("sheetId")
        if sheet_id is None:
            sheet_id = random.randint(1, 2**31 - 1)
        elif any(t.sheet_id == sheet_id for t in self.tabs):
            raise ApiError(400, "INVALID_ARGUMENT", f"Invalid requests[0].addSheet: Sheet with id {sheet_id} already exists.")
        grid = props.get("gridProperties", {})
        tab = Tab(sheet_id, title, grid.get("rowCount", 1000), grid.get("columnCount", 26))
        tab.frozen_rows = grid.get("frozenRowCount", 0)
        tab.frozen_cols = grid.get("frozenColumnCount", 0)
        index = props.get("index", len(self.tabs))
        self.tabs.insert(index, tab)
        out_grid = {"rowCount": tab.row_count, "columnCount": tab.col_count}
        if tab.frozen_rows:
            out_grid["frozenRowCount"] = tab.frozen_rows
        return {"addSheet": {"properties": {"sheetId": sheet_id, "title": title, "index": self.tabs.index(tab),
                                            "sheetType": "GRID", "gridProperties": out_grid}}}

    def _req_deleteSheet(self, body: dict) -> None:
        tab = self.tab_by_id(body.get("sheetId", 0))
        if len(self.tabs) == 1:
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid requests[0].deleteSheet: You can't remove all the sheets in a document.")
        self.tabs.remove(tab)

    def _req_updateSheetProperties(self, body: dict) -> None:
        props = body.get("properties", {})
        tab = self.tab_by_id(props.get("sheetId", 0))
        fields = [f.strip().replace("/", ".") for f in body.get("fields", "").split(",") if f.strip()]
        grid = props.get("gridProperties", {})
        for field in fields:  # Google resets a masked field that the request leaves out: refuse it here
            head, _, leaf = field.partition(".")
            if field == "*" or (head not in props) or (leaf and leaf not in props.get(head, {})):
                raise ApiError(400, "INVALID_ARGUMENT",
                               f"updateSheetProperties: field mask names '{field}' but the request gives no value for it")
        for field in [f.replace(".", "/") for f in fields]:
            if field == "title":
                tab.title = props["title"]
            elif field == "gridProperties/rowCount":
                tab.row_count = grid["rowCount"]
                del tab.grid[tab.row_count:]
            elif field == "gridProperties/columnCount":
                tab.col_count = grid["columnCount"]
                tab.grid = [r[:tab.col_count] for r in tab.grid]
            elif field == "gridProperties/frozenRowCount":
                tab.frozen_rows = grid.get("frozenRowCount", 0)
            elif field == "gridProperties/frozenColumnCount":
                tab.frozen_cols = grid.get("frozenColumnCount", 0)
            else:
                raise ApiError(400, "INVALID_ARGUMENT", f"updateSheetProperties: field {field} not supported by the stand-in")

    def _req_createDeveloperMetadata(self, body: dict) -> dict:
        return structure.create_metadata(self, body)

    def _req_deleteDeveloperMetadata(self, body: dict) -> dict:
        return structure.delete_metadata(self, body)

    def _req_deleteProtectedRange(self, body: dict) -> None:
        structure.delete_protected_range(self, body)

    def _req_insertDimension(self, body: dict) -> None:
        structure.insert_dimension(self, body)

    def _req_deleteDimension(self, body: dict) -> None:
        structure.delete_dimension(self, body)

    def _req_appendDimension(self, body: dict) -> None:
        structure.append_dimension(self, body)

    def _req_updateSpreadsheetProperties(self, body: dict) -> None:
        if "title" in body.get("fields", ""):
            self.title = body["properties"]["title"]

    def _grid_range(self, rng: dict) -> tuple[Tab, tuple[int, int, int, int]]:
        tab = self.tab_by_id(rng.get("sheetId", 0))
        bounds = (rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0),
                  rng.get("endRowIndex", tab.row_count), rng.get("endColumnIndex", tab.col_count))
        tab.check_fits(bounds[2], bounds[3])
        return tab, bounds

    def _req_repeatCell(self, body: dict) -> None:
        tab, bounds = self._grid_range(body["range"])
        fmt = copy.deepcopy(body.get("cell", {}).get("userEnteredFormat", {}))
        if "numberFormat" in fmt:
            tab.number_formats.append((bounds, fmt.pop("numberFormat")))
        if fmt:
            tab.cell_formats.append((bounds, fmt))

    def _req_addChart(self, body: dict) -> dict:
        chart = copy.deepcopy(body["chart"])
        anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell", {})
        tab = self.tab_by_id(anchor.get("sheetId", 0))
        chart.setdefault("chartId", random.randint(1, 2**31 - 1))
        if any(c["chartId"] == chart["chartId"] for t in self.tabs for c in t.charts):
            raise ApiError(400, "INVALID_ARGUMENT", f"addChart: chart id {chart['chartId']} already exists")
        tab.charts.append(chart)
        return {"addChart": {"chart": copy.deepcopy(chart)}}

    def _req_updateChartSpec(self, body: dict) -> None:
        for t in self.tabs:
            for c in t.charts:
                if c["chartId"] == body.get("chartId"):
                    c["spec"] = copy.deepcopy(body["spec"])
                    return
        raise ApiError(400, "INVALID_ARGUMENT", f"updateChartSpec: no chart with id {body.get('chartId')}")

    def _req_updateDimensionProperties(self, body: dict) -> None:
        rng = body["range"]
        tab = self.tab_by_id(rng.get("sheetId", 0))
        if rng.get("dimension") not in ("ROWS", "COLUMNS"):
            raise ApiError(400, "INVALID_ARGUMENT", "updateDimensionProperties: dimension must be ROWS or COLUMNS")
        limit = tab.col_count if rng["dimension"] == "COLUMNS" else tab.row_count
        if rng.get("endIndex", limit) > limit:
            raise ApiError(400, "INVALID_ARGUMENT", f"updateDimensionProperties: range beyond the grid ({limit})")
        tab.dimensions.append((copy.deepcopy(rng), copy.deepcopy(body.get("properties", {}))))

    def _req_setDataValidation(self, body: dict) -> None:
        tab, bounds = self._grid_range(body["range"])
        tab.validations.append((bounds, copy.deepcopy(body.get("rule"))))

    def _req_addProtectedRange(self, body: dict) -> dict:
        wanted = copy.deepcopy(body["protectedRange"])
        tab, _bounds = self._grid_range(wanted.get("range", {}))
        rng = {k: v for k, v in wanted.get("range", {}).items() if not (k == "sheetId" and v == 0)}
        entry = {"protectedRangeId": random.randint(1, 2**31 - 1), "range": rng}
        if wanted.get("description"):
            entry["description"] = wanted["description"]
        entry.update(warningOnly=bool(wanted.get("warningOnly")), requestingUserCanEdit=True)
        tab.protected.append(entry)
        return {"addProtectedRange": {"protectedRange": dict(entry, editors={})}}

    def _req_addConditionalFormatRule(self, body: dict) -> None:
        rule = copy.deepcopy(body["rule"])
        tab = self.tab_by_id(rule["ranges"][0].get("sheetId", 0))
        tab.conditional.insert(body.get("index", len(tab.conditional)), rule)

    def _req_setBasicFilter(self, body: dict) -> None:
        """Replaces the tab's basic filter (its sort and filter specs come with the request)."""
        flt = copy.deepcopy(body.get("filter") or {})
        tab, _bounds = self._grid_range(flt.get("range", {}))
        flt["range"] = {k: v for k, v in flt.get("range", {}).items() if not (k == "sheetId" and v == 0)}
        tab.basic_filter = flt


def _typed(value: Any, col: int, date_cols: set[int]) -> Any:
    """A cell as Sheets holds it once a person typed it: dates are serial numbers."""
    if value == "":
        return None
    if isinstance(value, dt.datetime):
        date_cols.add(col)
        return (value - dt.datetime(1899, 12, 30)).total_seconds() / 86400
    if isinstance(value, dt.date):
        date_cols.add(col)
        return serial(value)
    return value


@dataclasses.dataclass
class _Switch:
    on: str
    times: int
    status: int = 0
    retry_after: float | None = None
    html: bool = False
    seconds: float = 0.0
    drop: bool = False
    after_apply: bool = False
    action: Callable[[Book], None] | None = None
    nth: int = 1
    after: bool = False  # the action runs once Google has applied the request, before it answers
    body: dict | str | None = None


class StandIn:
    """The fake Google: books by key, switches, and a log of the requests served."""

    def __init__(self) -> None:
        self.books: dict[str, Book] = {}
        self.lock = threading.RLock()
        self.log: list[str] = []
        self.switches: list[_Switch] = []
        self.url = ""
        self._ids = itertools.count(1)
        self.project = "123456789012"  # the Cloud project number of the caller's credentials
        self.disabled_apis: set[str] = set()
        self.token_scopes: tuple[str, ...] | None = None  # None: tokens carry every scope asked for
        self.revoked_refresh_tokens: set[str] = set()  # a person's sign-in that expired or was revoked

    # -- building books directly (fast: no HTTP) ------------------------------------
    def add_book(self, tabs: dict[str, list[list[Any]]] | None = None, key: str | None = None,
                 title: str = "sheetcrm test", min_rows: int = 1000) -> str:
        key = key or f"standin-{next(self._ids):04d}-{random.getrandbits(32):08x}"
        book = Book(key, title)
        if tabs:
            book.tabs = []
            for i, (name, rows) in enumerate(tabs.items()):
                width = max([26] + [len(r) for r in rows])
                tab = Tab(i * 1000 + 7, name, max(min_rows, len(rows)), width)
                date_cols: set[int] = set()
                tab.grid = [[_typed(v, c, date_cols) for c, v in enumerate(r)] for r in rows]
                tab.number_formats = [((0, c, tab.row_count, c + 1), {"type": "DATE", "pattern": "yyyy-mm-dd"})
                                      for c in sorted(date_cols)]
                book.tabs.append(tab)
        with self.lock:
            self.books[key] = book
        return key

    def copy_book(self, key: str) -> str:
        """A new spreadsheet holding a deep copy of ``key``'s (cells, formats, protections,
        developer metadata): one sheet prepared once for many tests."""
        with self.lock:
            book = copy.deepcopy(self.books[key])
        book.key = f"standin-{next(self._ids):04d}-{random.getrandbits(32):08x}"
        with self.lock:
            self.books[book.key] = book
        return book.key

    def book(self, key: str) -> Book:
        return self.books[key]

    def cells(self, key: str, title: str) -> list[list[Any]]:
        """A tab's cells as stored (None = empty), trailing empties trimmed."""
        with self.lock:
            return self.books[key].tab(title).render(0, 0, 10**9, 10**9, "UNFORMATTED_VALUE", "SERIAL_NUMBER")

    # -- switches ------------------------------------------------------------
    def fail(self, status: int, times: int = 1, on: str = "any", retry_after: float | None = None, html: bool = False,
             body: dict | str | None = None) -> None:
        self.switches.append(_Switch(on, times, status=status, retry_after=retry_after, html=html, body=body))

    def slow(self, seconds: float, times: int = 1, on: str = "any") -> None:
        self.switches.append(_Switch(on, times, seconds=seconds))

    def drop(self, times: int = 1, on: str = "any", after_apply: bool = False) -> None:
        self.switches.append(_Switch(on, times, drop=True, after_apply=after_apply))

    def before(self, on: str, action: Callable[[Book], None], nth: int = 1) -> None:
        self.switches.append(_Switch(on, 1, action=action, nth=nth))

    def after(self, on: str, action: Callable[[Book], None], nth: int = 1) -> None:
        """Run ``action(book)`` (a person's edit) right after the nth matching request is applied."""
        self.switches.append(_Switch(on, 1, action=action, nth=nth, after=True))

    def count(self, *kinds: str) -> int:
        return sum(1 for k in self.log if not kinds or k in kinds)

    def _take(self, kind: str, method: str, want: Callable[[_Switch], bool]) -> _Switch | None:
        with self.lock:
            for s in self.switches:
                if s.times > 0 and want(s) and (s.on == kind or (s.on == "any" and kind != "token")
                                                 or (s.on == "write" and method != "GET")
                                                 or (s.on == "drive" and kind.startswith("drive"))):
                    if s.action is not None and s.nth > 1:
                        s.nth -= 1
                        continue
                    s.times -= 1
                    return s
        return None


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        google = self.server.google
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        kind = _kind(method, parts.path)
        with google.lock:
            google.log.append(kind)
        person = google._take(kind, method, lambda s: s.action is not None and not s.after)
        if person is not None:
            with google.lock:
                book = google.books.get(_book_key(parts.path) or "")
                if book is not None:
                    person.action(book)
        drop = google._take(kind, method, lambda s: s.drop)
        if drop is not None and not drop.after_apply:
            self.close_connection = True
            return
        fault = google._take(kind, method, lambda s: s.status > 0)
        if fault is not None:
            self._fault(fault, google, kind)
            return
        try:
            body = (raw.decode() if parts.path == "/token" else json.loads(raw)) if raw else None
            with google.lock:
                status, answer = _route(google, method, parts.path, query, body)
        except ApiError as err:
            status, answer = err.code, err.body()
        except (ValueError, KeyError, TypeError) as exc:
            status, answer = 400, {"error": {"code": 400, "message": f"Invalid JSON payload received. {exc}",
                                             "status": "INVALID_ARGUMENT"}}
        later = google._take(kind, method, lambda s: s.action is not None and s.after)
        if later is not None:
            with google.lock:
                book = google.books.get(_book_key(parts.path) or "")
                if book is not None:
                    later.action(book)
        slow = google._take(kind, method, lambda s: s.seconds > 0)
        if slow is not None:
            time.sleep(slow.seconds)
        if drop is not None:  # after_apply: the change is made, the answer is lost
            self.close_connection = True
            return
        self._send(status, answer)

    def _fault(self, fault: _Switch, google: "StandIn", kind: str) -> None:
        headers = {}
        if fault.retry_after is not None:
            headers["Retry-After"] = f"{fault.retry_after:g}"
        if isinstance(fault.body, str):
            self._send(fault.status, fault.body, "text/html; charset=UTF-8", headers)
        elif fault.body is not None:
            self._send(fault.status, fault.body, headers=headers)
        elif fault.status == 429:
            self._send(429, google_errors.rate_limited(google.project, kind), headers=headers)
        elif fault.html:
            self._send(fault.status, HTML_ERROR.format(code=fault.status), "text/html; charset=UTF-8", headers)
        else:
            status = STATUS_TEXT.get(fault.status, "UNKNOWN")
            message = {429: "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user'",
                       503: "The service is currently unavailable."}.get(fault.status, "Internal error encountered.")
            self._send(fault.status, {"error": {"code": fault.status, "message": message, "status": status}},
                       headers=headers)

    def _send(self, status: int, answer: Any, content_type: str = "application/json; charset=UTF-8",
              headers: dict | None = None) -> None:
        data = b"" if answer is None else (answer.encode() if isinstance(answer, str)
                                           else json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode())
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type if data else "text/html")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeout test)
            self.close_connection = True


_SHEETS = re.compile(r"^/v4/spreadsheets/([^/:]+)(.*)$")
_DRIVE = re.compile(r"^/drive/v3/files(?:/([^/]+))?$")


def _book_key(path: str) -> str | None:
    m = _SHEETS.match(path) or _DRIVE.match(path)
    return unquote(m.group(1)) if m and m.group(1) else None


def _kind(method: str, path: str) -> str:
    m = _SHEETS.match(path)
    if m:
        rest = m.group(2)
        if rest == "":
            return "get"
        if rest == ":batchUpdate":
            return "batchUpdate"
        if rest.startswith("/values:"):
            return "values:" + rest[len("/values:"):]
        if rest.startswith("/developerMetadata:"):
            return rest[1:]
        if rest.startswith("/values/"):
            suffix = rest.rsplit(":", 1)[-1] if rest.endswith((":append", ":clear")) else ""
            return f"values.{suffix}" if suffix else ("values.get" if method == "GET" else "values.update")
    if path == "/token":
        return "token"
    if _DRIVE.match(path):
        return f"drive.{method.lower()}"
    return "unknown"


def _route(google: StandIn, method: str, path: str, query: dict, body: Any) -> tuple[int, Any]:
    if path == "/token":  # OAuth token endpoint for service-account / user credentials in tests
        form = {k: v[0] for k, v in parse_qs(body or "").items()}
        if form.get("grant_type") == "refresh_token" and form.get("refresh_token") in google.revoked_refresh_tokens:
            return google_errors.TOKEN_EXPIRED
        return 200, {"access_token": "standin-access-token", "expires_in": 3600, "token_type": "Bearer"}
    m = _DRIVE.match(path)
    if m:
        return _drive(google, method, unquote(m.group(1) or ""), body)
    m = _SHEETS.match(path)
    if not m:
        raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")
    key, rest = unquote(m.group(1)), m.group(2)
    refused = _refused(google, _kind(method, path), method, google.books.get(key))
    if refused is not None:
        return refused
    book = google.books[key]
    one = lambda name, default=None: (query.get(name) or [default])[0]  # noqa: E731
    if method == "GET" and rest == "":
        if "fields" in query and query.get("ranges"):  # cells' formats and dropdowns (structure.grid_data)
            return 200, structure.grid_data(book, query["ranges"], one("fields"))
        if one("includeGridData", "false").lower() == "true" or "fields" in query:
            raise ApiError(400, "INVALID_ARGUMENT", "the stand-in serves metadata only (no grid data, no field masks)")
        return 200, book.metadata()
    if method == "POST" and rest == ":batchUpdate":
        replies = book.batch_update(body.get("requests", []))
        book.modified = _now()
        return 200, {"spreadsheetId": key, "replies": replies}
    render = (one("valueRenderOption", "FORMATTED_VALUE"), one("dateTimeRenderOption", "SERIAL_NUMBER"),
              one("majorDimension", "ROWS"))
    if method == "GET" and rest == "/values:batchGet":
        return 200, {"spreadsheetId": key, "valueRanges": [_get(book, r, *render) for r in query.get("ranges", [])]}
    if method == "POST" and rest == "/values:batchUpdate":
        return 200, _batch_update_values(book, body)
    if method == "POST" and rest == "/values:batchUpdateByDataFilter":
        answer = structure.batch_update_by_filter(book, body)
        book.modified = _now()
        return 200, answer
    if method == "POST" and rest == "/values:batchGetByDataFilter":
        return 200, structure.batch_get_by_filter(book, body)
    if method == "POST" and rest == "/developerMetadata:search":
        return 200, structure.search(book, body)
    if method == "POST" and rest == "/values:batchClear":
        cleared = []
        for text in body.get("ranges", []):
            tab, b = book.locate(text)
            tab.clear(*b)
            cleared.append(tab.a1(*b))
        return 200, {"spreadsheetId": key, "clearedRanges": cleared}
    if rest.startswith("/values/"):
        enc, action = rest[len("/values/"):], ""
        if enc.endswith((":append", ":clear")):
            enc, action = enc.rsplit(":", 1)
        text = unquote(enc)
        if method == "GET":
            return 200, _get(book, text, *render)
        if method == "PUT":
            return 200, _update(book, text, body.get("values"), one("valueInputOption", "RAW"), key)
        if method == "POST" and action == "clear":
            tab, b = book.locate(text)
            tab.clear(*b)
            return 200, {"spreadsheetId": key, "clearedRange": tab.a1(*b)}
        if method == "POST" and action == "append":
            return 200, _append(book, text, body.get("values"), one("valueInputOption", "RAW"), key)
    raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")


def _refused(google: StandIn, kind: str, method: str, book: Book | None) -> tuple[int, dict] | None:
    """Google's checks in Google's order: the API is enabled for the caller's project, the
    token carries a scope for this method, the sheet exists, it is shared with the caller."""
    if google_errors.SHEETS in google.disabled_apis:
        return 403, google_errors.service_disabled(google.project)
    if google.token_scopes is not None:
        needed = google_errors.READ_SCOPES if method == "GET" else google_errors.WRITE_SCOPES
        if not needed & set(google.token_scopes):
            return 403, google_errors.scope_insufficient(kind)
    if book is None:
        return 404, google_errors.not_found()
    if book.readers_denied or (method != "GET" and book.writers_denied):
        return 403, google_errors.permission_denied()
    return None


def _get(book: Book, text: str, value_option: str, date_option: str, major: str) -> dict:
    tab, b = book.locate(text)
    if tab.sheet_type != "GRID":  # a chart-only tab has no cells: Google refuses any range on it
        raise ApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {text}")
    out: dict[str, Any] = {"range": tab.a1(*b), "majorDimension": major}
    values = tab.render(*b, value_option, date_option, major)
    if values:
        out["values"] = values
    return out


def _update(book: Book, text: str, values: Any, input_option: str, key: str) -> dict:
    tab, (r0, c0, _r1, _c1) = book.locate(text)
    rows, cols, cells = tab.write(r0, c0, values, input_option)
    book.modified = _now()
    return {"spreadsheetId": key, "updatedRange": tab.a1(r0, c0, r0 + max(rows, 1), c0 + max(cols, 1)),
            "updatedRows": rows, "updatedColumns": cols, "updatedCells": cells}


def _batch_update_values(book: Book, body: dict) -> dict:
    option = body.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    data = body.get("data", [])
    targets = [(d, *book.locate(d["range"])) for d in data]
    for d, tab, (r0, c0, _r1, _c1) in targets:  # all ranges checked before any is written
        vals = d.get("values") or []
        tab.check_fits(r0 + len(vals), c0 + max((len(r) for r in vals), default=0))
    responses, rows, cols, sheets, total = [], set(), set(), set(), 0
    for d, tab, (r0, c0, _r1, _c1) in targets:
        n_rows, n_cols, cells = tab.write(r0, c0, d.get("values") or [], option)
        responses.append({"spreadsheetId": book.key, "updatedRange": tab.a1(r0, c0, r0 + max(n_rows, 1), c0 + max(n_cols, 1)),
                          "updatedRows": n_rows, "updatedColumns": n_cols, "updatedCells": cells})
        rows.update((tab.sheet_id, r0 + i) for i in range(n_rows))
        cols.update((tab.sheet_id, c0 + j) for j in range(n_cols))
        sheets.add(tab.sheet_id)
        total += cells
    book.modified = _now()
    return {"spreadsheetId": book.key, "totalUpdatedRows": len(rows), "totalUpdatedColumns": len(cols),
            "totalUpdatedCells": total, "totalUpdatedSheets": len(sheets), "responses": responses}


def _append(book: Book, text: str, values: Any, input_option: str, key: str) -> dict:
    tab, (r0, c0, _r1, c1) = book.locate(text)
    last = max((r for r in range(len(tab.grid)) if any(v is not None for v in tab.grid[r][c0:c1])), default=-1)
    start = max(last + 1, r0)
    if start + len(values) > tab.row_count:
        tab.row_count = start + len(values)
    rows, cols, cells = tab.write(start, c0, values, input_option)
    out: dict[str, Any] = {"spreadsheetId": key}
    if last >= 0:
        out["tableRange"] = tab.a1(r0, c0, last + 1, c1)
    out["updates"] = {"spreadsheetId": key, "updatedRange": tab.a1(start, c0, start + rows, c0 + cols),
                      "updatedRows": rows, "updatedColumns": cols, "updatedCells": cells}
    return out


def _drive(google: StandIn, method: str, key: str, body: Any) -> tuple[int, Any]:
    if method == "POST" and not key:
        new = google.add_book(title=body.get("name", "Untitled spreadsheet"))
        google.books[new].title = body.get("name", "Untitled spreadsheet")
        return 200, {"kind": "drive#file", "id": new, "name": google.books[new].title,
                     "mimeType": body.get("mimeType", "application/vnd.google-apps.spreadsheet")}
    book = google.books.get(key)
    if book is None:
        raise ApiError(404, "NOT_FOUND", f"File not found: {key}.")
    if method == "GET":
        return 200, {"id": key, "name": book.title, "createdTime": book.created, "modifiedTime": book.modified}
    if method == "DELETE":
        del google.books[key]
        return 204, None
    raise ApiError(404, "NOT_FOUND", "Requested entity was not found.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    google: StandIn


@contextlib.contextmanager
def serve(google: StandIn | None = None, port: int = 0) -> Iterator[StandIn]:
    """Run a stand-in on 127.0.0.1 in a background thread for the ``with`` block."""
    google = google or StandIn()
    server = _Server(("127.0.0.1", port), _Handler)
    server.google = google
    google.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, name="sheets-standin", daemon=True)
    thread.start()
    try:
        yield google
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


__all__ = ["Book", "StandIn", "serve", "quote_title"]
