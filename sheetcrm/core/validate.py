"""Pure validation: raw frames -> (clean frames, issues frame). No I/O, no clock.

Every problem is collected as a row (tab, row, column, value, severity, message,
suggestion); none stops the run. Rows with an error-level problem are left out of
the clean frames (and so out of figures and circle-backs); warnings keep the row.

Clean frames keep the sheet row number as index and hold typed values:

* dates: ``datetime64[ns]`` (NaT when blank)
* numbers: float64 (NaN when blank); ``attempts`` / ``responded_on_attempt``: Int64
* enums: canonical lowercase text or None; Pipeline ``outcome`` blank -> ``open``
* ``skills``: tuple of lowercase skill names (empty tuple when blank)
* ``do_not_contact``: bool
* text: stripped str or None
* added columns: Candidates ``email_norm``, ``phone_e164``, ``contact_every_days``
  (config default filled in); Candidates/Positions ``city``, ``country`` (lowercase,
  None when unknown), ``remote`` (bool); Candidates ``forgotten`` (bool: the row of a
  person who asked to be forgotten, see :data:`sheetcrm.privacy.FORGOTTEN_NAME`)
* Pipeline ``attempts``: blank with first_contacted set = 1, else blank = 0; a
  blank ``attempts`` is raised to ``responded_on_attempt`` (with a warning)

Speed: every column is factorised once (C speed) and each *distinct* value is
parsed once, so 100,000 candidates and 300,000 pipeline rows take seconds.
Duplicate-person detection groups by exact keys and compares names only within
blocks (same location and a shared name word), never all pairs.
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Callable, Hashable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import privacy, schema
from .issues import IssueLog, _show, error_rows, issues_frame, row_issue_texts  # noqa: F401  (re-exported)
from ..config import Settings
from ..values import is_blank, parse_bool, parse_date, parse_duration, parse_integer, parse_number

Frames = dict[str, pd.DataFrame]
_SKILL_SPLIT = re.compile(r"[,;/\n|]+")
EARLIEST_DATE = dt.date(1900, 1, 1)
NAME_SIMILARITY = 92  # rapidfuzz ratio of normalised names: one letter missing or extra (Jon/John) matches, one
# letter different in a short name (Hana/Jana, Anna/Anne) does not: those are usually two people
# Inclusive ranges of numeric columns (None: open end). The upper bounds of the
# integers also keep absurd values out of the Int64 columns.
RANGES: dict[tuple[str, str], tuple[float | None, float | None]] = {
    (schema.CANDIDATES, "years_experience"): (0, 60),
    (schema.CANDIDATES, "salary_expectation"): (0, None),
    (schema.POSITIONS, "salary_max"): (0, None),
    (schema.PIPELINE, "attempts"): (0, 999),
    (schema.PIPELINE, "responded_on_attempt"): (1, 999),
}
# Dates that record something that happened: later than today is suspicious.
PAST_EVENT_DATES = {(schema.CANDIDATES, "last_contacted"), (schema.PIPELINE, "first_contacted"),
                    (schema.PIPELINE, "decided_on")}
REQUIRES_REASON = ("rejected", "declined")


def suggest(value: Any, choices: tuple[str, ...]) -> str:
    """Closest valid value for a mistyped enum ('did you mean …')."""
    norm = schema.normalise_header(str(value)[:100])
    close = difflib.get_close_matches(norm, list(choices), n=1, cutoff=0.5)
    return close[0] if close else ""


# -- one parse per distinct value ---------------------------------------------------

_HOMOGENEOUS = {"empty", "string", "integer", "floating", "mixed-integer-float", "boolean", "datetime", "date"}


def _distinct(raw: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """(codes, uniques): ``uniques[codes[i]]`` is cell i, one entry per distinct
    (type, value), so 1, 1.0 and TRUE stay apart when a column mixes them."""
    values = raw.to_numpy(dtype=object)
    if not len(values):
        return np.empty(0, dtype=np.intp), []
    if pd.api.types.infer_dtype(values, skipna=True) in _HOMOGENEOUS:
        try:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            return np.asarray(codes, dtype=np.intp), list(uniques)
        except (TypeError, ValueError):
            pass
    # Mixed column: factorise each Python type on its own, so 1, 1.0 and TRUE stay apart.
    type_codes, types = pd.factorize(np.fromiter(map(type, values), dtype=object, count=len(values)))
    codes = np.empty(len(values), dtype=np.intp)
    uniques: list[Any] = []
    for t, kind in enumerate(types):
        where = np.flatnonzero(type_codes == t)
        part = values[where]
        sub_codes: np.ndarray | None = None
        if kind in _FACTORISABLE:
            try:
                sub_codes, sub_uniques = pd.factorize(part, use_na_sentinel=False)
                sub_uniques = list(sub_uniques)
            except (TypeError, ValueError):
                sub_codes = None
        if sub_codes is None:
            sub_codes, sub_uniques = _factorise_by_key(part)
        codes[where] = np.asarray(sub_codes, dtype=np.intp) + len(uniques)
        uniques.extend(sub_uniques)
    return codes, uniques


_FACTORISABLE = {str, int, float, bool, dt.date, dt.datetime, pd.Timestamp, type(None)}


def _factorise_by_key(values: np.ndarray) -> tuple[np.ndarray, list[Any]]:
    index: dict[Hashable, int] = {}
    uniques: list[Any] = []
    codes = np.empty(len(values), dtype=np.intp)
    for i, v in enumerate(values):
        k = _key(v)
        code = index.get(k)
        if code is None:
            code = index[k] = len(uniques)
            uniques.append(v)
        codes[i] = code
    return codes, uniques


def _key(v: Any) -> Hashable:
    """Hashable key that keeps types apart (1 vs True vs '1')."""
    if isinstance(v, float) and v != v:
        return ("nan",)
    try:
        hash(v)
        return (type(v).__name__, v)
    except Exception:
        try:
            return (type(v).__name__, repr(v))
        except Exception:
            return (type(v).__name__, id(v))


def _blank(v: Any) -> bool:
    try:
        return is_blank(v)
    except Exception:
        return False


Distinct = dict[str, tuple[np.ndarray, list[Any]]]  # column -> (codes, uniques) of one raw frame


def _blank_flags(uniques: list[Any]) -> list[bool]:
    return [u is None or (u.__class__ is str and not u.strip()) or (u.__class__ is float and u != u)
            or (u.__class__ not in _PLAIN and _blank(u)) for u in uniques]


_PLAIN = {str, float, int, bool, dt.date, dt.datetime, type(None)}


def _blank_mask(series: pd.Series, distinct: tuple[np.ndarray, list[Any]] | None = None) -> np.ndarray:
    codes, uniques = distinct if distinct is not None else _distinct(series)
    flags = np.array(_blank_flags(uniques), dtype=bool)
    return flags[codes] if len(codes) else np.zeros(0, dtype=bool)


def _parse_uniques(uniques: list[Any], fn: Callable[[Any], Any]) -> tuple[list[Any], list[str | None]]:
    """fn on each distinct value: (parsed or None, error text or None)."""
    parsed: list[Any] = []
    errors: list[str | None] = []
    for v, blank in zip(uniques, _blank_flags(uniques)):
        if blank:
            parsed.append(None)
            errors.append(None)
            continue
        try:
            parsed.append(fn(v))
            errors.append(None)
        except (ValueError, TypeError, OverflowError, ArithmeticError) as exc:
            parsed.append(None)
            errors.append(str(exc) or "cannot be read")
    return parsed, errors


def _take(uniques_out: list[Any], codes: np.ndarray, index: pd.Index) -> pd.Series:
    arr = np.empty(len(uniques_out), dtype=object)
    for i, v in enumerate(uniques_out):  # element-wise: tuples must not become a 2-D array
        arr[i] = v
    return pd.Series(arr[codes] if len(codes) else arr[:0], index=index, dtype=object)


def _map_unique(series: pd.Series, fn: Callable[[Any], Any]) -> tuple[pd.Series, pd.Series]:
    """Apply ``fn`` once per distinct value. Returns (parsed, error message or None)."""
    codes, uniques = _distinct(series)
    parsed, errors = _parse_uniques(uniques, fn)
    return _take(parsed, codes, series.index), _take(errors, codes, series.index)


def _text(v: Any) -> str | None:
    if _blank(v):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    try:
        text = str(v)
    except Exception:
        text = f"<{type(v).__name__}>"
    text = text.strip()
    return text or None


def _skills(v: Any) -> tuple[str, ...]:
    text = _text(v)
    if not text:
        return ()
    parts = (" ".join(p.split()) for p in _SKILL_SPLIT.split(text.lower()))
    return tuple(dict.fromkeys(p for p in parts if p))


def split_location(v: Any) -> tuple[str | None, str | None, bool]:
    """`City, Country` -> (city, country), `Remote` -> remote. Lowercase."""
    text = _text(v)
    if not text:
        return None, None, False
    low = " ".join(text.lower().split())
    if low in ("remote", "anywhere", "remote only", "fully remote", "wfh"):
        return None, None, True
    parts = [p.strip() for p in low.split(",") if p.strip()]
    if len(parts) >= 2:
        return parts[0], parts[-1], False
    return parts[0] if parts else None, None, False


# -- typing one column --------------------------------------------------------------

def _formula_hint(value: Any) -> str:
    if isinstance(value, str) and value.lstrip().startswith("="):
        return " (it holds formula text, not a value)"
    return ""


def _log_unique_errors(log: IssueLog, key: str, column: str, index: pd.Index, codes: np.ndarray, uniques: list[Any],
                       errors: list[str | None], severity: str, message: Callable[[Any, str], str],
                       suggestion: Callable[[Any], str] | None = None) -> None:
    """Log one issue per cell whose distinct value has an error; messages made once per value."""
    bad = [i for i, e in enumerate(errors) if e is not None]
    if not bad:
        return
    shown = {i: _show(uniques[i]) for i in bad}
    msgs = {i: message(uniques[i], errors[i]) for i in bad}
    hints = {i: (suggestion(uniques[i]) if suggestion else "") for i in bad}
    mask = np.isin(codes, bad)
    cell_codes = codes[mask]
    log.add_many(key, index[mask], column, [shown[c] for c in cell_codes], severity,
                 [msgs[c] for c in cell_codes], [hints[c] for c in cell_codes])


def _check_column(log: IssueLog, key: str, frame: pd.DataFrame, column: schema.Column, settings: Settings,
                  today: dt.date, distinct: tuple[np.ndarray, list[Any]] | None = None) -> pd.Series:
    """Type one column; log problems; return the typed Series."""
    raw = frame[column.name]
    kind, name, index = column.kind, column.name, frame.index
    codes, uniques = distinct if distinct is not None else _distinct(raw)
    if kind == schema.DATE:
        latest = today + dt.timedelta(days=settings.future_date_limit_days)

        def read_date(v: Any) -> dt.date:
            day = parse_date(v, settings.date_order)
            if day < EARLIEST_DATE:
                raise ValueError("is before 1900")
            if day > latest:
                raise ValueError(f"is more than {settings.future_date_limit_days} days after today; is the year right?")
            return day
        parsed, errs = _parse_uniques(uniques, read_date)

        def date_message(v: Any, e: str) -> str:
            if e.startswith("is "):
                return f"{name} {_show(v)} {e}"
            return f"{name} is not a date{_formula_hint(v)}; use YYYY-MM-DD"
        _log_unique_errors(log, key, name, index, codes, uniques, errs, "error", date_message)
        days = pd.to_datetime(pd.Series([pd.NaT if d is None else pd.Timestamp(d) for d in parsed], dtype="datetime64[ns]"))
        out = pd.Series(days.to_numpy()[codes] if len(codes) else days.to_numpy()[:0], index=index)
        if (key, name) in PAST_EVENT_DATES:
            _warn_after_today(log, key, name, out, today)
        return out.astype("datetime64[ns]")
    if kind in (schema.NUMBER, schema.INTEGER):
        fn = parse_integer if kind == schema.INTEGER else parse_number
        low, high = RANGES.get((key, name), (None, None))

        def read_number(v: Any) -> float:
            n = fn(v)
            if (low is not None and n < low) or (high is not None and n > high):
                raise ValueError("range")
            return n
        parsed, errs = _parse_uniques(uniques, read_number)
        what = "a whole number" if kind == schema.INTEGER else "a number"

        def number_message(v: Any, e: str) -> str:
            if e == "range":
                bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
                return f"{name} must be {bounds}"
            return f"{name} must be {what}{_formula_hint(v)}"
        _log_unique_errors(log, key, name, index, codes, uniques, errs, "error", number_message)
        nums = np.array([np.nan if p is None else float(p) for p in parsed], dtype="float64")
        out = pd.Series(nums[codes] if len(codes) else nums[:0], index=index, dtype="float64")
        return out.astype("Int64") if kind == schema.INTEGER else out
    if kind == schema.BOOL:
        parsed, errs = _parse_uniques(uniques, parse_bool)
        _log_unique_errors(log, key, name, index, codes, uniques, errs, "error",
                           lambda v, e: f"{name} must be yes or no{_formula_hint(v)}")
        flags = np.array([bool(p) for p in parsed], dtype=bool)
        return pd.Series(flags[codes] if len(codes) else flags[:0], index=index, dtype=bool)
    if kind == schema.DURATION:
        parsed, errs = _parse_uniques(uniques, parse_duration)

        def duration_message(v: Any, e: str) -> str:
            if "10 years" in e or "positive" in e:
                return f"{name} must be a positive duration of at most 10 years"
            return f"{name} is not a duration{_formula_hint(v)}; write e.g. '2 weeks', 'monthly', 'quarterly' or '90 days'"
        _log_unique_errors(log, key, name, index, codes, uniques, errs, "error", duration_message)
        nums = np.array([np.nan if p is None else float(p) for p in parsed], dtype="float64")
        return pd.Series(nums[codes] if len(codes) else nums[:0], index=index).astype("Int64")
    if kind == schema.ENUM:
        def canon(v: Any) -> str:
            norm = schema.normalise_header(v if isinstance(v, str) else _text(v))
            if norm not in column.choices:
                raise ValueError(norm)
            return norm
        parsed, errs = _parse_uniques(uniques, canon)

        def enum_message(v: Any, e: str) -> str:
            hint = suggest(v, column.choices)
            return f"{name} must be one of {', '.join(column.choices)}" + (f"; did you mean '{hint}'?" if hint else "")
        _log_unique_errors(log, key, name, index, codes, uniques, errs, "error", enum_message,
                           lambda v: suggest(v, column.choices))
        return _take(parsed, codes, index)
    if kind == schema.LIST:
        parsed, _ = _parse_uniques(uniques, _skills)
        return _take([p if isinstance(p, tuple) else () for p in parsed], codes, index)
    parsed = [(u.strip() or None) if type(u) is str else _text(u) for u in uniques]  # hot: ids, names, emails
    return _take(parsed, codes, index)


def _warn_after_today(log: IssueLog, key: str, name: str, days: pd.Series, today: dt.date) -> None:
    later = days > pd.Timestamp(today)
    if later.any():
        shown = days[later].dt.strftime("%Y-%m-%d")
        log.add_many(key, days.index[later.to_numpy()], name, shown, "warning",
                     [f"{name} {d} is after today" for d in shown])


def _type_tab(log: IssueLog, key: str, frame: pd.DataFrame, settings: Settings, today: dt.date,
              distinct: Distinct) -> pd.DataFrame:
    tab = schema.INPUT_TAB_SCHEMAS[key]
    out = pd.DataFrame(index=frame.index)
    for column in tab.input_columns:
        out[column.name] = _check_column(log, key, frame, column, settings, today, distinct[column.name])
        if column.required:
            raw_blank = _blank_mask(frame[column.name], distinct[column.name])
            rows = frame.index[raw_blank]
            log.add_many(key, rows, column.name, [""] * len(rows), "error", [f"{column.name} is required"] * len(rows))
    return out


def _add_location(df: pd.DataFrame) -> None:
    codes, uniques = _distinct(df["location"])
    parts = [split_location(v) for v in uniques]
    df["city"] = _take([p[0] for p in parts], codes, df.index)
    df["country"] = _take([p[1] for p in parts], codes, df.index)
    flags = np.array([p[2] for p in parts], dtype=bool)
    df["remote"] = pd.Series(flags[codes] if len(codes) else flags[:0], index=df.index, dtype=bool)


def _drop_blank_rows(frame: pd.DataFrame, key: str) -> tuple[pd.DataFrame, Distinct]:
    """Rows with nothing in any input column are ignored silently (as the sheet reader
    does). Also returns each input column's distinct values, reused by every check."""
    tab = schema.INPUT_TAB_SCHEMAS[key]
    frame = frame.reindex(columns=tab.names)
    distinct = {c.name: _distinct(frame[c.name]) for c in tab.input_columns}
    blank = np.ones(len(frame), dtype=bool)
    for column in tab.input_columns:
        blank &= _blank_mask(frame[column.name], distinct[column.name])
    if len(frame) and blank.any():
        frame = frame[~blank]
        distinct = {name: (codes[~blank], uniques) for name, (codes, uniques) in distinct.items()}
    return frame, distinct


