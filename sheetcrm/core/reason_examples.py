"""Pure: a note no rule reads, read like the labelled notes it most resembles.

Phrase rules miss the wording of each new writer ("Bittet um Löschung aus unserem
Pool", "a préféré signer un CDI ailleurs"), and those notes go to a person. Many of
them resemble a note someone has already labelled. This reader compares the note
with labelled examples (``sheetcrm/defaults/reasons_examples.csv``, read by
:mod:`sheetcrm.rules` and handed in as parsed rows) and answers only when the
resemblance is clear:

* words are compared as their stems in every rule language plus their first five
  letters (the language of a note is not known, and a stem in the wrong language is
  rarely shared by accident), each weighted by how rare it is among the examples
  (IDF); a word no example has weighs the most, so a note about something new
  ("angetrunken") resembles nothing much;
* the five nearest examples by cosine similarity vote with their similarity; the
  note takes the winner's category only if the nearest is at least
  ``MIN_SIMILARITY`` alike, the winner has ``MIN_SHARE`` of the vote, and the five hold
  enough of the note (``MIN_COVERED``: a hard-no is not read from one everyday word);
* safety: a soft-no is given only when five examples are near and all five are
  soft-no (none hard-no, none that a person had to decide). The caller asks only for notes in which
  the rules found no phrase at all (no hard-no phrase, negated or not);
* a note that is, once normalised, the very text of labelled examples takes the category
  people gave it (if they all gave the same one; a hard-no only with the caller's leave): the vote is for notes like the labelled ones, and a person read this one. Without it a
  labelled note could stay unread beside near notes of another class, and an agency that labels
  a note no rule reads would see it unread still.

The figures behind the constants come from an experiment on the blind sets as they
landed, with the rules of that day (README, "Notes no rule reads").
"""
from __future__ import annotations

import collections
import dataclasses
import itertools
import math
from collections.abc import Callable, Iterable, Sequence

import numpy as np
import snowballstemmer

from .. import schema
from .reason_words import LANGUAGES, LETTERS, Stemmers, normalise

NEAREST = 5
MIN_SIMILARITY = 0.2
MIN_SHARE = 0.6
# the share of a note (its words weighted by rarity) its five nearest examples must hold, per class
# the note would take: a hard-no claims more ("le marché de l'emploi est tendu" shares only
# "marché" with notes about leaving the job market for good); a soft-no needs some too, as what
# the examples do not know may be the hard-no ("Solicita no recibir más llamadas ni correos"
# shares only "llamadas", "correos" with five ghosted notes: 22 % of it)
MIN_COVERED = {schema.HARD_NO: 0.4, schema.SOFT_NO: 0.3}
# A note of fewer words (3+ letters) is no note to compare: one or two words resemble whatever
# shares them ("reached", a Touchpoints outcome typed as text, read do_not_contact from five notes
# about never being reached out to again). Short notes are the rules' alone, else a person's.
MIN_WORDS = 3
PREFIX = 5  # letters of a word compared as typed, whatever its language
SHOWN_WORDS = 4


@dataclasses.dataclass(frozen=True)
class Example:
    number: int  # 1-based row of the examples file: what `rule` names
    text: str
    category: str

    @property
    def cls(self) -> str:
        return schema.CATEGORY_CLASS.get(self.category, schema.UNCLASSIFIED)


@dataclasses.dataclass(frozen=True)
class Reading:
    category: str
    cls: str
    rule: str


