"""Pure: rule documents (already parsed TOML) -> compiled rules a reason text is read with.

The rule files themselves are read by :mod:`sheetcrm.rules`; this module only
compiles what they say. A rule's phrases are found two ways:

* as typed (after :func:`normalise`): whole words, a trailing ``*`` matches any
  ending, a plural s/es is always allowed;
* as word forms: the text and the phrase are both reduced to word stems by the
  Snowball stemmer of the rule's language ("falsified" ~ "falsify",
  "complained" ~ "complaint", "relocating" ~ "relocation", "gefälschte" ~
  "gefälscht"). Each word is stemmed once per language (cached), so a million
  rows with a few thousand distinct texts stay cheap.
"""
from __future__ import annotations

import bisect
import dataclasses
import functools
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import snowballstemmer
from re import _constants as _sre  # the parsed form of a regex, to find the words it starts with
from re import _parser as _sre_parser
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .. import schema
from ..errors import ConfigError

_NEGATE, _DOUBT = "negate", "doubt"
EFFECTS = (_NEGATE, _DOUBT)
_APPLIES = (schema.HARD_NO, schema.SOFT_NO, "all")
_RULE_KEYS = {"id", "category", "phrases", "patterns", "requires", "negation", "enabled", "weak", "language"}
_FILE_KEYS = {"version", "rule", "negation", "fuzzy", "language"}
# ISO code -> Snowball stemmer; "none" switches word forms off for a rule.
LANGUAGES = {
    "en": "english", "de": "german", "fr": "french", "es": "spanish", "nl": "dutch", "it": "italian",
    "pt": "portuguese", "sv": "swedish", "da": "danish", "no": "norwegian", "fi": "finnish", "pl": "polish",
    "ro": "romanian", "hu": "hungarian", "cs": "czech", "el": "greek", "tr": "turkish", "ru": "russian",
    "ca": "catalan", "et": "estonian", "lt": "lithuanian", "ga": "irish", "none": "",
}
# A word a negation may reach across: not punctuation, and not a conjunction, which
# starts a new clause ("comp too low, no fit and lied on CV": the lie is not negated).
_WORD = (r"(?!(?:and|but|or|also|plus|then|so|because|though|although|however|yet|while|und|aber|oder|mais|pero|maar)\b)"
         r"[^\s,;.!?()\-–—:+/&|]+")
_SEP = r"[\s,:\-–]*"
NEGATION_REACH = 120  # characters before a match a negation template may start
_LEFT = r"(?<![\w$€£#])"
_RIGHT = r"(?![\w$€£#+])"
LETTERS = re.compile(r"[^\W\d_]+")
WORDS = re.compile(r"[^\W_]+")
WORD_CHAR = re.compile(r"[\w$€£#]")
# "confirmed" does not confirm when it is itself negated: "complaint not yet verified"
_NEGATED_WORD = re.compile(r"(?:\b(?:not|never|no|nicht|noch|kein\w*|pas|non|niet|nog|geen|sin|yet|jamais|nunca)\s+)"
                           r"(?:\w+\s+)?$")

