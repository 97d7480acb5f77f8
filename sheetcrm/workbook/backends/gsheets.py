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

Errors: reads are retried on 429, 5xx, timeouts and dropped connections, with
exponential backoff and jitter, honouring Retry-After, within ``attempts``. Writes are
never blindly resent: a structural ``:batchUpdate`` is rebuilt from fresh metadata
(if the lost attempt landed, nothing is left to do) and the values write is
re-targeted by a fresh identity read before it is sent again. After the last attempt:
one line (``BackendError``), exit 1. Credentials are never printed or logged.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import functools
import json
import os
import random
import re
import time
from pathlib import Path
from typing import Any, Callable

import google.auth.exceptions
import gspread
import requests
from gspread.http_client import HTTPClient

from ... import schema
from ...errors import AuthError, BackendError, ConfigError
from ...values import EXCEL_EPOCH
from .. import google_errors
from . import gsheets_chart
from .base import (FONT_NAME, Backend, Changes, CellUpdate, OwnedTab, Sheet, Snapshot, TabLayout, WriteResult, col_letter,
                   resolve_rows, same_cell)

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)
GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
READ = {"valueRenderOption": "UNFORMATTED_VALUE", "dateTimeRenderOption": "SERIAL_NUMBER"}
OWNED_NOTE = "sheetcrm: computed by every sync; edits here are overwritten"
DATE_FORMAT = {"type": "DATE", "pattern": "yyyy-mm-dd"}
PERCENT_FORMAT = {"type": "PERCENT", "pattern": "0.0%"}
HEADER_FILL = "DDE6F0"
ISSUE_FILL = schema.ISSUE_COLOUR
OWNED_COLUMNS = frozenset(c.name for t in schema.INPUT_TAB_SCHEMAS.values() for c in t.owned_columns)
DATE_COLUMNS = frozenset(c.name for t in schema.INPUT_TAB_SCHEMAS.values() for c in t.columns
                         if c.kind == schema.DATE) | {"last_contact", "next_circle_back"}
_EPOCH_DT = dt.datetime.combine(EXCEL_EPOCH, dt.time())
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class _Unanswered(Exception):
    """Google did not answer usefully (429, 5xx, timeout, dropped connection): worth another try."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


@dataclasses.dataclass
class AccessReport:
    """What `sheetcrm auth check` found."""

    account: str
    sheet: str
    title: str
    tabs: list[str]
    writable: bool

    def lines(self) -> list[str]:
        return [f"credentials: {self.account}",
                f"sheet {self.sheet}: '{self.title}' is reachable ({len(self.tabs)} tabs: {', '.join(self.tabs)})",
                "writable: yes" if self.writable else "writable: no"]


# -- credentials -------------------------------------------------------------------
def load_credentials(settings, interactive: bool = False) -> tuple[Any, str]:
    """(google-auth credentials, who they are) from settings.credentials (or
    $SHEETCRM_CREDENTIALS). Never puts the file's content in a message."""
    raw = settings.credentials or os.environ.get("SHEETCRM_CREDENTIALS", "")
    if not raw:
        raise AuthError("no Google credentials: set credentials = \"path/to/key.json\" in the config or "
                        "SHEETCRM_CREDENTIALS (README, section 'Google Sheets')")
    path = Path(raw).expanduser()
    if not path.is_file():
        raise AuthError(f"Google credentials file {path} does not exist (config key 'credentials' or SHEETCRM_CREDENTIALS)")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"Google credentials file {path} cannot be read ({type(exc).__name__})") from None
    except ValueError:
        raise AuthError(f"Google credentials file {path} is not JSON; download the key again from the Google Cloud console") from None
    if not isinstance(info, dict):
        raise AuthError(f"Google credentials file {path} is not a Google key file")
    kind = info.get("type") or ("client_secret" if ("installed" in info or "web" in info) else "unknown")
    if settings.credentials_type == "service_account":
        if kind != "service_account":
            raise AuthError(f"Google credentials file {path} holds '{kind}' credentials, not a service-account key; "
                            "for a personal Google account set credentials_type = \"oauth\"")
        from google.oauth2 import service_account

        try:
            creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
        except (ValueError, KeyError, TypeError):
            raise AuthError(f"Google credentials file {path} is not a valid service-account key (fields missing or key unreadable)") from None
        return creds, f"service account {creds.service_account_email} (key {path})"
    from google.oauth2.credentials import Credentials as UserCredentials

    try:
        if kind == "authorized_user":
            return UserCredentials.from_authorized_user_info(info, SCOPES), f"Google user (saved sign-in {path})"
        if kind == "client_secret":
            token = path.with_name(path.stem + "-token.json")
            if token.is_file():
                return UserCredentials.from_authorized_user_file(str(token), SCOPES), f"Google user (saved sign-in {token})"
            if not interactive:
                raise AuthError(f"no saved Google sign-in for {path}: run `sheetcrm --sheet KEY auth check` once on a computer with a browser")
            creds = gspread.auth.local_server_flow(info, SCOPES)
            token.write_text(creds.to_json(), encoding="utf-8")
            token.chmod(0o600)
            return creds, f"Google user (signed in; saved to {token})"
    except (ValueError, KeyError, TypeError):
        raise AuthError(f"Google credentials file {path} is not a valid OAuth client or sign-in file") from None
    raise AuthError(f"Google credentials file {path} holds '{kind}' credentials; credentials_type = \"oauth\" "
                    "expects an OAuth client secret or a saved sign-in (authorized_user)")


