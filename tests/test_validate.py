"""Validation (issue 3): every problem at its exact cell, valid rows kept, nothing crashes."""
from __future__ import annotations

import copy
import datetime as dt
import decimal
import json
import math
import re

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from sheetcrm.rules import load_rules
from sheetcrm import privacy, schema

from sheetcrm.workbook import sync

from sheetcrm.core import contacts, validate
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.workbook.layout import workbook_layout
from tests.conftest import TODAY, make_frames, make_memory, rows_for
from sheetcrm.core import intake_guard
from sheetcrm.core import analysis as analysis_mod

NAMES = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth",
         "Frances Allen", "Ken Thompson", "Radia Perlman", "Tony Hoare"]


def candidate(i: int, **changes) -> dict:
    rec = {"candidate_id": f"C-{i:05d}", "name": NAMES[(i - 1) % len(NAMES)], "email": f"person{i}@example.com",
           "phone": f"+44 7700 900{i:03d}", "location": "London, UK", "skills": "python, sql", "years_experience": 5,
           "seeker_type": "passive", "salary_expectation": 60000, "available_from": None, "contact_every": "monthly",
           "last_contacted": dt.date(2026, 10, 1), "do_not_contact": None, "notes": None}
    rec.update(changes)
    return rec


def position(i: int, **changes) -> dict:
    rec = {"position_id": f"P-{i:03d}", "title": "Backend Engineer", "client": "Northwind", "skills": "python",
           "location": "London, UK", "salary_max": 90000, "status": "open", "opened_on": dt.date(2026, 8, 1)}
    rec.update(changes)
    return rec


def pipe_row(cid: str = "C-00001", pid: str = "P-001", **changes) -> dict:
    rec = {"candidate_id": cid, "position_id": pid, "first_contacted": dt.date(2026, 9, 1), "attempts": 2,
           "responded_on_attempt": 1, "interest": "interested", "outcome": "rejected",
           "rejection_reason": "salary too high", "decided_on": dt.date(2026, 9, 20)}
    rec.update(changes)
    return rec


def touch_row(cid: str = "C-00001", **changes) -> dict:
    rec = {"date": dt.date(2026, 10, 5), "candidate_id": cid, "position_id": "P-001", "by": "AB", "channel": "call",
           "outcome": "reached", "follow_up_on": None, "note": "talked about the new role"}
    rec.update(changes)
    return rec


def workbook(bad_tab: str | None = None, bad: dict | None = None) -> dict[str, list[dict]]:
    """Three valid rows per tab; the bad record, if any, goes in at sheet row 3."""
    recs = {
        schema.CANDIDATES: [candidate(1), candidate(2), candidate(3)],
        schema.POSITIONS: [position(1), position(2), position(3)],
        schema.PIPELINE: [pipe_row("C-00001", "P-001"), pipe_row("C-00002", "P-002"), pipe_row("C-00003", "P-001")],
        schema.TOUCHPOINTS: [touch_row("C-00001"), touch_row("C-00002"), touch_row("C-00003")],
    }
    if bad_tab:
        recs[bad_tab].insert(1, bad)
    return recs


def run(settings: Settings, recs: dict[str, list[dict]]):
    frames = make_frames(settings, recs[schema.CANDIDATES], recs[schema.POSITIONS], recs[schema.PIPELINE],
                         recs[schema.TOUCHPOINTS])
    return validate.validate(frames, settings, TODAY)


C, PO, PI, TP = schema.CANDIDATES, schema.POSITIONS, schema.PIPELINE, schema.TOUCHPOINTS
E, W = "error", "warning"

