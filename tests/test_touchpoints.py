"""The Touchpoints tab (DESIGN §2, §6): logged contacts reset the clock, a person's
own follow-up date and pace, keep-warm, and never-call through Touchpoints.

Dated scenarios run the whole pure path (validate, the real reason rules, never_call,
circle-backs) on tiny workbooks, today = 2026-11-22.
"""
from __future__ import annotations

import datetime as dt
import functools

import pytest

from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.core import analysis as analysis_mod
from sheetcrm.core import touchpoints
from sheetcrm.rules import load_rules

from conftest import TODAY, make_frames

D = dt.date
ROLES = [{"position_id": "P1", "title": "Backend", "status": "open", "skills": "python", "location": "Remote"},
         {"position_id": "P2", "title": "Old role", "status": "closed", "skills": "python", "location": "Remote"}]


@functools.cache
def _rules():
    return load_rules(Settings())


def ann(**kw):
    return {"candidate_id": "C-00001", "name": "Ann Test", "email": "ann@example.com", "skills": "python",
            "location": "Remote", **kw}


def no(text, decided, pos="P2", outcome="rejected"):
    """A decided Pipeline row whose reason the real rules read."""
    return {"candidate_id": "C-00001", "position_id": pos, "outcome": outcome, "rejection_reason": text,
            "decided_on": decided}


SALARY, SPONSOR = "salary negotiations failed", "client picked someone else"


def tp(date, outcome, follow=None, note=None, cid="C-00001", pos=None, by="AB"):
    return {"date": date, "candidate_id": cid, "position_id": pos, "by": by, "channel": "call", "outcome": outcome,
            "follow_up_on": follow, "note": note}


def calls(candidates, pipeline=(), touch=(), settings=None, today=TODAY):
    settings = settings or Settings()
    frames = make_frames(settings, candidates=candidates, positions=ROLES, pipeline=list(pipeline),
                         touchpoints=list(touch))
    return analysis_mod.calls(frames, settings, today, rules=_rules())


