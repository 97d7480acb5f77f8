"""One HTTP request to Google, through gspread's documented ``http_client`` hook:
timeouts, retries of reads (429, 5xx, timeouts, dropped connections, answers that are
not Google's, retryable sign-in failures; exponential backoff with jitter, honouring
Retry-After), counting, the stand-in's base URL, and Google's refusals turned into one
line each. Writes are never resent from here.

Giving up (``Tries``): after ``attempts`` tries, except on Google's per-minute quota
(429, RATE_LIMIT_EXCEEDED): the quota refills over a minute and real 429s seldom carry
Retry-After, so those are tried until at least ``quota_patience`` (75 s) were waited.
The one line then says how many requests were really sent for that step."""
from __future__ import annotations

import dataclasses
import datetime as dt
import email.utils
import functools
import time
from typing import Any, Callable

import google.auth.exceptions
import gspread
import requests
from gspread.http_client import HTTPClient

from ...errors import BackendError
from .. import google_errors

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


QUOTA_PATIENCE = 75.0  # seconds waited on 429s before giving up: more than the minute the quota takes to refill
QUOTA_BACKOFF = 2.0  # first wait on a 429 (then doubling), whatever the backoff for other faults


def pause(seconds: float) -> None:
    """The real wait (tests replace it, or pass ``sleep``)."""
    time.sleep(seconds)


class Unanswered(Exception):
    """Google did not answer usefully (429, 5xx, timeout, dropped connection): worth another try."""

    def __init__(self, reason: str, retry_after: float | None = None, quota: bool = False):
        super().__init__(reason)
        self.reason, self.retry_after, self.quota = reason, retry_after, quota
        self.attempts = 1  # requests sent for the step that gave up (set by Tries)
        self.exhausted = False  # an inner loop already gave up: an outer one does not start over


@dataclasses.dataclass
class Tries:
    """One step's tries: when to give up, and how many there really were."""

    http: "GoogleHTTP"
    count: int = 0
    waited: float = 0.0

    def again(self, exc: Unanswered) -> bool:
        """After a failed try: wait and say True, or record the count and say False."""
        if exc.exhausted:
            return False
        self.count += 1
        exc.attempts = self.count
        patient = exc.quota and self.waited < self.http.quota_patience
        if self.count >= self.http.attempts and not patient:
            exc.exhausted = True
            return False
        wait = self.http._wait(self.count, exc)
        self.waited += wait
        self.http.waits.append(wait)
        (self.http.sleep or pause)(wait)
        return True


# -- the HTTP seam ------------------------------------------------------------------
class _HTTPClient(HTTPClient):
    """gspread's documented ``http_client`` hook: every request gspread makes passes
    here, so timeouts, retries, counting and the test base URL live in one place."""

    def __init__(self, auth: Any, session: Any = None, owner: "GoogleHTTP | None" = None):
        super().__init__(auth, session)
        self.owner = owner

    def request(self, method: str, endpoint: str, params=None, data=None, json=None, files=None, headers=None):
        return self.owner._call(self.session, method, endpoint,
                                dict(params=params, data=data, json=json, files=files, headers=headers))


def _kind(method: str, endpoint: str) -> str:
    path = endpoint.split("?", 1)[0]
    for marker in ("values:batchGetByDataFilter", "values:batchUpdateByDataFilter", "developerMetadata:search",
                   "values:batchGet", "values:batchUpdate", "values:batchClear", ":batchUpdate"):
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


def _sign_in(session: Any) -> None:
    """Refresh the access token before the request (what AuthorizedSession would do), so
    that an answer from the sign-in service that is not its JSON (a proxy's or a network's
    sign-in page: google-auth then fails on parsing) is a fault to retry, not a traceback."""
    creds = getattr(session, "credentials", None)
    if creds is None or creds.valid:
        return
    import google.auth.transport.requests

    try:
        creds.refresh(google.auth.transport.requests.Request())
    except (TypeError, KeyError, ValueError):
        raise Unanswered("Google's sign-in service answered with a page that is not Google's "
                         "(a proxy or a network sign-in page?)") from None


class GoogleHTTP:
    """The request side of the Google backend: counters, retries, refusals."""

    key: str
    account: str
    credentials_type: str

    def _init_http(self, credentials: Any, base_url: str | None, timeout: float | tuple[float, float],
                   attempts: int, backoff: float, max_wait: float,
                   sleep: Callable[[float], None] | None, jitter: Callable[[], float]) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout, self.attempts, self.backoff, self.max_wait = timeout, max(1, attempts), backoff, max_wait
        self.quota_patience = QUOTA_PATIENCE
        self.sleep, self.jitter = sleep, jitter
        self.requests = 0  # HTTP requests of the current sync (reset by read()); retries count
        self.request_log: list[str] = []
        self.waits: list[float] = []
        self._credentials = credentials
        self._client: gspread.Client | None = None

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
        tries = self._tries()
        while True:
            try:
                return self._once(session, method, url, kind, kwargs)
            except Unanswered as exc:
                if method.upper() != "GET":
                    raise  # writes are resent by their caller, after a fresh look
                if not tries.again(exc):
                    raise

    def _once(self, session, method: str, url: str, kind: str, kwargs: dict) -> requests.Response:
        self.requests += 1
        self.request_log.append(kind)
        try:
            _sign_in(session)
            resp = session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout:
            raise Unanswered(f"no answer within {self._read_timeout():g} s") from None
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError):
            raise Unanswered("the connection was dropped") from None
        except google.auth.exceptions.RefreshError as exc:
            if getattr(exc, "retryable", False):  # google-auth's word: the sign-in service may answer next time
                raise Unanswered("Google's sign-in service did not answer usefully") from None
            raise google_errors.sign_in_refused(exc, self.account, self.credentials_type) from None
        except google.auth.exceptions.TransportError:
            raise Unanswered("Google's sign-in service could not be reached") from None
        if resp.ok:
            if resp.content and not _looks_json(resp):
                raise Unanswered("the answer was not Google's (an HTML page: a proxy or a network sign-in page?)")
            return resp
        err = google_errors.from_response(resp)
        quota = resp.status_code == 429 or err.reason == "RATE_LIMIT_EXCEEDED"
        if resp.status_code in RETRY_STATUSES or quota:
            raise Unanswered(f"HTTP {resp.status_code} {err.status or err.message}".strip(), _retry_after(resp), quota)
        raise google_errors.refusal(err, self.account, self.key, method, self.credentials_type)

    def _read_timeout(self) -> float:
        return self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout

    def _tries(self) -> Tries:
        return Tries(self)

    def _wait(self, attempt: int, exc: Unanswered) -> float:
        """Exponential backoff with jitter; a quota error starts at QUOTA_BACKOFF; Retry-After is honoured."""
        base = max(self.backoff, QUOTA_BACKOFF) if exc.quota else self.backoff
        wait = min(base * 2 ** (attempt - 1), self.max_wait) * (0.5 + self.jitter())
        if exc.retry_after is not None:
            wait = max(wait, min(exc.retry_after, 2 * self.max_wait))
        return wait

    def _unanswered(self, exc: Unanswered, doing: str, consequence: str) -> BackendError:
        tries = "once" if exc.attempts == 1 else f"after {exc.attempts} attempts"
        return BackendError(f"Google Sheet {self.key}: {doing} failed {tries} ({exc.reason}); {consequence}")
