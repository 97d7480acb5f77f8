"""normalise and word-form readings (core/reason_words.py) against plain reference forms
kept here: the fast paths (skipping regex passes a text cannot need, one pass for a
stemmed text and its map back) must give exactly what the plain forms give."""
from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm.core.reason_words import LETTERS, Stemmers, _fold, normalise

_PLAIN_CONTRACTIONS = [
    (r"\b(can'?t|can not)\b", "cannot"),
    (r"\bwon'?t\b", "will not"),
    (r"\b(do|does|did|is|was|were|are|has|have|had|could|would|should|must|need)n'?t\b", r"\1 not"),
    (r"\bw/o\b", "without"),
    (r"\bw/(?=\s|\w)", "with "),
]


def plain_normalise(text: str) -> str:
    s = _fold(unicodedata.normalize("NFKC", str(text)).lower())
    s = s.replace("’", "'").replace("‘", "'").replace("`", "'").replace("&", " and ").replace("—", "–")
    for pattern, repl in _PLAIN_CONTRACTIONS:
        s = re.sub(pattern, repl, s)
    s = re.sub(r"\s+(?:[/|\\•·→⇒»]+|-+>|=+>|>>+)(?=\s)", ";", s)  # a sign alone between two notes
    s = re.sub(r"(?<=\w)[-_/](?=\w)", " ", s)
    s = re.sub(r"\s*[\r\n\u2028\u2029]+\s*", "; ", s.strip())
    return " ".join(s.split())


_PIECES = ["can't", "cant", "can not", "won't", "wont", "isn't", "didnt", "w/o", "w/", "a-b", "x_y", "p/q", "\n",
           "\r\n", "\u2028", " ", "  ", "é", "’", "&", "no", "not", "-", "/", "_", "Ü", "ﬁ", "t", "n", "'",
           " / ", " | ", " -> ", " => ", " >> ", " • ", "—", " \\ "]


@hsettings(max_examples=400, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=4)), max_size=12))
def test_normalise_is_the_plain_form(pieces):
    text = "".join(pieces)
    assert normalise(text) == plain_normalise(text)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["falsified", "relocating", "notice", "gefälschte", "l'été", "123", ", ",
                                           " ", "-", "a", "é"]), st.text(max_size=5)), max_size=10),
       st.sampled_from(["en", "de", "fr"]))
def test_a_reading_is_the_text_with_each_word_stemmed_and_maps_back(pieces, language):
    norm = normalise("".join(pieces))
    reading = Stemmers().reading(language, norm)
    stems = Stemmers()
    assert reading.text == LETTERS.sub(lambda m: stems.stem(language, m.group(0)), norm)
    assert reading.words == frozenset(stems.stem(language, w) for w in LETTERS.findall(norm))
    for m in LETTERS.finditer(reading.text):  # a stem's span maps back onto its typed word
        start, end = reading.original(m.start(), m.end())
        assert LETTERS.fullmatch(norm[start:end])


def _rule_patterns() -> list[list[str]]:
    from sheetcrm.config import Settings
    from sheetcrm.rules import read_rule_files
    return [spec["patterns"] for _source, data in read_rule_files(Settings().reasons_files)
            for spec in data.get("rule", []) if spec.get("patterns")]


def test_pattern_prefixes_read_from_the_compilers_trees_are_those_read_from_the_texts():
    """The rule compiler reads each pattern once (reason_regex.read) and hands pattern_prefixes
    the trees: the same prefixes as reading the texts anew."""
    from sheetcrm.core.reason_regex import read
    from sheetcrm.core.reason_words import pattern_prefixes
    rules = _rule_patterns()
    assert len(rules) > 50
    for patterns in rules:
        assert pattern_prefixes([read(p) for p in patterns]) == pattern_prefixes(patterns)