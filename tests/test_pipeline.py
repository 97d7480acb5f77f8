"""Pipeline figures (DESIGN §5), talent counts, the Summary tab, `report pipeline` / `report talent`.

The hand-built fixture below goes through the real sheet path and validation
(frames_of + analysis_mod.analyse), so rows with errors are really left out. Rejection
classes come from a stand-in classifier keyed on the reason text: these tests
count classes, they do not judge the classifier (tests/test_reasons.py does).
Every expected figure is written out by hand from the rows, never computed here.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from sheetcrm.rules import load_rules
from sheetcrm.core import pipeline, reasons

from sheetcrm import schema

from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.workbook.layout import workbook_layout

from conftest import rows_for
from sheetcrm.core import analysis as analysis_mod

FC = dt.date(2026, 9, 1)  # first contacted
DEC = dt.date(2026, 10, 1)  # decided
SALARY, NEVER, UNCLEAR = "salary too high", "never contact me again", "long story"
STAND_IN_CLASSES = {SALARY: schema.SOFT_NO, NEVER: schema.HARD_NO, UNCLEAR: schema.UNCLASSIFIED}


def stand_in_classify(pipe: pd.DataFrame, rules, known=None) -> pd.DataFrame:
    """classify_pipeline's signature (``known``: texts read already, unused by the stand-in)."""
    out = pipe.copy()
    decided = out["outcome"].isin(["rejected", "declined", "ghosted"])
    cls = out["rejection_reason"].map(STAND_IN_CLASSES)
    cls = cls.where(cls.notna() | (out["outcome"] != "ghosted"), schema.SOFT_NO)  # silent ghosting: soft-no
    out["rejection_class"] = cls.where(decided, None).astype(object)
    out["rejection_category"] = None
    out["rejection_rule"] = None
    return out


def cand(i, seeker, years, skills, location, **kw):
    return {"candidate_id": f"C-{i:05d}", "name": f"Test Person {i}", "email": f"person{i}@example.com",
            "seeker_type": seeker, "years_experience": years, "skills": skills, "location": location, **kw}


CANDIDATES = [
    cand(1, "active", 1, "python, sql", "Berlin, Germany"),
    cand(2, "passive", 2.5, "Python; Go", "berlin, germany"),
    cand(3, "passive", 3, "java", "London, UK"),
    cand(4, "passive", 5, "java, sql", "Remote"),
    cand(5, "active", 6, "go", "London, UK"),
    cand(6, None, 10, "python", "Remote"),
    cand(7, "passive", 11, "rust", "Lisbon, Portugal"),
    cand(8, "passive", 30, "python, rust", None),
    cand(9, "active", None, None, "Berlin, Germany"),
    cand(10, "passive", 0, "sql", "Remote"),
    cand(11, "passive", 2, "python", "Munich, Germany"),
    cand(12, "active", 4, "go", "London, UK"),
    cand(13, "passive", "lots", "python", "Remote"),  # error: years is not a number
]
POSITIONS = [
    {"position_id": "P-A", "title": "Backend Engineer", "skills": "python, sql", "status": "open"},
    {"position_id": "P-B", "title": "Go Developer", "skills": "go", "status": "open"},
    {"position_id": "P-C", "title": "Java Developer", "skills": "java", "status": "filled"},
    {"position_id": "P-D", "title": "Rust Engineer", "skills": "rust", "status": "open"},  # nobody considered yet
]


def row(c, p, fc=None, att=None, resp=None, interest=None, outcome=None, reason=None, decided=None):
    return {"candidate_id": None if c is None else f"C-{c:05d}", "position_id": p, "first_contacted": fc,
            "attempts": att, "responded_on_attempt": resp, "interest": interest, "outcome": outcome,
            "rejection_reason": reason, "decided_on": decided}


