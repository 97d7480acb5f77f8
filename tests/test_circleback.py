"""Circle-backs (DESIGN §6): dates, statuses, matching, the tab, the commands, and
the promise that a hard-no / do-not-contact / forgotten person is never called.

The classifier is simulated here (each Pipeline row says its category), so these
tests pin the circle-back rules whatever the reason rules say.
"""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from sheetcrm.rules import load_rules
from sheetcrm import calendar_file, privacy, schema

from sheetcrm.core import circleback, reasons, validate

from sheetcrm.workbook import sync
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.workbook.layout import CIRCLE_BACK_HEADER

from conftest import TODAY, make_frames, make_memory
from sheetcrm.core import matching
from sheetcrm.core import analysis as analysis_mod

D = dt.date
ID = CIRCLE_BACK_HEADER.index("candidate_id")
POSITIONS = [
    {"position_id": "P-1", "title": "Backend", "skills": "python, aws", "location": "Berlin, Germany",
     "salary_max": 90000, "status": "filled"},
    {"position_id": "P-2", "title": "Platform", "skills": "go, aws", "location": "Remote", "status": "closed"},
    {"position_id": "P-3", "title": "Data", "skills": "python, sql", "location": "London, UK", "status": "filled"},
    {"position_id": "P-4", "title": "Paused", "skills": "cobol", "location": "Remote", "status": "on_hold"},
]


def cand(**kw):
    base = {"candidate_id": "C-00001", "name": "Ada Lovelace", "email": "ada@example.com"}
    return {**base, **kw}


def row(cat, decided=None, pos="P-1", outcome=None, first=None):
    """A Pipeline row; ``cat`` is the category the classifier would give (None: open/hired)."""
    if outcome is None:
        outcome = "ghosted" if cat == "ghosted" else ("open" if cat is None else "rejected")
    out = {"candidate_id": "C-00001", "position_id": pos, "outcome": outcome, "decided_on": decided,
           "first_contacted": first, "_cat": cat}
    if outcome in ("rejected", "declined"):
        out["rejection_reason"] = f"reason {cat}"
    return out


def classified(clean_pipe: pd.DataFrame, cats: list) -> pd.DataFrame:
    """The pipeline as reasons.classify_pipeline would return it, with our categories."""
    pipe = clean_pipe.copy()
    pipe["rejection_category"] = pd.Series(cats, index=pipe.index, dtype=object)
    pipe["rejection_class"] = pipe["rejection_category"].map(lambda c: schema.CATEGORY_CLASS.get(c) if c else None)
    pipe["rejection_rule"] = None
    return pipe


def circle_for(settings, today, candidates, positions, pipeline):
    cats = [r.pop("_cat", None) for r in pipeline]
    frames = make_frames(settings, candidates=candidates, positions=positions, pipeline=pipeline)
    clean, issues = validate.validate(frames, settings, today)
    assert len(clean[schema.PIPELINE]) == len(pipeline), issues.to_string()
    pipe = classified(clean[schema.PIPELINE], cats)
    cc = reasons.candidate_classes(pipe, clean[schema.CANDIDATES])
    return circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS], cc, settings, today), clean, pipe


# (id, candidate fields, pipeline rows, settings changes, expected next_circle_back, status, category)
SCENARIOS = [
    ("salary cool-off 180 d lands today", {}, [row("salary", D(2026, 5, 26))], {}, D(2026, 11, 22), "due", "salary"),
    ("availability 90 d", {}, [row("availability", D(2026, 8, 1))], {}, D(2026, 10, 30), "due", "availability"),
    ("location 180 d, past grace", {}, [row("location", D(2026, 3, 1))], {}, D(2026, 8, 28), "overdue", "location"),
    ("experience 365 d", {}, [row("experience", D(2026, 1, 10))], {}, D(2027, 1, 10), "scheduled", "experience"),
    ("skills 365 d", {}, [row("skills", D(2025, 11, 22))], {}, D(2026, 11, 22), "due", "skills"),
    ("declined_role 180 d", {}, [row("declined_role", D(2026, 6, 1), outcome="declined")], {}, D(2026, 11, 28),
     "scheduled", "declined_role"),
    ("sponsor_rejected 90 d", {}, [row("sponsor_rejected", D(2026, 8, 24))], {}, D(2026, 11, 22), "due",
     "sponsor_rejected"),
    ("ghosted 180 d", {}, [row("ghosted", D(2026, 4, 1))], {}, D(2026, 9, 28), "overdue", "ghosted"),
    ("pace longer than cool-off wins", {"last_contacted": D(2026, 10, 1), "contact_every": "6 months"},
     [row("sponsor_rejected", D(2026, 8, 1))], {}, D(2027, 3, 30), "scheduled", "sponsor_rejected"),
    ("their own pace replaces the cool-off", {"last_contacted": D(2026, 11, 1), "contact_every": "2 weeks"},
     [row("salary", D(2026, 6, 1))], {}, D(2026, 11, 15), "due", "salary"),
    ("own pace after the decision when no contact since", {"contact_every": "biweekly"},
     [row("salary", D(2026, 11, 1))], {}, D(2026, 11, 15), "due", "salary"),
    ("monthly pace after a recent call", {"last_contacted": D(2026, 9, 15), "contact_every": "monthly"},
     [row("ghosted", D(2026, 3, 1), first=D(2025, 12, 1))], {}, D(2026, 10, 15), "overdue", "ghosted"),
    ("Pipeline first_contacted is a last contact", {},
     [row("sponsor_rejected", D(2026, 8, 15), first=D(2026, 8, 1))], {"cool_off_days": {"sponsor_rejected": 30}},
     D(2026, 10, 30), "due", "sponsor_rejected"),
    ("blank pace = config default 90 d", {"last_contacted": D(2026, 10, 1)}, [row("salary", D(2026, 1, 1))], {},
     D(2026, 12, 30), "scheduled", "salary"),
    ("available_from later than cool-off", {"available_from": D(2027, 2, 1)}, [row("availability", D(2026, 8, 1))],
     {}, D(2027, 2, 1), "scheduled", "availability"),
    ("available_from earlier than cool-off", {"available_from": D(2026, 9, 1)}, [row("availability", D(2026, 8, 1))],
     {}, D(2026, 10, 30), "due", "availability"),
    ("available_from ignored for salary", {"available_from": D(2027, 3, 1)}, [row("salary", D(2026, 5, 1))], {},
     D(2026, 10, 28), "due", "salary"),
    ("open row after a soft-no", {}, [row("salary", D(2026, 1, 1)), row(None, pos="P-4")], {}, None, "", "salary"),
    ("open row on a closed position does not hold back", {}, [row("salary", D(2026, 1, 1)), row(None, pos="P-2")],
     {}, D(2026, 6, 30), "overdue", "salary"),
    ("hired after a soft-no", {}, [row("salary", D(2026, 1, 1)), row(None, D(2026, 6, 1), "P-2", "hired")], {},
     None, "", None),
    ("hired once, soft-no later: still not circled back", {},
     [row(None, D(2024, 6, 1), "P-2", "hired"), row("salary", D(2026, 1, 1))], {}, None, "", "salary"),
    ("latest decision unclassified", {}, [row("salary", D(2025, 6, 1)), row("unclassified", D(2026, 2, 1), "P-2")],
     {}, None, "review", "unclassified"),
    ("older unclassified, latest soft-no", {},
     [row("unclassified", D(2025, 6, 1), "P-2"), row("salary", D(2026, 1, 1))], {}, D(2026, 6, 30), "overdue", "salary"),
    ("same-day tie: unclassified wins", {},
     [row("salary", D(2026, 2, 1)), row("unclassified", D(2026, 2, 1), "P-2")], {}, None, "review", "unclassified"),
    ("same-day tie of soft-nos: longest cool-off", {},
     [row("sponsor_rejected", D(2026, 2, 1)), row("experience", D(2026, 2, 1), "P-2")], {}, D(2027, 2, 1),
     "scheduled", "experience"),
    ("two soft-nos: the latest decides", {},
     [row("experience", D(2025, 1, 1), "P-2"), row("salary", D(2026, 9, 1))], {}, D(2027, 2, 28), "scheduled",
     "salary"),
    ("older hard-no: never", {}, [row("conduct", D(2024, 1, 1), "P-2"), row("salary", D(2026, 1, 1))], {}, None,
     "never", "salary"),
    ("do_not_contact: never", {"do_not_contact": "yes"}, [row("salary", D(2026, 1, 1))], {}, None, "never", "salary"),
    ("grace edge: next + 30 d = today is still due", {}, [row("sponsor_rejected", D(2026, 7, 25))], {},
     D(2026, 10, 23), "due", "sponsor_rejected"),
    ("grace edge: one day later is overdue", {}, [row("sponsor_rejected", D(2026, 7, 24))], {}, D(2026, 10, 22),
     "overdue", "sponsor_rejected"),
    ("tomorrow is scheduled", {}, [row("sponsor_rejected", D(2026, 8, 25))], {}, D(2026, 11, 23), "scheduled",
     "sponsor_rejected"),
    ("cool-off from config", {}, [row("salary", D(2026, 10, 1))], {"cool_off_days": {"salary": 30}},
     D(2026, 10, 31), "due", "salary"),
    ("grace 0 from config", {}, [row("sponsor_rejected", D(2026, 8, 23))], {"grace_days": 0}, D(2026, 11, 21),
     "overdue", "sponsor_rejected"),
    ("no pipeline rows: keep-warm, due at once", {}, [], {}, D(2026, 11, 22), "due", None),
    ("keep-warm on their pace after the last contact", {"last_contacted": D(2026, 11, 1), "contact_every": "monthly"},
     [], {}, D(2026, 12, 1), "scheduled", None),
    ("only an open row on a position on hold", {}, [row(None, pos="P-4")], {}, None, "", None),
    ("only an open row on a closed position: keep-warm", {"last_contacted": D(2026, 9, 1)}, [row(None, pos="P-2")],
     {}, D(2026, 11, 30), "scheduled", None),
]


