"""The never-call policy (DESIGN §4, §6, §8): one test per rule, named after it,
and the guarantee that only core/never_call.py gives the statuses never/review."""
from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sheetcrm.rules import load_rules
from sheetcrm import privacy, schema
from sheetcrm.core import analysis as analysis_mod
from sheetcrm.core import intake_guard, never_call
from sheetcrm.values import FormulaWithoutValue

PACKAGE = Path(never_call.__file__).resolve().parents[1]

ANN = {"candidate_id": "C-00001", "name": "Ann Test", "email": "ann@example.com", "skills": "python"}
BOB = {"candidate_id": "C-00002", "name": "Bob Test", "email": "bob@example.com", "skills": "python"}
ROLE = {"position_id": "P1", "title": "Dev", "status": "open", "skills": "python", "location": "Remote"}
OLD_ROLE = {"position_id": "P2", "title": "Dev2", "status": "closed", "skills": "python"}
SOFT = {"candidate_id": "C-00001", "position_id": "P2", "outcome": "rejected",
        "rejection_reason": "salary too high", "decided_on": "2025-01-01"}
HARD = {**SOFT, "rejection_reason": "resume details were false, fabricated degree", "decided_on": "2024-01-01"}


def analyse(settings, today, frames_of, candidates=(ANN,), pipeline=(SOFT,), suppressed=None):
    frames = frames_of(candidates=list(candidates), positions=[ROLE, OLD_ROLE], pipeline=list(pipeline))
    return analysis_mod.analyse(frames, settings, today, rules=load_rules(settings), suppressed=suppressed)


def status(a, cid="C-00001"):
    return a.circle.loc[cid, "circle_back_status"] if cid in a.circle.index else None


def test_a_soft_no_person_is_callable_to_begin_with(settings, today, frames_of):
    """The baseline every rule below changes: a plain soft-no is circled back."""
    assert status(analyse(settings, today, frames_of)) in schema.CALLABLE


def test_rule_hard_no_row_means_never(settings, today, frames_of):
    """§4 hard-no: never approach again, even when an older or newer row is soft-no."""
    a = analyse(settings, today, frames_of, pipeline=[SOFT, {**HARD, "position_id": "P1", "decided_on": "2020-01-01"}])
    assert status(a) == never_call.NEVER
    assert a.backpocket.sum() == 0


def test_rule_hard_no_wins_over_soft_no_in_the_same_text(settings, today, frames_of):
    """§4 precedence: any hard-no signal beats soft-no signals in one text."""
    both = {**SOFT, "rejection_reason": "salary too high and resume details were false"}
    assert status(analyse(settings, today, frames_of, pipeline=[both])) == never_call.NEVER


@pytest.mark.parametrize("dnc", ["yes", "TRUE", "x"])
def test_rule_do_not_contact_means_never_whatever_the_reasons_say(settings, today, frames_of, dnc):
    """§4/§6: an explicit do_not_contact on the candidate makes them hard-no and never."""
    a = analyse(settings, today, frames_of, candidates=[{**ANN, "do_not_contact": dnc}])
    assert status(a) == never_call.NEVER
    assert a.candidate_class["C-00001"] == schema.HARD_NO


def test_rule_left_out_hard_no_row_still_means_never(settings, today, frames_of):
    """§8 hard-no rows even when left out for errors: a wrong call is worse than none."""
    broken = {**HARD, "position_id": "P1", "attempts": "three"}
    assert status(analyse(settings, today, frames_of, pipeline=[SOFT, broken])) == never_call.NEVER


@pytest.mark.parametrize("dnc", ["yes", "DNC", "please don't"])
def test_rule_left_out_do_not_contact_row_still_means_never(settings, today, frames_of, dnc):
    """§8 do_not_contact on a Candidates row left out for an error (even unreadable) still forbids calls."""
    refuser = {**ANN, "do_not_contact": dnc, "years_experience": "lots"}
    again = {**BOB, "email": "ann@example.com"}
    a = analyse(settings, today, frames_of, candidates=[refuser, again],
                pipeline=[SOFT, {**SOFT, "candidate_id": "C-00002"}])
    assert status(a) in (never_call.NEVER, None)
    assert status(a, "C-00002") not in schema.CALLABLE


def test_rule_forgotten_person_means_never(settings, today, frames_of):
    """GDPR forget: an erased person keeps only their id and is never called."""
    forgotten = {"candidate_id": "C-00001", "name": privacy.FORGOTTEN_NAME, "do_not_contact": "yes"}
    a = analyse(settings, today, frames_of, candidates=[forgotten])
    assert status(a) == never_call.NEVER


def test_rule_forgotten_name_alone_means_never(settings):
    """The forgotten rule stands on its own, without do_not_contact."""
    facts = _facts(settings, name=privacy.FORGOTTEN_NAME)
    assert never_call.decide(facts).never.to_dict() == {"C-00001": "forgotten"}