# -- emails and phones --------------------------------------------------------------

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


def _check_emails(log: IssueLog, cands: pd.DataFrame) -> None:
    codes, uniques = _distinct(cands["email"])  # the typed text: stripped, one per distinct address
    parsed, errs = _parse_uniques(uniques, check_email)
    _log_unique_errors(log, schema.CANDIDATES, "email", cands.index, codes, uniques, errs, "error",
                       lambda v, e: f"email is not a valid address: {e}")
    cands["email_norm"] = _take(parsed, codes, cands.index)


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


def _check_phones(log: IssueLog, cands: pd.DataFrame, settings: Settings) -> None:
    """An unreadable phone is a warning: people type numbers with notes and extensions
    that a person can still dial; only duplicate detection loses it."""
    codes, uniques = _distinct(cands["phone"])

    def e164(v: Any) -> str:
        out = fast_e164(v, settings.phone_region)
        if out is _SLOW:
            out = privacy.normalise_phone(v, settings.phone_region) if len(v) <= 100 else None
        if out is None:
            raise ValueError("unreadable")
        return out
    parsed, errs = _parse_uniques(uniques, e164)
    _log_unique_errors(log, schema.CANDIDATES, "phone", cands.index, codes, uniques, errs, "warning",
                       lambda v, e: f"phone is not a phone number I can read (region {settings.phone_region}); "
                                    "write it as +44 7700 900123")
    cands["phone_e164"] = _take(parsed, codes, cands.index)


