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

import dataclasses
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import NamedTuple

from rapidfuzz.distance import OSA

from .. import schema
from .reason_examples import ExampleIndex
from .reason_index import AfterCheck, LazyPattern, Needs, TemplateNeeds
from .reason_verdict import (
    _CHECK_NOT_VERDICT,
    _NEGATED_WORD,
    _PENDING,
    _denials,
    _pending_around,
)
from .reason_words import (  # noqa: F401
    LANGUAGES,
    LETTERS,
    UNACCENTED,
    WORD_CHAR,
    WORDS,
    FormReading,
    Stemmers,
    any_near,
    closest_rule_word,
    language_groups,
    list_items,
    near_words,
    normalise,
    rule_index,
    typo_limit,
    words_of,
)

NEGATE, DOUBT = _NEGATE, _DOUBT = "negate", "doubt"
EFFECTS = (_NEGATE, _DOUBT)
# "unasked": a request said not to have been made ("did not ask to be taken off our list"); its
# templates reach every hard-no rule, also those whose phrases carry their own "not" (negation =
# false). The built-in ones doubt (a person decides), never negate: a loose one reaching past it
# into a real request must not make that request soft.
UNASKED = "unasked"
_APPLIES = (schema.HARD_NO, schema.SOFT_NO, "all", UNASKED)
_SCOPE = {schema.HARD_NO: (schema.HARD_NO, "all", UNASKED), schema.SOFT_NO: (schema.SOFT_NO, "all"), UNASKED: (UNASKED,)}
_RULE_KEYS = {"id", "category", "phrases", "patterns", "requires", "negation", "enabled", "weak", "language",
              "direction"}
# experience rules say which way the fit failed: "under" (not enough yet) or "over" (too senior)
DIRECTIONS = ("under", "over")
_FILE_KEYS = {"version", "rule", "negation", "fuzzy", "language"}
_WORD_CHAR = r"[^\s,;.!?()\-–—:+/&|]"
_NOT_A_JOIN = r"(?!(?:and|but|or|also|plus|then|so|because|though|although|however|yet|while|und|aber|oder|mais|pero|maar)\b)"
_WORD = _NOT_A_JOIN + _WORD_CHAR + "+"
_ONE_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?\*?")
_SEP = r"[\s,:\-–]*"
# a word right after the match ("{m} strong") qualifies it only inside its clause: in
# "weak on React, strong backend" the "strong" is about the backend, not React
_SEP_SAME_CLAUSE = r"[\s:\-–]*"
NEGATION_REACH = 120  # characters before a match a negation template may start
_LEFT = r"(?<![\w$€£#])"
_RIGHT = r"(?![\w$€£#+])"


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


# ---------------------------------------------------------------- rules

class Found(NamedTuple):
    """Where a rule matched: a span of the normalised text, and for a word-form
    match the rule phrase it is a form of ("falsified" is a form of "falsify").
    A named tuple: one is made per match of every text (a frozen dataclass costs 2.5x)."""
    start: int
    end: int
    text: str
    form_of: str = ""


