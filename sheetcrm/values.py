"""Reading one cell value the way a recruiter meant it: dates, durations, yes/no, numbers.

Scalar parsers raise ``ValueError`` with a short reason; callers that work on whole
columns parse each *distinct* value once (real sheets repeat values a lot).
"""
from __future__ import annotations

import datetime as dt
import math
import re

EXCEL_EPOCH = dt.date(1899, 12, 30)  # serial 0 in Excel and Google Sheets (1900 system)

_TRUE = {"true", "yes", "y", "x", "1", "✓", "✔"}
_FALSE = {"false", "no", "n", "0", ""}

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
    "twice a year": 182, "half-yearly": 182, "semiannually": 182, "semi-annually": 182,
    "yearly": 365, "annually": 365,
}
_DURATION_RE = re.compile(r"^(?:every\s+)?(\d+(?:\.\d+)?)?\s*([a-z]+)$")


def is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    if isinstance(value, str) and not value.strip():
        return True
    try:  # pandas NA / NaT
        import pandas as pd

        return value is pd.NA or value is pd.NaT
    except ImportError:  # pragma: no cover
        return False


def parse_bool(value: object) -> bool:
    """`TRUE/FALSE`, `yes/no`, `y/n`, `x`, blank (= no)."""
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


def parse_number(value: object) -> float:
    if isinstance(value, bool):
        raise ValueError("expected a number, got TRUE/FALSE")
    if isinstance(value, (int, float)):
        if math.isnan(value) or math.isinf(value):
            raise ValueError("expected a number")
        return float(value)
    s = str(value).strip().replace(",", "").replace("_", "").replace(" ", "")
    s = s.lstrip("$€£¥")
    mult = 1.0
    if s[-1:].lower() == "k":
        mult, s = 1000.0, s[:-1]
    try:
        out = float(s) * mult
    except ValueError:
        raise ValueError("expected a number") from None
    if math.isnan(out) or math.isinf(out):
        raise ValueError("expected a number")
    return out


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
    if re.fullmatch(r"\d+(\.\d+)?", s):
        return serial_to_date(float(s))
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
    words = [w for w in words if w]
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
        if value != value or value <= 0:
            raise ValueError("expected a positive duration")
        return int(round(value))
    s = " ".join(str(value).strip().lower().split())
    if s in NAMED_DURATIONS:
        return NAMED_DURATIONS[s]
    s2 = s.removeprefix("every ").strip()
    if s2 in NAMED_DURATIONS:
        return NAMED_DURATIONS[s2]
    if s2.isdigit():
        days = int(s2)
    else:
        m = _DURATION_RE.match(s2.replace(" ", "") if s2[:1].isdigit() else s2)
        if not m or m[2] not in UNIT_DAYS:
            raise ValueError("expected a duration like '2 weeks', 'monthly' or '90 days'")
        days = int(round(float(m[1] or 1) * UNIT_DAYS[m[2]]))
    if days <= 0:
        raise ValueError("expected a positive duration")
    return days
