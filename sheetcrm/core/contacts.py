"""Emails and phones (DESIGN §2): fast paths for the common plain forms, the full
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


_SIMPLE_PHONE = re.compile(r"^\+?[0-9]+(?:[ -][0-9]+)*$")  # ASCII digits only: others take the full parser
_SLOW = object()


def fast_e164(text: str, region: str) -> Any:
    """:func:`privacy.normalise_phone` for plain digit strings (`+44 7700 900123`,
    `07700-900123`), without phonenumbers' costly free-text parsing: the same
    country-code and national-prefix steps, taken from phonenumbers itself. Returns
    the E.164 text, None (not a number), or ``_SLOW`` when the full parser must decide
    (anything unusual). Tested to agree with normalise_phone."""
    if len(text) > 40 or not _SIMPLE_PHONE.match(text):
        return _SLOW
    try:
        import phonenumbers
        from phonenumbers import phonenumberutil as pu

        digits = text.replace(" ", "").replace("-", "")
        metadata = phonenumbers.PhoneMetadata.metadata_for_region(region.upper(), None)
        numobj = phonenumbers.PhoneNumber()
        if digits.startswith("+"):  # what _maybe_extract_country_code does for '+', minus its unicode digit folding
            if len(digits) - 1 <= pu._MIN_LENGTH_FOR_NSN:
                return _SLOW
            country_code, national = pu._extract_country_code(digits[1:])
            if not country_code:
                return _SLOW
        else:
            country_code, national = pu._maybe_extract_country_code(digits, metadata, False, numobj)
        if country_code:
            number_region = pu.region_code_for_country_code(country_code)
            if number_region != region:
                metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(country_code, number_region)
        else:
            national = pu._normalize(digits)
            if metadata is None or digits.startswith("+"):
                return _SLOW
            country_code = metadata.country_code
        if len(national) < pu._MIN_LENGTH_FOR_NSN or metadata is None:
            return _SLOW
        if metadata.national_prefix_for_parsing:
            _, stripped, _ = pu._maybe_strip_national_prefix_carrier_code(national, metadata)
            # parse keeps the stripped number unless its length is too short, local-only or invalid
            parse_lengths, _ = _lengths(metadata)
            if len(stripped) in parse_lengths or (parse_lengths and len(stripped) > parse_lengths[-1]):
                national = stripped
        # is_possible_number judges by the main region of the country code (GB for +44, also from JE)
        main = _MAIN_METADATA.get(country_code)
        if main is None:
            main = _MAIN_METADATA[country_code] = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
                country_code, pu.region_code_for_country_code(country_code))
        possible, local_only = _lengths(main) if main is not None else ((), ())
        if len(national) > pu._MAX_LENGTH_FOR_NSN or national.startswith("0") or not possible:
            return _SLOW
        if len(national) not in possible and len(national) not in local_only:  # is_possible_number
            return None
        return f"+{country_code}{national}"
    except Exception:  # any surprise: let the full parser decide
        return _SLOW


_LENGTHS: dict[int, tuple[tuple[int, ...], tuple[int, ...]]] = {}
_MAIN_METADATA: dict[int, Any] = {}


def _lengths(metadata: Any) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """The possible national-number lengths of a region (general description), as
    phonenumbers' length test reads them; () when unknown (-1)."""
    key = id(metadata)
    if key not in _LENGTHS:
        desc = metadata.general_desc
        possible = tuple(desc.possible_length or ())
        _LENGTHS[key] = ((() if not possible or possible[0] == -1 else possible),
                         tuple(desc.possible_length_local_only or ()))
    return _LENGTHS[key]


def check_phones(log: IssueLog, cands: pd.DataFrame, settings: Settings) -> None:
    """An unreadable phone is a warning: people type numbers with notes and extensions
    that a person can still dial; only duplicate detection loses it."""
    codes, uniques = factorise(cands["phone"])

    def e164(v: Any) -> str:
        out = fast_e164(v, settings.phone_region)
        if out is _SLOW:
            out = privacy.normalise_phone(v, settings.phone_region) if len(v) <= 100 else None
        if out is None:
            raise ValueError("unreadable")
        return out
    parsed, errs = parse_uniques(uniques, e164)
    log_unique_errors(log, schema.CANDIDATES, "phone", cands.index, codes, uniques, errs, "warning",
                       lambda v, e: f"phone is not a phone number I can read (region {settings.phone_region}); "
                                    "write it as +44 7700 900123")
    cands["phone_e164"] = take(parsed, codes, cands.index)