# (id, candidate fields, pipeline rows, touchpoints, expected next_circle_back, status, category)
SCENARIOS = [
    # a logged contact resets the clock (blank pace: the config's 90 days)
    ("reached resets the clock", {}, [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 11, 1), "reached")],
     D(2027, 1, 30), "scheduled", "salary"),
    ("no_answer counts as a contact too", {}, [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 11, 1), "no_answer")],
     D(2027, 1, 30), "scheduled", "salary"),
    ("left_message counts", {}, [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 10, 1), "left_message")],
     D(2026, 12, 30), "scheduled", "salary"),
    ("a later last_contacted beats an older touchpoint", {"last_contacted": D(2026, 10, 15)},
     [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 9, 1), "reached")], D(2027, 1, 13), "scheduled", "salary"),
    ("call_back_later without a date: the pace counts", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "call_back_later")], D(2027, 1, 30), "scheduled", "salary"),
    # follow_up_on: the person's own date
    ("follow_up_on earlier than the pace", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 20), "call_back_later", D(2026, 12, 5))], D(2026, 12, 5), "scheduled", "salary"),
    ("follow_up_on later than the cool-off", {}, [no(SALARY, D(2026, 11, 1))],
     [tp(D(2026, 11, 10), "reached", D(2027, 6, 1))], D(2027, 6, 1), "scheduled", "salary"),
    ("follow_up_on earlier than the cool-off", {}, [no(SALARY, D(2026, 11, 1))],
     [tp(D(2026, 11, 10), "reached", D(2026, 12, 1))], D(2026, 12, 1), "scheduled", "salary"),
    ("follow_up_on passed: due", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 10, 1), "call_back_later", D(2026, 11, 1))], D(2026, 11, 1), "due", "salary"),
    ("follow_up_on long passed: overdue", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 8, 1), "call_back_later", D(2026, 9, 1))], D(2026, 9, 1), "overdue", "salary"),
    ("only the latest touchpoint's follow_up_on counts", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "call_back_later", D(2027, 3, 1)), tp(D(2026, 11, 15), "reached")],
     D(2027, 2, 13), "scheduled", "salary"),
    ("same day: the lower row is the latest", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 15), "reached", D(2027, 3, 1)), tp(D(2026, 11, 15), "call_back_later", D(2026, 12, 10))],
     D(2026, 12, 10), "scheduled", "salary"),
    ("a decision after the touchpoint replaces its follow_up_on", {}, [no(SALARY, D(2026, 8, 1))],
     [tp(D(2026, 6, 1), "call_back_later", D(2026, 7, 1))], D(2027, 1, 28), "scheduled", "salary"),
    # not_interested: a declined_role decision on that date
    ("not_interested is a declined_role decision", {}, [], [tp(D(2026, 11, 1), "not_interested")],
     D(2027, 4, 30), "scheduled", "declined_role"),
    ("not_interested after an older salary no: the latest decides", {}, [no(SALARY, D(2025, 1, 1))],
     [tp(D(2026, 10, 1), "not_interested")], D(2027, 3, 30), "scheduled", "declined_role"),
    ("not_interested at their own pace", {"contact_every": "monthly"}, [], [tp(D(2026, 11, 1), "not_interested")],
     D(2026, 12, 1), "scheduled", "declined_role"),
    # their own pace replaces the cool-off
    ("biweekly replaces the 180-day salary cool-off", {"contact_every": "biweekly"}, [no(SALARY, D(2026, 11, 1))],
     [], D(2026, 11, 15), "due", "salary"),
    ("own pace after a touchpoint", {"contact_every": "2 weeks"}, [no(SALARY, D(2026, 6, 1))],
     [tp(D(2026, 11, 15), "reached")], D(2026, 11, 29), "scheduled", "salary"),
    ("own pace longer than the cool-off", {"contact_every": "yearly"}, [no(SPONSOR, D(2026, 6, 1))], [],
     D(2027, 6, 1), "scheduled", "sponsor_rejected"),
    ("blank pace keeps the cool-off", {}, [no(SPONSOR, D(2026, 10, 1))], [], D(2026, 12, 30), "scheduled",
     "sponsor_rejected"),
    # keep-warm: never turned down
    ("keep-warm on their pace", {"last_contacted": D(2026, 10, 1), "contact_every": "monthly"}, [], [],
     D(2026, 10, 31), "due", None),
    ("keep-warm: a touchpoint resets the clock", {"contact_every": "quarterly"}, [],
     [tp(D(2026, 11, 10), "reached")], D(2027, 2, 8), "scheduled", None),
    ("keep-warm with no contact yet: due today", {}, [], [], D(2026, 11, 22), "due", None),
    ("keep-warm with their own follow_up_on", {}, [], [tp(D(2026, 11, 10), "call_back_later", D(2027, 1, 15))],
     D(2027, 1, 15), "scheduled", None),
    ("in process on an open role: not circled back", {},
     [{"candidate_id": "C-00001", "position_id": "P1", "outcome": "open"}], [tp(D(2026, 11, 10), "reached")],
     None, "", None),
    # never-call through Touchpoints
    ("do_not_contact touchpoint: never", {}, [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 11, 1), "do_not_contact")],
     None, "never", "salary"),
    ("do_not_contact on a keep-warm person: never", {}, [], [tp(D(2026, 11, 1), "do_not_contact")],
     None, "never", None),
    ("do_not_contact beats an earlier follow_up_on", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "call_back_later", D(2026, 12, 1)), tp(D(2026, 11, 10), "do_not_contact")],
     None, "never", "salary"),
    ("an older do_not_contact still counts after a friendly touchpoint", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 1, 1), "do_not_contact"), tp(D(2026, 11, 1), "reached", D(2026, 12, 1))], None, "never", "salary"),
    ("a hard-no note: never", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "reached", note="Asked us never to call again.")], None, "never", "salary"),
    ("a soft note stays callable", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "reached", note="happy where she is for now, try again in spring")],
     D(2027, 1, 30), "scheduled", "salary"),
    ("do_not_contact on a row left out for an unknown position: never", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "do_not_contact", pos="P-99")], None, "never", "salary"),
    ("do_not_contact under a mistyped id: never", {}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "do_not_contact", cid="c 00001")], None, "never", "salary"),
    ("'DNC' typed as the outcome: never", {}, [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 11, 1), "DNC")],
     None, "never", "salary"),
    ("a hard-no note on a row with a bad date: never", {}, [no(SALARY, D(2026, 1, 1))],
     [tp("last week", "reached", note="please do not contact her again")], None, "never", "salary"),
    ("a touchpoint with a bad date holds them for review", {}, [no(SALARY, D(2026, 1, 1))],
     [tp("last week", "reached")], None, "review", "salary"),
    ("do_not_contact = yes on Candidates beats a follow_up_on", {"do_not_contact": "yes"}, [no(SALARY, D(2026, 1, 1))],
     [tp(D(2026, 11, 1), "call_back_later", D(2026, 12, 1))], None, "never", "salary"),
]