def test_rule_suppressed_email_means_never(settings, today, frames_of):
    """GDPR suppression: an email on the Suppressed tab is never called."""
    s = settings.replace(suppression_salt="s")
    sup = pd.DataFrame({"hash": [privacy.person_hash("email", "ann@example.com", "s")], "kind": ["email"],
                        "suppressed_on": [today]})
    a = analyse(s, today, frames_of, suppressed=sup)
    assert status(a) not in schema.CALLABLE  # the intake guard also flags the row
    facts = _facts(s, suppressed=sup)
    assert never_call.decide(facts).never.to_dict() == {"C-00001": "suppressed"}


def test_rule_re_added_hard_no_person_is_an_error_and_never_called(settings, today, frames_of):
    """Intake guard: a hard-no person re-added under a new id (same email) is flagged, not called."""
    again = {**BOB, "email": "ann@example.com"}
    a = analyse(settings, today, frames_of, candidates=[ANN, again],
                pipeline=[HARD, {**SOFT, "candidate_id": "C-00002"}])
    assert status(a, "C-00002") not in schema.CALLABLE
    errors = a.issues[(a.issues["severity"] == "error") & (a.issues["row"] == 3)]
    assert errors["message"].str.contains("C-00001").any()
    assert "ann@example.com" not in " ".join(errors["message"])  # ids and rows, never the email


def test_rule_unclassified_latest_decision_means_review(settings, today, frames_of):
    """§4/§6: an unclassified reason is listed for a human and never circled back automatically."""
    odd = {**SOFT, "rejection_reason": "zzz qqq", "decided_on": "2026-01-01"}
    assert status(analyse(settings, today, frames_of, pipeline=[SOFT, odd])) == never_call.REVIEW


def test_rule_unclassified_review_shows_even_with_an_open_row(settings, today, frames_of):
    """§6: review is shown even when the person has an open row (the label is missing either way)."""
    odd = {**SOFT, "rejection_reason": "zzz qqq", "decided_on": "2026-01-01"}
    still_open = {"candidate_id": "C-00001", "position_id": "P1", "outcome": "open"}
    assert status(analyse(settings, today, frames_of, pipeline=[odd, still_open])) == never_call.REVIEW


def test_rule_incomplete_record_holds_for_review(settings, today, frames_of):
    """§8 review hold: a callable person with another row left out for an error waits, without a date."""
    broken = {**SOFT, "position_id": "P1", "attempts": "three", "rejection_reason": "too junior"}
    a = analyse(settings, today, frames_of, pipeline=[SOFT, broken])
    assert status(a) == never_call.REVIEW
    assert a.circle.loc["C-00001", "next_circle_back"] is None
    assert a.circle.loc["C-00001", "suggested_positions"] == []


def test_rule_never_beats_review(settings, today, frames_of):
    """§6: never beats everything, also a latest unclassified decision."""
    odd = {**SOFT, "rejection_reason": "zzz qqq", "decided_on": "2026-01-01"}
    a = analyse(settings, today, frames_of, candidates=[{**ANN, "do_not_contact": "yes"}], pipeline=[odd])
    assert status(a) == never_call.NEVER


def test_rule_never_and_review_people_are_not_matched(settings, today, frames_of):
    """§6 backpocket: only callable people (not never, not review) are suggested or matched."""
    odd = {**SOFT, "candidate_id": "C-00002", "rejection_reason": "zzz qqq"}
    a = analyse(settings, today, frames_of, candidates=[{**ANN, "do_not_contact": "yes"}, BOB], pipeline=[SOFT, odd])
    assert (status(a), status(a, "C-00002")) == (never_call.NEVER, never_call.REVIEW)
    assert a.backpocket.sum() == 0
    assert a.circle["suggested_positions"].map(len).sum() == 0


def test_decide_names_the_first_rule_that_forbids_calls(settings):
    facts = _facts(settings, dnc=True, pipeline_class=schema.HARD_NO)
    assert never_call.decide(facts).never.to_dict() == {"C-00001": "do_not_contact"}
    assert [name for name, _ in never_call.NEVER_RULES][:2] == ["do_not_contact", "hard_no"]


def _facts(settings, name="Ann Test", dnc=False, pipeline_class=None, suppressed=None,
           email="ann@example.com") -> never_call.Facts:
    cands = pd.DataFrame({"candidate_id": ["C-00001"], "name": [name], "do_not_contact": [dnc],
                          "email_norm": [email.strip().lower()], "phone_e164": [None], "email": [email],
                          "phone": [None]}, index=[2])
    pipe = pd.DataFrame({"candidate_id": ["C-00001"], "rejection_class": [pipeline_class]}, index=[2])
    return never_call.Facts(cands, pipe, pd.Series(dtype=object), settings, suppressed)


# -- only never_call.py gives the statuses never / review ----------------------------