# -- rules across columns and rows ---------------------------------------------------

def _rows_where(log: IssueLog, key: str, mask: pd.Series, column: str, values: pd.Series | None, severity: str,
                message: str | Callable[[pd.DataFrame], list[str]], frame: pd.DataFrame | None = None) -> None:
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        return
    rows = mask.index[mask.to_numpy()]
    shown = [""] * len(rows) if values is None else [_show(v) for v in values[mask]]
    msgs = [message] * len(rows) if isinstance(message, str) else message(frame.loc[rows])
    log.add_many(key, rows, column, shown, severity, msgs)


def _candidate_rules(log: IssueLog, cands: pd.DataFrame, raw: pd.DataFrame, distinct: Distinct) -> None:
    forgotten = cands["name"].eq(privacy.FORGOTTEN_NAME)
    cands["forgotten"] = forgotten.to_numpy(dtype=bool)
    blank = _blank_mask(raw["email"], distinct["email"]) & _blank_mask(raw["phone"], distinct["phone"])
    no_contact = pd.Series(blank, index=raw.index) & ~forgotten
    _rows_where(log, schema.CANDIDATES, no_contact, "email", None, "error",
                "email or phone is required (a person sheetcrm can never reach is no use)")


def _pipeline_rules(log: IssueLog, pipe: pd.DataFrame, raw: pd.DataFrame, distinct: Distinct) -> None:
    outcome = pipe["outcome"]
    decided = outcome.isin(schema.DECIDED_OUTCOMES)
    no_date = pd.Series(_blank_mask(raw["decided_on"], distinct["decided_on"]), index=raw.index)
    _rows_where(log, schema.PIPELINE, decided & no_date, "decided_on", None, "error",
                lambda f: [f"decided_on is required when outcome is {o}" for o in f["outcome"]], pipe)
    _rows_where(log, schema.PIPELINE, outcome.isin(REQUIRES_REASON) & pipe["rejection_reason"].isna(),
                "rejection_reason", None, "error",
                lambda f: [f"rejection_reason is required when outcome is {o} (say why, e.g. 'salary too high')"
                           for o in f["outcome"]], pipe)
    before = pipe["decided_on"] < pipe["first_contacted"]
    _rows_where(log, schema.PIPELINE, before, "decided_on", pipe["decided_on"].dt.strftime("%Y-%m-%d"), "error",
                lambda f: [f"decided_on is before first_contacted ({d:%Y-%m-%d})" for d in f["first_contacted"]], pipe)

    given = pipe["attempts"].notna()
    responded = pipe["responded_on_attempt"]
    too_late = given & responded.notna() & (responded > pipe["attempts"])
    _rows_where(log, schema.PIPELINE, too_late, "responded_on_attempt", responded.astype(object), "error",
                lambda f: [f"responded_on_attempt ({r}) is more than attempts ({a})"
                           for r, a in zip(f["responded_on_attempt"], f["attempts"])], pipe)
    filled = pipe["attempts"].mask(~given & pipe["first_contacted"].notna(), 1).fillna(0).astype("Int64")
    raised = ~given & responded.notna() & (responded > filled)
    _rows_where(log, schema.PIPELINE, raised, "attempts", None, "warning",
                lambda f: [f"attempts is blank but the candidate responded on attempt {r}; counted as {r} attempts"
                           for r in f["responded_on_attempt"]], pipe)
    pipe["attempts"] = filled.mask(raised, responded).astype("Int64")
    pipe["outcome"] = outcome.where(outcome.notna(), "open")


