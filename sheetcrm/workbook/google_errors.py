"""What Google's refusals mean, and the one line that says what to do about each.

Google's APIs answer errors in one model (AIP-193): ``{"error": {"code", "message",
"status", "details": [...]}}`` where a ``google.rpc.ErrorInfo`` detail names the cause
(``reason``) within a ``domain``, with ``metadata`` such as the ``service`` and, for a
disabled API, its ``activationUrl``. A 403 is therefore not always "not shared":

* ``SERVICE_DISABLED`` (domain googleapis.com): the Sheets API is not enabled in the Cloud
  project the credentials belong to;
* ``ACCESS_TOKEN_SCOPE_INSUFFICIENT``: the sign-in was granted without a Sheets scope
  (gcloud's default Application Default Credentials, an old OAuth consent);
* no ErrorInfo, ``PERMISSION_DENIED``: the sheet is not shared with the account (on a
  write: shared for viewing only).

The sign-in service (OAuth token endpoint, RFC 6749 §5.2) refuses with ``error`` words:
``invalid_grant`` means an expired or revoked sign-in, or a deleted key.

Messages name the sheet key, the account and Google's status words; Google's free text
is scrubbed of anything that looks like an email or a phone number before it is shown.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Any

from ..errors import AuthError, BackendError, NotFoundError

SPREADSHEETS_SCOPE = "https://www.googleapis.com/auth/spreadsheets"
CLOUD_SCOPE = "https://www.googleapis.com/auth/cloud-platform"
ERROR_INFO = "type.googleapis.com/google.rpc.ErrorInfo"
_PRIVATE = re.compile(r"\S+@\S+|\+?\d[\d ()-]{6,}\d")
_SAFE_URL = re.compile(r"^https://console\.(developers|cloud)\.google\.com/[\w./?=&%-]*$")

# What to do to sign in again / with the right scope, by credentials_type.
RENEW = {
    "service_account": "create a new key for the service account (Google Cloud console, IAM, Service accounts, Keys) "
                       "and point credentials at it",
    "oauth": "run `sheetcrm auth login` to sign in again",
    "adc": "run `gcloud auth application-default login` to sign in again",
}
RESCOPE = {
    "service_account": f"sheetcrm asks for {SPREADSHEETS_SCOPE}; if the key uses domain-wide delegation, "
                       "allow that scope for it in the Google Workspace admin console",
    "oauth": "run `sheetcrm auth login` and allow access to Google Sheets on the consent screen",
    "adc": f"run `gcloud auth application-default login --scopes={SPREADSHEETS_SCOPE},{CLOUD_SCOPE}`",
}


@dataclasses.dataclass(frozen=True)
class GoogleError:
    """One refusal as Google worded it (``reason``/``domain``/``service`` from its ErrorInfo)."""

    code: int
    status: str = ""
    message: str = ""
    reason: str = ""
    domain: str = ""
    service: str = ""
    activation_url: str = ""
    is_google: bool = True  # False: the answer was not Google's JSON (a proxy page, an HTML error)


def scrub(text: Any, limit: int = 200) -> str:
    return _PRIVATE.sub("…", str(text or ""))[:limit]


def read_error(code: int, content_type: str, body: Any) -> GoogleError:
    """A refusal from its HTTP status, Content-Type and decoded JSON body (or None)."""
    err = body.get("error") if isinstance(body, dict) else None
    if not isinstance(err, dict):
        looks = "an HTML page" if "html" in (content_type or "") else "not a Google API answer"
        return GoogleError(code, message=looks, is_google=False)
    details = err.get("details") if isinstance(err.get("details"), list) else []
    info = next((d for d in details if isinstance(d, dict) and d.get("@type") == ERROR_INFO), {})
    meta = info.get("metadata") if isinstance(info.get("metadata"), dict) else {}
    words = {k: _word(v) for k, v in (("reason", info.get("reason")), ("domain", info.get("domain")),
                                      ("service", meta.get("service")), ("status", err.get("status")))}
    url = meta.get("activationUrl") if isinstance(meta.get("activationUrl"), str) else ""
    if not _SAFE_URL.match(url):
        url = ""
    if not url and words["reason"] == "SERVICE_DISABLED" and words["service"]:
        project = str(meta.get("consumer", "")).removeprefix("projects/")
        url = (f"https://console.developers.google.com/apis/api/{words['service']}/overview"
               + (f"?project={project}" if project.isdigit() else ""))
    return GoogleError(code, words["status"], scrub(err.get("message")), words["reason"], words["domain"],
                       words["service"], url)


def _word(value: Any) -> str:
    """Google's status words, reasons, domains and service names: short, no spaces. Anything
    else (a proxy's idea of an error) is not shown as one."""
    return value if isinstance(value, str) and re.fullmatch(r"[\w.-]{1,80}", value) else ""


def from_response(resp: Any) -> GoogleError:
    """``read_error`` for a ``requests.Response``."""
    try:
        body = resp.json()
    except ValueError:
        body = None
    return read_error(resp.status_code, resp.headers.get("Content-Type", ""), body)


def refusal(err: GoogleError, who: str, key: str, method: str, kind: str) -> Exception:
    """The one line for a request Google refused (not worth repeating). ``who`` names the
    account, ``kind`` is credentials_type (what signing in again means)."""
    if err.code == 401:
        return AuthError(f"Google rejected the credentials of {who} (401 {err.status or 'UNAUTHENTICATED'}): "
                         f"{RENEW.get(kind, RENEW['service_account'])}")
    if err.code == 403:
        return _forbidden(err, who, key, method, kind)
    if err.code == 404:
        return NotFoundError(f"Google Sheet {key} was not found: check --sheet KEY (the long id in the sheet's "
                             "address); a deleted sheet is in its owner's Drive bin")
    return BackendError(f"Google Sheets refused the request (HTTP {err.code} {err.status}): {err.message}; "
                        "nothing was written")


def _forbidden(err: GoogleError, who: str, key: str, method: str, kind: str) -> AuthError:
    if err.reason == "SERVICE_DISABLED":
        where = err.activation_url or "https://console.cloud.google.com/apis/library/sheets.googleapis.com"
        api = err.service or "sheets.googleapis.com"
        return AuthError(f"the Google Sheets API ({api}) is not enabled in the Cloud project of {who}: enable it at "
                         f"{where}, wait a few minutes, then run `sheetcrm auth check`")
    if err.reason == "ACCESS_TOKEN_SCOPE_INSUFFICIENT":
        return AuthError(f"{who} signed in without access to Google Sheets (scope {SPREADSHEETS_SCOPE} missing): "
                         f"{RESCOPE.get(kind, RESCOPE['oauth'])}")
    if err.reason:  # another documented cause (billing, API key restrictions...): Google's words, not a guess
        return AuthError(f"Google refused access to Google Sheet {key} for {who} ({err.reason}): {err.message}")
    if method.upper() != "GET":
        return AuthError(f"{who} can read Google Sheet {key} but not change it: share the sheet with it as Editor")
    return AuthError(f"{who} has no access to Google Sheet {key}: share the sheet with it as Editor")


def sign_in_refused(exc: Exception, who: str, kind: str) -> AuthError:
    """The one line for a RefreshError that is not worth repeating (google-auth's
    ``retryable`` is False): the sign-in service said no."""
    text = str(exc.args[0]) if exc.args else ""  # google-auth: ("error: description", the answer)
    word = text.split(":", 1)[0].strip() if ":" in text else text.strip()
    renew = RENEW.get(kind, RENEW["service_account"])
    if "iat" in text and "exp" in text:
        return AuthError(f"Google's sign-in service refused the credentials of {who} because this computer's clock "
                         "is wrong: set the date and time automatically, then try again")
    if "Reauthentication" in text or "reauth" in text.lower():
        return AuthError(f"the Google sign-in of {who} needs to be confirmed again: {renew}")
    if "impersonated" in text:  # google-auth: "Unable to acquire impersonated credentials"
        return AuthError(f"Google would not let the signed-in account act as {who}: give it the Service Account Token "
                         "Creator role (roles/iam.serviceAccountTokenCreator) on that service account")
    if word == "invalid_scope":
        return AuthError(f"the Google sign-in of {who} was not granted access to Google Sheets (invalid_scope): "
                         f"{RESCOPE.get(kind, RESCOPE['oauth'])}")
    if word == "invalid_grant":
        if kind == "service_account":
            return AuthError(f"Google refused the key of {who} (invalid_grant: deleted, disabled or expired key): {renew}")
        return AuthError(f"the Google sign-in of {who} has expired or was revoked (invalid_grant): {renew}")
    if word in ("invalid_client", "unauthorized_client"):
        return AuthError(f"Google does not accept the OAuth client of {who} ({word}): download the client secret again "
                         f"from the Google Cloud console and {renew}")
    reason = f" ({word})" if re.fullmatch(r"[a-z_]{3,40}", word) else ""
    return AuthError(f"Google's sign-in service refused the credentials of {who}{reason}: {renew}")
