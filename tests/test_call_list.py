"""Whose calls and on which working day (core/call_list.py, issue 17): owners, the
--owner filter, one calendar per owner, and a pile of waiting calls laid over days."""
from __future__ import annotations

import datetime as dt
import email
import json

import icalendar
import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm import api, schema
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.core import call_list

from conftest import TODAY, make_memory

D = dt.date
MONDAY = D(2026, 11, 23)  # TODAY (2026-11-22) is a Sunday


def rows(*people):
    """(id, owner, status, next, pace days) -> listed rows."""
    return pd.DataFrame([{"candidate_id": c, "owner": o, "circle_back_status": s, "next_circle_back": n,
                          "contact_every_days": p} for c, o, s, n, p in people]).set_index("candidate_id", drop=False)


@pytest.mark.parametrize("value,key,label", [
    ("AB", "ab", "AB"), ("  ab ", "ab", "ab"), ("Jo  Smith", "jo smith", "Jo Smith"), (None, "", "team"),
    ("", "", "team"), ("   ", "", "team"), (float("nan"), "", "team"),
])
def test_owner_key_and_label(value, key, label):
    assert call_list.owner_key(value) == key and call_list.owner_label(value) == label


def test_for_owner_ignores_case_and_team_means_nobody_s():
    r = rows(("C-1", "AB", "due", TODAY, 90), ("C-2", "ab ", "due", TODAY, 90), ("C-3", None, "due", TODAY, 90),
             ("C-4", "JS", "due", TODAY, 90))
    assert call_list.for_owner(r, "Ab")["candidate_id"].tolist() == ["C-1", "C-2"]
    assert call_list.for_owner(r, "team")["candidate_id"].tolist() == ["C-3"]
    assert call_list.for_owner(r, "nobody")["candidate_id"].tolist() == []
    assert len(call_list.for_owner(r, None)) == 4


def test_by_owner_groups_alphabetically_team_last_order_kept_inside():
    r = rows(("C-1", None, "overdue", TODAY, 90), ("C-2", "JS", "overdue", TODAY, 90), ("C-3", "ab", "due", TODAY, 90),
             ("C-4", "JS", "due", TODAY, 90), ("C-5", "AB", "scheduled", TODAY, 90))
    assert call_list.by_owner(r)["candidate_id"].tolist() == ["C-3", "C-5", "C-2", "C-4", "C-1"]


# (id, people, per_day, expected call days in row order); today is a Sunday
CALL_DAY_SCENARIOS = [
    ("a due call on a Sunday goes to Monday", [("C-1", "AB", "due", D(2026, 11, 20), 90)], 10, [MONDAY]),
    ("a scheduled call keeps its day", [("C-1", "AB", "scheduled", D(2026, 11, 25), 90)], 10, [D(2026, 11, 25)]),
    ("a scheduled call on a Saturday moves to Monday", [("C-1", "AB", "scheduled", D(2026, 11, 28), 90)], 10,
     [D(2026, 11, 30)]),
    ("three waiting, two a day: the third goes to Tuesday",
     [("C-1", "AB", "overdue", D(2026, 9, 1), 90), ("C-2", "AB", "due", D(2026, 11, 1), 90),
      ("C-3", "AB", "due", D(2026, 11, 10), 90)], 2, [MONDAY, MONDAY, D(2026, 11, 24)]),
    ("each owner has their own day's capacity",
     [("C-1", "AB", "due", D(2026, 11, 1), 90), ("C-2", "JS", "due", D(2026, 11, 1), 90)], 1, [MONDAY, MONDAY]),
    ("their own pace first: biweekly before yearly",
     [("C-1", "AB", "overdue", D(2026, 9, 1), 365), ("C-2", "AB", "due", D(2026, 11, 1), 14)], 1,
     [D(2026, 11, 24), MONDAY]),
    ("a full Friday spills over the weekend",
     [(f"C-{i}", "AB", "due", D(2026, 11, 1), 90) for i in range(6)], 1,
     [MONDAY, D(2026, 11, 24), D(2026, 11, 25), D(2026, 11, 26), D(2026, 11, 27), D(2026, 11, 30)]),
    ("a call already waiting goes before one scheduled that day",
     [("C-1", "AB", "scheduled", MONDAY, 90), ("C-2", "AB", "due", D(2026, 11, 1), 90)], 1,
     [D(2026, 11, 24), MONDAY]),
]