def _unique_ids(log: IssueLog, key: str, frame: pd.DataFrame, column: str) -> None:
    """Later rows that repeat an id get the error; the first row keeps it."""
    ids = frame[column]
    present = ids.notna()
    if not present.any():
        return
    rows = pd.Series(frame.index, index=frame.index)
    first = rows[present].groupby(ids[present], sort=False).transform("min")
    repeat = first[first != rows[present]]
    if len(repeat):
        log.add_many(key, repeat.index, column, [_show(v) for v in ids[repeat.index]], "error",
                     [f"{column} {ids[r]} is also used on row {f}" for r, f in repeat.items()])


def _id_hint(value: str, known: set[str], widths: list[int]) -> str:
    """The existing id a mistyped one most likely meant: case, spacing, dashes and
    zero padding ignored (`c 12` -> `C-00012`). Looks only at the few unknown ids."""
    letters = "".join(c for c in value if c.isascii() and c.isalpha()).upper()
    digits = "".join(c for c in value if c.isascii() and c.isdigit())
    if digits and len(digits) < 20:
        for width in widths:
            guess = f"{letters}-{int(digits):0{width}d}"
            if guess in known:
                return guess
    guess = " ".join(value.split()).upper()
    return guess if guess in known else ""


def _references(log: IssueLog, pipe: pd.DataFrame, column: str, known: pd.Series, tab_key: str,
                settings: Settings) -> None:
    ids = pipe[column]
    missing = ids.notna() & ~ids.isin(known.dropna())
    if not missing.any():
        return
    known_ids = set(known.dropna())
    widths = sorted({len(m[1]) for i in list(known_ids)[:1000] if (m := re.search(r"(\d+)$", i))}, reverse=True)
    hints = {v: _id_hint(v, known_ids, widths) for v in ids[missing].unique()}
    title = settings.tab_title(tab_key)
    rows = ids.index[missing.to_numpy()]
    values = ids[missing]
    log.add_many(schema.PIPELINE, rows, column, [_show(v) for v in values], "error",
                 [f"{column} {v} is not in {title}" + (f"; did you mean {hints[v]}?" if hints[v] else "")
                  for v in values], [hints[v] for v in values])