# (tab, the bad record at row 3, column, severity)
BAD_INPUT = {
    "name missing": (C, candidate(9, name=None), "name", E),
    "name only spaces": (C, candidate(9, name="   "), "name", E),
    "email without @": (C, candidate(9, email="no-at-sign.example.com"), "email", E),
    "email without domain dot": (C, candidate(9, email="ada@localhost"), "email", E),
    "email with two @": (C, candidate(9, email="ada@@example.com"), "email", E),
    "email with a space": (C, candidate(9, email="ada love@example.com"), "email", E),
    "no email and no phone": (C, candidate(9, email=None, phone=None), "email", E),
    "phone is words": (C, candidate(9, phone="call after 6pm"), "phone", W),
    "phone too short": (C, candidate(9, phone="+44 12"), "phone", W),
    "years above 60": (C, candidate(9, years_experience=75), "years_experience", E),
    "years negative": (C, candidate(9, years_experience=-1), "years_experience", E),
    "years as words": (C, candidate(9, years_experience="five"), "years_experience", E),
    "years as TRUE": (C, candidate(9, years_experience=True), "years_experience", E),
    "seeker_type typo": (C, candidate(9, seeker_type="pasive"), "seeker_type", E),
    "seeker_type unknown": (C, candidate(9, seeker_type="looking"), "seeker_type", E),
    "salary as words": (C, candidate(9, salary_expectation="lots"), "salary_expectation", E),
    "salary negative": (C, candidate(9, salary_expectation=-5), "salary_expectation", E),
    "date that does not exist": (C, candidate(9, available_from="31/02/2026"), "available_from", E),
    "date as formula text": (C, candidate(9, available_from="=TODAY()"), "available_from", E),
    "date years ahead": (C, candidate(9, available_from=dt.date(2031, 1, 1)), "available_from", E),
    "date before 1900": (C, candidate(9, available_from="1850-01-01"), "available_from", E),
    "serial number too big": (C, candidate(9, last_contacted=99999999), "last_contacted", E),
    "pace unreadable": (C, candidate(9, contact_every="every now and then"), "contact_every", E),
    "pace zero": (C, candidate(9, contact_every="0 days"), "contact_every", E),
    "pace 50 years": (C, candidate(9, contact_every="50 years"), "contact_every", E),
    "last contact after today": (C, candidate(9, last_contacted=dt.date(2026, 12, 20)), "last_contacted", W),
    "last contact as words": (C, candidate(9, last_contacted="yesterday"), "last_contacted", E),
    "do_not_contact maybe": (C, candidate(9, do_not_contact="maybe"), "do_not_contact", E),
    "do_not_contact 2": (C, candidate(9, do_not_contact=2), "do_not_contact", E),
    "candidate_id used twice": (C, candidate(9, candidate_id="C-00001"), "candidate_id", E),
    "same email as row 2": (C, candidate(9, email="person1@example.com"), "email", W),
    "same email other case": (C, candidate(9, email=" Person1@Example.COM"), "email", W),
    "same phone national form": (C, candidate(9, phone="07700 900001"), "phone", W),
    "near-identical name": (C, candidate(9, name="Ada Lovelance"), "name", W),
    "same name other order": (C, candidate(9, name="lovelace, ADA"), "name", W),
    "position_id missing": (PO, position(9, position_id=None), "position_id", E),
    "position_id used twice": (PO, position(9, position_id="P-001"), "position_id", E),
    "title missing": (PO, position(9, title=None), "title", E),
    "status typo": (PO, position(9, status="opne"), "status", E),
    "status missing": (PO, position(9, status=None), "status", E),
    "salary_max as words": (PO, position(9, salary_max="n/a"), "salary_max", E),
    "opened_on unreadable": (PO, position(9, opened_on="soon"), "opened_on", E),
    "pipeline candidate_id missing": (PI, pipe_row(None), "candidate_id", E),
    "unknown candidate": (PI, pipe_row("C-99999"), "candidate_id", E),
    "candidate id in lower case": (PI, pipe_row("c-00001"), "candidate_id", E),
    "unknown position": (PI, pipe_row(pid="P-999"), "position_id", E),
    "pipeline position_id missing": (PI, pipe_row(pid=None), "position_id", E),
    "attempts negative": (PI, pipe_row(attempts=-1), "attempts", E),
    "attempts fractional": (PI, pipe_row(attempts=1.5), "attempts", E),
    "responded after the last attempt": (PI, pipe_row(attempts=2, responded_on_attempt=3), "responded_on_attempt", E),
    "responded on attempt 0": (PI, pipe_row(responded_on_attempt=0), "responded_on_attempt", E),
    "interest typo": (PI, pipe_row(interest="intrested"), "interest", E),
    "outcome unknown": (PI, pipe_row(outcome="won"), "outcome", E),
    "rejected without a reason": (PI, pipe_row(outcome="rejected", rejection_reason=None), "rejection_reason", E),
    "declined without a reason": (PI, pipe_row(outcome="declined", rejection_reason="  "), "rejection_reason", E),
    "hired without decided_on": (PI, pipe_row(outcome="hired", rejection_reason=None, decided_on=None), "decided_on", E),
    "ghosted without decided_on": (PI, pipe_row(outcome="ghosted", decided_on=None), "decided_on", E),
    "decided before first contact": (PI, pipe_row(decided_on=dt.date(2026, 8, 1)), "decided_on", E),
    "first contact years ahead": (PI, pipe_row(first_contacted="2030-01-01", outcome=None, decided_on=None),
                                  "first_contacted", E),
    "first contact after today": (PI, pipe_row(first_contacted=dt.date(2026, 12, 1), outcome="open",
                                               rejection_reason=None, decided_on=None), "first_contacted", W),
    "responded but attempts blank": (PI, pipe_row(attempts=None, responded_on_attempt=3), "attempts", W),
    "decided_on as formula text": (PI, pipe_row(decided_on="=B2+30"), "decided_on", E),
    "touchpoint date missing": (TP, touch_row(date=None), "date", E),
    "touchpoint date as words": (TP, touch_row(date="last Tuesday"), "date", E),
    "touchpoint after today": (TP, touch_row(date=dt.date(2026, 12, 1)), "date", W),
    "touchpoint for an unknown person": (TP, touch_row("C-99999"), "candidate_id", E),
    "touchpoint candidate_id missing": (TP, touch_row(None), "candidate_id", E),
    "touchpoint unknown position": (TP, touch_row(position_id="P-999"), "position_id", E),
    "touchpoint outcome typo": (TP, touch_row(outcome="reched"), "outcome", E),
    "touchpoint outcome missing": (TP, touch_row(outcome=None), "outcome", E),
    "touchpoint channel unknown": (TP, touch_row(channel="pigeon"), "channel", E),
    "call_back_later without follow_up_on": (TP, touch_row(outcome="call_back_later"), "follow_up_on", W),
    "follow_up_on before the touchpoint": (TP, touch_row(follow_up_on=dt.date(2026, 9, 1)), "follow_up_on", W),
    "follow_up_on unreadable": (TP, touch_row(follow_up_on="in spring"), "follow_up_on", E),
}


