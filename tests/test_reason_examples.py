"""Notes no rule reads, read like the labelled notes they resemble (core/reason_examples.py)."""
from __future__ import annotations

import collections
import csv
import math
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sheetcrm import schema
from sheetcrm.config import BUILTIN_REASON_EXAMPLES, Settings
from sheetcrm.core import reasons
from sheetcrm.core.reason_compile import compile_rules
from sheetcrm.core.reason_examples import (
    MIN_COVERED,
    NEAREST,
    ExampleIndex,
    read_like_examples,
)
from sheetcrm.core.reason_words import Stemmers, normalise
from sheetcrm.errors import ConfigError
from sheetcrm.rules import load_rule_files, load_rules, read_examples, read_rule_files

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# One list of the sets the built-in examples are made of (the script writes the file from it), and
# one guard for the sets never read (v5, v6; the held-out conftest.HELD_OUT_SET): the script's.
from bench.reasons_examples_experiment import BLIND, FILE_SETS

DATA = Path(__file__).parent / "data"
EXAMPLE_SETS = tuple(FILE_SETS)


@pytest.fixture(scope="module")
def rules() -> reasons.RuleSet:
    return load_rules(Settings())


def _rows(path: Path) -> list[dict[str, str]]:
    assert not BLIND.search(path.name), "a blind set is never read here"
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


_LABELLED = _rows(DATA / "reasons_labelled.csv")
_SOFT = [r["text"] for r in _LABELLED if r["class"] == schema.SOFT_NO]


@pytest.mark.parametrize("text, category", [
    # new wording no phrase rule knows, each like labelled notes of its category
    ("prefers a CDI with a software vendor over our freelance mission", "declined_role"),
    ("wil niet elke dag naar Amsterdam rijden", "location"),
    ("Tijdens de screening bleek dat zijn diploma niet bestaat", "false_information"),
    # (not "… zijn gegevens te verwijderen": a do_not_contact rule reads that since blind_train3)
    ("Zijn gegevens moeten weg uit ons systeem", "do_not_contact"),
])
def test_a_note_no_rule_reads_takes_the_category_of_the_notes_it_resembles(rules, text, category):
    got = reasons.classify(text, "rejected", rules)
    assert (got.cls, got.category) == (schema.CATEGORY_CLASS[category], category)
    number = int(re.match(r"like labelled example (\d+) ", got.rule).group(1))
    assert rules.examples.examples[number - 1].category == category  # the example named is one of them
    assert "no rule matched" in got.rule


@pytest.mark.parametrize("text", [
    # everyday senses of hard-no words: their nearest notes are hard-no, but not all five,
    # or the note is in doubt, or the verdict a complaint needs is missing: a person decides
    "his ask is out of the market range", "planning bleek niet te kloppen, start te laat",
    "Belt ons niet meer terug", "Klant meldt lekken van info, wordt onderzocht", "Klant meldt lekken van info",
    "see email thread",
])
def test_resemblance_never_makes_these_hard_no(rules, text):
    assert reasons.classify(text, "rejected", rules).cls != schema.HARD_NO


@pytest.mark.parametrize("text, cls, category", [
    # an ask-a-person word and nothing else the rules read: the rest of the note decides, and only
    # a hard-no; the word alone, or a rest like no labelled note, stays with a person
    # (not "quitte définitivement l'informatique …": career_change.for_good.fr reads that one itself)
    ("définitivement passé à la boulangerie, l'informatique c'est fini", "hard_no", "career_change"),
    ("never again", "unclassified", "unclassified"),
    ("never again with this client", "unclassified", "unclassified"),
    ("for good", "unclassified", "unclassified"),
    ("definitivo", "unclassified", "unclassified"),
    ("blacklisted", "unclassified", "unclassified"),
])
def test_an_ask_a_person_word_is_decided_only_by_the_rest_of_the_note(rules, text, cls, category):
    got = reasons.classify(text, None, rules)
    assert (got.cls, got.category) == (cls, category)
    assert cls == "unclassified" or "alone calls for a person" in got.rule


@hsettings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_ask_a_person_word_never_reads_soft(rules, data):
    """Soft notes with an ask-a-person word added: a soft-no from the rules' own phrase, or a
    person, never a soft-no by resemblance."""
    soft = data.draw(st.sampled_from(_SOFT))
    word = data.draw(st.sampled_from(["blacklisted", "never again", "for good", "nie wieder", "lista negra",
                                      "nooit meer", "définitivement"]))
    got = reasons.classify(f"{soft}; {word}", None, rules)
    assert not (got.cls == schema.SOFT_NO and "like labelled" in got.rule), got


