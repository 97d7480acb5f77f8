"""Reading one cell value the way a recruiter meant it: dates, durations, yes/no, numbers.

Scalar parsers raise ``ValueError`` with a short reason; callers that work on whole
columns parse each *distinct* value once (real sheets repeat values a lot).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re

import pandas as pd

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 in Excel and Google Sheets (1900 system)

_TRUE = {"true", "yes", "y", "x", "1", "on", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", "off", ""}

UNIT_DAYS = {
    "day": 1, "days": 1, "d": 1,
    "week": 7, "weeks": 7, "wk": 7, "wks": 7, "w": 7,
    "month": 30, "months": 30, "mo": 30, "mos": 30, "m": 30,
    "quarter": 90, "quarters": 90, "q": 90,
    "year": 365, "years": 365, "yr": 365, "yrs": 365, "y": 365,
}
NAMED_DURATIONS = {
    "daily": 1,
    "weekly": 7,
    "biweekly": 14, "bi-weekly": 14, "fortnightly": 14, "every other week": 14,
    "monthly": 30,
    "bimonthly": 60, "bi-monthly": 60,
    "quarterly": 90,
    "fortnight": 14, "a fortnight": 14,
    "twice a year": 182, "half-yearly": 182, "half a year": 182, "half year": 182, "biannually": 182, "semiannually": 182, "semi-annually": 182,
    "yearly": 365, "annually": 365,
}
MAX_DURATION_DAYS = 3650  # a pace longer than 10 years is a typo, not a plan
_DURATION_RE = re.compile(r"^(?:every\s+)?(\d+(?:\.\d+)?)?\s*([a-z]+)$")


@dataclasses.dataclass(frozen=True)
class FormulaWithoutValue:
    """A formula cell whose file holds no calculated result (saved by a program that
    does not calculate, or left for the next open to recalculate). Readers put this
    where the cell would otherwise read as blank: blank is a meaning ("no", "not
    given", "assign an id") and the formula may say otherwise. Validation makes it
    an error at its cell; the never-call policy reads a do_not_contact holding it as
    the worst case. Shown as the formula's text."""

    formula: str

    def __str__(self) -> str:
        return "=" + self.formula.lstrip("=")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, float):
        return math.isnan(value)
    return value is pd.NA or value is pd.NaT


def parse_bool(value: object) -> bool:
    """`TRUE/FALSE`, `yes/no`, `y/n`, `on/off`, `x`, blank (= no)."""
    if is_blank(value):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    s = str(value).strip().lower()
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueError("expected yes or no")


_GROUPED = re.compile(r"^\d{1,3}([,.])\d{3}(?:\1\d{3})*$")  # 95,000 / 1.000.000


def parse_number(value: object) -> float:
    """A number cell, or text like `95,000`, `95k`, `€95.000`, `1,5` (decimal comma)."""
    if isinstance(value, bool):
        raise ValueError("expected a number, got TRUE/FALSE")
    if isinstance(value, (int, float)):
        try:
            out = float(value)
        except OverflowError:
            raise ValueError("expected a number of sensible size") from None
        if math.isnan(out) or math.isinf(out):
            raise ValueError("expected a number")
        return out
    s = re.sub(r"[\s_'\u00a0\u202f]", "", str(value)).strip("$€£¥")
    sign = ""
    if s[:1] in "+-":
        sign, s = s[:1], s[1:]
    s = s.lstrip("$€£¥")
    mult = 1.0
    if s[-1:].lower() == "k":
        mult, s = 1000.0, s[:-1]
    s = _plain_decimal(s)
    try:
        out = float(sign + s) * mult
    except ValueError:
        raise ValueError("expected a number") from None
    if math.isnan(out) or math.isinf(out):
        raise ValueError("expected a number")
    return out


def _plain_decimal(s: str) -> str:
    """Thousands separators out, decimal comma to a point: `1.234,5` -> `1234.5`.
    A lone comma followed by other than three digits is a decimal comma (`1,5`)."""
    if "," in s and "." in s:
        thousands, decimal = (",", ".") if s.rfind(".") > s.rfind(",") else (".", ",")
        head, _, tail = s.rpartition(decimal)
        if not _GROUPED.match(head) and thousands in head:
            raise ValueError("expected a number")
        return head.replace(thousands, "") + "." + tail
    if _GROUPED.match(s) and (s.count(",") or s.count(".") > 1):
        return s.replace(",", "").replace(".", "")
    if s.count(",") == 1:
        return s.replace(",", ".")
    return s


def parse_integer(value: object) -> int:
    n = parse_number(value)
    if n != int(n):
        raise ValueError("expected a whole number")
    return int(n)