PIPELINE = [
    # P-A: 12 rows, 2 with errors
    row(1, "P-A", FC, 1, 1, "interested", "hired", None, DEC),
    row(2, "P-A", FC, 2, 2, "interested", "open"),
    row(3, "P-A", FC, 3, 3, "not_interested", "rejected", SALARY, DEC),
    row(4, "P-A", FC, 5, 4, "not_interested", "declined", NEVER, DEC),
    row(5, "P-A", FC, 6, 6, "interested", "open"),
    row(6, "P-A", FC, 2, None, None, "ghosted", None, DEC),
    row(7, "P-A", FC, None, None, None, "open"),  # attempts blank with a date: 1
    row(8, "P-A", None, None, None, None, None),  # not contacted yet; outcome blank = open
    row(9, "P-A", FC, 1, 1, "interested", "rejected", UNCLEAR, DEC),
    row(10, "P-A", FC, "three", None, None, "open"),  # error: attempts
    row(11, "P-A", FC, 1, 1, "interested", "hired", None, DEC),
    row(12, "P-A", "not a date", 1, None, None, "open"),  # error: first_contacted
    # P-B: 10 rows, 1 with an error; interested but nobody not interested; nobody hired
    row(1, "P-B", FC, 1, 1, "interested", "rejected", SALARY, DEC),
    row(2, "P-B", FC, 1, None, None, "ghosted", None, DEC),
    row(3, "P-B", FC, 2, 1, "interested", "open"),
    row(4, "P-B", None, 2, None, None, "open"),  # contacted by attempts, no date
    row(5, "P-B", FC, 3, None, None, "open"),
    row(6, "P-B", FC, 4, 4, "interested", "declined", UNCLEAR, DEC),
    row(7, "P-B", FC, 1, None, None, "maybe"),  # error: outcome
    row(8, "P-B", FC, 1, 1, None, "rejected", NEVER, DEC),
    row(9, "P-B", None, 0, None, None, "open"),  # not contacted
    row(10, "P-B", FC, 2, 2, "interested", "open"),
    # P-C: 8 rows, 2 with errors; nobody contacted (screened out on paper)
    row(1, "P-C", None, None, None, None, "open"),
    row(2, "P-C", None, 0, None, None, "open"),
    row(3, "P-C", None, None, None, None, "rejected", SALARY, DEC),
    row(4, "P-C", None, None, None, None, "open"),
    row(5, "P-C", None, None, None, None, "rejected", NEVER, DEC),
    row(None, "P-C", None, None, None, None, "open"),  # error: candidate_id required
    row(6, "P-C", None, None, None, None, "open"),
    row(7, "P-C", None, "2.5", None, None, "open"),  # error: attempts not whole
]

N = None  # an empty ratio
EXPECTED = {  # position_id: the §5 figures, in FIGURE_KEYS order, counted by hand
    #       cons cont resp r1 r2 r3 r4+ resp_rate int  not  int_ratio hard soft uncl hired success
    "P-A": (10, 9, 7, 3, 1, 1, 2, 7 / 9, 5, 2, 2.5, 1, 2, 1, 2, 2 / 9),
    "P-B": (9, 8, 5, 3, 1, 0, 1, 5 / 8, 4, 0, N, 1, 2, 1, 0, 0.0),
    "P-C": (6, 0, 0, 0, 0, 0, 0, N, 0, 0, N, 1, 1, 0, 0, N),
    "P-D": (0, 0, 0, 0, 0, 0, 0, N, 0, 0, N, 0, 0, 0, 0, N),
    "ALL": (25, 17, 12, 6, 2, 1, 3, 12 / 17, 9, 2, 4.5, 3, 5, 2, 2, 2 / 17),
}
LEFT_OUT = {schema.CANDIDATES: 1, schema.POSITIONS: 0, schema.PIPELINE: 5, "touchpoints": 0}


@pytest.fixture
def analysis(frames_of, settings, today, monkeypatch):
    monkeypatch.setattr(reasons, "classify_pipeline", stand_in_classify)
    frames = frames_of(candidates=CANDIDATES, positions=POSITIONS, pipeline=PIPELINE)
    return analysis_mod.analyse(frames, settings, today, now=dt.datetime(2026, 11, 22, 9, 30),
                                rules=load_rules(settings))