# Modules that may hold the words as something other than a status they give.
ALLOWED = {
    "schema.py": "CIRCLE_BACK_STATUSES: the vocabulary of the column, no decision",
    "scheduler.py": "'never' as the next run time of a stopped schedule, not a person's status",
}


def _status_literals(path: Path) -> list[int]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in (never_call.NEVER, never_call.REVIEW)]


def test_only_never_call_writes_never_or_review():
    offenders = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel == "core/never_call.py" or rel in ALLOWED:
            continue
        lines = _status_literals(path)
        if lines:
            offenders[rel] = lines
    assert offenders == {}, "only core/never_call.py may give a person the status never/review"


def test_the_scan_would_see_a_status_written_elsewhere(tmp_path):
    """The guard above is not vacuous: it finds the literal however it is written."""
    bad = tmp_path / "bad.py"
    bad.write_text('circle.loc[x, "circle_back_status"] = "never"\nstatus = {"a": \'review\'}\n')
    assert _status_literals(bad) == [1, 2]


# Case 5 of issue 14: address variants of a do-not-contact or suppressed person.
VARIANTS = ["ann.lee@googlemail.com", "annlee+jobs@gmail.com", "A.nn.Lee@Gmail.com", "ann.lee+x@gmail.com"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_rule_re_added_do_not_contact_person_under_an_address_variant(settings, today, frames_of, variant):
    refuser = {**ANN, "email": "ann.lee@gmail.com", "do_not_contact": "yes"}
    again = {**BOB, "email": variant}
    a = analyse(settings, today, frames_of, candidates=[refuser, again],
                pipeline=[SOFT, {**SOFT, "candidate_id": "C-00002"}])
    assert status(a, "C-00002") not in schema.CALLABLE
    errors = a.issues[(a.issues["severity"] == "error") & (a.issues["row"] == 3)]
    assert errors["message"].str.contains("C-00001").any()


@pytest.mark.parametrize("variant", VARIANTS)
def test_rule_suppressed_email_matches_address_variants(settings, today, frames_of, variant):
    s = settings.replace(suppression_salt="s")
    sup = pd.DataFrame({"hash": [privacy.person_hash("email", "annlee@gmail.com", "s")], "kind": ["email"],
                        "suppressed_on": [today]})
    a = analyse(s, today, frames_of, candidates=[{**ANN, "email": variant}], suppressed=sup)
    assert status(a) not in schema.CALLABLE
    assert never_call.decide(_facts(s, suppressed=sup, email=variant)).never.to_dict() == {"C-00001": "suppressed"}


# -- issue 14 case 2: a hard-no under a mistyped id still protects the person ------

HARD_TEXT = "asked us not to contact him again"
VIKTOR = {"candidate_id": "C-00042", "name": "Viktor Test", "email": "viktor@example.com", "skills": "python"}


@pytest.mark.parametrize("typed", ["c-00042", "C-42", "C 00042", "C\u201100042", "C-00042\u200b", " C-0042 ",
                                   "C\u201300042"])
def test_rule_left_out_hard_no_under_a_mistyped_id_means_never_for_that_person(settings, today, frames_of, typed):
    hard = {**SOFT, "candidate_id": typed, "position_id": "P1", "rejection_reason": HARD_TEXT,
            "decided_on": "2026-01-01"}
    a = analyse(settings, today, frames_of, candidates=[ANN, VIKTOR],
                pipeline=[SOFT, {**SOFT, "candidate_id": "C-00042"}, hard])
    assert status(a, "C-00042") == never_call.NEVER
    assert status(a) in schema.CALLABLE  # Ann is not touched
    named = a.issues[a.issues["message"].str.contains("read as C-00042")]
    assert len(named) == 1 and named.iloc[0]["row"] == 4


@pytest.mark.parametrize("typed", ["C-00024", "C-00043", "C-0042X"])
def test_rule_left_out_hard_no_under_a_near_id_holds_the_nearest_person_for_review(settings, today, frames_of, typed):
    hard = {**SOFT, "candidate_id": typed, "position_id": "P1", "rejection_reason": HARD_TEXT,
            "decided_on": "2026-01-01"}
    a = analyse(settings, today, frames_of, candidates=[VIKTOR], pipeline=[{**SOFT, "candidate_id": "C-00042"}, hard])
    assert status(a, "C-00042") == never_call.REVIEW
    assert a.issues["message"].str.contains("C-00042 is held for review").any()


@pytest.mark.parametrize("typed, key", [("c-00042", "C42"), ("C 42", "C42"), ("C\u2011000\u200b42", "C42"),
                                        ("P-007", "P7"), ("abc", "ABC"), ("0042", "42")])
def test_id_key(typed, key):
    assert never_call.id_key(typed) == key


# -- issue 14 case 4: a reason column under a name sheetcrm did not know -------------

@pytest.mark.parametrize("header", ["Reason", "rejection reason (why)"])
def test_rule_hard_no_text_under_another_reason_header_means_never(settings, today, header):
    from sheetcrm.workbook import sheet
    from sheetcrm.workbook.backends.memory import MemoryBackend

    snap = MemoryBackend({
        "Candidates": [["candidate_id", "name", "email", "skills"], ["C-00001", "Ann Test", "ann@example.com", "python"]],
        "Positions": [["position_id", "title", "status", "skills"], ["P2", "Dev2", "closed", "python"]],
        "Pipeline": [["candidate_id", "position_id", "outcome", "decided_on", header],
                     ["C-00001", "P2", "ghosted", "2025-01-01", "asked never to be contacted again"]],
    }).read()
    frames = sheet.to_frames(snap, sheet.locate(snap, settings))
    assert status(analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))) == never_call.NEVER


