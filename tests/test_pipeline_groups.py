"""The §5 figures by source, owner and quarter, backpocket_hires, referrals (DESIGN §5):
counted by hand on a small sheet, through the library, the commands and the Summary."""
from __future__ import annotations

import datetime as dt
import json

import pytest

from sheetcrm import schema
from sheetcrm.core import analysis as analysis_mod
from sheetcrm.core import pipeline, pipeline_groups
from sheetcrm.rules import load_rules

from conftest import TODAY, make_frames

D = dt.date


def person(i, **kw):
    return {"candidate_id": f"C-{i:05d}", "name": f"Person {i}", "email": f"p{i}@example.com", **kw}


CANDIDATES = [
    person(1, source="LinkedIn", owner="SK"),
    person(2, source="linkedin ", owner="SK", referred_by="c-00001"),
    person(3, source="referral", owner="JB", referred_by="C-00001"),
    person(4, source="referral", referred_by="Sam Smith"),
    person(5, owner="JB", referred_by="  Sam   Smith "),
    person(6, source="university"),
]
POSITIONS = [{"position_id": "P-1", "title": "Old", "status": "filled", "skills": "python"},
             {"position_id": "P-2", "title": "New", "status": "open", "skills": "python"}]
SOFT = {"outcome": "rejected", "rejection_reason": "salary too high"}
HIRED = {"outcome": "hired"}


def prow(i, pid, first, decided=None, **kw):
    return {"candidate_id": f"C-{i:05d}", "position_id": pid, "first_contacted": first, "decided_on": decided, **kw}


PIPELINE = [
    prow(1, "P-1", D(2025, 2, 1), D(2025, 2, 20), **SOFT),  # soft-no, then hired: a backpocket hire
    prow(1, "P-2", D(2026, 7, 1), D(2026, 8, 1), **HIRED, responded_on_attempt=1, attempts=1),
    prow(2, "P-2", D(2026, 8, 1), D(2026, 8, 9), **HIRED),  # hired, never turned down: not from the backpocket
    prow(3, "P-2", D(2026, 1, 5), D(2026, 1, 10), **HIRED),  # hired BEFORE the soft-no below: not counted
    prow(3, "P-1", D(2026, 3, 1), D(2026, 3, 10), **SOFT),
    prow(4, "P-1", D(2026, 4, 1), D(2026, 4, 2), outcome="rejected",
         rejection_reason="see email thread"),  # unclassified, then hired: not a soft-no
    prow(4, "P-2", D(2026, 5, 1), D(2026, 5, 9), **HIRED),
    prow(5, "P-1", D(2026, 6, 1), D(2026, 6, 1), **SOFT),  # same-day soft-no and hire: not *earlier*
    prow(5, "P-2", D(2026, 6, 1), D(2026, 6, 1), **HIRED),
    prow(6, "P-2", None),  # not contacted yet: no quarter
]


@pytest.fixture
def clean(settings):
    frames = make_frames(settings, candidates=CANDIDATES, positions=POSITIONS, pipeline=PIPELINE)
    calls = analysis_mod.calls(frames, settings, TODAY, rules=load_rules(settings))
    assert not (calls.issues["severity"] == "error").any(), calls.issues.to_string()
    return calls.clean


def test_backpocket_hires_are_hires_after_an_earlier_soft_no(clean):
    flags = pipeline.backpocket_hire_flags(clean[schema.PIPELINE])
    assert [i for i, f in zip(clean[schema.PIPELINE].index, flags) if f] == [3]  # C-00001's hire on P-2
    figures = pipeline.position_figures(clean[schema.PIPELINE])
    assert dict(zip(figures["position_id"], figures["backpocket_hires"])) == {"P-1": 0, "P-2": 1, "ALL": 1}


