"""Pure: the words of a reason text — normalised, stemmed, and indexed.

What a text is matched against (:func:`normalise`), its words (:func:`words_of`),
the word stems of each language (:class:`Stemmers`, :class:`FormReading`), and the
index that tells which rules can possibly match a text's words, so that a rule
set in five languages costs little more than one (:func:`rule_index`).
"""
from __future__ import annotations

import bisect
import collections
import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein

from .reason_regex import first_words, read

if TYPE_CHECKING:
    from .reason_rules import Rule

# ISO code -> Snowball stemmer; "none" switches word forms off for a rule.
LANGUAGES = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "nl": "dutch", "it": "italian",
    "pt": "portuguese", "sv": "swedish", "da": "danish", "no": "norwegian", "fi": "finnish", "pl": "polish",
    "ro": "romanian", "hu": "hungarian", "cs": "czech", "el": "greek", "tr": "turkish", "ru": "russian",
    "ca": "catalan", "et": "estonian", "lt": "lithuanian", "ga": "irish", "none": "",
}
# languages whose own words carry no accents: an accented word is never one of their word forms
UNACCENTED = frozenset({"en"})
# A word a negation may reach across: not punctuation, and not a conjunction, which
# starts a new clause ("comp too low, no fit and lied on CV": the lie is not negated).
LETTERS = re.compile(r"[^\W\d_]+")
WORDS = re.compile(r"[^\W_]+")
WORD_CHAR = re.compile(r"[\w$€£#]")
# (pattern, replacement, texts one of which every match holds: without them, no substitution)
_CONTRACTIONS = [
    (re.compile(r"\b(can'?t|can not)\b"), "cannot", ("can",)),
    (re.compile(r"\bwon'?t\b"), "will not", ("won",)),
    (re.compile(r"\b(do|does|did|is|was|were|are|has|have|had|could|would|should|must|need)n'?t\b"), r"\1 not",
     ("nt", "n't")),
    (re.compile(r"\bw/o\b"), "without", ("w/",)),
    (re.compile(r"\bw/(?=\s|\w)"), "with ", ("w/",)),
]
_JOINED = re.compile(r"(?<=\w)[-_/](?=\w)")
_LINE_BREAK = re.compile(r"\s*[\r\n\u2028\u2029]+\s*")
# A sign standing alone between spaces joins two notes ("lied about his degree / comp too
# low", "fake refs | remote only", "no show -> ghosted"): a clause ends there, as at ";", so
# a phrase whose end a rule checks ("…, he doesnt") still ends before the next note.
_NOTE_JOINER = re.compile(r"\s+(?:[/|\\•·→⇒»]+|-+>|=+>|>>+)(?=\s)")
_JOINER_SIGNS = ("/", "|", "\\", ">", "•", "·", "→", "⇒", "»")


def _fold(s: str) -> str:
    """Accents off ("é" = "e", "ü" = "u"): recruiters type names of places and
    words both ways, and a rule written with accents must match a note without."""
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def normalise(text: Any) -> str:
    """The form rules are matched against: lowercase, accents off, contractions spelled
    out, hyphens/underscores/slashes between words as spaces, line breaks and a sign standing
    alone between notes (" / ", " | ", " -> ") as "; "."""
    s = _fold(unicodedata.normalize("NFKC", str(text)).lower())
    s = s.replace("’", "'").replace("‘", "'").replace("`", "'").replace("&", " and ")
    if "—" in s:  # an em dash is the en dash the rules know ("[-–]"), typed longer
        s = s.replace("—", "–")
    for pattern, repl, needles in _CONTRACTIONS:
        if any(n in s for n in needles):  # most texts hold none: no regex pass
            s = pattern.sub(repl, s)
    if any(sign in s for sign in _JOINER_SIGNS):
        s = _NOTE_JOINER.sub(";", s)
    if "-" in s or "_" in s or "/" in s:
        s = _JOINED.sub(" ", s)
    if "\n" in s or "\r" in s or "\u2028" in s or "\u2029" in s:
        s = _LINE_BREAK.sub("; ", s.strip())  # a new line in a cell starts a new clause
    return " ".join(s.split())