@pytest.mark.parametrize("name,fields,rows,changes,expected_next,expected_status,expected_category", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_dated_scenarios(name, fields, rows, changes, expected_next, expected_status, expected_category, today):
    settings = Settings().replace(**changes)
    circle, _, _ = circle_for(settings, today, [cand(**fields)], POSITIONS, [dict(r) for r in rows])
    got = circle.loc["C-00001"]
    assert got["next_circle_back"] == expected_next
    assert got["circle_back_status"] == expected_status
    assert got["rejection_category"] == expected_category


def test_last_contact_is_latest_of_sheet_and_pipeline(settings, today):
    circle, _, _ = circle_for(settings, today, [cand(last_contacted=D(2026, 3, 1))], POSITIONS,
                              [row("salary", D(2026, 5, 1), first=D(2026, 4, 2))])
    assert circle.at["C-00001", "last_contact"] == D(2026, 4, 2)
    assert circle.at["C-00001", "contact_every_days"] == 90


def test_every_candidate_gets_a_row_with_the_contract_columns(settings, today):
    circle, _, _ = circle_for(settings, today, [cand(), cand(candidate_id="C-00002", name="Bo", email="bo@example.com")],
                              POSITIONS, [row("salary", D(2026, 1, 1))])
    assert list(circle.columns[: len(circleback.CIRCLE_BACK_COLUMNS)]) == list(circleback.CIRCLE_BACK_COLUMNS)
    assert list(circle.index) == ["C-00001", "C-00002"]
    # Never turned down: keep-warm, due at once (no contact yet), no category, nothing open fits.
    assert circle.at["C-00002", "suggested_positions"] == [] and circle.at["C-00002", "next_circle_back"] == today
    assert circle.at["C-00002", "circle_back_status"] == "due" and circle.at["C-00002", "rejection_category"] is None


# -- matching ------------------------------------------------------------------

OPEN = [
    {"position_id": "P-10", "title": "Py remote", "skills": "python, aws, sql, docker", "location": "Remote",
     "salary_max": 100000, "status": "open"},
    {"position_id": "P-11", "title": "Py Berlin", "skills": "python, aws", "location": "Berlin, Germany",
     "salary_max": 90000, "status": "open"},
    {"position_id": "P-12", "title": "Py Munich", "skills": "python", "location": "Munich, Germany", "status": "open"},
    {"position_id": "P-13", "title": "Py Paris", "skills": "python", "location": "Paris, France", "status": "open"},
    {"position_id": "P-14", "title": "Cheap", "skills": "python", "location": "Remote", "salary_max": 50000,
     "status": "open"},
    {"position_id": "P-15", "title": "Java", "skills": "java, spring", "location": "Remote", "status": "open"},
    {"position_id": "P-16", "title": "On hold", "skills": "python", "location": "Remote", "status": "on_hold"},
    {"position_id": "P-17", "title": "Turned down", "skills": "python", "location": "Remote", "status": "open"},
    {"position_id": "P-18", "title": "No skills", "location": "Remote", "status": "open"},
    {"position_id": "P-19", "title": "Half", "skills": "python, go, rust, c", "location": "Remote", "status": "open"},
    {"position_id": "P-20", "title": "Under half", "skills": "python, go, rust, c, zig", "location": "Remote",
     "status": "open"},
    {"position_id": "P-3", "title": "Data", "skills": "python, sql", "location": "London, UK", "status": "filled"},
    {"position_id": "P-4", "title": "Paused", "skills": "cobol", "location": "Remote", "status": "on_hold"},
]


def _eligible_ada(today, settings, **fields):
    base = dict(skills="Python, AWS, SQL", location="Berlin, Germany", salary_expectation=80000)
    return circle_for(settings, today, [cand(**{**base, **fields})], OPEN,
                      [row("salary", D(2026, 1, 1), pos="P-17")])


def test_suggested_positions_follow_the_rules_best_first(settings, today):
    circle, _, _ = _eligible_ada(today, settings)
    # P-10 3/4, P-11 2/2 → 1.0 first; P-12 onsite in another city of the same country (DESIGN §6 now:
    # only with open_to_relocation); P-13 other country; P-14 salary too low;
    # P-15 no skill; P-16 not open; P-17 turned down there; P-18 no skills; P-19 1/4 < 50 %; P-20 1/5.
    assert circle.at["C-00001", "circle_back_status"] == "overdue"
    assert circle.at["C-00001", "suggested_positions"] == ["P-11", "P-10"]
    circle, _, _ = _eligible_ada(today, settings, open_to_relocation="yes")
    assert circle.at["C-00001", "suggested_positions"] == ["P-11", "P-12", "P-10"]


def test_half_the_skills_is_enough(settings, today):
    circle, _, _ = _eligible_ada(today, settings, skills="python, go", location="Remote")
    assert "P-19" in circle.at["C-00001", "suggested_positions"]
    assert "P-20" not in circle.at["C-00001", "suggested_positions"]


@pytest.mark.parametrize("fields,pid,fits", [
    ({"salary_expectation": None}, "P-14", True),  # expectation blank
    ({"salary_expectation": 50000}, "P-14", True),  # equal to the maximum
    ({"salary_expectation": 50001}, "P-14", False),
    ({"salary_expectation": 200000, "open_to_relocation": "yes"}, "P-12", True),  # position has no maximum
    ({"location": None}, "P-12", False),  # unknown location, onsite role
    ({"location": None}, "P-10", True),  # remote role
    ({"location": "Remote"}, "P-12", False),  # remote-only person, onsite role
    ({"location": "Hamburg, Germany"}, "P-11", False),  # same country, onsite: only when open to relocation
    ({"location": "Hamburg, Germany", "open_to_relocation": "yes"}, "P-11", True),
    ({"location": "Germany"}, "P-12", True),  # one-part location is a country too
    ({"location": "Lyon, France"}, "P-11", False),
])
def test_location_and_salary_fit(settings, today, fields, pid, fits):
    circle, _, _ = _eligible_ada(today, settings, **fields)
    assert (pid in circle.at["C-00001", "suggested_positions"]) is fits


def test_backpocket_counts_only_circle_back_eligible(settings, today):
    candidates = [cand(skills="python", location="Remote"),
                  cand(candidate_id="C-00002", name="Bo", email="bo@example.com", skills="python", location="Remote"),
                  cand(candidate_id="C-00003", name="Cy", email="cy@example.com", skills="python", location="Remote",
                       do_not_contact="yes")]
    pipe = [row("salary", D(2026, 1, 1), pos="P-13"),
            {**row("salary", D(2026, 1, 1), pos="P-13"), "candidate_id": "C-00003"}]
    circle, clean, _ = circle_for(settings, today, candidates, OPEN, pipe)
    counts = matching.backpocket_counts(circle, clean[schema.POSITIONS])
    # C-00001 (soft-no) and C-00002 (never turned down: keep-warm) fit P-14; C-00003 must not be called.
    assert counts["P-10"] == 0 and counts["P-14"] == 2 and counts["P-16"] == 0 and counts["P-13"] == 0
    assert counts.index.is_unique and set(counts.index) == {p["position_id"] for p in OPEN}


def test_match_position_explains_each_match(settings, today):
    circle, clean, pipe = _eligible_ada(today, settings)
    found = matching.match_position("P-11", clean[schema.CANDIDATES], clean[schema.POSITIONS], pipe, circle, settings)
    rec = found.iloc[0].to_dict()
    assert rec["candidate_id"] == "C-00001" and rec["skill_coverage"] == 1.0
    assert rec["skills_covered"] == "python, aws (2/2)"
    assert rec["location"] == "onsite in Berlin, Germany, same city"
    assert rec["salary"] == "expects 80,000 EUR ≤ 90,000 EUR max"
    # The position they were turned down for is never suggested, from either side.
    assert matching.match_position("P-17", clean[schema.CANDIDATES], clean[schema.POSITIONS], pipe, circle,
                                     settings).empty


# -- the tab -----------------------------------------------------------------

def test_circle_backs_tab_lists_due_and_overdue_first_then_the_next_days(settings, today):
    # Their own pace (2 weeks; a year for C-00004) replaces the cool-off after the decision.
    people = [("C-00001", "salary", D(2026, 10, 14)),  # next 2026-10-28 due
              ("C-00002", "sponsor_rejected", D(2026, 11, 14)),  # next 2026-11-28 scheduled, within 30 d
              ("C-00003", "ghosted", D(2026, 6, 16)),  # next 2026-06-30 overdue
              ("C-00004", "experience", D(2026, 6, 1)),  # next 2027-06-01: too far
              ("C-00005", "conduct", D(2026, 5, 1))]  # never
    candidates = [cand(candidate_id=c, name=f"Person {c[-1]}", email=f"p{c[-1]}@example.com", skills="python, aws",
                       location="Berlin, Germany", contact_every="yearly" if c == "C-00004" else "2 weeks")
                  for c, _, _ in people]
    pipeline = [{**row(cat, day, pos="P-3"), "candidate_id": c} for c, cat, day in people]
    circle, _, _ = circle_for(settings, today, candidates, OPEN, pipeline)
    rows = circleback.circle_backs_rows(circle, today, settings)
    assert rows[0] == CIRCLE_BACK_HEADER
    col = {name: i for i, name in enumerate(CIRCLE_BACK_HEADER)}
    assert [r[col["candidate_id"]] for r in rows[1:]] == ["C-00003", "C-00001", "C-00002"]
    assert [r[col["circle_back_status"]] for r in rows[1:]] == ["overdue", "due", "scheduled"]
    due = rows[2]
    assert isinstance(due[col["next_circle_back"]], dt.date) and due[col["next_circle_back"]] == D(2026, 10, 28)
    assert due[col["contact_every"]] == "every 2 weeks"
    assert due[col["suggested_positions"]] == "P-11, P-14, P-17, P-10"  # P-12: onsite in Munich (§6: other city)
    assert due[col["talking_point"]] == "salary gap last time (P-3): P-11 pays up to 90,000 EUR"


@pytest.mark.parametrize("cat,extra,expected", [
    ("salary", {}, "salary gap last time (P-3): P-11 pays up to 90,000 EUR"),
    ("availability", {"available_from": D(2026, 9, 1)},
     "timing did not fit last time (P-3): available from 2026-09-01; P-11 may fit"),
    ("location", {}, "location mismatch last time (P-3): P-11 is Berlin, Germany"),
    ("skills", {}, "skills did not fit last time (P-3): P-11 matches 2 of 2 skills"),
    ("ghosted", {}, "went quiet last time (P-3): a short friendly check-in, no pressure; P-11 may fit"),
    ("experience", {"skills": "fortran"}, "not enough experience last time (P-3): ask what they have done since"),
    ("sponsor_rejected", {}, "the client said no last time (P-3): P-11 is a fresh shot"),
    # issue 17: the person's own figures, never a fit the data does not show
    ("salary", {"salary_expectation": 95000},  # above P-11's cap: only a role without a cap fits
     "salary gap last time (P-3): ask what they expect now; P-17 may fit (they asked 95,000 EUR last time)"),
    ("salary", {"salary_expectation": 85000},
     "salary gap last time (P-3): P-11 pays up to 90,000 EUR (they asked 85,000 EUR: within it)"),
    ("experience", {"skills": "fortran", "years_experience": 4},
     "not enough experience last time (P-3): ask what they have done since (now 4 years)"),
])
def test_talking_point_from_the_reason(settings, today, cat, extra, expected):
    fields = {"skills": "python, aws", "location": "Berlin, Germany", **extra}
    circle, _, _ = circle_for(settings, today, [cand(**fields)], OPEN, [row(cat, D(2025, 1, 1), pos="P-3")])
    assert circle.at["C-00001", "talking_point"] == expected


def _experience_circle(text, decided, settings, today, skills="python, aws"):
    """Circle-backs with the real reason rules reading ``text`` (not simulated)."""
    frames = make_frames(settings, candidates=[cand(skills=skills, location="Berlin, Germany")], positions=OPEN,
                         pipeline=[{"candidate_id": "C-00001", "position_id": "P-3", "outcome": "rejected",
                                    "rejection_reason": text, "decided_on": decided}])
    clean, _ = validate.validate(frames, settings, today)
    pipe = reasons.classify_pipeline(clean[schema.PIPELINE], load_rules(settings))
    cc = reasons.candidate_classes(pipe, clean[schema.CANDIDATES])
    return circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS], cc, settings, today)