def serial_to_date(serial: float) -> dt.date:
    if not (1 <= serial < 2958466):  # 1900-01-01 .. 9999-12-31
        raise ValueError("not a date")
    return EXCEL_EPOCH + dt.timedelta(days=int(serial))


def date_to_serial(day: dt.date) -> int:
    return (day - EXCEL_EPOCH).days


_ISO_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_NUMERIC_RE = re.compile(r"^(\d{1,4})[./\-](\d{1,2})[./\-](\d{1,4})$")
_COMPACT_RE = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)$")
_TIME_RE = re.compile(r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:[ap]\.?m\.?)?\s*(?:z|utc|[+-]\d{2}:?\d{2})?)$", re.I)
_FILLER = {"of", "the", "mon", "monday", "tue", "tues", "tuesday", "wed", "wednesday", "thu", "thur", "thurs",
           "thursday", "fri", "friday", "sat", "saturday", "sun", "sunday"}
_MONTHS = {m.lower(): i for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], 1)}


def _month(word: str) -> int:
    key = word.lower()[:3]
    if key not in _MONTHS:
        raise ValueError("not a month")
    return _MONTHS[key]


def parse_date(value: object, date_order: str = "dmy") -> dt.date:
    """A date cell, a serial number, ISO text, or day-first / month-first text.

    ``date_order`` ('dmy' or 'mdy') decides only the ambiguous numeric forms
    like 03/04/2025; 25/12/2025 is read as day-first whatever it says.
    """
    if isinstance(value, bool):
        raise ValueError("expected a date, got TRUE/FALSE")
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if hasattr(value, "to_pydatetime"):  # pandas Timestamp
        return value.to_pydatetime().date()
    if isinstance(value, (int, float)):
        if isinstance(value, float) and math.isnan(value):
            raise ValueError("expected a date")
        return serial_to_date(value)
    s = str(value).strip()
    if not s:
        raise ValueError("expected a date")
    m = _COMPACT_RE.match(s)
    if m:  # 20250304
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return serial_to_date(float(s))
    s = _TIME_RE.sub("", s)  # 04/03/2025 10:30 -> the day is what matters
    m = _ISO_RE.match(s)
    if m:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = _NUMERIC_RE.match(s)
    if m:
        a, b, c = (int(x) for x in m.groups())
        if len(m[1]) == 4:  # 2025/03/04
            return dt.date(a, b, c)
        year = c + 2000 if c < 100 else c
        if a > 12 and b <= 12:
            day, month = a, b
        elif b > 12 and a <= 12:
            month, day = a, b
        elif date_order == "mdy":
            month, day = a, b
        else:
            day, month = a, b
        return dt.date(year, month, day)
    words = re.split(r"[\s,./\-]+", s)
    words = [w for w in words if w and w.lower() not in _FILLER]
    if len(words) == 3:
        try:  # 4 March 2025 / 4 Mar 25
            day, month, year = int(words[0].rstrip("stndrh")), _month(words[1]), int(words[2])
        except ValueError:
            try:  # March 4, 2025
                month, day, year = _month(words[0]), int(words[1].rstrip("stndrh")), int(words[2])
            except ValueError:
                raise ValueError("not a date I can read") from None
        return dt.date(year + 2000 if year < 100 else year, month, day)
    raise ValueError("not a date I can read")


def parse_duration(value: object) -> int:
    """`2 weeks`, `biweekly`, `monthly`, `quarterly`, `6 months`, `90 days`, `90` -> days."""
    if isinstance(value, bool):
        raise ValueError("expected a duration like '2 weeks' or 'quarterly'")
    if isinstance(value, (int, float)):
        if value != value or value in (math.inf, -math.inf):
            raise ValueError("expected a duration like '2 weeks' or 'quarterly'")
        return _sensible(int(round(value)))
    s = " ".join(str(value).strip().lower().split())
    if s in NAMED_DURATIONS:
        return NAMED_DURATIONS[s]
    s2 = s.removeprefix("every ").strip()
    if s2 in NAMED_DURATIONS:
        return NAMED_DURATIONS[s2]
    if s2.isdigit() and len(s2) < 9:
        days = int(s2)
    else:
        m = _DURATION_RE.match(s2.replace(" ", "") if s2[:1].isdigit() else s2)
        if not m or m[2] not in UNIT_DAYS:
            raise ValueError("expected a duration like '2 weeks', 'monthly' or '90 days'")
        days = int(round(float(m[1] or 1) * UNIT_DAYS[m[2]]))
    return _sensible(days)


def _sensible(days: int) -> int:
    if days <= 0:
        raise ValueError("expected a positive duration")
    if days > MAX_DURATION_DAYS:
        raise ValueError("longer than 10 years")
    return days