def accented_words(text: str) -> frozenset[str]:
    """The words typed with accents, as :func:`normalise` spells them ("Retiré" -> "retire")."""
    if text.isascii():
        return frozenset()
    low = unicodedata.normalize("NFKC", text).lower()
    return frozenset(_fold(w) for w in LETTERS.findall(low) if not w.isascii())


def accented_in_english(language: str, word: str, accented: frozenset[str]) -> bool:
    """A soft-no word of a language written without accents matched a word typed with them
    (:func:`accented_words`): French "raté" (missed) is no English "rate". Soft-no only: a
    hard-no match always counts."""
    return language in UNACCENTED and word in accented


_TITLE_WORD = re.compile(r"[^\W\d_][^\W\d_]+")
_SENTENCE_START = frozenset(".!?:;\"'«“„([{-–—•|/>\n\r")


def named_words(text: str) -> frozenset[str]:
    """The words typed Capitalised inside a sentence ("Lumen's client", "lives in Leuven"), as
    :func:`normalise` spells them: names of clients and places, read as typed and never as a
    typo of a rule word ("Lumen" is no slip of German "lügen", "Leuven" none of Dutch "leugen").
    A word after a sentence's end, a colon, a quote or a dash starts a clause and is not a name,
    unless an owner's "'s" follows it ("Lumen's CTO vetoed")."""
    if text.islower() or text.isupper():
        return frozenset()
    out = set()
    for m in _TITLE_WORD.finditer(text):
        w = m.group(0)
        if not (w[0].isupper() and w[1:].islower()):
            continue
        before = text[:m.start()].rstrip()
        if (before and before[-1] not in _SENTENCE_START) or text.startswith(("'s", "’s"), m.end()):
            out.add(_fold(w.lower()))
    return frozenset(out)


def words_of(text: str) -> frozenset[str]:
    """The words of a normalised text, each also without a plural s/es ("skills" -> "skill")."""
    out = set()
    for w in WORDS.findall(text):
        out.add(w)
        if w.endswith("s"):
            out.add(w[:-1])
            if w.endswith("es"):
                out.add(w[:-2])
    return frozenset(out)


def anchors_of(phrases: Iterable[str]) -> tuple[frozenset[str] | None, tuple[str, ...]]:
    """The word each normalised phrase starts with ("s'est reconverti": "s"; None when
    one does not start with a letter or digit), and the prefixes of `*` phrases."""
    words, prefixes = set(), set()
    for phrase in phrases:
        m = WORDS.match(phrase)
        if m is None:
            return None, ()
        if phrase[m.end():m.end() + 1] == "*":
            prefixes.add(m.group(0))
        else:
            words.add(m.group(0))
    return frozenset(words), tuple(sorted(prefixes))


def pattern_prefixes(patterns: Sequence[str | list | None]) -> tuple[str, ...] | None:
    """What the words a match can start with begin with, read from each regex's start
    (`\\b(?:moved|relocated) …` -> moved, relocated); None when a pattern does not
    start with \\b and literal letters (then it is always searched). A pattern is its
    text or its tree (:func:`.reason_regex.read`: the rule compiler has it already; None
    where the reader does not read the text)."""
    out: set[str] = set()
    for pattern in patterns:
        items = read(pattern) if isinstance(pattern, str) else pattern
        if not items or items[0] != ("at", "b"):
            return None
        got = first_words(items[1:])
        if not got:
            return None
        out |= got
    return tuple(sorted(out))