def same(a, b) -> bool:
    if b is None:
        return a is None or (isinstance(a, float) and math.isnan(a))
    return a is not None and not (isinstance(a, float) and math.isnan(a)) and a == pytest.approx(b)


# --------------------------------------------------------------------------- the hand-built fixture

def test_rows_with_errors_are_left_out(analysis):
    assert analysis.left_out == LEFT_OUT
    assert len(analysis.clean[schema.PIPELINE]) == 25


def test_every_figure_of_the_hand_built_pipeline(analysis):
    figures = analysis.figures
    assert list(figures.columns) == ["position_id", *pipeline.FIGURE_KEYS]
    assert list(figures["position_id"]) == ["P-A", "P-B", "P-C", "P-D", "ALL"]
    for rec in figures.to_dict("records"):
        expected = dict(zip(pipeline.FIGURE_KEYS, EXPECTED[rec["position_id"]]))
        wrong = {k: (rec[k], v) for k, v in expected.items() if not same(rec[k], v)}
        assert not wrong, f"{rec['position_id']}: (got, expected) {wrong}"


def test_zero_denominator_is_empty_but_zero_numerator_is_zero(analysis):
    by_id = analysis.figures.set_index("position_id")
    assert math.isnan(by_id.at["P-C", "response_rate"]) and math.isnan(by_id.at["P-C", "success_rate"])
    assert math.isnan(by_id.at["P-B", "interest_ratio"])  # 4 interested, 0 not interested
    assert by_id.at["P-B", "success_rate"] == 0.0  # contacted 8, hired 0


def test_counts_are_whole_numbers_and_ratios_floats(analysis):
    dtypes = analysis.figures.dtypes
    assert all(dtypes[k] == "int64" for k in pipeline.COUNT_KEYS)
    assert all(dtypes[k] == "float64" for k in pipeline.RATIOS)


def test_empty_pipeline_still_has_an_all_row():
    empty = pd.DataFrame({c: pd.Series(dtype=object) for c in
                          ("position_id", "first_contacted", "interest", "outcome", "rejection_class")})
    empty["attempts"] = pd.array([], dtype="Int64")
    empty["responded_on_attempt"] = pd.array([], dtype="Int64")
    figures = pipeline.position_figures(empty)
    assert list(figures["position_id"]) == ["ALL"]
    assert figures.iloc[0]["considered"] == 0 and math.isnan(figures.iloc[0]["response_rate"])


# --------------------------------------------------------------------------- talent

def test_active_passive_split(analysis):
    assert pipeline.seeker_split(analysis.clean[schema.CANDIDATES]) == {
        "candidates": 12, "active": 4, "passive": 7, "unknown": 1, "passive_share": pytest.approx(7 / 11)}


TALENT = {  # value: (candidates, active, passive, unknown, passive_share), in report order
    "experience": [("0-2 years", 4, 1, 3, 0, 3 / 4), ("3-5 years", 3, 1, 2, 0, 2 / 3),
                   ("6-10 years", 2, 1, 0, 1, 0.0), ("11+ years", 2, 0, 2, 0, 1.0), ("unknown", 1, 1, 0, 0, 0.0)],
    "skill": [("python", 5, 1, 3, 1, 3 / 4), ("go", 3, 2, 1, 0, 1 / 3), ("sql", 3, 1, 2, 0, 2 / 3),
              ("java", 2, 0, 2, 0, 1.0), ("rust", 2, 0, 2, 0, 1.0), ("unknown", 1, 1, 0, 0, 0.0)],
    "location": [("Berlin, Germany", 3, 2, 1, 0, 1 / 3), ("London, UK", 3, 2, 1, 0, 1 / 3),
                 ("Remote", 3, 0, 2, 1, 1.0), ("Lisbon, Portugal", 1, 0, 1, 0, 1.0),
                 ("Munich, Germany", 1, 0, 1, 0, 1.0), ("unknown", 1, 0, 1, 0, 1.0)],
}