@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    category: str
    # compiled when a text first reaches the rule (reason_index.LazyPattern)
    phrases: LazyPattern | None  # a prefix tree of the phrases as typed
    patterns: LazyPattern | None = None
    requires: LazyPattern | None = None
    negation: bool = True
    source: str = ""
    weak: bool = False  # a soft-no word that decides only when nothing more specific matched
    language: str = "en"
    forms: LazyPattern | None = None  # the phrases as stems, matched against the text's stems
    form_phrases: Mapping[str, str] = dataclasses.field(default_factory=dict)  # stemmed phrase -> phrase
    # Which words a text must hold for a phrase to match (first words; `*` prefixes):
    # most rules are skipped on a word-set lookup instead of a regex search.
    anchors: frozenset[str] | None = None  # None: always search (a phrase starts with "$$", ".net", …)
    prefixes: tuple[str, ...] = ()
    pattern_prefixes: tuple[str, ...] | None = None  # None: patterns always searched
    form_anchors: frozenset[str] = frozenset()
    direction: str = ""  # experience rules: "under" / "over" (a cool-off and talking point of its own)
    # per phrase, the words a text must hold for it to match (reason_words.phrase_need); None: unknown
    phrase_needs: tuple[tuple[frozenset[str], str | None], ...] | None = None

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
        """The `requires` word is there, and not negated itself ("not yet verified"). A word that
        names only the check ("we checked it", "nagetrokken") confirms nothing when the note says
        in so many words that the check found nothing ("checked with references, nothing
        substantiated"); a verdict word ("confirmed", "upheld") confirms whatever else is said."""
        if self.requires is None:
            return True
        said = [m for m in self.requires.finditer(text) if not _NEGATED_WORD.search(text, 0, m.start())]
        if not said:
            return False
        denials = [d.span() for d in _denials(text)]
        if not denials:
            return True
        # the verdict word inside the denial itself ("het klopte niet", "nothing substantiated") says no
        return any(not _CHECK_NOT_VERDICT.search(m.group(0)) and not any(a <= m.start() < b for a, b in denials)
                   for m in said)

    def denied(self, text: str) -> bool:
        """A `requires` verdict that is there but negated ("it was NOT confirmed", "nothing
        substantiated"), or the check's no in a word of its own ("it was baseless"): the check
        said no. "Not yet verified" is still pending, not denied. (Asked only when no verdict
        confirms: a confirmed complaint stays one whatever else the note says.)"""
        if self.requires is None:
            return False
        if any(not _pending_around(text, d.start(), d.end()) for d in _denials(text)):
            return True
        for m in self.requires.finditer(text):
            neg = _NEGATED_WORD.search(text, 0, m.start())
            if neg and not _PENDING.search(neg.group(0)) and not _CHECK_NOT_VERDICT.search(m.group(0)) \
                    and not _pending_around(text, neg.start(), m.end()):
                return True
        return False


@dataclasses.dataclass(frozen=True)
class Negation:
    applies_to: str  # hard_no | soft_no | all | unasked
    effect: str  # negate | doubt
    template: str
    before: LazyPattern | None
    after: LazyPattern | None
    # A block with `between` gives each template two: the negation whose "~" holds only those words
    # (narrowed), and its wide twin, a doubt with any word there: the negator may be another
    # verb's ("did not request feedback harassed"), so a person decides. The twin is tried last,
    # and is no doubt about a note as a whole (reasons._may_be_hard), only about the match.
    narrowed: bool = False
    wide: bool = False
    first: bool = False  # tried before every other template (a block's `first = true`: "leugnet nicht ~ {m}")

    def holds(self, text: str, start: int, end: int) -> bool:
        if self.before is not None and not self.before.search(text, max(0, start - NEGATION_REACH), start):
            return False
        return self.after is None or self.after.match(text, end) is not None


def gap_words(words: Sequence[str]) -> str:
    """The words a block's `~` may stand for (`between`; a trailing * is any ending) as one
    regex for one whole word ("a" is not the start of "asked")."""
    toks = sorted({normalise(w) for w in words}, key=lambda t: (-len(t), t))
    if not toks or not all(_ONE_WORD.fullmatch(t) for t in toks):
        raise ValueError("'between' must list single words (a trailing * matches any ending)")
    # a word of `_WORD` as well: where a `between` template holds, its wide twin does (the screens rely on it)
    return _NOT_A_JOIN + "(?:" + "|".join(_token_regex(t) for t in toks) + rf")(?!{_WORD_CHAR})"