class ExampleIndex:
    """Labelled examples, indexed the first time a note needs them (most syncs never do).
    Sums run over sorted features: the same floats, so the same neighbours, in every run
    (a set of strings iterates in an order that changes with the hash seed)."""

    def __init__(self, examples: Iterable[tuple[str, str]], stemmers: Stemmers, languages: Sequence[str]):
        self.examples = [Example(i, text, category) for i, (text, category) in enumerate(examples, start=1)]
        self._stemmers = stemmers
        self._languages = tuple(languages)
        self._built = False
        self._word: dict[str, frozenset[str]] = {}  # word -> its features (many words recur)
        self._weight: dict[str, float] = {}  # feature -> IDF squared
        self._number: dict[str, int] = {}  # feature -> its number (features in sorted order)
        self._starts: list[int] = []  # feature number -> where its examples start in _posted
        self._posted: list[int] = []
        self._norms: list[float] = []
        self._unknown = 0.0
        self._same: dict[str, list[int]] = {}  # normalised text -> the examples (indexes) of that text

    def features(self, norm: str) -> dict[str, frozenset[str]]:
        """Per word of the normalised text (3+ letters): its stems in every language and its prefix."""
        out: dict[str, frozenset[str]] = {}
        for w in LETTERS.findall(norm):
            if len(w) > 2 and w not in out:
                got = self._word.get(w)
                if got is None:
                    got = self._word[w] = frozenset({self._stemmers.stem(lang, w) for lang in self._languages}
                                                    | {"^" + w[:PREFIX]})
                out[w] = got
        return out

    def _text_features(self, norm: str) -> list[str]:
        return sorted(frozenset().union(*self.features(norm).values())) if norm else []

    def _build(self) -> None:
        """IDF weights, postings and norms of the examples: the first note no rule reads pays
        for it, inside a sync (issue 20), so the work per (example, feature) pair runs in numpy.
        Feature numbers follow the features' sorted order and pairs are kept sorted by
        (example, feature): each norm adds the same weights in the same order as a sum over
        the example's sorted features, so the floats, and the neighbours, are the same."""
        texts = [normalise(e.text) for e in self.examples]
        for i, norm in enumerate(texts):
            self._same.setdefault(norm, []).append(i)
        words_of_text = [LETTERS.findall(norm) for norm in texts]
        typed = set().union(*words_of_text)
        words = sorted(w for w in typed if len(w) > 2)
        columns = [["^" + w[:PREFIX] for w in words], *(_stems(lang, words) for lang in self._languages)]
        names = sorted(set().union(*columns))
        number = {f: i for i, f in enumerate(names)}
        pairs = _pairs(words_of_text, typed, words, [[number[f] for f in column] for column in columns], len(names))
        example, feature = pairs // len(names), pairs % len(names)
        df = np.bincount(feature, minlength=len(names))
        n = len(self.examples)
        idf = {c: math.log((n + 1) / (c + 0.5)) ** 2 for c in set(df.tolist())}  # by count: the same floats
        weight = np.array([idf.get(c, 0.0) for c in range(int(df.max(initial=0)) + 1)])[df]
        self._weight = dict(zip(names, weight.tolist()))
        self._unknown = math.log((n + 1) / 0.5) ** 2
        self._number = number
        self._starts = np.concatenate(([0], np.cumsum(df))).tolist()
        self._posted = (np.sort(feature * max(n, 1) + example) % max(n, 1)).tolist()  # per feature, its examples in order
        sums = np.bincount(example, weights=weight[feature], minlength=n)  # in pair order: as a sum would add
        self._norms = [s or 1.0 for s in np.sqrt(sums).tolist()]
        self._built = True

    def postings(self, feature: str) -> list[int]:
        """The examples (indexes, in order) that have this feature."""
        if not self._built:
            self._build()
        j = self._number.get(feature)
        return [] if j is None else self._posted[self._starts[j]:self._starts[j + 1]]

    def nearest(self, norm: str, k: int = NEAREST) -> list[tuple[float, Example]]:
        """The k most similar examples, most similar first (ties: the earlier example)."""
        if not self._built:
            self._build()
        query = self._text_features(norm)
        q_norm = math.sqrt(sum(self._weight.get(f, self._unknown) for f in query)) or 1.0
        dot: dict[int, float] = collections.defaultdict(float)
        for f in query:
            weight = self._weight.get(f)
            if weight is not None:
                for i in self.postings(f):
                    dot[i] += weight
        best = sorted(((s / (q_norm * self._norms[i]), i) for i, s in dot.items()), key=lambda t: (-t[0], t[1]))[:k]
        return [(score, self.examples[i]) for score, i in best]

    def same_text(self, norm: str) -> list[Example]:
        """The examples whose normalised text is this one, in file order."""
        if not self._built:
            self._build()
        return [self.examples[i] for i in self._same.get(norm, ())]

    def covered(self, norm: str, examples: Sequence[Example]) -> float:
        """The share of the note the examples hold: its words (3+ letters), each weighted as its
        rarest feature, that share a feature with one of them, over all its words."""
        theirs = frozenset().union(*[self._text_features(normalise(ex.text)) for ex in examples])
        weight = {w: max(self._weight.get(f, self._unknown) for f in fs) for w, fs in self.features(norm).items()}
        total = sum(weight[w] for w in sorted(weight))
        return sum(weight[w] for w in sorted(weight) if not self._word[w].isdisjoint(theirs)) / total if total else 0.0

    def shared_words(self, norm: str, example: Example) -> list[str]:
        """The note's words the example shares (stem or prefix), the rarest few, in the note's order."""
        theirs = frozenset(self._text_features(normalise(example.text)))
        weight = {w: max(self._weight.get(f, 0.0) for f in fs & theirs)
                  for w, fs in self.features(norm).items() if fs & theirs}
        keep = set(sorted(weight, key=lambda w: (-weight[w], w))[:SHOWN_WORDS])
        return [w for w in weight if w in keep]