@pytest.mark.parametrize("by", sorted(TALENT))
def test_talent_counts_by_hand(analysis, by):
    got = pipeline.talent_counts(analysis.clean[schema.CANDIDATES], by)
    assert list(got.columns) == list(pipeline.TALENT_KEYS)
    assert set(got["by"]) == {by}
    rows = [(r["value"], r["candidates"], r["active"], r["passive"], r["unknown"], r["passive_share"])
            for r in got.to_dict("records")]
    assert [r[:5] for r in rows] == [e[:5] for e in TALENT[by]]
    assert all(same(r[5], e[5]) for r, e in zip(rows, TALENT[by]))


@pytest.mark.parametrize("years, band", [(0, "0-2 years"), (2, "0-2 years"), (2.5, "0-2 years"), (2.99, "0-2 years"),
                                         (3, "3-5 years"), (5.5, "3-5 years"), (6, "6-10 years"),
                                         (10.9, "6-10 years"), (11, "11+ years"), (60, "11+ years"),
                                         (None, "unknown")])
def test_experience_bands_count_completed_years(years, band):
    assert pipeline.experience_band(pd.Series([years], dtype="float64")).iloc[0] == band


def test_passive_share_is_empty_without_known_seekers():
    cands = pd.DataFrame({"seeker_type": [None, None], "skills": [(), ()], "years_experience": [1.0, 2.0],
                          "location": [None, None], "city": [None, None], "country": [None, None],
                          "remote": [False, False]})
    assert pipeline.seeker_split(cands)["passive_share"] is None


# --------------------------------------------------------------------------- Summary tab

def summary_of(analysis, backpocket=None):
    return pipeline.summary_rows(analysis.figures, analysis.clean[schema.CANDIDATES], analysis.left_out,
                                 dt.datetime(2026, 11, 22, 9, 30), backpocket,
                                 positions=analysis.clean[schema.POSITIONS])


def find_row(rows, first):
    return next(i for i, r in enumerate(rows) if r and r[0] == first)


def test_summary_title_holds_the_sync_time(analysis):
    rows = summary_of(analysis)
    assert rows[0] == ["sheetcrm summary, updated 2026-11-22 09:30"]
    assert (1, 1) in analysis_mod.SUMMARY_VOLATILE


def test_summary_position_table_reads_as_percentages_and_blanks(analysis):
    rows = summary_of(analysis, pd.Series({"P-A": 2, "P-B": 0, "P-C": 5}))
    header = rows[find_row(rows, "position")]
    col = {name: i for i, name in enumerate(header)}
    p_a, p_b, p_c, p_d, all_ = (rows[find_row(rows, pid)] for pid in ("P-A", "P-B", "P-C", "P-D", "ALL"))
    assert p_a[col["response rate"]] == round(7 / 9, 4) and p_a[col["success rate"]] == round(2 / 9, 4)
    assert p_a[col["interested ÷ not"]] == 2.5
    assert p_c[col["response rate"]] is None and p_c[col["success rate"]] is None
    assert p_b[col["interested ÷ not"]] is None and p_b[col["success rate"]] == 0.0
    # backpocket: only open positions, never a made-up number
    assert (p_a[col["backpocket matches"]], p_b[col["backpocket matches"]]) == (2, 0)
    assert p_c[col["backpocket matches"]] is None  # filled
    assert p_d[col["backpocket matches"]] is None  # open, but the circle-back side gave no count
    assert all_[col["backpocket matches"]] is None and all_[col["considered"]] == 25
    assert p_a[col["title"]] == "Backend Engineer" and p_c[col["status"]] == "filled"
    assert {header[c - 1] for c in pipeline.SUMMARY_PERCENT_COLUMNS} == {"response rate", "success rate"}