# -- issue 14 case 1: a do_not_contact nobody can read is read as the worst case -----

@pytest.mark.parametrize("value", ["#N/A", "#REF!", "#VALUE!", "maybe", "ask Tom", "?"])
def test_rule_unreadable_do_not_contact_means_never_and_is_an_error_at_the_cell(settings, today, frames_of, value):
    a = analyse(settings, today, frames_of, candidates=[{**ANN, "do_not_contact": value}])
    assert status(a) in (never_call.NEVER, None)
    assert "C-00001" in never_call.left_out_rows(a.frames, a.clean, _rules(settings), settings).never
    cell = a.issues[(a.issues["row"] == 2) & (a.issues["column"] == "do_not_contact")]
    assert (cell["severity"] == "error").any()


def _rules(settings):
    return load_rules(settings)


def _xlsx_with_dnc(path, settings, write_dnc):
    import openpyxl

    from conftest import rows_for
    from sheetcrm.workbook.backends.xlsx import XlsxBackend
    from sheetcrm.workbook.layout import workbook_layout

    data = {schema.CANDIDATES: rows_for(schema.CANDIDATES, [ANN]), schema.POSITIONS: rows_for(schema.POSITIONS, [ROLE, OLD_ROLE]),
            schema.PIPELINE: rows_for(schema.PIPELINE, [SOFT])}
    XlsxBackend(path).create(workbook_layout(settings, data))
    wb = openpyxl.load_workbook(path)
    write_dnc(wb["Candidates"].cell(2, schema.CANDIDATES_TAB.names.index("do_not_contact") + 1))
    wb.save(path)  # openpyxl stores no computed result for a formula


def _error(text):
    def write(cell):
        cell.value, cell.data_type = text, "e"
    return write


def _formula(text):
    def write(cell):
        cell.value = text
    return write


@pytest.mark.parametrize("write", [_error("#N/A"), _error("#REF!"), _error("#VALUE!"),
                                   _formula("=TRUE()"), _formula('=IF(A2<>"",TRUE,FALSE)')])
def test_do_not_contact_from_a_file_error_value_or_formula_without_result_means_never(tmp_path, settings, today, write):
    from sheetcrm import api
    from sheetcrm.workbook.backends.xlsx import XlsxBackend

    path = tmp_path / "dnc.xlsx"
    _xlsx_with_dnc(path, settings, write)
    a = api.analyse_workbook(settings.replace(workbook=path), today, backend=XlsxBackend(path))
    assert status(a) not in schema.CALLABLE
    assert ((a.issues["column"] == "do_not_contact") & (a.issues["severity"] == "error")).any()


# -- issue 14: the property. Any hard-no signal, placed anywhere, keeps the person off every call list.

from hypothesis import HealthCheck, given, settings as hsettings, strategies as st  # noqa: E402

DNC_HEADERS = ["do_not_contact", "Do not contact?", "DNC", "do not contact (y/n)", "Don't contact",
               "Do not contact\u200b", "DO-NOT-CONTACT"]
DNC_VALUES = ["yes", "TRUE", "x", "Y", True, 1, "#N/A", "#REF!", "#VALUE!", "maybe", "DNC", "ask first",
              FormulaWithoutValue("TRUE()"), FormulaWithoutValue('IF(B2="x",TRUE,FALSE)')]  # as the xlsx reader gives them
REASON_HEADERS = ["rejection_reason", "Reason", "rejection reason (why)", "Reason for rejection"]
HARD_TEXTS = ["asked us not to contact him again", "asked never to be contacted again",
              "resume details were false, fabricated degree", "please do not contact her again",
              "Asked us NEVER to call again.", "client complaint confirmed after due diligence"]
ID_TYPOS = [lambda i: i, str.lower, lambda i: i.replace("-", " "), lambda i: i.replace("-", "\u2011"),
            lambda i: i + "\u200b", lambda i: "C-" + str(int(i[2:])), lambda i: i.replace("-", "\u2013"),
            lambda i: f" {i} "]