# -- possible duplicate people --------------------------------------------------------

_NON_WORD = re.compile(r"[\W_]+")


def name_key(name: Any) -> str:
    """`  Zoë  O'Brien-Smith ` -> `brien o smith zoe`: accents, case, punctuation and
    word order do not make two names different."""
    text = (_text(name) or "")[:200]
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(sorted(words))


def _location_key(df: pd.DataFrame) -> pd.Series:
    city = df["city"].fillna("")
    country = df["country"].fillna("")
    key = city + "|" + country
    key = key.where(~df["remote"], "remote")
    return key.where(key != "|", None)


def _similar_name_groups(names: pd.DataFrame) -> dict[int, int]:
    """Distinct (location, name key) entries -> the earliest row among near-identical
    names in the same location. ``names``: columns loc, key, first_row (one row per
    distinct loc+key). Names are compared only inside blocks of one location and one
    shared word, so the cost grows with block sizes, not with all pairs."""
    from rapidfuzz import fuzz, process

    first_rows = names["first_row"].to_numpy()
    best = first_rows.copy()
    keys = names["key"].tolist()
    locs = names["loc"].tolist()
    # One (block, name) pair per word of two or more letters; a block is location + word.
    pair_block: list[str] = []
    pair_name: list[int] = []
    for i, (loc, key) in enumerate(zip(locs, keys)):
        for word in key.split():
            if len(word) >= 2:
                pair_block.append(f"{loc}\x1f{word}")
                pair_name.append(i)
    if not pair_block:
        return dict(enumerate(best.tolist()))
    codes, _ = pd.factorize(np.array(pair_block, dtype=object))
    members_of = np.array(pair_name, dtype=np.intp)
    shared = np.bincount(codes)[codes] >= 2  # most words are in one name only: nothing to compare
    codes, members_of = codes[shared], members_of[shared]
    order = np.argsort(codes, kind="stable")
    codes, members_of = codes[order], members_of[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    for members in np.split(members_of, starts[1:]) if len(codes) else []:
        if len(members) == 2:
            a, b = members
            if fuzz.ratio(keys[a], keys[b]) >= NAME_SIMILARITY:
                best[a] = min(best[a], first_rows[b])
                best[b] = min(best[b], first_rows[a])
            continue
        for part in _split_block(members, keys):
            texts = [keys[i] for i in part]
            scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, dtype=np.uint8)
            a, b = np.nonzero(scores)
            np.minimum.at(best, part[a], first_rows[part[b]])
    return dict(enumerate(best.tolist()))


