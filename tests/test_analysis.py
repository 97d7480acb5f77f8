"""analysis: the owned columns written back to the input tabs equal the plain, cell by cell build."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.core import alerts, analysis
from sheetcrm.core.issues import issues_frame, row_issue_texts

SETTINGS = Settings()


def _plain_owned_columns(frames, clean, issues, cand_class, circle, backpocket, settings, backpocket_due=None):
    """_owned_columns as first written: blank frames, .loc per column, then blanks and "" as None."""
    out = {}
    for key in schema.INPUT_TABS:
        raw = frames[key]
        cols = [c.name for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns]
        df = pd.DataFrame({c: pd.Series(None, index=raw.index, dtype=object) for c in cols}, index=raw.index)
        df["row_issues"] = pd.Series(row_issue_texts(issues, settings, key), dtype=object).reindex(raw.index)
        out[key] = df
    cands, cand_out = clean[schema.CANDIDATES], out[schema.CANDIDATES]
    ids = cands["candidate_id"]
    cand_out.loc[cands.index, "rejection_class"] = ids.map(cand_class).values
    by_id = circle.reindex(ids.values)
    cand_out.loc[cands.index, "circle_back_status"] = by_id["circle_back_status"].values
    cand_out.loc[cands.index, "next_circle_back"] = by_id["next_circle_back"].map(analysis._day).values
    pos, pos_out = clean[schema.POSITIONS], out[schema.POSITIONS]
    pos = pos[pos["status"].isin(alerts.LIVE).to_numpy(dtype=bool)]
    pos_out.loc[pos.index, "backpocket_matches"] = pos["position_id"].map(backpocket).map(analysis._int).values
    if backpocket_due is not None:
        pos_out.loc[pos.index, "backpocket_due"] = pos["position_id"].map(backpocket_due).map(analysis._int).values
    pipe, pipe_out = clean[schema.PIPELINE], out[schema.PIPELINE]
    pipe_out.loc[pipe.index, "rejection_class"] = pipe["rejection_class"].values
    pipe_out.loc[pipe.index, "rejection_category"] = pipe["rejection_category"].values
    for df in out.values():
        df[:] = df.astype(object).where(df.notna(), None)
        df.replace({"": None}, inplace=True)
    return out


_IDS = [f"C-{i}" for i in range(6)]
_POS = [f"P-{i}" for i in range(4)]
_TEXT = st.sampled_from([None, "", "hard_no", "soft_no", "salary", float("nan")])


@st.composite
def _inputs(draw):
    rows = {k: sorted(draw(st.sets(st.integers(2, 30), max_size=8))) for k in schema.INPUT_TABS}
    frames = {k: pd.DataFrame({"x": [0] * len(r)}, index=pd.Index(r, dtype="int64")) for k, r in rows.items()}
    kept = {k: [r for r in rows[k] if draw(st.booleans())] for k in schema.INPUT_TABS}
    clean = {
        schema.CANDIDATES: pd.DataFrame({"candidate_id": [draw(st.sampled_from(_IDS)) for _ in kept[schema.CANDIDATES]]},
                                        index=pd.Index(kept[schema.CANDIDATES], dtype="int64")),
        schema.POSITIONS: pd.DataFrame({"position_id": [draw(st.sampled_from(_POS)) for _ in kept[schema.POSITIONS]],
                                        "status": [draw(st.sampled_from(["open", "on_hold", "filled", None]))
                                                   for _ in kept[schema.POSITIONS]]},
                                       index=pd.Index(kept[schema.POSITIONS], dtype="int64")),
        schema.PIPELINE: pd.DataFrame({"rejection_class": [draw(_TEXT) for _ in kept[schema.PIPELINE]],
                                       "rejection_category": [draw(_TEXT) for _ in kept[schema.PIPELINE]]},
                                      index=pd.Index(kept[schema.PIPELINE], dtype="int64")),
    }
    tabs = [SETTINGS.tab_title(k) for k in schema.INPUT_TABS]
    issues = issues_frame(draw(st.lists(st.tuples(
        st.sampled_from(tabs), st.integers(2, 30), st.just("c"), st.just(""), st.sampled_from(["error", "warning"]),
        st.sampled_from(["bad", "x" * 200, "worse"]), st.just("")), max_size=12)))
    known = draw(st.lists(st.sampled_from(_IDS), unique=True))
    cand_class = pd.Series([draw(_TEXT) for _ in known], index=pd.Index(known, dtype=object), dtype=object)
    circled = draw(st.lists(st.sampled_from(_IDS), unique=True))
    circle = pd.DataFrame({
        "circle_back_status": pd.Series([draw(st.sampled_from(["", "due", "never"])) for _ in circled], dtype=object),
        "next_circle_back": pd.Series([draw(st.none() | st.dates(dt.date(2026, 1, 1), dt.date(2027, 1, 1)))
                                       for _ in circled], dtype=object)}, index=pd.Index(circled, dtype=object))
    counts = draw(st.lists(st.sampled_from(_POS), unique=True))
    backpocket = pd.Series([draw(st.integers(0, 5)) for _ in counts], index=pd.Index(counts, dtype=object), dtype="int64")
    due = draw(st.none() | st.just(backpocket // 2))
    return frames, clean, issues, cand_class, circle, backpocket, SETTINGS, due


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(args=_inputs())
def test_owned_columns_equal_the_plain_build(args):
    got = analysis._owned_columns(*args)
    want = _plain_owned_columns(*args)
    assert list(got) == list(want)
    for key in want:
        pd.testing.assert_frame_equal(got[key], want[key], check_exact=True)
        for c in want[key].columns:
            assert [type(v) for v in got[key][c]] == [type(v) for v in want[key][c]], (key, c)
            assert got[key][c].tolist() == want[key][c].tolist(), (key, c)


@pytest.mark.parametrize("n", [0, 1, 500])
def test_issues_rows_are_the_header_then_each_issue_as_a_list(n):
    from sheetcrm.core.issues import issue_tuples
    rows = [("Pipeline", i + 2, "attempts", str(i), "error" if i % 3 else "warning", f"m{i}", "") for i in range(n)]
    issues = issues_frame(rows)
    got = analysis.issues_rows(issues)
    assert got == [list(schema.ISSUE_COLUMNS)] + [list(r) for r in issue_tuples(issues)]
    assert all(type(r) is list for r in got)


_ISSUE = st.tuples(st.sampled_from(["Candidates", "Pipeline"]), st.integers(2, 5), st.sampled_from(["email", "name"]),
                   st.sampled_from(["", "x"]), st.sampled_from(["error", "warning"]), st.sampled_from(["a", "b", "c"]),
                   st.just(""))
_ISSUES = st.lists(_ISSUE, max_size=6).map(issues_frame)


@hsettings(max_examples=200, deadline=None)
@given(first=_ISSUES, more=st.lists(st.none() | _ISSUES | _ISSUES.map(lambda f: f.astype(object)), max_size=3))
def test_issues_merged_at_once_are_the_issues_merged_in_turn(first, more):
    """calls() sorts the issues of its later steps in once; what merging each in turn gave
    (the order of tied issues included: a stable sort of the same rows in the same order)."""
    from sheetcrm.core.issues import merge_issues
    expected = first
    for m in more:
        expected = merge_issues(expected, m)
    pd.testing.assert_frame_equal(analysis._merged(first, more), expected)


def test_the_callers_frames_are_left_as_they_were_when_ids_are_assigned(settings, today, frames_of):
    """calls() fills blank candidate_ids in its own copy of the frames (a shallow one on pandas 3,
    which copies on write): the frames it was given keep their blank cell."""
    from sheetcrm.rules import load_rules
    frames = frames_of(candidates=[{"candidate_id": "C-00001", "name": "Ann Test"},
                                   {"candidate_id": None, "name": "Bob Test"}])
    before = {k: v.copy() for k, v in frames.items()}
    got = analysis.analyse(frames, settings, today, rules=load_rules(settings))
    assert got.new_ids and got.frames[schema.CANDIDATES]["candidate_id"].notna().all()
    for key, frame in frames.items():
        pd.testing.assert_frame_equal(frame, before[key])