@pytest.mark.parametrize("tab, bad, column, severity", list(BAD_INPUT.values()), ids=list(BAD_INPUT))
def test_each_bad_input_is_reported_at_its_cell_and_the_rows_around_it_stay(settings, tab, bad, column, severity):
    clean, issues = run(settings, workbook(tab, bad))
    title = settings.tab_title(tab)
    at_row = issues[(issues["tab"] == title) & (issues["row"] == 3)]
    assert (column, severity) in set(zip(at_row["column"], at_row["severity"])), at_row.to_string()
    # Nothing is said about any other row: the valid rows around it are untouched.
    assert issues[~((issues["tab"] == title) & (issues["row"] == 3))].empty, issues.to_string()
    assert set(clean[tab].index) >= {2, 4, 5}
    assert (3 in clean[tab].index) == (severity == "warning")
    for other in schema.INPUT_TABS:
        if other != tab:
            assert list(clean[other].index) == [2, 3, 4]


def test_the_table_covers_at_least_forty_cases():
    assert len(BAD_INPUT) >= 40


@pytest.mark.parametrize("name, message, suggestion", [
    ("seeker_type typo", "did you mean 'passive'?", "passive"),
    ("status typo", "did you mean 'open'?", "open"),
    ("interest typo", "did you mean 'interested'?", "interested"),
    ("candidate_id used twice", "candidate_id C-00001 is also used on row 2", ""),
    ("position_id used twice", "position_id P-001 is also used on row 2", ""),
    ("candidate id in lower case", "candidate_id c-00001 is not in Candidates; did you mean C-00001?", "C-00001"),
    ("unknown position", "position_id P-999 is not in Positions", ""),
    ("same email as row 2", "possible duplicate of C-00001 (row 2): same email", ""),
    ("same phone national form", "possible duplicate of C-00001 (row 2): same phone", ""),
    ("near-identical name", "possible duplicate of C-00001 (row 2): similar name in the same location", ""),
    ("years above 60", "years_experience must be between 0 and 60", ""),
    ("date years ahead", "available_from 2031-01-01 is more than 366 days after today", ""),
    ("date as formula text", "holds formula text", ""),
    ("responded after the last attempt", "responded_on_attempt (3) is more than attempts (2)", ""),
    ("hired without decided_on", "decided_on is required when outcome is hired", ""),
])
def test_messages_say_what_is_wrong_in_the_recruiters_words(settings, name, message, suggestion):
    tab, bad, column, _ = BAD_INPUT[name]
    _, issues = run(settings, workbook(tab, bad))
    hit = issues[(issues["row"] == 3) & (issues["column"] == column)].iloc[0]
    assert message in hit["message"]
    assert hit["suggestion"] == suggestion


OPEN_ROW = {"outcome": None, "rejection_reason": None, "decided_on": None, "first_contacted": dt.date(2026, 9, 1)}


@pytest.mark.parametrize("status, row, last_contacted, changes, column, message", [
    ("filled", {}, dt.date(2026, 11, 1), {}, "outcome",
     "open row on position P-009, which is filled: set the outcome"),
    ("closed", {}, dt.date(2026, 11, 1), {}, "outcome", "open row on position P-009, which is closed"),
    ("on_hold", {}, dt.date(2026, 11, 1), {}, "outcome",
     "open row on position P-009, which is on_hold: it keeps the candidate out of the backpocket"),
    ("closed", {"first_contacted": None}, None, {}, "outcome", "which is closed"),  # no date: still a closed role
    ("open", {}, None, {}, "first_contacted",
     "no news on this open row for 82 days (stale after 60); position P-009 is open"),
    ("open", {"first_contacted": dt.date(2026, 9, 22)}, None, {}, "first_contacted", "for 61 days"),
    ("open", {"first_contacted": dt.date(2026, 9, 23)}, None, {"stale_after_days": 59}, "first_contacted",
     "for 60 days (stale after 59)"),
    ("open", {"first_contacted": dt.date(2026, 9, 23)}, None, {}, None, None),  # 60 days: not more than 60
    ("open", {}, dt.date(2026, 10, 1), {}, None, None),  # the person's last contact is news too
    ("open", {}, dt.date(2026, 9, 10), {}, "first_contacted", "for 73 days"),
    ("open", {}, None, {"stale_after_days": 90}, None, None),
    ("open", {"first_contacted": None}, None, {}, None, None),  # never contacted: nothing to be stale from
    ("filled", {"outcome": "hired", "decided_on": dt.date(2026, 9, 5)}, None, {}, None, None),
    ("closed", {"outcome": "rejected", "rejection_reason": "salary", "decided_on": dt.date(2026, 9, 5)}, None, {},
     None, None),
])
def test_open_rows_on_gone_roles_and_stale_open_rows_are_warnings(settings, status, row, last_contacted, changes,
                                                                   column, message):
    """DESIGN §6: open rows on filled/closed/on-hold roles and stale open rows get a
    warning naming the position's status; the row stays in the figures."""
    recs = workbook()
    recs[PO].append(position(9, status=status))
    recs[C].append(candidate(9, last_contacted=last_contacted))
    recs[PI].append(pipe_row("C-00009", "P-009", **{**OPEN_ROW, **row}))
    clean, issues = validate.validate(make_frames(settings.replace(**changes), recs[C], recs[PO], recs[PI]),
                                      settings.replace(**changes), TODAY)
    assert 5 in clean[PI].index
    got = issues[(issues["tab"] == settings.tab_title(PI)) & (issues["row"] == 5)]
    if message is None:
        assert got.empty, got.to_string()
        return
    [hit] = got.itertuples()
    assert (hit.column, hit.severity) == (column, "warning") and message in hit.message, hit.message


