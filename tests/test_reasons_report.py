"""classify --evaluate and reasons suggest (issue 19): what the rules add up to against labels."""
from __future__ import annotations

import json
import tomllib

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.core import reasons, reasons_report
from sheetcrm.rules import load_rules, read_rule_files


@pytest.fixture(scope="module")
def rules():
    return load_rules(Settings())


def test_evaluate_counts_per_category_and_confuses(rules):
    labelled = pd.DataFrame([
        ("comp too low", "soft_no", "salary"),
        ("Gehaltsvorstellung zu hoch", "soft_no", "salary"),
        ("lied about his degree", "hard_no", "false_information"),
        ("comp too low", "soft_no", "location"),  # a wrong label: read as salary
        ("long story, ask Sam", "soft_no", "ghosted"),
    ], columns=["text", "class", "category"])
    ev = reasons_report.evaluate(labelled, rules)
    per = ev.per_category.set_index("category")
    assert per.loc["salary", ["rows", "correct", "accuracy"]].tolist() == [2, 2, 1.0]
    assert per.loc["location", ["rows", "correct"]].tolist() == [1, 0]
    assert per.loc["ALL", ["rows", "correct", "class_correct"]].tolist() == [5, 3, 4]
    assert ev.confusion.loc["location", "salary"] == 1
    assert ev.confusion.loc["ghosted", "unclassified"] == 1
    assert ev.hard_read_as_soft.empty
    flat = ev.rows()
    assert set(flat["section"]) == {"accuracy", "confusion"}


def test_evaluate_lists_a_hard_no_read_as_soft(rules):
    ev = reasons_report.evaluate(pd.DataFrame([("comp too low", "hard_no", "conduct")],
                                              columns=["text", "class", "category"]), rules)
    assert list(ev.hard_read_as_soft["text"]) == ["comp too low"]


def _pipe(rows):
    df = pd.DataFrame(rows, columns=["candidate_id", "position_id", "outcome", "rejection_reason", "reason_label"])
    df.index = pd.RangeIndex(2, 2 + len(df), name="row")
    return df


def test_suggest_draws_checked_phrases_from_labelled_rows():
    documents = read_rule_files(Settings().reasons_files)
    pipe = _pipe([
        ("C-1", "P-1", "rejected", "wants a four day week, role is five", "availability"),
        ("C-2", "P-1", "rejected", "wants a four day week, role is five", "availability"),  # same text: once
        ("C-3", "P-1", "rejected", "comp too low", "salary"),                 # already read so: nothing
        ("C-4", "P-1", "rejected", "lied about his degree", "skills"),        # soft label on hard text: never
        ("C-5", "P-1", "rejected", "Stelle passt nicht zum Lebenslauf", "skills"),
        ("C-6", "P-1", "rejected", "see notes", None),
    ])
    got = reasons_report.suggest_rules(pipe, documents)
    data = tomllib.loads(got.toml)  # ready to paste: valid TOML
    by_id = {r["id"]: r for r in data["rule"]}
    assert set(by_id) == {"availability.from_labels", "skills.from_labels"}
    assert by_id["availability.from_labels"]["phrases"] == ["wants a four day week"]
    # pasted into an agency file, each text then reads as its label
    agency = [*documents, ("config/reasons.toml", data)]
    from sheetcrm.core.reason_compile import compile_rules
    extended = compile_rules(agency)
    assert reasons.classify("wants a four day week, role is five", None, extended).category == "availability"
    assert reasons.classify("Stelle passt nicht zum Lebenslauf", None, extended).category == "skills"
    notes = got.rows.set_index("row")["note"]
    assert "hard-no" in notes[5]
    assert list(got.rows["row"]) == [2, 5, 6]


def test_suggest_with_nothing_labelled():
    got = reasons_report.suggest_rules(_pipe([("C-1", "P-1", "rejected", "comp too low", None)]),
                                       read_rule_files(Settings().reasons_files))
    assert got.toml.startswith("# nothing to suggest") and got.rows.empty


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    return lambda *args, **kw: CliRunner().invoke(cli, list(args), **kw)


def test_cli_classify_evaluate(run, tmp_path):
    path = tmp_path / "labelled.csv"
    path.write_text("text,class,category\ncomp too low,soft_no,salary\nretired,hard_no,unavailable_permanently\n",
                    encoding="utf-8")
    result = run("classify", "--evaluate", str(path))
    assert result.exit_code == 0, result.output
    assert "salary" in result.output and "Confusion" in result.output
    result = run("classify", "--evaluate", str(path), "--format", "json")
    rows = json.loads(result.output)
    assert {"section": "accuracy", "category": "ALL"}.items() <= next(r for r in rows if r["category"] == "ALL").items()


@pytest.mark.parametrize("body, needle", [
    ("text,label\nx,y\n", "needs the columns text, class, category"),
    ("", "cannot be read as CSV"),
])
def test_cli_classify_evaluate_bad_file_is_one_line(run, tmp_path, body, needle):
    path = tmp_path / "bad.csv"
    path.write_text(body, encoding="utf-8")
    result = run("classify", "--evaluate", str(path))
    assert result.exit_code == 1 and needle in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_cli_classify_evaluate_missing_file_and_no_texts(run, tmp_path):
    result = run("classify", "--evaluate", str(tmp_path / "nope.csv"))
    assert result.exit_code == 1 and "does not exist" in result.output
    assert run("classify").exit_code == 2


def test_cli_reasons_suggest_on_a_demo_workbook(run, demo_xlsx):
    path = demo_xlsx(20)
    result = run("--workbook", str(path), "reasons", "suggest", "--today", "2026-11-22")
    assert result.exit_code == 0, result.output
    assert result.output.startswith("#")
    tomllib.loads(result.output)