def test_summary_lists_left_out_rows_talent_and_active_passive(analysis):
    rows = summary_of(analysis)
    at = find_row(rows, "Rows left out of these figures because of errors (listed on the Issues tab)")
    assert [(r[0], r[3]) for r in rows[at + 1:at + 4]] == [("Candidates", 1), ("Positions", 0), ("Pipeline", 5)]
    overall = rows[find_row(rows, "all candidates")]
    assert overall[3:8] == [12, 4, 7, round(7 / 11, 4), 1]
    assert rows[find_row(rows, "0-2 years")][3:6] == [4, 1, 3]
    assert rows[find_row(rows, "Berlin, Germany")][3] == 3
    assert rows[find_row(rows, "python")][3] == 5


def test_summary_grid_is_plain_values_and_percent_columns_hold_only_shares(analysis):
    # Google Sheets formats whole columns as percent: a count there would read 1200.0%
    rows = summary_of(analysis, pd.Series({"P-A": np.int64(2)}))
    for r in rows:
        for c, v in enumerate(r, start=1):
            assert v is None or type(v) in (str, int, float), (r, v)
            if isinstance(v, float):
                assert c in pipeline.SUMMARY_PERCENT_COLUMNS or c == 14  # 14: interested ÷ not
            if c in pipeline.SUMMARY_PERCENT_COLUMNS and not isinstance(v, str):
                assert v is None or (isinstance(v, float) and 0 <= v <= 1), (r, v)
    assert rows.bold_rows[0] == 1 and len(rows.widths) >= 20


def test_long_skill_lists_are_cut_with_a_pointer():
    n = pipeline.SUMMARY_LIST_LIMIT + 5
    cands = pd.DataFrame({"seeker_type": ["active"] * n, "skills": [(f"skill{i:03d}",) for i in range(n)],
                          "years_experience": [1.0] * n, "location": ["Remote"] * n, "city": [None] * n,
                          "country": [None] * n, "remote": [True] * n})
    figures = pipeline.position_figures(pd.DataFrame({
        "position_id": pd.Series(dtype=object), "first_contacted": pd.Series(dtype="datetime64[ns]"),
        "attempts": pd.array([], dtype="Int64"), "responded_on_attempt": pd.array([], dtype="Int64"),
        "interest": pd.Series(dtype=object), "outcome": pd.Series(dtype=object)}))
    rows = pipeline.summary_rows(figures, cands, {}, dt.datetime(2026, 11, 22), None)
    assert ["… and 5 more: sheetcrm report talent --by skill"] in rows


def test_summary_in_the_workbook_has_percent_cells_bold_headers_and_is_stable(tmp_path, settings, today, monkeypatch):
    from openpyxl import load_workbook

    from sheetcrm import api

    monkeypatch.setattr(reasons, "classify_pipeline", stand_in_classify)
    path = tmp_path / "w.xlsx"
    backend = XlsxBackend(path)
    backend.create(workbook_layout(settings, {
        schema.CANDIDATES: rows_for(schema.CANDIDATES, CANDIDATES), schema.POSITIONS: rows_for(schema.POSITIONS, POSITIONS),
        schema.PIPELINE: rows_for(schema.PIPELINE, PIPELINE)}))
    s = settings.replace(workbook=path)
    api.sync_workbook(s, today, now=dt.datetime(2026, 11, 22, 9, 0), backend=XlsxBackend(path))
    ws = load_workbook(path)[s.tab_title(schema.SUMMARY)]
    header_row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "position")
    headers = {ws.cell(header_row, c).value: c for c in range(1, ws.max_column + 1)}
    p_a = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "P-A")
    assert ws.cell(p_a, headers["response rate"]).number_format == "0.0%"
    assert ws.cell(p_a, headers["considered"]).number_format == "General"
    assert ws.cell(1, 1).font.b and ws.cell(header_row, 2).font.b
    assert ws.column_dimensions["B"].width >= len("Backend Engineer")
    # number headers sit over their numbers; titles and labels stay left
    assert ws.cell(header_row, headers["considered"]).alignment.horizontal == "right"
    assert ws.cell(header_row, headers["title"]).alignment.horizontal in (None, "general", "left")
    # a later sync with nothing new to say leaves the file alone, though the time moved on
    again = api.sync_workbook(s, today, now=dt.datetime(2026, 11, 22, 10, 0), backend=XlsxBackend(path))
    assert not again.changed


