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
  None when unknown), ``remote`` (bool)
* Pipeline ``attempts``: blank with first_contacted set = 1, else blank = 0
"""
from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Hashable
from typing import Any

import pandas as pd

from . import schema
from .config import Settings
from .values import is_blank, parse_bool, parse_date, parse_duration, parse_integer, parse_number

Frames = dict[str, pd.DataFrame]
_SKILL_SPLIT = re.compile(r"[,;/\n|]+")


class IssueLog:
    """Collects problems lazily, as rows."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.rows: list[tuple] = []

    def add(self, tab: str, row: int, column: str, value: Any, severity: str, message: str, suggestion: str = "") -> None:
        self.rows.append((self.settings.tab_title(tab), int(row), column, _show(value), severity, message, suggestion))

    def frame(self) -> pd.DataFrame:
        return issues_frame(self.rows)


def issues_frame(rows: list[tuple] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows or [], columns=list(schema.ISSUE_COLUMNS))
    df["row"] = df["row"].astype("int64")
    order = {"error": 0, "warning": 1}
    if len(df):
        df = df.sort_values(["severity", "tab", "row", "column"], key=lambda s: s.map(order) if s.name == "severity" else s,
                            kind="stable").reset_index(drop=True)
    return df


def _show(value: Any) -> str:
    """The value as the issue shows it: short, and never a formula."""
    if is_blank(value):
        return ""
    if isinstance(value, dt.datetime):
        text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    elif isinstance(value, dt.date):
        text = value.isoformat()
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "…"


def suggest(value: Any, choices: tuple[str, ...]) -> str:
    """Closest valid value for a mistyped enum ('did you mean …')."""
    norm = schema.normalise_header(value)
    close = difflib.get_close_matches(norm, list(choices), n=1, cutoff=0.5)
    return close[0] if close else ""


def _map_unique(series: pd.Series, fn: Callable[[Any], Any]) -> tuple[pd.Series, pd.Series]:
    """Apply ``fn`` once per distinct value. Returns (parsed, error message or None)."""
    parsed: dict[Hashable, Any] = {}
    errors: dict[Hashable, str | None] = {}
    keys = series.map(_key)
    for k, v in zip(keys.unique(), _first_values(series, keys)):
        if is_blank(v):
            parsed[k], errors[k] = None, None
            continue
        try:
            parsed[k], errors[k] = fn(v), None
        except (ValueError, TypeError, OverflowError) as exc:
            parsed[k], errors[k] = None, str(exc) or "cannot be read"
    return keys.map(parsed), keys.map(errors)


def _first_values(series: pd.Series, keys: pd.Series) -> list[Any]:
    first = ~keys.duplicated()
    return list(series[first.values])


def _key(v: Any) -> Hashable:
    """Hashable key that keeps types apart (1 vs True vs '1')."""
    if isinstance(v, float) and v != v:
        return ("nan",)
    try:
        hash(v)
        return (type(v).__name__, v)
    except TypeError:
        return (type(v).__name__, repr(v))


def _text(v: Any) -> str | None:
    if is_blank(v):
        return None
    if isinstance(v, float) and v == int(v):
        v = int(v)
    return str(v).strip()


def _skills(v: Any) -> tuple[str, ...]:
    if is_blank(v):
        return ()
    out: list[str] = []
    for part in _SKILL_SPLIT.split(str(v)):
        s = " ".join(part.strip().lower().split())
        if s and s not in out:
            out.append(s)
    return tuple(out)


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


def _check_column(log: IssueLog, key: str, frame: pd.DataFrame, column: schema.Column, settings: Settings,
                  today: dt.date) -> pd.Series:
    """Type one column; log problems; return the typed Series."""
    raw = frame[column.name]
    kind = column.kind
    if kind == schema.DATE:
        parsed, errs = _map_unique(raw, lambda v: parse_date(v, settings.date_order))
        _log_errors(log, key, column.name, raw, errs, "error", lambda e: f"{column.name} is not a date ({e}); use YYYY-MM-DD")
        out = pd.to_datetime(parsed, errors="coerce")
        return out.astype("datetime64[ns]")
    if kind in (schema.NUMBER, schema.INTEGER):
        fn = parse_integer if kind == schema.INTEGER else parse_number
        parsed, errs = _map_unique(raw, fn)
        what = "a whole number" if kind == schema.INTEGER else "a number"
        _log_errors(log, key, column.name, raw, errs, "error", lambda e: f"{column.name} must be {what}")
        if kind == schema.INTEGER:
            return pd.array(parsed.where(parsed.notna(), None).tolist(), dtype="Int64")
        return pd.to_numeric(parsed, errors="coerce").astype("float64")
    if kind == schema.BOOL:
        parsed, errs = _map_unique(raw, parse_bool)
        _log_errors(log, key, column.name, raw, errs, "error", lambda e: f"{column.name} must be yes or no")
        return parsed.fillna(False).astype(bool)
    if kind == schema.DURATION:
        parsed, errs = _map_unique(raw, parse_duration)
        _log_errors(log, key, column.name, raw, errs, "error",
                    lambda e: f"{column.name} is not a duration; write e.g. '2 weeks', 'monthly', 'quarterly' or '90 days'")
        return pd.array(parsed.where(parsed.notna(), None).tolist(), dtype="Int64")
    if kind == schema.ENUM:
        def canon(v: Any) -> str:
            norm = schema.normalise_header(v)
            if norm not in column.choices:
                raise ValueError(norm)
            return norm
        parsed, errs = _map_unique(raw, canon)
        bad = errs.notna()
        for row in frame.index[bad.values]:
            value = raw.at[row]
            hint = suggest(value, column.choices)
            msg = f"{column.name} must be one of {', '.join(column.choices)}" + (f"; did you mean '{hint}'?" if hint else "")
            log.add(key, row, column.name, value, "error", msg, hint)
        return parsed.astype(object).where(parsed.notna(), None)
    if kind == schema.LIST:
        parsed, _ = _map_unique(raw, _skills)
        return parsed.map(lambda t: t if isinstance(t, tuple) else ())
    parsed, _ = _map_unique(raw, _text)
    return parsed.astype(object).where(parsed.notna(), None)


