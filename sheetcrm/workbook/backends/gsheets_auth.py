"""Google credentials for sheetcrm, and what `sheetcrm auth check` / `auth login` report.

Three ways to sign in (config key ``credentials_type``):

* ``service_account``: a key file (``credentials`` or $SHEETCRM_CREDENTIALS);
* ``oauth``: a person's Google account. ``credentials`` is the OAuth client secret (or a
  saved sign-in, ``authorized_user``); `sheetcrm auth login` opens the browser (the
  installed-app flow of google-auth-oauthlib) and saves the sign-in beside the client
  secret as ``<name>-token.json``, readable by its owner only from the moment it exists;
  an expired or revoked sign-in is replaced the same way;
* ``adc``: Application Default Credentials (``google.auth.default``): gcloud's user
  sign-in, a service-account impersonation set up with gcloud, the key named by
  $GOOGLE_APPLICATION_CREDENTIALS, or the machine's own account: for organisations that
  forbid key files.

Never puts a file's content in a message.
"""
from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any, Callable

from ...errors import AuthError, ConfigError
from ..google_errors import CLOUD_SCOPE, SPREADSHEETS_SCOPE

SCOPES = (SPREADSHEETS_SCOPE,)
GOOGLE_AUTH_URI = "https://accounts.google.com/o/oauth2/auth"
GOOGLE_TOKEN_URI = "https://oauth2.googleapis.com/token"
ADC_HELP = (f"run `gcloud auth application-default login --scopes={SPREADSHEETS_SCOPE},{CLOUD_SCOPE}` "
            "(with --impersonate-service-account=EMAIL to act as a service account) or set "
            "GOOGLE_APPLICATION_CREDENTIALS")
LOGIN_HELP = "run `sheetcrm auth login` on a computer with a browser"


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


@dataclasses.dataclass
class LoginReport:
    """What `sheetcrm auth login` did."""

    saved: Path
    replaced: bool

    def lines(self) -> list[str]:
        verb = "replaced" if self.replaced else "saved"
        return [f"signed in to Google; sign-in {verb} in {self.saved} (readable only by you)",
                "next: sheetcrm --sheet KEY auth check"]


# -- reading the files ---------------------------------------------------------------
def credentials_file(settings) -> Path:
    raw = settings.credentials or os.environ.get("SHEETCRM_CREDENTIALS", "")
    if not raw:
        raise AuthError("no Google credentials: set credentials = \"path/to/key.json\" in the config or "
                        "SHEETCRM_CREDENTIALS, or credentials_type = \"adc\" (README, section 'Google Sheets')")
    path = Path(raw).expanduser()
    if not path.is_file():
        raise AuthError(f"Google credentials file {path} does not exist (config key 'credentials' or SHEETCRM_CREDENTIALS)")
    return path


def _read_json(path: Path, what: str = "Google credentials file") -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise AuthError(f"{what} {path} cannot be read ({type(exc).__name__}); check its permissions") from None
    except ValueError:
        raise AuthError(f"{what} {path} is not JSON; download the key again from the Google Cloud console") from None
    if not isinstance(info, dict):
        raise AuthError(f"{what} {path} is not a Google key file")
    return info


def _file_kind(info: dict) -> str:
    if info.get("type"):
        return str(info["type"])
    if "installed" in info or "web" in info:
        return "client_secret"
    if "refresh_token" in info and "client_id" in info:  # what google-auth's Credentials.to_json() writes
        return "authorized_user"
    return "unknown"


def token_file(client_secret: Path) -> Path:
    """Where `auth login` keeps the sign-in made with this OAuth client secret."""
    return client_secret.with_name(client_secret.stem + "-token.json")


# -- credentials -------------------------------------------------------------------
def load_credentials(settings) -> tuple[Any, str]:
    """(google-auth credentials, who they are), as ``settings.credentials_type`` says."""
    if settings.credentials_type == "adc":
        creds, who = _adc()
    else:
        path = credentials_file(settings)
        info = _read_json(path)
        kind = _file_kind(info)
        loader = _service_account if settings.credentials_type == "service_account" else _user
        creds, who = loader(info, kind, path)
    stand_in = api_url_from_env()
    if stand_in:
        creds = _signing_in_at(creds, stand_in + "/token")
    return creds, who


def _signing_in_at(creds: Any, token_uri: str) -> Any:
    """With a local stand-in for Google, the sign-in goes there too: neither a refresh
    token nor a signed key assertion may leave the machine (public ``with_token_uri``).
    Credentials that cannot be pointed elsewhere (impersonation, the machine's own
    account) are refused rather than let them sign in at Google."""
    if not hasattr(creds, "with_token_uri"):
        raise ConfigError(f"SHEETCRM_GOOGLE_API_URL is set (a local stand-in for Google) but these credentials "
                          f"({type(creds).__module__.rsplit('.', 1)[-1]}) would still sign in at Google; unset one of them")
    return creds.with_token_uri(token_uri)


