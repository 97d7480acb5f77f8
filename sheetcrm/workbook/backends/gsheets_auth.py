"""Google credentials for sheetcrm: a service-account key or an OAuth sign-in, and
what `sheetcrm auth check` reports. Never puts a file's content in a message."""
from __future__ import annotations

import dataclasses
import json
import os
import re
from pathlib import Path
from typing import Any

import gspread

from ...errors import AuthError, ConfigError

SCOPES = ("https://www.googleapis.com/auth/spreadsheets",)


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


def api_url_from_env() -> str | None:
    """$SHEETCRM_GOOGLE_API_URL points the client at a local stand-in (tests, benchmarks).
    Only loopback addresses: an access token must never be sent anywhere else."""
    url = os.environ.get("SHEETCRM_GOOGLE_API_URL", "").rstrip("/")
    if not url:
        return None
    if not re.match(r"^http://(127\.0\.0\.1|localhost)(:\d+)?$", url):
        raise ConfigError("SHEETCRM_GOOGLE_API_URL must be http://127.0.0.1:PORT (a local stand-in for Google)")
    return url