# --------------------------------------------------------------------------- property test

pipeline_rows = st.lists(st.fixed_dictionaries({
    "position_id": st.sampled_from(["P-1", "P-2", "P-3", "P-10"]),
    "contacted_on": st.booleans(),
    "attempts": st.one_of(st.none(), st.integers(0, 8)),
    "responded": st.one_of(st.none(), st.integers(1, 8)),
    "interest": st.sampled_from([None, "interested", "not_interested"]),
    "outcome": st.sampled_from(schema.OUTCOMES),
    "rejection_class": st.sampled_from(schema.REJECTION_CLASSES),
}), max_size=60)


def as_clean_pipeline(recs) -> pd.DataFrame:
    """Rows as validation leaves them, kept valid: a response only within the attempts
    made, and a hire only of someone the agency reached."""
    out = []
    for r in recs:
        r = {**r, "contacted_on": r["contacted_on"] or r["outcome"] == "hired"}
        attempts = r["attempts"] if r["attempts"] is not None else (1 if r["contacted_on"] else 0)
        responded = r["responded"] if r["responded"] is not None and r["responded"] <= attempts else None
        decided_no = r["outcome"] in ("rejected", "declined", "ghosted")
        out.append({"position_id": r["position_id"],
                    "first_contacted": pd.Timestamp("2026-09-01") if r["contacted_on"] else pd.NaT,
                    "attempts": attempts, "responded_on_attempt": responded,
                    "interest": r["interest"], "outcome": r["outcome"],
                    "rejection_class": r["rejection_class"] if decided_no else None})
    df = pd.DataFrame(out, columns=["position_id", "first_contacted", "attempts", "responded_on_attempt",
                                    "interest", "outcome", "rejection_class"])
    df["attempts"] = pd.array(df["attempts"].tolist(), dtype="Int64")
    df["responded_on_attempt"] = pd.array([None if v is None or v != v else int(v)
                                           for v in df["responded_on_attempt"]], dtype="Int64")
    df["first_contacted"] = pd.to_datetime(df["first_contacted"])
    return df


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pipeline_rows)
def test_figures_hold_together_for_any_valid_pipeline(recs):
    figures = pipeline.position_figures(as_clean_pipeline(recs))
    assert figures["position_id"].iloc[-1] == "ALL"
    positions = figures.iloc[:-1]
    assert list(positions["position_id"]) == sorted(positions["position_id"])
    for r in figures.to_dict("records"):
        assert r["contacted"] <= r["considered"]
        assert r["responded"] <= r["contacted"]
        assert r["responded_1"] + r["responded_2"] + r["responded_3"] + r["responded_4plus"] == r["responded"]
        assert r["hired"] <= r["contacted"]
        for key, (num, den) in pipeline.RATIOS.items():
            assert math.isnan(r[key]) if r[den] == 0 else r[key] == pytest.approx(r[num] / r[den])
    total = figures.iloc[-1]
    for key in pipeline.COUNT_KEYS:
        assert total[key] == positions[key].sum()
    assert total["considered"] == len(recs)


def test_300k_pipeline_rows_in_one_go():
    """How fast is measured by bench/run.py (issue 9); here: big input, right totals."""
    n = 300_000
    rng = np.random.default_rng(5)
    resp = rng.integers(0, 6, n)
    df = pd.DataFrame({
        "position_id": rng.choice([f"P-{i:03d}" for i in range(60)], n).astype(object),
        "first_contacted": pd.to_datetime(np.where(rng.random(n) < 0.8, "2026-01-01", None)),
        "attempts": pd.array(rng.integers(0, 6, n), dtype="Int64"),
        "responded_on_attempt": pd.array(np.where(resp == 0, None, resp).tolist(), dtype="Int64"),
        "interest": rng.choice(np.array(["interested", "not_interested", None], dtype=object), n),
        "outcome": rng.choice(np.array(schema.OUTCOMES, dtype=object), n),
        "rejection_class": rng.choice(np.array([*schema.REJECTION_CLASSES, None], dtype=object), n),
    })
    figures = pipeline.position_figures(df)
    assert figures.iloc[-1]["considered"] == n