@pytest.mark.parametrize("text,changes,expected_next,point", [
    ("too junior at the time", {}, D(2027, 9, 1), "not enough experience last time (P-3): ask what they have done "
                                                   "since; P-11 may fit"),
    ("overqualified, would be bored", {}, D(2026, 11, 30), "too senior for that role last time (P-3): pitch a more "
                                                            "senior role, P-11 may fit"),
    ("too senior for the team", {"overqualified_cool_off_days": 30}, D(2026, 10, 1), "pitch a more senior role"),
    ("überqualifiziert", {"cool_off_days": {"experience": 20}}, D(2026, 11, 30), "too senior"),
    ("not enough experience", {"cool_off_days": {"experience": 20}}, D(2026, 9, 21), "not enough experience"),
])
def test_experience_cool_off_knows_the_direction(settings, today, text, changes, expected_next, point):
    """Under-qualified: the experience cool-off (365 d); over-qualified: its own (90 d), a more senior role."""
    circle = _experience_circle(text, D(2026, 9, 1), settings.replace(**changes), today)
    rec = circle.loc["C-00001"]
    assert rec["rejection_category"] == "experience"
    assert rec["next_circle_back"] == expected_next
    assert point in rec["talking_point"]


@pytest.mark.parametrize("status,held", [("open", True), ("on_hold", True), ("filled", False), ("closed", False)])
def test_an_open_row_holds_back_only_while_its_role_is_open_or_on_hold(settings, today, status, held):
    """DESIGN §6: an open row on a filled or closed role does not keep a person out of the backpocket."""
    roles = [*OPEN, {"position_id": "P-9", "title": "Old", "skills": "cobol", "status": status}]
    rows = [row("salary", D(2025, 1, 1), pos="P-3"), row(None, pos="P-9")]
    circle, _, _ = circle_for(settings, today, [cand(skills="python, aws", location="Berlin, Germany")],
                              [*roles, POSITIONS[2]], rows)
    assert (circle.at["C-00001", "circle_back_status"] == "") is held
    assert ("P-11" in circle.at["C-00001", "suggested_positions"]) is not held


