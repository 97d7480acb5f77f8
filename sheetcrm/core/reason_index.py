"""Pure: which rules a reason text can match, from everything each match needs.

The first-word index (:func:`.reason_words.rule_index`) finds the rules whose
phrases start with one of the text's words; common first words ("no", "not", "pas",
"nicht") bring in dozens of rules that then cost a regex search each, and few
match. :class:`Needs` also checks every other word of each phrase, the stems of
each word-form phrase and a literal text every pattern match holds, so a text is
searched only with the rules it can match. It only ever leaves out searches that
would find nothing: the results are the same (``tests/test_reason_index.py``
compares every labelled text with the engine built without it).
"""
from __future__ import annotations

import bisect
import collections
import functools
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .reason_regex import DIGIT, needed, read
from .reason_words import LETTERS, WORDS, FormReading

if TYPE_CHECKING:
    from .reason_rules import Rule

PhraseNeed = tuple[frozenset[str], "str | None"]
_ANY_DIGIT = re.compile(r"\d")


class LazyPattern:
    """A regex compiled the first time it is searched: a first sync compiles only the
    rules some text reaches through the indexes (compiling all of them costs more than
    half a second). Built only from texts that are valid regexes (escaped phrases, or
    patterns already compiled once to check them). After the first call its methods are
    the compiled pattern's own (instance attributes win over these), so a search costs
    what it did. The text may be given as a function that writes it: a phrase tree
    (``reason_rules._trie_regex``) is written only for the rules a text reaches. A regex
    compiled already (a rule's patterns: checking them compiled them) is given with it."""

    def __init__(self, pattern: str | Callable[[], str], compiled: re.Pattern | None = None):
        self._text = pattern
        if compiled is not None:
            self._regex = compiled
            self.search, self.match, self.finditer = compiled.search, compiled.match, compiled.finditer

    @property
    def pattern(self) -> str:
        if not isinstance(self._text, str):
            self._text = self._text()
        return self._text

    def _compiled(self) -> re.Pattern:
        # once: a caller holding a method bound before the first call (``_search_words``'
        # loop) comes back here for each further search of its text; a tree's text would
        # be written again and only re's cache would spare the parse
        compiled = self.__dict__.get("_regex")
        if compiled is None:
            compiled = self._regex = re.compile(self.pattern)
            self.search, self.match, self.finditer = compiled.search, compiled.match, compiled.finditer
        return compiled

    def search(self, *args: Any) -> re.Match | None:
        return self._compiled().search(*args)

    def match(self, *args: Any) -> re.Match | None:
        return self._compiled().match(*args)

    def finditer(self, *args: Any) -> Iterator[re.Match]:
        return self._compiled().finditer(*args)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LazyPattern) and other.pattern == self.pattern

    def __hash__(self) -> int:
        return hash(self.pattern)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r})"

    def __reduce__(self) -> tuple:
        return LazyPattern, (self.pattern,)


def phrase_need(norm: str) -> PhraseNeed:
    """What a text's words (:func:`.reason_words.words_of`) must hold for a normalised phrase
    to match as typed: each whole word of it (a plural s/es on the last one is in
    ``words_of``), and for a `*` phrase a word starting with the beginning of its last word."""
    wildcard = norm.endswith("*") and len(norm) > 1  # as reason_rules._phrase_tokens reads it
    core = norm[:-1] if wildcard else norm
    words = [(m.group(0), m.end()) for m in WORDS.finditer(core)]
    prefix = words.pop()[0] if wildcard and words and words[-1][1] == len(core) else None
    return frozenset(w for w, _ in words), prefix


# what every match of a rule's joined patterns needs, read from its parts (note_joined)
_JOINED_NEEDS: dict[str, frozenset[str] | None] = {}


def note_joined(joined: str, trees: Sequence[list | None]) -> None:
    """What every match of a rule's patterns joined (``(?:a)|(?:b)``) needs: what its parts'
    matches need, together (None if one part's is unknown). Read from the parts' trees
    (:func:`.reason_regex.read`), which the rule compiler has, rather than from the joined
    text: read whole, what its parts start with alike (``\\b``, a word) would be taken out in
    front of them, as re's parser does, and the set read would be less telling."""
    needs = [None if t is None else needed(t) for t in trees]
    _JOINED_NEEDS[joined] = None if any(n is None for n in needs) else frozenset().union(*needs)