def _api_url_from_env() -> str | None:
    """$SHEETCRM_GOOGLE_API_URL points the client at a local stand-in (tests, benchmarks).
    Only loopback addresses: an access token must never be sent anywhere else."""
    url = os.environ.get("SHEETCRM_GOOGLE_API_URL", "").rstrip("/")
    if not url:
        return None
    if not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?$", url):
        raise ConfigError("SHEETCRM_GOOGLE_API_URL must be http://127.0.0.1:PORT (a local stand-in for Google)")
    return url


# -- the HTTP seam ------------------------------------------------------------------
class _HTTPClient(HTTPClient):
    """gspread's documented ``http_client`` hook: every request gspread makes passes
    here, so timeouts, retries, counting and the test base URL live in one place."""

    def __init__(self, auth: Any, session: Any = None, owner: "GSheetsBackend | None" = None):
        super().__init__(auth, session)
        self.owner = owner

    def request(self, method: str, endpoint: str, params=None, data=None, json=None, files=None, headers=None):
        return self.owner._call(self.session, method, endpoint,
                                dict(params=params, data=data, json=json, files=files, headers=headers))


def _kind(method: str, endpoint: str) -> str:
    path = endpoint.split("?", 1)[0]
    for marker in ("values:batchGet", "values:batchUpdate", "values:batchClear", ":batchUpdate"):
        if path.endswith(marker):
            return marker.lstrip(":") if marker == ":batchUpdate" else marker
    if "/values/" in path:
        return "values." + method.lower()
    if "/drive/" in path:
        return "drive." + method.lower()
    return "get" if method.upper() == "GET" else method.lower()


def _retry_after(resp: requests.Response) -> float | None:
    value = resp.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        when = email.utils.parsedate_to_datetime(value)
        if when is None:
            return None
        return max(0.0, (when - dt.datetime.now(dt.timezone.utc)).total_seconds())


def _looks_json(resp: requests.Response) -> bool:
    """Google answers JSON; a proxy's or a network's sign-in page answers 200 with HTML."""
    if "json" not in resp.headers.get("Content-Type", ""):
        return False
    return resp.content.lstrip()[:1] in (b"{", b"[")


def quote(title: str) -> str:
    """A tab title as A1 notation wants it: quoted, inner quotes doubled."""
    return "'" + title.replace("'", "''") + "'"