_CONTRACTIONS = [
    (re.compile(r"\b(can'?t|can not)\b"), "cannot"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(do|does|did|is|was|were|are|has|have|had|could|would|should|must|need)n'?t\b"), r"\1 not"),
    (re.compile(r"\bw/o\b"), "without"),
    (re.compile(r"\bw/(?=\s|\w)"), "with "),
]


def _fold(s: str) -> str:
    """Accents off ("é" = "e", "ü" = "u"): recruiters type names of places and
    words both ways, and a rule written with accents must match a note without."""
    if s.isascii():
        return s
    return "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))


def normalise(text: Any) -> str:
    """The form rules are matched against: lowercase, accents off, contractions spelled
    out, hyphens/underscores/slashes between words as spaces, line breaks as "; "."""
    s = _fold(unicodedata.normalize("NFKC", str(text)).lower())
    s = s.replace("’", "'").replace("‘", "'").replace("`", "'").replace("&", " and ")
    for pattern, repl in _CONTRACTIONS:
        s = pattern.sub(repl, s)
    s = re.sub(r"(?<=\w)[-_/](?=\w)", " ", s)
    s = re.sub(r"\s*[\r\n\u2028\u2029]+\s*", "; ", s.strip())  # a new line in a cell starts a new clause
    return " ".join(s.split())


def _token_regex(tok: str) -> str:
    if tok.endswith("*") and len(tok) > 1:
        return re.escape(tok[:-1]) + r"\w*"
    return re.escape(tok)


def _phrase_tokens(norm: str, plural: bool = True) -> list[str]:
    """A normalised phrase as regex pieces, one per character: a space is any run of
    spaces, and the last piece carries the ending (`*`: any; plural s/es for 4+ letters)."""
    if not norm:
        raise ValueError("empty phrase")
    wildcard = norm.endswith("*") and len(norm) > 1
    core = norm[:-1] if wildcard else norm
    pieces = [r"\s+" if ch == " " else re.escape(ch) for ch in core]
    last = core.split()[-1] if core.split() else core
    if wildcard:
        ending = r"\w*"
    elif plural and last[-1:].isalnum() and len(last) >= 4:  # not after "sal", "hm"
        ending = "(?:e?s)?"
    else:
        ending = ""
    return pieces + [ending]


def _trie_regex(phrases: Sequence[list[str]]) -> str:
    """Phrases merged into one prefix tree: Python's re tries alternatives one by
    one, so sharing prefixes makes a 150-phrase rule cost little more than one."""
    root: dict = {}
    for pieces in phrases:
        node = root
        for piece in pieces[:-1]:
            node = node.setdefault(piece, {})
        node.setdefault("", set()).add(pieces[-1])

    def emit(node: dict) -> str:
        alts = [piece + emit(child) for piece, child in node.items() if piece != ""]
        # longest endings first; the empty ending last, so the longest phrase is tried first
        alts += sorted(node.get("", ()), key=len, reverse=True)
        if len(alts) == 1:
            return alts[0]
        return "(?:" + "|".join(alts) + ")"

    return emit(root)


def phrase_regex(phrase: str) -> str:
    """One phrase as a regex: whole words, any run of spaces, `*` = any ending."""
    return _LEFT + "".join(_phrase_tokens(normalise(phrase))) + _RIGHT


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


def pattern_prefixes(patterns: Sequence[str]) -> tuple[str, ...] | None:
    """What the words a match can start with begin with, read from each regex's start
    (`\\b(?:moved|relocated) …` -> moved, relocated); None when a pattern does not
    start with \\b and literal letters (then it is always searched)."""
    out: set[str] = set()
    for pattern in patterns:
        items = list(_sre_parser.parse(pattern))
        if not items or items[0] != (_sre.AT, _sre.AT_BOUNDARY):
            return None
        got = _first_words(items[1:])
        if not got:
            return None
        out |= got
    return tuple(sorted(out))


def _first_words(items: list) -> set[str] | None:
    if not items:
        return None
    op, av = items[0]
    if op is _sre.LITERAL:
        word = ""
        for op2, av2 in items:
            if op2 is not _sre.LITERAL or not chr(av2).isalnum():
                break
            word += chr(av2)
        return {word} if word else None
    if op is _sre.SUBPATTERN:
        return _first_words(list(av[-1]) + items[1:])
    if op is _sre.IN and all(kind is _sre.CATEGORY and what is _sre.CATEGORY_DIGIT or kind is _sre.RANGE
                             and 48 <= what[0] <= what[1] <= 57 for kind, what in av):
        return set("0123456789")  # "\\d…", "[1-4]": a word starting with a digit
    if op in (_sre.MAX_REPEAT, _sre.MIN_REPEAT):
        low, _high, body = av
        got = _first_words(list(body) + items[1:])
        if low == 0 and got is not None:  # optional: the match may also start after it
            rest = _first_words(items[1:])
            got = None if rest is None else got | rest
        return got
    if op is _sre.BRANCH:
        out: set[str] = set()
        for alternative in av[1]:
            got = _first_words(list(alternative) + items[1:])
            if not got:
                return None
            out |= got
        return out
    return None


def _search_words(pattern: re.Pattern, text: str) -> Iterator[re.Match]:
    """Matches of a phrase tree that start at a word boundary (checked here: a
    lookbehind in front of the tree would force a try at every position)."""
    pos, search = 0, pattern.search
    while (m := search(text, pos)) is not None:
        start = m.start()
        if start and WORD_CHAR.match(text, start - 1):
            pos = start + 1  # inside a word: look again from the next character
            continue
        yield m
        pos = max(m.end(), start + 1)


# ---------------------------------------------------------------- word forms

class FormReading:
    """A text with every word replaced by its stem in one language, and where each
    word came from. The stems are known at once (a cached lookup per word); the
    stemmed text is built only when a rule with a form of one of them asks."""

    def __init__(self, norm: str, stems: Mapping[str, str]):
        self.norm, self._stems = norm, stems
        self.words = frozenset(stems[w] for w in LETTERS.findall(norm))

    @functools.cached_property
    def text(self) -> str:
        stems = self._stems
        return LETTERS.sub(lambda m: stems[m.group(0)], self.norm)

    @functools.cached_property
    def _built(self) -> tuple[str, list[int], list[tuple[int, int, int, int]]]:
        parts, starts, spans, pos, out_len = [], [], [], 0, 0
        for m in LETTERS.finditer(self.norm):
            gap, stem = self.norm[pos:m.start()], self._stems[m.group(0)]
            parts += [gap, stem]
            out_len += len(gap)
            starts.append(out_len)
            spans.append((out_len, out_len + len(stem), m.start(), m.end()))
            out_len += len(stem)
            pos = m.end()
        parts.append(self.norm[pos:])
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

    def stem(self, language: str, word: str) -> str:
        cache = self._cache.get(language)
        if cache is None:
            cache = self._cache[language] = {}
        got = cache.get(word)
        if got is None:
            if language not in self._stemmers:
                self._stemmers[language] = snowballstemmer.stemmer(LANGUAGES[language])
            got = cache[word] = self._stemmers[language].stemWord(word) if len(word) > 2 else word
        return got

    def reading(self, language: str, norm: str) -> FormReading:
        for w in LETTERS.findall(norm):
            self.stem(language, w)  # fills the cache the reading looks words up in
        return FormReading(norm, self._cache[language])

    def phrase(self, language: str, norm: str) -> str:
        return LETTERS.sub(lambda m: self.stem(language, m.group(0)), norm)


# ---------------------------------------------------------------- rules

@dataclasses.dataclass(frozen=True)
class Found:
    """Where a rule matched: a span of the normalised text, and for a word-form
    match the rule phrase it is a form of ("falsified" is a form of "falsify")."""
    start: int
    end: int
    text: str
    form_of: str = ""


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    category: str
    phrases: re.Pattern | None  # a prefix tree of the phrases as typed
    patterns: re.Pattern | None = None
    requires: re.Pattern | None = None
    negation: bool = True
    source: str = ""
    weak: bool = False  # a soft-no word that decides only when nothing more specific matched
    language: str = "en"
    forms: re.Pattern | None = None  # the phrases as stems, matched against the text's stems
    form_phrases: Mapping[str, str] = dataclasses.field(default_factory=dict)  # stemmed phrase -> phrase
    # Which words a text must hold for a phrase to match (first words; `*` prefixes):
    # most rules are skipped on a word-set lookup instead of a regex search.
    anchors: frozenset[str] | None = None  # None: always search (a phrase starts with "$$", ".net", …)
    prefixes: tuple[str, ...] = ()
    pattern_prefixes: tuple[str, ...] | None = None  # None: patterns always searched
    form_anchors: frozenset[str] = frozenset()

    @property
    def cls(self) -> str:
        return schema.CATEGORY_CLASS[self.category]

    def matches(self, text: str) -> Iterable[re.Match]:
        """Matches in the text as typed (normalised)."""
        if self.phrases is not None:
            yield from _search_words(self.phrases, text)
        if self.patterns is not None:
            yield from self.patterns.finditer(text)

    def found(self, text: str, reading: FormReading | None, parts: str = "prf") -> list[Found]:
        """Matches as typed (p: phrases, patterns), then (f) word-form matches at places not
        already found. ``parts`` leaves out what :meth:`RuleSet.candidates` ruled out."""
        out = []
        if "p" in parts and self.phrases is not None:
            out += [Found(m.start(), m.end(), m.group(0)) for m in _search_words(self.phrases, text)]
        if "r" in parts and self.patterns is not None:
            out += [Found(m.start(), m.end(), m.group(0)) for m in self.patterns.finditer(text)]
        if self.forms is None or reading is None or "f" not in parts:
            return out
        seen = {(f.start, f.end) for f in out}
        for m in _search_words(self.forms, reading.text):
            start, end = reading.original(m.start(), m.end())
            if (start, end) in seen or any(f.start <= start and end <= f.end for f in out):
                continue
            phrase = self.form_phrases.get(" ".join(m.group(0).split()), m.group(0))
            out.append(Found(start, end, text[start:end], phrase))
        return out

    def confirmed(self, text: str) -> bool:
        """The `requires` word is there, and not negated itself ("not yet verified")."""
        if self.requires is None:
            return True
        return any(not _NEGATED_WORD.search(text, 0, m.start()) for m in self.requires.finditer(text))


@dataclasses.dataclass(frozen=True)
class Negation:
    applies_to: str  # hard_no | soft_no | all
    effect: str  # negate | doubt
    template: str
    before: re.Pattern | None
    after: re.Pattern | None

    def holds(self, text: str, start: int, end: int) -> bool:
        if self.before is not None and not self.before.search(text, max(0, start - NEGATION_REACH), start):
            return False
        return self.after is None or self.after.match(text, end) is not None


def negation_template(template: str) -> tuple[re.Pattern | None, re.Pattern | None]:
    """`no ~ {m} issue*` -> (regex ending where the match starts, regex starting where it ends).
    `~` is up to two words before the match, three after; never across , ; . ! ?"""
    if template.count("{m}") != 1:
        raise ValueError("needs exactly one {m}")
    pre, _, post = template.partition("{m}")
    pre_toks, post_toks = normalise(pre).split(), normalise(post).split()
    before = after = None
    if pre_toks:
        parts = [rf"(?:{_WORD}\s+){{0,2}}" if t == "~" else _token_regex(t) + r"\s+" for t in pre_toks]
        before = re.compile(_LEFT + "".join(parts) + r"$")
    if post_toks:
        parts = []
        for t in post_toks:
            if t == "~":
                # words inside the clause only (a space before each: no backtracking blow-up);
                # a comma or dash may come only right before the qualifier ("…, not confirmed")
                parts.append(rf"(?:\s+{_WORD}){{0,3}}?")
            else:
                parts.append(_SEP + (r"\b" if t[0].isalnum() else "") + _token_regex(t))
        ends_word = post_toks[-1][-1].isalnum() or post_toks[-1].endswith("*")
        after = re.compile("".join(parts) + (_RIGHT if ends_word else ""))
    return before, after


@dataclasses.dataclass(frozen=True, eq=False)
class RuleSet:
    """Compiled rules. Holds caches of typo readings and word stems (pure: same answers, faster)."""
    rules: tuple[Rule, ...] = ()
    negations: tuple[Negation, ...] = ()
    fuzzy: bool = True
    min_length: int = 5
    vocabulary: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()  # words never read as a typo
    sources: tuple[str, ...] = ()
    stems: tuple[str, ...] = ()  # "relocat*": every word starting so is already a rule word
    stemmers: Stemmers = dataclasses.field(default_factory=Stemmers, repr=False)
    _by_letter: dict = dataclasses.field(default_factory=dict, repr=False)
    _typos: dict = dataclasses.field(default_factory=dict, repr=False)
    _negations: dict = dataclasses.field(default_factory=dict, repr=False)
    _groups: list = dataclasses.field(default_factory=list, repr=False)
    _index: dict = dataclasses.field(default_factory=dict, repr=False)
    _form_languages: dict = dataclasses.field(default_factory=dict, repr=False)  # word -> languages it may be a form in

    def __post_init__(self) -> None:
        for word in self.vocabulary:
            self._by_letter.setdefault(word[0], []).append(word)
        self._groups.extend(_language_groups(self.rules))
        self._index.update(_rule_index(self.rules))
        for cls in (schema.HARD_NO, schema.SOFT_NO):
            own = [n for n in self.negations if n.applies_to in (cls, "all")]
            own.sort(key=lambda n: EFFECTS.index(n.effect))  # negate before doubt
            # one regex per side says whether any template could hold, so the usual
            # un-negated match costs two searches instead of one per template
            # (the screen drops the left boundary so re can scan by first character)
            before = [n.before.pattern.removeprefix(_LEFT) for n in own if n.before is not None]
            after = [n.after.pattern for n in own if n.after is not None]
            self._negations[cls] = (
                own,
                re.compile("|".join(f"(?:{p})" for p in before)) if before else None,
                re.compile("|".join(f"(?:{p})" for p in after)) if after else None,
                any(n.before is None for n in own), any(n.after is None for n in own),
                _near_words(n.template.partition("{m}")[0] for n in own if n.before is not None),
                _near_words(n.template.partition("{m}")[2] for n in own if n.after is not None),
            )

    def __repr__(self) -> str:
        return (f"RuleSet({len(self.rules)} rules, {len(self.negations)} negation templates, "
                f"fuzzy={self.fuzzy}, from {', '.join(self.sources) or 'nothing'})")


    def candidates(self, words: Iterable[str], readings: Mapping[str, FormReading] | None) -> list[tuple[Rule, str]]:
        """(rule, parts to search) for the rules that may match a text with these words,
        in rule order: p = phrases, r = patterns, f = word forms. A part is left out
        when the text holds none of the words it can start with: most rules cost a
        dictionary lookup instead of a regex search."""
        index = self._index
        found: dict[int, str] = dict(index["always"])
        by_word, by_head, short = index["words"], index["heads"], index["short"]
        for w in words:
            for i, part in by_word.get(w, ()):
                found[i] = found.get(i, "") + part
            for prefix, i, part in by_head.get(w[:3], ()):
                if w.startswith(prefix):
                    found[i] = found.get(i, "") + part
            for prefix, i, part in [*short.get(w[:1], ()), *short.get(w[:2], ())]:
                if w.startswith(prefix):
                    found[i] = found.get(i, "") + part
        for lang, reading in (readings or {}).items():
            for w in reading.words:
                for i in index["forms"].get((lang, w), ()):
                    found[i] = found.get(i, "") + "f"
        return [(self.rules[i], found[i]) for i in sorted(found)]

    def negations_for(self, cls: str) -> list[Negation]:
        return self._negations[cls][0]

    def negation_at(self, cls: str, text: str, start: int, end: int) -> Negation | None:
        """The first template that says the match text[start:end] is negated or doubted."""
        own, before, after, some_after_only, some_before_only, near_before, near_after = self._negations[cls]
        # a template reaches at most a few words back: look only there (the screen is
        # anchored at the match, so a search from the text's start would try every position);
        # and only when one of its words is that near (most matches have none)
        lo = max(0, start - NEGATION_REACH)
        has_before = (before is not None and _any_near(near_before, WORDS.findall(text, lo, start)[-4:])
                      and before.search(text, lo, start) is not None)
        has_after = (after is not None and _any_near(near_after, WORDS.findall(text, end, end + NEGATION_REACH)[:5])
                     and after.match(text, end) is not None)
        if not (has_before and (has_after or some_before_only)) and not (has_after and some_after_only):
            return None
        for neg in own:  # only templates whose sides the screens left possible
            if (neg.before is None or has_before) and (neg.after is None or has_after) and neg.holds(text, start, end):
                return neg
        return None

    def form_readings(self, norm: str) -> dict[str, FormReading]:
        """The text's stems in each language where some word's stem is a rule word's stem."""
        langs: set[str] = set()
        for w in LETTERS.findall(norm):
            got = self._form_languages.get(w)
            if got is None:
                got = self._form_languages[w] = frozenset(
                    g.language for g in self._groups if self.stemmers.stem(g.language, w) in g.stem_words)
            langs |= got
        return {g.language: self.stemmers.reading(g.language, norm) for g in self._groups if g.language in langs}

    def typo_reading(self, norm: str) -> str:
        """The text with unknown words read as the closest rule word."""
        if not self.fuzzy or not self.vocabulary:
            return norm
        return LETTERS.sub(self._typo_fix, norm)

    def _typo_fix(self, m: re.Match) -> str:
        word = m.group(0)
        if len(word) < self.min_length or word in self.vocabulary or word in self.keep:
            return word
        if word.rstrip("s") in self.vocabulary or word.startswith(self.stems):  # a plural or a stem's word
            return word
        if word not in self._typos:
            limit = 1 if len(word) <= 9 else 2
            found = process.extractOne(word, self._by_letter.get(word[0], ()), scorer=OSA.distance,
                                       score_cutoff=limit)
            self._typos[word] = found[0] if found else None
        return self._typos[word] or word


def _rule_index(rules: Sequence[Rule]) -> dict:
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


def _language_groups(rules: Sequence[Rule]) -> list[_Group]:
    by_lang: dict[str, set[str]] = {}
    for rule in rules:
        if rule.forms is not None:
            by_lang.setdefault(rule.language, set()).update(rule.form_anchors)
    return [_Group(lang, frozenset(words)) for lang, words in by_lang.items()]


def _near_words(parts: Iterable[str]) -> tuple[frozenset[str], tuple[str, ...]] | None:
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


def _any_near(near: tuple[frozenset[str], tuple[str, ...]] | None, words: list[str]) -> bool:
    if near is None:
        return True
    exact, prefixes = near
    return any(w in exact or (prefixes and w.startswith(prefixes)) for w in words)