@pytest.mark.parametrize("name,people,per_day,expected", CALL_DAY_SCENARIOS, ids=[s[0] for s in CALL_DAY_SCENARIOS])
def test_call_days(name, people, per_day, expected):
    days = call_list.call_days(rows(*people), TODAY, per_day)
    assert days == expected
    assert all(d.weekday() < 5 and d >= TODAY for d in days)


def test_46_overdue_people_are_not_all_on_one_day():
    r = rows(*[(f"C-{i:02d}", "AB", "overdue", D(2026, 8, 1) + dt.timedelta(days=i), 90) for i in range(46)])
    days = call_list.call_days(r, TODAY, 10)
    counts = pd.Series(days).value_counts()
    assert counts.max() == 10 and len(counts) == 5


# -- the report, the tab and the calendars through a workbook ------------------------------------

ROLE = {"position_id": "P1", "title": "Backend", "status": "open", "skills": "python", "location": "Remote"}


def _person(i, owner):
    return {"candidate_id": f"C-{i:05d}", "name": f"Person{i} Test", "email": f"p{i}@example.com",
            "phone": f"+44 7700 900{i:03d}", "skills": "python", "location": "Remote", "owner": owner}


@pytest.fixture
def team_book():
    people = [_person(1, "AB"), _person(2, "JS"), _person(3, None), _person(4, "ab"), _person(5, "JS")]
    people[4]["do_not_contact"] = "yes"
    return make_memory(Settings(), candidates=people, positions=[ROLE])


def test_report_filters_by_owner_and_json_has_the_contract_keys(team_book):
    report = api.circle_back_report(Settings(), TODAY, owner="AB", backend=team_book)
    assert report.rows["candidate_id"].tolist() == ["C-00001", "C-00004"]
    rec = report.frame("json").iloc[0].to_dict()
    assert {"owner", "talking_point", "last_touchpoint", "next_circle_back", "suggested_positions"} <= set(rec)
    assert rec["talking_point"] == "keep in touch; P1 may fit"
    team = api.circle_back_report(Settings(), TODAY, owner="team", backend=team_book)
    assert team.rows["candidate_id"].tolist() == ["C-00003"]


def test_circle_backs_tab_groups_by_owner_with_email_phone(team_book):
    api.sync_workbook(Settings(), TODAY, backend=team_book)
    tab = team_book.tabs["Circle-backs"]
    col = {h: i for i, h in enumerate(tab[0])}
    assert [(r[col["owner"]], r[col["candidate_id"]]) for r in tab[1:]] == \
        [("AB", "C-00001"), ("ab", "C-00004"), ("JS", "C-00002"), ("team", "C-00003")]
    assert tab[1][col["email"]] == "p1@example.com" and tab[1][col["phone"]] == "+44 7700 900001"


def test_ics_dir_writes_one_calendar_per_owner_and_never_the_do_not_contact_person(team_book, tmp_path):
    report = api.circle_back_report(Settings(), TODAY, ics_dir=str(tmp_path / "cal"), backend=team_book)
    files = {p.split("/")[-1]: n for p, n in report.calendar_files.items()}
    assert files == {"AB.ics": 2, "JS.ics": 1, "team.ics": 1}
    text = (tmp_path / "cal" / "JS.ics").read_text(encoding="utf-8")
    assert "C-00002" in text and "C-00005" not in text and "example.com" not in text
    cal = icalendar.Calendar.from_ical((tmp_path / "cal" / "AB.ics").read_bytes())
    starts = [e.get("dtstart").dt for e in cal.walk("VEVENT")]
    assert starts == [MONDAY, MONDAY]


def test_cli_owner_and_ics_dir(team_book, tmp_path, monkeypatch):
    import sheetcrm.workbook.backends as backends

    monkeypatch.setattr(backends, "open_backend", lambda settings: team_book)
    result = CliRunner().invoke(cli, ["report", "circle-backs", "--owner", "js", "--format", "json",
                                      "--today", TODAY.isoformat(), "--ics-dir", str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [r["candidate_id"] for r in listed] == ["C-00002"] and listed[0]["owner"] == "JS"
    assert "wrote 1 events to" in result.stderr


def test_table_shows_the_talking_point_whole(team_book, monkeypatch):
    import sheetcrm.workbook.backends as backends

    monkeypatch.setattr(backends, "open_backend", lambda settings: team_book)
    result = CliRunner().invoke(cli, ["report", "circle-backs", "--today", TODAY.isoformat()])
    assert result.exit_code == 0 and "keep in touch; P1 may fit" in result.stdout