@pytest.mark.parametrize("by,expected", [
    # group: (considered, contacted, hired, backpocket_hires)
    ("source", {"linkedin": (3, 3, 2, 1), "referral": (4, 4, 2, 0), "university": (1, 0, 0, 0),
                "unknown": (2, 2, 1, 0), "ALL": (10, 9, 5, 1)}),
    ("owner", {"JB": (4, 4, 2, 0), "SK": (3, 3, 2, 1), "unknown": (3, 2, 1, 0), "ALL": (10, 9, 5, 1)}),
    ("quarter", {"2025-Q1": (1, 1, 0, 0), "2026-Q1": (2, 2, 1, 0), "2026-Q2": (4, 4, 2, 0),
                 "2026-Q3": (2, 2, 2, 1), "unknown": (1, 0, 0, 0), "ALL": (10, 9, 5, 1)}),
])
def test_figures_by_group_counted_by_hand(clean, by, expected):
    got = pipeline_groups.group_figures(clean[schema.PIPELINE], clean[schema.CANDIDATES], by)
    assert list(got.columns) == [by, *pipeline.FIGURE_KEYS]
    assert list(got[by]) == list(expected)  # sorted, unknown last, then ALL
    assert {r[by]: (r["considered"], r["contacted"], r["hired"], r["backpocket_hires"])
            for r in got.to_dict("records")} == expected
    groups = got[got[by] != pipeline.ALL]
    for key in pipeline.COUNT_KEYS:
        assert groups[key].sum() == got.iloc[-1][key]
    by_group = got.set_index(by)
    assert by_group.at["ALL", "success_rate"] == pytest.approx(5 / 9)
    if by == "source":
        assert by_group.at["university", "success_rate"] != by_group.at["university", "success_rate"]  # 0/0: empty


@pytest.mark.parametrize("by", pipeline_groups.GROUP_BY)
def test_figures_from_flags_made_once_equal_those_made_per_call(clean, by):
    """analyse makes pipeline.figure_flags once and hands it to all three groupings."""
    pipe, cands = clean[schema.PIPELINE], clean[schema.CANDIDATES]
    flags = pipeline.figure_flags(pipe)
    pd.testing.assert_frame_equal(pipeline_groups.group_figures(pipe, cands, by, flags),
                                  pipeline_groups.group_figures(pipe, cands, by))
    ids = clean[schema.POSITIONS]["position_id"]
    pd.testing.assert_frame_equal(pipeline.position_figures(pipe, ids, flags), pipeline.position_figures(pipe, ids))


def test_group_figures_of_an_empty_pipeline_have_an_all_row(clean):
    empty = clean[schema.PIPELINE].iloc[0:0]
    got = pipeline_groups.group_figures(empty, clean[schema.CANDIDATES], "source")
    assert list(got["source"]) == ["ALL"] and got.iloc[0]["considered"] == 0


def test_referrals_per_referrer(clean):
    got = pipeline_groups.referrer_counts(clean[schema.CANDIDATES], clean[schema.PIPELINE])
    assert got.to_dict("records") == [
        {"by": "referrer", "value": "C-00001", "referred": 2, "hired": 2},  # c-00001 and C-00001 are one referrer
        {"by": "referrer", "value": "Sam Smith", "referred": 2, "hired": 2},
    ]


# --------------------------------------------------------------------------- commands and the Summary

@pytest.fixture
def run(xlsx_cli):
    return xlsx_cli(CANDIDATES, POSITIONS, PIPELINE)


@pytest.mark.parametrize("by", ["source", "owner", "quarter"])
def test_report_pipeline_by_json_keys(run, by):
    result = run("report", "pipeline", "--by", by, "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert all(set(r) == {by, *pipeline.FIGURE_KEYS} for r in data)
    assert data[-1][by] == "ALL" and data[-1]["backpocket_hires"] == 1 and data[-1]["hired"] == 5


def test_report_pipeline_by_table_and_bad_usage(run):
    table = run("report", "pipeline", "--by", "source")
    assert table.exit_code == 0 and table.output.splitlines()[0].startswith("source")
    assert "backpocket_hires" in table.output
    both = run("report", "pipeline", "--by", "source", "--position", "P-1")
    assert both.exit_code == 2 and "use --position or --by, not both" in both.output
    assert run("report", "pipeline", "--by", "client").exit_code == 2


def test_report_pipeline_json_has_backpocket_hires_per_position(run):
    data = json.loads(run("report", "pipeline", "--format", "json").output)
    assert {r["position_id"]: r["backpocket_hires"] for r in data} == {"P-1": 0, "P-2": 1, "ALL": 1}


def test_report_talent_by_referrer(run):
    result = run("report", "talent", "--by", "referrer", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [{"by": "referrer", "value": "C-00001", "referred": 2, "hired": 2},
                                         {"by": "referrer", "value": "Sam Smith", "referred": 2, "hired": 2}]


def test_summary_shows_by_source_and_by_quarter_with_backpocket_hires(settings):
    frames = make_frames(settings, candidates=CANDIDATES, positions=POSITIONS, pipeline=PIPELINE)
    a = analysis_mod.analyse(frames, settings, TODAY, rules=load_rules(settings))
    rows = a.tabs[0].rows
    for heading, first_group in (("Pipeline by source", "linkedin"), ("Pipeline by quarter", "2025-Q1")):
        at = next(i for i, r in enumerate(rows) if r and str(r[0]).startswith(heading))
        header, first = rows[at + 1], rows[at + 2]
        assert header[0] in ("source", "quarter") and header[19] == "backpocket hires"
        assert first[0] == first_group
        all_row = next(r for r in rows[at:] if r and r[0] == "ALL")
        assert all_row[3] == 10 and all_row[19] == 1  # considered, backpocket hires
        # rates stay in the Summary's percent columns (G and S)
        assert header[6] == "response rate" and header[18] == "success rate"
        assert all_row[18] == pytest.approx(round(5 / 9, 4))


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402
import pandas as pd  # noqa: E402


@hsettings(max_examples=200, deadline=None)
@given(days=st.lists(st.none() | st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2200, 12, 31)),
                     max_size=20))
