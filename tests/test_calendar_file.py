"""The .ics file: checked with an independent, line-based RFC 5545 reader (not icalendar)."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm import calendar_file

from sheetcrm import schema
from sheetcrm.core import circleback
from sheetcrm.cli import cli

TODAY = dt.date(2026, 11, 22)


def parse_ics(data: bytes) -> list[dict]:
    """A minimal RFC 5545 reader: CRLF lines, ≤ 75 octets, unfolding, nested
    BEGIN/END, NAME;PARAMS:VALUE. Returns the VEVENTs as {NAME: (params, value)}."""
    assert data.endswith(b"\r\n"), "lines end with CRLF"
    raw_lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in raw_lines), "bare LF or CR"
    assert all(len(line) <= 75 for line in raw_lines), "content lines are folded at 75 octets"
    lines: list[str] = []
    for line in raw_lines:
        if line[:1] in (b" ", b"\t"):
            assert lines, "a continuation line cannot come first"
            lines[-1] += line[1:].decode("utf-8")
        else:
            lines.append(line.decode("utf-8"))
    stack: list[str] = []
    events: list[dict] = []
    calendar: dict = {}
    for line in lines:
        m = re.match(r"^([A-Za-z0-9-]+)((?:;[^:]*)?):(.*)$", line)
        assert m, f"not a content line: {line!r}"
        name, params, value = m.group(1).upper(), m.group(2), m.group(3)
        if name == "BEGIN":
            stack.append(value)
            if value == "VEVENT":
                events.append({})
            continue
        if name == "END":
            assert stack and stack.pop() == value, f"END:{value} without BEGIN"
            continue
        assert stack, f"{name} outside any component"
        target = events[-1] if stack[-1] == "VEVENT" else calendar
        target[name] = (params, value)
    assert not stack, "unclosed components"
    assert calendar["VERSION"][1] == "2.0" and calendar.get("PRODID")
    return events


def text_value(value: str) -> str:
    return value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def rows(*recs):
    base = {"candidate_id": "C-00001", "name": "Ada Lovelace", "rejection_category": "salary",
            "last_contact": dt.date(2026, 3, 1), "next_circle_back": dt.date(2026, 11, 1), "circle_back_status": "due",
            "suggested_positions": ["P-11", "P-12"], "contact_every_days": 14,
            "rejection_position": "P-3", "talking_point": "salary gap last time (P-3): P-11 pays up to 90,000 EUR"}
    return pd.DataFrame([{**base, **r} for r in recs])


def test_events_parse_with_an_independent_reader():
    data = calendar_file.circle_back_calendar(rows(
        {},
        {"candidate_id": "C-00002", "name": "Bo; Comma, Person", "next_circle_back": dt.date(2026, 12, 5),
         "circle_back_status": "scheduled", "talking_point": "x" * 200},
    ), TODAY)
    events = parse_ics(data)
    assert len(events) == 2
    first, second = events
    for ev in events:
        assert {"UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY"} <= set(ev)
        assert ev["DTSTART"][0] == ";VALUE=DATE"
    # Due (and overdue) calls land today; scheduled ones on their day.
    assert first["DTSTART"][1] == "20261122" and first["DTEND"][1] == "20261123"
    assert second["DTSTART"][1] == "20261205"
    assert text_value(second["SUMMARY"][1]) == "Circle back: Bo; Comma, Person (C-00002)"
    description = text_value(first["DESCRIPTION"][1])
    assert "P-11 pays up to 90,000 EUR" in description and "positions: P-11, P-12" in description
    assert "their pace: every 2 weeks" in description
    assert first["UID"][1] != second["UID"][1]


def test_uid_is_stable_so_a_reimport_updates_instead_of_duplicating():
    a = parse_ics(calendar_file.circle_back_calendar(rows({}), TODAY))
    b = parse_ics(calendar_file.circle_back_calendar(rows({}), TODAY + dt.timedelta(days=3)))
    assert a[0]["UID"] == b[0]["UID"]


@pytest.mark.parametrize("status", ["never", "review", ""])
def test_people_not_to_call_never_reach_the_calendar(status):
    data = calendar_file.circle_back_calendar(rows({"circle_back_status": status}), TODAY)
    assert parse_ics(data) == [] and b"C-00001" not in data


def test_no_email_or_phone_in_the_file():
    data = calendar_file.circle_back_calendar(rows({"email": "ada@example.com", "phone": "+44 7700 900123"}), TODAY)
    assert b"example.com" not in data and b"7700" not in data


def test_cli_writes_the_file(tmp_path, demo_xlsx):
    path = demo_xlsx(120)
    ics = tmp_path / "calls.ics"
    result = CliRunner().invoke(cli, ["--workbook", str(path), "report", "circle-backs", "--today", "2026-11-22",
                                      "--within", "60", "--ics", str(ics), "--format", "json"])
    assert result.exit_code == 0, result.output
    events = parse_ics(ics.read_bytes())
    assert f"wrote {len(events)} events" in result.stderr
    import json
    listed = json.loads(result.stdout)
    assert len(events) == len(listed)
    assert {e["UID"][1].split("-20")[0] for e in events} == {r["candidate_id"] for r in listed}


def test_unwritable_path_is_one_clear_line(tmp_path):
    from sheetcrm.errors import SheetCRMError

    with pytest.raises(SheetCRMError, match="could not be written"):
        calendar_file.write_calendar(tmp_path / "missing-dir" / "x.ics", rows({}), TODAY)


def test_callable_statuses_are_the_contract():
    assert schema.CALLABLE == ("due", "overdue", "scheduled")