def negation_template(template: str, gap: str = "") -> tuple[LazyPattern | None, LazyPattern | None]:
    """`no ~ {m} issue*` -> (regex ending where the match starts, regex starting where it ends).
    `~` is up to two words before the match, three after; never across , ; . ! ?
    `gap` (:func:`gap_words`): the only words a `~` may stand for; else any word."""
    if template.count("{m}") != 1:
        raise ValueError("needs exactly one {m}")
    word = gap or _WORD
    pre, _, post = template.partition("{m}")
    pre_toks, post_toks = normalise(pre).split(), normalise(post).split()
    before = after = None
    if pre_toks:
        # an elided article ends in its apostrophe, the word follows with no space: "pas d' {m}"
        parts = [rf"(?:{word}\s+){{0,2}}" if t == "~" else _token_regex(t) + (r"\s*" if t.endswith("'") else r"\s+")
                 for t in pre_toks]
        before = LazyPattern(_LEFT + "".join(parts) + r"$")
    if post_toks:
        parts = []
        for i, t in enumerate(post_toks):
            if t == "~":
                # words inside the clause only (a space before each: no backtracking blow-up);
                # a comma or dash may come only right before the qualifier ("…, not confirmed")
                parts.append(rf"(?:\s+{word}){{0,3}}?")
            else:
                sep = _SEP_SAME_CLAUSE if i == 0 else _SEP
                parts.append(sep + (r"\b" if t[0].isalnum() else "") + _token_regex(t))
        ends_word = post_toks[-1][-1].isalnum() or post_toks[-1].endswith("*")
        after = LazyPattern("".join(parts) + (_RIGHT if ends_word else ""))
    return before, after