EMAIL_VARIANTS = [lambda u: f"{u}@gmail.com", lambda u: f"{u.replace('.', '')}@googlemail.com",
                  lambda u: f"{u}+jobs@gmail.com", lambda u: f"{u.upper()}@Gmail.com",
                  lambda u: f"{u.replace('.', '')}+x@gmail.com"]


@st.composite
def hard_no_workbooks(draw):
    """Tabs of a workbook where one person (sometimes also re-added under a new id)
    must never be called, through one signal of the grammar above."""
    n = draw(st.integers(3, 6))
    victim = draw(st.integers(1, n))
    vid = f"C-{victim:05d}"
    people = [{"candidate_id": f"C-{i:05d}", "name": f"Person{i} Example", "email": f"person{i}.example@gmail.com",
               "skills": "python", "location": "Remote"} for i in range(1, n + 1)]
    pipe = [{"candidate_id": p["candidate_id"], "position_id": "P2", "outcome": "rejected",
             "rejection_reason": "salary too high", "decided_on": "2025-01-01"} for p in people]
    forbidden = {vid}
    kind = draw(st.sampled_from(["dnc", "reason", "re_added", "touchpoint"]))
    dnc_header = draw(st.sampled_from(DNC_HEADERS))
    reason_header = draw(st.sampled_from(REASON_HEADERS))
    if kind in ("dnc", "re_added"):
        people[victim - 1]["do_not_contact"] = draw(st.sampled_from(DNC_VALUES))
    if kind in ("reason", "re_added") and draw(st.booleans()):
        pipe.append({"candidate_id": draw(st.sampled_from(ID_TYPOS))(vid),
                     "position_id": draw(st.sampled_from(["P1", "P2", "P3"])),
                     "outcome": draw(st.sampled_from(["rejected", "declined", "ghosted"])),
                     "rejection_reason": draw(st.sampled_from(HARD_TEXTS)), "decided_on": "2025-06-01"})
    elif kind == "reason":
        pipe[victim - 1]["rejection_reason"] = draw(st.sampled_from(HARD_TEXTS))
    if kind == "re_added":
        again = f"C-{n + 1:05d}"
        people.append({"candidate_id": again, "name": "Someone Else", "skills": "python", "location": "Remote",
                       "email": draw(st.sampled_from(EMAIL_VARIANTS))(f"person{victim}.example")})
        pipe.append({**pipe[0], "candidate_id": again})
        forbidden.add(again)
    touch = []
    if kind == "touchpoint":  # issue 17: the call log says it (outcome or note), maybe under a mistyped id
        outcome, note = draw(st.sampled_from([("do_not_contact", None), ("reached", "x"), ("DNC", None)]))
        touch.append(["2026-11-01", draw(st.sampled_from(ID_TYPOS))(vid), outcome,
                      draw(st.sampled_from(HARD_TEXTS)) if note else None])
    people = draw(st.permutations(people))
    pipe = draw(st.permutations(pipe))
    cand_cols = draw(st.permutations(["candidate_id", "name", "email", "skills", "location", "do_not_contact"]))
    pipe_cols = draw(st.permutations(["candidate_id", "position_id", "outcome", "rejection_reason", "decided_on"]))
    header = {"do_not_contact": dnc_header, "rejection_reason": reason_header}
    tabs = {
        "Candidates": [[header.get(c, c) for c in cand_cols], *[[p.get(c) for c in cand_cols] for p in people]],
        "Positions": [["position_id", "title", "status", "skills", "location"],
                      ["P1", "Backend", "open", "python", "Remote"], ["P2", "Old", "closed", "python", "Remote"],
                      ["P3", "Older", "filled", "python", "Remote"]],
        "Pipeline": [[header.get(c, c) for c in pipe_cols], *[[r.get(c) for c in pipe_cols] for r in pipe]],
    }
    if touch:
        tabs["Touchpoints"] = [["date", "candidate_id", "outcome", "note"], *touch]
    return tabs, forbidden, {p["name"] for p in people if p["candidate_id"] in forbidden}


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hard_no_workbooks())
def test_property_no_hard_no_person_on_any_call_list(workbook):
    import tempfile

    from conftest import TODAY as today
    from sheetcrm import api
    from sheetcrm.config import Settings
    from sheetcrm.workbook.backends.memory import MemoryBackend

    settings = Settings()

    tabs, forbidden, names = workbook
    backend = MemoryBackend({k: [list(r) for r in v] for k, v in tabs.items()})
    api.sync_workbook(settings, today, backend=backend)
    at = schema.CIRCLE_BACK_HEADER.index("candidate_id")
    listed = {str(r[at]) for r in backend.tabs["Circle-backs"][1:] if r}
    assert not listed & forbidden
    assert len(listed - forbidden) >= 2  # the others are still called: the test is not vacuous
    with tempfile.TemporaryDirectory() as tmp:
        ics = f"{tmp}/calls.ics"
        report = api.circle_back_report(settings, today, within=3650, ics=ics, backend=backend)
        assert not set(report.rows["candidate_id"]) & forbidden
        text = open(ics, encoding="utf-8").read()
        assert not any(i in text for i in forbidden) and not any(n in text for n in names)
    matched = api.match_report(settings, "P1", today, backend=backend).rows
    assert not set(matched["candidate_id"]) & forbidden
    drafted = api.drafts_report(settings, today, within=3650, backend=backend).rows  # issue 17: no draft either
    assert not set(drafted["candidate_id"]) & forbidden
    assert not any(n in body for n in names for body in drafted["body"])


