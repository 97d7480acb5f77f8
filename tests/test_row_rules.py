"""Rules across columns (DESIGN §2, issue 20): the issues the rules log equal a plain
row-by-row reading of the rule, with the values shown as the Issues tab shows them."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.core.distinct import factorise
from sheetcrm.core.issues import IssueLog
from sheetcrm.core.row_rules import pipeline_rules, touchpoint_rules

DAYS = st.one_of(st.none(), st.dates(dt.date(2026, 1, 1), dt.date(2026, 1, 6)))
COUNTS = st.one_of(st.none(), st.integers(0, 4))
ROW = st.tuples(DAYS, DAYS, COUNTS, COUNTS, st.sampled_from([None, "open", "hired", "rejected"]))


def _days(values: list) -> pd.Series:
    return pd.Series([pd.Timestamp(d) if d else pd.NaT for d in values], dtype="datetime64[ns]")


def _ymd(d: dt.date) -> str:
    return f"{d:%Y-%m-%d}"


@hsettings(max_examples=150, deadline=None)
@given(st.lists(ROW, max_size=12))
def test_pipeline_date_and_attempt_rules_equal_a_plain_reading_row_by_row(rows):
    index = pd.Index(range(2, len(rows) + 2), dtype="int64")
    first, decided, attempts, responded, outcome = (list(c) for c in zip(*rows)) if rows else ([],) * 5
    pipe = pd.DataFrame({"first_contacted": _days(first).to_numpy(), "decided_on": _days(decided).to_numpy(),
                         "attempts": pd.array(attempts, dtype="Int64"),
                         "responded_on_attempt": pd.array(responded, dtype="Int64"),
                         "outcome": pd.Series(outcome, dtype=object).to_numpy(),
                         "rejection_reason": pd.Series(["why"] * len(rows), dtype=object).to_numpy()}, index=index)
    raw = pd.DataFrame({"decided_on": pd.Series(decided, dtype=object).to_numpy()}, index=index)
    log = IssueLog(Settings())
    pipeline_rules(log, pipe, raw, {"decided_on": factorise(raw["decided_on"])})
    got = {(r[1], r[2], r[3], r[5]) for r in log.rows if "before first_contacted" in r[5] or "more than" in r[5]}
    want = set()
    for row, (f, d, a, r, _) in zip(index, rows):
        if f and d and d < f:
            want.add((row, "decided_on", _ymd(d), f"decided_on is before first_contacted ({_ymd(f)})"))
        if a is not None and r is not None and r > a:
            want.add((row, "responded_on_attempt", str(r), f"responded_on_attempt ({r}) is more than attempts ({a})"))
    assert got == want


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(DAYS, DAYS), max_size=12))
def test_a_follow_up_before_its_touchpoint_is_a_warning_showing_its_date(rows):
    index = pd.Index(range(2, len(rows) + 2), dtype="int64")
    days, follow = (list(c) for c in zip(*rows)) if rows else ([], [])
    touch = pd.DataFrame({"date": _days(days).to_numpy(), "follow_up_on": _days(follow).to_numpy(),
                          "outcome": ["reached"] * len(rows), "channel": ["call"] * len(rows)}, index=index)
    log = IssueLog(Settings())
    touchpoint_rules(log, touch)
    got = [(r[1], r[3]) for r in log.rows if r[2] == "follow_up_on"]
    assert got == [(row, _ymd(f)) for row, (d, f) in zip(index, rows) if d and f and f < d]
    assert all(r[0] == Settings().tab_title(schema.TOUCHPOINTS) for r in log.rows)


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(["C-1", "C-2", "c 1", "C-9", None]), max_size=6),
       st.lists(st.sampled_from(["C-1", "C-2", None]), max_size=4))
def test_references_log_each_id_not_known_and_nothing_for_an_empty_tab(typed, known):
    from sheetcrm.core.row_rules import references
    settings = Settings()
    log = IssueLog(settings)
    rows = pd.DataFrame({"candidate_id": typed}, index=range(2, len(typed) + 2), dtype=object)
    references(log, rows, "candidate_id", pd.Series(known, dtype=object), schema.CANDIDATES, settings)
    got = log.frame()
    assert got["row"].tolist() == [r for r, v in zip(rows.index, typed) if v is not None and v not in known]
