"""Backpocket matching (DESIGN §6): the rules as a table, and a property test that
`match` lists exactly the callable people who meet every rule, each with a true why.

One callable person (a soft-no for salary on a closed role long ago, so overdue) and
one open role per case; the case says whether the role is in their suggestions and
in `match`, and what `why` must say.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.rules import load_rules
from sheetcrm.core import analysis, circleback, matching, reasons, validate

from conftest import TODAY, make_frames

OLD_ROLE = {"position_id": "P-0", "title": "Old", "skills": "cobol", "location": "Remote", "status": "closed"}
BASE_CAND = {"candidate_id": "C-00001", "name": "Ada Lovelace", "email": "ada@example.com",
             "skills": "python, aws", "location": "Berlin, Germany", "years_experience": 5}
BASE_ROLE = {"position_id": "P-1", "title": "Backend", "skills": "python, aws", "location": "Berlin, Germany",
             "status": "open"}
SOFT_NO = {"candidate_id": "C-00001", "position_id": "P-0", "outcome": "rejected",
           "rejection_reason": "salary negotiation failed", "decided_on": dt.date(2025, 1, 10)}


def backpocket(cand: dict, role: dict, settings: Settings, today: dt.date = TODAY, pipeline=()):
    frames = make_frames(settings, candidates=[{**BASE_CAND, **cand}], positions=[OLD_ROLE, {**BASE_ROLE, **role}],
                         pipeline=[SOFT_NO, *pipeline])
    clean, issues = validate.validate(frames, settings, today)
    assert len(clean[schema.CANDIDATES]) == 1 and len(clean[schema.POSITIONS]) == 2, issues.to_string()
    pipe = reasons.classify_pipeline(clean[schema.PIPELINE], load_rules(settings))
    cc = reasons.candidate_classes(pipe, clean[schema.CANDIDATES])
    circle = circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS], cc, settings, today)
    found = matching.match_position("P-1", clean[schema.CANDIDATES], clean[schema.POSITIONS], pipe, circle,
                                    settings, today)
    return circle, found, clean


AGENCY = Settings(skill_synonyms={**Settings().skill_synonyms, "springboot": "spring", "kube": "k8s",
                                  "powerbi": "power bi"})
HALF = Settings(match_min_skill_coverage=0.75)

# (case, candidate fields, role fields, settings or None, fits, text that `why` holds)
CASES = [
    # seniority, both ways
    ("years above the minimum", {"years_experience": 8}, {"min_years": 5}, None, True, "years: 8 ≥ 5 needed"),
    ("years equal to the minimum", {"years_experience": 5}, {"min_years": 5}, None, True, "5 ≥ 5"),
    ("a senior role, 2 years", {"years_experience": 2}, {"min_years": 5, "title": "Senior Data Engineer"}, None,
     False, None),
    ("role without a minimum", {"years_experience": 1}, {}, None, True, "years: 1; no minimum"),
    ("person's years not known", {"years_experience": None}, {"min_years": 3}, None, True, "not known; role needs 3"),
    ("fractional years below", {"years_experience": 4.5}, {"min_years": 5}, None, False, None),
    # work modes
    ("onsite, same city", {}, {"work_mode": "onsite"}, None, True, "onsite in Berlin, Germany, same city"),
    ("onsite Munich, Berlin person", {}, {"location": "Munich, Germany", "work_mode": "onsite"}, None, False, None),
    ("hybrid Munich, Berlin person", {}, {"location": "Munich, Germany", "work_mode": "hybrid"}, None, False, None),
    ("hybrid, same city", {}, {"work_mode": "hybrid"}, None, True, "hybrid in Berlin, Germany, same city"),
    ("remote role in another country", {}, {"location": "Paris, France", "work_mode": "remote"}, None, True,
     "remote role"),
    ("blank mode, Remote location", {}, {"location": "Remote"}, None, True, "remote role"),
    ("blank mode, a city: onsite", {}, {"location": "Munich, Germany"}, None, False, None),
    ("remote-only person, onsite role", {"location": "Remote"}, {"work_mode": "onsite"}, None, False, None),
    ("no location, onsite role", {"location": None}, {}, None, False, None),
    ("role without a location", {}, {"location": None, "work_mode": "onsite"}, None, True, "role location not set"),
    # relocation
    ("open to relocation, same country", {"open_to_relocation": "yes"}, {"location": "Munich, Germany"}, None, True,
     "open to relocation"),
    ("open to relocation, other country", {"open_to_relocation": "yes"}, {"location": "Paris, France"}, None,
     False, None),
    ("relocation 'no'", {"open_to_relocation": "no"}, {"location": "Munich, Germany"}, None, False, None),
    # country-only locations
    ("person gave only a country", {"location": "Germany"}, {"location": "Munich, Germany"}, None, True,
     "same country (Germany)"),
    ("person gave only another country", {"location": "France"}, {"location": "Munich, Germany"}, None, False, None),
    ("person gave only a city, other city", {"location": "Berlin"}, {"location": "Munich, Germany"}, None,
     False, None),
    ("person gave only the role's city", {"location": "Munich"}, {"location": "Munich, Germany"}, None, True,
     "same city"),
    ("role names only a country", {}, {"location": "Germany"}, None, True, "same country"),
    ("same city name, other country", {"location": "London, Canada"}, {"location": "London, UK"}, None, False, None),
    # must-haves
    ("holds the must-have", {"skills": "kotlin, java"}, {"skills": "!kotlin, android"}, None, True,
     "must haves: kotlin"),
    ("half the skills but not the must-have", {"skills": "android, java"}, {"skills": "!kotlin, android"}, None,
     False, None),
    ("must-have through a synonym", {"skills": "golang, docker"}, {"skills": "!go, docker, grpc"}, None, True,
     "go (as golang)"),
    ("two must-haves, one missing", {"skills": "python, aws, sql"}, {"skills": "!python, !rust, aws, sql"}, None,
     False, None),
    # coverage and synonyms
    ("one skill of two is half", {"skills": "swift"}, {"skills": "swift, kotlin"}, None, True, "(1/2)"),
    ("one skill of three is not", {"skills": "swift"}, {"skills": "swift, kotlin, flutter"}, None, False, None),
    ("k8s = kubernetes", {"skills": "k8s, go"}, {"skills": "kubernetes, terraform"}, None, True,
     "kubernetes (as k8s)"),
    ("postgres = postgresql, js = javascript", {"skills": "postgres, js"}, {"skills": "postgresql, javascript"}, None,
     True, "(2/2)"),
    ("both spellings count once", {"skills": "k8s, kubernetes"}, {"skills": "kubernetes, terraform, go"}, None,
     False, None),
    ("role lists a skill twice by synonym", {"skills": "react"}, {"skills": "react, reactjs, vue"}, None, True,
     "(1/2)"),
    ("agency synonym springboot = spring", {"skills": "springboot"}, {"skills": "spring, java"}, AGENCY, True,
     "spring (as springboot)"),
    ("agency synonym chained kube -> k8s -> kubernetes", {"skills": "kube"}, {"skills": "kubernetes, helm"},
     AGENCY, True, "kubernetes (as kube)"),
    ("agency synonym unknown without config", {"skills": "springboot"}, {"skills": "spring, java"}, None, False, None),
    ("coverage setting 75 %", {"skills": "python, aws"}, {"skills": "python, aws, sql"}, HALF, False, None),
    # salary
    ("expectation under the cap", {"salary_expectation": 70000}, {"salary_max": 90000}, None, True,
     "expects 70,000 EUR ≤ 90,000 EUR max"),
    ("expectation equal to the cap", {"salary_expectation": 90000}, {"salary_max": 90000}, None, True, "≤"),
    ("expectation over the cap", {"salary_expectation": 90001}, {"salary_max": 90000}, None, False, None),
    ("no cap", {"salary_expectation": 200000}, {}, None, True, "no maximum set"),
    ("no expectation", {}, {"salary_max": 50000}, None, True, "expectation not known"),
    # availability horizon: listed with the date, never a reason to leave someone out
    ("available now", {"available_from": dt.date(2026, 10, 1)}, {}, None, True, "available from: now"),
    ("available within the horizon", {"available_from": dt.date(2027, 1, 15)}, {}, None, True,
     "available from: 2027-01-15"),
    ("available beyond the horizon", {"available_from": dt.date(2027, 4, 14)}, {}, None, True,
     "2027-04-14 (beyond 90 days: not due)"),
]


@pytest.mark.parametrize("case,cand,role,config,fits,why", CASES, ids=[c[0] for c in CASES])
def test_matching_rules(case, cand, role, config, fits, why):
    settings = config or Settings()
    circle, found, _ = backpocket(cand, role, settings)
    assert circle.at["C-00001", "circle_back_status"] == "overdue"
    assert ("P-1" in circle.at["C-00001", "suggested_positions"]) is fits
    assert (list(found["candidate_id"]) == ["C-00001"]) is fits
    if fits:
        assert why in found.at[0, "why"], found.at[0, "why"]


def test_the_table_has_enough_cases():
    assert len(CASES) >= 30


@pytest.mark.parametrize("reason,years,fits,point", [
    ("overqualified for a mid-level seat", 12, True, "too senior for that role last time (P-0): pitch a more senior "
                                                     "role, P-1 may fit"),
    ("too senior for the team", 12, True, "pitch a more senior role"),
    ("too junior at the time", 2, False, "not enough experience last time (P-0): ask what they have done since"),
    ("too junior at the time", 9, True, "not enough experience last time (P-0): ask what they have done since; "
                                        "P-1 may fit"),
])
def test_seniority_both_ways_on_a_senior_role(settings, reason, years, fits, point):
    """An over-qualified soft-no is pitched the senior role; an under-qualified one only
    once their years reach min_years (DESIGN §6)."""
    soft = {**SOFT_NO, "rejection_reason": reason}
    frames = make_frames(settings, candidates=[{**BASE_CAND, "years_experience": years}],
                         positions=[OLD_ROLE, {**BASE_ROLE, "title": "Senior Backend", "min_years": 8}],
                         pipeline=[soft])
    clean, _ = validate.validate(frames, settings, TODAY)
    pipe = reasons.classify_pipeline(clean[schema.PIPELINE], load_rules(settings))
    circle = circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS],
                                     reasons.candidate_classes(pipe, clean[schema.CANDIDATES]), settings, TODAY)
    assert (circle.at["C-00001", "suggested_positions"] == ["P-1"]) is fits
    assert circle.at["C-00001", "talking_point"].startswith(point) or point in circle.at["C-00001", "talking_point"]
    found = matching.match_position("P-1", clean[schema.CANDIDATES], clean[schema.POSITIONS], pipe, circle,
                                    settings, TODAY)
    assert (len(found) == 1) is fits
    if fits:
        assert f"years: {years} ≥ 8 needed" in found.at[0, "why"]


def test_turned_down_for_this_role_never_matches(settings):
    earlier = {**SOFT_NO, "position_id": "P-1", "decided_on": dt.date(2025, 2, 1)}
    circle, found, _ = backpocket({}, {}, settings, pipeline=[earlier])
    assert found.empty and circle.at["C-00001", "suggested_positions"] == []


@pytest.mark.parametrize("available,due", [(None, 1), (dt.date(2027, 1, 15), 1), (dt.date(2027, 4, 14), 0)])
def test_backpocket_due_leaves_out_people_available_only_later(settings, available, due):
    circle, _, clean = backpocket({"available_from": available}, {}, settings)
    later = matching.available_later(clean[schema.CANDIDATES], TODAY, settings)
    assert matching.backpocket_counts(circle, clean[schema.POSITIONS])["P-1"] == 1
    assert matching.backpocket_counts(circle, clean[schema.POSITIONS], due_only=True, later=later)["P-1"] == due


def test_backpocket_matches_counts_scheduled_people_too(settings):
    recent = {**SOFT_NO, "decided_on": dt.date(2026, 10, 1)}  # salary: next call in 2027
    frames = make_frames(settings, candidates=[BASE_CAND], positions=[OLD_ROLE, BASE_ROLE], pipeline=[recent])
    clean, _ = validate.validate(frames, settings, TODAY)
    pipe = reasons.classify_pipeline(clean[schema.PIPELINE], load_rules(settings))
    circle = circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS],
                                     reasons.candidate_classes(pipe, clean[schema.CANDIDATES]), settings, TODAY)
    assert circle.at["C-00001", "circle_back_status"] == "scheduled"
    assert matching.backpocket_counts(circle, clean[schema.POSITIONS])["P-1"] == 1
    assert matching.backpocket_counts(circle, clean[schema.POSITIONS], due_only=True)["P-1"] == 0


# -- the property: every row true, nobody missing --------------------------------

SKILL_WORDS = ["python", "py", "k8s", "kubernetes", "go", "golang", "sql"]
PLACES = [None, "Remote", "Berlin, Germany", "Munich, Germany", "Munich, Germany", "Berlin, Germany", "Germany",
          "Munich", "Paris, France", "France"]
STATUSES = ["due", "overdue", "scheduled", "never", "review", ""]


def _slow_fits(c: dict, p: dict, settings: Settings, turned: set) -> bool:
    """The §6 rules again, one pair at a time, written from the text (not the code)."""
    syn = dict(settings.skill_synonyms)

    def name(s):
        s = s.lstrip("!")
        while s in syn and syn[s] != s:
            s = syn[s]
        return s
    need = {}
    for s in p["skills"]:
        need[name(s)] = need.get(name(s), False) or s.startswith("!")
    have = {name(s) for s in c["skills"]}
    if not need or not have or (c["candidate_id"], p["position_id"]) in turned:
        return False
    if len(have & set(need)) / len(need) < settings.match_min_skill_coverage or \
            any(must and s not in have for s, must in need.items()):
        return False
    if c["years"] is not None and p["min_years"] is not None and c["years"] < p["min_years"]:
        return False
    if c["salary"] is not None and p["salary_max"] is not None and c["salary"] > p["salary_max"]:
        return False
    mode = p["work_mode"] or ("remote" if p["location"] == "Remote" else "onsite")
    if mode == "remote" or p["location"] in (None, "Remote"):  # a hybrid role "in Remote" names no place
        return True
    where = [x.strip().lower() for x in (c["location"] or "").split(",")] if c["location"] not in (None, "Remote") \
        else []
    role = [x.strip().lower() for x in p["location"].split(",")]
    if not where:
        return False
    if len(role) == 1:
        return role[0] in where
    if where[0] == role[0] and (len(where) == 1 or where[-1] == role[-1]):
        return True
    return where[-1] == role[-1] and (len(where) == 1 or c["moves"])


@st.composite
def books(draw):
    n_c, n_p = draw(st.integers(1, 6)), draw(st.integers(1, 4))
    skills = st.lists(st.sampled_from(SKILL_WORDS + ["!python", "!go", "!k8s"]), min_size=0, max_size=3)
    cands = [{"candidate_id": f"C-{i:05d}", "skills": draw(skills), "location": draw(st.sampled_from(PLACES)),
              "years": draw(st.sampled_from([None, 0, 2, 5, 9])), "salary": draw(st.sampled_from([None, 50000, 90000])),
              "moves": draw(st.booleans()), "status": draw(st.sampled_from(STATUSES))} for i in range(1, n_c + 1)]
    cands[0]["status"] = "due"  # at least one callable person in every book
    roles = [{"position_id": f"P-{i}", "skills": draw(skills), "location": draw(st.sampled_from(PLACES)),
              "work_mode": draw(st.sampled_from([None, "remote", "hybrid", "onsite"])),
              "min_years": draw(st.sampled_from([None, 3, 6])), "salary_max": draw(st.sampled_from([None, 60000, 95000]))}
             for i in range(1, n_p + 1)]
    turned = draw(st.sets(st.tuples(st.sampled_from([c["candidate_id"] for c in cands]),
                                    st.sampled_from([p["position_id"] for p in roles])), max_size=3))
    return cands, roles, turned


@hyp_settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(books())
def test_match_lists_exactly_the_callable_people_who_meet_every_rule(book):
    cands, roles, turned = book
    settings = Settings()
    frames = make_frames(settings, candidates=[
        {"candidate_id": c["candidate_id"], "name": f"Person {c['candidate_id']}", "email": f"{c['candidate_id']}@example.com",
         "skills": ", ".join(c["skills"]), "location": c["location"], "years_experience": c["years"],
         "salary_expectation": c["salary"], "open_to_relocation": "yes" if c["moves"] else None} for c in cands],
        positions=[{"position_id": p["position_id"], "title": "Role", "skills": ", ".join(p["skills"]),
                    "location": p["location"], "work_mode": p["work_mode"], "min_years": p["min_years"],
                    "salary_max": p["salary_max"], "status": "open"} for p in roles],
        pipeline=[{"candidate_id": c, "position_id": p, "outcome": "rejected", "rejection_reason": "salary",
                   "decided_on": dt.date(2025, 1, 1)} for c, p in sorted(turned)])
    clean, _ = validate.validate(frames, settings, TODAY)
    statuses = {c["candidate_id"]: c["status"] for c in cands}
    circle = pd.DataFrame({"circle_back_status": statuses, "next_circle_back": {k: TODAY for k in statuses}})
    for p in roles:
        found = matching.match_position(p["position_id"], clean[schema.CANDIDATES], clean[schema.POSITIONS],
                                        clean[schema.PIPELINE], circle, settings, TODAY)
        want = {c["candidate_id"] for c in cands if c["status"] in schema.CALLABLE and _slow_fits(c, p, settings, turned)}
        assert set(found["candidate_id"]) == want, (p, found.to_dict("records"))
        ranks = [matching.STATUS_ORDER[s] for s in found["circle_back_status"]]
        assert ranks == sorted(ranks)  # overdue, due, scheduled
        by_id = {c["candidate_id"]: c for c in cands}
        for rec in found.to_dict("records"):
            c = by_id[rec["candidate_id"]]
            assert rec["skill_coverage"] >= settings.match_min_skill_coverage
            covered = int(rec["skills_covered"].rsplit("(", 1)[1].split("/")[0])
            needed = int(rec["skills_covered"].rsplit("/", 1)[1].rstrip(")"))
            assert round(covered / needed, 3) == rec["skill_coverage"]
            if p["min_years"] is not None and c["years"] is not None:
                assert f"{c['years']:g} ≥ {p['min_years']:g} needed" in rec["why"]
            if c["salary"] is not None and p["salary_max"] is not None:
                assert f"expects {c['salary']:,} EUR ≤ {p['salary_max']:,} EUR max" in rec["why"]
            assert rec["location"] and rec["location"] in rec["why"]


# -- the property again, through a whole sync's computation ----------------------
# Here nothing is simulated: the reasons are read by the rules, who may be called is
# decided by circle-backs and the never-call policy, and the Positions tab's
# backpocket_matches / backpocket_due come from analyse(). The expectation is
# recomputed from DESIGN §6's words alone.

REASONS = {"salary": ("rejected", "salary too high", "soft"), "over": ("rejected", "overqualified", "soft"),
           "ghost": ("ghosted", None, "soft"), "hard": ("rejected", "asked us never to contact him again", "hard"),
           "unclear": ("rejected", "see email thread", "review")}
ROLE_STATUSES = ["open", "open", "on_hold", "filled", "closed"]


@st.composite
def sheets(draw):
    cands, roles, _ = draw(books())
    for r in roles:
        r["status"] = draw(st.sampled_from(ROLE_STATUSES))
    roles.append({"position_id": "P-OLD", "skills": ["cobol"], "location": None, "work_mode": None,
                  "min_years": None, "salary_max": None, "status": "closed"})
    pids = [r["position_id"] for r in roles]
    rows = []
    for c in cands:
        c["dnc"] = draw(st.booleans()) and draw(st.booleans())
        c["available"] = draw(st.sampled_from([None, dt.date(2026, 12, 1), dt.date(2027, 6, 1)]))
        # one decided row on the old role (so everyone has a decision), then 0-2 more, distinct days
        kinds = [draw(st.sampled_from(list(REASONS)))] + draw(st.lists(st.sampled_from([*REASONS, "open", "hired"]),
                                                                     max_size=2))
        for k, kind in enumerate(kinds):
            pid = "P-OLD" if k == 0 else draw(st.sampled_from(pids))
            day = dt.date(2025, 1, 1) + dt.timedelta(days=40 * k + draw(st.integers(0, 30)))
            rows.append({"candidate_id": c["candidate_id"], "position_id": pid, "kind": kind, "day": day})
    return cands, roles, rows


def _callable(c: dict, rows: list[dict], status_of: dict) -> bool:
    """DESIGN §6 eligibility, from the text."""
    mine = [r for r in rows if r["candidate_id"] == c["candidate_id"]]
    if c["dnc"] or any(r["kind"] == "hired" for r in mine):
        return False
    if any(r["kind"] in REASONS and REASONS[r["kind"]][2] == "hard" for r in mine):
        return False
    if any(r["kind"] == "open" and status_of[r["position_id"]] in ("open", "on_hold") for r in mine):
        return False
    decided = [r for r in mine if r["kind"] in REASONS]
    return REASONS[max(decided, key=lambda r: r["day"])["kind"]][2] == "soft"


def _sheet_frames(cands, roles, rows, settings):
    def pipe_row(r):
        if r["kind"] == "open":
            return {"candidate_id": r["candidate_id"], "position_id": r["position_id"], "first_contacted": r["day"]}
        outcome, text, _ = REASONS.get(r["kind"], ("hired", None, None))
        return {"candidate_id": r["candidate_id"], "position_id": r["position_id"], "outcome": outcome,
                "rejection_reason": text, "decided_on": r["day"], "first_contacted": r["day"]}
    return make_frames(settings, candidates=[
        {"candidate_id": c["candidate_id"], "name": f"Person {c['candidate_id']}", "email": f"{c['candidate_id']}@example.com",
         "skills": ", ".join(c["skills"]), "location": c["location"], "years_experience": c["years"],
         "salary_expectation": c["salary"], "open_to_relocation": "yes" if c["moves"] else None,
         "do_not_contact": "yes" if c["dnc"] else None, "available_from": c["available"]} for c in cands],
        positions=[{"position_id": p["position_id"], "title": "Role", "skills": ", ".join(p["skills"]),
                    "location": p["location"], "work_mode": p["work_mode"], "min_years": p["min_years"],
                    "salary_max": p["salary_max"], "status": p["status"]} for p in roles],
        pipeline=[pipe_row(r) for r in rows])


@pytest.mark.slow
@hyp_settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sheets())
def test_match_and_backpocket_counts_through_a_whole_sync(sheet):
    """Every callable person who fits is in `match` and in backpocket_matches (due or
    not), each row's why is true, and nobody who cannot be called or does not fit is there."""
    cands, roles, rows = sheet
    settings = Settings()
    a = analysis.analyse(_sheet_frames(cands, roles, rows, settings), settings, TODAY, rules=load_rules(settings))
    assert not (a.issues["severity"] == "error").any(), a.issues.to_string()
    status_of = {p["position_id"]: p["status"] for p in roles}
    turned = {(r["candidate_id"], r["position_id"]) for r in rows if r["kind"] in REASONS}
    callable_ids = {c["candidate_id"] for c in cands if _callable(c, rows, status_of)}
    assert {cid for cid, s in a.circle["circle_back_status"].items() if s in schema.CALLABLE} == callable_ids
    positions = a.clean[schema.POSITIONS]
    counts = dict(zip(positions["position_id"], a.owned[schema.POSITIONS].loc[positions.index, "backpocket_matches"]))
    by_id = {c["candidate_id"]: c for c in cands}
    for p in roles:
        want = {cid for cid in callable_ids if _slow_fits(by_id[cid], p, settings, turned)}
        found = matching.match_position(p["position_id"], a.clean[schema.CANDIDATES], positions,
                                        a.clean[schema.PIPELINE], a.circle, settings, TODAY)
        assert set(found["candidate_id"]) == want, (p, found.to_dict("records"))
        if p["status"] == "open":
            assert counts[p["position_id"]] == len(want)
        for rec in found.to_dict("records"):
            c = by_id[rec["candidate_id"]]
            musts = sorted({matching.canonical_skill(s, settings.skill_synonyms) for s in p["skills"]
                            if s.startswith("!")})
            assert rec["must_haves"] == (", ".join(musts) or "none")
            have = {matching.canonical_skill(s, settings.skill_synonyms) for s in c["skills"]}
            assert set(musts) <= have
            shown = rec["available_from"]
            assert shown == "now" if c["available"] is None or c["available"] <= TODAY else \
                shown.startswith(c["available"].isoformat())
            assert rec["circle_back_status"] == a.circle.at[rec["candidate_id"], "circle_back_status"]


