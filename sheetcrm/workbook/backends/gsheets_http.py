"""One HTTP request to Google, through gspread's documented ``http_client`` hook:
timeouts, retries of reads (429, 5xx, timeouts, dropped connections; exponential
backoff with jitter, honouring Retry-After), counting, the stand-in's base URL, and
Google's refusals turned into one line each. Writes are never resent from here."""
from __future__ import annotations

import datetime as dt
import email.utils
import functools
from typing import Any, Callable

import google.auth.exceptions
import gspread
import requests
from gspread.http_client import HTTPClient

from ...errors import BackendError
from .. import google_errors

GOOGLE_HOSTS = ("https://sheets.googleapis.com", "https://www.googleapis.com")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


class Unanswered(Exception):
    """Google did not answer usefully (429, 5xx, timeout, dropped connection): worth another try."""

    def __init__(self, reason: str, retry_after: float | None = None):
        super().__init__(reason)
        self.reason, self.retry_after = reason, retry_after


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


class GoogleHTTP:
    """The request side of the Google backend: counters, retries, refusals."""

    key: str
    account: str
    credentials_type: str

    def _init_http(self, credentials: Any, base_url: str | None, timeout: float | tuple[float, float],
                   attempts: int, backoff: float, max_wait: float,
                   sleep: Callable[[float], None], jitter: Callable[[], float]) -> None:
        self.base_url = base_url.rstrip("/") if base_url else None
        self.timeout, self.attempts, self.backoff, self.max_wait = timeout, max(1, attempts), backoff, max_wait
        self.sleep, self.jitter = sleep, jitter
        self.requests = 0  # HTTP requests of the current sync (reset by read()); retries count
        self.total_requests = 0
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
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._once(session, method, url, kind, kwargs)
            except Unanswered as exc:
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
        if resp.status_code in RETRY_STATUSES or err.reason == "RATE_LIMIT_EXCEEDED":
            raise Unanswered(f"HTTP {resp.status_code} {err.status or err.message}".strip(), _retry_after(resp))
        raise google_errors.refusal(err, self.account, self.key, method, self.credentials_type)

    def _read_timeout(self) -> float:
        return self.timeout[1] if isinstance(self.timeout, tuple) else self.timeout

    def _pause(self, attempt: int, retry_after: float | None) -> None:
        wait = min(self.backoff * 2 ** (attempt - 1), self.max_wait) * (0.5 + self.jitter())
        if retry_after is not None:
            wait = max(wait, min(retry_after, 2 * self.max_wait))
        self.waits.append(wait)
        self.sleep(wait)

    def _unanswered(self, exc: Unanswered, doing: str, consequence: str) -> BackendError:
        return BackendError(f"Google Sheet {self.key}: {doing} failed after {self.attempts} attempts "
                            f"({exc.reason}); {consequence}")