@hsettings(max_examples=300, deadline=None)
@given(typed=st.lists(st.sampled_from(list("cCpP0123456789-_. /é\u2011\u200b") + ["C-000", "x"]), max_size=10)
       .map("".join))
def test_id_key_fast_path_equals_the_full_normalisation(typed):
    import re
    import unicodedata
    s = unicodedata.normalize("NFKC", typed).translate(never_call._ID_INVISIBLE).upper()
    s = never_call._ID_SEPARATORS.sub("", s)
    m = re.fullmatch(r"([A-Z]*)0*(\d+)", s)
    assert never_call.id_key(typed) == (f"{m[1]}{int(m[2])}" if m else s)


@pytest.mark.parametrize("label, bob", [(None, never_call.NEVER), ("", never_call.NEVER),
                                        ("false_information", "callable")])
def test_a_left_out_row_reads_its_own_text_whatever_a_label_did_to_the_same_text(settings, today, frames_of, label, bob):
    """A left-out row's reason is read from its text alone; a reason_label on a clean row
    with the same text changes that row, not the left-out one."""
    text = HARD["rejection_reason"] if bob == never_call.NEVER else SOFT["rejection_reason"]
    clean = {**SOFT, "position_id": "P1", "rejection_reason": text, "reason_label": label}
    broken = {**SOFT, "candidate_id": "C-00002", "position_id": "P1", "rejection_reason": text, "attempts": "three"}
    a = analyse(settings, today, frames_of, candidates=[ANN, BOB], pipeline=[clean, broken])
    assert status(a) == never_call.NEVER  # Ann: hard by her text or by her label
    got = status(a, "C-00002")
    assert got == never_call.NEVER if bob == never_call.NEVER else got != never_call.NEVER


@hsettings(max_examples=200, deadline=None)
@given(known=st.lists(st.sampled_from(["C-1", "C-2", "C-3", "C-10", "é", "C-0"]), unique=True),
       values=st.lists(st.sampled_from([None, schema.SOFT_NO, schema.HARD_NO]), min_size=6, max_size=6),
       never=st.sets(st.sampled_from(["C-1", "C-3", "C-4", "C-00", "Z", "é"])),
       touch=st.sets(st.sampled_from(["C-2", "C-5", "Z"])))
def test_classes_with_left_out_equals_setting_each_id_in_turn(known, values, never, touch):
    cc = pd.Series(values[:len(known)], index=pd.Index(pd.Series(known, dtype=object).unique()), dtype=object)
    expected = cc.copy()
    for cid in sorted(never | touch):
        expected.loc[cid] = schema.HARD_NO
    got = never_call.classes_with_left_out(cc, never_call.LeftOut(set(never), set(), pd.DataFrame()), touch)
    pd.testing.assert_series_equal(got, expected, check_exact=True)


class _PlainIdResolver:
    """IdResolver as first written: a set of ids per key, a search per lookup."""

    def __init__(self, known):
        from sheetcrm.core.near import closest
        self.closest = closest
        self.known = {cid for cid in never_call._ids(known) if cid}
        self.by_key = {}
        for cid in self.known:
            self.by_key.setdefault(never_call.id_key(cid), set()).add(cid)

    def __call__(self, typed, near=True):
        if not typed or typed in self.known:
            return typed, True
        key = never_call.id_key(typed)
        same = self.by_key.get(key, set())
        if len(same) == 1:
            return next(iter(same)), True
        close = self.closest(key, list(self.by_key), never_call.NEAR_ID) if near else None
        if close is not None:
            return sorted(self.by_key[close])[0], False
        return typed, True


_TYPED_ID = st.lists(st.sampled_from(["C", "c", "P", "-", "_", " ", "0", "00", "1", "2", "4", "42", "9", "é",
                                      "\u2011", "\u200b", "x"]), max_size=6).map("".join)


_VARIANT = st.sampled_from(["C-42", "c42", "C-0042", "C 42", "C-\u200b42", "C\u201142", "C-4", "C-2", "P-42", "c-2", "C-002"])


@hsettings(max_examples=400, deadline=None)
@given(known=st.lists(_VARIANT | _TYPED_ID | st.none() | st.integers(0, 50) | st.floats(0, 50), max_size=30),
       typed=st.lists(st.tuples(_VARIANT | _TYPED_ID, st.booleans()), min_size=1, max_size=30))