def test_overqualified_without_a_fitting_role_asks_what_level(settings, today):
    circle = _experience_circle("too senior", D(2026, 1, 1), settings, today, skills="cobol")
    assert circle.at["C-00001", "talking_point"] == ("too senior for that role last time (P-3): pitch a more senior "
                                                     "role, ask what level they want now")
    assert circle.at["C-00001", "circle_back_status"] == "overdue"


# -- commands --------------------------------------------------------------

def _workbook(tmp_path, settings):
    from sheetcrm.workbook.backends.xlsx import XlsxBackend
    from sheetcrm.workbook.layout import workbook_layout
    from conftest import rows_for

    path = tmp_path / "cb.xlsx"
    data = {
        schema.CANDIDATES: rows_for(schema.CANDIDATES, [
            cand(skills="python, aws", location="Berlin, Germany", salary_expectation=70000),
            cand(candidate_id="C-00002", name="Bo Never", email="bo@example.com", skills="python, aws",
                 location="Berlin, Germany", do_not_contact="yes")]),
        schema.POSITIONS: rows_for(schema.POSITIONS, OPEN[:3]),
        schema.PIPELINE: rows_for(schema.PIPELINE, [
            {"candidate_id": "C-00001", "position_id": "P-12", "outcome": "ghosted", "decided_on": D(2026, 1, 1)},
            {"candidate_id": "C-00002", "position_id": "P-12", "outcome": "ghosted", "decided_on": D(2026, 1, 1)}]),
    }
    XlsxBackend(path).create(workbook_layout(settings, data))
    return path


def test_report_circle_backs_json_keys_and_ics(tmp_path, settings):
    path = _workbook(tmp_path, settings)
    ics = tmp_path / "due.ics"
    result = CliRunner().invoke(cli, ["--workbook", str(path), "report", "circle-backs", "--format", "json",
                                      "--today", "2026-11-22", "--ics", str(ics)])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [list(r) for r in rows] == [[*circleback.CIRCLE_BACK_COLUMNS, "owner", "talking_point", "last_touchpoint"]]
    assert rows[0] == {"candidate_id": "C-00001", "name": "Ada Lovelace", "rejection_category": "ghosted",
                       "last_contact": None, "next_circle_back": "2026-06-30", "circle_back_status": "overdue",
                       "suggested_positions": ["P-11", "P-10"], "owner": "team", "last_touchpoint": None,
                       "talking_point": "went quiet last time (P-12): a short friendly check-in, no pressure; "
                                        "P-11 may fit"}
    text = ics.read_text()
    assert "C-00001" in text and "C-00002" not in text and "Bo Never" not in text