def changes_a_letter(typed: str, word: str) -> bool:
    """Whether reading `typed` as `word` takes a letter typed in place of another before the
    word's last letter ("forced" as "forged", "created" as "cheated", "stalled" as "stalked").
    A typing slip keeps the letters: one dropped ("changd"), doubled ("harrasment"), swapped with
    its neighbour ("salray"), or a different last letter ("vervalsd"); a changed letter inside
    a word mostly makes another real word."""
    ops = [op for op in Levenshtein.editops(typed, word) if op.tag == "replace" and op.src_pos < len(typed) - 1]
    while ops:
        a = ops.pop(0)
        b = ops[0] if ops else None  # two letters swapped can also come as two replaced ones
        if (b is None or b.src_pos != a.src_pos + 1 or typed[a.src_pos] != word[b.dest_pos]
                or typed[b.src_pos] != word[a.dest_pos]):
            return True
        ops.pop(0)
    return False


def typo_limit(word: str) -> int:
    """How many slips a typed word may hold to be read as a rule word: one, two from ten letters."""
    return 1 if len(word) <= 9 else 2


def closest_rule_word(word: str, candidates: Sequence[str], limit: int, hard_words: frozenset[str]) -> str | None:
    """The rule word a typed word is read as (the closest within `limit` slips, the first listed
    on a tie), or None. A letter typed in place of another inside a word makes another real word
    far more often than a slip ("forced" is no "forged", "verzonden" no "verzonnen"): a hard-no
    word is read only from slips that keep the letters (:func:`changes_a_letter`)."""
    found = process.extractOne(word, candidates, scorer=OSA.distance, score_cutoff=limit)
    if found and found[0] in hard_words and changes_a_letter(word, found[0]):
        found = next((f for f in process.extract(word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None)
                      if not (f[0] in hard_words and changes_a_letter(word, f[0]))), None)
    return found[0] if found else None


# ---------------------------------------------------------------- word forms

class FormReading:
    """A text with every word replaced by its stem in one language, and where each
    word came from. The stems are known at once (a cached lookup per word); the
    stemmed text is built only when a rule with a form of one of them asks."""

    def __init__(self, norm: str, stems: Mapping[str, str], typed: list[str] | None = None):
        self.norm, self._stems = norm, stems
        self._typed = LETTERS.findall(norm) if typed is None else typed  # the words as typed, in order
        self.words = frozenset([stems[w] for w in self._typed])

    @property
    def text(self) -> str:
        return self._built[0]

    @functools.cached_property
    def _built(self) -> tuple[str, list[int], list[tuple[int, int, int, int]]]:
        """The stemmed text, and per word where its stem starts and (stem span, typed span)."""
        gaps = LETTERS.split(self.norm)  # the text between the words: one more than the words
        parts, starts, spans, pos, out_len = [], [], [], 0, 0
        for gap, word in zip(gaps, self._typed):
            stem = self._stems[word]
            parts += [gap, stem]
            pos += len(gap)
            out_len += len(gap)
            starts.append(out_len)
            spans.append((out_len, out_len + len(stem), pos, pos + len(word)))
            out_len += len(stem)
            pos += len(word)
        parts.append(gaps[-1])
        return "".join(parts), starts, spans

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The original span of text[start:end] (a match starts and ends on word edges)."""
        return self._at(start, True), self._at(end, False)

    def _at(self, pos: int, left: bool) -> int:
        _text, starts, spans = self._built
        i = bisect.bisect_right(starts, pos) - 1
        if i < 0:
            return pos
        s, e, os_, oe = spans[i]
        if pos == s and left:
            return os_
        if pos <= e:
            return oe if pos == e else min(oe, os_ + (pos - s))
        return oe + (pos - e)


class Stemmers:
    """One Snowball stemmer per language, each word stemmed once (a cache, pure)."""

    def __init__(self) -> None:
        self._stemmers: dict[str, Any] = {}
        self._cache: dict[str, dict[str, str]] = {}
        self.odd: set[str] = set()  # stems that are not one run of letters (none known; checked, not assumed)

    def stem(self, language: str, word: str) -> str:
        cache = self._cache.get(language)
        if cache is None:
            cache = self._cache[language] = {}
        got = cache.get(word)
        if got is None:
            if language not in self._stemmers:
                self._stemmers[language] = snowballstemmer.stemmer(LANGUAGES[language])
            got = cache[word] = self._stemmers[language].stemWord(word) if len(word) > 2 else word
            if not LETTERS.fullmatch(got):
                self.odd.add(got)
        return got

    def stem_all(self, language: str, words: Sequence[str]) -> None:
        """Stems many words at once into the cache (one call into the stemmer, not one per word)."""
        cache = self._cache.setdefault(language, {})
        todo = [w for w in words if w not in cache]
        if language not in self._stemmers:
            self._stemmers[language] = snowballstemmer.stemmer(LANGUAGES[language])
        for w, got in zip(todo, self._stemmers[language].stemWords(todo)):
            got = cache[w] = got if len(w) > 2 else w
            if not LETTERS.fullmatch(got):
                self.odd.add(got)

    def reading(self, language: str, norm: str, as_typed: Iterable[str] = (),
                typed: list[str] | None = None) -> FormReading:
        """The text's stems; words in `as_typed` stay as typed (they are no form of this language).
        `typed`: the text's words (``LETTERS.findall(norm)``) when the caller has them."""
        typed = LETTERS.findall(norm) if typed is None else typed
        cache = self._cache.get(language, {})
        for w in typed:
            if w not in cache:
                self.stem(language, w)  # fills the cache the reading looks words up in
        stems = self._cache[language] if typed else cache
        if as_typed:
            stems = collections.ChainMap({w: w for w in as_typed}, stems)
        return FormReading(norm, stems, typed)

    def phrase(self, language: str, norm: str) -> str:
        return LETTERS.sub(lambda m: self.stem(language, m.group(0)), norm)