def to_cell(value: Any) -> Any:
    """A Python cell -> what we send RAW. Dates become serial numbers (the column
    carries a date format), blanks "" (Google clears the cell), lists joined text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, dt.datetime):
        if value != value:  # NaT
            return ""
        naive = value.replace(tzinfo=None)
        return round((naive - _EPOCH_DT).total_seconds() / 86400, 8)
    if isinstance(value, dt.date):
        return (value - EXCEL_EPOCH).days
    if isinstance(value, (int, float)):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            return ""
        return value
    if isinstance(value, str):
        return value
    if type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if hasattr(value, "item") and not isinstance(value, (list, tuple)):  # numpy scalars
        return to_cell(value.item())
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    return str(value)


def _from_cell(value: Any) -> Any:
    return None if value == "" else value


# -- the backend --------------------------------------------------------------------
class GSheetsBackend(Backend):
    name = "gsheets"

    def __init__(self, sheet_key: str, credentials: Any, *, account: str = "the account in the credentials",
                 credentials_type: str = "service_account",
                 base_url: str | None = None, timeout: float | tuple[float, float] = (10.0, 60.0),
                 attempts: int = 6, backoff: float = 1.0, max_wait: float = 64.0,
                 sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random):
        self.key = sheet_key
        self.account, self.credentials_type = account, credentials_type
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout, self.attempts, self.backoff, self.max_wait = timeout, max(1, attempts), backoff, max_wait
        self.sleep, self.jitter = sleep, jitter
        self.requests = 0  # HTTP requests of the current sync (reset by read()); retries count
        self.total_requests = 0
        self.request_log: list[str] = []
        self.waits: list[float] = []
        self._credentials = credentials
        self._client: gspread.Client | None = None

    @classmethod
    def from_settings(cls, settings, interactive: bool = False) -> "GSheetsBackend":
        base_url = _api_url_from_env()
        creds, account = load_credentials(settings, interactive=interactive)
        return cls(settings.sheet_key, creds, account=account, credentials_type=settings.credentials_type, base_url=base_url)

    def describe(self) -> str:
        return f"Google Sheet {self.key}"

    @property
    def _http(self) -> HTTPClient:
        if self._client is None:
            self._client = gspread.Client(self._credentials, http_client=functools.partial(_HTTPClient, owner=self))
        return self._client.http_client

    # -- one HTTP request, with retries for reads ------------------------------------
    def _call(self, session, method: str, endpoint: str, kwargs: dict) -> requests.Response:
        kind = _kind(method, endpoint)
        url = endpoint
        if self.base_url:
            for host in GOOGLE_HOSTS:
                if url.startswith(host):
                    url = self.base_url + url[len(host):]
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(session, method, url, kind, kwargs)
            except _Unanswered as exc:
                if method.upper() != "GET" or attempt >= self.attempts:
                    raise  # writes are resent by their caller, after a fresh look
                self._pause(attempt, exc.retry_after)

    def _once(self, session, method: str, url: str, kind: str, kwargs: dict) -> requests.Response:
        self.requests += 1
        self.total_requests += 1
        self.request_log.append(kind)
        try:
            resp = session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise _Unanswered(f"no answer within {self._read_timeout():g} s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise _Unanswered("the connection was dropped") from None
        except google.auth.exceptions.RefreshError as exc:
            if getattr(exc, "retryable", False):  # google-auth's word: the sign-in service may answer next time
                raise _Unanswered("Google's sign-in service did not answer usefully") from None
            raise google_errors.sign_in_refused(exc, self.account, self.credentials_type) from None
        except google.auth.exceptions.TransportError:
            raise _Unanswered("Google's sign-in service could not be reached") from None
        if resp.ok:
            if resp.content and not _looks_json(resp):
                raise _Unanswered("the answer was not Google's (an HTML page: a proxy or a network sign-in page?)")
            return resp
        err = google_errors.from_response(resp)
        if resp.status_code in RETRY_STATUSES or err.reason == "RATE_LIMIT_EXCEEDED":
            raise _Unanswered(f"HTTP {resp.status_code} {err.status or err.message}".strip(), _retry_after(resp))
        raise google_errors.refusal(err, self.account, self.key, method, self.credentials_type)

    def _read_timeout(self) -> float:
        return self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        wait = min(self.backoff * 2 ** (attempt - 1), self.max_wait) * (0.5 + self.jitter())
        if retry_after is not None:
            wait = max(wait, min(retry_after, 2 * self.max_wait))
        self.waits.append(wait)
        self.sleep(wait)

    def _unanswered(self, exc: _Unanswered, doing: str, consequence: str) -> BackendError:
        return BackendError(f"Google Sheet {self.key}: {doing} failed after {self.attempts} attempts "
                            f"({exc.reason}); {consequence}")

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
                               "title": meta.get("properties", {}).get("title", "")}
        return out

    def metadata(self) -> dict:
        """The spreadsheet's metadata as Google gives it (locale, tabs, protections,
        filters, charts), for `sheetcrm doctor`."""
        try:
            return self._http.fetch_sheet_metadata(self.key)
        except _Unanswered as exc:
            raise self._unanswered(exc, "reading the sheet's settings", "nothing was written") from None

    def read(self) -> Snapshot:
        self.requests = 0
        self.request_log = []
        try:
            sheets = self._sheets()
            titles = list(sheets)
            got = self._http.values_batch_get(self.key, [quote(t) for t in titles], params=dict(READ)) if titles else {}
        except _Unanswered as exc:
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
        except _Unanswered as exc:
            raise self._unanswered(exc, "preparing tabs and columns", "no values were written; the next sync will retry") from None
        attempt = 0
        while True:
            attempt += 1
            try:
                targets, skipped = self._retarget(snapshot, changes)
                data = self._value_ranges(snapshot, changes, targets)
                if data:
                    self._http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})
                return WriteResult(cells_written=len(targets), tabs_written=len(changes.tabs),
                                   skipped_rows=skipped, requests=self.requests)
            except _Unanswered as exc:
                if attempt >= self.attempts:
                    raise self._unanswered(exc, "writing", "the values were written completely or not at all; "
                                                           "the next sync will finish") from None
                self._pause(attempt, exc.retry_after)

    def _structure(self, build: Callable[[dict], list[dict]], sheets: dict) -> None:
        """Send ``build(sheets)`` as one :batchUpdate (atomic at Google). If the answer is
        lost, look again and send only what is still missing: never a blind resend."""
        todo = build(sheets)
        attempt = 0
        while todo:
            attempt += 1
            try:
                self._http.batch_update(self.key, {"requests": todo})
                return
            except _Unanswered as exc:
                if attempt >= self.attempts:
                    raise
                self._pause(attempt, exc.retry_after)
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
                sid = _new_id(used)
                out.append(_add_sheet(sid, tab.title, height + max(100, height // 5), max(width, 10), tab.freeze_rows))
                out += _owned_tab_formats(sid, tab, height + max(100, height // 5))
                out += gsheets_chart.chart_requests(sid, tab, [])
                out.append(_protect(sid))
                continue
            if info["rows"] < height or info["cols"] < width:
                out.append(_grid(info["id"], max(info["rows"], height + max(100, height // 5)), max(info["cols"], width)))
            # A tab `init` made (or an older sheetcrm) has no formats yet: rates would show as 0.6154.
            out += _owned_tab_formats(info["id"], tab, info["rows"], highlights=False)
            out += gsheets_chart.chart_requests(info["id"], tab, info.get("charts", []))
            if not _protected(info, None):
                out.append(_protect(info["id"]))
        by_tab: dict[str, list[CellUpdate]] = {}
        for upd in changes.cells:
            by_tab.setdefault(upd.tab, []).append(upd)
        for title, cells in by_tab.items():
            info = found.get(title.casefold())
            if info is None:
                continue
            widest = max(u.col for u in cells)
            if info["cols"] < widest:
                out.append(_grid(info["id"], info["rows"], widest))
            for (t, col), name in changes.labels.items():
                if t != title or name not in OWNED_COLUMNS:
                    continue
                appended = any(u.row == 1 and u.col == col and not u.identity for u in cells)
                if appended and name in DATE_COLUMNS:
                    out.append(_number_format(info["id"], col, DATE_FORMAT, start_row=1))
                if not _protected(info, col):
                    out.append(_protect(info["id"], col))
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
                columns[key] = [_from_cell(v[0]) if v else None for v in values]
            else:
                columns[key] = [_from_cell(v) for v in (values[0] if values else [])]
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
            ids = {t.title: _new_id(used) for t in layout}
            plan = _create_requests(sheets, layout, ids)
            plan += [{"deleteSheet": {"sheetId": sid}} for sid in self._empty_default_tabs(sheets, layout)]

            def build(current: dict) -> list[dict]:
                have = {info["id"] for info in current.values()}
                return [] if set(ids.values()) <= have else plan

            self._structure(build, sheets)
            data = [{"range": f"{quote(t.title)}!A1:{col_letter(max(len(t.header), 1))}{1 + len(t.rows)}",
                     "values": [[to_cell(v) for v in t.header]]
                     + [[to_cell(r[c]) if c < len(r) else "" for c in range(len(t.header))] for r in t.rows]}
                    for t in layout if t.header]
            attempt = 0
            while data:  # absolute ranges in brand-new tabs: safe to send again as is
                attempt += 1
                try:
                    self._http.values_batch_update(self.key, {"valueInputOption": "RAW", "data": data})
                    break
                except _Unanswered as exc:
                    if attempt >= self.attempts:
                        raise
                    self._pause(attempt, exc.retry_after)
        except _Unanswered as exc:
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
        without touching a cell."""
        try:
            meta = self._http.fetch_sheet_metadata(self.key)
            title = meta.get("properties", {}).get("title", "")
            tabs = [s["properties"]["title"] for s in meta.get("sheets", [])]
            self._http.batch_update(self.key, {"requests": [
                {"updateSpreadsheetProperties": {"properties": {"title": title}, "fields": "title"}}]})
        except _Unanswered as exc:
            raise self._unanswered(exc, "checking access", "try again later") from None
        return AccessReport(self.account, self.key, title, tabs, writable=True)


