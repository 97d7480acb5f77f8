"""Message templates in, .eml drafts out (I/O for `sheetcrm drafts`; the drafts
themselves are composed in :mod:`sheetcrm.core.drafts`).

Templates: the agency's ``messages.toml`` beside the config file (``config/messages.toml``)
when there is one, else the built-in ``sheetcrm/defaults/messages.toml``. A draft is an
RFC 5322 message with ``X-Unsent: 1``, which Outlook, Thunderbird and Apple Mail open as
a draft to edit and send, never sent by sheetcrm.
"""
from __future__ import annotations

from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pandas as pd

from .config import DEFAULT_CONFIG_PATH, Settings, read_toml
from .errors import ConfigError, SheetCRMError

BUILTIN_MESSAGES = Path(__file__).parent / "defaults" / "messages.toml"
REQUIRED = ("subject_role", "subject_no_role", "greeting", "role_intro", "roles_intro", "role_line", "salary_cap",
            "no_role", "closing", "sign_off", "team", "call_script", "no_phone")


def messages_path(settings: Settings) -> Path:
    """The agency's messages.toml beside their config file, else the built-in one."""
    config = settings.config_path or DEFAULT_CONFIG_PATH
    theirs = Path(config).parent / "messages.toml"
    return theirs if theirs.is_file() else BUILTIN_MESSAGES


def load_messages(settings: Settings, path: Path | None = None) -> dict:
    """The parsed templates; one clear line when the language or a template is missing."""
    path = path or messages_path(settings)
    doc = read_toml(path, "messages file")
    language = doc.get("language", "en")
    table = doc.get(language)
    if not isinstance(table, dict):
        raise ConfigError(f"messages file {path}: language = {language!r} but there is no [{language}] table")
    missing = [k for k in REQUIRED if not isinstance(table.get(k), str)]
    if missing:
        raise ConfigError(f"messages file {path}: [{language}] lacks {', '.join(missing)}")
    return doc


def write_eml(folder: str | Path, rows: pd.DataFrame) -> list[Path]:
    """One ``<candidate_id>.eml`` draft per row that has an email address."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SheetCRMError(f"drafts folder {folder} could not be made ({exc.strerror or exc})") from None
    written = []
    for rec in rows.to_dict("records"):
        if not rec.get("to"):
            continue
        msg = EmailMessage(policy=SMTP)
        msg["To"] = rec["to"]
        msg["Subject"] = " ".join(str(rec["subject"]).split())  # a line break in a name never splits a header
        msg["X-Unsent"] = "1"
        msg.set_content(rec["body"])
        path = folder / f"{_safe(rec['candidate_id'])}.eml"
        try:
            path.write_bytes(msg.as_bytes())
        except OSError as exc:
            raise SheetCRMError(f"draft {path} could not be written ({exc.strerror or exc})") from None
        written.append(path)
    return written


def _safe(candidate_id: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in str(candidate_id))[:60] or "draft"