# -- issue 17: a shortlist a hiring manager can read ------------------------------------------

def test_match_shortlist_has_no_contact_unless_asked(tmp_path):
    import csv

    from click.testing import CliRunner

    from sheetcrm import api
    from sheetcrm.cli import cli
    from sheetcrm.config import Settings
    from conftest import TODAY, make_memory

    people = [{"candidate_id": f"C-0000{i}", "name": f"Ann{i} Test", "email": f"ann{i}@example.com",
               "phone": f"+44 7700 90000{i}", "skills": "python", "location": "Remote"} for i in (1, 2)]
    people[1]["do_not_contact"] = "yes"
    role = {"position_id": "P1", "title": "Backend", "status": "open", "skills": "python", "location": "Remote"}
    backend = make_memory(Settings(), candidates=people, positions=[role])
    path = tmp_path / "short.csv"
    result = api.match_report(Settings(), "P1", TODAY, backend=backend, shortlist=str(path))
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert result.calendar_events == 1 and [r["candidate_id"] for r in rows] == ["C-00001"]
    assert "email" not in rows[0] and "example.com" not in path.read_text(encoding="utf-8-sig")
    assert "+44" not in path.read_text(encoding="utf-8-sig") and rows[0]["skills_covered"]
    api.match_report(Settings(), "P1", TODAY, backend=backend, shortlist=str(path), with_contact=True)
    rows = list(csv.DictReader(path.open(encoding="utf-8-sig")))
    assert rows[0]["email"] == "ann1@example.com" and rows[0]["phone"] == "'+44 7700 900001"  # CSV-safe: no cell starts a formula
    import sheetcrm.workbook.backends as backends

    old, backends.open_backend = backends.open_backend, (lambda settings: backend)
    try:
        out = CliRunner().invoke(cli, ["match", "P1", "--shortlist", str(tmp_path / "c.csv"), "--today", "2026-11-22"])
    finally:
        backends.open_backend = old
    assert out.exit_code == 0 and "wrote 1 people to" in out.stderr