def test_report_circle_backs_within(tmp_path, settings):
    path = _workbook(tmp_path, settings)
    args = ["--workbook", str(path), "report", "circle-backs", "--format", "csv"]
    early = CliRunner().invoke(cli, args + ["--today", "2026-06-01"])
    assert early.exit_code == 0 and "2026-06-30,scheduled" in early.stdout  # 29 days away: within the default 30
    assert "talking_point" in early.stdout.splitlines()[0]
    assert "C-00001" not in CliRunner().invoke(cli, args + ["--today", "2026-05-01"]).stdout  # 60 days away
    wide = CliRunner().invoke(cli, args + ["--today", "2026-05-01", "--within", "60"])
    narrow = CliRunner().invoke(cli, args + ["--today", "2026-05-01", "--within", "10"])
    assert "C-00001" in wide.stdout and "C-00001" not in narrow.stdout


def test_match_command(tmp_path, settings):
    path = _workbook(tmp_path, settings)
    runner = CliRunner()
    result = runner.invoke(cli, ["--workbook", str(path), "match", "P-11", "--format", "json", "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    why = rows[0].pop("why")  # DESIGN §6 now adds why (the rules it met)
    assert rows == [{"candidate_id": "C-00001", "name": "Ada Lovelace", "skill_coverage": 1.0,
                     "circle_back_status": "overdue", "next_circle_back": "2026-06-30"}]
    assert "python, aws (2/2)" in why and "same city" in why and "70,000 EUR" in why
    table = runner.invoke(cli, ["--workbook", str(path), "match", "P-11", "--today", "2026-11-22"])
    assert "python, aws (2/2)" in table.stdout and "same city" in table.stdout and "70,000 EUR" in table.stdout
    missing = runner.invoke(cli, ["--workbook", str(path), "match", "P-404"])
    assert missing.exit_code == 1 and "P-404" in missing.output and "Traceback" not in missing.output


# -- the never-call promise, over random workbooks ----------------------------

CATEGORIES = list(schema.SOFT_NO_CATEGORIES) + list(schema.HARD_NO_CATEGORIES) + ["unclassified"]
SKILLS = ["python", "aws", "sql", "go"]
PLACES = ["Berlin, Germany", "Munich, Germany", "London, UK", "Remote", None]


@st.composite
def workbooks(draw):
    n = draw(st.integers(1, 8))
    candidates = []
    for i in range(1, n + 1):
        candidates.append({
            "candidate_id": f"C-{i:05d}", "name": f"Person {i}", "email": f"p{i}@example.com",
            "skills": ", ".join(draw(st.lists(st.sampled_from(SKILLS), max_size=3, unique=True))) or None,
            "location": draw(st.sampled_from(PLACES)),
            "salary_expectation": draw(st.sampled_from([None, 50000, 90000])),
            "available_from": draw(st.sampled_from([None, D(2026, 1, 1), D(2027, 1, 1)])),
            "contact_every": draw(st.sampled_from([None, "2 weeks", "quarterly", "yearly"])),
            "last_contacted": draw(st.sampled_from([None, D(2025, 6, 1), D(2026, 10, 1)])),
            "do_not_contact": draw(st.sampled_from([None, None, None, "yes"])),
        })
    positions = [{"position_id": f"P-{j}", "title": "t",
                  "skills": ", ".join(draw(st.lists(st.sampled_from(SKILLS), min_size=1, max_size=3, unique=True))),
                  "location": draw(st.sampled_from(PLACES)), "salary_max": draw(st.sampled_from([None, 60000])),
                  "status": draw(st.sampled_from(["open", "open", "filled"]))} for j in range(1, 4)]
    pipeline = []
    for _ in range(draw(st.integers(0, 14))):
        cat = draw(st.sampled_from(CATEGORIES + [None, None]))
        outcome = "rejected" if cat else draw(st.sampled_from(["open", "hired"]))
        decided = None if outcome == "open" else TODAY - dt.timedelta(days=draw(st.integers(0, 700)))
        pipeline.append({"candidate_id": f"C-{draw(st.integers(1, n)):05d}", "position_id": f"P-{draw(st.integers(1, 3))}",
                         "outcome": outcome, "decided_on": decided, "_cat": cat,
                         "rejection_reason": f"reason {cat}" if cat else None})
    suppressed = draw(st.sets(st.integers(1, n), max_size=2))
    today = TODAY + dt.timedelta(days=draw(st.integers(-200, 200)))
    return candidates, positions, pipeline, suppressed, today


def _suppressed_frame(ids, settings):
    return pd.DataFrame({"hash": [privacy.person_hash("email", f"p{i}@example.com", settings.suppression_salt) for i in ids],
                         "kind": "email", "suppressed_on": TODAY})


@hyp_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_never_call_a_hard_no_dnc_or_suppressed_person(book):
    candidates, positions, pipeline, suppressed, today = book
    settings = Settings(suppression_salt="s")
    cats = [r.pop("_cat") for r in pipeline]
    frames = make_frames(settings, candidates=candidates, positions=positions, pipeline=pipeline)
    clean, _ = validate.validate(frames, settings, today)
    pipe = classified(clean[schema.PIPELINE], [c for c, keep in zip(cats, frames[schema.PIPELINE].index.isin(
        clean[schema.PIPELINE].index)) if keep])
    cc = reasons.candidate_classes(pipe, clean[schema.CANDIDATES])
    sup = _suppressed_frame(suppressed, settings)
    circle = circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS], cc, settings, today,
                                     suppressed=sup)

    forbidden = {f"C-{i:05d}" for i in suppressed}
    forbidden |= set(pipe.loc[pipe["rejection_class"] == schema.HARD_NO, "candidate_id"])
    forbidden |= {c["candidate_id"] for c in candidates if c["do_not_contact"]}
    assert not circle.loc[circle.index.isin(list(forbidden)), "circle_back_status"].isin(schema.CALLABLE).any()
    assert (circle.loc[circle.index.isin(list(forbidden)), "circle_back_status"] == "never").all()

    tab = circleback.circle_backs_rows(circle, today, settings)
    assert not forbidden & {r[ID] for r in tab[1:]}
    for pid in clean[schema.POSITIONS]["position_id"]:
        found = matching.match_position(pid, clean[schema.CANDIDATES], clean[schema.POSITIONS], pipe, circle, settings)
        assert not forbidden & set(found["candidate_id"])
    ics = calendar_file.circle_back_calendar(circle, today).decode()  # all rows offered: it must filter too
    assert not any(f"{cid}-" in ics for cid in forbidden)
    # Every callable person really is callable: nothing hired, nothing open on a live position.
    live = set(clean[schema.POSITIONS].loc[clean[schema.POSITIONS]["status"].isin(["open", "on_hold"]), "position_id"])
    for cid in circle.index[circle["circle_back_status"].isin(schema.CALLABLE)]:
        mine = pipe[pipe["candidate_id"] == cid]
        assert not (mine["outcome"] == "hired").any()
        assert not ((mine["outcome"] == "open") & mine["position_id"].isin(live)).any()
        assert circle.at[cid, "next_circle_back"] is not None