def _split_block(members: np.ndarray, keys: list[str], limit: int = 3000) -> list[np.ndarray]:
    """A very common word in a big city: compare within name-length bands instead
    (a ratio of 90 allows only a small length difference), overlapping so no pair is lost."""
    if len(members) <= limit:
        return [members]
    lengths = np.array([len(keys[i]) for i in members])
    out = []
    for low in range(0, int(lengths.max()) + 1, 4):
        part = members[(lengths >= low) & (lengths < low + 8)]
        if len(part) >= 2:
            out.append(part)
    return out


def _duplicate_people(log: IssueLog, cands: pd.DataFrame) -> None:
    """Same email, same phone, or near-identical name in the same location: a warning
    on the later row naming the earlier candidate_id. Never merged."""
    people = cands[cands["candidate_id"].notna() & ~cands["forgotten"]]
    if len(people) < 2:
        return
    rows = pd.Series(people.index, index=people.index)
    found: list[pd.DataFrame] = []
    for column, label in (("email_norm", "same email"), ("phone_e164", "same phone")):
        values = people[column]
        present = values.notna()
        first = rows[present].groupby(values[present], sort=False).transform("min")
        later = first[first < rows[present]]
        found.append(pd.DataFrame({"row": later.index, "earlier": later.to_numpy(),
                                   "column": column.split("_")[0], "why": label}))

    loc = _location_key(people)
    codes, uniques = _distinct(people["name"])
    nonword, plain = _NON_WORD, str
    keys = _take([" ".join(sorted(nonword.sub(" ", u.casefold()).split())) if u.__class__ is plain and u.isascii()
                  else name_key(u) for u in uniques], codes, people.index)  # the ASCII case of name_key, inlined
    named = loc.notna() & keys.ne("")
    if named.sum() >= 2:
        table = pd.DataFrame({"loc": loc[named], "key": keys[named], "row": rows[named]})
        distinct = table.groupby(["loc", "key"], sort=False)["row"].min().rename("first_row").reset_index()
        best = _similar_name_groups(distinct)
        distinct["earliest"] = [best[i] for i in range(len(distinct))]
        merged = table.merge(distinct[["loc", "key", "earliest"]], on=["loc", "key"], how="left")
        later = merged[merged["earliest"] < merged["row"]]
        found.append(pd.DataFrame({"row": later["row"].to_numpy(), "earlier": later["earliest"].to_numpy(),
                                   "column": "name", "why": "similar name in the same location"}))
    dupes = pd.concat(found, ignore_index=True)
    if not len(dupes):
        return
    ids = people["candidate_id"]
    dupes["earlier_id"] = ids.reindex(dupes["earlier"]).to_numpy()
    dupes = dupes[dupes["earlier_id"].to_numpy() != ids.reindex(dupes["row"]).to_numpy()]  # same id: reported as such
    # One warning per (row, earlier person), all reasons together; the column is the
    # strongest reason's (email, then phone, then name).
    order = {"email": 0, "phone": 1, "name": 2}
    dupes = dupes.assign(rank=dupes["column"].map(order)).sort_values(["row", "earlier", "rank"], kind="stable")
    merged: dict[tuple[int, int], list[Any]] = {}
    for row, earlier, column, why, earlier_id in zip(dupes["row"].tolist(), dupes["earlier"].tolist(),
                                                     dupes["column"].tolist(), dupes["why"].tolist(),
                                                     dupes["earlier_id"].tolist()):
        if (row, earlier) in merged:
            merged[(row, earlier)][1] += ", " + why
        else:
            merged[(row, earlier)] = [column, why, earlier_id]
    log.add_many(schema.CANDIDATES, [row for row, _ in merged], [m[0] for m in merged.values()], [""] * len(merged),
                 "warning", [f"possible duplicate of {earlier_id} (row {earlier}): {why}; check and merge by hand "
                             "if it is the same person" for (_, earlier), (_, why, earlier_id) in merged.items()])


