"""Typing one column of a tab (DESIGN §2): each cell read as its column's type,
problems logged at their cell."""
from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..config import Settings
from ..values import FormulaWithoutValue, is_blank, parse_bool, parse_date, parse_duration, parse_integer, parse_number
from .distinct import Distinct, Uniques, blank_mask, factorise, parse_uniques, take
from .issues import IssueLog, _show

_SKILL_SPLIT = re.compile(r"[,;/\n|]+")
EARLIEST_DATE = dt.date(1900, 1, 1)
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
                    (schema.PIPELINE, "decided_on"), (schema.TOUCHPOINTS, "date")}


def suggest(value: Any, choices: tuple[str, ...]) -> str:
    """Closest valid value for a mistyped enum ('did you mean …')."""
    norm = schema.normalise_header(str(value)[:100])
    close = difflib.get_close_matches(norm, list(choices), n=1, cutoff=0.5)
    return close[0] if close else ""


def cell_text(v: Any) -> str | None:
    if is_blank(v):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        v = int(v)
    try:
        text = str(v)
    except Exception:
        text = f"<{type(v).__name__}>"
    text = text.strip()
    return text or None


def skills_of(v: Any) -> tuple[str, ...]:
    text = cell_text(v)
    if not text:
        return ()
    parts = (" ".join(p.split()) for p in _SKILL_SPLIT.split(text.lower()))
    return tuple(dict.fromkeys(p for p in parts if p))


def split_location(v: Any) -> tuple[str | None, str | None, bool]:
    """`City, Country` -> (city, country), `Remote` -> remote. Lowercase."""
    text = cell_text(v)
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


