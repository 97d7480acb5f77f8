"""The benchmark harness (bench/run.py) keeps working: a tiny run end to end, and
the target checks read the figures the way issue 9 states them."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import generate, run  # noqa: E402
from sheetcrm import schema  # noqa: E402

DOMAIN = ("validate", "classify", "figures", "circle_backs", "domain")


def test_generated_workbook_has_three_pipeline_rows_per_candidate_and_a_realistic_mix(settings):
    data = generate.workbook_data(500, positions=20)
    cands, pipe = data[schema.CANDIDATES], data[schema.PIPELINE]
    assert len(cands) == 500 and len(pipe) == 1500 and len(data[schema.POSITIONS]) == 20
    names = schema.CANDIDATES_TAB.names
    emails = [r[names.index("email")] for r in cands if r[names.index("email")]]
    assert all(e.endswith(("example.com", "example.org")) for e in emails if "@" in e)
    outcomes = {r[schema.PIPELINE_TAB.names.index("outcome")] for r in pipe}
    assert {"rejected", "declined", "ghosted", "hired", "open"} <= outcomes
    assert generate.workbook_data(500, positions=20) == data  # seeded: the same workbook every run


def test_reason_pool_has_5000_distinct_texts_drawn_zipf_like():
    texts, classes, prob = generate.reason_pool(5000)
    assert len(set(texts)) == 5000 and len(classes) == 5000
    assert abs(prob.sum() - 1) < 1e-9 and prob[0] > prob[-1] * 100
    assert {schema.HARD_NO, schema.SOFT_NO} <= set(classes)


def test_tiny_run_writes_one_row_per_size_backend_step_with_exactly_the_documented_keys(tmp_path, capsys):
    out = tmp_path / "bench.json"
    steps = ",".join(s for s in run.ALL_STEPS if s != "reports")  # reports: its own test below
    code = run.main(["--sizes", "200", "--inline", "--json", str(out), "--repeat", "1", "--classify-rows", "3000",
                     "--steps", steps,
                     "--baseline-max", "100", "--gspread-sample", "3", "--positions", "20"])
    assert code == 0
    rows = json.loads(out.read_text())
    assert rows and all(list(r) == list(run.KEYS) for r in rows)
    by = {(r["size"], r["backend"], r["step"]): r for r in rows}
    for step in DOMAIN:
        r = by[(200, "memory", step)]
        assert r["seconds"] > 0 and r["peak_mib"] > 0, r
        assert r["baseline_seconds"] > 0 and r["speedup"] > 0, r
    for backend in ("memory", "xlsx"):
        assert by[(200, backend, "sync")]["seconds"] > 0
        assert by[(200, backend, "resync")]["seconds"] > 0
        assert (200, backend, "sync:analyse") in by
    assert by[(3000, "memory", "classify_1m")]["seconds"] > 0
    google = by[(200, "gsheets", "sync")]
    if google["seconds"] is not None:  # the stand-in and the backend exist
        assert 0 < google["requests"] < google["baseline_requests"]
        assert by[(200, "gsheets", "resync")]["requests"] <= google["requests"]
    details = json.loads(out.with_suffix(".details.json").read_text())
    notes = " ".join(str(r.get("baseline_note", "")) for r in details["rows"])
    assert "scaled linearly x2" in notes  # 200 candidates, baseline sampled on 100
    printed = capsys.readouterr().out
    assert "Targets (issue 9):" in printed and "validate" in printed


def _rows(**figures):
    """Fabricated rows: domain seconds per size, Google requests, xlsx seconds."""
    rows = []
    for size, (seconds, peak, speedup) in figures["domain"].items():
        rows.append({"size": size, "backend": "memory", "step": "domain", "seconds": seconds, "peak_mib": peak,
                     "speedup": speedup, "requests": None, "baseline_requests": None})
    for size, (req, base) in figures["google"].items():
        rows.append({"size": size, "backend": "gsheets", "step": "sync", "seconds": 1.0, "peak_mib": 1.0,
                     "speedup": None, "requests": req, "baseline_requests": base})
    rows.append({"size": 10_000, "backend": "xlsx", "step": "sync", "seconds": figures["xlsx"], "peak_mib": 1.0,
                 "speedup": None, "requests": None, "baseline_requests": None, "phases": {"read": 1.0}})
    return rows


@pytest.mark.parametrize("domain, google, xlsx, failing", [
    ({1000: (0.1, 100, 5), 10_000: (0.5, 200, 15), 100_000: (4.0, 800, 25.0)},
     {1000: (5, 12_000), 10_000: (5, 120_000)}, 9.0, set()),
    ({1000: (0.1, 100, 5), 10_000: (0.5, 200, 15), 100_000: (7.0, 1500, 12.0)},
     {1000: (5, 400), 10_000: (6, 120_000)}, 20.0,
     {"under 5 s", "under 1 GiB", ">= 20x", "growth", "constant", ">= 100x", "xlsx"}),
])
def test_target_checks(domain, google, xlsx, failing):
    verdicts = run.checks(_rows(domain=domain, google=google, xlsx=xlsx), sorted(domain))
    failed = {t for v, t, _f in verdicts if v == "FAIL"}
    for word in failing:
        assert any(word in t for t in failed), (word, failed)
    assert len(failed) == len(failing)


def test_reports_step_times_each_report_beside_sync_dry_run(tmp_path, capsys):
    out = tmp_path / "bench.json"
    assert run.main(["--sizes", "60", "--inline", "--steps", "reports", "--json", str(out), "--positions", "5"]) == 0
    steps = {r["step"]: r for r in json.loads(out.read_text())}
    assert {"sync --dry-run", "report circle-backs"} <= set(steps) and any(s.startswith("match ") for s in steps)
    assert all(r["seconds"] > 0 for r in steps.values())
    printed = capsys.readouterr().out
    assert "report circle-backs faster than sync --dry-run at 60 (xlsx)" in printed