@pytest.mark.parametrize("touch, stale", [
    ({"date": dt.date(2026, 11, 1), "position_id": None}, False),  # a call with the person is news
    ({"date": dt.date(2026, 11, 1), "position_id": "P-009"}, False),  # about this role: news
    ({"date": dt.date(2026, 11, 1), "position_id": "P-001"}, True),  # about another role: not this row's news
    ({"date": dt.date(2026, 9, 2), "position_id": None}, True),  # old news
])
def test_a_touchpoint_is_news_for_a_stale_open_row(settings, touch, stale):
    """Issue 18 x 17: a call logged in Touchpoints counts as news for the stale-row warning."""
    recs = workbook()
    recs[PO].append(position(9, status="open"))
    recs[C].append(candidate(9, last_contacted=None))
    recs[PI].append(pipe_row("C-00009", "P-009", **OPEN_ROW))
    logged = [{"candidate_id": "C-00009", "outcome": "reached", **touch}]
    clean, issues = validate.validate(make_frames(settings, recs[C], recs[PO], recs[PI], logged), settings, TODAY)
    got = issues[(issues["tab"] == settings.tab_title(PI)) & (issues["row"] == 5)]
    assert (not got.empty) is stale and got["message"].str.contains("no news").all(), got.to_string()


def test_duplicate_people_are_never_merged_and_all_reasons_come_in_one_warning(settings):
    twin = candidate(9, name="Ada  Lovelace", email="PERSON1@example.com", phone="07700900001")
    clean, issues = run(settings, workbook(C, twin))
    [warning] = issues[issues["row"] == 3].itertuples()
    assert warning.column == "email" and warning.severity == "warning"
    assert "same email, same phone, similar name in the same location" in warning.message
    assert warning.value == ""  # the address is not repeated in the Issues tab
    assert len(clean[C]) == 4  # both people kept


@pytest.mark.parametrize("name", ["Ida Lovelace", "Ada Lovelock", "Ada Lovelace-Byron"])
def test_names_that_differ_by_a_letter_or_a_word_are_different_people(settings, name):
    _, issues = run(settings, workbook(C, candidate(9, name=name)))  # row 2 is Ada Lovelace, same city
    assert issues.empty, issues.to_string()


def test_similar_names_in_different_places_are_different_people(settings):
    _, issues = run(settings, workbook(C, candidate(9, name="Ada Lovelace", location="Berlin, Germany")))
    assert issues.empty


def test_valid_cells_in_every_accepted_form_give_no_issue(settings):
    recs = workbook()
    recs[C] += [
        candidate(4, last_contacted="2026-10-01", available_from=46300, contact_every="2 weeks", do_not_contact="no"),
        candidate(5, last_contacted="01/10/2026", available_from="4 March 2026", contact_every="quarterly",
                  do_not_contact=False, years_experience="7", salary_expectation="€95,000"),
        candidate(6, last_contacted=dt.datetime(2026, 10, 1, 9, 30), contact_every=90, do_not_contact="x",
                  phone="+1 415 555 0100", email="ana.lópez@example.com"),
    ]
    clean, issues = run(settings, recs)
    assert issues.empty, issues.to_string()
    cands = clean[C]
    assert cands.loc[5, "available_from"] == pd.Timestamp("2026-10-05")  # serial 46300
    assert cands.loc[6, "last_contacted"] == pd.Timestamp("2026-10-01")  # day-first by default
    assert cands.loc[6, "available_from"] == pd.Timestamp("2026-03-04")
    assert list(cands["contact_every_days"]) == [30, 30, 30, 14, 90, 90]
    assert list(cands["do_not_contact"]) == [False, False, False, False, False, True]
    assert cands.loc[6, "salary_expectation"] == 95000.0 and cands.loc[6, "years_experience"] == 7.0
    assert cands.loc[2, "phone_e164"] == "+447700900001" and cands.loc[7, "phone_e164"] == "+14155550100"
    assert cands.loc[2, "email_norm"] == "person1@example.com"


def test_clean_frames_keep_the_documented_types(settings):
    clean, _ = run(settings, workbook())
    cands, pipe = clean[C], clean[PI]
    assert str(cands["last_contacted"].dtype) == "datetime64[ns]"
    assert str(cands["years_experience"].dtype) == "float64"
    assert str(pipe["attempts"].dtype) == "Int64" and str(pipe["responded_on_attempt"].dtype) == "Int64"
    assert cands["skills"].iloc[0] == ("python", "sql")
    assert cands["do_not_contact"].dtype == bool and cands["remote"].dtype == bool
    assert list(cands[["city", "country"]].iloc[0]) == ["london", "uk"]
    assert not cands["forgotten"].any()
    assert str(cands["contact_every_days"].dtype) == "Int64"