def log_unique_errors(log: IssueLog, key: str, column: str, index: pd.Index, codes: np.ndarray, uniques: list[Any],
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


@dataclasses.dataclass
class _Cells:
    """One column of one tab, as its distinct values (see :mod:`.distinct`)."""

    log: IssueLog
    key: str
    column: schema.Column
    index: pd.Index
    codes: np.ndarray
    uniques: list[Any]

    @property
    def name(self) -> str:
        return self.column.name

    def parse(self, fn: Callable[[Any], Any], severity: str, message: Callable[[Any, str], str],
              suggestion: Callable[[Any], str] | None = None) -> list[Any]:
        """``fn`` once per distinct value; each cell whose value fails gets an issue."""
        parsed, errs = parse_uniques(self.uniques, fn)
        log_unique_errors(self.log, self.key, self.name, self.index, self.codes, self.uniques, errs, severity,
                          message, suggestion)
        return parsed

    def spread(self, per_unique: np.ndarray, dtype: Any = None) -> pd.Series:
        """Values per distinct value -> one per cell."""
        return pd.Series(per_unique[self.codes] if len(self.codes) else per_unique[:0], index=self.index, dtype=dtype)


def _check_column(log: IssueLog, key: str, frame: pd.DataFrame, column: schema.Column, settings: Settings,
                  today: dt.date, distinct: tuple[np.ndarray, list[Any]] | None = None) -> pd.Series:
    """Type one column; log problems; return the typed Series."""
    codes, uniques = distinct if distinct is not None else factorise(frame[column.name])
    cells = _Cells(log, key, column, frame.index, codes, uniques)
    reader = _READERS.get(column.kind)
    if reader is not None:
        return reader(cells, settings, today)
    if column.kind == schema.LIST:
        parsed, _ = parse_uniques(uniques, skills_of)
        return take([p if isinstance(p, tuple) else () for p in parsed], codes, frame.index)
    parsed = [(u.strip() or None) if type(u) is str else cell_text(u) for u in uniques]  # hot: ids, names, emails
    return take(parsed, codes, frame.index)


def _read_dates(cells: _Cells, settings: Settings, today: dt.date) -> pd.Series:
    name, latest = cells.name, today + dt.timedelta(days=settings.future_date_limit_days)

    def read_date(v: Any) -> dt.date:
        day = parse_date(v, settings.date_order)
        if day < EARLIEST_DATE:
            raise ValueError("is before 1900")
        if day > latest:
            raise ValueError(f"is more than {settings.future_date_limit_days} days after today; is the year right?")
        return day

    def date_message(v: Any, e: str) -> str:
        if e.startswith("is "):
            return f"{name} {_show(v)} {e}"
        return f"{name} is not a date{_formula_hint(v)}; use YYYY-MM-DD"
    parsed = cells.parse(read_date, "error", date_message)
    days = pd.to_datetime(pd.Series([pd.NaT if d is None else pd.Timestamp(d) for d in parsed], dtype="datetime64[ns]"))
    out = cells.spread(days.to_numpy())
    if (cells.key, name) in PAST_EVENT_DATES:
        _warn_after_today(cells.log, cells.key, name, out, today)
    return out.astype("datetime64[ns]")


def _read_numbers(cells: _Cells, settings: Settings, today: dt.date) -> pd.Series:
    whole = cells.column.kind == schema.INTEGER
    fn = parse_integer if whole else parse_number
    name, (low, high) = cells.name, RANGES.get((cells.key, cells.name), (None, None))

    def read_number(v: Any) -> float:
        n = fn(v)
        if (low is not None and n < low) or (high is not None and n > high):
            raise ValueError("range")
        return n

    def number_message(v: Any, e: str) -> str:
        if e == "range":
            bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
            return f"{name} must be {bounds}"
        return f"{name} must be {'a whole number' if whole else 'a number'}{_formula_hint(v)}"
    parsed = cells.parse(read_number, "error", number_message)
    out = cells.spread(np.array([np.nan if p is None else float(p) for p in parsed], dtype="float64"), "float64")
    return out.astype("Int64") if whole else out


def _read_bools(cells: _Cells, settings: Settings, today: dt.date) -> pd.Series:
    parsed = cells.parse(parse_bool, "error", lambda v, e: f"{cells.name} must be yes or no{_formula_hint(v)}")
    return cells.spread(np.array([bool(p) for p in parsed], dtype=bool), bool)


def _read_durations(cells: _Cells, settings: Settings, today: dt.date) -> pd.Series:
    name = cells.name

    def duration_message(v: Any, e: str) -> str:
        if "10 years" in e or "positive" in e:
            return f"{name} must be a positive duration of at most 10 years"
        return f"{name} is not a duration{_formula_hint(v)}; write e.g. '2 weeks', 'monthly', 'quarterly' or '90 days'"
    parsed = cells.parse(parse_duration, "error", duration_message)
    return cells.spread(np.array([np.nan if p is None else float(p) for p in parsed], dtype="float64")).astype("Int64")


def _read_choices(cells: _Cells, settings: Settings, today: dt.date) -> pd.Series:
    choices = cells.column.choices

    def canon(v: Any) -> str:
        norm = schema.normalise_header(v if isinstance(v, str) else cell_text(v))
        if norm not in choices:
            raise ValueError(norm)
        return norm

    def enum_message(v: Any, e: str) -> str:
        hint = suggest(v, choices)
        return f"{cells.name} must be one of {', '.join(choices)}" + (f"; did you mean '{hint}'?" if hint else "")
    parsed = cells.parse(canon, "error", enum_message, lambda v: suggest(v, choices))
    return take(parsed, cells.codes, cells.index)


_READERS: dict[str, Callable[[_Cells, Settings, dt.date], pd.Series]] = {
    schema.DATE: _read_dates, schema.NUMBER: _read_numbers, schema.INTEGER: _read_numbers,
    schema.BOOL: _read_bools, schema.DURATION: _read_durations, schema.ENUM: _read_choices,
}


def _warn_after_today(log: IssueLog, key: str, name: str, days: pd.Series, today: dt.date) -> None:
    later = days > pd.Timestamp(today)
    if later.any():
        shown = days[later].dt.strftime("%Y-%m-%d")
        log.add_many(key, days.index[later.to_numpy()], name, shown, "warning",
                     [f"{name} {d} is after today" for d in shown])


def _formulas_without_value(log: IssueLog, key: str, name: str, index: pd.Index,
                            distinct: tuple[np.ndarray, list[Any]]) -> tuple[np.ndarray, list[Any]]:
    """A formula whose file holds no result is an error at its cell, never a blank
    (blank means "no" or "assign an id"); the column is then typed without it."""
    if distinct[1].__class__ is Uniques and not distinct[1].mixed:
        return distinct  # only plain values: no formula markers among them
    marked = [i for i, u in enumerate(distinct[1]) if isinstance(u, FormulaWithoutValue)]
    if not marked:
        return distinct
    codes, uniques = distinct
    mask = np.isin(codes, marked)
    rows = index[mask]
    log.add_many(key, rows, name, [_show(uniques[c]) for c in codes[mask]], "error",
                 [f"{name} is a formula whose result is not saved in the file; open the workbook in Excel or "
                  "LibreOffice and save it (sheetcrm does not calculate formulas)"] * len(rows))
    return codes, [None if i in marked else u for i, u in enumerate(uniques)]


def type_tab(log: IssueLog, key: str, frame: pd.DataFrame, settings: Settings, today: dt.date,
              distinct: Distinct) -> pd.DataFrame:
    tab = schema.INPUT_TAB_SCHEMAS[key]
    out = pd.DataFrame(index=frame.index)
    for column in tab.input_columns:
        known = _formulas_without_value(log, key, column.name, frame.index, distinct[column.name])
        out[column.name] = _check_column(log, key, frame, column, settings, today, known)
        if column.required:
            raw_blank = blank_mask(frame[column.name], distinct[column.name])
            rows = frame.index[raw_blank]
            log.add_many(key, rows, column.name, [""] * len(rows), "error", [f"{column.name} is required"] * len(rows))
    return out


def add_location(df: pd.DataFrame) -> None:
    codes, uniques = factorise(df["location"])
    parts = [split_location(v) for v in uniques]
    df["city"] = take([p[0] for p in parts], codes, df.index)
    df["country"] = take([p[1] for p in parts], codes, df.index)
    flags = np.array([p[2] for p in parts], dtype=bool)
    df["remote"] = pd.Series(flags[codes] if len(codes) else flags[:0], index=df.index, dtype=bool)


def drop_blank_rows(frame: pd.DataFrame, key: str) -> tuple[pd.DataFrame, Distinct]:
    """Rows with nothing in any input column are ignored silently (as the sheet reader
    does). Also returns each input column's distinct values, reused by every check."""
    tab = schema.INPUT_TAB_SCHEMAS[key]
    frame = frame.reindex(columns=tab.names)
    distinct = {c.name: factorise(frame[c.name]) for c in tab.input_columns}
    blank = np.ones(len(frame), dtype=bool)
    for column in tab.input_columns:
        blank &= blank_mask(frame[column.name], distinct[column.name])
    if len(frame) and blank.any():
        frame = frame[~blank]
        distinct = {name: (codes[~blank], uniques) for name, (codes, uniques) in distinct.items()}
    return frame, distinct