def _after_screen(after: list[re.Pattern], narrow: bool) -> Callable[[str, int], bool]:
    """Whether some template's part after {m} holds at a place: one regex of them all, or
    (narrow) only those whose literal texts follow (the same answer, far fewer tries)."""
    if narrow:
        return AfterCheck(after).holds
    screen = re.compile("|".join(f"(?:{p.pattern})" for p in after))
    return lambda text, end: screen.match(text, end) is not None


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
    narrow: bool = True  # False: search every rule the first-word index finds (the reference the tests compare with)
    examples: ExampleIndex | None = None  # labelled notes for texts no rule reads (reason_examples)
    hard_words: frozenset[str] = frozenset()  # vocabulary words of hard-no phrases (see _typo_fix)
    everyday: frozenset[str] = frozenset()  # the [fuzzy] keep words: no slip, yet see reason_slips
    _by_letter: dict = dataclasses.field(default_factory=dict, repr=False)
    _typos: dict = dataclasses.field(default_factory=dict, repr=False)
    _fixed: dict = dataclasses.field(default_factory=dict, repr=False)  # typed word -> the word it is read as
    _slips: dict = dataclasses.field(default_factory=dict, repr=False)  # word -> the rule word it is one slip from (reason_slips)
    _negations: dict = dataclasses.field(default_factory=dict, repr=False)
    _groups: list = dataclasses.field(default_factory=list, repr=False)
    _index: dict = dataclasses.field(default_factory=dict, repr=False)
    _word_parts: dict = dataclasses.field(default_factory=dict, repr=False)  # word -> ((rule number, part), …)
    _form_languages: dict = dataclasses.field(default_factory=dict, repr=False)  # word -> languages it may be a form in

    def __post_init__(self) -> None:
        # A typo one slip from two rule words is read as the first listed: a fixed order, so
        # a text reads the same in every run (set order changes with the hash seed). Longer
        # words first: a dropped letter ("changd" = "changed", not "change") is the usual slip.
        for word in sorted(self.vocabulary, key=lambda w: (-len(w), w)):
            self._by_letter.setdefault(word[0], []).append(word)
        self._groups.extend(language_groups(self.rules))
        self._index.update(rule_index(self.rules))
        self._index["needs"] = Needs(self.rules, self._index, self._parts_of)
        for cls in (schema.HARD_NO, schema.SOFT_NO, UNASKED):
            own = [n for n in self.negations if n.applies_to in _SCOPE[cls]]
            own.sort(key=lambda n: (not n.first, EFFECTS.index(n.effect), n.wide))  # negate before doubt, a wide doubt last
            # one regex per side says whether any template could hold, so the usual
            # un-negated match costs two searches instead of one per template
            # (the screen drops the left boundary so re can scan by first character)
            # (a narrowed template holds only where its wide twin does: the twin stands for both)
            before = list(dict.fromkeys(n.before.pattern.removeprefix(_LEFT) for n in own
                                        if n.before is not None and not n.narrowed))  # once each ("no ~ {m}" in two files)
            after = [n.after for n in own if n.after is not None and not n.narrowed]
            self._negations[cls] = (
                own,
                re.compile("|".join(f"(?:{p})" for p in before)) if before else None,
                _after_screen(after, self.narrow) if after else None,
                any(n.before is None for n in own), any(n.after is None for n in own),
                near_words(n.template.partition("{m}")[0] for n in own if n.before is not None),
                near_words(n.template.partition("{m}")[2] for n in own if n.after is not None),
                TemplateNeeds(own) if self.narrow else None,
            )

    def __repr__(self) -> str:
        return (f"RuleSet({len(self.rules)} rules, {len(self.negations)} negation templates, "
                f"fuzzy={self.fuzzy}, from {', '.join(self.sources) or 'nothing'})")


    def candidates(self, words: frozenset[str], readings: Mapping[str, FormReading] | None,
                   text: str | None = None) -> list[tuple[Rule, str]]:
        """(rule, parts to search) for the rules that may match a text with these words,
        in rule order: p = phrases, r = patterns, f = word forms. A part is left out
        when the text holds none of the words it can start with: most rules cost a
        dictionary lookup instead of a regex search. Given the text, a part is also left
        out when the text lacks another word or literal every match of it needs
        (:class:`.reason_index.Needs`; not with ``narrow=False``)."""
        if self.narrow and text is not None:
            found = self._index["needs"].parts(frozenset(words), readings or {}, text, self.stemmers.odd)
            return [(self.rules[i], found[i]) for i in sorted(found)]
        found = dict(self._index["always"])
        for w in words:
            for i, part in self._parts_of(w):
                found[i] = found.get(i, "") + part
        forms = self._index["forms"]
        for lang, reading in (readings or {}).items():
            for w in reading.words:
                for i in forms.get((lang, w), ()):
                    found[i] = found.get(i, "") + "f"
        return [(self.rules[i], found[i]) for i in sorted(found)]

    def _parts_of(self, w: str) -> tuple[tuple[int, str], ...]:
        """The (rule number, part) the first-word index files under a word or its beginnings (once per word)."""
        got = self._word_parts.get(w)
        if got is None:
            index, short = self._index, self._index["short"]
            heads = [(i, part) for prefix, i, part in index["heads"].get(w[:3], ()) if w.startswith(prefix)]
            shorts = [(i, part) for prefix, i, part in [*short.get(w[:1], ()), *short.get(w[:2], ())]
                      if w.startswith(prefix)]
            got = self._word_parts[w] = (*index["words"].get(w, ()), *heads, *shorts)
        return got

    def negation_at(self, cls: str, text: str, start: int, end: int) -> Negation | None:
        """The first template that says the match text[start:end] is negated or doubted."""
        own, before, after, some_after_only, some_before_only, near_before, near_after, needs = self._negations[cls]
        # a template reaches at most a few words back: look only there (the screen is
        # anchored at the match, so a search from the text's start would try every position);
        # and only when one of its words is that near (most matches have none)
        lo = max(0, start - NEGATION_REACH)
        has_before = (before is not None and any_near(near_before, WORDS.findall(text, lo, start)[-4:])
                      and before.search(text, lo, start) is not None)
        has_after = (after is not None and any_near(near_after, WORDS.findall(text, end, end + NEGATION_REACH)[:5])
                     and after(text, end))
        if not (has_before and (has_after or some_before_only)) and not (has_after and some_after_only):
            return None
        possible = needs.possible(text, lo, start, end) if needs is not None else [True] * len(own)
        for neg, maybe in zip(own, possible):  # only templates whose sides the screens left possible
            if maybe and (neg.before is None or has_before) and (neg.after is None or has_after) \
                    and neg.holds(text, start, end):
                return neg
        return None

    def list_ruled_out(self, text: str, start: int, end: int) -> bool:
        """The soft-no phrase text[start:end] is an item of a list that a praise or ruling-out
        governs, said before the list ("happy with the project, the team and the location", "pas
        de souci sur le poste ni la localisation") or after it ("team, stack and commute all
        fine"): it goes with the list (:func:`.reason_words.list_items`)."""
        before, after = list_items(text, start, end)
        return (any(self._ruled_out_at(text, s, e, before=True) for s, e in before)
                or any(self._ruled_out_at(text, s, e, before=False) for s, e in after))

    def _ruled_out_at(self, text: str, start: int, end: int, before: bool) -> bool:
        """A soft-no template with words on this side only ("happy with ~ {m}"; "{m} ~ all fine")
        holds at this word (the screened first template, else each one: rare, this word had one)."""
        def sided(n: Negation) -> bool:
            return n.effect == _NEGATE and (n.before is not None, n.after is not None) == (before, not before)
        neg = self.negation_at(schema.SOFT_NO, text, start, end)
        return neg is not None and (sided(neg) or any(n.applies_to in (schema.SOFT_NO, "all") and sided(n)
                                                      and n.holds(text, start, end) for n in self.negations))

    def form_readings(self, norm: str, accented: frozenset[str] = frozenset()) -> dict[str, FormReading]:
        """The text's stems in each language where some word's stem is a rule word's stem.
        A word typed with accents is no word form of a language written without them
        (``UNACCENTED``): French "retiré" (withdrew) is not a form of English "retired"."""
        langs: set[str] = set()
        typed = LETTERS.findall(norm)
        for w in typed:
            got = self._form_languages.get(w)
            if got is None:
                got = self._form_languages[w] = frozenset(
                    g.language for g in self._groups if self.stemmers.stem(g.language, w) in g.stem_words)
            langs |= got
        return {g.language: self.stemmers.reading(g.language, norm, accented if g.language in UNACCENTED else (), typed)
                for g in self._groups if g.language in langs}

    def typo_reading(self, norm: str, names: frozenset[str] = frozenset()) -> str:
        """The text with unknown words read as the closest rule word; `names` (words typed
        Capitalised inside a sentence, ``named_words``) are read as typed."""
        if not self.fuzzy or not self.vocabulary:
            return norm
        if all(w in names or self._read_as(w) == w for w in LETTERS.findall(norm)):
            return norm  # most texts: no word is read as another
        return LETTERS.sub(lambda m: m.group(0) if m.group(0) in names else self._read_as(m.group(0)), norm)

    def _read_as(self, word: str) -> str:
        """The word a typed word is read as (itself, or the closest rule word); once per word."""
        got = self._fixed.get(word)
        if got is None:
            got = self._fixed[word] = self._typo_fix(word)
        return got

    def _typo_fix(self, word: str) -> str:
        if len(word) < self.min_length or word in self.vocabulary or word in self.keep:
            return word
        if word.rstrip("s") in self.vocabulary or word.startswith(self.stems):  # a plural or a stem's word
            return word
        if word not in self._typos:
            limit = typo_limit(word)
            found = closest_rule_word(word, self._by_letter.get(word[0], ()), limit, self.hard_words)
            self._typos[word] = found or self._stem_typo(word)
        return self._typos[word] or word

    def _stem_typo(self, word: str) -> str | None:
        """A slip inside the start of a `*` phrase's word: "msirepresented" -> "misrepresented"."""
        for stem in self.stems:
            if stem[0] != word[0] or len(stem) < 4:
                continue
            for cut in (len(stem) - 1, len(stem), len(stem) + 1):
                if OSA.distance(word[:cut], stem) <= 1 and word[:cut] != stem:
                    return stem + word[cut:]
        return None