def test_blank_attempts_follow_first_contacted_and_responses(settings):
    recs = workbook()
    recs[PI] += [pipe_row("C-00001", "P-002", attempts=None, responded_on_attempt=None),
                 pipe_row("C-00002", "P-001", attempts=None, first_contacted=None, responded_on_attempt=None,
                          outcome="open", rejection_reason=None, decided_on=None),
                 pipe_row("C-00003", "P-002", attempts=None, responded_on_attempt=2)]
    clean, issues = run(settings, recs)
    assert list(clean[PI]["attempts"]) == [2, 2, 2, 1, 0, 2]
    assert list(clean[PI]["outcome"]) == ["rejected"] * 3 + ["rejected", "open", "rejected"]
    assert list(zip(issues["row"], issues["column"])) == [(7, "attempts")]


def test_blank_rows_and_merged_or_formula_rows_are_handled_without_a_crash(settings):
    frames = make_frames(settings, [candidate(1), candidate(2)], [position(1)], [pipe_row("C-00001", "P-001")])
    cands = frames[C]
    blank = pd.DataFrame([[None] * len(cands.columns), ["  "] * len(cands.columns)], columns=cands.columns, index=[5, 6])
    merged = pd.DataFrame([["C-00008", "Ada Lovelace"] + [None] * (len(cands.columns) - 2)], columns=cands.columns,
                          index=[8])  # a merged cell: only its first cell holds the value
    formulas = pd.DataFrame([["=A1"] * len(cands.columns)], columns=cands.columns, index=[9])
    frames[C] = pd.concat([cands, blank, merged, formulas])
    clean, issues = validate.validate(frames, settings, TODAY)
    assert set(issues["row"]) == {8, 9}  # the blank rows 5 and 6 are silently ignored
    assert list(clean[C].index) == [2, 3]
    assert issues.loc[issues["row"] == 8, "message"].tolist() == [
        "email or phone is required (a person sheetcrm can never reach is no use)"]
    assert "formula text" in " ".join(issues.loc[issues["row"] == 9, "message"])


def test_a_frame_with_missing_columns_or_odd_python_values_does_not_crash(settings):
    frames = make_frames(settings, [candidate(1)], [position(1)], [pipe_row("C-00001", "P-001")])
    frames[PI] = frames[PI].drop(columns=["interest", "decided_on"])
    frames[C]["notes"] = pd.Series([{"a": [1, 2]}], index=frames[C].index, dtype=object)
    frames[C]["skills"] = pd.Series([["python", "go"]], index=frames[C].index, dtype=object)
    frames[C]["years_experience"] = pd.Series([decimal.Decimal("4.5")], index=frames[C].index, dtype=object)
    frames[C]["last_contacted"] = pd.Series([dt.time(10, 30)], index=frames[C].index, dtype=object)
    clean, issues = validate.validate(frames, settings, TODAY)
    assert ("last_contacted", "error") in set(zip(issues["column"], issues["severity"]))
    assert ("decided_on", "error") in set(zip(issues["column"], issues["severity"]))  # rejected needs one


def test_issues_are_sorted_by_severity_tab_and_row_and_row_texts_are_short(settings):
    recs = workbook()
    recs[PI].append(pipe_row("C-99999", "P-999", interest="intrested"))
    recs[C].append(candidate(9, email="person1@example.com", years_experience=80))
    recs[C].append(candidate(10, phone="call me"))
    _, issues = run(settings, recs)
    keys = list(zip(issues["severity"].map({"error": 0, "warning": 1}), issues["tab"], issues["row"]))
    assert keys == sorted(keys)
    texts = validate.row_issue_texts(issues, settings, PI)
    assert texts[5].startswith("error: ") and texts[5].count("error:") == 3
    assert validate.error_rows(issues, settings, C) == {5}
    assert all(len(t) <= 300 for t in texts.values())


def test_forgotten_rows_need_no_email_or_phone_and_stay_hard_no(settings):
    forgotten = candidate(9, name=privacy.FORGOTTEN_NAME, email=None, phone=None, location=None, skills=None,
                          do_not_contact="yes")
    recs = workbook(C, forgotten)
    recs[C].append(candidate(10, name=privacy.FORGOTTEN_NAME, email=None, phone=None, location=None,
                             do_not_contact="yes"))
    clean, issues = run(settings, recs)
    assert issues.empty, issues.to_string()  # not "email or phone is required", not duplicates of each other
    assert list(clean[C].loc[[3, 6], "forgotten"]) == [True, True]
    analysis = analysis_mod.analyse(make_frames(settings, recs[C], recs[PO], recs[PI]), settings, TODAY,
                                    rules=load_rules(settings))
    assert analysis.candidate_class["C-00009"] == schema.HARD_NO
    assert 3 in analysis.clean[C].index


# -- the hard-no guard at intake ----------------------------------------------------------

def guard_frames(settings, *extra):
    recs = workbook()
    recs[C] += list(extra)
    return run(settings, recs)[0][C]


def test_a_hard_no_person_re_added_under_a_new_id_gets_an_error_naming_ids_not_the_address(settings):
    cands = guard_frames(settings, candidate(9, email="PERSON2@example.com", phone=None, name="A. Hopper"))
    classes = pd.Series({"C-00001": None, "C-00002": schema.HARD_NO, "C-00003": schema.SOFT_NO, "C-00009": None})
    issues = intake_guard.intake_guard(cands, classes, None, settings)
    assert list(zip(issues["tab"], issues["row"], issues["column"], issues["severity"])) == [
        ("Candidates", 5, "email", "error")]
    message = issues["message"].iloc[0]
    assert "same email as C-00002 (row 3), who is hard-no" in message
    assert "person2" not in message.lower() and issues["value"].iloc[0] == ""