def test_without_examples_nothing_changes_for_notes_the_rules_read(rules):
    bare = load_rule_files(Settings().reasons_files)
    assert bare.examples is None
    text = "prefers a CDI with a software vendor over our freelance mission"
    assert reasons.classify(text, None, bare).rule == reasons.NO_RULE
    for row in _rows(DATA / "reasons_heldout.csv"):
        a, b = reasons.classify(row["text"], None, bare), reasons.classify(row["text"], None, rules)
        assert a == b or (a.rule == reasons.NO_RULE and "like labelled example" in b.rule)


def test_builtin_examples_are_the_labelled_sets_and_no_blind_one():
    want, seen = [], set()
    for name in EXAMPLE_SETS:
        for row in _rows(DATA / f"{name}.csv"):
            if row["text"] not in seen:
                seen.add(row["text"])
                want.append((row["text"], row["category"]))
    assert read_examples([("builtin", BUILTIN_REASON_EXAMPLES.read_bytes())]) == want


def test_the_held_out_set_is_refused_and_in_no_example_set():
    from conftest import HELD_OUT_SET  # its name only: the file is never opened here

    assert BLIND.search(HELD_OUT_SET)
    assert not any(BLIND.search(name) for name in EXAMPLE_SETS)


def test_bad_examples_are_one_clear_line():
    with pytest.raises(ConfigError, match="columns text and category"):
        read_examples([("x.csv", b"note,label\nfoo,salary\n")])
    with pytest.raises(ConfigError, match="row 1: unknown category 'pay'"):
        compile_rules(read_rule_files(Settings().reasons_files), examples=[("too expensive", "pay")])


def test_the_same_reading_whatever_the_hash_seed():
    texts = ["prefers a CDI with a software vendor over our freelance mission", "wil niet elke dag naar Amsterdam rijden",
             "Reparti au Maroc, il y reste", "zit nog op de hogeschool, stage nodig"]
    probe = ("import sys; from sheetcrm.config import Settings; from sheetcrm.rules import load_rules; "
             "from sheetcrm.core import reasons; r = load_rules(Settings()); "
             "print([reasons.classify(t, None, r) for t in sys.argv[1:]])")
    seen = {subprocess.run([sys.executable, "-c", probe, *texts], capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2", "3")}
    assert len(seen) == 1


# ---------------------------------------------------------------- never claims

_WORDS = ["salary", "money", "commute", "remote", "lied", "cv", "contact", "never", "again", "skills", "react",
          "notice", "period", "ghosted", "complaint", "confirmed", "retired", "chef", "offer", "other"]
_CATEGORIES = [*schema.HARD_NO_CATEGORIES, *schema.SOFT_NO_CATEGORIES, schema.UNCLASSIFIED]


@hsettings(max_examples=200, deadline=None)
@given(pool=st.lists(st.tuples(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join),
                               st.sampled_from(_CATEGORIES)), min_size=1, max_size=30),
       query=st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join),
       hard_ok=st.booleans())
def test_a_class_is_given_only_when_all_five_nearest_have_it(pool, query, hard_ok):
    """... or when the note is word for word labelled examples, all of that category."""
    index = ExampleIndex(pool, Stemmers(), ["en", "de"])
    got = read_like_examples(normalise(query), index, lambda category: hard_ok)
    if got is not None:
        same = {category for text, category in pool if normalise(text) == normalise(query)}
        near = index.nearest(normalise(query))
        assert same == {got.category} or (
            not same and len(near) == NEAREST and all(ex.cls == got.cls for _, ex in near))
        assert got.cls != schema.UNCLASSIFIED
        assert got.cls != schema.HARD_NO or hard_ok
        assert same or index.covered(normalise(query), [ex for _, ex in near]) >= MIN_COVERED[got.cls]


_GHOSTED_DE = ["meldet sich nicht mehr (3x angerufen, 2 Mails)", "nicht mehr erreichbar, 3x angerufen",
               "seit 2 Wochen keine Antwort mehr, mehrfach angerufen", "Funkstille, nicht mehr angerufen worden"]
_DNC_DE = "Er hat ausdrücklich gebeten, nicht mehr angerufen oder angeschrieben zu werden."


@pytest.mark.parametrize("may_be_hard, want", [(True, "do_not_contact"), (False, None)])
def test_a_note_that_is_a_labelled_example_takes_its_label_whatever_its_neighbours(may_be_hard, want):
    """Its nearest other notes are ghosted ones: the vote would leave it to a person, but people
    labelled this very note (case and accents aside); a hard-no still needs the caller's leave."""
    pool = [(t, "ghosted") for t in _GHOSTED_DE] + [(_DNC_DE, "do_not_contact"), ("Möchte nicht mehr angerufen werden",
                                                                              "do_not_contact")]
    index = ExampleIndex(pool, Stemmers(), ["en", "de"])
    assert {ex.cls for _, ex in index.nearest(normalise(_DNC_DE))} == {schema.HARD_NO, schema.SOFT_NO}
    got = read_like_examples(normalise(_DNC_DE.upper()), index, lambda category: may_be_hard)
    assert (got and got.category) == want
    assert got is None or got.rule.startswith("like labelled example 5 (the same note")