def _service_account(info: dict, kind: str, path: Path) -> tuple[Any, str]:
    if kind != "service_account":
        raise AuthError(f"Google credentials file {path} holds '{kind}' credentials, not a service-account key; "
                        "for a personal Google account set credentials_type = \"oauth\"")
    from google.oauth2 import service_account

    try:
        creds = service_account.Credentials.from_service_account_info(info, scopes=SCOPES)
    except (ValueError, KeyError, TypeError):
        raise AuthError(f"Google credentials file {path} is not a valid service-account key (fields missing or key unreadable)") from None
    return creds, f"service account {creds.service_account_email} (key {path})"


def _user(info: dict, kind: str, path: Path) -> tuple[Any, str]:
    from google.oauth2.credentials import Credentials as UserCredentials

    saved = path
    if kind == "client_secret":
        saved = token_file(path)
        if not saved.is_file():
            raise AuthError(f"no saved Google sign-in for the OAuth client {path}: {LOGIN_HELP}")
        info, kind = _read_json(saved, "saved Google sign-in"), "authorized_user"
    if kind != "authorized_user":
        raise AuthError(f"Google credentials file {path} holds '{kind}' credentials; credentials_type = \"oauth\" "
                        "expects an OAuth client secret or a saved sign-in (authorized_user)")
    try:
        return UserCredentials.from_authorized_user_info(info, SCOPES), f"Google user (saved sign-in {saved})"
    except (ValueError, KeyError, TypeError):
        raise AuthError(f"the saved Google sign-in {saved} is incomplete or damaged: {LOGIN_HELP}") from None


def _adc() -> tuple[Any, str]:
    """Application Default Credentials, asked for the Sheets scope."""
    import google.auth
    import google.auth.exceptions

    try:
        creds, _project = google.auth.default(scopes=SCOPES)
    except google.auth.exceptions.DefaultCredentialsError:
        raise AuthError(f"no usable Application Default Credentials (credentials_type = \"adc\"): {ADC_HELP}") from None
    return creds, describe_adc(creds)


def describe_adc(creds: Any) -> str:
    kind = type(creds).__module__.rsplit(".", 1)[-1]
    email = getattr(creds, "service_account_email", None)
    if kind == "impersonated_credentials":
        return f"service account {email} (impersonated; Application Default Credentials)"
    if kind == "service_account":
        return f"service account {email} (Application Default Credentials)"
    if kind == "credentials":
        return "Google user (Application Default Credentials from gcloud)"
    return f"{kind.replace('_', ' ')} account (Application Default Credentials)"


# -- auth login ------------------------------------------------------------------------
def browser_flow(client: dict, scopes: tuple[str, ...]) -> Any:
    """The OAuth installed-app flow: a browser window, a local redirect. ``prompt=consent``
    asks again for every scope and gives a new refresh token."""
    from google_auth_oauthlib.flow import InstalledAppFlow

    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    flow = InstalledAppFlow.from_client_config(client, list(scopes))
    try:
        return flow.run_local_server(port=0, prompt="consent", access_type="offline")
    except OAuth2Error as exc:  # the person said no, or the answer did not match the request
        raise AuthError(f"the Google sign-in was not completed ({exc.error}); run `sheetcrm auth login` again") from None


def login(settings, flow: Callable[[dict, tuple[str, ...]], Any] | None = None) -> LoginReport:
    """`sheetcrm auth login`: sign in again in the browser and replace the saved sign-in."""
    if settings.credentials_type != "oauth":
        raise ConfigError("auth login signs a person in (credentials_type = \"oauth\"); a service-account key needs "
                          f"no sign-in, and for credentials_type = \"adc\" {ADC_HELP}")
    path = credentials_file(settings)
    info = _read_json(path)
    kind = _file_kind(info)
    if kind == "client_secret":
        client, target = info, token_file(path)
    elif kind == "authorized_user" and info.get("client_id") and info.get("client_secret"):
        client, target = {"installed": {"client_id": info["client_id"], "client_secret": info["client_secret"],
                                        "auth_uri": GOOGLE_AUTH_URI,
                                        "token_uri": info.get("token_uri") or GOOGLE_TOKEN_URI}}, path
    else:
        raise AuthError(f"Google credentials file {path} holds '{kind}' credentials; auth login needs an OAuth "
                        "client secret (Google Cloud console, APIs & Services, Credentials, OAuth client ID, Desktop app)")
    replaced = target.exists()
    try:
        creds = (flow or browser_flow)(client, SCOPES)
    except (ValueError, KeyError) as exc:
        raise AuthError(f"the Google sign-in was not completed ({type(exc).__name__}); run `sheetcrm auth login` again") from None
    write_private(target, creds.to_json())
    return LoginReport(target, replaced)


def write_private(target: Path, text: str) -> None:
    """Write ``text`` to ``target`` so that only its owner can ever read it: a new file
    created with mode 0600 (never a wider mode, not even for a moment), renamed over
    the old one (a reader sees the old sign-in or the new, never half of one)."""
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def api_url_from_env() -> str | None:
    """$SHEETCRM_GOOGLE_API_URL points the client at a local stand-in (tests, benchmarks).
    Only loopback addresses: an access token must never be sent anywhere else."""
    url = os.environ.get("SHEETCRM_GOOGLE_API_URL", "").rstrip("/")
    if not url:
        return None
    if not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?$", url):
        raise ConfigError("SHEETCRM_GOOGLE_API_URL must be http://127.0.0.1:PORT (a local stand-in for Google)")
    return url