def forget_joined() -> None:
    """Drop what :func:`note_joined` kept (``literals_needed`` keeps its answers)."""
    _JOINED_NEEDS.clear()


@functools.lru_cache(maxsize=4096)  # the same negation templates serve both classes and both screens
def literals_needed(pattern: str) -> frozenset[str] | None:
    """Texts of which every match of the regex holds one (`\\b\\w*(?:gehalt|honorar)` ->
    gehalt, honorar): a text holding none of them needs no search. None when no such
    set is known (syntax :mod:`.reason_regex` does not read, such as flags, or nothing
    literal a match must hold)."""
    if pattern in _JOINED_NEEDS:
        return _JOINED_NEEDS[pattern]
    tree = read(pattern)
    return None if tree is None else needed(tree)


def _tree(texts: Iterable[str]) -> str:
    """Texts as one prefix tree regex that finds, at a place, the longest that starts there."""
    root: dict = {}
    for text in texts:
        node = root
        for ch in text:
            node = node.setdefault(ch, {})
        node[""] = {}  # a text ends here

    def emit(node: dict) -> str:
        alts = [re.escape(ch) + emit(child) for ch, child in sorted(node.items()) if ch]
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")" if alts else ""
        return f"(?:{body})?" if "" in node and body else body  # longer first, then end here

    return emit(root)


class LiteralScan:
    """Which of many literal texts a text holds: one search per place where one of two
    characters or more starts (at a place the longest is found; the others there are
    its beginnings); single characters by a set of the text's characters."""

    def __init__(self, texts: Iterable[str]):
        texts = frozenset(t for t in texts if t)
        self._digit = DIGIT in texts
        texts -= {DIGIT}
        self._chars = frozenset(t for t in texts if len(t) == 1)
        longer = [t for t in texts if len(t) > 1]
        self._pattern = re.compile(_tree(longer)) if longer else None
        self._starts = {t: frozenset(t[:k] for k in range(1, len(t) + 1) if t[:k] in texts) for t in longer}
        self._memo_text: str | None = None
        self._memo: tuple = ()
        self.scans = 0  # pattern searches made (the tests count work with it)

    def present(self, text: str, pos: int = 0) -> set[str]:
        """The texts found at places from `pos` on. The places of the last text read are kept
        (:meth:`_places`): a negation screen asks from every match of a long note, and a scan from
        each to the note's end made a 40,000-character note quadratic (the review's leftover e)."""
        if self._memo_text is not text:
            self._memo_text, self._memo = text, self._places(text)
        starts, suffix, last_char, last_digit = self._memo
        out = {c for c, at in last_char.items() if at >= pos}
        if last_digit >= pos:
            out.add(DIGIT)
        i = bisect.bisect_left(starts, pos)
        return out | suffix[i] if i < len(starts) else out

    def _places(self, text: str) -> tuple[list[int], list[frozenset[str]], dict[str, int], int]:
        """Once per text: where each longer text starts (each place's longest and its beginnings),
        the union of those from each place to the end, and where each single character and the
        last digit are (-1: nowhere)."""
        starts, found = [], []
        if self._pattern is not None:
            pos, search = 0, self._pattern.search
            while (m := search(text, pos)) is not None:
                self.scans += 1
                starts.append(m.start())
                found.append(self._starts[m.group()])
                pos = m.start() + 1
        suffix: list[frozenset[str]] = [frozenset()] * len(starts)
        acc: frozenset[str] = frozenset()
        for i in range(len(starts) - 1, -1, -1):
            if not found[i] <= acc:
                acc = acc | found[i]
            suffix[i] = acc
        last_char = {c: text.rfind(c) for c in self._chars}
        last_digit = -1
        if self._digit:
            for m in _ANY_DIGIT.finditer(text):
                last_digit = m.start()
        return starts, suffix, last_char, last_digit

    def present_plain(self, text: str, pos: int = 0) -> set[str]:
        """The same answer, scanned from `pos` each time (the reference the tests compare with)."""
        out = set(self._chars.intersection(text[pos:] if pos else text))
        if self._digit and _ANY_DIGIT.search(text, pos) is not None:
            out.add(DIGIT)
        if self._pattern is None:
            return out
        search = self._pattern.search
        while (m := search(text, pos)) is not None:
            out |= self._starts[m.group()]
            pos = m.start() + 1
        return out