def _log_errors(log: IssueLog, key: str, column: str, raw: pd.Series, errs: pd.Series, severity: str,
                message: Callable[[str], str]) -> None:
    bad = errs.notna()
    if not bad.any():
        return
    for row, err in zip(raw.index[bad.values], errs[bad.values]):
        log.add(key, row, column, raw.at[row], severity, message(err))


def _type_tab(log: IssueLog, key: str, frame: pd.DataFrame, settings: Settings, today: dt.date) -> pd.DataFrame:
    tab = schema.INPUT_TAB_SCHEMAS[key]
    out = pd.DataFrame(index=frame.index)
    for column in tab.input_columns:
        out[column.name] = _check_column(log, key, frame, column, settings, today)
        if column.required:
            missing = out[column.name].isna() if column.kind != schema.LIST else out[column.name].map(len).eq(0)
            for row in frame.index[missing.values]:
                if is_blank(frame.at[row, column.name]):
                    log.add(key, row, column.name, None, "error", f"{column.name} is required")
    return out


def _add_location(df: pd.DataFrame) -> None:
    parts = df["location"].map(split_location)
    df["city"] = parts.map(lambda p: p[0])
    df["country"] = parts.map(lambda p: p[1])
    df["remote"] = parts.map(lambda p: p[2]).astype(bool)


def validate(frames: Frames, settings: Settings, today: dt.date) -> tuple[Frames, pd.DataFrame]:
    """Check every row of every input tab. Returns the clean frames (rows
    without errors, typed) and every problem found, as an issues frame."""
    log = IssueLog(settings)
    typed = {key: _type_tab(log, key, frames[key], settings, today) for key in schema.INPUT_TABS}

    cands = typed[schema.CANDIDATES]
    cands["email_norm"] = cands["email"].map(lambda e: e.lower() if isinstance(e, str) else None)
    cands["phone_e164"] = None
    cands["contact_every_days"] = cands["contact_every"].fillna(settings.default_contact_every_days).astype("Int64")
    _add_location(cands)
    _add_location(typed[schema.POSITIONS])

    pipe = typed[schema.PIPELINE]
    pipe["outcome"] = pipe["outcome"].where(pipe["outcome"].notna(), "open")
    pipe["attempts"] = pipe["attempts"].mask(pipe["attempts"].isna() & pipe["first_contacted"].notna(), 1).fillna(0)

    issues = log.frame()
    clean = _drop_error_rows(typed, issues, settings)
    return clean, issues


def _drop_error_rows(typed: Frames, issues: pd.DataFrame, settings: Settings) -> Frames:
    errors = issues[issues["severity"] == "error"]
    clean: Frames = {}
    for key, frame in typed.items():
        bad = set(errors.loc[errors["tab"] == settings.tab_title(key), "row"])
        clean[key] = frame[~frame.index.isin(list(bad))].copy() if bad else frame
    return clean


def error_rows(issues: pd.DataFrame, settings: Settings, key: str) -> set[int]:
    """Sheet rows of one tab that have an error (left out of figures)."""
    mask = (issues["severity"] == "error") & (issues["tab"] == settings.tab_title(key))
    return set(issues.loc[mask, "row"].astype(int))


def row_issue_texts(issues: pd.DataFrame, settings: Settings, key: str) -> dict[int, str]:
    """The short `row_issues` text per row: 'error: email is not …; warning: …'."""
    sub = issues[issues["tab"] == settings.tab_title(key)]
    out: dict[int, str] = {}
    for row, group in sub.groupby("row", sort=False):
        parts = [f"{s}: {m}" for s, m in zip(group["severity"], group["message"])]
        text = "; ".join(parts)
        out[int(row)] = text if len(text) <= 300 else text[:297] + "…"
    return out