_LEFT_THE_MARKET = ["se retire du marché du travail", "quitte le marché du travail pour de bon",
                    "s'est retiré du marché du travail", "a quitté le marché de l'emploi, retraite",
                    "sort du marché du travail définitivement", "retraite, quitte le marché"]


@pytest.mark.parametrize("text, want", [
    ("le marché de l'emploi est tendu, il attend", None),  # one everyday word of theirs: a person decides
    ("se retire du marché de l'emploi", "unavailable_permanently"),
])
def test_a_hard_no_needs_its_nearest_to_hold_enough_of_the_note(text, want):
    """All five nearest are hard-no notes about leaving the job market; a note that shares only
    "marché" with them (its other words unknown to them) is not read hard-no from them."""
    index = ExampleIndex([(t, "unavailable_permanently") for t in _LEFT_THE_MARKET], Stemmers(), ["fr", "en"])
    assert {ex.cls for _, ex in index.nearest(normalise(text))} == {schema.HARD_NO}
    got = read_like_examples(normalise(text), index, lambda category: True)
    assert (got and got.category) == want


@pytest.fixture(scope="module")
def without_v10() -> ExampleIndex:
    """The built-in examples as they were before v10 joined them."""
    sets = EXAMPLE_SETS[:EXAMPLE_SETS.index("reasons_heldout_v10")]
    seen: set[str] = set()
    pool = [(r["text"], r["category"]) for name in sets for r in _rows(DATA / f"{name}.csv")
            if r["text"] not in seen and not seen.add(r["text"])]
    return ExampleIndex(pool, Stemmers(), ["en", "de", "fr", "es", "nl"])


@pytest.mark.parametrize("text, want", [
    # v10's do-not-contact: its five nearest are ghosted "no contesta llamadas ni correos" notes,
    # which hold 22 % of it ("solicita", "recibir", "agencia" are theirs no more): a person decides
    ("Solicita no recibir más llamadas ni correos de la agencia (email del 3/11).", None),
    ("No contesta llamadas ni correos desde el lunes", "ghosted"),
])
def test_a_soft_no_needs_its_nearest_to_hold_some_of_the_note(without_v10, text, want):
    assert {ex.cls for _, ex in without_v10.nearest(normalise(text))} == {schema.SOFT_NO}
    got = read_like_examples(normalise(text), without_v10, lambda category: True)
    assert (got and got.category) == want


def test_a_note_labelled_two_ways_or_left_to_a_person_is_not_read_by_its_label():
    pool = [(t, "ghosted") for t in _GHOSTED_DE] + [(_DNC_DE, "do_not_contact")]
    for also in ("ghosted", "unclassified"):
        index = ExampleIndex([*pool, (_DNC_DE.lower(), also)], Stemmers(), ["en", "de"])
        assert read_like_examples(normalise(_DNC_DE), index, lambda category: True) is None


@pytest.fixture(scope="module")
def hard_texts(rules) -> list[str]:
    """Labelled hard-no notes the rules read hard from a phrase (un-negated), not by resemblance."""
    return [r["text"] for r in _LABELLED if r["class"] == schema.HARD_NO
            and (c := reasons.classify(r["text"], None, rules)).cls == schema.HARD_NO and "like labelled" not in c.rule]


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_an_unnegated_hard_no_phrase_is_never_read_soft_by_resemblance(rules, hard_texts, data):
    """Soft notes (which the examples know well) said with a hard-no phrase: the rules' hard-no
    decides, the examples are never asked."""
    hard = data.draw(st.sampled_from(hard_texts))
    soft = data.draw(st.sampled_from(_SOFT))
    text = data.draw(st.sampled_from([f"{soft}. {hard}", f"{hard}; {soft}", f"{soft}, {hard}"]))
    got = reasons.classify(text, None, rules)
    assert got.cls == schema.HARD_NO and "like labelled" not in got.rule, (text, got)


# ---------------------------------------------------------------- the index as first built

def _plain_build(index: ExampleIndex) -> tuple[dict, dict, list]:
    """Weights, postings and norms as the index first computed them (each text's features
    read word by word through ``features``, stems through ``Stemmers``; issue 20 made the
    build cheaper, twice, not different)."""
    texts = [normalise(e.text) for e in index.examples]
    feats = [sorted(frozenset().union(*index.features(t).values())) if t else [] for t in texts]
    df = collections.Counter(f for fs in feats for f in fs)
    n = len(index.examples)
    weight = {f: math.log((n + 1) / (c + 0.5)) ** 2 for f, c in df.items()}
    postings: dict = {}
    for i, fs in enumerate(feats):
        for f in fs:
            postings.setdefault(f, []).append(i)
    return weight, postings, [math.sqrt(sum(weight[f] for f in fs)) or 1.0 for fs in feats]