@hyp_settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks())
def test_never_call_through_a_whole_sync(book):
    """The same promise end to end: reasons as the real classifier reads them,
    the Suppressed tab as sync reads it, the tab sync writes."""
    candidates, positions, pipeline, suppressed, today = book
    settings = Settings(suppression_salt="s")
    texts = {"salary": "salary negotiation failed", "conduct": "code of conduct violation",
             "do_not_contact": "asked us never to contact him again", "ghosted": None}
    for r in pipeline:
        cat = r.pop("_cat")
        if cat:
            r["rejection_reason"] = texts.get(cat, r["rejection_reason"])
            r["outcome"] = "ghosted" if cat == "ghosted" else "rejected"
    backend = make_memory(settings, candidates=candidates, positions=positions, pipeline=pipeline)
    backend.tabs["Suppressed"] = [list(schema.SUPPRESSED_COLUMNS)] + _suppressed_frame(suppressed, settings).values.tolist()
    snapshot, maps, frames = sync.load(backend, settings)
    analysis = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings), suppressed=sync.read_suppressed(snapshot, settings))
    pipe = analysis.clean[schema.PIPELINE]
    forbidden = {f"C-{i:05d}" for i in suppressed}
    forbidden |= set(pipe.loc[pipe["rejection_class"] == schema.HARD_NO, "candidate_id"])
    forbidden |= {c["candidate_id"] for c in candidates if c["do_not_contact"]}
    circle = analysis.circle
    assert not circle.loc[circle.index.isin(list(forbidden)), "circle_back_status"].isin(schema.CALLABLE).any()
    tab = next(t for t in analysis.tabs if t.title == settings.tab_title(schema.CIRCLE_BACKS))
    assert not forbidden & {r[ID] for r in tab.rows[1:]}
    clean = analysis.clean
    for pid in clean[schema.POSITIONS]["position_id"]:
        found = matching.match_position(pid, clean[schema.CANDIDATES], clean[schema.POSITIONS], pipe, circle, settings)
        assert not forbidden & set(found["candidate_id"])
    ics = calendar_file.circle_back_calendar(circleback.listed(circle, today, 3650), today).decode()
    assert not any(f"{cid}-" in ics for cid in forbidden)


# -- speed -------------------------------------------------------------------

def test_a_large_workbook_in_one_go():
    rng = np.random.default_rng(3)
    n, m, p = 20_000, 60_000, 200
    skills = np.array(["python", "java", "go", "aws", "sql", "react", "k8s", "terraform", "spark", "rust"])
    places = [("berlin", "germany", False), ("london", "uk", False), (None, None, True), ("paris", "france", False)]
    pick = rng.integers(0, len(places), n)
    combos = [tuple(rng.choice(skills, rng.integers(1, 5), replace=False)) for _ in range(300)]
    today = pd.Timestamp(TODAY)
    cands = pd.DataFrame({
        "candidate_id": [f"C-{i:06d}" for i in range(n)], "name": [f"n{i}" for i in range(n)],
        "email": None, "phone": None,
        "skills": [combos[i] for i in rng.integers(0, len(combos), n)],
        "salary_expectation": rng.choice([np.nan, 50000.0, 90000.0], n),
        "available_from": pd.NaT, "contact_every_days": pd.array(rng.choice([14, 90, 180], n), dtype="Int64"),
        "last_contacted": today - pd.to_timedelta(rng.integers(1, 400, n), unit="D"),
        "do_not_contact": rng.random(n) < 0.03,
        "city": [places[i][0] for i in pick], "country": [places[i][1] for i in pick],
        "remote": [places[i][2] for i in pick],
    }, index=pd.RangeIndex(2, n + 2))
    ppick = rng.integers(0, len(places), p)
    pos = pd.DataFrame({
        "position_id": [f"P-{i:04d}" for i in range(p)],
        "skills": [tuple(rng.choice(skills, rng.integers(1, 4), replace=False)) for _ in range(p)],
        "salary_max": rng.choice([np.nan, 80000.0], p), "status": rng.choice(["open", "filled"], p),
        "location": "x", "city": [places[i][0] for i in ppick], "country": [places[i][1] for i in ppick],
        "remote": [places[i][2] for i in ppick],
    }, index=pd.RangeIndex(2, p + 2))
    outcome = rng.choice(["open", "hired", "rejected", "ghosted"], m, p=[0.15, 0.05, 0.6, 0.2])
    cls = np.where(np.isin(outcome, ["open", "hired"]), None,
                   rng.choice(["soft_no", "soft_no", "hard_no", "unclassified"], m))
    cat = np.where(cls == "soft_no", rng.choice(list(schema.SOFT_NO_CATEGORIES), m),
                   np.where(cls == "hard_no", "conduct", np.where(cls == "unclassified", "unclassified", None)))
    pipe = pd.DataFrame({
        "candidate_id": cands["candidate_id"].to_numpy()[rng.integers(0, n, m)],
        "position_id": pos["position_id"].to_numpy()[rng.integers(0, p, m)],
        "first_contacted": today - pd.to_timedelta(rng.integers(30, 700, m), unit="D"),
        "outcome": outcome, "decided_on": today - pd.to_timedelta(rng.integers(1, 600, m), unit="D"),
        "rejection_class": cls, "rejection_category": cat,
    }, index=pd.RangeIndex(2, m + 2))
    settings = Settings()
    cc = reasons.candidate_classes(pipe, cands)
    # How fast is measured by bench/run.py (issue 9), not here: these machines are noisy.
    circle = circleback.circle_backs(cands, pipe, pos, cc, settings, TODAY)
    counts = matching.backpocket_counts(circle, pos)
    rows = circleback.circle_backs_rows(circle, TODAY, settings)
    assert len(circle) == n and circle["circle_back_status"].isin(schema.CALLABLE).sum() > 1000
    assert len(counts) == p and len(rows) > 1


# -- the Circle-backs tab, built column by column, equals the record-by-record build -----------

def _plain_circle_backs_rows(circle, today, settings):
    """circleback.circle_backs_rows as first written: one record dict per row."""
    from sheetcrm.core import call_list
    from sheetcrm.core import touchpoints as touch_mod
    rows = [list(schema.CIRCLE_BACK_HEADER)]
    for rec in call_list.by_owner(circleback.listed(circle, today, settings.upcoming_days)).to_dict("records"):
        values = {
            **rec,
            "owner": call_list.owner_label(rec.get("owner")),
            "contact_every": circleback.pace_text(rec.get("contact_every_days")),
            "last_touchpoint": touch_mod.describe(rec.get("last_touchpoint"), rec.get("last_touch_outcome"),
                                                  rec.get("last_touch_by")),
            "suggested_positions": ", ".join(rec["suggested_positions"]),
        }
        rows.append([values.get(col) for col in schema.CIRCLE_BACK_HEADER])
    return rows