def read_like_examples(norm: str, index: ExampleIndex, may_be_hard: Callable[[str], bool]) -> Reading | None:
    """The category of the nearest labelled examples, or None when they do not clearly agree,
    or when the class they agree on is not what all five nearest are: a soft-no beside a
    hard-no or ask-a-person example, or a hard-no beside a soft one ("Belt ons niet meer
    terug" resembles notes that ask never to be called, but its nearest is a ghosted one). A
    hard-no category also needs the caller's leave (`may_be_hard`: no doubt in the note, "… wordt
    onderzocht", and the verdict its rules require, "confirmed", is there). A note that is the
    text of labelled examples takes their category (a hard-no with the same leave)."""
    same = index.same_text(norm)
    if same:
        return _as_labelled(same, may_be_hard)
    if len({w for w in LETTERS.findall(norm) if len(w) > 2}) < MIN_WORDS:  # the words features() has, unstemmed
        return None
    near = index.nearest(norm)
    if not near or near[0][0] < MIN_SIMILARITY:
        return None
    votes: dict[str, float] = collections.defaultdict(float)
    for score, ex in near:
        votes[ex.category] += score
    category, vote = max(votes.items(), key=lambda t: (t[1], t[0]))
    if schema.CATEGORY_CLASS.get(category, schema.UNCLASSIFIED) == schema.UNCLASSIFIED or vote / sum(votes.values()) < MIN_SHARE:
        return None
    cls = schema.CATEGORY_CLASS[category]
    if len(near) < NEAREST or any(ex.cls != cls for _, ex in near) or (cls == schema.HARD_NO and not may_be_hard(category)):
        return None
    if index.covered(norm, [ex for _, ex in near]) < MIN_COVERED[cls]:
        return None
    like = next(ex for _, ex in near if ex.category == category)
    agree = sum(ex.category == category for _, ex in near)
    shared = ", ".join(f'"{w}"' for w in index.shared_words(norm, like))
    return Reading(category, cls, f"like labelled example {like.number} ({agree} of {len(near)} nearest "
                                  f"are {category}; shared words {shared})")


def _as_labelled(same: Sequence[Example], may_be_hard: Callable[[str], bool]) -> Reading | None:
    """The category people gave this very note (none if they gave it two, or left it to a person,
    or it is a hard-no the note may not take: in doubt, or without the verdict its rules require)."""
    example = same[0]
    if any(ex.category != example.category for ex in same) or example.cls == schema.UNCLASSIFIED:
        return None
    if example.cls == schema.HARD_NO and not may_be_hard(example.category):
        return None
    return Reading(example.category, example.cls,
                   f"like labelled example {example.number} (the same note, labelled {example.category})")


def _stems(language: str, words: list[str]) -> list[str]:
    """The words' stems (3+ letters each), as :meth:`.Stemmers.stem` gives them (the same Snowball
    stemmer), in one call: through that cache, a word at a time, they cost most of the build. The
    C stemmer's own cache is off: each word comes once, and filling it cost 2/3 of the call."""
    stemmer = snowballstemmer.stemmer(LANGUAGES[language])
    if hasattr(stemmer, "maxCacheSize"):  # PyStemmer (the pure-Python stemmers keep no cache)
        stemmer.maxCacheSize = 0
    return stemmer.stemWords(words)


def _pairs(words_of_text: list[list[str]], typed: set[str], words: list[str], numbers: list[list[int]],
           features: int) -> np.ndarray:
    """Each (example, feature) pair once, as example * features + feature, sorted. `typed`: every
    word of the texts; `words`: those with features (3+ letters); `numbers`: per column (prefix,
    then a stem per language), the feature number of each of `words`."""
    index = dict.fromkeys(typed, -1)  # a word without features: -1, dropped below
    index.update((w, i) for i, w in enumerate(words))
    size = max(len(words), 1)
    flat = np.fromiter(map(index.__getitem__, itertools.chain.from_iterable(words_of_text)), dtype=np.int64)
    of_text = np.repeat(np.arange(len(words_of_text), dtype=np.int64), list(map(len, words_of_text)))
    seen = _distinct((of_text * size + flat)[flat >= 0])
    example, word = seen // size, seen % size
    of_word = np.sort(np.array(numbers, dtype=np.int64).reshape(len(numbers), len(words)).T, axis=1)
    again = np.zeros(of_word.shape, dtype=bool)  # a word's feature met already in its row (a stem = the prefix)
    again[:, 1:] = of_word[:, 1:] == of_word[:, :-1]
    return _distinct((example[:, None] * features + of_word[word])[~again[word]])


def _distinct(values: np.ndarray) -> np.ndarray:
    """The distinct values, sorted: np.unique, by a sort (numpy 2's np.unique of 100,000 integers
    costs some 50 ms where the sort costs one)."""
    values = np.sort(values)
    return values[np.concatenate(([True], values[1:] != values[:-1]))] if len(values) else values