def _plain_nearest(index: ExampleIndex, plain: tuple[dict, dict, list], norm: str) -> list[tuple[float, int]]:
    """The nearest examples (score, number) as the first index found them, from its build."""
    weight, postings, norms = plain
    unknown = math.log((len(index.examples) + 1) / 0.5) ** 2
    query = sorted(frozenset().union(*index.features(norm).values())) if norm else []
    q_norm = math.sqrt(sum(weight.get(f, unknown) for f in query)) or 1.0
    dot: dict = collections.defaultdict(float)
    for f in query:
        for i in postings.get(f, ()):
            dot[i] += weight[f]
    best = sorted(((s / (q_norm * norms[i]), i) for i, s in dot.items()), key=lambda t: (-t[0], t[1]))[:NEAREST]
    return [(score, i + 1) for score, i in best]


def _same_build(examples: list, languages: list[str]) -> None:
    index, plain = ExampleIndex(examples, Stemmers(), languages), ExampleIndex(examples, Stemmers(), languages)
    index._build()
    weight, postings, norms = _plain_build(plain)
    assert index._weight == weight and index._norms == norms
    assert {f: index.postings(f) for f in weight} == postings


def test_the_built_in_examples_index_as_first_built(rules):
    _same_build([(e.text, e.category) for e in rules.examples.examples], list(rules.examples._languages))


@hsettings(max_examples=150, deadline=None)
@given(pool=st.lists(st.tuples(st.text(alphabet="abcdeéü xy-'1", max_size=30), st.sampled_from(_CATEGORIES)),
                     min_size=1, max_size=20),
       languages=st.sampled_from([["en"], ["en", "de"], ["fr", "nl", "es"]]))
def test_the_index_is_built_as_first_built(pool, languages):
    _same_build(pool, languages)


@pytest.fixture(scope="module")
def first_built(rules) -> tuple[ExampleIndex, tuple[dict, dict, list], list[str]]:
    """The built-in examples indexed anew (not the loaded rules' index, which other tests have
    queried), their build as first made, and the words of their texts."""
    pool = [(e.text, e.category) for e in rules.examples.examples]
    index = ExampleIndex(pool, Stemmers(), list(rules.examples._languages))
    words = sorted({w for text, _ in pool for w in normalise(text).split()})
    return index, _plain_build(ExampleIndex(pool, Stemmers(), list(rules.examples._languages))), words


@hsettings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_the_built_in_examples_answer_as_first_built_on_random_notes(first_built, data):
    """Notes of the examples' own words (so they have neighbours), some cut or misspelt: the
    same nearest examples with the same scores, hence the same readings."""
    index, plain, words = first_built
    picked = data.draw(st.lists(st.sampled_from(words), min_size=1, max_size=8))
    cut = data.draw(st.lists(st.integers(0, 3), min_size=len(picked), max_size=len(picked)))
    norm = normalise(" ".join(w[:len(w) - c] if len(w) > 4 else w for w, c in zip(picked, cut)))
    assert [(score, ex.number) for score, ex in index.nearest(norm)] == _plain_nearest(index, plain, norm)


def _example_words() -> list[str]:
    with BUILTIN_REASON_EXAMPLES.open(newline="", encoding="utf-8") as fh:
        texts = [row["text"] for row in csv.DictReader(fh)]
    return sorted({w for t in texts for w in re.findall(r"[^\W\d_]{3,}", normalise(t))})


_WORDS = _example_words()


@pytest.mark.parametrize("text", ["reached", "reached him", "Reached", "call back", "breached", "blocked"])
def test_a_one_or_two_word_note_is_never_read_from_the_examples(rules, text):
    """A Touchpoints outcome typed as text ("reached") read do_not_contact from five notes
    sharing the word, and the person became never-call (tests/test_touchpoints' bad-date
    scenario). One or two words are no note to compare: the rules, else a person."""
    got = reasons.classify(text, None, rules)
    assert not got.rule.startswith("like labelled example"), (text, got)


@hsettings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=2))
def test_no_note_of_fewer_than_three_words_is_answered_by_resemblance(rules, words):
    norm = normalise(" ".join(words))
    if rules.examples.same_text(norm):
        return  # a note that IS a labelled example takes its label (a person read it)
    assert read_like_examples(norm, rules.examples, lambda category: True) is None, words