_DAY = st.none() | st.dates(dt.date(2026, 10, 1), dt.date(2027, 3, 1))
_WORD = st.sampled_from([None, "", "salary", "Ann ", " ann", "BO", "x@y.z"])


@st.composite
def _circles(draw):
    n = draw(st.integers(0, 15))
    ids = [f"C-{i:05d}" for i in range(n)]
    col = {
        "candidate_id": ids, "name": [draw(_WORD) for _ in ids],
        "rejection_category": [draw(_WORD) for _ in ids], "last_contact": [draw(_DAY) for _ in ids],
        "next_circle_back": [draw(_DAY) for _ in ids],
        "circle_back_status": [draw(st.sampled_from(["due", "overdue", "scheduled", "never", "review", ""]))
                               for _ in ids],
        "suggested_positions": [draw(st.lists(st.sampled_from(["P-1", "P-2"]), max_size=2)) for _ in ids],
        "contact_every_days": np.array([draw(st.sampled_from([7, 30, 45, 365])) for _ in ids], dtype="int64"),
        "rejection_position": [draw(_WORD) for _ in ids], "rejection_direction": [draw(_WORD) for _ in ids],
        "owner": [draw(_WORD) for _ in ids], "email": [draw(_WORD) for _ in ids], "phone": [draw(_WORD) for _ in ids],
        "last_touchpoint": [draw(_DAY) for _ in ids], "last_touch_outcome": [draw(_WORD) for _ in ids],
        "last_touch_by": [draw(_WORD) for _ in ids], "talking_point": [draw(_WORD) for _ in ids]}
    frame = pd.DataFrame({c: pd.Series(v, dtype=object) if not isinstance(v, np.ndarray) else v
                          for c, v in col.items()}, index=pd.Index(ids, name="candidate_id"))
    return frame.astype({"candidate_id": "str", "circle_back_status": "str"}) if draw(st.booleans()) else frame


@hyp_settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(circle=_circles(), upcoming=st.sampled_from([0, 14, 60]))
def test_circle_backs_rows_equal_the_record_by_record_build(circle, upcoming):
    config = Settings(upcoming_days=upcoming)
    got = circleback.circle_backs_rows(circle, TODAY, config)
    want = _plain_circle_backs_rows(circle, TODAY, config)
    assert got == want
    assert [[type(v) for v in r] for r in got] == [[type(v) for v in r] for r in want]


def _plain_talking_points(rows, cands, positions, pairs, settings):
    """circleback._talking_points as first written: zipping the pandas columns themselves."""
    from sheetcrm.core import touchpoints as touch_mod
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    pos_info = dict(zip(pos["position_id"], zip(pos["salary_max"], pos["remote"], pos["location"], pos["min_years"])))
    available = dict(zip(cands.index, cands["available_from"]))
    own = dict(zip(cands.index, zip(cands["salary_expectation"], cands["years_experience"])))
    best = pairs.drop_duplicates("candidate_id")
    fit = dict(zip(best["candidate_id"], zip(best["covered"], best["needed"])))
    topics = np.where((rows["rejection_category"] == "experience") & (rows["rejection_direction"] == "over"),
                      "overqualified", rows["rejection_category"].to_numpy(dtype=object))
    points = [circleback._talking_point(cat, was, s[0] if s else None, pos_info.get(s[0]) if s else None,
                                        available.get(cid), fit.get(cid), settings)
              for cid, cat, was, s in zip(rows.index, topics, rows["rejection_position"], rows["suggested_positions"])]
    return [point + circleback._specifics(cat, pos_info.get(s[0]) if s else None, own.get(cid, (None, None)),
                                          touch_mod.describe(*t), settings)
            for point, cid, cat, s, t in zip(points, rows.index, topics, rows["suggested_positions"],
                                             zip(rows["last_touchpoint"], rows["last_touch_outcome"],
                                                 rows["last_touch_by"]))]


@pytest.mark.parametrize("seed", range(20))
def test_talking_points_equal_zipping_the_columns(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(0, 30))
    ids = pd.Index([f"C-{i:05d}" for i in range(n)], dtype="str" if seed % 2 else object)
    pick = lambda values: [values[i] for i in rng.integers(0, len(values), n)]  # noqa: E731
    cats = ["salary", "availability", "location", "experience", "skills", "declined_role", "sponsor_rejected",
            "ghosted", "other", None]
    days = [pd.Timestamp("2026-12-01"), pd.NaT, pd.Timestamp("2027-03-05")]
    rows = pd.DataFrame({
        "rejection_category": pd.Series(pick(cats), index=ids, dtype=object),
        "rejection_direction": pd.Series(pick(["over", "under", None]), index=ids, dtype=object),
        "rejection_position": pd.Series(pick(["P-1", None, ""]), index=ids, dtype=object).astype(
            "str" if seed % 3 == 0 else object),
        "suggested_positions": pd.Series(pick([[], ["P-1"], ["P-2", "P-1"], ["P-9"]]), index=ids, dtype=object),
        "last_touchpoint": pd.Series(pick(days), index=ids, dtype="datetime64[ns]"),
        "last_touch_outcome": pd.Series(pick(["left_message", None]), index=ids, dtype=object),
        "last_touch_by": pd.Series(pick(["AB", None, ""]), index=ids, dtype=object)}, index=ids)
    cands = pd.DataFrame({
        "available_from": pd.Series(pick(days), index=ids, dtype="datetime64[ns]"),
        "salary_expectation": pd.Series(pick([90000.0, np.nan, 120000.0]), index=ids),
        "years_experience": pd.Series(pick([2.5, np.nan, 8.0]), index=ids)}, index=ids)
    positions = pd.DataFrame({"position_id": ["P-1", "P-2", None], "salary_max": [100000.0, np.nan, 5.0],
                              "remote": [True, False, None], "location": ["Berlin", None, "x"],
                              "min_years": [5.0, np.nan, 1.0]})
    pairs = pd.DataFrame({"candidate_id": pd.Series(pick(list(ids) or ["C-0"]), dtype=ids.dtype),
                          "covered": rng.integers(1, 4, n), "needed": rng.integers(4, 6, n)})
    got = circleback._talking_points(rows, cands, positions, pairs, Settings())
    assert got == _plain_talking_points(rows, cands, positions, pairs, Settings())


# -- talking points written once per distinct case equal one per person ---------------------------

