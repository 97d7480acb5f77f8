"""The reason engine's second index (core/reason_index.py) only leaves out searches that
would find nothing: every text reads exactly as with the engine built without it
(``compile_rules(..., narrow=False)``: the first-word index and one regex per
negation side, as before the index existed)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st

from sheetcrm.config import Settings
from sheetcrm.core import reasons
from sheetcrm.core.reason_compile import compile_rules
from sheetcrm.core.reason_index import DIGIT, LiteralScan, literals_needed, phrase_need
from sheetcrm.core.reason_words import normalise, words_of
from sheetcrm.demo import HARD_REASONS, SOFT_REASONS, UNCLEAR_REASONS
from sheetcrm.rules import read_rule_files

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def documents() -> list:
    return read_rule_files(Settings().reasons_files)


@pytest.fixture(scope="module")
def engines(documents) -> tuple:
    """(the engine as used, the reference built without the second index)"""
    return compile_rules(documents), compile_rules(documents, narrow=False)


def _labelled_texts() -> list[str]:
    texts = [t for d in (SOFT_REASONS, HARD_REASONS) for ts in d.values() for t in ts] + list(UNCLEAR_REASONS)
    for path in sorted(DATA.glob("*.csv")):
        with path.open(newline="", encoding="utf-8") as fh:
            texts += [row["text"] for row in csv.DictReader(fh) if row.get("text")]
    return list(dict.fromkeys(texts))


def _phrases(documents) -> list[str]:
    """Every phrase, required word and negation template (with a phrase in its {m}) of the rules."""
    out, templates = [], []
    for _source, data in documents:
        for spec in data.get("rule", []):
            out += [p.rstrip("*") for p in [*spec.get("phrases", []), *spec.get("requires", [])]]
        for block in data.get("negation", []):
            templates += block.get("templates", [])
    out = sorted(set(out))
    return out + [t.replace("~", "really").replace("{m}", out[i * 7 % len(out)]).rstrip("*")
                  for i, t in enumerate(templates)]


def test_every_labelled_text_reads_the_same_with_and_without_the_second_index(engines):
    fast, reference = engines
    texts = _labelled_texts()
    assert len(texts) > 500
    differ = [(t, got, want) for t in texts
              if (got := reasons.classify(t, None, fast)) != (want := reasons.classify(t, None, reference))]
    assert differ == []


def test_the_second_index_leaves_out_searches(engines):
    """Not vacuous: the engine as used asks for fewer rule parts than the reference."""
    fast, reference = engines
    norm = normalise("not a fit, no budget and he was not keen on the commute")
    words = words_of(norm)
    assert len(fast.candidates(words, {}, norm)) < len(reference.candidates(words, {}, norm))


_FILLERS = ["the", "not", "no", "never", "client", "role", "was", "too", "and", "but", "120k", "$95", "3 months",
            "#12", "o'neil", "très", "nicht", "pas", "geen", "ok", "fine", "confirmed", "?", "-", "(", ")"]
_SEPARATORS = [" ", ", ", "; ", " - ", " and ", " but ", ". ", "\n", " / ", ": ", " – "]


def _typo(text: str, at: int) -> str:
    if len(text) < 5:
        return text
    i = at % (len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


@hsettings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_texts_mixing_rule_phrases_read_the_same_with_and_without_the_second_index(engines, documents, data):
    phrases = _phrases(documents)
    fast, reference = engines
    pieces = []
    for _ in range(data.draw(st.integers(1, 5))):
        piece = data.draw(st.one_of(st.sampled_from(phrases), st.sampled_from(_FILLERS), st.text(max_size=8)))
        shape = data.draw(st.sampled_from(["", "s", "ed", "ing", "upper", "typo", "title"]))
        if shape == "upper":
            piece = piece.upper()
        elif shape == "title":
            piece = piece.title()
        elif shape == "typo":
            piece = _typo(piece, data.draw(st.integers(0, 50)))
        else:
            piece += shape
        pieces += [piece, data.draw(st.sampled_from(_SEPARATORS))]
    text = "".join(pieces[:-1])
    assert reasons.classify(text, None, fast) == reasons.classify(text, None, reference)


@hsettings(max_examples=300, deadline=None)
@given(texts=st.lists(st.text(alphabet="abcd?$ e", min_size=1, max_size=5), max_size=8),
       text=st.text(alphabet="abcd?$ ex", max_size=30), pos=st.integers(0, 30))
def test_literal_scan_finds_exactly_the_texts_present(texts, text, pos):
    assert LiteralScan(texts).present(text, pos) == {t for t in texts if t and t in text[pos:]}


@pytest.mark.parametrize("text, pos, present", [("no 5 here", 0, True), ("no 5 here", 4, False), ("٣ days", 0, True),
                                                ("none", 0, False)])
def test_literal_scan_sees_a_digit_of_any_script(text, pos, present):
    assert (DIGIT in LiteralScan([DIGIT, "zz"]).present(text, pos)) is present


def test_every_pattern_match_holds_one_of_its_needed_literals(engines):
    fast, _ = engines
    texts = [normalise(t) for t in _labelled_texts()]
    checked = 0
    for rule in (r for r in fast.rules if r.patterns is not None):
        needed = literals_needed(rule.patterns.pattern)
        for text in texts if needed is not None else ():
            for m in rule.patterns.finditer(text):
                checked += 1
                assert any(re.search(r"\d", m.group(0)) if t == DIGIT else t in m.group(0) for t in needed), rule.id
    assert checked > 100


@pytest.mark.parametrize("pattern, needed", [
    (r"\b\w*(?:gehalt|honorar)\w*", {"gehalt", "honorar"}),
    (r"(?<![\w.])[$€£]\s?\d", {DIGIT}),
    (r"(?<![\w.])[$€£]\s?[a-z]", {"$", "€", "£"}),
    (r"\bcannot (?:join|start)", {"cannot "}),
    (r"x{0,3}yy", {"yy"}),
    (r"(?:ab|)c", {"c"}),
    (r"\d+", {DIGIT}),
    (r"\b\d+\s?(?:k|grand)\b", {DIGIT}),  # a digit is rarer in a reason than a "k"
    (r"[1-4]x", {DIGIT}),
    (r".+", None),               # nothing literal
    (r"(?i:salary)", None),      # case-insensitive: the text's case may differ
    (r"(?i)salary", None),
])
def test_literals_needed(pattern, needed):
    assert literals_needed(pattern) == (None if needed is None else frozenset(needed))


@pytest.mark.parametrize("phrase, text", [
    ("notice period", "their notice periods are long"),
    ("relocat*", "will not relocate"),
    ("not relocat*", "not relocating"),
    ("c++ dev", "a c++ dev"),
    ("s'est reconverti", "il s'est reconverti"),
])
def test_a_phrase_found_in_a_text_has_its_needs_met_by_the_text_words(phrase, text):
    exact, prefix = phrase_need(normalise(phrase))
    words = words_of(normalise(text))
    assert exact <= words and (prefix is None or any(w.startswith(prefix) for w in words))
    # and the engine's own phrase regex finds it there
    assert re.search(reasons.phrase_regex(phrase), normalise(text))