def rule_index(rules: Sequence[Rule]) -> dict:
    """Rule numbers (and which part: p phrases, r patterns, f forms) by the words
    or word beginnings a match can start with."""
    index: dict = {"always": {}, "words": {}, "prefixes": {}, "forms": {}}
    for i, rule in enumerate(rules):
        always = ""
        if rule.phrases is not None:
            if rule.anchors is None:
                always += "p"
            for w in rule.anchors or ():
                index["words"].setdefault(w, []).append((i, "p"))
            for w in rule.prefixes:
                index["prefixes"].setdefault(w, []).append((i, "p"))
        if rule.patterns is not None:
            if rule.pattern_prefixes is None:
                always += "r"
            for w in rule.pattern_prefixes or ():
                index["prefixes"].setdefault(w, []).append((i, "r"))
        if always:
            index["always"][i] = always
        for w in rule.form_anchors:
            index["forms"].setdefault((rule.language, w), []).append(i)
    # prefixes by their first three letters (a word is checked against a few, not all)
    index["heads"], index["short"] = {}, {}
    for prefix, entries in index.pop("prefixes").items():
        for i, part in entries:
            if len(prefix) >= 3:
                index["heads"].setdefault(prefix[:3], []).append((prefix, i, part))
            else:
                index["short"].setdefault(prefix, []).append((prefix, i, part))
    return index


@dataclasses.dataclass(frozen=True)
class _Group:
    language: str
    stem_words: frozenset[str]  # the first words of the rules' stemmed phrases


def language_groups(rules: Sequence[Rule]) -> list[_Group]:
    by_lang: dict[str, set[str]] = {}
    for rule in rules:
        if rule.forms is not None:
            by_lang.setdefault(rule.language, set()).update(rule.form_anchors)
    return [_Group(lang, frozenset(words)) for lang, words in by_lang.items()]