def _rarest(words: Iterable[str], counts: Mapping[str, int]) -> str:
    return min(words, key=lambda w: (counts[w], -len(w), w))


class Needs:
    """Per rule part, what a text must hold for a match (p: every word of some phrase;
    f: every stem of some word-form phrase, besides the first-word index; r: one of the
    literal texts its patterns need, besides the first-word index), filed under the
    rarest word so each text word costs one cached lookup."""

    def __init__(self, rules: Sequence[Rule], index: Mapping[str, Any],
                 parts_of: Callable[[str], tuple[tuple[int, str], ...]]):
        self._parts_of, self._forms = parts_of, index["forms"]
        counts = collections.Counter(w for r in rules for exact, _ in (r.phrase_needs or ()) for w in exact)
        self._p_always = frozenset(i for i, r in enumerate(rules) if r.phrases is not None and (
            r.phrase_needs is None or any(not exact and not prefix for exact, prefix in r.phrase_needs)))
        self._p_keyed: dict[str, list[tuple[int, frozenset[str], str | None]]] = {}
        self._p_prefixes: dict[str, list[tuple[str, int]]] = {}  # prefix-only phrases by their first 3 letters
        for i, rule in enumerate(rules):
            for exact, prefix in () if i in self._p_always or rule.phrases is None else rule.phrase_needs:
                if exact:
                    self._p_keyed.setdefault(_rarest(exact, counts), []).append((i, exact, prefix))
                else:
                    self._p_prefixes.setdefault(prefix[:3], []).append((prefix, i))
        stems = collections.Counter(w for r in rules for s in r.form_phrases for w in set(LETTERS.findall(s)))
        self._f_keyed: dict[tuple[str, str], list[tuple[int, frozenset[str]]]] = {}
        for i, rule in enumerate(rules):
            for s in rule.form_phrases:
                exact = frozenset(LETTERS.findall(s))
                self._f_keyed.setdefault((rule.language, _rarest(exact, stems)), []).append((i, exact))
        self._f_stems: dict[str, frozenset[str]] = {}  # per language, the stems either index files
        for lang, w in [*self._f_keyed, *self._forms]:
            self._f_stems[lang] = self._f_stems.get(lang, frozenset()) | {w}
        self._r_always = tuple(i for i, part in index["always"].items() if "r" in part)
        self._r_texts = {i: literals_needed(r.patterns.pattern) for i, r in enumerate(rules) if r.patterns is not None}
        self._r_scan = LiteralScan(t for texts in self._r_texts.values() for t in texts or ())
        self._words: dict[str, tuple] = {}
        self._stems: dict[tuple[str, str], tuple] = {}

    def parts(self, words: frozenset[str], readings: Mapping[str, FormReading], text: str,
              odd: set[str]) -> dict[int, str]:
        """Rule number -> the parts (p, r, f) worth searching in the text (`odd`: stems
        that are not one run of letters, see ``Stemmers.odd``)."""
        p_ok, r_on = set(self._p_always), set(self._r_always)
        for w in words:
            got = self._words.get(w, 0)
            if got == 0:
                got = self._word(w)
            if got is None:  # most words: no rule needs them
                continue
            direct, maybe, r = got
            p_ok.update(direct)
            r_on.update(r)
            for i, exact, prefix in maybe:
                if i not in p_ok and exact <= words and (prefix is None or any(x.startswith(prefix) for x in words)):
                    p_ok.add(i)
        found = dict.fromkeys(p_ok, "p")
        present = None
        for i in r_on:
            texts = self._r_texts[i]
            if texts is not None:
                present = self._r_scan.present(text) if present is None else present
                if texts.isdisjoint(present):
                    continue
            found[i] = found.get(i, "") + "r"
        for lang, reading in readings.items():
            for i in self._form_rules(lang, reading.words, odd):
                found[i] = found.get(i, "") + "f"
        return found

    def _form_rules(self, lang: str, stems: frozenset[str], odd: set[str]) -> set[int]:
        """Rules of this language whose word forms the first-word index finds and whose
        stems the reading holds (all it finds when a stem is odd: no narrowing then)."""
        cache = self._stems
        got = [cache[(lang, w)] if (lang, w) in cache else self._stem(lang, w)
               for w in stems & self._f_stems.get(lang, frozenset())]
        indexed = {i for first, _, _ in got for i in first}
        if not indexed or (odd and not odd.isdisjoint(stems)):
            return indexed
        ok = {i for _, direct, _ in got for i in direct}
        for _, _, maybe in got:
            for i, exact in maybe:
                if i in indexed and i not in ok and exact <= stems:
                    ok.add(i)
        return indexed & ok

    def _word(self, w: str) -> tuple | None:
        got = self._words.get(w, 0)
        if got == 0:
            keyed = self._p_keyed.get(w, ())
            direct = {i for i, exact, prefix in keyed if prefix is None and len(exact) == 1}
            direct |= {i for prefix, i in self._p_prefixes.get(w[:3], ()) if w.startswith(prefix)}
            for short in {w[:1], w[:2]} - {w[:3]}:  # prefixes shorter than 3 letters
                direct |= {i for prefix, i in self._p_prefixes.get(short, ()) if w.startswith(prefix)}
            maybe = tuple(e for e in keyed if e[0] not in direct)
            got = (tuple(direct), maybe, tuple(i for i, part in self._parts_of(w) if part == "r"))
            got = self._words[w] = got if any(got) else None
        return got

    def _stem(self, lang: str, w: str) -> tuple:
        got = self._stems.get((lang, w))
        if got is None:
            keyed = self._f_keyed.get((lang, w), ())
            direct = {i for i, exact in keyed if len(exact) == 1}
            got = self._stems[(lang, w)] = (tuple(self._forms.get((lang, w), ())), tuple(direct),
                                            tuple(e for e in keyed if e[0] not in direct))
        return got


