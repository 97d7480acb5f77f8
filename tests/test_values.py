"""Scalar parsers: a cell read the way a recruiter meant it, or a ValueError."""
from __future__ import annotations

import datetime as dt
import math

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm.values import (date_to_serial, is_blank, parse_bool, parse_date, parse_duration, parse_integer,
                             parse_number, serial_to_date)

D = dt.date


@pytest.mark.parametrize("value, order, expected", [
    (D(2025, 3, 4), "dmy", D(2025, 3, 4)),
    (dt.datetime(2025, 3, 4, 17, 5), "dmy", D(2025, 3, 4)),
    (45720, "dmy", D(2025, 3, 4)),
    (45720.75, "dmy", D(2025, 3, 4)),
    ("45720", "dmy", D(2025, 3, 4)),
    ("2025-03-04", "dmy", D(2025, 3, 4)),
    ("2025-3-4", "dmy", D(2025, 3, 4)),
    ("2025-03-04T10:00:00Z", "dmy", D(2025, 3, 4)),
    ("2025/03/04", "dmy", D(2025, 3, 4)),
    ("20250304", "dmy", D(2025, 3, 4)),
    ("04/03/2025", "dmy", D(2025, 3, 4)),
    ("04/03/2025", "mdy", D(2025, 4, 3)),
    ("25/12/2025", "mdy", D(2025, 12, 25)),  # unambiguous whatever the setting
    ("12/25/2025", "dmy", D(2025, 12, 25)),
    ("4.3.25", "dmy", D(2025, 3, 4)),
    ("04/03/2025 10:30", "dmy", D(2025, 3, 4)),
    ("04/03/2025 10:30 pm", "dmy", D(2025, 3, 4)),
    ("4 March 2025", "dmy", D(2025, 3, 4)),
    ("4th of March 2025", "dmy", D(2025, 3, 4)),
    ("Tuesday, 4 March 2025", "dmy", D(2025, 3, 4)),
    ("March 4, 2025", "dmy", D(2025, 3, 4)),
    ("4-Mar-25", "dmy", D(2025, 3, 4)),
])
def test_dates_in_every_accepted_form(value, order, expected):
    assert parse_date(value, order) == expected


@pytest.mark.parametrize("value", [True, "", "soon", "31/02/2026", "2025-13-01", 0, -5, 99999999, float("nan"),
                                   float("inf"), "March 2025", "=TODAY()", "1 2 3", "9" * 5000])
def test_unreadable_dates_raise_value_error(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_serials_round_trip():
    for day in (D(1900, 3, 1), D(2026, 11, 22), D(9999, 12, 31)):
        assert serial_to_date(date_to_serial(day)) == day


@pytest.mark.parametrize("value, expected", [
    (5, 5.0), (5.5, 5.5), ("7", 7.0), ("95,000", 95000.0), ("95k", 95000.0), ("1.000.000", 1000000.0),
    ("€ 95.000,00", 95000.0), ("95,000.50", 95000.5), ("1,5", 1.5), ("1.234,5", 1234.5), ("12 500", 12500.0),
    ("$1,000", 1000.0), ("-3", -3.0), ("1'000", 1000.0),
])
def test_numbers(value, expected):
    assert parse_number(value) == expected


@pytest.mark.parametrize("value", [True, False, "abc", "", "1,2,3", float("nan"), float("inf"), "1e999", 10 ** 400])
def test_not_numbers(value):
    with pytest.raises(ValueError):
        parse_number(value)


@pytest.mark.parametrize("value, expected", [(3, 3), (3.0, 3), ("3", 3), ("1,000", 1000)])
def test_integers(value, expected):
    assert parse_integer(value) == expected


@pytest.mark.parametrize("value", [1.5, "2.5", "two"])
def test_not_integers(value):
    with pytest.raises(ValueError):
        parse_integer(value)


@pytest.mark.parametrize("value, expected", [
    (True, True), (False, False), (None, False), ("", False), ("TRUE", True), ("false", False), ("yes", True),
    ("No", False), ("y", True), ("n", False), ("x", True), ("X", True), (1, True), (0, False), (1.0, True), ("✓", True),
    ("on", True), ("OFF", False),
])
def test_yes_no(value, expected):
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["maybe", 2, "-"])
def test_not_yes_no(value):
    with pytest.raises(ValueError):
        parse_bool(value)


@pytest.mark.parametrize("value, days", [
    ("2 weeks", 14), ("biweekly", 14), ("bi-weekly", 14), ("fortnightly", 14), ("every fortnight", 14),
    ("monthly", 30), ("quarterly", 90), ("6 months", 180), ("90 days", 90), ("90", 90), (90, 90), (45.0, 45),
    ("every 2 weeks", 14), ("1.5 months", 45), ("6mo", 180), ("yearly", 365), ("half a year", 182), ("2W", 14),
    ("10 years", 3650),
])
def test_durations(value, days):
    assert parse_duration(value) == days


@pytest.mark.parametrize("value", ["every now and then", "0 days", 0, -5, "50 years", 1e300, float("inf"), True,
                                   "99999999999999", "-2 weeks"])
def test_not_durations(value):
    with pytest.raises(ValueError):
        parse_duration(value)


@pytest.mark.parametrize("value, blank", [(None, True), ("", True), ("  \n", True), (float("nan"), True),
                                          (0, False), ("0", False), (False, False)])
def test_blank(value, blank):
    assert is_blank(value) is blank


CELLS = st.one_of(st.none(), st.text(), st.integers(), st.floats(), st.booleans(), st.dates(), st.datetimes(),
                  st.text(max_size=8).map(lambda s: "=" + s), st.decimals(), st.times())


@hsettings(max_examples=300, deadline=None)
@given(CELLS)
def test_parsers_raise_only_value_error(value):
    for parse in (parse_date, parse_number, parse_integer, parse_bool, parse_duration):
        try:
            out = parse(value)
        except ValueError:
            continue
        if parse is parse_number:
            assert math.isfinite(out)
        if parse is parse_duration:
            assert 1 <= out <= 3650