# -- the whole check -----------------------------------------------------------------

def validate(frames: Frames, settings: Settings, today: dt.date) -> tuple[Frames, pd.DataFrame]:
    """Check every row of every input tab. Returns the clean frames (rows
    without errors, typed) and every problem found, as an issues frame."""
    log = IssueLog(settings)
    both = {key: _drop_blank_rows(frames[key], key) for key in schema.INPUT_TABS}
    frames = {key: f for key, (f, _) in both.items()}
    distinct = {key: d for key, (_, d) in both.items()}
    typed = {key: _type_tab(log, key, frames[key], settings, today, distinct[key]) for key in schema.INPUT_TABS}

    cands = typed[schema.CANDIDATES]
    _check_emails(log, cands)
    _check_phones(log, cands, settings)
    cands["contact_every_days"] = cands["contact_every"].fillna(settings.default_contact_every_days).astype("Int64")
    _add_location(cands)
    _candidate_rules(log, cands, frames[schema.CANDIDATES], distinct[schema.CANDIDATES])
    _add_location(typed[schema.POSITIONS])

    pipe = typed[schema.PIPELINE]
    _pipeline_rules(log, pipe, frames[schema.PIPELINE], distinct[schema.PIPELINE])

    _unique_ids(log, schema.CANDIDATES, cands, "candidate_id")
    _unique_ids(log, schema.POSITIONS, typed[schema.POSITIONS], "position_id")
    _references(log, pipe, "candidate_id", cands["candidate_id"], schema.CANDIDATES, settings)
    _references(log, pipe, "position_id", typed[schema.POSITIONS]["position_id"], schema.POSITIONS, settings)
    _duplicate_people(log, cands)

    issues = log.frame()
    clean = _drop_error_rows(typed, issues, settings)
    return clean, issues


def _drop_error_rows(typed: Frames, issues: pd.DataFrame, settings: Settings) -> Frames:
    clean: Frames = {}
    for key, frame in typed.items():
        bad = error_rows(issues, settings, key)
        clean[key] = frame[~frame.index.isin(list(bad))].copy() if bad else frame
    return clean


# -- hard-no guard at intake -----------------------------------------------------------


