"""Google's refusals read from its error details (reason, domain, metadata.service), each
with its own one line of advice; answers that are not Google's and sign-in failures that
google-auth calls retryable are tried again. Nothing here reaches Google: the stand-in
(tests/standin) answers with Google's bodies (tests/standin/google_errors.py)."""
from __future__ import annotations

import json
import re
import types

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm.errors import AuthError, BackendError, NotFoundError
from sheetcrm.workbook import google_errors as ge
from sheetcrm.workbook.backends.gsheets import GSheetsBackend

try:
    from tests.standin import google_errors as bodies
except ModuleNotFoundError:  # pytest run without the project root on sys.path
    from standin import google_errors as bodies

KEY = "1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789abcdefg"
WHO = "service account sheetcrm@test.iam.gserviceaccount.com"
SHARE = "share the sheet with it as Editor"


# -- reading Google's error model ---------------------------------------------------------------
def test_service_disabled_names_the_api_and_the_console_link():
    err = ge.read_error(403, "application/json; charset=UTF-8", bodies.service_disabled("123456789012"))
    assert (err.reason, err.domain, err.service) == ("SERVICE_DISABLED", "googleapis.com", "sheets.googleapis.com")
    assert err.activation_url == "https://console.developers.google.com/apis/api/sheets.googleapis.com/overview?project=123456789012"


def test_service_disabled_without_an_activation_url_builds_it_from_service_and_consumer():
    body = bodies.service_disabled("42")
    body["error"]["details"][0]["metadata"].pop("activationUrl")
    assert ge.read_error(403, "application/json", body).activation_url.endswith("sheets.googleapis.com/overview?project=42")


def test_a_link_that_is_not_googles_console_is_never_shown():
    body = bodies.service_disabled("42")
    body["error"]["details"][0]["metadata"]["activationUrl"] = "https://evil.example.com/enable"
    assert "evil" not in ge.read_error(403, "application/json", body).activation_url


@pytest.mark.parametrize("content_type, body, message", [
    ("text/html; charset=UTF-8", None, "an HTML page"),
    ("application/json", ["not", "an", "error"], "not a Google API answer"),
    ("application/json", {"error": "invalid_grant"}, "not a Google API answer"),
])
def test_an_answer_that_is_not_googles_error_model(content_type, body, message):
    err = ge.read_error(502, content_type, body)
    assert not err.is_google and err.message == message and err.reason == ""


def test_googles_message_is_scrubbed_of_emails_and_phone_numbers():
    body = {"error": {"code": 400, "status": "INVALID_ARGUMENT",
                      "message": "Invalid value at 'data[0]': ann.example@example.com +44 7700 900123"}}
    message = str(ge.refusal(ge.read_error(400, "application/json", body), WHO, KEY, "POST", "service_account"))
    assert "example.com" not in message and "900123" not in message and "HTTP 400 INVALID_ARGUMENT" in message


# -- one line of advice per cause -------------------------------------------------------------------
ADVICE = [  # (body, method, credentials_type, exception, must say, must not say)
    (bodies.service_disabled("123456789012"), "GET", "service_account", AuthError,
     r"Google Sheets API \(sheets.googleapis.com\) is not enabled .*enable it at "
     r"https://console.developers.google.com/apis/api/sheets.googleapis.com/overview\?project=123456789012", SHARE),
    (bodies.scope_insufficient("get"), "GET", "adc", AuthError,
     r"without access to Google Sheets .*gcloud auth application-default login --scopes=https://www.googleapis.com/auth/spreadsheets",
     SHARE),
    (bodies.scope_insufficient("values:batchUpdate"), "POST", "oauth", AuthError,
     r"without access to Google Sheets .*run `sheetcrm auth login` and allow access", SHARE),
    (bodies.scope_insufficient("get"), "GET", "service_account", AuthError, r"domain-wide delegation", SHARE),
    (bodies.permission_denied(), "GET", "service_account", AuthError, rf"has no access to Google Sheet {KEY}: {SHARE}",
     "enable"),
    (bodies.permission_denied(), "POST", "service_account", AuthError, rf"can read Google Sheet {KEY} but not change it: {SHARE}",
     "enable"),
    (bodies.not_found(), "GET", "service_account", NotFoundError, rf"Google Sheet {KEY} was not found: check --sheet KEY", SHARE),
    ({"error": {"code": 403, "status": "PERMISSION_DENIED", "message": "Billing is disabled.", "details": [
        {"@type": ge.ERROR_INFO, "reason": "BILLING_DISABLED", "domain": "googleapis.com", "metadata": {}}]}},
     "GET", "service_account", AuthError, r"\(BILLING_DISABLED\): Billing is disabled", SHARE),
    ({"error": {"code": 401, "status": "UNAUTHENTICATED", "message": "Request had invalid authentication credentials."}},
     "GET", "oauth", AuthError, r"401 UNAUTHENTICATED.*sheetcrm auth login", SHARE),
]