def test_quarter_keys_equal_the_plain_text_arithmetic(days):
    pipe = pd.DataFrame({"first_contacted": pd.Series(pd.to_datetime(pd.Series(days, dtype=object)),
                                                      index=range(2, 2 + len(days)))})
    first = pd.to_datetime(pipe["first_contacted"])
    plain = first.dt.year.astype("Int64").astype(str) + "-Q" + first.dt.quarter.astype("Int64").astype(str)
    plain = plain.where(first.notna(), pipeline.UNKNOWN).astype(object)
    got = pipeline_groups.group_keys(pipe, pd.DataFrame(), "quarter")
    pd.testing.assert_series_equal(got, plain, check_exact=True)


@pytest.mark.parametrize("n", [0, 5, 2000])
def test_source_keys_equal_canonical_source_per_person(n):
    """Each spelling is made canonical once: the keys are those of one call per person."""
    import numpy as np
    from sheetcrm.core.sources import canonical_source
    rng = np.random.default_rng(n)
    spellings = np.array(["LinkedIn", " linkedin ", "Referral", "Job  Board", "", None, np.nan, 5, "my  Meetup"],
                         dtype=object)
    cands = pd.DataFrame({"candidate_id": [f"C-{i}" for i in range(n)], "source": rng.choice(spellings, n)})
    pipe = pd.DataFrame({"candidate_id": [f"C-{i}" for i in rng.integers(0, n + 3, 3 * n)]}, dtype=object)
    got = pipeline_groups.group_keys(pipe, cands, "source")
    by_person = pd.Series(cands["source"].map(canonical_source).to_numpy(dtype=object), index=cands["candidate_id"])
    want = pipe["candidate_id"].map(by_person)
    want = want.where(want.notna() & (want != ""), pipeline_groups.UNKNOWN).astype(object)
    pd.testing.assert_series_equal(got, want, check_exact=True)


def _group_keys_as_before(pipe, cands, by):
    """group_keys (source, owner) as first written: every Pipeline row's person looked up."""
    import numpy as np
    from sheetcrm.core.sources import canonical_source
    first = cands[cands["candidate_id"].notna()].drop_duplicates("candidate_id")
    values = first[by] if by in first else pd.Series(None, index=first.index, dtype=object)
    values = values.to_numpy(dtype=object)
    if by == "source":
        codes, spellings = pd.factorize(values)
        values = np.array([canonical_source(v) for v in spellings] + [None], dtype=object)[codes]
    keys = pipe["candidate_id"].map(pd.Series(values, index=first["candidate_id"]))
    return keys.where(keys.notna() & (keys != ""), pipeline_groups.UNKNOWN).astype(object)


_GROUP_VALUES = st.sampled_from(["LinkedIn", " linkedin ", "Ana", "Zoë", "名前", "", " ", None, float("nan"), pd.NA, 5,
                                 "unknown", "Referral"])
_IDS = st.sampled_from(["C-1", "C-2", "c-2", "C-3", "C-ü", None, float("nan"), 7])


@hsettings(max_examples=300, deadline=None)
@given(people=st.lists(st.tuples(_IDS, _GROUP_VALUES), max_size=12), rows=st.lists(_IDS, max_size=20),
       by=st.sampled_from(["source", "owner"]), column=st.booleans())
def test_group_keys_equal_looking_up_every_rows_person(people, rows, by, column):
    cands = pd.DataFrame({"candidate_id": pd.Series([p[0] for p in people], dtype=object),
                          by: pd.Series([p[1] for p in people], dtype=object)})
    cands = cands if column else cands[["candidate_id"]]  # the column may be missing
    pipe = pd.DataFrame({"candidate_id": pd.Series(rows, dtype=object, index=range(2, 2 + len(rows)))})
    pd.testing.assert_series_equal(pipeline_groups.group_keys(pipe, cands, by), _group_keys_as_before(pipe, cands, by),
                                   check_exact=True)