def test_do_not_contact_by_phone_is_guarded_and_the_person_themself_is_not(settings):
    cands = guard_frames(settings, candidate(9, email="new@example.com", phone="07700 900003", name="Someone New"))
    cands.loc[4, "do_not_contact"] = True  # C-00003
    issues = intake_guard.intake_guard(cands, pd.Series(dtype=object), None, settings)
    assert list(zip(issues["row"], issues["column"])) == [(5, "phone")]
    assert "same phone as C-00003 (row 4), who asked not to be contacted" in issues["message"].iloc[0]
    assert "7700" not in issues["message"].iloc[0]


def test_a_person_on_the_suppressed_tab_is_guarded_by_hash(settings):
    s = settings.replace(suppression_salt="pepper")
    cands = guard_frames(s, candidate(9, email="gone@example.com", name="Someone New"))
    suppressed = pd.DataFrame({"hash": [privacy.person_hash("email", "gone@example.com", "pepper")],
                               "kind": ["email"], "suppressed_on": [TODAY]})
    issues = intake_guard.intake_guard(cands, pd.Series(dtype=object), suppressed, s)
    assert list(zip(issues["row"], issues["column"], issues["severity"])) == [(5, "email", "error")]
    assert "asked to be forgotten (Suppressed tab)" in issues["message"].iloc[0]
    assert intake_guard.intake_guard(cands, pd.Series(dtype=object), None, s).empty
    assert intake_guard.intake_guard(cands, pd.Series(dtype=object), suppressed.iloc[:0], s).empty


def test_sync_leaves_a_guarded_row_out_of_circle_backs_and_counts_it(settings):
    recs = workbook()
    recs[C][2]["do_not_contact"] = "yes"  # C-00003
    recs[C].append(candidate(9, email="person3@example.com", phone=None, name="Renamed Person"))
    recs[PI].append(pipe_row("C-00009", "P-002", decided_on=dt.date(2025, 1, 5), first_contacted=dt.date(2025, 1, 1)))
    analysis = analysis_mod.analyse(make_frames(settings, recs[C], recs[PO], recs[PI]), settings, TODAY,
                                    rules=load_rules(settings))
    guarded = analysis.issues[(analysis.issues["row"] == 5) & (analysis.issues["tab"] == "Candidates")]
    error = guarded[guarded["severity"] == "error"]
    assert len(error) == 1 and "C-00003 (row 4)" in error["message"].iloc[0]
    assert 5 not in analysis.clean[C].index
    assert "C-00009" not in set(analysis.circle.index)
    assert analysis.left_out[C] == 1
    assert analysis.owned[C].loc[5, "row_issues"].startswith("error: same email as C-00003")


# -- where results go -----------------------------------------------------------------------

def xlsx_with(tmp_path, settings, recs):
    path = tmp_path / "agency.xlsx"
    data = {k: rows_for(k, v) for k, v in recs.items()}
    XlsxBackend(path).create(workbook_layout(settings, data))
    return path


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_validate_command_exits_1_on_errors_in_every_format(tmp_path, settings, fmt):
    path = xlsx_with(tmp_path, settings, workbook(C, candidate(9, years_experience=75)))
    result = CliRunner().invoke(cli, ["--workbook", str(path), "validate", "--format", fmt, "--today", "2026-11-22"])
    assert result.exit_code == 1, result.output
    assert "years_experience" in result.output
    if fmt == "json":
        rows = json.loads(result.output)
        assert rows[0]["tab"] == "Candidates" and rows[0]["row"] == 3 and rows[0]["severity"] == "error"