@pytest.mark.parametrize("body, method, kind, exc_type, says, never", ADVICE,
                         ids=["disabled", "scope-adc", "scope-oauth", "scope-sa", "not-shared", "read-only", "not-found",
                              "other-reason", "401"])
def test_each_refusal_gets_its_own_advice(body, method, kind, exc_type, says, never):
    err = ge.read_error(body["error"]["code"], "application/json; charset=UTF-8", body)
    exc = ge.refusal(err, WHO, KEY, method, kind)
    assert type(exc) is exc_type
    assert re.search(says, str(exc)), str(exc)
    assert never not in str(exc) and "\n" not in str(exc)


# -- the same, through gspread against the stand-in ------------------------------------------------------
SETUPS = {
    "API disabled": (lambda g, key: g.disabled_apis.add("sheets.googleapis.com"), r"Google Sheets API .* is not enabled"),
    "missing scope": (lambda g, key: setattr(g, "token_scopes", (ge.CLOUD_SCOPE,)), r"without access to Google Sheets"),
    "not shared": (lambda g, key: setattr(g.book(key), "readers_denied", True), rf"has no access .*{SHARE}"),
    "not found": (lambda g, key: g.books.pop(key), r"was not found: check --sheet KEY"),
}


@pytest.mark.parametrize("setup", list(SETUPS))
def test_a_refused_read_says_why_once_and_is_not_retried(setup, gsheet, google):
    key, backend = gsheet({"Candidates": [["candidate_id"], ["C-00001"]]})
    prepare, says = SETUPS[setup]
    prepare(google, key)
    with pytest.raises((AuthError, NotFoundError)) as err:
        backend.read()
    assert re.search(says, str(err.value)), str(err.value)
    assert backend.request_log == ["get"] and backend.waits == []


def test_a_read_only_scope_reads_but_a_write_says_missing_scope(gsheet, google):
    from sheetcrm.workbook.backends.base import Changes, OwnedTab

    key, backend = gsheet({"Issues": [["tab", "row"]]})
    google.token_scopes = ("https://www.googleapis.com/auth/spreadsheets.readonly",)
    snap = backend.read()
    with pytest.raises(AuthError, match="without access to Google Sheets"):
        backend.write(snap, Changes(tabs=[OwnedTab("Issues", [["tab", "row"], ["Positions", 4]])]))
    assert google.cells(key, "Issues") == [["tab", "row"]]


# -- answers that are not Google's: tried again -------------------------------------------------------------
@pytest.mark.parametrize("on", ["get", "values:batchGet"])
def test_a_login_page_with_status_200_is_tried_again(on, gsheet, google):
    key, backend = gsheet({"Candidates": [["candidate_id"], ["C-00001"]]})
    google.fail(200, times=2, on=on, body=bodies.LOGIN_PAGE)
    assert backend.read().tabs["Candidates"].values == [["candidate_id"], ["C-00001"]]
    assert len(backend.waits) == 2


