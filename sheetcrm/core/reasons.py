"""Pure: rejection reason text (+ outcome) -> class, category, and the rule that decided.

The rules are data, not code: ``sheetcrm/defaults/reasons.toml`` (the DESIGN §4
taxonomy, with the shorthand recruiters type) and then the agency's own file
(``config/reasons.toml``), read in that order; a rule id repeated later replaces
the earlier rule. The file's header comment explains the format.

How a text is decided (the costly mistake is calling someone who is a hard-no, so
every doubt leans away from soft-no):

* any hard-no match that is not negated wins (several: DNC first, see
  ``HARD_PRECEDENCE``);
* a hard-no match that is doubted ("alleged …", "… pending") or lacks its
  ``requires`` word ("client complaint" without "confirmed"), or a rule of
  category ``unclassified`` ("blacklisted", "never again"), makes the text
  unclassified: a person decides, and nobody is circled back meanwhile;
* else the first soft-no mentioned decides, negated ones left out ("no experience
  issues, just salary" is salary); words of ``weak`` rules ("interview",
  "experience") only when nothing more specific is there;
* a hard-no match that was explicitly negated counts for nothing, but then only
  soft-no matches read without typo tolerance may decide.

Typo tolerance reads unknown words as the closest rule word (same first letter,
one edit, two from ten letters). It only ever adds a reading: every match found in
the text as typed still counts, so it can never turn a hard-no into a soft-no.
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import OSA

from .. import schema
from ..config import Settings, read_toml
from ..errors import ConfigError
from .validate import issues_frame

NO_OUTCOMES = ("rejected", "declined", "ghosted")
# Among several hard-no reasons in one text, the one shown is the one a recruiter
# most needs to see before picking up the phone.
HARD_PRECEDENCE = ("do_not_contact", "conduct", "false_information", "client_complaint",
                   "unavailable_permanently", "career_change")
NO_RULE = "no rule matched"
NO_TEXT = "no reason given"
UNRECOGNISED_MESSAGE = "rejection reason not recognised; label it or add a phrase to config/reasons.toml"

_NEGATE, _DOUBT, _UNCONFIRMED, _OK = "negate", "doubt", "unconfirmed", "ok"
_EFFECTS = (_NEGATE, _DOUBT)
_APPLIES = (schema.HARD_NO, schema.SOFT_NO, "all")
_RULE_KEYS = {"id", "category", "phrases", "patterns", "requires", "negation", "enabled", "weak"}
# A word a negation may reach across: not punctuation, and not a conjunction, which
# starts a new clause ("comp too low, no fit and lied on CV": the lie is not negated).
_WORD = r"(?!(?:and|but|or|also|plus|then|so|because|though|although|however|yet|while)\b)[^\s,;.!?()\-–—:+/&|]+"
_SEP = r"[\s,:\-–]*"
_LEFT = r"(?<![\w$€£#])"
_RIGHT = r"(?![\w$€£#+])"
_LETTERS = re.compile(r"[^\W\d_]+")
_WORD_CHAR = re.compile(r"[\w$€£#]")


@dataclasses.dataclass(frozen=True)
class Classification:
    cls: str
    category: str
    rule: str


# ---------------------------------------------------------------- text

_CONTRACTIONS = [
    (re.compile(r"\b(can'?t|can not)\b"), "cannot"),
    (re.compile(r"\bwon'?t\b"), "will not"),
    (re.compile(r"\b(do|does|did|is|was|were|are|has|have|had|could|would|should|must|need)n'?t\b"), r"\1 not"),
    (re.compile(r"\bw/o\b"), "without"),
    (re.compile(r"\bw/(?=\s|\w)"), "with "),
]


def normalise(text: Any) -> str:
    """The form rules are matched against: lowercase, contractions spelled out,
    hyphens/underscores/slashes between words as spaces, line breaks as "; ", single spaces."""
    s = unicodedata.normalize("NFKC", str(text)).lower()
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


def _phrase_tokens(phrase: str) -> list[str]:
    """A phrase as regex pieces, one per character: a space is any run of spaces,
    and the last piece carries the ending (`*`: any; plural s/es for 4+ letters)."""
    norm = normalise(phrase)
    if not norm:
        raise ValueError("empty phrase")
    wildcard = norm.endswith("*") and len(norm) > 1
    core = norm[:-1] if wildcard else norm
    pieces = [r"\s+" if ch == " " else re.escape(ch) for ch in core]
    last = core.split()[-1] if core.split() else core
    if wildcard:
        ending = r"\w*"
    elif last[-1:].isalnum() and len(last) >= 4:  # not after "sal", "hm"
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
    return _LEFT + "".join(_phrase_tokens(phrase)) + _RIGHT


# ---------------------------------------------------------------- rules

@dataclasses.dataclass(frozen=True)
class Rule:
    id: str
    category: str
    # Phrases: a prefix tree that starts with a plain character, so re can jump
    # from candidate character to candidate character; the left word boundary is
    # checked by `matches` (a lookbehind in front would force a try at every position).
    phrases: re.Pattern | None
    patterns: re.Pattern | None = None
    requires: re.Pattern | None = None
    negation: bool = True
    source: str = ""
    weak: bool = False  # a soft-no word that decides only when nothing more specific matched

    @property
    def cls(self) -> str:
        return schema.CATEGORY_CLASS[self.category]

    def matches(self, text: str) -> Iterable[re.Match]:
        if self.phrases is not None:
            pos, search = 0, self.phrases.search
            while (m := search(text, pos)) is not None:
                start = m.start()
                if start and _WORD_CHAR.match(text, start - 1):
                    pos = start + 1  # inside a word: look again from the next character
                    continue
                yield m
                pos = max(m.end(), start + 1)
        if self.patterns is not None:
            yield from self.patterns.finditer(text)


@dataclasses.dataclass(frozen=True)
class Negation:
    applies_to: str  # hard_no | soft_no | all
    effect: str  # negate | doubt
    template: str
    before: re.Pattern | None
    after: re.Pattern | None

    def holds(self, text: str, start: int, end: int) -> bool:
        if self.before is not None and not self.before.search(text, 0, start):
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
        after = re.compile("".join(parts) + (_RIGHT if post_toks[-1][-1].isalnum() or post_toks[-1].endswith("*") else ""))
    return before, after


@dataclasses.dataclass(frozen=True, eq=False)
class RuleSet:
    """Compiled rules. Holds a cache of typo readings (pure: same answers, faster)."""
    rules: tuple[Rule, ...] = ()
    negations: tuple[Negation, ...] = ()
    fuzzy: bool = True
    min_length: int = 5
    vocabulary: frozenset[str] = frozenset()
    keep: frozenset[str] = frozenset()  # words never read as a typo
    sources: tuple[str, ...] = ()
    stems: tuple[str, ...] = ()  # "relocat*": every word starting so is already a rule word
    _by_letter: dict = dataclasses.field(default_factory=dict, repr=False)
    _typos: dict = dataclasses.field(default_factory=dict, repr=False)
    _negations: dict = dataclasses.field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for word in self.vocabulary:
            self._by_letter.setdefault(word[0], []).append(word)
        for cls in (schema.HARD_NO, schema.SOFT_NO):
            own = [n for n in self.negations if n.applies_to in (cls, "all")]
            own.sort(key=lambda n: _EFFECTS.index(n.effect))  # negate before doubt
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
            )

    def __repr__(self) -> str:
        return (f"RuleSet({len(self.rules)} rules, {len(self.negations)} negation templates, "
                f"fuzzy={self.fuzzy}, from {', '.join(self.sources) or 'nothing'})")

    def negations_for(self, cls: str) -> list[Negation]:
        return self._negations[cls][0]

    def negation_at(self, cls: str, text: str, start: int, end: int) -> Negation | None:
        """The first template that says the match text[start:end] is negated or doubted."""
        own, before, after, some_after_only, some_before_only = self._negations[cls]
        has_before = before is not None and before.search(text, 0, start) is not None
        has_after = after is not None and after.match(text, end) is not None
        if not (has_before and (has_after or some_before_only)) and not (has_after and some_after_only):
            return None
        for neg in own:
            if neg.holds(text, start, end):
                return neg
        return None

    def typo_reading(self, norm: str) -> str:
        """The text with unknown words read as the closest rule word."""
        if not self.fuzzy or not self.vocabulary:
            return norm

        def fix(m: re.Match) -> str:
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

        return _LETTERS.sub(fix, norm)


def _as_list(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of texts")
    return value


def _compile_rule(spec: dict, path: Path) -> Rule | None:
    rid = spec.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise ConfigError(f"reasons file {path}: every [[rule]] needs an id")
    where = f"reasons file {path}, rule '{rid}'"
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(_RULE_KEYS))}")
    if spec.get("enabled", True) is False:
        return None
    category = spec.get("category")
    if category not in schema.CATEGORY_CLASS:  # "unclassified": words that call for a person
        known = ", ".join(schema.HARD_NO_CATEGORIES + schema.SOFT_NO_CATEGORIES + (schema.UNCLASSIFIED,))
        raise ConfigError(f"{where}: category {category!r} is unknown; use one of {known}")
    bodies: list[str] = []
    for phrase in _as_list(spec.get("phrases"), where, "phrases"):
        try:
            bodies.append(_phrase_tokens(phrase))
        except ValueError:
            raise ConfigError(f"{where}: empty phrase") from None
    alternatives = []
    for pattern in _as_list(spec.get("patterns"), where, "patterns"):
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: pattern {pattern!r} is not a valid regular expression ({exc})") from None
        alternatives.append(pattern)
    if not alternatives and not bodies:
        raise ConfigError(f"{where}: needs phrases or patterns")
    requires = _as_list(spec.get("requires"), where, "requires")
    negation = spec.get("negation", True)
    weak = spec.get("weak", False)
    for key, value in (("negation", negation), ("weak", weak)):
        if not isinstance(value, bool):
            raise ConfigError(f"{where}: '{key}' must be true or false")
    return Rule(
        id=rid.strip(), category=category,
        # the text is lowercased already; IGNORECASE would double the matching time
        phrases=re.compile(_trie_regex(bodies) + _RIGHT) if bodies else None,
        patterns=re.compile("|".join(f"(?:{a})" for a in alternatives)) if alternatives else None,
        requires=re.compile("|".join(phrase_regex(r) for r in requires)) if requires else None,
        negation=negation, source=str(path), weak=weak,
    )


def load_rule_files(paths: Iterable[Path]) -> RuleSet:
    """Read rule files in order: a later rule with the same id replaces (or, with
    ``enabled = false``, removes) the earlier one; negations add up."""
    specs: dict[str, tuple[dict, Path]] = {}
    negations: list[Negation] = []
    fuzzy, min_length, keep = True, 5, set()
    sources = []
    for path in paths:
        path = Path(path)
        data = read_toml(path, "reasons file")
        sources.append(str(path))
        unknown = set(data) - {"version", "rule", "negation", "fuzzy"}
        if unknown:
            raise ConfigError(f"reasons file {path}: unknown section(s) {', '.join(sorted(unknown))}; "
                              "use [[rule]], [[negation]], [fuzzy]")
        for spec in data.get("rule", []):
            if not isinstance(spec, dict):
                raise ConfigError(f"reasons file {path}: 'rule' must be written [[rule]]")
            specs.pop(str(spec.get("id", "")).strip(), None)  # re-added last: a replaced rule keeps the new order
            specs[str(spec.get("id", "")).strip()] = (spec, path)
        for block in data.get("negation", []):
            where = f"reasons file {path}, [[negation]]"
            applies, effect = block.get("applies_to", "all"), block.get("effect", _NEGATE)
            if applies not in _APPLIES:
                raise ConfigError(f"{where}: applies_to must be one of {', '.join(_APPLIES)} (got {applies!r})")
            if effect not in _EFFECTS:
                raise ConfigError(f"{where}: effect must be one of {', '.join(_EFFECTS)} (got {effect!r})")
            for template in _as_list(block.get("templates"), where, "templates"):
                try:
                    before, after = negation_template(template)
                except (ValueError, re.error) as exc:
                    raise ConfigError(f"{where}: template {template!r}: {exc}") from None
                negations.append(Negation(applies, effect, template, before, after))
        fz = data.get("fuzzy", {})
        fuzzy = bool(fz.get("enabled", fuzzy))
        min_length = int(fz.get("min_length", min_length))
        keep |= {normalise(w) for w in _as_list(fz.get("keep"), f"reasons file {path}, [fuzzy]", "keep")}
    rules = tuple(r for spec, path in specs.values() if (r := _compile_rule(spec, path)) is not None)
    negation_words = {w for n in negations for w in _LETTERS.findall(normalise(n.template.replace("{m}", " ")))}
    vocabulary, stems = set(), set()
    for spec, _path in specs.values():
        if spec.get("enabled", True) is False:
            continue
        for phrase in list(spec.get("phrases") or []) + list(spec.get("requires") or []):
            norm = normalise(phrase)
            vocabulary |= {w for w in _LETTERS.findall(norm) if len(w) >= 4}
            if norm.endswith("*") and len(norm) >= 5:
                stems.add(norm.split()[-1].rstrip("*"))
    return RuleSet(rules, tuple(negations), fuzzy, min_length, frozenset(vocabulary - negation_words),
                   frozenset(keep), tuple(sources), tuple(sorted(stems)))


def load_rules(settings: Settings) -> RuleSet:
    """The built-in rules, then the agency's reasons file (``Settings.reasons_files``)."""
    return load_rule_files(settings.reasons_files)