def test_validate_command_exits_0_with_only_warnings(tmp_path, settings):
    path = xlsx_with(tmp_path, settings, workbook(C, candidate(9, phone="call after 6pm")))
    result = CliRunner().invoke(cli, ["--workbook", str(path), "validate", "--format", "json", "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert [r["severity"] for r in json.loads(result.output)] == ["warning"]


def test_sync_writes_the_issues_tab_and_row_issues_then_has_nothing_new_to_say(settings):
    backend = make_memory(settings, *workbook(PI, pipe_row(interest="intrested")).values())
    sync.sync(backend, settings, TODAY)
    issues_tab = backend.tabs["Issues"]
    assert issues_tab[0] == list(schema.ISSUE_COLUMNS)
    assert issues_tab[1][:5] == ["Pipeline", 3, "interest", "intrested", "error"]
    header = backend.tabs["Pipeline"][0]
    assert backend.tabs["Pipeline"][2][header.index("row_issues")].startswith("error: interest must be one of")
    assert not sync.sync(backend, settings, TODAY).changed


def test_workbooks_sheetcrm_creates_highlight_rows_with_issues(tmp_path, settings):
    import openpyxl

    path = xlsx_with(tmp_path, settings, workbook())
    wb = openpyxl.load_workbook(path)
    for key in schema.INPUT_TABS:
        ws = wb[settings.tab_title(key)]
        letter = openpyxl.utils.get_column_letter(schema.INPUT_TAB_SCHEMAS[key].names.index("row_issues") + 1)
        rules = [(str(rng.sqref), rule) for rng in ws.conditional_formatting for rule in rng.rules]
        hits = [(ref, r) for ref, r in rules if any(f"${letter}2" in f and "LEN" in f for f in r.formula)]
        assert hits, f"{ws.title}: no highlighting on row_issues ({rules})"
        ref, rule = hits[0]
        assert ref.startswith("A2:") and rule.dxf.fill is not None


# -- never crash, never lose data ---------------------------------------------------------

ODD_VALUES = st.one_of(
    st.none(), st.just(""), st.just("   "), st.text(max_size=30), st.text(max_size=8).map(lambda s: s * 700),
    st.integers(), st.integers(min_value=-10**30, max_value=10**30), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(), st.datetimes(), st.text(max_size=12).map(lambda s: "=" + s),
    st.sampled_from(["C-00001", "P-001", "rejected", "open", "yes", "x", "2 weeks", "31/02/2026", "+44 7700 900001",
                     "person1@example.com", "Remote", "London, UK", "1,5", "45000", privacy.FORGOTTEN_NAME]),
)
SHEET_VALUES = st.one_of(ODD_VALUES, st.times(), st.decimals(allow_nan=False, allow_infinity=False))


def records_strategy(key: str, template, values=ODD_VALUES):
    names = [c.name for c in schema.INPUT_TAB_SCHEMAS[key].input_columns]
    return st.lists(st.fixed_dictionaries({}, optional={n: values for n in names}).map(lambda d: template(d)),
                    max_size=4)


def _cand(d):
    return candidate(7, **d)


def _pos(d):
    return position(7, **d)


def _pipe(d):
    return pipe_row(**d)


def _touch(d):
    return touch_row(**d)


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cands=records_strategy(C, _cand, SHEET_VALUES), positions=records_strategy(PO, _pos, SHEET_VALUES),
       pipe=records_strategy(PI, _pipe, SHEET_VALUES), touch=records_strategy(TP, _touch, SHEET_VALUES))
def test_validate_never_raises_on_any_cell_contents(cands, positions, pipe, touch):
    settings = Settings()
    recs = workbook()
    frames = make_frames(settings, recs[C] + cands, recs[PO] + positions, recs[PI] + pipe, recs[TP] + touch)
    clean, issues = validate.validate(frames, settings, TODAY)
    assert list(issues.columns) == list(schema.ISSUE_COLUMNS)
    assert set(issues["severity"]) <= {"error", "warning"}
    for key in schema.INPUT_TABS:
        errors = validate.error_rows(issues, settings, key)
        assert not errors & set(clean[key].index)
        assert set(clean[key].index) | errors == set(frames[key].index)


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(cands=records_strategy(C, _cand), positions=records_strategy(PO, _pos), pipe=records_strategy(PI, _pipe),
       touch=records_strategy(TP, _touch))
def test_sync_never_raises_and_never_changes_a_cell_people_own(cands, positions, pipe, touch):
    settings = Settings()
    recs = workbook()
    backend = make_memory(settings, recs[C] + cands, recs[PO] + positions, recs[PI] + pipe, recs[TP] + touch)
    before = copy.deepcopy(backend.tabs)
    sync.sync(backend, settings, TODAY)
    for key in schema.INPUT_TABS:
        title = settings.tab_title(key)
        tab = schema.INPUT_TAB_SCHEMAS[key]
        owned = {tab.names.index(c.name) for c in tab.owned_columns}
        id_col = tab.names.index("candidate_id") if key == C else None
        old, new = before[title], backend.tabs[title]
        assert len(new) == len(old)
        for r, (old_row, new_row) in enumerate(zip(old, new)):
            for c, value in enumerate(old_row):
                if c in owned and r > 0:
                    continue
                after = new_row[c] if c < len(new_row) else None
                if c == id_col and r > 0 and analysis_mod.assign_ids(pd.DataFrame({"candidate_id": [value]})):
                    assert re.fullmatch(r"C-\d{5}", after)  # a blank id cell: sheetcrm fills it
                    continue
                assert _same(value, after), (title, r + 1, c + 1, value, after)


# -- fast paths agree with the libraries they stand in for ----------------------------------

# The plain-address rule as a regular expression (what check_email used per address before
# plain_addresses decided all addresses at once): the oracle the fast rule is held to.
_PLAIN_EMAIL = re.compile(
    r"[a-z0-9_+-]+(?:\.[a-z0-9_+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+([a-z]{2,24})", re.IGNORECASE | re.ASCII)


def _plain_by_regex(text):
    m = _PLAIN_EMAIL.fullmatch(text) if isinstance(text, str) else None
    return bool(m and len(text) <= 254 and text.index("@") <= 64 and "--" not in text[text.index("@"):]
                and m[1].lower() not in contacts._SPECIAL_USE)


_EMAILISH = st.one_of(
    st.from_regex(_PLAIN_EMAIL, fullmatch=True),
    st.text(alphabet="aZ09._+-@\n é", max_size=30),
    st.builds(lambda a, b, c: a + b + c, st.text(alphabet="ab9._+-@", max_size=70),
              st.sampled_from(["@", "@x.", "@-x.", "@x-.", "@x--y.", ".@", "@@", ""]),
              st.sampled_from(["com", "TEST", "local", "c", "c1", "x" * 24, "x" * 25, "onion.", ""])),
    st.builds(lambda a, n, m: a * n + "@" + "b" * m + ".com", st.sampled_from(["a", "a.", "é"]),
              st.integers(0, 130), st.integers(0, 130)),
    st.none(), st.just(float("nan")))


@hsettings(max_examples=500, deadline=None)
@given(st.lists(_EMAILISH, max_size=8))
def test_plain_addresses_are_exactly_what_the_plain_email_regex_accepts(texts):
    assert contacts.plain_addresses(texts).tolist() == [_plain_by_regex(t) for t in texts]


@hsettings(max_examples=100, deadline=None)
@given(st.lists(_EMAILISH, max_size=12))
def test_check_emails_equals_checking_each_address_the_old_way(texts):
    from sheetcrm.core.issues import IssueLog

    def old_check(text):
        if _plain_by_regex(text):
            return privacy.normalise_email(text)
        return contacts.check_email(text)
    cands = pd.DataFrame({"email": [t.strip() or None if isinstance(t, str) else None for t in texts]},
                         index=range(2, len(texts) + 2), dtype=object)
    log = IssueLog(Settings())
    contacts.check_emails(log, cands)
    parsed, errors = [], []
    for t in cands["email"]:
        try:
            parsed.append(None if t is None else old_check(t))
            errors.append(None)
        except ValueError as exc:
            parsed.append(None)
            errors.append(f"email is not a valid address: {exc}")
    assert cands["email_norm"].tolist() == parsed
    got = log.frame()
    assert sorted(zip(got["row"], got["message"])) == sorted((r, e) for r, e in zip(cands.index, errors) if e)


@hsettings(max_examples=100, deadline=None)
@given(st.from_regex(_PLAIN_EMAIL, fullmatch=True))
def test_the_plain_email_fast_path_only_accepts_what_email_validator_accepts(address):
    from email_validator import EmailNotValidError, validate_email

    try:
        fast = contacts.check_email(address)
    except ValueError:
        return
    try:
        info = validate_email(address, check_deliverability=False)
    except EmailNotValidError as exc:
        pytest.fail(f"fast path accepted {address!r}, email-validator says: {exc}")
    assert fast == privacy.normalise_email(info.normalized)


def test_near_duplicate_names_are_found_in_a_big_block(settings):
    n = 4000  # one location, one shared word: a block above the split limit
    recs = [candidate(i, name=f"Sam Person{i:05d}x", email=f"p{i}@example.com", phone=None) for i in range(1, n)]
    recs.append(candidate(n, name="Sam Person00007y", email="late@example.com", phone=None))
    frames = make_frames(settings, recs, [position(1)], [])
    _, issues = validate.validate(frames, settings, TODAY)
    dup = issues[issues["message"].str.contains("possible duplicate")]
    assert (n + 1, "name") in set(zip(dup["row"], dup["column"]))
    assert "possible duplicate of C-00007 (row 8)" in dup.loc[dup["row"] == n + 1, "message"].iloc[0]


# -- merging issues frames equals rebuilding them row by row (speed without a changed Issues tab) --
_ISSUE_ROW = st.tuples(st.sampled_from(["Candidates", "Pipeline", "Positions", "Touchpoints"]), st.integers(2, 40),
                       st.sampled_from(["email", "phone", "candidate_id", "rejection_reason", ""]),
                       st.sampled_from(["", "x", "é名", "C-00042"]), st.sampled_from(["error", "warning"]),
                       st.sampled_from(["email is not a valid address", "duplicate", "needs a person"]),
                       st.sampled_from(["", "passive", None]))


@hsettings(max_examples=200, deadline=None)
@given(a=st.lists(_ISSUE_ROW, max_size=15), b=st.lists(_ISSUE_ROW, max_size=15))
def test_merging_issues_equals_rebuilding_them(a, b):
    from sheetcrm.core.issues import issue_tuples, issues_frame, merge_issues
    left, right = issues_frame(a), issues_frame(b)
    plain = issues_frame([tuple(r) for r in pd.concat([left, right]).itertuples(index=False)]) if len(right) else left
    got = merge_issues(left, right)
    pd.testing.assert_frame_equal(got, plain, check_exact=True)
    assert issue_tuples(got) == [tuple(r) for r in plain.itertuples(index=False)] or got.isna().any().any()


@hsettings(max_examples=100, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["Candidates", "Pipeline", "Positions"]), st.integers(2, 12),
                               st.sampled_from(["error", "warning"])), max_size=20),
       present=st.lists(st.integers(2, 12), unique=True, max_size=10))
def test_dropping_error_rows_equals_leaving_out_what_error_rows_names(rows, present):
    settings = Settings()
    issues = validate.issues_frame([(tab, row, "email", "", sev, "m", "") for tab, row, sev in rows])
    typed = {key: pd.DataFrame({"x": [str(r) for r in present]}, index=pd.Index(present, dtype="int64"))
             for key in (schema.CANDIDATES, schema.PIPELINE, schema.POSITIONS, schema.TOUCHPOINTS)}
    clean = validate._drop_error_rows(typed, issues, settings)
    for key, frame in typed.items():
        bad = validate.error_rows(issues, settings, key)
        keep = pd.Series([r not in bad for r in frame.index], index=frame.index, dtype=bool)
        pd.testing.assert_frame_equal(clean[key], frame[keep])