@pytest.mark.parametrize("name,fields,pipeline,touch,expected_next,expected_status,expected_category", SCENARIOS,
                         ids=[s[0] for s in SCENARIOS])
def test_dated_scenarios(name, fields, pipeline, touch, expected_next, expected_status, expected_category):
    got = calls([ann(**fields)], pipeline, touch).circle.loc["C-00001"]
    assert (got["next_circle_back"], got["circle_back_status"], got["rejection_category"]) == \
        (expected_next, expected_status, expected_category)


def test_there_are_at_least_25_dated_scenarios():
    assert len(SCENARIOS) >= 25


def test_a_workbook_without_touchpoints_works_as_before():
    frames = make_frames(Settings(), candidates=[ann()], positions=ROLES, pipeline=[no(SALARY, D(2026, 1, 1))])
    del frames[schema.TOUCHPOINTS]
    c = analysis_mod.calls(frames, Settings(), TODAY, rules=_rules())
    assert c.circle.at["C-00001", "next_circle_back"] == D(2026, 6, 30)


def test_the_latest_touchpoint_is_shown_with_outcome_and_who():
    c = calls([ann()], [no(SALARY, D(2026, 1, 1))],
              [tp(D(2026, 11, 1), "left_message", by="JS"), tp(D(2026, 11, 15), "reached", by="AB")])
    rec = c.circle.loc["C-00001"]
    assert (rec["last_touchpoint"], rec["last_touch_outcome"], rec["last_touch_by"]) == (D(2026, 11, 15), "reached", "AB")
    assert rec["last_contact"] == D(2026, 11, 15)
    assert touchpoints.describe(rec["last_touchpoint"], rec["last_touch_outcome"], rec["last_touch_by"]) == \
        "2026-11-15 reached (AB)"


@pytest.mark.parametrize("row,column,severity,needle", [
    (tp(D(2026, 11, 1), "call_back_later"), "follow_up_on", "warning", "call_back_later"),
    (tp(D(2026, 11, 1), "reached", D(2026, 10, 1)), "follow_up_on", "warning", "before"),
    (tp(D(2026, 11, 1), "phoned"), "outcome", "error", "outcome must be one of"),
    (tp(None, "reached"), "date", "error", "date is required"),
    (tp(D(2026, 11, 1), None), "outcome", "error", "outcome is required"),
    (tp(D(2026, 11, 1), "reached", cid="C-00042"), "candidate_id", "error", "not in Candidates"),
    (tp(D(2026, 11, 1), "reached", pos="P-99"), "position_id", "error", "not in Positions"),
    (tp(D(2026, 12, 25), "reached"), "date", "warning", "after today"),
])
def test_touchpoint_rows_are_validated_at_their_cell(row, column, severity, needle):
    issues = calls([ann()], [no(SALARY, D(2026, 1, 1))], [row]).issues
    mine = issues[(issues["tab"] == "Touchpoints") & (issues["column"] == column)]
    assert len(mine) == 1 and mine.iloc[0]["severity"] == severity and needle in mine.iloc[0]["message"]
    assert mine.iloc[0]["row"] == 2
    assert "Ann" not in " ".join(issues["message"])  # messages never name the person