def test_id_resolver_equals_the_plain_one(known, typed):
    """Ids that share a key (C-42, c42, C-0042) name nobody for sure; a near key names
    the lowest id of it; each lookup, near or not, answers as the plain resolver."""
    ids = pd.Series(known, dtype=object)
    fast, plain = never_call.IdResolver(ids), _PlainIdResolver(ids)
    for value, near in typed + typed[::-1]:  # asked again: the remembered search answers alike
        assert fast(value, near=near) == plain(value, near=near)


def test_a_near_key_that_two_ids_share_names_the_lowest():
    resolve = never_call.IdResolver(pd.Series(["c42", "C-42", "C-7"], dtype=object))
    assert resolve("C-0042") == ("C-42", False) and resolve("C-0007") == ("C-7", True)


def _plain_email_identities(emails):
    """_email_identities as first written: a dict of the distinct addresses, mapped."""
    distinct = {v: privacy.email_identity(v) for v in emails.dropna().unique()}
    return emails.map(distinct).where(emails.notna(), None)


_ADDRESS = st.one_of(
    st.sampled_from(["ann@example.com", "Ann@Example.com", "ann+jobs@example.com", "a.n.n@gmail.com",
                     "ann@googlemail.com", "mailto:ann@example.com", " ann@example.com", "ann@example.com\t",
                     "ann\x1c@example.com", "ann@exämple.com", "a\nb@example.com", "gmail.com", "", "bob@example.org"]),
    st.text(alphabet="aB@.+ \n\u200bgmail.com", max_size=12), st.none(), st.just(float("nan")))


@hsettings(max_examples=300, deadline=None)
@given(st.lists(_ADDRESS, max_size=12))
def test_email_identities_equal_the_plain_map(addresses):
    emails = pd.Series(addresses, index=range(2, len(addresses) + 2), dtype=object, name="email_norm")
    got = intake_guard._email_identities(emails)
    pd.testing.assert_series_equal(got, _plain_email_identities(emails), check_exact=True)


def _plain_left_out_pipeline(frames, hard_texts, never, review):
    """_left_out_pipeline's loop as first written: the resolver asked for every row."""
    from sheetcrm.core.issues import IssueLog
    from sheetcrm.values import is_blank
    log = IssueLog(_SETTINGS)
    pipe = frames[schema.PIPELINE]
    resolve = never_call.IdResolver(frames[schema.CANDIDATES]["candidate_id"])
    for row, raw, text in zip(pipe.index, pipe["candidate_id"], pipe["rejection_reason"]):
        hard = not is_blank(text) and str(text) in hard_texts
        cid, sure = resolve(never_call._id(raw), near=hard)
        if not cid:
            continue
        if sure:
            (never if hard else review).add(cid)
        elif hard:
            review.add(cid)
        if cid != never_call._id(raw) and (hard or sure):
            what = "must never be called" if hard and sure else "is held for review"
            log.add(schema.PIPELINE, int(row), "candidate_id", raw, "error",
                    f"candidate_id is not in Candidates; read as {cid} for safety: {cid} {what} until this row "
                    f"names its person", cid)
    return log.frame()


_SETTINGS = None
_ROW_IDS = st.sampled_from(["C-00001", "C-00002", " C-00001 ", "c-1", "C-00009", "", "  ", None, 2.0, 7, "C-0001x"])
_ROW_TEXTS = st.sampled_from([HARD["rejection_reason"], " " + HARD["rejection_reason"], SOFT["rejection_reason"],
                              "", "   ", None, float("nan"), 3, "asked not to be called again"])


@hsettings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(_ROW_IDS, _ROW_TEXTS), min_size=1, max_size=12),
       known=st.lists(st.sampled_from(["C-00001", "C-00002", "C-0002", "C-10", None, "  "]), max_size=5))
def test_left_out_pipeline_equals_asking_the_resolver_for_each_row(rows, known):
    global _SETTINGS
    from sheetcrm.config import Settings
    _SETTINGS = _SETTINGS or Settings()
    rules = load_rules(_SETTINGS)
    pipe = pd.DataFrame({"candidate_id": [r[0] for r in rows], "rejection_reason": [r[1] for r in rows]},
                        index=range(2, len(rows) + 2), dtype=object)
    frames = {schema.PIPELINE: pipe, schema.CANDIDATES: pd.DataFrame({"candidate_id": known}, dtype=object)}
    clean = {schema.PIPELINE: pipe.iloc[:0]}
    never, review = set(), set()
    got = never_call._left_out_pipeline(frames, clean, rules, _SETTINGS, never, review).frame()
    texts = {str(t) for t in pipe["rejection_reason"] if not never_call.is_blank(t)}
    hard_texts = {t for t in texts if never_call.reasons.classify(t, None, rules).cls == schema.HARD_NO}
    plain_never, plain_review = set(), set()
    expected = _plain_left_out_pipeline(frames, hard_texts, plain_never, plain_review)
    assert (never, review) == (plain_never, plain_review)
    pd.testing.assert_frame_equal(got, expected, check_exact=True)


