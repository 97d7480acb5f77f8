"""The reason engine's second index (core/reason_index.py) only leaves out searches that
would find nothing: every text reads exactly as with the engine built without it
(``compile_rules(..., narrow=False)``: the first-word index and one regex per
negation side, as before the index existed)."""
from __future__ import annotations

import dataclasses
import pickle
import re
import types
from pathlib import Path

import pytest
from conftest import labelled_notes
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sheetcrm.config import Settings
from sheetcrm.core import reasons
from sheetcrm.core.reason_compile import compile_rules
from sheetcrm.core.reason_index import (
    DIGIT,
    LazyPattern,
    LiteralScan,
    literals_needed,
    phrase_need,
)
from sheetcrm.core.reason_rules import RuleSet
from sheetcrm.core.reason_words import normalise, words_of
from sheetcrm.demo import HARD_REASONS, SOFT_REASONS, UNCLEAR_REASONS
from sheetcrm.errors import ConfigError
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
    texts += [text for _, text in labelled_notes()]
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


# ---------------------------------------------------------------- regexes compiled on first reach

def _eager(rules: RuleSet) -> RuleSet:
    """The same rule set with every regex compiled up front, as before LazyPattern."""
    def compiled(p):
        return None if p is None else re.compile(p.pattern)
    own = [dataclasses.replace(r, phrases=compiled(r.phrases), patterns=compiled(r.patterns),
                               requires=compiled(r.requires), forms=compiled(r.forms)) for r in rules.rules]
    negations = [dataclasses.replace(n, before=compiled(n.before), after=compiled(n.after)) for n in rules.negations]
    return RuleSet(tuple(own), tuple(negations), rules.fuzzy, rules.min_length, rules.vocabulary, rules.keep,
                   rules.sources, rules.stems, rules.stemmers, rules.narrow, hard_words=rules.hard_words)


def test_every_labelled_text_reads_the_same_as_with_every_regex_compiled_up_front(documents):
    lazy, eager = compile_rules(documents), _eager(compile_rules(documents))
    assert all(isinstance(r.phrases, re.Pattern) for r in eager.rules if r.phrases is not None)
    differ = [(t, got, want) for t in _labelled_texts()
              if (got := reasons.classify(t, None, lazy)) != (want := reasons.classify(t, None, eager))]
    assert differ == []


def test_a_text_compiles_only_the_regexes_it_reaches(documents):
    """The point of LazyPattern: a first sync does not compile the rules no text reaches.
    A rule's patterns are compiled at load: checking them is compiling them (once)."""
    rules = compile_rules(documents)
    assert all("search" in vars(r.patterns) for r in rules.rules if r.patterns is not None)
    reasons.classify("not a fit, salary too low", None, rules)
    lazy = [p for r in rules.rules for p in (r.phrases, r.requires, r.forms) if p is not None]
    assert all(isinstance(p, LazyPattern) for p in lazy)
    compiled = [p for p in lazy if "search" in vars(p)]
    assert 0 < len(compiled) < len(lazy) / 4


def test_a_rules_patterns_are_compiled_once(monkeypatch):
    """At load, the joined patterns only (their check); a part alone only to name the one re refuses."""
    from sheetcrm.core import reason_compile
    compiled = []

    def compile_it(text: str) -> re.Pattern:
        compiled.append(text)
        return re.compile(text)

    monkeypatch.setattr(reason_compile, "re", types.SimpleNamespace(compile=compile_it, error=re.error, Pattern=re.Pattern))
    rules = compile_rules([("x.toml", {"rule": [{"id": "r", "category": "salary", "patterns": [r"\bab", r"c+d"]}]})])
    assert compiled == [r"(?:\bab)|(?:c+d)"]
    assert [m.span() for m in rules.rules[0].patterns.finditer("ab ccd")] == [(0, 2), (3, 6)] and len(compiled) == 1
    with pytest.raises(ConfigError, match=r"pattern 'c\(' is not a valid"):
        compile_rules([("x.toml", {"rule": [{"id": "r", "category": "salary", "patterns": [r"\bab", "c("]}]})])


@hsettings(max_examples=200, deadline=None)
@given(pattern=st.sampled_from([r"ab+", r"(?<![\w$])no\s+(?:fit|go)(?:e?s)?", r"^x|y$", r"\d+k", r"(a)(b)?"]),
       text=st.text(alphabet="abnofitgxy12k $", max_size=20), pos=st.integers(0, 22), end=st.integers(0, 22),
       first=st.sampled_from(["search", "match", "finditer"]))