def check_access(settings, interactive: bool = True) -> AccessReport:
    """`sheetcrm auth check`: do the credentials work, is the sheet reachable and writable?"""
    if not settings.sheet_key:
        raise ConfigError("auth check needs a Google Sheet: --sheet KEY, SHEETCRM_SHEET or sheet_key in the config")
    return GSheetsBackend.from_settings(settings, interactive=interactive).check_access()


# -- request builders -----------------------------------------------------------------
def _new_id(used: set[int]) -> int:
    while True:
        sid = random.randint(10_000, 2**31 - 1)
        if sid not in used:
            used.add(sid)
            return sid


def _rgb(hex_colour: str) -> dict:
    return {k: int(hex_colour[i:i + 2], 16) / 255 for k, i in (("red", 0), ("green", 2), ("blue", 4))}


def _add_sheet(sid: int, title: str, rows: int, cols: int, frozen: int = 1) -> dict:
    grid: dict[str, int] = {"rowCount": rows, "columnCount": cols}
    if frozen:
        grid["frozenRowCount"] = frozen
    return {"addSheet": {"properties": {"sheetId": sid, "title": title, "gridProperties": grid}}}


def _grid(sid: int, rows: int, cols: int) -> dict:
    return {"updateSheetProperties": {"properties": {"sheetId": sid, "gridProperties": {"rowCount": rows, "columnCount": cols}},
                                      "fields": "gridProperties/rowCount,gridProperties/columnCount"}}