@hsettings(max_examples=300, deadline=None)
@given(values=st.lists(st.one_of(_TYPED_ID, st.text(max_size=8), _TYPED_ID.map(lambda v: v + "\n" + v)), max_size=12))
def test_id_keys_reads_each_value_as_id_key_does(values):
    """The one-pass reading of many ids (IdResolver's keys of every known id) says what
    id_key says of each: the never-call resolution of a mistyped id rests on it."""
    assert never_call.id_keys(values) == [never_call.id_key(v) for v in values]


_CLASS_IDS = st.sampled_from(["C-1", "C-2", "C-3", "C-10", "é", "", " "]) | st.none()


@hsettings(max_examples=300, deadline=None)
@given(rules=st.lists(st.lists(_CLASS_IDS, max_size=5), min_size=6, max_size=6),
       review=st.sets(st.sampled_from(["C-1", "C-2", "C-4", "é"])))
def test_decide_names_the_first_rule_per_id_and_holds_the_rest_as_first_written(rules, review):
    """decide() against its first writing: the entries of every rule in order, blank ids
    out, the first rule per id kept, and the review holds of ids no rule forbids."""
    from unittest import mock

    from sheetcrm.config import Settings
    facts = _facts(Settings())
    facts.left_out = never_call.LeftOut(set(), set(review), pd.DataFrame())
    table = tuple((name, (lambda f, ids=ids: pd.Series(ids, dtype=object) if len(ids) % 2 else list(ids)))
                  for (name, _), ids in zip(never_call.NEVER_RULES, rules))
    with mock.patch.object(never_call, "NEVER_RULES", table):
        got = never_call.decide(facts)
    found = [pd.Series(name, index=pd.Index(list(rule(facts)), dtype=object), dtype=object) for name, rule in table]
    never = pd.concat(found)
    named = never.index.notna() & (never.index.astype(str).str.strip() != "")
    never = never[named & ~never.index.duplicated()]
    pd.testing.assert_series_equal(got.never, never, check_exact=True)
    assert got.hold == set(review) - set(never.index)


def _apply_as_first_written(circle, verdicts, latest_class):
    never = circle.index.isin(verdicts.never.index)
    unclassified = np.asarray(latest_class == schema.UNCLASSIFIED, dtype=bool)
    status = circle["circle_back_status"].to_numpy(dtype=object).copy()
    held = circle.index.isin(list(verdicts.hold)) & np.isin(status, schema.CALLABLE) & ~never
    status = np.where(never, never_call.NEVER, np.where(unclassified | held, never_call.REVIEW, status))
    circle = circle.copy()
    circle["circle_back_status"] = status
    if held.any():
        circle.loc[held, "next_circle_back"] = None
        circle.loc[held, "suggested_positions"] = pd.Series([[] for _ in range(int(held.sum()))],
                                                            index=circle.index[held], dtype=object)
    return circle


@hsettings(max_examples=200, deadline=None)
@given(people=st.lists(st.tuples(st.sampled_from(["due", "overdue", "scheduled", ""]),
                                 st.sampled_from([None, schema.SOFT_NO, schema.UNCLASSIFIED, schema.HARD_NO]),
                                 st.booleans(), st.booleans(), st.booleans()), max_size=8))
def test_apply_gives_what_it_first_gave_and_leaves_the_callers_frame_alone(people):
    """apply() without its deep copy: the same statuses, dates and suggestions as first
    written, and the frame it was given unchanged (never and review are the last word)."""
    import datetime as dt
    ids = pd.Index([f"C-{i}" for i in range(len(people))], dtype=object, name="candidate_id")
    circle = pd.DataFrame({"candidate_id": list(ids), "circle_back_status": [p[0] for p in people],
                           "next_circle_back": [dt.date(2026, 1, 1 + i) for i in range(len(people))],
                           "suggested_positions": [["P-1"] for _ in people]}, index=ids)
    circle["suggested_positions"] = pd.Series([["P-1"] for _ in people], index=ids, dtype=object)
    verdicts = never_call.Verdicts(pd.Series("hard_no", index=pd.Index([c for c, p in zip(ids, people) if p[2]],
                                                                     dtype=object), dtype=object),
                                   {c for c, p in zip(ids, people) if p[3]})
    latest = np.array([p[1] for p in people], dtype=object)
    before = circle.copy()
    got = never_call.apply(circle, verdicts, latest)
    pd.testing.assert_frame_equal(circle, before)
    pd.testing.assert_frame_equal(got, _apply_as_first_written(before, verdicts, latest))
