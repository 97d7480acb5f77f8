"""Rejection reasons: hard-no vs soft-no (DESIGN §4, issue 4)."""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from sheetcrm.core import reasons, reasons_report, validate
from sheetcrm.rules import load_rule_files, load_rules

from sheetcrm import schema

from sheetcrm.workbook import sync
from sheetcrm.cli import cli
from sheetcrm.config import BUILTIN_REASONS, Settings
from sheetcrm.demo import HARD_REASONS, SOFT_REASONS, UNCLEAR_REASONS
from sheetcrm.errors import ConfigError
from sheetcrm.core import analysis as analysis_mod

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def rules() -> reasons.RuleSet:
    return load_rules(Settings())


def labelled(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def check_thresholds(rows: list[dict[str, str]], rules: reasons.RuleSet) -> None:
    """Every hard_no row read as hard_no; >= 95 % of rows in the right category."""
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    missed_hard = [(r["text"], g) for r, g in zip(rows, got) if r["class"] == "hard_no" and g.cls != "hard_no"]
    assert not missed_hard, missed_hard
    wrong = [(r["text"], r["category"], g) for r, g in zip(rows, got) if g.category != r["category"]]
    assert 1 - len(wrong) / len(rows) >= 0.95, wrong
    assert all(schema.CATEGORY_CLASS[g.category] == g.cls for g in got)


def test_shared_examples(shared_dir, rules):
    path = shared_dir / "data" / "rejection_reasons_examples.csv"
    if not path.exists():
        pytest.skip(f"{path} is absent")
    check_thresholds(labelled(path), rules)


def test_own_labelled_examples(rules):
    rows = labelled(DATA / "reasons_labelled.csv")
    assert len(rows) >= 100
    categories = {r["category"] for r in rows}
    assert set(schema.HARD_NO_CATEGORIES + schema.SOFT_NO_CATEGORIES + (schema.UNCLASSIFIED,)) <= categories
    check_thresholds(rows, rules)


@pytest.mark.parametrize("category,text", [(c, t) for c, ts in {**SOFT_REASONS, **HARD_REASONS}.items() for t in ts])
def test_demo_reasons_land_in_their_category(rules, category, text):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == (schema.CATEGORY_CLASS[category], category), got.rule


@pytest.mark.parametrize("text", UNCLEAR_REASONS)
def test_demo_unclear_reasons_stay_unclassified(rules, text):
    assert reasons.classify(text, "rejected", rules).cls == schema.UNCLASSIFIED


@pytest.mark.parametrize("text,cls,category", [
    # shorthand
    ("comp way off", "soft_no", "salary"),
    ("$$", "soft_no", "salary"),
    ("no k8s", "soft_no", "skills"),
    ("HM said no", "soft_no", "sponsor_rejected"),
    ("CoC breach", "hard_no", "conduct"),
    ("WFH only", "soft_no", "location"),
    ("no relo", "soft_no", "location"),
    ("NP 3 months", "soft_no", "availability"),
    ("DNC", "hard_no", "do_not_contact"),
    # typos, read with one edit
    ("salray too high", "soft_no", "salary"),
    ("locaton mismatch", "soft_no", "location"),
    ("asked not to be contaced again", "hard_no", "do_not_contact"),
    # negation and qualification
    ("client complaint NOT confirmed", "unclassified", "unclassified"),
    ("client complaint, not confirmed; wanted more pay", "soft_no", "salary"),
    ("no experience issues, just salary", "soft_no", "salary"),
    ("asked us not to call again", "hard_no", "do_not_contact"),
    ("salary fine, location was the blocker", "soft_no", "location"),
    ("not a conduct issue, just wanted more money", "soft_no", "salary"),
    # doubt and missing confirmation go to a person, never to soft-no
    ("client complaint", "unclassified", "unclassified"),
    ("client complaint, rate too high", "unclassified", "unclassified"),
    ("alleged harassment; also too junior", "unclassified", "unclassified"),
    ("fake reference?", "unclassified", "unclassified"),
    # words that call for a person, unless a hard-no is there anyway
    ("no-show twice, never again", "unclassified", "unclassified"),
    ("blacklisted", "unclassified", "unclassified"),
    ("blacklisted: asked us not to call", "hard_no", "do_not_contact"),
    ("no red flags, comp too high", "soft_no", "salary"),
    # precedence: any hard-no wins, DNC first among hard-nos
    ("too expensive and asked us not to call again", "hard_no", "do_not_contact"),
    ("wanted 90k, also lied on CV", "hard_no", "false_information"),
    ("harassment at client site, asked to be removed from our list", "hard_no", "do_not_contact"),
    # several soft reasons: the first mentioned decides
    ("too junior and wanted too much money", "soft_no", "experience"),
    ("wanted 90k and remote only", "soft_no", "salary"),
    # nothing recognised
    ("see email thread", "unclassified", "unclassified"),
])
def test_classify_cases(rules, text, cls, category):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == (cls, category), got.rule


@pytest.mark.parametrize("text,expected", [
    ("asked us not to call again", 'do_not_contact.request: "not to call"'),
    ("comp too low", 'salary.money: "comp"'),
    ("see email thread", reasons.NO_RULE),
])
def test_rule_names_what_matched(rules, text, expected):
    assert reasons.classify(text, "rejected", rules).rule.startswith(expected)


def test_mixed_reasons_mention_the_others(rules):
    got = reasons.classify("rate too high. DNC", "rejected", rules)
    assert got.category == "do_not_contact" and "also salary" in got.rule


@pytest.mark.parametrize("text,outcome,expected", [
    (None, "ghosted", ("soft_no", "ghosted")),
    ("   ", "ghosted", ("soft_no", "ghosted")),
    ("", "declined", ("unclassified", "unclassified")),
    ("asked us never to contact him again", "ghosted", ("hard_no", "do_not_contact")),
])
def test_outcome_only_matters_without_text(rules, text, outcome, expected):
    got = reasons.classify(text, outcome, rules)
    assert (got.cls, got.category) == expected


def test_typo_reading_never_removes_a_hard_no(rules):
    # "retried" is one edit from "retired": the keep list stops that reading; and a
    # hard-no found as typed can never be lost to a typo reading
    assert reasons.classify("retried 3 times, no answer", "rejected", rules).category == "ghosted"
    assert reasons.classify("reqiured skills missing", "rejected", rules).cls == "soft_no"
    assert reasons.classify("do not contact, salray", "rejected", rules).cls == "hard_no"


def _dropped_letter_typos(rules: reasons.RuleSet, limit: int = 400) -> list[str]:
    """Rule words with one letter dropped, that are no rule word themselves: the usual slip."""
    vocab = sorted(rules.vocabulary)
    out = sorted({w[:i] + w[i + 1:] for w in vocab if len(w) >= 7 for i in range(1, len(w))} - set(vocab))
    return out[::max(1, len(out) // limit)][:limit]


def test_a_typo_one_slip_from_two_rule_words_reads_as_the_longer_one(rules):
    """Ties between rule words at the same distance are broken by a fixed order (longer
    first, then alphabetical), never by set order; checked against a plain reference."""
    from rapidfuzz.distance import OSA
    assert reasons.classify("Changd careers, farming full time", None, rules).category == "career_change"
    for typed in _dropped_letter_typos(rules):
        if (typed in rules.keep or typed.rstrip("s") in rules.vocabulary or typed.startswith(rules.stems)
                or len(typed) > 9):
            continue
        near = [w for w in rules.vocabulary if w[0] == typed[0] and OSA.distance(typed, w) <= 1]
        if near:
            best = min(near, key=lambda w: (OSA.distance(typed, w), -len(w), w))
            assert rules._read_as(typed) == best, typed


def test_a_typo_reads_the_same_whatever_the_hash_seed():
    """Set order changes with PYTHONHASHSEED; a text must read the same in every run."""
    import subprocess
    import sys
    probe = ("import sys; from sheetcrm.config import Settings; from sheetcrm.rules import load_rules; "
             "r = load_rules(Settings()); print([r._read_as(w) for w in sys.argv[1:]])")
    words = _dropped_letter_typos(load_rules(Settings()))
    runs = [subprocess.run([sys.executable, "-c", probe, *words], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")]
    assert runs[0] and runs[0] == runs[1] == runs[2]


def test_typo_soft_reading_cannot_override_a_negated_hard_no(rules):
    # without the typo reading nothing soft is there: a person decides
    got = reasons.classify("not a career change, salray", "rejected", rules)
    assert got.cls == "unclassified"


def test_agency_file_adds_a_language_without_code(tmp_path):
    # German is built in now (issue 19): an agency adds Italian the same way
    extra = tmp_path / "reasons.toml"
    extra.write_text(
        'language = "it"\n\n[[rule]]\nid = "salary.it"\ncategory = "salary"\nphrases = ["RAL troppo alta"]\n\n'
        '[[rule]]\nid = "dnc.it"\ncategory = "do_not_contact"\nnegation = false\n'
        'phrases = ["non contattare più"]\n',
        encoding="utf-8")
    before = load_rules(Settings())
    assert reasons.classify("RAL troppo alta", "rejected", before).cls == "unclassified"
    rules = load_rules(Settings(reasons_file=extra))
    got = reasons.classify("RAL troppo alta", "rejected", rules)
    assert (got.cls, got.category, got.rule) == ("soft_no", "salary", 'salary.it: "ral troppo alta"')
    # accents are optional, and the Italian stemmer reads other word forms ("contattato" ~ "contattare")
    assert reasons.classify("per favore non contattare piu", "rejected", rules).category == "do_not_contact"
    got = reasons.classify("non contattato più", "rejected", rules)
    assert got.category == "do_not_contact" and '(a form of "non contattare piu")' in got.rule
    # the built-in rules still apply beside the agency's
    assert reasons.classify("comp too low", "rejected", rules).category == "salary"


def test_agency_file_can_switch_a_builtin_rule_off(tmp_path):
    extra = tmp_path / "reasons.toml"
    extra.write_text('[[rule]]\nid = "sponsor_rejected.interview"\nenabled = false\n', encoding="utf-8")
    rules = load_rules(Settings(reasons_file=extra))
    # no rule reads it now (the labelled notes it resembles may still: reason_examples)
    assert "no rule matched" in reasons.classify("after interview", "rejected", rules).rule
    assert reasons.classify("after interview", "rejected", load_rules(Settings())).category == "sponsor_rejected"


def test_agency_negation_template(tmp_path):
    extra = tmp_path / "reasons.toml"
    extra.write_text('[[rule]]\nid = "conduct.de"\ncategory = "conduct"\nphrases = ["Fehlverhalten"]\n\n'
                     '[[negation]]\napplies_to = "hard_no"\neffect = "negate"\ntemplates = ["kein ~ {m}"]\n',
                     encoding="utf-8")
    rules = load_rules(Settings(reasons_file=extra))
    assert reasons.classify("Fehlverhalten beim Kunden", "rejected", rules).category == "conduct"
    assert reasons.classify("kein Fehlverhalten, comp too low", "rejected", rules).category == "salary"


@pytest.mark.parametrize("body,needle", [
    ('[[rule]]\nid = "x"\ncategory = "money"\nphrases = ["a"]\n', "category 'money' is unknown"),
    ('[[rule]]\nid = "x"\ncategory = "salary"\npatterns = ["(unclosed"]\n', "not a valid regular expression"),
    ('[[rule]]\nid = "x"\ncategory = "salary"\n', "needs phrases or patterns"),
    ('[[rule]]\nid = "x"\ncategory = "salary"\nphrase = ["a"]\n', "unknown key(s) phrase"),
    ('[[rule]]\ncategory = "salary"\nphrases = ["a"]\n', "needs an id"),
    ('[[negation]]\ntemplates = ["no"]\n', "exactly one {m}"),
    ('[[negation]]\neffect = "maybe"\ntemplates = ["no {m}"]\n', "effect must be one of"),
    ('[rules]\n', "unknown section(s) rules"),
    ('[[rule]\n', "is not valid TOML"),
    ('[[rule]]\nid = "x"\ncategory = "salary"\ndirection = "over"\nphrases = ["a"]\n', "'direction' is for experience"),
    ('[[rule]]\nid = "x"\ncategory = "experience"\ndirection = "up"\nphrases = ["a"]\n', "one of under, over"),
])
def test_bad_reasons_file_is_one_clear_line(tmp_path, body, needle):
    bad = tmp_path / "reasons.toml"
    bad.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_rules(Settings(reasons_file=bad))
    assert needle in str(exc.value) and "\n" not in str(exc.value)


def test_a_rule_id_used_twice_in_one_file_is_one_clear_line(tmp_path):
    """Within one file a repeated id is a mistake (the second silently replaced the first); the
    line names the file and the id."""
    bad = tmp_path / "reasons.toml"
    bad.write_text('[[rule]]\nid = "salary.own"\ncategory = "salary"\nphrases = ["a"]\n'
                   '[[rule]]\nid = "salary.own"\ncategory = "salary"\nphrases = ["b"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_rules(Settings(reasons_file=bad))
    assert "salary.own" in str(exc.value) and str(bad) in str(exc.value) and "\n" not in str(exc.value)


def test_an_agency_rule_may_replace_a_built_in_one_by_its_id(tmp_path):
    """README: a rule whose id repeats a built-in one replaces it; enabled = false switches it off."""
    own = tmp_path / "reasons.toml"
    own.write_text('[[rule]]\nid = "salary.money"\ncategory = "salary"\nphrases = ["kohle"]\n'
                   '[[rule]]\nid = "skills.fit"\nenabled = false\ncategory = "skills"\nphrases = ["x"]\n',
                   encoding="utf-8")
    rules = load_rules(Settings(reasons_file=own))
    assert reasons.classify("the kohle was short", "rejected", rules).rule.startswith("salary.money")
    assert not [r for r in rules.rules if r.id == "skills.fit"]


def test_every_built_in_rule_id_is_used_once_across_the_built_in_files():
    """Across the built-in files a repeated id would silently replace the earlier rule (a later
    file may replace an earlier one's rule: that is for an agency's file, README)."""
    import tomllib

    from sheetcrm.config import BUILTIN_REASONS_LANGUAGES
    seen: dict[str, str] = {}
    twice = []
    for path in [BUILTIN_REASONS, *BUILTIN_REASONS_LANGUAGES]:
        for spec in tomllib.loads(path.read_text(encoding="utf-8")).get("rule", []):
            if spec["id"] in seen:
                twice.append((spec["id"], seen[spec["id"]], path.name))
            seen[spec["id"]] = path.name
    assert not twice, twice


def test_missing_reasons_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(Settings(reasons_file=tmp_path / "nope.toml"))


def test_builtin_rules_cover_every_category():
    rules = load_rule_files([BUILTIN_REASONS])
    assert {r.category for r in rules.rules} == set(schema.HARD_NO_CATEGORIES + schema.SOFT_NO_CATEGORIES
                                                    + (schema.UNCLASSIFIED,))


def pipeline_frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["candidate_id", "position_id", "outcome", "rejection_reason"])
    df.index = pd.RangeIndex(2, 2 + len(df), name="row")
    return df


def test_classify_pipeline_only_decided_rows(rules):
    pipe = pipeline_frame([
        ("C-1", "P-1", "rejected", "comp too low"),
        ("C-1", "P-2", "open", "comp too low"),
        ("C-2", "P-1", "ghosted", None),
        ("C-3", "P-1", "declined", "turned it down, not challenging"),
        ("C-4", "P-1", "hired", None),
        ("C-5", "P-2", "rejected", "see email thread"),
        ("C-6", "P-2", "rejected", "asked us not to call again"),
    ])
    out = reasons.classify_pipeline(pipe, rules)
    assert list(out["rejection_class"]) == ["soft_no", None, "soft_no", "soft_no", None, "unclassified", "hard_no"]
    assert list(out["rejection_category"]) == ["salary", None, "ghosted", "declined_role", None, "unclassified",
                                               "do_not_contact"]
    assert out["rejection_rule"].iloc[0] == 'salary.money: "comp"' and out["rejection_rule"].iloc[1] is None
    assert list(out.index) == list(pipe.index)
    assert list(pipe.columns) == ["candidate_id", "position_id", "outcome", "rejection_reason"]  # input untouched


@pytest.mark.parametrize("text,direction", [
    ("overqualified - would be bored in a mid-level seat", "over"),
    ("too senior for this team", "over"),
    ("way too experienced for a mid role", "over"),
    ("Over-qualified, wants a lead role", "over"),
    ("überqualifiziert für die Stelle", "over"),
    ("surqualifié pour le poste", "over"),
    ("sobrecualificado para el puesto", "over"),
    ("overgekwalificeerd voor deze rol", "over"),
    ("too junior at the time", "under"),
    ("needs a couple more years before a senior role", "under"),
    ("not senior enough for lead role", "under"),
    ("zu wenig Erfahrung", "under"),
    ("te junior voor een senior rol", "under"),
])
def test_experience_rules_say_which_way(rules, text, direction):
    """Both ways stay category experience; the rule that decided says which (DESIGN §6 cool-offs)."""
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category, got.direction) == ("soft_no", "experience", direction)
    out = reasons.classify_pipeline(pipeline_frame([("C-1", "P-1", "rejected", text)]), rules)
    assert out["rejection_direction"].iloc[0] == direction


def test_reason_label_keeps_the_direction_the_text_gave(rules):
    pipe = pipeline_frame([("C-1", "P-1", "rejected", "overqualified"), ("C-2", "P-1", "rejected", "overqualified"),
                           ("C-3", "P-1", "rejected", "comp too low"), ("C-4", "P-1", "rejected", "comp too low")])
    pipe["reason_label"] = ["experience", "salary", "experience", None]
    out = reasons.classify_pipeline(pipe, rules)
    assert list(out["rejection_category"]) == ["experience", "salary", "experience", "salary"]
    assert list(out["rejection_direction"]) == ["over", None, None, None]


def test_classify_pipeline_reads_each_distinct_text_once(rules, monkeypatch):
    seen: list[str] = []
    real = reasons.classify_text
    monkeypatch.setattr(reasons, "classify_text", lambda t, r: seen.append(t) or real(t, r))
    pipe = pipeline_frame([("C-%d" % i, "P-1", "rejected", ["comp too low", "no-show", "relo no"][i % 3])
                           for i in range(3000)])
    out = reasons.classify_pipeline(pipe, rules)
    assert sorted(seen) == ["comp too low", "no-show", "relo no"]
    assert out["rejection_category"].value_counts().to_dict() == {"salary": 1000, "ghosted": 1000, "location": 1000}


def test_classify_pipeline_empty(rules):
    out = reasons.classify_pipeline(pipeline_frame([]), rules)
    assert len(out) == 0 and {"rejection_class", "rejection_category", "rejection_rule"} <= set(out.columns)


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(texts=st.lists(st.one_of(st.none(), st.text(max_size=60), st.sampled_from(
    ["comp", "do not contact", "no ~ {m}", "$$$", "((", "\\", "client complaint?", "ñø ßtraße"])), max_size=8),
    outcomes=st.lists(st.sampled_from(schema.OUTCOMES), min_size=8, max_size=8))
def test_never_crashes_and_never_loses_rows(rules, texts, outcomes):
    pipe = pipeline_frame([(f"C-{i}", "P-1", outcomes[i], t) for i, t in enumerate(texts)])
    out = reasons.classify_pipeline(pipe, rules)
    assert len(out) == len(pipe)
    for cls, cat, outcome in zip(out["rejection_class"], out["rejection_category"], out["outcome"]):
        if outcome in schema.TURNED_DOWN:
            assert cls in schema.REJECTION_CLASSES and schema.CATEGORY_CLASS[cat] == cls
        else:
            assert cls is None and cat is None


def test_candidate_classes(rules):
    pipe = reasons.classify_pipeline(pipeline_frame([
        ("C-1", "P-1", "rejected", "comp too low"),
        ("C-1", "P-2", "rejected", "asked us not to call again"),
        ("C-2", "P-1", "rejected", "comp too low"),
        ("C-3", "P-1", "rejected", "see email thread"),
        ("C-4", "P-1", "open", None),
    ]), rules)
    cands = pd.DataFrame({"candidate_id": ["C-1", "C-2", "C-3", "C-4", "C-5"],
                          "do_not_contact": [False, False, False, False, True]})
    got = reasons.candidate_classes(pipe, cands)
    assert got.to_dict() == {"C-1": "hard_no", "C-2": "soft_no", "C-3": None, "C-4": None, "C-5": "hard_no"}


def test_unclassified_issues_are_warnings_on_the_pipeline_tab(rules, settings):
    pipe = reasons.classify_pipeline(pipeline_frame([
        ("C-1", "P-1", "rejected", "comp too low"),
        ("C-2", "P-1", "rejected", "long story, ask Sam"),
        ("C-3", "P-1", "rejected", "client complaint"),
    ]), rules)
    issues = reasons.unclassified_issues(pipe, settings)
    assert list(issues.columns) == list(schema.ISSUE_COLUMNS)
    assert list(issues["row"]) == [3, 4]
    assert set(issues["severity"]) == {"warning"} and set(issues["column"]) == {"rejection_reason"}
    assert set(issues["tab"]) == {"Pipeline"}
    assert issues["message"].iloc[0] == reasons.UNRECOGNISED_MESSAGE
    assert "needs a person" in issues["message"].iloc[1] and "config/reasons.toml" in issues["message"].iloc[1]
    assert list(issues["value"]) == ["long story, ask Sam", "client complaint"]


def test_sync_fills_classes_and_flags_unclassified(settings, today, frames_of):
    frames = frames_of(
        candidates=[{"candidate_id": "C-00001", "name": "Ada Abara", "email": "ada@example.com"},
                    {"candidate_id": "C-00002", "name": "Bram Brandt", "email": "bram@example.com"},
                    {"candidate_id": "C-00003", "name": "Chiara Castell", "email": "chiara@example.com"}],
        positions=[{"position_id": "P-001", "title": "Backend Engineer", "status": "open"}],
        pipeline=[
            {"candidate_id": "C-00001", "position_id": "P-001", "outcome": "rejected",
             "rejection_reason": "comp too low", "decided_on": "2026-10-01"},
            {"candidate_id": "C-00002", "position_id": "P-001", "outcome": "rejected",
             "rejection_reason": "asked us not to call again", "decided_on": "2026-10-01"},
            {"candidate_id": "C-00003", "position_id": "P-001", "outcome": "rejected",
             "rejection_reason": "long story, ask Sam", "decided_on": "2026-10-01"},
        ])
    analysis = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    owned = analysis.owned[schema.PIPELINE]
    assert list(owned["rejection_class"]) == ["soft_no", "hard_no", "unclassified"]
    assert list(owned["rejection_category"]) == ["salary", "do_not_contact", "unclassified"]
    assert analysis.candidate_class.to_dict() == {"C-00001": "soft_no", "C-00002": "hard_no", "C-00003": None}
    warn = analysis.issues[(analysis.issues["column"] == "rejection_reason")]
    assert list(warn["row"]) == [4] and list(warn["severity"]) == ["warning"]
    assert "rejection reason not recognised" in owned.loc[4, "row_issues"]


def test_reasons_report(rules):
    pipe = reasons.classify_pipeline(pipeline_frame([
        ("C-1", "P-1", "rejected", "comp too low"),
        ("C-2", "P-1", "rejected", "see email thread"),
        ("C-3", "P-2", "rejected", "see email thread"),
        ("C-4", "P-2", "rejected", "other"),
        ("C-5", "P-2", "ghosted", None),
        ("C-6", "P-2", "open", None),
    ]), rules)
    rep = reasons_report.reasons_report(pipe)
    allrows = rep.counts[rep.counts["position_id"] == "ALL"].set_index("rejection_category")
    assert allrows["rows"].to_dict() == {"salary": 1, "ghosted": 1, "unclassified": 3}
    assert allrows.loc["salary", "class_rows"] == 2
    p2 = rep.counts[rep.counts["position_id"] == "P-2"]
    assert p2["rows"].sum() == 3
    assert rep.unclassified[["text", "rows", "positions"]].values.tolist() == [
        ["see email thread", 2, "P-1, P-2"], ["other", 1, "P-2"]]
    flat = rep.rows()
    assert set(flat["section"]) == {"counts", "unclassified"}


def test_reasons_report_empty(rules):
    rep = reasons_report.reasons_report(reasons.classify_pipeline(pipeline_frame([]), rules))
    assert len(rep.counts) == 0 and len(rep.unclassified) == 0 and len(rep.rows()) == 0


# ---------------------------------------------------------------- commands

def invoke(args: list[str], input: str | None = None):
    return CliRunner().invoke(cli, args, input=input, catch_exceptions=False)


def test_cli_classify_args_json():
    result = invoke(["classify", "comp too low", "asked us not to call again", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert [set(r) for r in rows] == [{"text", "class", "category", "rule"}] * 2
    assert [(r["class"], r["category"]) for r in rows] == [("soft_no", "salary"), ("hard_no", "do_not_contact")]


def test_cli_classify_stdin_csv():
    result = invoke(["classify", "-", "--format", "csv"], input="no-show\n\nrelo no\n")
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0] == "text,class,category,rule" and len(lines) == 3
    assert lines[1].startswith("no-show,soft_no,ghosted,")


def test_cli_classify_outcome_and_table():
    result = invoke(["classify", "", "--outcome", "ghosted"])
    assert result.exit_code == 0 and "outcome ghosted" in result.output
    assert invoke(["classify", "see notes"]).output.count("unclassified") == 2


def test_cli_classify_usage_errors():
    assert invoke(["classify"]).exit_code == 2
    assert invoke(["classify", "x", "--outcome", "hired"]).exit_code == 2
    assert invoke(["classify", "--help"]).output.count("Example") == 1


def test_cli_classify_uses_the_agency_file(tmp_path):
    extra = tmp_path / "reasons.toml"
    extra.write_text('[[rule]]\nid = "salary.de"\ncategory = "salary"\nphrases = ["Gehalt"]\n', encoding="utf-8")
    conf = tmp_path / "sheetcrm.toml"
    conf.write_text('[sheetcrm]\nreasons_file = "reasons.toml"\n', encoding="utf-8")
    result = invoke(["--config", str(conf), "classify", "Gehalt zu hoch", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["rule"] == 'salary.de: "gehalt"'


def test_cli_bad_agency_file_exit_1(tmp_path):
    (tmp_path / "reasons.toml").write_text('[[rule]]\nid = "x"\ncategory = "nope"\nphrases = ["a"]\n')
    conf = tmp_path / "sheetcrm.toml"
    conf.write_text('[sheetcrm]\nreasons_file = "reasons.toml"\n', encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(conf), "classify", "x"])
    assert result.exit_code == 1 and "category 'nope' is unknown" in result.output
    assert "Traceback" not in result.output


def test_cli_report_reasons(demo_xlsx):
    path = demo_xlsx(80)
    result = invoke(["--workbook", str(path), "report", "reasons", "--today", "2026-11-22", "--format", "json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert rows and all(set(r) == {"section", "position_id", "rejection_class", "rejection_category", "text",
                                   "rows", "class_rows", "share"} for r in rows)
    counts = [r for r in rows if r["section"] == "counts"]
    assert any(r["position_id"] == "ALL" for r in counts)
    total_all = sum(r["rows"] for r in counts if r["position_id"] == "ALL")
    assert total_all == sum(r["rows"] for r in counts if r["position_id"] != "ALL")
    for r in rows:
        if r["section"] == "unclassified":
            assert r["text"] in UNCLEAR_REASONS
    table = invoke(["--workbook", str(path), "report", "reasons", "--today", "2026-11-22"])
    assert table.exit_code == 0 and "Unclassified reasons" in table.output
    assert invoke(["report", "reasons", "--help"]).output.count("Example") == 1


def test_cli_report_reasons_bad_today(demo_xlsx):
    result = CliRunner().invoke(cli, ["--workbook", str(demo_xlsx(10)), "report", "reasons", "--today", "22/11"])
    assert result.exit_code == 2


def test_issues_frame_contract(settings, rules):
    # the frame merges with validate's issues (analysis_mod._merge_issues)
    empty = reasons.unclassified_issues(reasons.classify_pipeline(pipeline_frame([]), rules), settings)
    assert list(empty.columns) == list(validate.issues_frame([]).columns)


# ---------------------------------------------------------------- the costly error

_ALL_LABELLED = labelled(DATA / "reasons_labelled.csv")
_HARD_TEXTS = [r["text"] for r in _ALL_LABELLED if r["class"] == "hard_no"]
_SOFT_TEXTS = [r["text"] for r in _ALL_LABELLED if r["class"] == "soft_no"]


# what recruiters put between two notes in one cell: a hard-no before or after any of them stays hard
NOTE_JOINERS = ["; ", ", ", ". ", " - ", " – ", " — ", " + ", "\n", " / ", " // ", " | ", " -> ", " => ", " • "]


def _typo(text: str, data) -> str:
    """One random slip (swap, drop or double a letter) in a few words of the text."""
    words = text.split(" ")
    for _ in range(data.draw(st.integers(0, 3))):
        i = data.draw(st.integers(0, len(words) - 1))
        w = words[i]
        if len(w) < 3:
            continue
        j = data.draw(st.integers(1, len(w) - 2))
        kind = data.draw(st.sampled_from(["swap", "drop", "double"]))
        w = {"swap": w[:j] + w[j + 1] + w[j] + w[j + 2:], "drop": w[:j] + w[j + 1:], "double": w[:j] + w[j] + w[j:]}[kind]
        words[i] = w
    return " ".join(words)


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_hard_no_stays_hard_whatever_soft_text_and_typos_surround_it(rules, data):
    hard = data.draw(st.sampled_from(_HARD_TEXTS))
    soft = _typo(data.draw(st.sampled_from(_SOFT_TEXTS)), data)
    joiner = data.draw(st.sampled_from([*NOTE_JOINERS, " and ", " but "]))
    text = hard + joiner + soft if data.draw(st.booleans()) else soft + joiner + hard
    got = reasons.classify(text, data.draw(st.sampled_from(schema.TURNED_DOWN)), rules)
    assert got.cls == "hard_no", (text, got)


# ---------------------------------------------------------------- issue 19: forms, languages, labels

LABELLED_SETS = [DATA / "reasons_labelled.csv", DATA / "reasons_heldout.csv", DATA / "reasons_heldout_fresh.csv",
                 DATA / "reasons_heldout_v4.csv", DATA / "reasons_blind_train.csv", DATA / "reasons_heldout_v5.csv",
                 DATA / "reasons_blind_train2.csv", DATA / "reasons_heldout_v6.csv", DATA / "reasons_heldout_v7.csv",
                 DATA / "reasons_blind_train3.csv", DATA / "reasons_blind_train4.csv", DATA / "reasons_heldout_v8.csv",
                 DATA / "reasons_blind_train5.csv", DATA / "reasons_heldout_v9.csv",
                 DATA / "reasons_heldout_v10.csv", DATA / "reasons_blind_train6.csv",
                 DATA / "reasons_blind_train7.csv", DATA / "reasons_blind_train9.csv",
                 DATA / "reasons_blind_train8.csv", DATA / "reasons_heldout_v11.csv",
                 DATA / "reasons_blind_train12.csv", DATA / "reasons_blind_train10.csv",
                 DATA / "reasons_blind_train11.csv", DATA / "reasons_heldout_v12.csv",
                 DATA / "reasons_blind_train13.csv", DATA / "reasons_blind_train14.csv"]


@pytest.mark.parametrize("path", [*LABELLED_SETS, "shared"], ids=lambda p: getattr(p, "name", p))
def test_no_hard_no_text_reads_as_soft_no_on_any_labelled_set(rules, shared_dir, path):
    if path == "shared":
        path = shared_dir / "data" / "rejection_reasons_examples.csv"
        if not path.exists():
            pytest.skip(f"{path} is absent")
    rows = labelled(path)
    soft = [(r["text"], c) for r in rows if r["class"] == "hard_no"
            and (c := reasons.classify(r["text"], None, rules)).cls == "soft_no"]
    assert not soft, soft


def test_heldout_part_accuracy(rules):
    """The held-out part (README: its first reading, before any rule saw its misses)
    stays >= 97 % in category and loses no hard-no."""
    rows = labelled(DATA / "reasons_heldout.csv")
    assert len(rows) >= 70
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    right = sum(g.category == r["category"] for g, r in zip(got, rows))
    assert right / len(rows) >= 0.97
    assert all(g.cls == "hard_no" for g, r in zip(got, rows) if r["class"] == "hard_no")


def test_fresh_heldout_category_accuracy_floor(rules):
    """reasons_heldout_fresh.csv was measured once as a held-out set (105/120 = 87.5 % in
    category, one hard-no read as soft-no; commit 06aeccf), then moved into the tuning
    material: the kinds of its misses were fixed in the rules (README). The floor is what
    the reader reaches on it now, so it cannot regress; it is no longer a held-out figure."""
    rows = labelled(DATA / "reasons_heldout_fresh.csv")
    assert len(rows) == 120
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    right = sum(g.category == r["category"] for g, r in zip(got, rows))
    assert right / len(rows) >= 0.99, right


def test_blind_heldout_v4_category_accuracy_floor(rules):
    """reasons_heldout_v4.csv was written blind (by someone who never read the rules or the
    other sets) and measured once, after the rules were final: 147/160 = 91.9 % in category,
    3 hard-nos read as soft-no (commit 97123d9, README). It was then moved into the tuning
    material: the kinds of its misses were fixed in the rules (157/160 after). The floor is
    what the reader reaches on it now, so it cannot regress; it is no longer a blind figure."""
    rows = labelled(DATA / "reasons_heldout_v4.csv")
    assert len(rows) == 160
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    right = sum(g.category == r["category"] for g, r in zip(got, rows))
    assert right / len(rows) >= 0.98, right


def test_blind_v5_stays_at_its_one_measured_figure(rules):
    """reasons_heldout_v5.csv is blind (written without reading the rules, measured once at
    785e535: 184/200 in category). It is never tuned on; this only keeps a later change
    from reading it worse than that measurement (README, "The third blind figure")."""
    rows = labelled(DATA / "reasons_heldout_v5.csv")
    assert len(rows) == 200
    right = sum(reasons.classify(r["text"], None, rules).category == r["category"] for r in rows)
    assert right >= 184


def test_blind_v6_stays_at_or_above_its_one_measured_figure(rules):
    """reasons_heldout_v6.csv is blind (written without reading the rules, measured once:
    179/200 in category, 3 hard-nos read as soft-no). It is tuning material only for the
    rule "no hard-no reads as soft-no" (its three misses were fixed by kind, see
    test_v6_hard_no_kinds_read_hard_in_every_language); this keeps a later change from
    reading it worse than that one measurement."""
    rows = labelled(DATA / "reasons_heldout_v6.csv")
    assert len(rows) == 200
    right = sum(reasons.classify(r["text"], None, rules).category == r["category"] for r in rows)
    assert right >= 179


# Sets that were blind once and are tuning material since: each measured as it landed, before
# any rule saw it (README: "The sixth blind figure", "A seventh …", "An eighth …"); the kinds
# behind their misses were then fixed in all five languages, with probes in other words. The
# floor is what the reader reaches on each now, so none can regress; none is a blind figure.
TUNED_ON_FLOORS = [
    # file, notes, category floor, class floor: blind figure (commit) -> now. v10, train8 and train9
    # lost 1-2 notes each to a person when a request or ban said NOT to be made stopped negating
    # and began to doubt (the hostile review: the negation reached real requests; safety first).
    # train11 and v12 lost 1 and 2 in class when a reason ruled out in words ("not a salary thing",
    # "no es por dinero") stopped deciding: salary was wrong there, the reason left is read by no rule.
    # The floors of the sets the kinds of the train13/14 stop moved are what they read at d5614cb.
    ("reasons_heldout_v7.csv", 200, 200, 200),     # 188/200 cat, 196 class, 1 hard as soft (d9b42b4)
    ("reasons_blind_train3.csv", 300, 299, 299),   # 272/300 cat, 277 class, 4 hard as soft (d70a349)
    ("reasons_blind_train4.csv", 300, 297, 299),   # 255/300 cat, 285 class, 2 hard as soft (4429644)
    ("reasons_heldout_v8.csv", 200, 200, 200),     # 191/200 cat, 196 class, 0 hard as soft (627a7f9, the lead's one reading)
    ("reasons_blind_train5.csv", 300, 300, 300),   # 271/300 cat, 277 class, 4 hard as soft (729c883, as it landed)
    ("reasons_heldout_v9.csv", 200, 197, 200),     # 183/200 cat, 193 class, 0 hard as soft (df873c7, the lead's one reading)
    ("reasons_heldout_v10.csv", 300, 294, 298),    # 282/300 cat, 294 class, 2 hard as soft (ca1e47a, the lead's one reading)
    ("reasons_blind_train6.csv", 300, 291, 297),   # 271/300 cat, 281 class, 4 hard as soft (df258e6, as it landed)
    ("reasons_blind_train7.csv", 300, 285, 297),   # 266/300 cat, 284 class, 1 hard as soft (7a03939, as it landed)
    ("reasons_blind_train9.csv", 300, 281, 292),   # 260/300 cat, 278 class, 3 hard as soft (0026b91, as it landed)
    ("reasons_blind_train8.csv", 300, 279, 287),   # 254/300 cat, 271 class, 3 hard as soft (992b372, as it landed)
    ("reasons_heldout_v11.csv", 300, 291, 297),    # 281/300 cat, 291 class, 3 hard as soft (72b4bfb, the lead's one reading)
    ("reasons_blind_train12.csv", 300, 276, 287),  # 256/300 cat, 271 class, 7 hard as soft, 18 to a person (ecb6710, as it landed)
    ("reasons_blind_train10.csv", 300, 262, 287),  # 236/300 cat, 269 class, 5 hard as soft (0d825d2, as it landed) -> 257, 286, 0
    ("reasons_blind_train11.csv", 300, 292, 296),  # 283/300 cat, 291 class, 0 hard as soft (9486253, as it landed) -> 292, 297, 0
    ("reasons_heldout_v12.csv", 300, 278, 292),    # 266/300 cat, 287 class, 3 hard as soft (6474892, the lead's one reading) -> 269, 290, 0
    ("reasons_blind_train13.csv", 300, 281, 286),  # 265/300 cat, 274 class, 3 hard as soft (627a5b3, as it landed) -> 269, 278, 0
    ("reasons_blind_train14.csv", 300, 288, 290),  # 274/300 cat, 281 class, 3 hard as soft (627a5b3, as it landed) -> 279, 286, 0
]


def test_the_held_out_set_is_in_no_labelled_list():
    """The held-out set (conftest.HELD_OUT_SET) is read by the lead only: whether or not its
    file exists yet, no list a test walks names it."""
    from conftest import HELD_OUT_SET, labelled_csvs
    named = {p.name for p in LABELLED_SETS} | {n for n, *_ in TUNED_ON_FLOORS} | {p.name for p in labelled_csvs()}
    assert HELD_OUT_SET not in named
    assert "reasons_heldout_v9.csv" in named  # tuning material since v10 was written
    assert "reasons_heldout_v10.csv" in named  # tuning material since v11 was written
    assert "reasons_heldout_v11.csv" in named  # tuning material since v12 was written
    assert "reasons_heldout_v12.csv" in named  # tuning material since its one reading (v13 is to be written)


@pytest.mark.parametrize("name, notes, category_floor, class_floor", TUNED_ON_FLOORS)
def test_a_set_tuned_on_stays_at_or_above_its_tuned_figure(rules, name, notes, category_floor, class_floor):
    rows = labelled(DATA / name)
    assert len(rows) == notes
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    right = sum(g.category == r["category"] for g, r in zip(got, rows))
    assert right >= category_floor, right
    assert sum(g.cls == r["class"] for g, r in zip(got, rows)) >= class_floor


# The kinds behind reasons_heldout_v6's hard-nos read as soft-no, each in other wordings
# and languages than the note it came from (the notes themselves are not repeated here).
@pytest.mark.parametrize("text, category", [
    # a claimed clearance / vetting / qualification level that is a lie or was never issued
    ("CV claims DV clearance; vetting unit says it was never granted", "false_information"),
    ("he lies about his clearance level, only ever had BPSS", "false_information"),
    ("says she is a chartered accountant, the institute says the membership was never awarded", "false_information"),
    ("Gibt im Lebenslauf Ü3 an, die Sicherheitsüberprüfung wurde nie erteilt", "false_information"),
    ("Affirme être habilité secret défense, habilitation jamais délivrée", "false_information"),
    ("Il avait noté sur son CV la certification ISO 27001, jamais obtenue", "false_information"),
    ("Dice en su CV que tiene habilitación de seguridad, nunca le fue concedida", "false_information"),
    ("Zegt op zijn cv een VOG te hebben, die is nooit afgegeven", "false_information"),
    # confidential client or customer data taken, copied or sent to a private device
    ("downloaded the client's customer database to his personal laptop", "conduct"),
    ("emailed customer records to a private gmail account before leaving", "conduct"),
    ("copied client data onto a USB stick, walked out with it", "conduct"),
    ("Kundenliste an private E-Mail weitergeleitet", "conduct"),
    ("Hat interne Unterlagen des Kunden mitgenommen", "conduct"),
    ("Kopierte die Kundenliste auf seinen eigenen Stick", "conduct"),
    ("A transféré des fichiers clients confidentiels sur sa messagerie perso", "conduct"),
    ("Copió datos de clientes en un pendrive personal", "conduct"),
    ("Heeft vertrouwelijke klantgegevens naar zijn privé-mail doorgestuurd", "conduct"),
    # employment dates that do not match, a former manager contradicting the CV
    ("employment dates at Brightwell Ltd do not add up", "false_information"),
    ("former manager contradicts the title on his CV", "false_information"),
    ("ex boss says he was only a tester, not the QA lead he lists", "false_information"),
    ("Die Beschäftigungszeiten bei Müller GmbH stimmen nicht", "false_information"),
    ("Ehemaliger Vorgesetzter widerspricht dem Lebenslauf: war nur Werkstudent", "false_information"),
    ("Les dates d'emploi chez Arvato ne correspondent pas", "false_information"),
    ("L'ancienne responsable indique qu'elle n'était qu'assistante", "false_information"),
    ("Son ancien employeur contredit son CV", "false_information"),
    ("Su antigua jefa dice que solo era becaria", "false_information"),
    ("Las fechas en Indra no cuadran con su vida laboral", "false_information"),
    ("De data bij Capgemini kloppen niet", "false_information"),
    ("Voormalig manager bevestigt dat hij stagiair was, geen projectleider", "false_information"),
])
def test_v6_hard_no_kinds_read_hard_in_every_language(rules, text, category):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == ("hard_no", category), got


@pytest.mark.parametrize("joiner", [*NOTE_JOINERS, " and ", " but "])
def test_a_claim_he_does_not_meet_stays_hard_before_more_text(rules, joiner):
    # "claimed X, he doesn't" ended the text or a clause; joined to a soft reason by "and"
    # or a dash it was read as the soft one (found by the property test above)
    text = "claimed to have SC clearance, he doesnt" + joiner + "comp too low - wanted 110k"
    assert reasons.classify(text, "rejected", rules).cls == "hard_no"


@pytest.mark.parametrize("joiner", NOTE_JOINERS)
@pytest.mark.parametrize("hard", ["claimed to have SC clearance, he doesnt", "claims a masters, which he has not",
                                  "left IT", "done with IT", "not going back to IT"])
@pytest.mark.parametrize("soft", ["comp too low - wanted 110k", "Homeoffice gewünscht", "ne répond plus"])
def test_a_phrase_read_to_its_clause_end_stays_hard_whatever_joins_the_next_note(rules, hard, joiner, soft):
    # " / ", " | ", " -> " between two notes in one cell end a clause as ";" does; an em dash is
    # the en dash the rules know: "claimed to have SC clearance, he doesnt / comp too low" read
    # as salary, "left IT - comp too low" as salary, "…, he doesnt — comp too low" as location
    assert reasons.classify(hard + joiner + soft, "rejected", rules).cls == "hard_no"
    assert reasons.classify(soft + joiner + hard, "rejected", rules).cls == "hard_no"


@pytest.mark.parametrize("text", [
    # near wordings that are not those kinds stay soft (or go to a person)
    "SC clearance needed but he has none yet",
    "Die Arbeitszeiten passen nicht",
    "Las fechas de incorporación no cuadran con el proyecto",
    "took the client data engineering test, too weak on SQL",
    "Il a été stagiaire chez nous, encore trop junior",
])
def test_near_wordings_of_the_v6_kinds_are_not_hard(rules, text):
    assert reasons.classify(text, "rejected", rules).cls != "hard_no"


def test_blind_train_category_accuracy_floor(rules):
    """reasons_blind_train.csv was written by someone who never read the rules or the other
    sets, and measured once as it landed, before any rule saw it: 196/240 = 81.7 % in
    category, 3 hard-nos read as soft-no (README). It is tuning material since (the kinds of
    its misses were fixed in all five languages); the floor is what the reader reaches on
    it now, so it cannot regress; it is no longer a blind figure."""
    rows = labelled(DATA / "reasons_blind_train.csv")
    assert len(rows) == 240
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    right = sum(g.category == r["category"] for g, r in zip(got, rows))
    assert right / len(rows) >= 0.99, right


@pytest.mark.parametrize("text, category, phrase", [
    ("he falsified his dates", "false_information", "falsify"),
    ("he keeps fabricating employment dates", "false_information", "fabricat"),
    ("declining the offer, stays put", "declined_role", "declined"),
    ("client complaint about him, complaints verified", "client_complaint", None),
    ("die Zeugnisse waren gefälschte Kopien", "false_information", None),
    ("relocating to Leeds is the issue", "location", None),
])
def test_word_forms_are_read_and_explained(rules, text, category, phrase):
    got = reasons.classify(text, "rejected", rules)
    assert got.category == category, got
    if phrase:
        assert f'(a form of "{phrase}' in got.rule


@pytest.mark.parametrize("text, category", [
    ("offer declined - money", "salary"),
    ("declined the offer, package 10k short", "salary"),
    ("refused to relocate to Munich", "location"),
    ("stayed with his employer after a raise", "declined_role"),
    ("not enough hands-on k8s experience", "experience"),
    ("k8s: not enough hands on experience", "experience"),
    ("no Go experience, Go-only shop", "skills"),
    ("now a full-time chef, left software for good", "career_change"),
    ("permanently relocated and retrained as a nurse", "career_change"),
    ("declined, Java role", "declined_role"),
    # the logic behind kinds of misses in reasons_heldout_fresh.csv and the probes (README)
    ("no issue with salary, but the commute is 90 mins each way", "location"),
    ("weak on React, strong backend though", "skills"),
    ("skills matched but not enough years in a lead role", "experience"),
    ("HM feedback: lacks stakeholder management experience", "experience"),
    ("no problem with the rate, the travel time is the blocker", "location"),
])
def test_the_decisive_reason_decides(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("code", ["de", "fr", "es", "nl"])
def test_each_built_in_language_covers_every_category(code):
    import tomllib
    from sheetcrm.config import BUILTIN_REASONS_LANGUAGES

    path = next(p for p in BUILTIN_REASONS_LANGUAGES if p.name == f"reasons.{code}.toml")
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    assert data["language"] == code
    assert {r["category"] for r in data["rule"]} >= set(schema.HARD_NO_CATEGORIES + schema.SOFT_NO_CATEGORIES)
    assert {n["applies_to"] for n in data["negation"]} >= {"hard_no", "soft_no"}


@pytest.mark.parametrize("text, category", [
    ("keine Beschwerde vom Kunden, Gehalt zu hoch", "salary"),
    ("plainte du client non confirmée", "unclassified"),
    ("Beschwerde vom Kunden wird geprüft", "unclassified"),
    ("geen klacht van de klant, salaris te hoog", "salary"),
    ("sin queja del cliente; no contesta", "ghosted"),
])
def test_other_languages_negate_and_doubt_hard_no(rules, text, category):
    assert reasons.classify(text, "rejected", rules).category == category


@pytest.mark.parametrize("text, category", [
    ("il s'est retiré du processus", "declined_role"),  # French "withdrew", not English "retired"
    ("se retiró del proceso", "declined_role"),
    ("he is retiring next year", "unavailable_permanently"),
    ("fake résumé", "false_information"),
])
def test_an_accented_word_is_no_english_word_form(rules, text, category):
    assert reasons.classify(text, "rejected", rules).category == category


def test_unknown_language_is_one_clear_line(tmp_path):
    extra = tmp_path / "reasons.toml"
    extra.write_text('language = "klingon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="language 'klingon'"):
        load_rules(Settings(reasons_file=extra))


# the costly error, in every language: hard-no phrases, un-negated, and what may surround them
_HARD_PHRASES = [
    "lied about his degree", "references were fake", "harassed a colleague", "emigrated permanently",
    "asked us not to contact him again", "left tech to become a teacher", "client complaint confirmed",
    "Lebenslauf gefälscht", "möchte nicht mehr kontaktiert werden", "geht in Rente", "Kundenbeschwerde bestätigt",
    "CV falsifié", "ne souhaite plus être contacté", "harcèlement d'une collègue", "pris sa retraite",
    "mintió en el CV", "queja del cliente confirmada", "se jubila", "acoso a una compañera",
    "cv vervalst", "wil niet meer benaderd worden", "gaat met pensioen", "klacht van klant bevestigd",
    # phrases a rule reads only where their clause ends: the next note must end it, whatever joins them
    "claimed to have SC clearance, he doesnt", "done with IT", "not going back to IT",
]
# one slip in a hard-no phrase (the typo reading's job: words of 5+ letters, same first letter)
_HARD_TYPO_BASES = [
    "fabricated references", "misrepresented his experience", "harassed a colleague", "emigrated to Canada",
    "retirement next year", "plagiarised the test", "Lebenslauf gefälscht", "unsubscribe me please",
    "references falsification", "discriminatory remarks", "impersonation during the interview",
]
# a different word form of a hard-no phrase (the stemmer's job) and the category it must keep
_HARD_FORMS = [
    ("falsified the references", "false_information"), ("falsifying his dates", "false_information"),
    ("fabricating experience", "false_information"), ("harassing the receptionist", "conduct"),
    ("complaints from the client, verified", "client_complaint"), ("retires in May", "unavailable_permanently"),
    ("emigrating to Chile", "unavailable_permanently"), ("Zeugnisse gefälschte Kopien", "false_information"),
    ("a falsifié son diplôme", "false_information"), ("falsificaron las referencias", "false_information"),
    ("diploma's vervalste", "false_information"),
]
_SOFT_PHRASES = [r["text"] for r in _ALL_LABELLED if r["class"] == "soft_no"]


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_soft_text_in_any_language_never_makes_a_hard_no_soft(rules, data):
    hard = data.draw(st.sampled_from(_HARD_PHRASES))
    soft = data.draw(st.lists(st.sampled_from(_SOFT_PHRASES), min_size=1, max_size=3))
    joiner = data.draw(st.sampled_from([*NOTE_JOINERS, " and "]))
    parts = [*soft]
    parts.insert(data.draw(st.integers(0, len(parts))), hard)
    got = reasons.classify(joiner.join(parts), "rejected", rules)
    assert got.cls == "hard_no", (parts, got)


def _one_typo(word: str, data) -> str:
    j = data.draw(st.integers(1, len(word) - 2))
    kind = data.draw(st.sampled_from(["swap", "drop", "double"]))
    return {"swap": word[:j] + word[j + 1] + word[j] + word[j + 2:], "drop": word[:j] + word[j + 1:],
            "double": word[:j] + word[j] + word[j:]}[kind]


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_a_typo_or_another_word_form_of_a_hard_no_phrase_still_reads_hard(rules, data):
    if data.draw(st.booleans()):
        text, _category = data.draw(st.sampled_from(_HARD_FORMS))
    else:  # one slip in the phrase's longest word
        words = data.draw(st.sampled_from(_HARD_TYPO_BASES)).split(" ")
        i = max(range(len(words)), key=lambda k: len(words[k]))
        words[i] = _one_typo(words[i], data)
        text = " ".join(words)
    soft = data.draw(st.sampled_from(_SOFT_PHRASES))
    joiner = data.draw(st.sampled_from(NOTE_JOINERS))
    got = reasons.classify(soft + joiner + text if data.draw(st.booleans()) else text + joiner + soft, "rejected", rules)
    assert got.cls == "hard_no", (text, got)


# ---------------------------------------------------------------- reason_label

def labelled_frame(rows: list[tuple]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=["candidate_id", "position_id", "outcome", "rejection_reason", "reason_label"])
    df.index = pd.RangeIndex(2, 2 + len(df), name="row")
    return df


def test_reason_label_decides_except_a_soft_label_on_a_hard_text(rules, settings):
    pipe = reasons.classify_pipeline(labelled_frame([
        ("C-1", "P-1", "rejected", "long story, ask Sam", "salary"),        # unreadable text: label decides
        ("C-2", "P-1", "rejected", "comp too low", "location"),             # soft read, other soft label
        ("C-3", "P-1", "rejected", "comp too low", "conduct"),              # a hard label on a soft text
        ("C-4", "P-1", "rejected", "lied about his degree", "skills"),      # soft label, hard text: stays hard
        ("C-5", "P-1", "rejected", "no evidence he lied, just skills", "salary"),  # negated hard: label decides
        ("C-6", "P-1", "ghosted", None, "declined_role"),                   # blank text
        ("C-7", "P-1", "open", "comp too low", "location"),                 # not a decided row: nothing
        ("C-8", "P-1", "rejected", "comp too low", None),
    ]), rules)
    assert list(pipe["rejection_class"]) == ["soft_no", "soft_no", "hard_no", "hard_no", "soft_no", "soft_no",
                                             None, "soft_no"]
    assert list(pipe["rejection_category"]) == ["salary", "location", "conduct", "false_information", "salary",
                                                "declined_role", None, "salary"]
    assert pipe.loc[2, "rejection_rule"].startswith("reason_label salary")
    assert "reason_label skills overruled" in pipe.loc[5, "rejection_rule"]
    issues = reasons.unclassified_issues(pipe, settings)
    warn = issues[issues["column"] == "reason_label"]
    assert list(warn["row"]) == [5] and list(warn["severity"]) == ["warning"]
    message = warn["message"].iloc[0]
    assert "skills" in message and "false_information" in message and "hard_no" in message
    assert "lied" not in message  # the message names categories, never the person's text


def test_reason_label_reaches_the_sheet_through_analyse(settings, today, frames_of):
    frames = frames_of(
        candidates=[{"candidate_id": "C-00001", "name": "Ada Abara", "email": "ada@example.com"}],
        positions=[{"position_id": "P-001", "title": "Backend Engineer", "status": "open"}],
        pipeline=[{"candidate_id": "C-00001", "position_id": "P-001", "outcome": "rejected",
                   "rejection_reason": "see notes", "reason_label": "availability", "decided_on": "2026-10-01"}])
    analysis = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    owned = analysis.owned[schema.PIPELINE]
    assert list(owned["rejection_category"]) == ["availability"]
    assert analysis.candidate_class.to_dict() == {"C-00001": "soft_no"}


def test_analyse_needs_parsed_rules(settings, today, frames_of):
    with pytest.raises(TypeError, match="load_rules"):
        analysis_mod.analyse(frames_of(), settings, today)


# ---------------------------------------------------------------- issue 19: kinds behind the v4 hard-no misses

@pytest.mark.parametrize("text, category", [
    # "never reach out / get in touch / call again", any word order, next to a soft reason
    ("told us to never get in touch again; also the salary was low", "do_not_contact"),
    ("skills gap on AWS, and she asked us never to reach out to her again", "do_not_contact"),
    ("relocation not possible + please don't reach out again", "do_not_contact"),
    ("wants us to never call him again, rate too high", "do_not_contact"),
    ("too senior for us. he asked that we not reach out anymore", "do_not_contact"),
    # "won't / will not / refuses to engage|work|deal with|through|via recruiters|agencies (anymore|period)"
    ("won't work via agencies any more, commute too long", "unavailable_permanently"),
    ("will not deal with recruiters anymore", "unavailable_permanently"),
    ("no longer engaging with agencies, period", "unavailable_permanently"),
    ("refuses to go through recruiters; also wanted remote", "unavailable_permanently"),
    ("wanted more money and says he will never work through an agency again", "unavailable_permanently"),
])
def test_an_unnegated_hard_no_family_beats_the_soft_reason_beside_it(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", category), got.rule


@pytest.mark.parametrize("text, category", [
    ("happy to work with recruiters, salary too low", "salary"),
    ("will not work with us on rate, too expensive", "salary"),
])
def test_soft_reasons_near_the_hard_no_families_stay_soft(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("text, category", [
    ("Gehalt zu niedrig, und er möchte nie wieder kontaktiert werden", "do_not_contact"),
    ("Bitte nie mehr melden, Pendelweg zu lang", "do_not_contact"),
    ("Arbeitet grundsätzlich nicht mehr über Personalvermittler, Gehalt passt auch nicht", "unavailable_permanently"),
    ("Will mit Recruitern nicht mehr zusammenarbeiten", "unavailable_permanently"),
    ("Lehnt die Zusammenarbeit mit Agenturen ab, Punkt.", "unavailable_permanently"),
    ("Salaire trop bas et ne veut plus jamais être recontacté", "do_not_contact"),
    ("Demande qu'on ne le rappelle jamais", "do_not_contact"),
    ("Refuse de passer par des cabinets, point final", "unavailable_permanently"),
    ("Refuse de travailler avec les agences désormais", "unavailable_permanently"),
    ("Salario bajo y pidió que nunca más lo contactemos", "do_not_contact"),
    ("No quiere volver a saber de nosotros", "do_not_contact"),
    ("Ya no quiere trabajar a través de agencias", "unavailable_permanently"),
    ("Rechaza trabajar con headhunters, además el sueldo no encaja", "unavailable_permanently"),
    ("Salaris te laag en wil nooit meer benaderd worden", "do_not_contact"),
    ("Vroeg ons nooit meer contact op te nemen", "do_not_contact"),
    ("Weigert via bureaus te werken, punt", "unavailable_permanently"),
    ("Weigert samen te werken met recruiters", "unavailable_permanently"),
])
def test_the_hard_no_families_are_read_in_every_language(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", category), got.rule


@pytest.mark.parametrize("text", [
    "Hat sich nie wieder gemeldet", "Il ne nous a jamais rappelé", "Nunca nos llamó de vuelta",
    "Heeft nooit meer iets laten horen", "Kandidat hat sich direkt beworben, nicht über Agentur, Gehalt zu hoch",
])
def test_never_heard_back_and_not_via_an_agency_are_not_hard_no(rules, text):
    assert reasons.classify(text, "declined", rules).cls != "hard_no"


@pytest.mark.parametrize("text, category", [
    # the other kinds behind v4 misses, in new words
    ("switching careers into nursing, out of tech for good", "career_change"),
    ("Hat die Branche gewechselt und arbeitet inzwischen als Koch", "career_change"),
    ("Van beroep gewisseld, werkt nu in het onderwijs", "career_change"),
    ("Voorgoed naar Portugal vertrokken", "unavailable_permanently"),
    ("could only commit three months, client wants a year", "availability"),
    ("A refusé le poste sans donner de raison", "declined_role"),
    ("Bon profil mais la directrice a dit non", "sponsor_rejected"),
])
def test_other_v4_miss_kinds_are_read(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("text", [
    "client complaint about him was investigated and not confirmed; sponsor went with someone else",
    "customer complaint against her was checked and not confirmed, HM passed anyway",
    "client escalated early on, it was not upheld; rate too high anyway",
])
def test_a_complaint_checked_and_not_confirmed_is_never_a_hard_no(rules, text):
    assert reasons.classify(text, "declined", rules).cls != "hard_no"


# ---------------------------------------------------------------- issue 19: kinds behind reasons_blind_train's misses

@pytest.mark.parametrize("text", [
    # the hard-no verbs in another sense: the candidate did not call/write back (ghosting)
    "candidate never called back", "never emailed us back after the test invite", "she never contacted us again",
    "never phoned back, chased twice", "Kandidat hat nie zurückgerufen", "N'a jamais rappelé après l'entretien",
    "no volvió a llamar nunca tras la entrevista", "Heeft nooit teruggebeld", "nooit meer iets van gehoord",
])
def test_ghosting_told_with_hard_no_words_is_ghosted(rules, text):
    got = reasons.classify(text, "ghosted", rules)
    assert (got.cls, got.category) == ("soft_no", "ghosted"), got.rule


@pytest.mark.parametrize("text", [
    "asked us never to call again", "dont call me anymore - his words", "never call him again, he asked",
    "wants to never be called again", "told me to stop ringing him", "never contacting her again, she asked",
    "Ne veut plus qu'on l'appelle", "NE PLUS L'APPELER !!", "Pidió que no la volvamos a llamar",
])
def test_the_requests_themselves_stay_do_not_contact(rules, text):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", "do_not_contact"), got.rule


@pytest.mark.parametrize("text, category", [
    ("Not a do-not-contact, just happy where he is for now", "declined_role"),
    ('no es un "no molestar", simplemente ahora no quiere cambiar', "declined_role"),
    # who said no is not why; the why decides
    ("HM said no - too junior", "experience"),
    ("client rejected: weak on testing", "skills"),
    ("client declined after final round", "sponsor_rejected"),
    # knows it on paper, has not used it: experience, not the skill
    ("knows Terraform on paper but no hands-on experience with it in prod", "experience"),
    ("kennt Kubernetes nur theoretisch, keine Praxiserfahrung", "experience"),
    # a bare "declined" says what happened, the next clause why
    ("withdrew - notice period issue", "availability"),
    ("not keen, wanted remote", "location"),
    ("cand withdrew - doesn't want to work in fintech", "declined_role"),
    # "X was fine, but …"
    ("salary expectations were fine but the notice period is 3 months", "availability"),
    ("pas de souci sur le salaire, mais dispo 2 mois seulement", "availability"),
    # a complaint whose check said no in so many words, anywhere in the note: the other reason decides
    ("rumour of a complaint from his last client, nothing substantiated - lost on notice period (3 months)",
     "availability"),
    ("complaint from client, it was never confirmed - rate too high anyway", "salary"),
    # still pending is not denied: a person decides
    ("client complaint, not yet verified; rate too high", "unclassified"),
    ("Beschwerde vom Kunden, noch nicht bestätigt, Gehalt zu hoch", "unclassified"),
])
def test_blind_train_miss_kinds_are_read(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


# ---------------------------------------------------------------- issue 19: families behind reasons_blind_train2's misses
# Probe notes written before the rules for each family, in other words than the training set,
# so the family (not the one phrase) is pinned.

@pytest.mark.parametrize("text, category", [
    # CV padding, inflated dates, a hidden gap
    ("padded his CV with two roles he barely held", "false_information"),
    ("stretched his employment dates to cover a year out", "false_information"),
    ("concealed a 10 month gap on the CV", "false_information"),
    ("CV gonflé : 2 ans réels au lieu de 5", "false_information"),
    ("Informations trompeuses sur son parcours", "false_information"),
    ("Lebenslauf stark aufgebläht, Stationen erfunden", "false_information"),
    ("Berufserfahrung im Lebenslauf aufgebauscht", "false_information"),
    ("Experiencia inflada en el CV, 1 año en vez de 4", "false_information"),
    ("Cv flink aangedikt, functietitels klopten niet", "false_information"),
    ("Werkervaring opgeblazen op zijn profiel", "false_information"),
    # a credential or a piece of work that is someone else's
    ("the certificate number he gave belongs to another person", "false_information"),
    ("presented a colleague's project as his own work", "false_information"),
    ("Le diplôme transmis appartient à une autre personne", "false_information"),
    ("Das Zertifikat gehört jemand anderem", "false_information"),
    ("La certificación que envió pertenece a otra persona", "false_information"),
    ("Het certificaat staat op naam van iemand anders", "false_information"),
    # a degree the school has no trace of, references contradicting the CV
    ("L'université n'a aucune trace de son inscription", "false_information"),
    ("Die Uni hat keinerlei Unterlagen zu ihr, nie eingeschrieben", "false_information"),
    ("La universidad no tiene constancia de su título", "false_information"),
    ("Universiteit heeft geen inschrijving van hem, diploma klopt niet", "false_information"),
    ("former manager says she was never a lead, just a tester", "false_information"),
    ("not honest about his degree", "false_information"),
    # intoxicated at the interview
    ("turned up drunk to the client meeting", "conduct"),
    ("came in under the influence to the interview", "conduct"),
    ("Est arrivé sous l'emprise de l'alcool au rendez-vous", "conduct"),
    ("Kam angetrunken zum Vorstellungsgespräch", "conduct"),
    ("Llegó bebido a la entrevista", "conduct"),
    ("Was dronken bij het sollicitatiegesprek", "conduct"),
    # bribery, buying or selling the test
    ("offered our researcher cash to put him first", "conduct"),
    ("tried to bribe the hiring panel", "conduct"),
    ("A proposé un pot-de-vin à notre consultant", "conduct"),
    ("Wollte unsere Recruiterin bestechen", "conduct"),
    ("Ofreció dinero a la recruiter para saltarse la cola", "conduct"),
    ("Probeerde onze recruiter om te kopen", "conduct"),
    ("shared our coding test answers with other applicants", "conduct"),
    ("Hat beim Online-Test geschummelt", "conduct"),
    ("A triché au test technique", "conduct"),
    # leaving the labour market, retiring, stopping work
    ("retiring at the end of the year, done with work", "unavailable_permanently"),
    ("has left the labour market for good", "unavailable_permanently"),
    ("Zieht sich ganz aus dem Berufsleben zurück", "unavailable_permanently"),
    ("Hat sich vom Arbeitsmarkt verabschiedet", "unavailable_permanently"),
    ("Se retire du marché du travail", "unavailable_permanently"),
    ("Ne veut plus travailler du tout", "unavailable_permanently"),
    ("Se retira del mercado laboral", "unavailable_permanently"),
    ("Ha dejado de trabajar del todo", "unavailable_permanently"),
    ("Verlaat de arbeidsmarkt voorgoed", "unavailable_permanently"),
    ("Emigreert permanent naar Canada", "unavailable_permanently"),
    # another trade, named in each language
    ("now works as a firefighter, left tech behind", "career_change"),
    ("retrained as an electrician, not coming back to software", "career_change"),
    ("Devenu pompier volontaire puis professionnel, a quitté le dev", "career_change"),
    ("Reprend la ferme familiale, fini l'informatique", "career_change"),
    ("Macht eine Tischlerlehre, IT ist für ihn vorbei", "career_change"),
    ("Hat der Softwareentwicklung endgültig den Rücken gekehrt", "career_change"),
    ("Aprobó las oposiciones a policía, deja el sector", "career_change"),
    ("Ahora es enfermera en un hospital, fuera de la informática", "career_change"),
    ("Is nu timmerman, uit de ICT gestapt", "career_change"),
    ("Heeft het restaurant van haar ouders overgenomen, stopt met ICT", "career_change"),
    # a client complaint, checked and found true, in the words of each language
    ("Kunde meldet Datenabfluss an einen Wettbewerber, geprüft und bestätigt", "client_complaint"),
    ("Le client signale une fuite de données, faits avérés après vérification", "client_complaint"),
    ("El cliente denunció que facturaba horas no trabajadas; revisado, es cierto", "client_complaint"),
    ("Klant meldt dat hij uren declareerde die hij niet werkte; nagekeken, klopt", "client_complaint"),
    ("client raised a complaint about bullying, we spoke to the team and it was confirmed", "client_complaint"),
    # do not contact, said as an order in each language
    ("'Ruf mich nie wieder an!'", "do_not_contact"),
    ("Keine weiteren Anfragen gewünscht", "do_not_contact"),
    ("Vraagt ons haar niet meer te benaderen", "do_not_contact"),
    ("'Mail me nooit meer.'", "do_not_contact"),
    ("Que no le escribamos más", "do_not_contact"),
])
def test_blind_train2_hard_no_families_are_read(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", category), got.rule


@pytest.mark.parametrize("text, category", [
    # still early in a career: trainee, apprentice, intern, "too early"
    ("trainee in his first year, too soon for this one", "experience"),
    ("Apprentie en 1re année, c'est trop tôt", "experience"),
    ("Sigue de becaria, aún es pronto", "experience"),
    ("Noch Werkstudent, zu früh für die Rolle", "experience"),
    ("Nog stagiaire, nog te vroeg voor deze rol", "experience"),
    ("3 ans d'expérience, il en faut 6 minimum", "experience"),
    ("Tiene 2 años de experiencia y piden mínimo 5", "experience"),
    ("Hat noch nie ein Projekt geleitet, Rolle ist Projektleitung", "experience"),
    # signed or chose elsewhere
    ("A signé ailleurs, un CDI en direct", "declined_role"),
    ("Hat ein anderes Angebot angenommen", "declined_role"),
    ("Se queda con otra oferta que le ha salido", "declined_role"),
    ("Heeft elders getekend", "declined_role"),
    # commute and permits in each language
    ("Cada día de Alcalá a Madrid centro, demasiadas horas de viaje", "location"),
    ("Dagelijks naar Amsterdam is te ver voor hem", "location"),
    ("Täglich nach München pendeln will er nicht", "location"),
    ("Geen werkvergunning voor NL", "location"),
    ("Möchte mobil arbeiten, Kunde will Präsenz", "location"),
    # a rate per hour or day, a package in each language
    ("wants 95 €/h, client pays 75", "salary"),
    ("Quiere 50 €/hora, el cliente paga 40", "salary"),
    ("Totaalpakket te laag, leaseauto ontbrak", "salary"),
    ("Gesamtpaket passte nicht, Dienstwagen fehlte", "salary"),
    ("Demasiado caro para este cliente", "salary"),
    # only knows another tool
    ("Kent alleen Outsystems, klant wil Mendix", "skills"),
    ("Kann nur PHP, gesucht ist Go", "skills"),
    ("Ne connaît que Symfony, le client veut du Django", "skills"),
    ("Solo conoce Angular, buscan React", "skills"),
    # the client's veto or no, said in each language
    ("Refus du client après l'entretien final", "sponsor_rejected"),
    ("La directora vetó la contratación", "sponsor_rejected"),
    ("Le CTO a mis son veto", "sponsor_rejected"),
    ("Klant zei nee na het tweede gesprek", "sponsor_rejected"),
    ("El cliente no sigue con ella tras la entrevista", "sponsor_rejected"),
    ("Ils ont dit non après le test", "sponsor_rejected"),
    # hours a week, an earliest start after the go-live
    ("Kann nur 25 Stunden pro Woche, Stelle ist Vollzeit", "availability"),
    ("earliest start is after the go-live, client can't wait", "availability"),
    ("current employer won't release her until March", "availability"),
    # stood up, a full voicemail
    ("Nos dio plantón en la entrevista", "ghosted"),
    ("Voicemail zit vol, reageert niet", "ghosted"),
    ("Hat uns beim Termin sitzen lassen", "ghosted"),
])
def test_blind_train2_soft_families_are_read(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("soft_no", category), got.rule


@pytest.mark.parametrize("text, category", [
    # a second round of probe notes for the same hard-no families, other members of each family
    ('Overstated his role massively: was a tester, claimed to be QA lead', 'false_information'),
    ('Degree from a diploma mill, bought online', 'false_information'),
    ("Title inflation on LinkedIn: 'Head of Data' was actually an analyst post", 'false_information'),
    ('Could not produce the certificate he listed; eventually admitted he never sat the exam', 'false_information'),
    ('Hat im Lebenslauf hochgestapelt, war nie Teamleiter', 'false_information'),
    ('Hat beim Abschluss geflunkert, nur abgebrochen', 'false_information'),
    ('A menti sur son diplôme, jamais obtenu', 'false_information'),
    ("Titre d'ingénieur usurpé, l'école ne le connaît pas", 'false_information'),
    ('Exageró su experiencia, en realidad era becario', 'false_information'),
    ('Se inventó un máster que no terminó', 'false_information'),
    ('Heeft gejokt over zijn diploma', 'false_information'),
    ('Functietitel sterk overdreven op het cv, was junior', 'false_information'),
    ('Shouted at our receptionist and slammed the door', 'conduct'),
    ('Recorded the client interview without consent and posted it online', 'conduct'),
    ('Used ChatGPT secretly during the live coding interview, caught by the panel', 'conduct'),
    ('Stalked our recruiter on social media after the rejection', 'conduct'),
    ('Werd handgemeen met een andere kandidaat in de wachtruimte', 'conduct'),
    ('Schreeuwde tegen onze receptie', 'conduct'),
    ('Hat unsere Kollegin bedrängt und anzügliche Nachrichten geschickt', 'conduct'),
    ('A hurlé sur notre chargée de recrutement au téléphone', 'conduct'),
    ('Se puso agresivo con la recepcionista', 'conduct'),
    ('Moving back to Brazil for good with his family', 'unavailable_permanently'),
    ('Taking early retirement in June', 'unavailable_permanently'),
    ('Geht im Sommer in den Ruhestand', 'unavailable_permanently'),
    ('Part vivre au Québec définitivement', 'unavailable_permanently'),
    ('Se va a vivir a Argentina para siempre', 'unavailable_permanently'),
    ('Gaat met vervroegd pensioen', 'unavailable_permanently'),
    ("Won't work through recruiters, ever", 'unavailable_permanently'),
    ('Now a personal trainer full time, left tech', 'career_change'),
    ('Became a lorry driver, says he is done with IT', 'career_change'),
    ('Training to be a vet, no return to software', 'career_change'),
    ('Ist jetzt Busfahrer, kein Interesse mehr an IT', 'career_change'),
    ("Devenue sage-femme, a quitté l'informatique", 'career_change'),
    ('Ahora es camionero, dejó el desarrollo', 'career_change'),
    ('Werkt nu als buschauffeur, klaar met IT', 'career_change'),
    ("Client's complaint about missed deadlines was checked with the PM and found valid", 'client_complaint'),
    ('Beschwerde des Kunden über Arbeitszeiten berechtigt, Logs geprüft', 'client_complaint'),
    ('Queja del cliente por ausencias, comprobada con los registros', 'client_complaint'),
    ('Klacht van de klant over gedrag, na onderzoek gegrond verklaard', 'client_complaint'),
    ('Unsubscribe me and do not reach out again', 'do_not_contact'),
    ('Please remove my details, no more calls', 'do_not_contact'),
    ('Bitte keine Anrufe oder Mails mehr, hat er deutlich gesagt', 'do_not_contact'),
    ('Ne plus jamais le relancer, demande explicite', 'do_not_contact'),
    ('Pidió no volver a ser contactado', 'do_not_contact'),
    ('Wil niet meer gemaild of gebeld worden', 'do_not_contact'),
])
def test_hard_no_families_second_probe_round(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", category), got.rule


def test_blind_train2_category_accuracy_floor(rules):
    """reasons_blind_train2.csv was written by someone who never saw the rules, and measured
    once as it landed: 239/320 = 74.7 % in category, 15 hard-nos read as soft-no. It is
    tuning material since (the families of its misses were written in all five languages,
    each pinned by probe notes of other wording above); the floor is what the reader reaches
    on it now, so it cannot regress; it is no longer a blind figure."""
    rows = labelled(DATA / "reasons_blind_train2.csv")
    assert len(rows) == 320
    got = [reasons.classify(r["text"], None, rules) for r in rows]
    right = sum(g.category == r["category"] for g, r in zip(got, rows))
    assert right / len(rows) >= 0.99, right


@pytest.mark.parametrize("text", [
    # words of the new hard-no families in their everyday sense: never a hard-no on their own
    "Salaris te laag gezien de krappe arbeidsmarkt", "le marché de l'emploi est tendu, il attend",
    "le client a choisi quelqu'un d'autre", "candidat introuvable depuis lundi", "prefirieron el perfil de otra persona",
    "client chose someone else's profile", "his ask is out of the market range", "Role filled internally",
    "client offered money but not enough", "salary high on his list of priorities", "il a gonflé ses prétentions",
    "no existe la posibilidad de teletrabajo", "no consta el motivo, el cliente no contestó", "Klant koos het profiel van iemand anders",
    "planning bleek niet te kloppen, start te laat", "caught using his phone in the meeting, a bit rude",
    "Ruft uns nicht mehr zurück", "Belt ons niet meer terug",
])
def test_everyday_senses_of_hard_no_family_words_are_not_hard_no(rules, text):
    assert reasons.classify(text, "declined", rules).cls != "hard_no"


@pytest.mark.parametrize("text, category", [
    # a third round of probe notes (written before their rules): hard-nos said late, after a soft
    # reason, or in other words ("lose his details", "made a pass at", "HR says 8 months", "IT ist Geschichte")
    ('Rate too high anyway, and he told us to take him off our list', 'do_not_contact'),
    ('Asked that we stop messaging him on LinkedIn, wants nothing more from us', 'do_not_contact'),
    ('Was quite annoyed, said we should lose his details', 'do_not_contact'),
    ('Gehalt zu hoch; außerdem will er von uns nichts mehr hören', 'do_not_contact'),
    ('Nous demande de ne plus jamais lui écrire', 'do_not_contact'),
    ('Heeft gevraagd hem uit onze database te halen', 'do_not_contact'),
    ('Pidió que borráramos sus datos y no le molestemos más', 'do_not_contact'),
    ('Notice period long, but more importantly he was rude and aggressive to our receptionist', 'conduct'),
    ('Made a pass at our consultant during the debrief, totally inappropriate', 'conduct'),
    ('Swore at the hiring manager when told the outcome', 'conduct'),
    ('Erschien zum Termin stark alkoholisiert', 'conduct'),
    ('Il a insulté le manager du client au téléphone', 'conduct'),
    ('Insultó al jefe de proyecto del cliente', 'conduct'),
    ('Heeft onze recruiter bedreigd na de afwijzing', 'conduct'),
    ('Salary fine, but his degree certificate turned out to be forged', 'false_information'),
    ('Claimed 5 years at Google; Google HR says 8 months', 'false_information'),
    ('References were friends posing as managers', 'false_information'),
    ('Diploma bleek vals', 'false_information'),
    ('Der Master ist erfunden, Uni kennt ihn nicht', 'false_information'),
    ('Son expérience chez Thales est inventée de toutes pièces', 'false_information'),
    ('El máster que declaró es falso', 'false_information'),
    ('Client complained about repeated lateness; confirmed by their timesheets', 'client_complaint'),
    ("Complaint from the client about poor code quality - we reviewed and it's justified", 'client_complaint'),
    ('Kunde hat sich über Unzuverlässigkeit beschwert, nach Prüfung berechtigt', 'client_complaint'),
    ("Le client s'est plaint de retards répétés, vérifié et confirmé", 'client_complaint'),
    ('El cliente se quejó de su actitud, lo comprobamos y es cierto', 'client_complaint'),
    ('De klant klaagde over zijn houding, na controle terecht', 'client_complaint'),
    ("He's emigrating to New Zealand, not coming back", 'unavailable_permanently'),
    ('Retiring next spring, no more contracts', 'unavailable_permanently'),
    ('Wandert nach Kanada aus, dauerhaft', 'unavailable_permanently'),
    ("Part à la retraite en fin d'année", 'unavailable_permanently'),
    ('Se jubila este año', 'unavailable_permanently'),
    ('Gaat volgend jaar met pensioen', 'unavailable_permanently'),
    ('Says he will never use an agency again, finds jobs himself', 'unavailable_permanently'),
    ("Salary was ok but she's retraining as a nurse, leaving IT", 'career_change'),
    ('Left tech to become a full-time photographer', 'career_change'),
    ('Studiert jetzt Medizin, IT ist Geschichte', 'career_change'),
    ("S'est reconvertie dans la boulangerie", 'career_change'),
    ('Se ha hecho profesor de secundaria, deja la informática', 'career_change'),
    ('Is leraar geworden, stopt met programmeren', 'career_change'),
])
def test_hard_no_families_third_probe_round(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", category), got.rule


@pytest.mark.parametrize("text, category", [
    # plain soft-no notes in the five languages, in wordings of my own
    ('Day rate expectations way above what the client can pay', 'salary'),
    ("He'd only move for a 20% uplift, client capped at 5%", 'salary'),
    ('Gehaltsvorstellungen deutlich über dem Budget des Kunden', 'salary'),
    ('Stundensatz passt nicht, Kunde zahlt höchstens 70', 'salary'),
    ('Trop gourmand sur le salaire pour ce client', 'salary'),
    ('Écart de rémunération trop important', 'salary'),
    ('Pide demasiado, el cliente no llega', 'salary'),
    ('Salarisindicatie ligt te hoog voor de klant', 'salary'),
    ('Wil minimaal 6.000 bruto, budget is 5.200', 'salary'),
    ("Can't start before September, client needs someone in June", 'availability'),
    ('Only available for 3 months, project runs a year', 'availability'),
    ('Drei Monate Kündigungsfrist, Kunde braucht jemanden sofort', 'availability'),
    ('Préavis de 3 mois, le client veut un démarrage immédiat', 'availability'),
    ('Pas dispo avant la rentrée', 'availability'),
    ('Tiene 2 meses de preaviso y el proyecto empieza ya', 'availability'),
    ('Opzegtermijn van 2 maanden, klant wil direct starten', 'availability'),
    ('Refuses to relocate to Munich', 'location'),
    ('Wants to stay fully remote, role is office based in Leeds', 'location'),
    ('Wohnt zu weit weg, Umzug ausgeschlossen', 'location'),
    ('Ne veut pas déménager à Lyon', 'location'),
    ('Trop loin de chez elle, 1h30 de trajet', 'location'),
    ('No quiere mudarse a Barcelona', 'location'),
    ('Reistijd van anderhalf uur per dag is haar te veel', 'location'),
    ("Needs visa sponsorship, client won't sponsor", 'location'),
    ('Too junior for a lead role, only 2 years in', 'experience'),
    ('Lacks the seniority the client wants', 'experience'),
    ('Zu wenig Berufserfahrung für eine Senior-Rolle', 'experience'),
    ("Pas assez d'expérience en management", 'experience'),
    ('Le falta experiencia liderando equipos', 'experience'),
    ('Te weinig ervaring voor een senior functie', 'experience'),
    ('No cloud background at all, role is AWS heavy', 'skills'),
    ('Kennt kein Kubernetes, Rolle braucht es zwingend', 'skills'),
    ('Aucune connaissance de SAP', 'skills'),
    ('No domina Python, que es imprescindible', 'skills'),
    ('Geen kennis van Java', 'skills'),
    ("Didn't like the project, too much maintenance work", 'declined_role'),
    ('Accepted a counter-offer from his current employer', 'declined_role'),
    ('Hat das Gegenangebot seines Arbeitgebers angenommen', 'declined_role'),
    ('A accepté la contre-offre de son employeur', 'declined_role'),
    ('Aceptó la contraoferta de su empresa', 'declined_role'),
    ('Heeft het tegenbod van zijn werkgever aangenomen', 'declined_role'),
    ('Not interested in the fintech space', 'declined_role'),
    ('Client went with another candidate after final round', 'sponsor_rejected'),
    ("Hiring manager wasn't convinced after the panel", 'sponsor_rejected'),
    ('Der Kunde hat sich für einen anderen Kandidaten entschieden', 'sponsor_rejected'),
    ('Le client a retenu un autre profil', 'sponsor_rejected'),
    ('El cliente eligió a otro candidato', 'sponsor_rejected'),
    ('De klant heeft voor een andere kandidaat gekozen', 'sponsor_rejected'),
    ('Not answering calls or emails since Monday', 'ghosted'),
    ('Stopped replying after the first interview', 'ghosted'),
    ('Seit dem Interview keine Rückmeldung mehr', 'ghosted'),
    ('Injoignable depuis une semaine', 'ghosted'),
    ('No contesta desde hace dos semanas', 'ghosted'),
    ('Reageert niet meer op mails of telefoon', 'ghosted'),
])
def test_soft_no_categories_in_five_languages_probe_round(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("soft_no", category), got.rule


@pytest.mark.parametrize("text", [
    # stems of English rule words that are other languages' everyday words
    "il se retire du processus", "Ne répond plus depuis la proposition", "a accepté une contre-proposition",
    "couldn't answer basic SQL Qs in tech screen",
])
def test_english_stems_do_not_read_other_languages_as_hard_no(rules, text):
    assert reasons.classify(text, "declined", rules).cls != "hard_no"


@pytest.mark.parametrize("sep", ["; ", ", ", ". "])
def test_a_negated_move_does_not_hide_a_later_permanent_one(rules, sep):
    """Found by the Hypothesis test above: one match from "Umzug" through "für immer" was
    negated by "kein" and hid the un-negated "zieht für immer" after it."""
    got = reasons.classify(f"wohnt zu weit weg, kein Umzug möglich{sep}zieht für immer nach Kanada", "declined", rules)
    assert (got.cls, got.category) == ("hard_no", "unavailable_permanently"), got.rule


@pytest.mark.parametrize("text, category", [
    # a client's report without its verdict is an ordinary note (the other reason decides), and a
    # report or a hard-no word that is only pending or doubted goes to a person, in each language
    ('Kunde meldet Datenabfluss, wird noch geprüft', 'unclassified'),
    ('Klant meldt lekken van info, wordt onderzocht', 'unclassified'),
    ('El cliente denunció una filtración, pendiente de verificar', 'unclassified'),
    ('Le client signale un comportement déplacé, à vérifier', 'unclassified'),
    ('client reported him for timesheet padding, still under investigation', 'unclassified'),
    ('Possible fake certificate, checking with the issuer', 'unclassified'),
    ('Angeblich betrunken beim Kunden erschienen, unklar', 'unclassified'),
    ('Soupçon de CV gonflé, à confirmer', 'unclassified'),
    ('Kunde meldet, dass er nicht überzeugt hat; Absage vom Kunden', 'sponsor_rejected'),
    ('Klant meldt dat het budget op is, salaris te hoog', 'salary'),
    ('No bribery or anything, he simply wants more money', 'salary'),
    ('Not a retiring type at all, just wants 10k more', 'salary'),
    ('Dice que no piensa mudarse nunca, el puesto es en Madrid', 'location'),
    ('Has no intention of leaving his current job for this role', 'declined_role'),
    ("Stagiaire chez nous l'an dernier, encore trop junior", 'experience'),
    ('Kunde meldet, dass er nicht zum Termin erschienen ist; seitdem nicht erreichbar', 'ghosted'),
])
def test_a_clients_report_needs_its_verdict_in_every_language(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("text, category", [
    # a fourth round of probe notes (written before their rules: 15 of 38 missed): referees who are
    # relatives, CV dates the official papers contradict, a move home for good in other words,
    # struck off a list, more trades, in each language
    ('Zeugnisse passen nicht zu den Angaben im Lebenslauf, Daten manipuliert', 'false_information'),
    ('Referenzgeber war sein Schwager, nicht sein Chef', 'false_information'),
    ('Ses références étaient des amis qui se faisaient passer pour ses managers', 'false_information'),
    ('Les dates du CV ne correspondent pas aux certificats de travail', 'false_information'),
    ('Las fechas del CV no cuadran con la vida laboral', 'false_information'),
    ('Sus referencias eran amigos haciéndose pasar por jefes', 'false_information'),
    ('Referentie bleek zijn zwager te zijn', 'false_information'),
    ('Data op het cv komen niet overeen met de werkgeversverklaring', 'false_information'),
    ("Employment dates don't match the P45", 'false_information'),
    ('Hat im Wartebereich einen anderen Bewerber angepöbelt', 'conduct'),
    ('A volé un ordinateur portable dans nos locaux', 'conduct'),
    ('Robó un portátil de la oficina del cliente', 'conduct'),
    ('Heeft een laptop gestolen bij de klant', 'conduct'),
    ('Sent our recruiter a string of abusive voice notes', 'conduct'),
    ('Filmed our office and posted it on TikTok mocking staff', 'conduct'),
    ('Zieht zurück nach Polen, für immer', 'unavailable_permanently'),
    ('Retourne vivre au Maroc, définitivement', 'unavailable_permanently'),
    ('Vuelve a Colombia para quedarse', 'unavailable_permanently'),
    ('Keert definitief terug naar Suriname', 'unavailable_permanently'),
    ('Will grundsätzlich nicht mehr über Personalvermittler gehen', 'unavailable_permanently'),
    ('Ne passe plus par des cabinets, point', 'unavailable_permanently'),
    ('Ya no trabaja con headhunters, lo tiene clarísimo', 'unavailable_permanently'),
    ('Werkt niet meer via bureaus, nooit meer', 'unavailable_permanently'),
    ('Möchte aus unserem Verteiler gestrichen werden', 'do_not_contact'),
    ('Veut être retiré de notre fichier candidats', 'do_not_contact'),
    ('Solicita la baja de nuestra base de datos', 'do_not_contact'),
    ('Wil uitgeschreven worden uit onze nieuwsbrief en database', 'do_not_contact'),
    ('STOP - no more contact please', 'do_not_contact'),
    ('Arbeitet inzwischen als Physiotherapeut, kein Weg zurück in die IT', 'career_change'),
    ("Est devenu éleveur de chèvres dans les Cévennes, l'IT c'est fini", 'career_change'),
    ('Ahora es agricultor en Extremadura, fin de la informática para él', 'career_change'),
    ('Is schilder geworden, heeft de IT definitief achter zich gelaten', 'career_change'),
    ('Went into the priesthood, out of tech for good', 'career_change'),
    ('Klant diende een klacht in over zijn werkhouding; na gesprek met teamleider bevestigd', 'client_complaint'),
    ('Kunde hat sich offiziell beschwert, Vorwurf nach Prüfung bestätigt', 'client_complaint'),
    ('Réclamation du client pour non-respect des délais, fondée après vérification', 'client_complaint'),
    ('Queja formal del cliente por su trato al equipo, verificada por nosotros', 'client_complaint'),
])
def test_hard_no_families_fourth_probe_round(rules, text, category):
    got = reasons.classify(text, "declined", rules)
    assert (got.cls, got.category) == ("hard_no", category), got.rule


@pytest.mark.parametrize("text", [
    "Gehaltsvorstellungen passen nicht zum Budget", "Startdaten passen nicht zum Projektstart",
    "le CV ne correspond pas au besoin du client", "su CV no cuadra con lo que busca el cliente",
    "Zieht nicht um, Pendeln dauerhaft zu weit",
])
def test_a_cv_that_does_not_fit_the_role_is_not_false_information(rules, text):
    assert reasons.classify(text, "declined", rules).cls != "hard_no"


@pytest.mark.parametrize("text, category", [
    # "permanent"/"dauerhaft"/"definitief" of a contract, of remote work or of staying put: the soft reason
    # decides (a permanent move still reads as one; probe notes written before the change)
    ("Wants to work remotely permanently, client needs office presence", "location"),
    # a permanent job wanted against an N-month contract is the assignment's length: availability
    # (DESIGN §4 "timing or duration"; v8's blind label of such a note)
    ("Only wants a permanent role, this one is a 6 month contract", "availability"),
    ("Sucht dauerhaft Homeoffice, Kunde will 4 Tage vor Ort", "location"),
    ("Wil definitief blijven bij zijn huidige werkgever", "declined_role"),
    ("Retiring from his current contract only in December, can't start before", "availability"),
    ("Will never accept less than 80k", "salary"),
    ("Ne veut jamais déménager, poste à Paris", "location"),
    ("No experience at all with React, never used it", "skills"),
    ("Never showed up to the interview, no word since", "ghosted"),
    ("moving to Spain permanently, salary too low", "unavailable_permanently"),
])
def test_permanent_of_a_contract_or_of_remote_work_is_not_a_permanent_move(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


# ---------------------------------------------------------------- issue 19: kinds behind reasons_heldout_v7's misses
# (each kind in other wordings and languages than the v7 note it came from; the notes are not repeated here)

@pytest.mark.parametrize("text", [
    # how he behaved toward the people of the process: "interviewer" alone is who decided (weak), toward them is conduct
    "was rude to the interviewer and walked out halfway",
    "very aggressive towards our recruiter on the phone after the feedback",
    "sent insulting emails to the hiring manager after the rejection",
    "kept messaging the interviewer on LinkedIn with creepy comments, had to block him",
    "harassed the recruiter with dozens of calls a day after being turned down",
    "shouted at the interviewer during the technical round",
    "made inappropriate remarks to the interviewer about her appearance",
    "sent inappropriate DMs to the hiring manager",
    "belittled and mocked the interviewer, client refuses to see him again",
    "condescending and hostile with the female interviewer, client will not see him again",
    "swore at our consultant when told the salary was capped",
    "sent the HM a string of abusive voice notes",
    "War dem Interviewer gegenüber unverschämt und laut",
    "Hat die Recruiterin nach der Absage mit Nachrichten belästigt",
    "Aggressiv gegenüber dem Personaler nach der Absage",
    "Respektlos gegenüber der Interviewerin, hat sie ständig unterbrochen",
    "Unangemessene Kommentare zur Interviewerin",
    "A insulté le recruteur au téléphone après le refus",
    "Messages déplacés envoyés à la recruteuse après l'entretien",
    "Très désagréable avec l'hôtesse d'accueil du client",
    "Comportement méprisant envers l'intervieweuse",
    "Insultó al entrevistador cuando le dijeron que no",
    "Envió mensajes inapropiados a la responsable de selección después de la entrevista",
    "Fue muy despectivo con la entrevistadora",
    "Le gritó a la responsable de RRHH en la entrevista",
    "Was onbeschoft tegen de interviewer en liep weg",
    "Heeft de recruiter na de afwijzing lastiggevallen met berichten",
    "Stuurde ongepaste berichten naar de interviewster",
    "Was erg respectloos tegen de interviewster",
])
def test_conduct_toward_the_interviewer_or_recruiter_is_conduct_in_every_language(rules, text):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == ("hard_no", "conduct"), got.rule


@pytest.mark.parametrize("text", [
    # the interviewer (or our recruiter) only says who decided: still the client's no
    "rejected after the interview", "interviewer said not a fit",
    "the interviewer felt he was not the right fit, client passed", "interviewers were not convinced after the panel",
    "Nach dem Interview abgelehnt, der Interviewer war nicht überzeugt",
    "Refusé après l'entretien, le recruteur du client n'était pas convaincu", "L'intervieweur n'a pas été convaincu",
    "La entrevistadora no lo vio encajar", "De interviewer was niet overtuigd",
    "Afgewezen na het gesprek, de interviewer zag het niet zitten",
])
def test_an_interviewer_who_said_no_is_still_sponsor_rejected(rules, text):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == ("soft_no", "sponsor_rejected"), got.rule


@pytest.mark.parametrize("text, category", [
    # a do-not-call with an end is a pause (availability); without one, or "until further notice", it stays a never
    ("busy with a contract until March, asked us not to call before then, try again in spring", "availability"),
    ("on a fixed-term project, do not call until January", "availability"),
    ("asked us not to contact him for now, revisit in Q2 when his project wraps", "availability"),
    ("Bitte nicht anrufen bis Januar, steckt noch im Projekt", "availability"),
    ("Vorerst nicht kontaktieren, Projekt läuft bis März", "availability"),
    ("Ne pas appeler avant janvier, en mission jusqu'à fin décembre", "availability"),
    ("Ne pas le contacter pour l'instant, à relancer en mars", "availability"),
    ("No llamar hasta enero, está terminando un proyecto", "availability"),
    ("De momento no contactar, retomar en marzo", "availability"),
    ("Niet bellen voor januari, zit nog in een project tot eind december", "availability"),
    ("Voorlopig niet benaderen, opnieuw proberen in het voorjaar", "availability"),
    ("asked us not to call him again", "do_not_contact"),
    ("do not contact until further notice", "do_not_contact"),
    ("asked us not to call, ever", "do_not_contact"),
    ("Nicht kontaktieren bis auf Weiteres", "do_not_contact"),
    ("Bitte nicht anrufen, will keinen Kontakt", "do_not_contact"),
    ("Ne pas appeler, demande RGPD", "do_not_contact"),
    ("No llamar hasta nuevo aviso", "do_not_contact"),
    ("Niet bellen tot nader bericht", "do_not_contact"),
    ("Niet bellen, wil geen contact", "do_not_contact"),
])
def test_a_do_not_call_with_an_end_is_a_pause_not_a_never(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("text, category", [
    # everyday words of another language one slip from a hard-no word are no typo of it
    # (Dutch "grote" is not "grope", German "ausgelastet" is not "ausgerastet", Spanish "claro" is not "caro")
    ("te weinig ervaring met grote projecten", "experience"),
    ("Kandidat ist bis Februar voll ausgelastet", "availability"),
    ("la entrevistadora no lo vio claro", "sponsor_rejected"),
])
def test_ordinary_words_one_slip_from_a_hard_no_word_are_not_read_as_it(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("text, category", [
    # the other kinds behind reasons_heldout_v7's misses, each in other words and in several languages:
    # budget of the project moved elsewhere = client's no
    ('client loved her but the budget was reprioritised to another programme', "sponsor_rejected"),
    ('they reallocated the budget to the data platform, role on ice', "sponsor_rejected"),
    ('Budget wurde umgeschichtet, Stelle wird nicht besetzt', "sponsor_rejected"),
    ('Le budget a été réaffecté à un autre projet', "sponsor_rejected"),
    ('El presupuesto fue reasignado a otra área', "sponsor_rejected"),
    ('Budget is verschoven naar een ander project', "sponsor_rejected"),
    ('over budget by 10k', "salary"),
    ("his rate is above the client's budget", "salary"),
    ('Über Budget, will 95k', "salary"),
    ('Hors budget, demande 650 de TJM', "salary"),
    ('Fuera de presupuesto, pide 60k', "salary"),
    ('Buiten budget, vraagt 90 per uur', "salary"),
    # a soft reason qualified as fine / not decisive
    ('keine Probleme mit der Anfahrt, aber das Gehalt ist zu niedrig', "salary"),
    ('Pendelzeit ist lang, aber nicht ausschlaggebend; Gehalt 15k unter Wunsch', "salary"),
    ('ok pour le salaire, mais ne veut pas venir sur site 4 jours', "location"),
    ('ok con el sueldo, pero quiere 100 % remoto', "location"),
    ('Salaris was ook wat laag maar niet doorslaggevend, vindt de rol te saai', "declined_role"),
    ('commute a bit long but not the deciding factor - did not like the product', "declined_role"),
    ('El salario era algo bajo pero no fue determinante; no le atrae el puesto', "declined_role"),
    # the candidate's own no / does not want this kind of role
    ('Absage vom Kandidaten, möchte keinen reinen Betriebsjob', "declined_role"),
    ('Kandidatin sagt ab: will keine Teamleiterrolle', "declined_role"),
    ("Refus du candidat, ne veut pas d'un poste de support", "declined_role"),
    ('Rechazo del candidato: no quiere un puesto de soporte', "declined_role"),
    ('Afwijzing door kandidaat, wil geen pure supportrol', "declined_role"),
    # staying after a raise or counter offer
    ('Bleibt bei seinem Arbeitgeber nach einer Gehaltserhöhung', "declined_role"),
    ('A choisi de rester chez son employeur suite à une contre-offre', "declined_role"),
    ('Se queda en su empresa tras una subida de sueldo', "declined_role"),
    ('Blijft bij zijn werkgever na een salarisverhoging', "declined_role"),
    # who on the client side said no
    ('Veto du directeur technique malgré de bons retours', "sponsor_rejected"),
    ('Refus de la directrice générale, sans explication', "sponsor_rejected"),
    ("Le client (Norvia) l'a refusé après le dernier tour", "sponsor_rejected"),
    ('La responsable del área lo descartó sin dar motivo', "sponsor_rejected"),
    ('El cliente (Grupo Ibérica) lo rechazó tras la última entrevista', "sponsor_rejected"),
    ('Der Fachbereich hat ihn abgelehnt, keine Begründung', "sponsor_rejected"),
    ('Kunde (Hansa AG) hat abgesagt nach dem letzten Gespräch', "sponsor_rejected"),
    ('De opdrachtgever heeft hem afgewezen na de laatste ronde', "sponsor_rejected"),
    ('client (Brightline) passed after the final, no reason given', "sponsor_rejected"),
    ('Der Fachbereich hat ihn abgelehnt: zu wenig Erfahrung mit SAP', "experience"),
    ("Refus du manager : pas assez d'expérience en management", "experience"),
    ('El cliente lo rechazó: le falta experiencia en banca', "experience"),
    # the candidate refused (not the client)
    ('Hat das Angebot abgelehnt, will sich nicht verändern', "declined_role"),
    ("A refusé l'offre, pas intéressé finalement", "declined_role"),
    ('Rechazó la oferta, no quiere cambiar ahora', "declined_role"),
    ('Heeft het aanbod afgewezen, blijft liever zitten', "declined_role"),
    ('hiring manager (Dana) said no after the case study', "sponsor_rejected"),
    ('budget got diverted to another team so they stopped the search', "sponsor_rejected"),
    ('asked for 20k above the budget', "salary"),
    ('Gehalt ist ein Problem, Budget reicht nicht', "salary"),
    ('Pas ok sur le salaire, demande 70k', "salary"),
    ('No está de acuerdo con el sueldo ofrecido', "salary"),
    ('Geen punt met salaris; wil niet naar Rotterdam verhuizen', "location"),
    ('Kandidat hat abgelehnt, möchte keine Rolle mit Reisetätigkeit', "declined_role"),
    ("La candidate a refusé : ne veut pas d'un poste en régie", "declined_role"),
    ('Blijft na een tegenbod toch bij zijn huidige werkgever', "declined_role"),
    ('stayed with his employer after a counter offer', "declined_role"),
    ("Le jury l'a écarté malgré un bon test", "sponsor_rejected"),
    ('Die Geschäftsführung hat ihn abgelehnt, ohne Angabe von Gründen', "sponsor_rejected"),
    ('De directie heeft hem afgewezen zonder reden', "sponsor_rejected"),
    ("Le client l'a refusé : pas assez solide en Java", "skills"),
    ('Der Kunde hat abgesagt: kein Kubernetes-Wissen', "skills"),
    ('Kept texting the HR partner late at night with personal remarks, creepy', "conduct"),
    ('Gegenüber der Empfangsdame sehr herablassend', "conduct"),
    ('Se puso agresivo con el equipo del cliente en la visita', "conduct"),
    ('Maakte seksistische opmerkingen tegen de recruiter', "conduct"),
    ("please don't ring her till after the holidays, she's on leave", "availability"),
    ('Nie wieder anrufen, hat sich beschwert über zu viele Anrufe', "do_not_contact"),
])
def test_the_other_v7_kinds_are_read_in_every_language(rules, text, category):
    assert reasons.classify(text, "declined", rules).category == category


@pytest.mark.parametrize("hard", ["references were fake", "Lebenslauf gefälscht", "geht in Rente", "CV falsifié",
                                  "se jubila", "cv vervalst", "Werkt niet meer via bureaus"])
@pytest.mark.parametrize("soft", ["remote only - role is 4 days onsite", "Homeoffice gewünscht", "mobil arbeiten"])
def test_remote_work_after_a_dash_never_negates_a_hard_no(rules, hard, soft):
    # German "{m} remote" (of remote work, not of a move) read a dash as no clause end:
    # "references were fake - remote only" was read as location (found by the property check)
    assert reasons.classify(f"{hard} - {soft}", "rejected", rules).cls == "hard_no"


@pytest.mark.parametrize("text", ["Sucht dauerhaft Homeoffice, Kunde will 4 Tage vor Ort",
                                  "Möchte dauerhaft remote, Kunde will 3 Tage vor Ort",
                                  "will dauerhaft im Homeoffice arbeiten, Rolle ist vor Ort"])
def test_permanently_remote_is_still_location(rules, text):
    assert reasons.classify(text, "declined", rules).category == "location"


# The kinds behind blind_train3's hard-nos read as soft-no, in other words and all five languages:
# a request to erase one's data / that nobody contacts them again; refusing recruitment firms
# (with an adverb, "niks", a compound "recruitmentbureaus"); a new trade and not going back to dev.
@pytest.mark.parametrize("text, category", [
    ('wants all her details erased from our database and no further contact from anyone here', 'do_not_contact'),
    ('requested deletion of his personal data under GDPR, also the rate was too low', 'do_not_contact'),
    ('asked that nobody from our firm ever gets in touch with him going forward', 'do_not_contact'),
    ('Bittet um Löschung aller seiner Daten, niemand von uns soll sich mehr melden', 'do_not_contact'),
    ('Hat die Löschung ihrer Daten verlangt. Gehalt passte auch nicht.', 'do_not_contact'),
    ("A exigé l'effacement de ses données et que plus personne du cabinet ne la contacte", 'do_not_contact'),
    ('Demande la suppression de ses données personnelles, le salaire ne collait pas non plus', 'do_not_contact'),
    ('Pidió la supresión de sus datos personales; además el salario no cuadraba', 'do_not_contact'),
    ('Quiere que borremos todos sus datos y que nadie del equipo le vuelva a escribir', 'do_not_contact'),
    ('Wil dat we al zijn gegevens wissen en dat niemand van het kantoor hem nog benadert', 'do_not_contact'),
    ('Heeft gevraagd haar gegevens te verwijderen; het tarief was ook te laag', 'do_not_contact'),
    ('Wil dat we al haar gegevens vernietigen', 'do_not_contact'),
    ('flatly refuses to deal with any recruitment firm, personal reasons, no point pushing', 'unavailable_permanently'),
    ("won't touch agencies or headhunters at all any more, on principle", 'unavailable_permanently'),
    ('Lehnt grundsätzlich jede Zusammenarbeit mit Personalvermittlern ab, keine Chance', 'unavailable_permanently'),
    ('Will prinzipiell nichts mit Headhuntern oder Agenturen zu tun haben', 'unavailable_permanently'),
    ('Refuse toute collaboration avec les cabinets de recrutement, par principe', 'unavailable_permanently'),
    ("Ne veut plus entendre parler de chasseurs de têtes ni d'agences", 'unavailable_permanently'),
    ('Se niega a trabajar con consultoras de selección, por principio', 'unavailable_permanently'),
    ('No quiere saber nada de headhunters ni de agencias, motivos personales', 'unavailable_permanently'),
    ('Weigert pertinent om met recruitmentbureaus samen te werken', 'unavailable_permanently'),
    ('Wil uit principe niets te maken hebben met headhunters of bureaus', 'unavailable_permanently'),
    ('now a primary school teacher, has no plans to come back to coding', 'career_change'),
    ('switched paths: works as a schoolteacher now and will not return to development', 'career_change'),
    ('Ist jetzt Grundschullehrer und will nicht mehr zurück in die Entwicklung', 'career_change'),
    ('A changé de métier : maintenant instituteur, ne reviendra pas au développement', 'career_change'),
    ("Désormais infirmière, elle ne compte pas revenir à l'informatique", 'career_change'),
    ("Il s'est reconverti dans l'enseignement, ne pense pas revenir au code", 'career_change'),
    ('Ahora es maestro de primaria, no piensa volver a programar', 'career_change'),
    ('Cambió de camino: ahora da clases en un colegio y no piensa volver al desarrollo', 'career_change'),
    ('Is nu leraar op een basisschool en gaat niet meer terug naar development', 'career_change'),
    ('Heeft een andere richting gekozen, werkt nu als docent, komt niet terug in de IT', 'career_change'),
    ('started a doctorate in history, leaving software behind for good', 'career_change'),
])
def test_blind_train3_hard_no_kinds_read_hard_in_every_language(rules, text, category):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == ("hard_no", category), got


@pytest.mark.parametrize("text", [
    "nobody from the client ever got in touch with feedback",
    "he said no one called him back after the interview, now taken another job",
    "has a doctorate in physics, too academic for the role",
    "Kunde hat die Stelle gelöscht, Projekt gestoppt",
    "De klant heeft de vacature verwijderd",
    "Il ne compte pas quitter son poste actuel pour ce salaire",
    "Team lead noch nie gemacht, Rolle braucht Führungserfahrung",  # never done it: no lie
    "el cliente se quedó con otra candidata",  # "se quedó" is no typo of "se quejó"
])
def test_near_wordings_of_the_blind_train3_hard_kinds_are_not_hard(rules, text):
    assert reasons.classify(text, "rejected", rules).cls != "hard_no"


# The soft kinds behind blind_train3's other misses, in other words and all five languages: "X is
# fine, just N % more" (and "X lui convient", "le va bien", "geen bezwaar", "am Standort lag's nicht");
# the role beneath the candidate's level, boredom; sexist/racist remarks are conduct; "ni caso", "laat
# niks meer van zich horen"; "se quedó" is no "se quejó"; the client wanting everyone at the office.
@pytest.mark.parametrize("text, category", [
    ('location is no issue for him, he simply wants 25% more than the band', 'salary'),
    ('Ort ist kein Problem, er möchte einfach 20 Prozent mehr', 'salary'),
    ('Le lieu lui convient, elle demande simplement 15 % de plus', 'salary'),
    ('La ubicación le va bien, solo pide un 25 % más', 'salary'),
    ('Reistijd geen bezwaar, ze wil alleen 15 procent meer', 'salary'),
    ('vraagt de hoofdprijs', 'salary'),
    ('trouvait le rôle trop en dessous de son niveau, aurait vite tourné en rond', 'declined_role'),
    ('fand die Stelle zu klein für sich, hätte sich gelangweilt', 'declined_role'),
    ('vond de rol beneden zijn niveau, zou zich snel vervelen', 'declined_role'),
    ('el puesto le quedaba pequeño, se aburriría', 'declined_role'),
    ("thought the job was beneath her level, she'd be bored within months", 'declined_role'),
    ('el cliente se quedó con otra candidata', 'sponsor_rejected'),
    ('su empresa le subió el salario y decidió quedarse', 'declined_role'),
    ('seksistische grappen tegen de recruiter', 'conduct'),
    ('ni caso a mis mensajes', 'ghosted'),
    ('laat helemaal niks meer van zich horen', 'ghosted'),
    ('hizo comentarios machistas durante la entrevista', 'conduct'),
    ('a fait des blagues racistes devant la recruteuse', 'conduct'),
    ('rassistische Sprüche im Interview', 'conduct'),
    ('made racist jokes during the call', 'conduct'),
    ('liet na de eerste call niks meer van zich horen', 'ghosted'),
    ('le pilla muy lejos la oficina', 'location'),
    ('found the project scope underwhelming, would be coasting there', 'declined_role'),
    ('withdrew from the labour market to look after her kids', 'unavailable_permanently'),
    ("client wants everybody at the Leeds office five days, she's remote", 'location'),
])
def test_blind_train3_soft_kinds_are_read_in_every_language(rules, text, category):
    assert reasons.classify(text, "rejected", rules).category == category


@pytest.mark.parametrize("text, category", [
    ("Absage vom Hiring Manager, fachlich top", "sponsor_rejected"),  # praise of the skills does not decide
    ("Gehalt war top, aber der Standort passt nicht", "location"),
    ("Gehaltsvorstellung über dem Top-Budget des Kunden", "salary"),  # "top" further on is no praise
])
def test_top_right_after_a_reason_praises_it_only_there(rules, text, category):
    assert reasons.classify(text, "rejected", rules).category == category


# The kinds behind blind_train4's hard-nos read as soft (the school's word that the person never
# studied there; leaving the trade told as a closed chapter) and the probe notes read wrongly this
# morning (the client cut the role or went silent: the client's no, DESIGN §4, not ghosted, which is
# the candidate going silent; asking for one's data to be cleaned up), in other words, five languages.
@pytest.mark.parametrize("category, text", [
    ("false_information", "School confirmed she never enrolled there"),
    ("false_information", "Die Hochschule sagt, er war nie eingeschrieben"),
    ("false_information", "L'école dit qu'il n'a jamais été inscrit"),
    ("false_information", "La universidad dice que nunca se matriculó"),
    ("false_information", "De hogeschool zegt dat hij nooit ingeschreven was"),
    ("career_change", "Says the software chapter of his life is over, now a baker"),
    ("career_change", "Sein IT-Kapitel ist abgeschlossen, er wird Landwirt"),
    ("career_change", "Pour lui le chapitre informatique est clos, il devient menuisier"),
    ("career_change", "Su etapa en la informática terminó, ahora es agricultor"),
    ("career_change", "Komt niet meer terug in de ICT, wordt boer"),
    ("do_not_contact", "Wants us to purge his data from our systems"),
    ("do_not_contact", "Bittet uns, seine Daten zu bereinigen"),
    ("do_not_contact", "Demande d'effacer ses données de notre base"),
    ("do_not_contact", "Pidió borrar sus datos de la base"),
    ("do_not_contact", "Vraagt ons zijn gegevens op te ruimen"),
    ("sponsor_rejected", "Client scrapped the position after the reorg"),
    ("sponsor_rejected", "Die Firma hat die Stelle gestrichen"),
    ("sponsor_rejected", "Le client a supprimé le poste en fin de trimestre"),
    ("sponsor_rejected", "La empresa eliminó el puesto"),
    ("sponsor_rejected", "De klant heeft de vacature geschrapt"),
    ("sponsor_rejected", "Nobody at the client has answered since the second round"),
    ("sponsor_rejected", "Niemand vom Kunden hat sich mehr gemeldet"),
    ("sponsor_rejected", "Personne chez le client n'a répondu depuis trois semaines"),
    ("sponsor_rejected", "El cliente no respondió más después de la entrevista"),
    ("sponsor_rejected", "Niemand van de klant heeft nog gereageerd"),
])
def test_blind_train4_hard_kinds_and_the_client_cutting_the_role_read_right_in_every_language(rules, category, text):
    got = reasons.classify(text, None, rules)
    assert got.category == category, (text, got)


# A client's or a place's name one slip from a hard-no word of some language is no hard-no: it is
# in doubt and a person decides; a Capitalised German noun with a slip is in doubt too, never soft.
@pytest.mark.parametrize("text", [
    "Lumen's hiring manager said no",
    "Commute from Leuven to Antwerp was too long for him",
    "Der Kunde Lumen hat sich für jemand anderen entschieden",
    "Le candidat habite Liège et refuse la navette",
    "El cliente Lumen eligió a otra persona",
    "Woont in Leuven, de klant wil vier dagen op kantoor",
])
def test_a_name_one_slip_from_a_hard_no_word_is_not_a_hard_no(rules, text):
    assert reasons.classify(text, None, rules).cls != "hard_no"


@pytest.mark.parametrize("text", ["Kandidat hat Betrgu im Lebenslauf zugegeben",
                                  "Hat im Interview Lügne erzählt", "Er hat über seinen Abschluss gelgoen"])
def test_a_slip_in_a_capitalised_hard_no_noun_is_never_soft(rules, text):
    assert reasons.classify(text, None, rules).cls != "soft_no"


# German "liegt" (is at) is no Dutch "liegt" (lies); a skill named after a harm is no harm;
# German "meinte"/"starker" are no "miente"/"stalker"
@pytest.mark.parametrize("text, category", [
    ("Er will 90k, das Budget liegt bei 75k", "salary"),
    ("Die Gehaltsvorstellung liegt deutlich über dem Budget", "salary"),
    ("Wanted threat hunting skills, he is a network engineer", "skills"),
    ("Role needs fraud detection skills he lacks", "skills"),
    ("Sie meinte, die Pendelstrecke sei zu lang", "location"),
    ("Starker Eindruck im Gespräch, aber das Gehalt ist zu hoch", "salary"),
])
def test_everyday_words_that_look_like_a_hard_no_are_read_as_what_they_say(rules, text, category):
    got = reasons.classify(text, None, rules)
    assert got.category == category, (text, got)


@pytest.mark.parametrize("text", ["Hij liegt over zijn diploma", "Kandidaat liegt structureel", "Ze liegt tegen de klant"])
def test_the_dutch_liar_still_reads_hard(rules, text):
    assert reasons.classify(text, None, rules).category == "false_information"


# blind_train4's soft kinds: the reason ruled out before the one that decided ("it wasn't X, it
# was Y"), a reason said to have suited ("Gehalt hat gepasst, aber …") and the right stack praised
# before too few years, in other words and every language; the same words with a "not" still decide.
@pytest.mark.parametrize("category, text", [
    ("salary", "It wasn't the commute, it was the pay: 15k below her current package"),
    ("salary", "Es lag nicht am Standort, sondern am Gehalt"),
    ("salary", "Ce n'était pas le trajet, c'était la rémunération"),
    ("availability", "No fue el sueldo, fue la fecha de inicio: no puede antes de marzo"),
    ("location", "Het lag niet aan het salaris, wel aan de reistijd"),
    ("location", "Pay was fine, but relocating to Leeds is off the table"),
    ("location", "Gehalt hat gepasst, aber der Umzug nach Hamburg kommt nicht in Frage"),
    ("location", "Le salaire convenait, mais il refuse de déménager à Lyon"),
    ("location", "Salaris was goed, maar verhuizen naar Groningen wil hij niet"),
    ("experience", "La stack est la bonne, mais seulement un an d'expérience"),
    ("experience", "El stack es el correcto, pero solo tiene un año de experiencia"),
    ("salary", "Le salaire ne convenait pas"),
    ("salary", "Loon was niet goed genoeg"),
])
def test_blind_train4_soft_kinds_are_read_in_every_language(rules, category, text):
    got = reasons.classify(text, None, rules)
    assert got.category == category, (text, got)


# An ATS status ("Status: on hold", "Estado: en espera") says where the person stands; the reason
# after it decides. The client putting the role on hold is still the client's no.
@pytest.mark.parametrize("category, text", [
    ("availability", "Status: on hold; reason: notice period of 3 months"),
    ("location", "Status: on hold, Grund: Umzug nach Köln kommt nicht in Frage"),
    ("salary", "Statut : en attente, motif : salaire demandé trop élevé"),
    ("location", "Estado: en espera, motivo: no quiere mudarse a Bilbao"),
    ("availability", "Status: on hold, reden: opzegtermijn van drie maanden"),
    ("sponsor_rejected", "Position on hold at the client"),
    ("sponsor_rejected", "Client put the role on hold"),
])
def test_an_ats_status_before_the_reason_does_not_decide(rules, category, text):
    got = reasons.classify(text, None, rules)
    assert got.category == category, (text, got)


# The product or the field does not appeal to the candidate: their own no (declined_role), said
# alone, without a "withdrew" to lean on, in every language.
@pytest.mark.parametrize("text", [
    "After the demo: the product did not excite her",
    "Nach dem Gespräch: das Produkt reizt ihn nicht",
    "Après la démo : le produit ne lui plaît pas",
    "Tras la demo: el producto no le atrae",
    "Na de demo: het product spreekt haar niet aan",
    "Vond de rol een stap terug",
])
def test_a_product_that_does_not_appeal_is_the_candidates_no(rules, text):
    got = reasons.classify(text, None, rules)
    assert got.category == "declined_role", (text, got)


@pytest.mark.parametrize("text, category", [
    ("He meant to start in May but now can only start in September", "availability"),
    ("Wurde dreimal angeschrieben, keine Antwort mehr", "ghosted"),
])
def test_meant_and_angeschrieben_are_no_slip_of_a_hard_no_word(rules, text, category):
    got = reasons.classify(text, None, rules)
    assert got.category == category, (text, got)