class AfterCheck:
    """Whether some negation template's part after ``{m}`` holds right after a match: the
    answer of one regex of all those parts, trying only the parts whose literal texts
    follow the match (most matches are followed by none)."""

    def __init__(self, patterns: Iterable[re.Pattern]):
        self._always: list[re.Pattern] = []
        self._by_text: dict[str, list[re.Pattern]] = {}
        for pattern in patterns:
            texts = literals_needed(pattern.pattern)
            for text in texts or ():
                self._by_text.setdefault(text, []).append(pattern)
            if texts is None:
                self._always.append(pattern)
        self._scan = LiteralScan(self._by_text)

    def holds(self, text: str, end: int) -> bool:
        if any(p.match(text, end) is not None for p in self._always):
            return True
        return any(p.match(text, end) is not None for t in self._scan.present(text, end) for p in self._by_text[t])


class TemplateNeeds:
    """Per negation template, in order, the literal texts its part before ``{m}`` needs
    (in the reach before a match) and its part after (from the match's end on): a
    template whose texts are missing cannot hold, so its regex is not tried."""

    def __init__(self, templates: Sequence[Any]):
        def needs(pattern: re.Pattern | None) -> frozenset[str] | None:
            return None if pattern is None else literals_needed(pattern.pattern)
        self._needs = [(needs(n.before), needs(n.after)) for n in templates]
        self._before = LiteralScan(t for b, _ in self._needs for t in b or ())
        self._after = LiteralScan(t for _, a in self._needs for t in a or ())

    def possible(self, text: str, lo: int, start: int, end: int) -> list[bool]:
        before, after = self._before.present(text[lo:start]), self._after.present(text, end)
        return [(b is None or not b.isdisjoint(before)) and (a is None or not a.isdisjoint(after))
                for b, a in self._needs]