def test_channel_blank_is_other():
    frames = make_frames(Settings(), candidates=[ann()], positions=ROLES,
                         touchpoints=[{**tp(D(2026, 11, 1), "reached"), "channel": None}])
    c = analysis_mod.calls(frames, Settings(), TODAY, rules=_rules())
    assert c.clean[schema.TOUCHPOINTS]["channel"].tolist() == ["other"]


def test_touchpoint_do_not_contact_makes_the_person_hard_no_but_writes_no_person_cell(tmp_path):
    from sheetcrm import api
    from conftest import make_memory

    settings = Settings()
    backend = make_memory(settings, candidates=[ann()], positions=ROLES, pipeline=[no(SALARY, D(2026, 1, 1))],
                          touchpoints=[tp(D(2026, 11, 1), "do_not_contact")])
    before = [list(r) for r in backend.tabs["Candidates"]]
    api.sync_workbook(settings, TODAY, backend=backend)
    after = backend.tabs["Candidates"]
    header = after[0]
    col = {h: i for i, h in enumerate(header)}
    assert after[1][col["circle_back_status"]] == "never" and after[1][col["rejection_class"]] == "hard_no"
    assert after[1][col["do_not_contact"]] == before[1][col["do_not_contact"]]  # the person's cell is untouched
    at = schema.CIRCLE_BACK_HEADER.index("candidate_id")
    assert "C-00001" not in {r[at] for r in backend.tabs["Circle-backs"][1:] if r}


def test_a_re_added_person_who_said_do_not_contact_in_a_touchpoint_is_stopped():
    twin = ann(candidate_id="C-00002", name="A. Test")
    c = calls([ann(), twin], [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 11, 1), "do_not_contact")])
    assert c.circle.loc["C-00001", "circle_back_status"] == "never"
    assert "C-00002" not in c.circle.index or c.circle.loc["C-00002", "circle_back_status"] not in schema.CALLABLE


def test_the_talking_point_names_the_last_touch():
    c = calls([ann()], [no(SALARY, D(2026, 1, 1))], [tp(D(2026, 11, 1), "left_message", by="JS")])
    assert c.circle.at["C-00001", "talking_point"].endswith("; last touch 2026-11-01 left_message (JS)")


def test_init_upgrade_adds_the_touchpoints_tab_with_dropdowns_and_a_sheet_without_it_syncs(tmp_path):
    import openpyxl

    from sheetcrm import api
    from sheetcrm.workbook.backends.xlsx import XlsxBackend

    path = tmp_path / "old.xlsx"
    settings = Settings(workbook=path)
    api.init_workbook(settings, TODAY, demo=30, backend=XlsxBackend(path))
    wb = openpyxl.load_workbook(path)
    del wb["Touchpoints"]
    wb.save(path)
    report = api.sync_workbook(settings, TODAY, backend=XlsxBackend(path))  # works as before, without the tab
    assert report.errors >= 0 and "touchpoints" in report.rows_read and report.rows_read["touchpoints"] == 0
    lines = api.upgrade_workbook(settings, backend=XlsxBackend(path)).lines()
    assert any(line == "tab Touchpoints" for line in lines)
    assert any("dropdown on outcome" in line for line in lines) and any("dropdown on channel" in line for line in lines)
    ws = openpyxl.load_workbook(path)["Touchpoints"]
    assert [c.value for c in ws[1]][:8] == [c.name for c in schema.TOUCHPOINTS_TAB.input_columns]
    assert api.upgrade_workbook(settings, backend=XlsxBackend(path)).lines()[0].endswith("it is up to date")