# ---------------------------------------------------------------- classify

@dataclasses.dataclass(frozen=True)
class _Hit:
    rule: Rule
    start: int
    end: int
    text: str
    status: str
    why: str  # the template or the missing word behind a status other than ok
    typo: bool  # found only in the typo-tolerant reading


def _hits(text: str, rules: RuleSet, typo: bool) -> list[_Hit]:
    out = []
    for rule in rules.rules:
        for m in rule.matches(text):
            status, why = _OK, ""
            if rule.negation:
                # "ask a person" words are negated like hard-no ones ("no red flags")
                neg = rules.negation_at(schema.SOFT_NO if rule.cls == schema.SOFT_NO else schema.HARD_NO,
                                        text, m.start(), m.end())
                if neg is not None:
                    status, why = neg.effect, neg.template
            if status == _OK and rule.requires is not None and not rule.requires.search(text):
                status, why = _UNCONFIRMED, "not confirmed"
            out.append(_Hit(rule, m.start(), m.end(), m.group(0), status, why, typo))
    return out


def _label(hit: _Hit) -> str:
    return f'{hit.rule.id}: "{hit.text}"' + (" (read as a typo)" if hit.typo else "")


def _also(chosen: _Hit, hits: Sequence[_Hit]) -> str:
    others = []
    for h in hits:
        if (h.status == _OK and h.rule.category not in (chosen.rule.category, schema.UNCLASSIFIED)
                and h.rule.category not in others):
            others.append(h.rule.category)
    return f"; also {', '.join(others)}" if others else ""