def _plain_talking_points(rows, cands, positions, pairs, settings):
    """circleback._talking_points as first written: both parts made for every person."""
    from sheetcrm.core import touchpoints as touch_mod
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    min_years = circleback._column(pos, "min_years")
    pos_info = dict(zip(pos["position_id"], zip(pos["salary_max"], pos["remote"], pos["location"], min_years)))
    ids = cands.index.tolist()
    available = dict(zip(ids, cands["available_from"].tolist()))
    own = dict(zip(ids, zip(circleback._column(cands, "salary_expectation").tolist(),
                            circleback._column(cands, "years_experience").tolist())))
    best = pairs.drop_duplicates("candidate_id")
    fit = dict(zip(best["candidate_id"].tolist(), zip(best["covered"].tolist(), best["needed"].tolist())))
    topics = np.where((rows["rejection_category"] == "experience") & (rows["rejection_direction"] == "over"),
                      "overqualified", rows["rejection_category"].to_numpy(dtype=object))
    row_ids, suggestions = rows.index.tolist(), rows["suggested_positions"].tolist()
    points = [circleback._talking_point(cat, was, s[0] if s else None, pos_info.get(s[0]) if s else None,
                                        available.get(cid), fit.get(cid), settings)
              for cid, cat, was, s in zip(row_ids, topics, rows["rejection_position"].tolist(), suggestions)]
    return [point + circleback._specifics(cat, pos_info.get(s[0]) if s else None, own.get(cid, (None, None)),
                                          touch_mod.describe(*t), settings)
            for point, cid, cat, s, t in zip(points, row_ids, topics, suggestions,
                                             zip(rows["last_touchpoint"].tolist(), rows["last_touch_outcome"].tolist(),
                                                 rows["last_touch_by"].tolist()))]


@pytest.mark.parametrize("seed", range(4))
def test_talking_points_equal_one_written_per_person(seed):
    rng = np.random.default_rng(seed)
    n, m = 3000, 8
    pids = [f"P-{i}" for i in range(m)]
    cids = [f"C-{i:05d}" for i in range(n)]
    pick = lambda values, k=n: rng.choice(np.array(values, dtype=object), k)  # noqa: E731
    rows = pd.DataFrame({
        "rejection_category": pick(["salary", "availability", "location", "experience", "skills", "declined_role",
                                    "sponsor_rejected", "ghosted", "other", None]),
        "rejection_direction": pick(["over", "under", None]), "rejection_position": pick([None, *pids]),
        "suggested_positions": [list(rng.choice(pids, rng.integers(0, 3), replace=False)) for _ in range(n)],
        "last_touchpoint": pick([None, dt.date(2026, 11, 1), dt.date(2026, 10, 3)]),
        "last_touch_outcome": pick([None, "no answer", "call back"]), "last_touch_by": pick([None, "ann", "bo"])},
        index=pd.Index(cids, name="candidate_id"))
    cands = pd.DataFrame({
        "available_from": pd.to_datetime(pick([None, "2027-01-04", "2026-12-01"])),
        "salary_expectation": pick([np.nan, 50_000.0, 90_000.0]), "years_experience": pick([np.nan, 2.0, 7.5])},
        index=pd.Index(cids, name="candidate_id"))
    positions = pd.DataFrame({"position_id": pids, "salary_max": pick([np.nan, 60_000.0], m),
                              "remote": pick([True, False], m), "location": pick([None, "Berlin"], m),
                              "min_years": pick([np.nan, 3.0], m)})
    pairs = pd.DataFrame({"candidate_id": pick(cids, 2000), "covered": rng.integers(1, 4, 2000),
                          "needed": rng.integers(4, 6, 2000)})
    settings = Settings()
    assert circleback._talking_points(rows, cands, positions, pairs, settings) == \
        _plain_talking_points(rows, cands, positions, pairs, settings)


_CELLS = st.sampled_from(["a", "", " x ", None, np.nan, pd.NaT, pd.NA, 1, 2.5, b"b", np.str_("s"), dt.date(2026, 1, 2)])


@hyp_settings(max_examples=300, deadline=None)
@given(values=st.lists(_CELLS, max_size=20))
def test_texts_are_the_text_cells_and_none_for_the_rest(values):
    seq = np.array(values + [None], dtype=object)[:len(values)]
    got = circleback._texts(seq, pd.RangeIndex(len(values)))
    want = [v if isinstance(v, str) else None for v in values]
    assert got.dtype == object and [(type(v), v) for v in got.tolist()] == [(type(v), v) for v in want]


def _plain_latest_decisions(pipe, pc, n, settings):
    """circleback._latest_decisions as first written: the whole pipeline filtered, pandas
    comparisons, each column set into the frame in turn."""
    cols = ["position_id", "decided_on", "rejection_class", "rejection_category", "rejection_direction"]
    out = pd.DataFrame({c: np.full(n, None, dtype=object) for c in cols})
    out["decided_on"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    mask = pipe["outcome"].isin(schema.DECIDED_OUTCOMES).to_numpy(dtype=bool)
    if not mask.any():
        return out
    decided, codes = pipe[mask], pc[mask]
    cls = decided["rejection_class"]
    cool = circleback.cool_off_days(decided, settings, 0)
    soft_rank = 2 * np.minimum(cool, 9_999_999) + \
        (decided["rejection_category"] == "availability").to_numpy(dtype="int64")
    rank = np.select([cls == schema.HARD_NO, cls == schema.UNCLASSIFIED, decided["outcome"] == "hired"],
                     [circleback._RANK_HARD, circleback._RANK_UNCLASSIFIED, circleback._RANK_HIRED],
                     default=circleback._RANK_SOFT) + soft_rank
    days = np.maximum(circleback._days(decided["decided_on"]), -1_000_000)
    key = days * 100_000_000 + rank
    order = np.lexsort((key, codes))
    last = order[np.r_[codes[order][1:] != codes[order][:-1], True]]
    at = codes[last]
    for c in cols:
        values = decided[c].to_numpy()[last]
        if c == "decided_on":
            out.loc[at, c] = values
        else:
            col = np.array(out[c].to_numpy(dtype=object), dtype=object)
            col[at] = values
            out[c] = col
    return out


@pytest.mark.parametrize("seed", range(4))
def test_latest_decisions_equal_the_plain_pick(seed):
    rng = np.random.default_rng(seed)
    rows, n = 4000, 900
    pick = lambda values: rng.choice(np.array(values, dtype=object), rows)  # noqa: E731
    pipe = pd.DataFrame({
        "candidate_id": pick(["x"]), "position_id": pick([None, "P-1", "P-2"]),
        "outcome": pick(["open", "rejected", "declined", "hired", "withdrawn", None]),
        "decided_on": pd.to_datetime(pick([None, "2026-01-05", "2026-03-01", "2025-12-31"])),
        "rejection_class": pick([schema.HARD_NO, schema.SOFT_NO, schema.UNCLASSIFIED, None]),
        "rejection_category": pick(["availability", "salary", "experience", None]),
        "rejection_direction": pick(["over", "under", None]), "notes": pick(["a", None])})
    pc = rng.integers(0, n, rows)
    settings = Settings()
    pd.testing.assert_frame_equal(circleback._latest_decisions(pipe, pc, n, settings),
                                  _plain_latest_decisions(pipe, pc, n, settings), check_exact=True)
    none = pipe.assign(outcome="open")
    pd.testing.assert_frame_equal(circleback._latest_decisions(none, pc, n, settings),
                                  _plain_latest_decisions(none, pc, n, settings), check_exact=True)