# -- the fast pair search equals the plain one -------------------------------------------------

def _plain_match_pairs(candidates, positions, pipeline, settings, only_open=True):
    """match_pairs as first written: np.unique over the skill matches, every rule on every pair."""
    import numpy as np
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    if only_open:
        pos = pos[pos["status"] == "open"]
    cands = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id")
    syn = settings.skill_synonyms
    c_row, c_skill, _ = matching._exploded(cands, syn)
    p_row, p_skill, p_must = matching._exploded(pos, syn)
    if not len(c_row) or not len(p_row):
        return pd.DataFrame(columns=list(matching.PAIR_COLUMNS))
    n_pos = len(pos)
    needed_all = np.bincount(p_row, minlength=n_pos)
    must_all = np.bincount(p_row, weights=p_must, minlength=n_pos).astype("int64")
    codes, _ = pd.factorize(np.concatenate([c_skill, p_skill]))
    joined = pd.DataFrame({"skill": codes[: len(c_row)], "c": c_row}).merge(
        pd.DataFrame({"skill": codes[len(c_row):], "p": p_row, "must": p_must}), on="skill")
    if not len(joined):
        return pd.DataFrame(columns=list(matching.PAIR_COLUMNS))
    key = joined["c"].to_numpy().astype("int64") * n_pos + joined["p"].to_numpy()
    pairs, at, covered = np.unique(key, return_inverse=True, return_counts=True)
    musts = np.bincount(at.ravel(), weights=joined["must"].to_numpy(dtype="int64"), minlength=len(pairs))
    c, p = (pairs // n_pos).astype("int64"), (pairs % n_pos).astype("int64")
    needed = needed_all[p]
    coverage = covered / needed
    keep = (coverage >= settings.match_min_skill_coverage - 1e-9) & (musts.astype("int64") == must_all[p])
    keep &= matching._years_fit(cands, pos, c, p) & matching._salary_fit(cands, pos, c, p)
    location = matching._location_fit(cands, pos, c, p)
    keep &= location != ""
    # turned down for the role: looked up pair by pair, not with matching's own arrays
    turned = {(cid, pid) for cid, pid, outcome in zip(pipeline["candidate_id"], pipeline["position_id"],
                                                     pipeline["outcome"]) if outcome in matching.TURNED_DOWN}
    keep &= ~np.array([(a, b) in turned for a, b in zip(cands["candidate_id"].to_numpy()[c],
                                                          pos["position_id"].to_numpy()[p])], dtype=bool)
    out = pd.DataFrame({
        "candidate_id": cands["candidate_id"].to_numpy()[c[keep]],
        "position_id": pos["position_id"].to_numpy()[p[keep]],
        "skill_coverage": coverage[keep], "covered": covered[keep], "needed": needed[keep],
        "must": must_all[p[keep]], "location_fit": location[keep],
    })
    out = out.sort_values(["candidate_id", "skill_coverage", "position_id"], ascending=[True, False, True],
                          kind="stable").reset_index(drop=True)
    return out[list(matching.PAIR_COLUMNS)]


_SKILLS = st.lists(st.sampled_from(["python", "!python", "k8s", "kubernetes", "!kotlin", "aws", "go", "", "Go "]),
                   max_size=4).map(tuple) | st.none()
_PLACE = st.sampled_from([None, "Berlin", "Germany", "Paris", "France"])
_NUM = st.none() | st.integers(0, 12) | st.floats(0, 12)


@st.composite
def _pair_frames(draw):
    n_c, n_p = draw(st.integers(0, 12)), draw(st.integers(0, 6))
    cids = draw(st.lists(st.sampled_from([None, *[f"C-{i}" for i in range(10)]]), min_size=n_c, max_size=n_c))
    cands = pd.DataFrame({
        "candidate_id": pd.Series(cids, dtype=object), "skills": [draw(_SKILLS) for _ in cids],
        "years_experience": [draw(_NUM) for _ in cids], "salary_expectation": [draw(_NUM) for _ in cids],
        "city": [draw(_PLACE) for _ in cids], "country": [draw(_PLACE) for _ in cids],
        "open_to_relocation": [draw(st.sampled_from([None, True, False])) for _ in cids]})
    pids = draw(st.lists(st.sampled_from([None, *[f"P-{i}" for i in range(6)]]), min_size=n_p, max_size=n_p))
    pos = pd.DataFrame({
        "position_id": pd.Series(pids, dtype=object), "skills": [draw(_SKILLS) for _ in pids],
        "status": [draw(st.sampled_from(["open", "open", "filled", None])) for _ in pids],
        "min_years": [draw(_NUM) for _ in pids], "salary_max": [draw(_NUM) for _ in pids],
        "city": [draw(_PLACE) for _ in pids], "country": [draw(_PLACE) for _ in pids],
        "remote": [draw(st.sampled_from([None, True, False])) for _ in pids],
        "work_mode": [draw(st.sampled_from([None, "remote", "hybrid", "onsite"])) for _ in pids]})
    turned = draw(st.lists(st.tuples(st.sampled_from([c for c in cids if c] or ["C-0"]),
                                     st.sampled_from([p for p in pids if p] or ["P-0"]),
                                     st.sampled_from(["rejected", "declined", "open", "hired"])), max_size=8))
    pipe = pd.DataFrame(turned, columns=["candidate_id", "position_id", "outcome"])
    return cands, pos, pipe


@hyp_settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(frames=_pair_frames(), coverage=st.sampled_from([0.5, 0.75, 1.0]), only_open=st.booleans())
def test_match_pairs_equals_the_plain_search(frames, coverage, only_open):
    cands, pos, pipe = frames
    config = Settings(match_min_skill_coverage=coverage)
    got = matching.match_pairs(cands, pos, pipe, config, only_open=only_open)
    want = _plain_match_pairs(cands, pos, pipe, config, only_open=only_open)
    pd.testing.assert_frame_equal(got, want, check_exact=True)


@hyp_settings(max_examples=200, deadline=None)
@given(key=st.lists(st.integers(0, 40), max_size=60), extra=st.sampled_from([0, 1, 10**7]))
def test_pair_counts_equal_unique_and_bincount(key, extra):
    import numpy as np
    key = np.asarray(key, dtype="int64")
    must = (key % 3 == 0).astype("int64")
    pairs, covered, musts = matching._pair_counts(key, must, 41 + extra)
    want, at, counts = np.unique(key, return_inverse=True, return_counts=True)
    np.testing.assert_array_equal(pairs, want)
    np.testing.assert_array_equal(covered, counts)
    want_musts = np.bincount(at.ravel(), weights=must, minlength=len(want))
    np.testing.assert_array_equal(musts, want_musts)
    assert (pairs.dtype, covered.dtype, musts.dtype) == (want.dtype, counts.dtype, want_musts.dtype)


def test_match_pairs_equals_the_plain_search_when_many_people_share_skill_lists():
    """Bench-like: thousands of people over a few dozen skill lists (the skill rules are
    decided once per distinct list), every other rule varied per person."""
    import numpy as np
    rng = np.random.default_rng(20)
    names = ["python", "!python", "k8s", "kubernetes", "!kotlin", "aws", "go", "sql", "react", ""]
    lists = [tuple(rng.choice(names, size=rng.integers(0, 5), replace=False)) for _ in range(40)] + [None]
    places = np.array([None, "Berlin", "Germany", "Paris", "France"], dtype=object)
    n, m = 3000, 30
    cands = pd.DataFrame({
        "candidate_id": [f"C-{i}" for i in range(n)], "skills": [lists[i] for i in rng.integers(0, len(lists), n)],
        "years_experience": rng.choice([np.nan, 1, 3, 8], n), "salary_expectation": rng.choice([np.nan, 5e4, 9e4], n),
        "city": rng.choice(places, n), "country": rng.choice(places, n),
        "open_to_relocation": rng.choice(np.array([None, True, False], dtype=object), n)})
    pos = pd.DataFrame({
        "position_id": [f"P-{i}" for i in range(m)], "skills": [lists[i] for i in rng.integers(0, len(lists) - 1, m)],
        "status": rng.choice(["open", "open", "filled"], m), "min_years": rng.choice([np.nan, 2, 5], m),
        "salary_max": rng.choice([np.nan, 6e4, 1e5], m), "city": rng.choice(places, m), "country": rng.choice(places, m),
        "remote": rng.choice(np.array([None, True, False], dtype=object), m),
        "work_mode": rng.choice(np.array([None, "remote", "hybrid", "onsite"], dtype=object), m)})
    pipe = pd.DataFrame({"candidate_id": [f"C-{i}" for i in rng.integers(0, n, 2000)],
                         "position_id": [f"P-{i}" for i in rng.integers(0, m, 2000)],
                         "outcome": rng.choice(["rejected", "declined", "open", "hired"], 2000)})
    for coverage in (0.5, 1.0):
        config = Settings(match_min_skill_coverage=coverage)
        got = matching.match_pairs(cands, pos, pipe, config)
        assert len(got)
        pd.testing.assert_frame_equal(got, _plain_match_pairs(cands, pos, pipe, config), check_exact=True)
