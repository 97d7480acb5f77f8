"""Emails and phones (DESIGN §2): a fast path for plain email addresses, the full
parsers (email-validator, phonenumbers) for everything else."""
from __future__ import annotations

import re
from typing import Any

import pandas as pd

from .. import privacy, schema
from ..config import Settings
from .columns import log_unique_errors
from .distinct import factorise, parse_uniques, take
from .issues import IssueLog


# A strict ASCII subset of what email-validator accepts (tested against it), so the
# common addresses skip its slower full check.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})", re.I | re.A)


def check_email(text: str) -> str:
    """Normalised address (lowercase), or ValueError with email-validator's reason."""
    m = _PLAIN_EMAIL.fullmatch(text)
    if (m and len(text) <= 254 and text.index("@") <= 64 and "--" not in text[text.index("@"):]
            and m[1].lower() not in _SPECIAL_USE):
        return privacy.normalise_email(text)
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return privacy.normalise_email(info.normalized)


def _special_use() -> frozenset[str]:
    try:
        from email_validator import SPECIAL_USE_DOMAIN_NAMES
    except ImportError:  # pragma: no cover
        return frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
    return frozenset(d.lower() for d in SPECIAL_USE_DOMAIN_NAMES)


_SPECIAL_USE = _special_use()


def check_emails(log: IssueLog, cands: pd.DataFrame) -> None:
    codes, uniques = factorise(cands["email"])  # the typed text: stripped, one per distinct address
    parsed, errs = parse_uniques(uniques, check_email)
    log_unique_errors(log, schema.CANDIDATES, "email", cands.index, codes, uniques, errs, "error",
                       lambda v, e: f"email is not a valid address: {e}")
    cands["email_norm"] = take(parsed, codes, cands.index)


def check_phones(log: IssueLog, cands: pd.DataFrame, settings: Settings) -> None:
    """An unreadable phone is a warning: people type numbers with notes and extensions
    that a person can still dial; only duplicate detection loses it."""
    codes, uniques = factorise(cands["phone"])

    def e164(v: Any) -> str:
        # phonenumbers' public parser for every number: a fast path of our own needed its private
        # functions and saved under a second per 100,000 distinct numbers
        out = privacy.normalise_phone(v, settings.phone_region) if len(v) <= 100 else None
        if out is None:
            raise ValueError("unreadable")
        return out
    parsed, errs = parse_uniques(uniques, e164)
    log_unique_errors(log, schema.CANDIDATES, "phone", cands.index, codes, uniques, errs, "warning",
                       lambda v, e: f"phone is not a phone number I can read (region {settings.phone_region}); "
                                    "write it as +44 7700 900123")
    cands["phone_e164"] = take(parsed, codes, cands.index)