def test_a_lazy_pattern_answers_as_the_compiled_regex(pattern, text, pos, end, first):
    lazy, real = LazyPattern(pattern), re.compile(pattern)
    getattr(lazy, first)(text)  # whichever method compiles it, the others answer the same after
    for lp in (LazyPattern(pattern), lazy):
        for args in [(text,), (text, pos), (text, pos, end)]:
            assert _span(lp.search(*args)) == _span(real.search(*args))
            assert _span(lp.match(*args)) == _span(real.match(*args))
            assert [_span(m) for m in lp.finditer(*args)] == [_span(m) for m in real.finditer(*args)]


def _span(m: re.Match | None) -> tuple | None:
    return None if m is None else (m.span(), m.groups())


def test_a_lazy_pattern_compares_by_its_text_and_pickles():
    a, b = LazyPattern("no fit"), LazyPattern("no fit")
    a.search("x")
    assert a == b and hash(a) == hash(b) and a != LazyPattern("fit")
    again = pickle.loads(pickle.dumps(a))
    assert again == a and again.search("a no fit").span() == (2, 8)


def test_a_lazy_pattern_is_compiled_once_even_through_a_method_bound_before(monkeypatch):
    """``_search_words`` binds ``search`` before the first call and calls it again for each
    further match: the text is compiled on the first of them only."""
    from sheetcrm.core import reason_index
    compiled = []

    def compile_it(text: str) -> re.Pattern:
        compiled.append(text)
        return re.compile(text)

    monkeypatch.setattr(reason_index, "re", types.SimpleNamespace(compile=compile_it))
    lazy = LazyPattern("no")
    search = lazy.search
    assert [search("no, no, no", pos).start() for pos in (0, 1, 5)] == [0, 4, 8]
    assert lazy.search("no").span() == (0, 2) and list(lazy.finditer("nono")) and compiled == ["no"]


def test_a_group_name_used_in_two_patterns_of_a_rule_is_still_refused_at_load():
    doc = ("x.toml", {"rule": [{"id": "r", "category": "salary", "patterns": [r"(?P<n>a)", r"(?P<n>b)"]}]})
    with pytest.raises(re.error):
        compile_rules([doc])
    with pytest.raises(ConfigError, match="not a valid regular expression"):
        compile_rules([("x.toml", {"rule": [{"id": "r", "category": "salary", "patterns": [r"(?<=a+)b"]}]})])


@pytest.mark.parametrize("patterns", [
    [r"(?P<n>a)", r"(?P<n>b)"],  # a group name used twice
    [r"a", r"(?i)b"], [r"(?u)a", r"b"], [r"(?x) a"],  # flags for the whole pattern, not at its start once joined
    [r"(x)", r"((a)\2)"],  # alone \2 is a closed group; joined, the numbers shift and it is an open one
])
def test_patterns_that_parse_alone_but_not_joined_are_refused_at_load(patterns):
    for p in patterns:
        re.compile(p)
    with pytest.raises(re.error):
        re.compile("|".join(f"(?:{p})" for p in patterns))
    with pytest.raises(re.error):
        compile_rules([("x.toml", {"rule": [{"id": "r", "category": "salary", "patterns": patterns}]})])


def test_what_joined_patterns_need_is_what_their_parts_need_together(documents):
    """The rule compiler reads what a rule's joined patterns need from its parts' trees
    (note_joined): what each part's matches need, together; None when one part's is unknown."""
    from sheetcrm.core import reason_index
    from sheetcrm.core.reason_regex import read
    cases = [spec["patterns"] for _source, data in documents for spec in data.get("rule", []) if spec.get("patterns")]
    assert len(cases) > 50
    cases += [[r"\bab\d", r"cd+"], [r"\bab", r"x*"], [r"(a)\1", r"b"], [r"abc"], [r"(?i:abc)", r"d"], [r"a|(?:b)c"],
              [r"\bno (?:se )?fue\b", r"\bno vino (?:aqui|alli)\b"]]
    for parts in cases:
        text = "|".join(f"(?:{p})" for p in parts)
        reason_index.note_joined(text, [read(p) for p in parts])
        each = [reason_index.literals_needed.__wrapped__(p) for p in parts]
        assert reason_index.literals_needed.__wrapped__(text) == (
            None if None in each else frozenset().union(*each)), parts
        reason_index.forget_joined()
    assert reason_index.literals_needed.__wrapped__(r"(?:a)|(?:(?i)b)") is None


def test_every_csv_text_reads_the_same_as_with_the_plain_engine(documents):
    """Every text of every labelled set in tests/data reads the same with the engine as used
    and with the plain one: no second index (narrow=False) and every regex compiled up front.
    A difference is reported by file and line only: the held-out sets' texts are never shown."""
    fast, plain = compile_rules(documents), _eager(compile_rules(documents, narrow=False))
    notes = labelled_notes()
    differ = [where for where, text in notes
              if reasons.classify(text, None, fast) != reasons.classify(text, None, plain)]
    assert len(notes) > 1000
    assert differ == []