# --------------------------------------------------------------------------- commands

@pytest.fixture
def workbook(xlsx_cli):
    """An xlsx workbook of the given records, and a runner of commands against it."""
    return lambda candidates=CANDIDATES, positions=POSITIONS, pipeline_=PIPELINE: xlsx_cli(candidates, positions,
                                                                                           pipeline_)


def test_report_pipeline_json_has_exactly_the_design_keys(workbook, monkeypatch):
    monkeypatch.setattr(reasons, "classify_pipeline", stand_in_classify)
    result = workbook()("report", "pipeline", "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert [r["position_id"] for r in data] == ["P-A", "P-B", "P-C", "P-D", "ALL"]
    assert all(set(r) == {"position_id", *pipeline.FIGURE_KEYS} for r in data)
    p_c = data[2]
    assert p_c["response_rate"] is None and p_c["interest_ratio"] is None and p_c["success_rate"] is None
    assert data[-1]["considered"] == 25 and data[-1]["response_rate"] == pytest.approx(12 / 17)


def test_report_pipeline_one_position(workbook):
    result = workbook()("report", "pipeline", "--position", "P-B", "--format", "json")
    assert result.exit_code == 0, result.output
    assert [r["position_id"] for r in json.loads(result.output)] == ["P-B"]


def test_report_pipeline_unknown_position_is_one_clear_line(workbook):
    result = workbook()("report", "pipeline", "--position", "P-404")
    assert result.exit_code == 1
    assert "position 'P-404' is not in the Positions tab" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://evil.example.com","x")', "+1+2", "-2+3", "@SUM(A1)"])
def test_report_pipeline_csv_cannot_become_a_formula(workbook, tmp_path, evil):
    from openpyxl import load_workbook

    run = workbook(positions=[*POSITIONS, {"position_id": "TRAP", "title": "Trap", "skills": "go", "status": "open"}],
                   pipeline_=[*PIPELINE, row(1, "TRAP", FC, 1, 1, "interested", "open")])
    # typed as text in the sheet (e.g. '=HYPERLINK… in Excel): a value, not a formula
    wb = load_workbook(tmp_path / "w.xlsx")
    for ws in (wb["Positions"], wb["Pipeline"]):
        for cells in ws.iter_rows():
            for cell in cells:
                if cell.value == "TRAP":
                    cell.value, cell.data_type = evil, "s"
    wb.save(tmp_path / "w.xlsx")
    result = run("report", "pipeline", "--format", "csv")
    assert result.exit_code == 0, result.output
    table = list(csv.reader(io.StringIO(result.output)))
    assert table[0][:3] == ["position_id", "considered", "contacted"]
    cells = [r[0] for r in table[1:]]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)  # what a spreadsheet would evaluate
    assert "'" + evil in cells  # kept, readable, as text


def test_report_talent_json_keys_and_groupings(workbook):
    run = workbook()
    everything = json.loads(run("report", "talent", "--format", "json").output)
    assert all(set(r) == set(pipeline.TALENT_KEYS) for r in everything)
    assert everything[0] == {"by": "all", "value": "all candidates", "candidates": 12, "active": 4, "passive": 7,
                             "unknown": 1, "passive_share": pytest.approx(7 / 11)}
    assert [r["by"] for r in everything[1:]] == sorted([r["by"] for r in everything[1:]],
                                                        key=["skill", "experience", "location"].index)
    by_location = json.loads(run("report", "talent", "--by", "location", "--format", "json").output)
    assert [(r["value"], r["candidates"]) for r in by_location][:3] == [
        ("Berlin, Germany", 3), ("London, UK", 3), ("Remote", 3)]
    assert run("report", "talent", "--by", "salary").exit_code == 2


# -- talent by skill from distinct skill lists equals one row per person and skill ------------