def classify_text(text: str, rules: RuleSet) -> Classification:
    """One non-blank reason text (the outcome does not change a written reason)."""
    norm = normalise(text)
    hits = _hits(norm, rules, typo=False)
    reading = rules.typo_reading(norm)
    if reading != norm:
        seen = {(h.rule.id, h.status) for h in hits}
        hits += [h for h in _hits(reading, rules, typo=True) if (h.rule.id, h.status) not in seen]
    hard = [h for h in hits if h.rule.cls == schema.HARD_NO]
    confirmed = [h for h in hard if h.status == _OK]
    if confirmed:
        chosen = min(confirmed, key=lambda h: (HARD_PRECEDENCE.index(h.rule.category)
                                               if h.rule.category in HARD_PRECEDENCE else len(HARD_PRECEDENCE),
                                               h.typo, h.start))
        return Classification(schema.HARD_NO, chosen.rule.category, _label(chosen) + _also(chosen, hits))
    review = [h for h in hits if (h.rule.cls == schema.HARD_NO and h.status in (_DOUBT, _UNCONFIRMED))
              or (h.rule.cls == schema.UNCLASSIFIED and h.status in (_OK, _DOUBT))]
    if review:
        h = min(review, key=lambda h: (h.typo, h.start))
        why = ("is not confirmed" if h.status == _UNCONFIRMED else f'is in doubt ("{h.why}")'
               if h.status == _DOUBT else "calls for a person")
        return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED,
                              f"{_label(h)} {why}; a person decides hard-no or soft-no")
    negated_hard = [h for h in hard if h.status == _NEGATE]
    soft = [h for h in hits if h.rule.cls == schema.SOFT_NO and h.status == _OK
            and not (negated_hard and h.typo)]
    if soft:
        chosen = min(soft, key=lambda h: (h.rule.weak, h.typo, h.start, -(h.end - h.start)))
        note = f'; ignored {negated_hard[0].rule.id} ("{negated_hard[0].why}")' if negated_hard else ""
        return Classification(schema.SOFT_NO, chosen.rule.category, _label(chosen) + _also(chosen, hits) + note)
    if negated_hard:
        h = negated_hard[0]
        return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED,
                              f'{_label(h)} negated ("{h.why}") and nothing else recognised')
    return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED, NO_RULE)