def near_words(parts: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]] | None:
    """The words of template parts (beside {m}): one of them must be near a match for
    the template to hold; None when a part holds no word (then always look)."""
    words, prefixes = set(), set()
    for part in parts:
        toks = [t for t in normalise(part).split() if t != "~"]
        if not toks or not all(WORDS.fullmatch(t.rstrip("*")) for t in toks):
            return None
        for t in toks:
            (prefixes.add(t[:-1]) if t.endswith("*") else words.add(t))
    return frozenset(words), tuple(prefixes)


def any_near(near: tuple[frozenset[str], tuple[str, ...]] | None, words: list[str]) -> bool:
    if near is None:
        return True
    exact, prefixes = near
    return any(w in exact or (prefixes and w.startswith(prefixes)) for w in words)



# A list of things one word of praise or ruling-out governs ("happy with the project, the team
# and the location", "pas de souci sur le poste ni la localisation"): items joined by a comma or
# one of these words; a negation or a contrast ("but", "not") ends the list, as does any other sign.
_LIST_JOINS = frozenset({"and", "or", "nor", "plus", "und", "oder", "sowie", "et", "ou", "ni", "y", "e", "o", "u",
                         "en", "noch"})
_LIST_STOPS = frozenset({"not", "no", "but", "just", "only", "except", "nicht", "kein", "keine", "aber", "nur",
                         "sondern", "pas", "ne", "non", "mais", "sauf", "seulement", "pero", "sino", "solo",
                         "excepto", "niet", "geen", "maar", "behalve", "alleen"})
_LIST_ITEM = 3  # words of an item at most ("the office location"); a longer run ends the list


def list_items(text: str, start: int, end: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The word spans of the other items of the list that text[start:end] (a normalised text's
    phrase) is an item of: those before it, those after it; an empty side when none is joined there.
    A list needs a joining word somewhere ("A, B and C"): after a comma alone a new clause may
    start ("the team, location too far")."""
    seq: list = []  # per word its span, or "j" (a joining word), "," or "b" (a break)
    prev = None
    for m in WORDS.finditer(text):
        gap = text[prev:m.start()].strip(" '") if prev is not None else ""
        if gap:
            seq.append("," if gap == "," else "b")
        w = m.group(0)
        seq.append("j" if w in _LIST_JOINS else "b" if w in _LIST_STOPS else m.span())
        prev = m.end()
    own = [k for k, x in enumerate(seq) if isinstance(x, tuple) and start <= x[0] and x[1] <= end]
    if not own:
        return [], []
    lo, hi = own[0], own[-1]
    while lo > 0 and isinstance(seq[lo - 1], tuple):
        lo -= 1
    while hi + 1 < len(seq) and isinstance(seq[hi + 1], tuple):
        hi += 1
    if hi - lo >= _LIST_ITEM:  # the phrase's own words are a clause ("c'est le package qui bloque"), no item
        return [], []
    (before, joined_before), (after, joined_after) = _items_from(seq, own[0], -1), _items_from(seq, own[-1], 1)
    return (before, after) if joined_before or joined_after else ([], [])


def _items_from(seq: list, k: int, step: int) -> tuple[list[tuple[int, int]], bool]:
    """The words of the items joined to seq[k] in one direction (the nearest words of an over-long
    one, which ends the list), and whether a joining word was crossed to reach them."""
    def at(i: int) -> Any:
        return seq[i] if 0 <= i < len(seq) else "b"
    while isinstance(at(k + step), tuple):  # the rest of the phrase's own item
        k += step
    far: list[tuple[int, int]] = []
    joined = False
    while at(k + step) in ("j", ","):
        crossed = False
        while at(k + step) in ("j", ","):
            k += step
            crossed |= seq[k] == "j"
        item = []
        while isinstance(at(k + step), tuple):
            k += step
            item.append(seq[k])
        if not item:
            break
        far, joined = far + item[:_LIST_ITEM], joined or crossed
        if len(item) > _LIST_ITEM:
            break
    return far, joined