def _plain_talent_by_skill(candidates):
    """talent_counts(…, "skill") as first written: every person's skills exploded."""
    seeker = candidates["seeker_type"].to_numpy(dtype=object)
    base = pd.DataFrame({"active": seeker == "active", "passive": seeker == "passive"}, index=candidates.index)
    keys = candidates["skills"].map(lambda t: t if isinstance(t, tuple) and t else (pipeline.UNKNOWN,)).explode()
    base = base.loc[keys.index].assign(value=keys.astype(object).to_numpy(), candidates=True)
    grouped = base.groupby("value", sort=False)[["candidates", "active", "passive"]].sum().astype("int64")
    grouped["unknown"] = grouped["candidates"] - grouped["active"] - grouped["passive"]
    known = grouped["active"] + grouped["passive"]
    grouped["passive_share"] = grouped["passive"].div(known.where(known > 0)).astype("float64")
    grouped.index.name = "value"
    out = grouped.reset_index()
    out["_unknown"] = out["value"] == pipeline.UNKNOWN
    out = out.sort_values(["_unknown", "candidates", "value"], ascending=[True, False, True],
                          kind="stable").drop(columns="_unknown")
    out.insert(0, "by", "skill")
    return out.reset_index(drop=True)[list(pipeline.TALENT_KEYS)]


@pytest.mark.parametrize("n", [0, 1, 7, 3000])
def test_talent_by_skill_equals_the_per_person_count(n):
    rng = np.random.default_rng(n)
    lists = [(), ("python",), ("python", "go"), ("go", "python", "go"), ("sql", "aws", "react"), None, ("aws",)]
    cands = pd.DataFrame({"skills": pd.Series([lists[i] for i in rng.integers(0, len(lists), n)], dtype=object),
                          "seeker_type": rng.choice(np.array(["active", "passive", None], dtype=object), n)},
                         index=pd.RangeIndex(2, n + 2))
    pd.testing.assert_frame_equal(pipeline.talent_counts(cands, "skill"), _plain_talent_by_skill(cands),
                                  check_exact=True)


# -- talent by location worked out per distinct location equals the row-by-row labels ---------

def _location_labels_as_before(candidates):
    """pipeline._location_labels as first written: every person's key and text, row by row."""
    remote = candidates["remote"].fillna(False).astype(bool).to_numpy()
    city = candidates["city"].fillna("").astype(str)
    country = candidates["country"].fillna("").astype(str)
    key = (city + "|" + country).where(~remote, "remote")
    key = key.where(remote | (city != "") | (country != ""), "")
    text = candidates["location"].astype(object).where(~remote, "Remote")
    pairs = pd.DataFrame({"key": key.to_numpy(), "text": text.to_numpy()})
    pairs = pairs[pairs["key"] != ""]
    counted = pairs.value_counts().reset_index(name="n")
    counted = counted.sort_values(["key", "n", "text"], ascending=[True, False, True], kind="stable")
    shown = counted.drop_duplicates("key").set_index("key")["text"]
    labels = key.map(shown).astype(object)
    return labels.where(labels.notna(), pipeline.UNKNOWN)


_PLACES = st.sampled_from(["Berlin", "berlin", "Zürich", "São Paulo", "", " ", None, np.nan, pd.NA, "東京", "London"])
_LOCATIONS = st.sampled_from(["Berlin, Germany", "berlin, germany", "Zürich, CH", "Remote", "remote", "", None,
                              np.nan, pd.NA, "東京", "London, UK", "london,uk"])


@hsettings(max_examples=300, deadline=None)
@given(people=st.lists(st.tuples(st.sampled_from([True, False, None, np.nan]), _PLACES, _PLACES, _LOCATIONS),
                       max_size=60))
def test_location_labels_per_distinct_location_equal_the_row_by_row_labels(people):
    cands = pd.DataFrame(people or None, columns=["remote", "city", "country", "location"], dtype=object,
                         index=pd.RangeIndex(2, len(people) + 2))
    got = pipeline._location_labels(cands)
    want = _location_labels_as_before(cands)
    assert got.index.equals(cands.index) and got.dtype == object and got.tolist() == want.tolist()