def _number_format(sid: int, col: int, fmt: dict, start_row: int = 1) -> dict:
    return {"repeatCell": {"range": {"sheetId": sid, "startRowIndex": start_row, "startColumnIndex": col - 1, "endColumnIndex": col},
                           "cell": {"userEnteredFormat": {"numberFormat": dict(fmt)}},
                           "fields": "userEnteredFormat.numberFormat"}}


def _header_style(sid: int, row: int, width: int, fill: str | None = HEADER_FILL) -> dict:
    fmt: dict[str, Any] = {"textFormat": {"bold": True, "fontFamily": FONT_NAME}}
    if fill:
        fmt["backgroundColor"] = _rgb(fill)
    return {"repeatCell": {"range": {"sheetId": sid, "startRowIndex": row - 1, "endRowIndex": row,
                                     "startColumnIndex": 0, "endColumnIndex": width},
                           "cell": {"userEnteredFormat": fmt},
                           "fields": "userEnteredFormat(textFormat,backgroundColor)" if fill else "userEnteredFormat.textFormat"}}


def _protect(sid: int, col: int | None = None) -> dict:
    rng: dict[str, int] = {"sheetId": sid}
    if col is not None:
        rng.update(startColumnIndex=col - 1, endColumnIndex=col)
    return {"addProtectedRange": {"protectedRange": {"range": rng, "description": OWNED_NOTE, "warningOnly": True}}}


def _protected(info: dict, col: int | None) -> bool:
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


def _highlight(sid: int, width: int, formula: str, colour: str) -> dict:
    return {"addConditionalFormatRule": {"index": 0, "rule": {
        "ranges": [{"sheetId": sid, "startRowIndex": 1, "startColumnIndex": 0, "endColumnIndex": width}],
        "booleanRule": {"condition": {"type": "CUSTOM_FORMULA", "values": [{"userEnteredValue": formula}]},
                        "format": {"backgroundColor": _rgb(colour)}}}}}


def _status_highlights(sid: int, width: int, col: int) -> list[dict]:
    from ...schema import DUE_COLOURS

    letter = col_letter(col)
    return [_highlight(sid, width, f'=${letter}2="{value}"', colour) for value, colour in reversed(list(DUE_COLOURS.items()))]