def _blank(text: Any) -> bool:
    return text is None or (isinstance(text, float) and text != text) or not str(text).strip()


def classify(text: str | None, outcome: str | None, rules: RuleSet) -> Classification:
    """Class, category and the rule that decided, for one reason text (+ outcome)."""
    if _blank(text):
        if outcome == "ghosted":
            return Classification(schema.SOFT_NO, "ghosted", "outcome ghosted")
        return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED, NO_TEXT)
    return classify_text(str(text), rules)


def classify_pipeline(pipeline: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """Adds rejection_class, rejection_category, rejection_rule to rejected,
    declined and ghosted rows (None elsewhere). Each distinct text is read once."""
    out = pipeline.copy()
    n = len(out)
    cls = np.full(n, None, dtype=object)
    cat = np.full(n, None, dtype=object)
    rule = np.full(n, None, dtype=object)
    decided = out["outcome"].isin(NO_OUTCOMES).to_numpy() if n else np.zeros(0, bool)
    if decided.any():
        where = np.flatnonzero(decided)
        texts = out["rejection_reason"].to_numpy(dtype=object)[where]
        outcomes = out["outcome"].to_numpy(dtype=object)[where]
        codes, uniques = pd.factorize(texts)
        results = [classify(t, None, rules) if not _blank(t) else None for t in uniques]
        blank_code = np.array([r is None for r in results] + [True])
        table = {f: np.array([getattr(r, f, None) for r in results] + [None], dtype=object)
                 for f in ("cls", "category", "rule")}
        codes = np.where(codes < 0, len(results), codes)
        got = {f: t[codes] for f, t in table.items()}
        blank = blank_code[codes]
        for outcome in pd.unique(outcomes[blank]):
            r = classify(None, outcome, rules)
            mask = blank & (outcomes == outcome)
            got["cls"][mask], got["category"][mask], got["rule"][mask] = r.cls, r.category, r.rule
        cls[where], cat[where], rule[where] = got["cls"], got["category"], got["rule"]
    out["rejection_class"] = pd.Series(cls, index=out.index, dtype=object)
    out["rejection_category"] = pd.Series(cat, index=out.index, dtype=object)
    out["rejection_rule"] = pd.Series(rule, index=out.index, dtype=object)
    return out


def candidate_classes(pipeline: pd.DataFrame, candidates: pd.DataFrame) -> pd.Series:
    """Per candidate_id: hard_no if any row or do_not_contact says so, else
    soft_no if any row is soft-no, else None (DESIGN §4)."""
    ids = pd.Index(candidates["candidate_id"].dropna().unique())
    cls = pipeline.dropna(subset=["rejection_class"])
    soft = cls.loc[cls["rejection_class"] == schema.SOFT_NO, "candidate_id"].unique()
    hard = cls.loc[cls["rejection_class"] == schema.HARD_NO, "candidate_id"].unique()
    dnc = candidates.loc[candidates["do_not_contact"].astype(bool), "candidate_id"].dropna().unique()
    values = np.full(len(ids), None, dtype=object)
    values[ids.isin(soft)] = schema.SOFT_NO
    values[ids.isin(hard) | ids.isin(dnc)] = schema.HARD_NO
    return pd.Series(values, index=ids, dtype=object)


def unclassified_issues(pipeline: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One warning per Pipeline row whose reason no rule could decide, for a person to label."""
    if "rejection_class" not in pipeline or not len(pipeline):
        return issues_frame([])
    sub = pipeline[pipeline["rejection_class"] == schema.UNCLASSIFIED]
    title = settings.tab_title(schema.PIPELINE)
    rows = []
    for row, text, rule in zip(sub.index, sub["rejection_reason"], sub["rejection_rule"]):
        shown = "" if _blank(text) else str(text)
        shown = shown if len(shown) <= 80 else shown[:77] + "…"
        if rule in (NO_RULE, NO_TEXT, None):
            message = UNRECOGNISED_MESSAGE
        else:
            message = f"rejection reason needs a person: {rule}; label it or add a phrase to config/reasons.toml"
        rows.append((title, int(row), "rejection_reason", shown, "warning", message, ""))
    return issues_frame(rows)


# ---------------------------------------------------------------- report

@dataclasses.dataclass
class ReasonsReport:
    counts: pd.DataFrame  # position_id, rejection_class, rejection_category, rows, class_rows, share
    unclassified: pd.DataFrame  # text, rows, positions, rule

    def rows(self) -> pd.DataFrame:
        """Both parts as one flat table (section = counts | unclassified), for JSON and CSV."""
        counts = self.counts.assign(section="counts", text=None)
        uncl = self.unclassified.assign(section="unclassified", position_id="ALL",
                                        rejection_class=schema.UNCLASSIFIED,
                                        rejection_category=schema.UNCLASSIFIED, share=None, class_rows=None)
        cols = ["section", "position_id", "rejection_class", "rejection_category", "text", "rows", "class_rows",
                "share"]
        return pd.concat([counts[cols], uncl[cols]], ignore_index=True)


def reasons_report(pipeline: pd.DataFrame) -> ReasonsReport:
    """Counts of classes and categories per position and overall (position_id ALL),
    and the unclassified texts with how often each occurs."""
    decided = pipeline.dropna(subset=["rejection_class"])
    parts = [decided.assign(position_id=decided["position_id"].astype(str)),
             decided.assign(position_id="ALL")]
    both = pd.concat(parts, ignore_index=True)
    keys = ["position_id", "rejection_class", "rejection_category"]
    counts = both.groupby(keys, sort=False).size().rename("rows").reset_index()
    totals = counts.groupby("position_id")["rows"].transform("sum")
    counts["class_rows"] = counts.groupby(["position_id", "rejection_class"])["rows"].transform("sum").astype("int64")
    counts["share"] = (counts["rows"] / totals).round(3)
    class_order = {c: i for i, c in enumerate(schema.REJECTION_CLASSES)}
    counts = counts.assign(_all=counts["position_id"] == "ALL", _cls=counts["rejection_class"].map(class_order))
    counts = counts.sort_values(["_all", "position_id", "_cls", "rows", "rejection_category"],
                                ascending=[True, True, True, False, True], kind="stable")
    counts = counts.drop(columns=["_all", "_cls"]).reset_index(drop=True)
    counts = counts[["position_id", "rejection_class", "rejection_category", "rows", "class_rows", "share"]]
    counts["rows"] = counts["rows"].astype("int64")

    uncl = decided[decided["rejection_class"] == schema.UNCLASSIFIED]
    if len(uncl):
        texts = uncl["rejection_reason"].map(lambda t: "" if _blank(t) else str(t))
        grouped = uncl.assign(text=texts).groupby("text", sort=False)
        table = pd.DataFrame({
            "rows": grouped.size(),
            "positions": grouped["position_id"].agg(lambda s: ", ".join(sorted(set(map(str, s))))),
            "rule": grouped["rejection_rule"].first(),
        }).reset_index()
        table = table.sort_values(["rows", "text"], ascending=[False, True], kind="stable").reset_index(drop=True)
        table["rows"] = table["rows"].astype("int64")
    else:
        table = pd.DataFrame({"text": [], "rows": pd.Series([], dtype="int64"), "positions": [], "rule": []})
    return ReasonsReport(counts, table[["text", "rows", "positions", "rule"]])


def classify_texts(texts: Sequence[Any], rules: RuleSet, outcome: str | None = None) -> pd.DataFrame:
    """Rows (text, class, category, rule) for the `classify` command."""
    seen: dict[Any, Classification] = {}
    out = []
    for text in texts:
        key = "" if _blank(text) else str(text)
        if key not in seen:
            seen[key] = classify(key, outcome, rules)
        c = seen[key]
        out.append({"text": key, "class": c.cls, "category": c.category, "rule": c.rule})
    return pd.DataFrame(out, columns=["text", "class", "category", "rule"])