def test_a_lasting_login_page_is_one_line_not_a_traceback(gsheet, google):
    key, backend = gsheet({"Candidates": [["candidate_id"], ["C-00001"]]}, attempts=3)
    google.fail(200, times=99, on="get", body=bodies.LOGIN_PAGE)
    with pytest.raises(BackendError) as err:
        backend.read()
    assert "not Google's" in str(err.value) and "after 3 attempts" in str(err.value) and "\n" not in str(err.value)


def test_a_429_with_googles_quota_body_and_no_retry_after_is_retried(gsheet, google):
    key, backend = gsheet({"Candidates": [["candidate_id"]]})
    google.fail(429, times=1, on="values:batchGet")
    backend.read()
    assert backend.request_log == ["get", "values:batchGet", "values:batchGet"]


def test_the_stand_ins_429_is_googles_quota_error_without_retry_after(google):
    import requests

    key = google.add_book()
    google.fail(429, times=1, on="get")
    got = requests.get(f"{google.url}/v4/spreadsheets/{key}", timeout=5)
    assert got.status_code == 429 and "Retry-After" not in got.headers
    err = ge.read_error(429, got.headers["Content-Type"], got.json())
    assert (err.status, err.reason, err.service) == ("RESOURCE_EXHAUSTED", "RATE_LIMIT_EXCEEDED", "sheets.googleapis.com")


# -- the sign-in service ----------------------------------------------------------------------------------
def _service_account(tmp_path, google):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from google.oauth2 import service_account

    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    info = {"type": "service_account", "project_id": "test", "private_key_id": "abc123", "private_key": pem,
            "client_email": "sheetcrm@test.iam.gserviceaccount.com", "client_id": "1", "token_uri": google.url + "/token"}
    return service_account.Credentials.from_service_account_info(info, scopes=[ge.SPREADSHEETS_SCOPE])


@pytest.fixture
def no_sleep_in_google_auth(monkeypatch):
    """google-auth retries its token requests itself, with real sleeps: not in tests."""
    import google.auth._exponential_backoff as backoff

    monkeypatch.setattr(backoff, "time", types.SimpleNamespace(sleep=lambda seconds: None))


def _backend(google, key, creds, **options):
    options.setdefault("sleep", lambda seconds: None)
    return GSheetsBackend(key, creds, account=WHO, base_url=google.url, timeout=5.0, **options)


def test_a_token_service_outage_google_auth_calls_retryable_is_tried_again(google, tmp_path, no_sleep_in_google_auth):
    key = google.add_book({"Candidates": [["candidate_id"]]})
    backend = _backend(google, key, _service_account(tmp_path, google))
    status, body = bodies.TOKEN_UNAVAILABLE
    google.fail(status, times=3, on="token", body=body)  # google-auth's own three tries, then ours
    assert backend.read().tabs["Candidates"].values == [["candidate_id"]]
    assert len(backend.waits) == 1 and google.count("token") == 4


@pytest.mark.parametrize("answer, kind, says", [
    (bodies.KEY_DELETED, "service_account", r"Google refused the key of .*invalid_grant.*create a new key"),
    (bodies.TOKEN_EXPIRED, "oauth", r"sign-in of .* has expired or was revoked.*run `sheetcrm auth login`"),
    (bodies.TOKEN_EXPIRED, "adc", r"has expired or was revoked.*gcloud auth application-default login"),
])
def test_a_refused_sign_in_says_what_to_do_and_is_not_retried(answer, kind, says, google, tmp_path):
    key = google.add_book()
    backend = _backend(google, key, _service_account(tmp_path, google), credentials_type=kind)
    google.fail(answer[0], times=99, on="token", body=answer[1])
    with pytest.raises(AuthError) as err:
        backend.read()
    assert re.search(says, str(err.value)), str(err.value)
    assert backend.waits == [] and google.count("token") == 1 and "\n" not in str(err.value)