def _owned_tab_formats(sid: int, tab: OwnedTab, rows: int, highlights: bool = True) -> list[dict]:
    width = max([len(r) for r in tab.rows] + [1])
    out = [_look(sid, tab)]
    out += [_header_style(sid, r, width, fill=None) for r in tab.bold_rows if r <= len(tab.rows)]
    header = [str(v) for v in tab.rows[tab.freeze_rows - 1]] if tab.freeze_rows and len(tab.rows) >= tab.freeze_rows else []
    dates = set(tab.date_columns) | {i for i, h in enumerate(header, start=1) if h in DATE_COLUMNS}
    for r in tab.rows[1:]:
        dates |= {i for i, v in enumerate(r, start=1) if isinstance(v, dt.date)}
    out += [_number_format(sid, c, DATE_FORMAT, start_row=tab.freeze_rows) for c in sorted(dates)]
    out += [_number_format(sid, c, PERCENT_FORMAT, start_row=tab.freeze_rows) for c in tab.percent_columns]
    out += _columns_look(sid, tab)
    if highlights and "circle_back_status" in header:
        out += _status_highlights(sid, width, header.index("circle_back_status") + 1)
    return out


def _look(sid: int, tab: OwnedTab) -> dict:
    """The whole tab in the named sans-serif font, top-aligned, not wrapped (below: where)."""
    return {"repeatCell": {"range": {"sheetId": sid},
                           "cell": {"userEnteredFormat": {"textFormat": {"fontFamily": FONT_NAME}, "wrapStrategy": "OVERFLOW_CELL",
                                                          "verticalAlignment": "TOP"}},
                           "fields": "userEnteredFormat(textFormat,wrapStrategy,verticalAlignment)"}}


def _columns_look(sid: int, tab: OwnedTab) -> list[dict]:
    """Widths from content (pixels: about 7 per character), long text wrapped,
    numbers and their headers right-aligned."""
    out: list[dict] = []
    for c, width in enumerate(tab.widths, start=1):
        if width:
            out.append({"updateDimensionProperties": {
                "range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": c - 1, "endIndex": c},
                "properties": {"pixelSize": int(width * 7 + 5)}, "fields": "pixelSize"}})
    for c in tab.wrap_columns:
        out.append(_column_format(sid, c, {"wrapStrategy": "WRAP"}, "userEnteredFormat.wrapStrategy"))
    for c in tab.align_right:
        out.append(_column_format(sid, c, {"horizontalAlignment": "RIGHT"}, "userEnteredFormat.horizontalAlignment"))
    return out


def _column_format(sid: int, col: int, fmt: dict, fields: str) -> dict:
    return {"repeatCell": {"range": {"sheetId": sid, "startColumnIndex": col - 1, "endColumnIndex": col},
                           "cell": {"userEnteredFormat": fmt}, "fields": fields}}


def _create_requests(sheets: dict, layout: list[TabLayout], ids: dict[str, int]) -> list[dict]:
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
        out.append(_add_sheet(sid, t.title, rows, max(width, 26)))
        out.append(_header_style(sid, 1, width))
        for col, choices in t.dropdowns.items():
            out.append({"setDataValidation": {
                # no end row: the whole column, however many rows people add
                "range": {"sheetId": sid, "startRowIndex": 1, "startColumnIndex": col - 1, "endColumnIndex": col},
                "rule": {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": c} for c in choices]},
                         "inputMessage": f"Choose one of: {', '.join(choices)}", "strict": False, "showCustomUi": True}}})
        dates = set(t.date_columns) | {i for i, h in enumerate(t.header, start=1) if h in DATE_COLUMNS}
        out += [_number_format(sid, c, DATE_FORMAT) for c in sorted(dates)]
        if t.highlight_values:
            col, colours = t.highlight_values
            letter = col_letter(col)
            out += [_highlight(sid, width, f'=${letter}2="{v}"', colour) for v, colour in reversed(list(colours.items()))]
        if t.highlight_nonempty_col:
            out.append(_highlight(sid, width, f"=LEN(${col_letter(t.highlight_nonempty_col)}2)>0", ISSUE_FILL))
        if t.owned_columns:
            out += [_protect(sid, c) for c in t.owned_columns]
        else:
            out.append(_protect(sid))
    out += [{"deleteSheet": {"sheetId": sid}} for sid in replaced]
    return out


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