@pytest.mark.parametrize("text, says", [
    ("invalid_grant: Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. "
     "Check your iat and exp values in the JWT claim.", "clock is wrong"),
    ("Reauthentication is needed. Please run `gcloud auth application-default login` to reauthenticate.",
     "needs to be confirmed again"),
    ("invalid_client: The OAuth client was not found.", r"does not accept the OAuth client .*\(invalid_client\)"),
    ("server_error", r"refused the credentials of .*: run `gcloud auth application-default login`"),
    ("invalid_scope: Bad Request", r"not granted access to Google Sheets \(invalid_scope\): run `gcloud auth "
                                   r"application-default login --scopes=https://www.googleapis.com/auth/spreadsheets"),
    ("Unable to acquire impersonated credentials", r"Service Account Token Creator"),
])
def test_sign_in_refusals_in_googles_words(text, says):
    from google.auth.exceptions import RefreshError

    message = str(ge.sign_in_refused(RefreshError(text), WHO, "adc"))
    assert re.search(says, message), message


@pytest.mark.parametrize("on", ["batchUpdate", "values:batchUpdateByDataFilter"])
def test_a_login_page_instead_of_a_writes_answer_is_looked_at_again_not_trusted(on, gsheet, google):
    """A 200 HTML page on a write: the proxy answered, Google may not have seen it. The write
    step looks again and sends what is still missing; the sheet ends up as if nothing happened."""
    from sheetcrm.workbook.backends.base import Changes, OwnedTab

    key, backend = gsheet({"Candidates": [["candidate_id"], ["C-00001"]]})
    snap = backend.read()
    google.fail(200, times=1, on=on, body=bodies.LOGIN_PAGE)
    backend.write(snap, Changes(tabs=[OwnedTab("Issues", [["tab", "row"], ["Candidates", 2]])]))
    assert google.cells(key, "Issues") == [["tab", "row"], ["Candidates", 2]]
    assert len(backend.waits) == 1 and google.cells(key, "Candidates") == [["candidate_id"], ["C-00001"]]


def test_a_login_page_from_the_sign_in_service_is_tried_again_not_a_traceback(google, tmp_path):
    key = google.add_book({"Candidates": [["candidate_id"]]})
    backend = _backend(google, key, _service_account(tmp_path, google))
    google.fail(200, times=2, on="token", body=bodies.LOGIN_PAGE)
    assert backend.read().tabs["Candidates"].values == [["candidate_id"]]
    assert len(backend.waits) == 2 and google.count("token") == 3


def test_a_lasting_login_page_from_the_sign_in_service_is_one_line(google, tmp_path):
    key = google.add_book()
    backend = _backend(google, key, _service_account(tmp_path, google), attempts=3)
    google.fail(200, times=99, on="token", body=bodies.LOGIN_PAGE)
    with pytest.raises(BackendError) as err:
        backend.read()
    assert "failed after 3 attempts (Google's sign-in service answered with a page that is not Google's" in str(err.value)
    assert google.count("token") == 3


# -- never a traceback, whatever the answer --------------------------------------------------------------

_json = st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=12),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=8)
_error_like = st.fixed_dictionaries({"error": st.fixed_dictionaries({}, optional={
    "code": _json, "message": _json, "status": _json,
    "details": _json | st.lists(st.fixed_dictionaries({"@type": st.just(ge.ERROR_INFO)}, optional={
        "reason": _json | st.sampled_from(["SERVICE_DISABLED", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"]),
        "domain": _json, "metadata": _json | st.dictionaries(st.sampled_from(["service", "consumer", "activationUrl"]),
                                                               _json, max_size=3)}), max_size=2)})})


@hsettings(max_examples=200, deadline=None)
@given(code=st.sampled_from([400, 401, 403, 404, 409, 413, 500]), content_type=st.sampled_from(["application/json", "text/html"]),
       body=_json | _error_like, method=st.sampled_from(["GET", "POST"]),
       kind=st.sampled_from(["service_account", "oauth", "adc"]))
def test_any_refusal_body_becomes_one_line_never_a_traceback(code, content_type, body, method, kind):
    exc = ge.refusal(ge.read_error(code, content_type, body), WHO, KEY, method, kind)
    assert isinstance(exc, (AuthError, NotFoundError, BackendError))
    assert str(exc) and "\n" not in str(exc) and "Traceback" not in str(exc)
