"""Pure: parsed rule documents (built-in files, then the agency's) -> a RuleSet.

A document is ``(source, data)``: where it came from (shown in messages and in
``RuleSet.sources``) and the TOML already parsed by :mod:`sheetcrm.rules`. A rule id
repeated in a later document replaces the earlier rule (``enabled = false`` removes it), an id
repeated within one document is a ConfigError;
negation templates and [fuzzy] keep-words add up.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .. import schema
from ..errors import ConfigError
from .reason_rules import (_APPLIES, _FILE_KEYS, _RIGHT, _RULE_KEYS, DIRECTIONS, DOUBT, EFFECTS, NEGATE, Negation, Rule, RuleSet, _phrase_tokens,
                           _trie_regex, gap_words, negation_template, phrase_regex)
from .reason_examples import ExampleIndex
from .reason_index import LazyPattern, forget_joined, note_joined, phrase_need
from .reason_regex import read
from .reason_words import LANGUAGES, LETTERS, Stemmers, anchors_of, normalise, pattern_prefixes

Document = tuple[str, Mapping[str, Any]]
MIN_FORM_STEM = 5
_NEGATION_KEYS = {"applies_to", "effect", "templates", "between", "first"}


def _as_list(value: Any, where: str, key: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: '{key}' must be a list of texts")
    return value


def _language(value: Any, where: str) -> str:
    code = str(value).strip().lower()
    by_name = {name: code for code, name in LANGUAGES.items() if name}
    code = by_name.get(code, code)
    if code not in LANGUAGES:
        raise ConfigError(f"{where}: language {value!r} has no word-form support; use one of "
                          f"{', '.join(sorted(LANGUAGES))}")
    return code


def _checked_spec(spec: Mapping, source: str) -> tuple[str, str]:
    rid = spec.get("id")
    if not isinstance(rid, str) or not rid.strip():
        raise ConfigError(f"reasons file {source}: every [[rule]] needs an id")
    where = f"reasons file {source}, rule '{rid}'"
    unknown = set(spec) - _RULE_KEYS
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(_RULE_KEYS))}")
    category = spec.get("category")
    if category not in schema.CATEGORY_CLASS:  # "unclassified": words that call for a person
        known = ", ".join(schema.HARD_NO_CATEGORIES + schema.SOFT_NO_CATEGORIES + (schema.UNCLASSIFIED,))
        raise ConfigError(f"{where}: category {category!r} is unknown; use one of {known}")
    for key in ("negation", "weak"):
        if not isinstance(spec.get(key, False), bool):
            raise ConfigError(f"{where}: '{key}' must be true or false")
    direction = spec.get("direction", "")
    if direction and (direction not in DIRECTIONS or category != "experience"):
        raise ConfigError(f"{where}: 'direction' is for experience rules and is one of {', '.join(DIRECTIONS)}")
    return rid.strip(), where


def _patterns(spec: Mapping, where: str) -> tuple[LazyPattern | None, Any]:
    """The rule's patterns as one regex (``(?:a)|(?:b)``), checked and compiled by re, and
    what their trees (:func:`.reason_regex.read`) say: the words a match starts with."""
    alternatives = _as_list(spec.get("patterns"), where, "patterns")
    if not alternatives:
        return None, None
    trees = [read(p) for p in alternatives]
    joined = "|".join(f"(?:{a})" for a in alternatives)
    note_joined(joined, trees)
    return LazyPattern(joined, _compiled_patterns(joined, alternatives, trees, where)), pattern_prefixes(trees)


def _compiled_patterns(joined: str, alternatives: Sequence[str], trees: Sequence[Any], where: str) -> re.Pattern:
    """The joined patterns compiled: once, at load (checking them is compiling them; the
    rule's searches use it). A part our reader reads is whole (its brackets close, it refers
    to no group, sets no flag), so it compiles alone iff it compiles inside the joined text:
    only when that fails, or a part is not read, is each part compiled alone, for the
    one-line error naming it. Parts valid alone fail together only through group names
    (one used twice) or numbers (they shift) or flags for the whole: re's error, as before."""
    if all(t is not None for t in trees):
        try:
            return re.compile(joined)
        except re.error:
            pass
    for pattern in alternatives:
        try:
            re.compile(pattern)
        except re.error as exc:
            raise ConfigError(f"{where}: pattern {pattern!r} is not a valid regular expression ({exc})") from None
    return re.compile(joined)


def _forms(phrases: Sequence[str], language: str, stemmers: Stemmers) -> tuple[re.Pattern | None, dict[str, str]]:
    """The phrases as stems (a `*` phrase already matches every ending: left out)."""
    if language == "none":
        return None, {}
    by_stem: dict[str, str] = {}
    for phrase in phrases:
        if phrase.endswith("*") or not LETTERS.search(phrase):
            continue
        stem = stemmers.phrase(language, phrase)
        # a one-word stem shorter than 5 letters is an everyday word ("timing" ~ "times",
        # "raise" ~ "raised"): such a phrase is matched as typed only
        if " " not in stem and len(stem) < MIN_FORM_STEM:
            continue
        by_stem.setdefault(stem, phrase)
    if not by_stem:
        return None, {}
    return LazyPattern(functools.partial(_phrase_tree, tuple(by_stem), False)), by_stem


def _phrase_tree(phrases: Sequence[str], plural: bool = True) -> str:
    """Normalised phrases (or stemmed ones: no plural ending) as one prefix-tree regex."""
    return _trie_regex([_phrase_tokens(p, plural) for p in phrases]) + _RIGHT


def compile_rule(spec: Mapping, source: str, language: str, stemmers: Stemmers,
                 norm: Callable[[str], str] = normalise) -> Rule | None:
    if spec.get("enabled", True) is False:  # switching a rule off needs only its id
        return None
    rid, where = _checked_spec(spec, source)
    phrases = [norm(p) for p in _as_list(spec.get("phrases"), where, "phrases")]
    if any(not p for p in phrases):
        raise ConfigError(f"{where}: empty phrase")
    patterns, prefixes_of_patterns = _patterns(spec, where)
    if patterns is None and not phrases:
        raise ConfigError(f"{where}: needs phrases or patterns")
    requires = _as_list(spec.get("requires"), where, "requires")
    language = _language(spec.get("language", language), where)
    forms, form_phrases = _forms(phrases, language, stemmers)
    anchors, prefixes = anchors_of(phrases)
    return Rule(
        id=rid, category=spec["category"],
        # the text is lowercased already; IGNORECASE would double the matching time
        phrases=LazyPattern(functools.partial(_phrase_tree, tuple(phrases))) if phrases else None,
        patterns=patterns,
        requires=LazyPattern("|".join(phrase_regex(r) for r in requires)) if requires else None,
        negation=spec.get("negation", True), source=source, weak=spec.get("weak", False),
        language=language, forms=forms, form_phrases=form_phrases,
        anchors=anchors, prefixes=prefixes, pattern_prefixes=prefixes_of_patterns, form_anchors=frozenset(s.split()[0] for s in form_phrases),
        direction=spec.get("direction", ""), phrase_needs=tuple(phrase_need(p) for p in phrases) if phrases else None,
    )


def _negations(data: Mapping, source: str) -> list[Negation]:
    out = []
    for block in data.get("negation", []):
        where = f"reasons file {source}, [[negation]]"
        applies, effect = block.get("applies_to", "all"), block.get("effect", "negate")
        if applies not in _APPLIES:
            raise ConfigError(f"{where}: applies_to must be one of {', '.join(_APPLIES)} (got {applies!r})")
        if effect not in EFFECTS:
            raise ConfigError(f"{where}: effect must be one of {', '.join(EFFECTS)} (got {effect!r})")
        unknown = set(block) - _NEGATION_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}; use {', '.join(sorted(_NEGATION_KEYS))}")
        gap = _between(block, effect, where)
        for template in _as_list(block.get("templates"), where, "templates"):
            try:
                out.append(Negation(applies, effect, template, *negation_template(template, gap), narrowed=bool(gap),
                                    first=block.get("first") is True))
                if gap:  # other words between: the negator may be another verb's ("not request feedback {m}")
                    out.append(Negation(applies, DOUBT, template, *negation_template(template), wide=True))
            except (ValueError, re.error) as exc:
                raise ConfigError(f"{where}: template {template!r}: {exc}") from None
    return out


def _between(block: Mapping, effect: str, where: str) -> str:
    """The words a negating block's "~" may stand for, as one regex ("" without `between`):
    "no confirmed {m}" negates, "not request feedback {m}" is in doubt (a person decides)."""
    if "between" not in block:
        return ""
    if effect != NEGATE:
        raise ConfigError(f"{where}: 'between' is for effect = \"negate\" (other words between make it a doubt)")
    try:
        return gap_words(_as_list(block["between"], where, "between"))
    except ValueError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _collect(documents: Iterable[Document]) -> tuple[dict, list[Negation], dict]:
    """Rule specs by id (a later one replaces), negations, and the [fuzzy] settings."""
    specs: dict[str, tuple[Mapping, str, str]] = {}
    negations: list[Negation] = []
    fuzzy: dict[str, Any] = {"enabled": True, "min_length": 5, "keep": set(), "sources": []}
    for source, data in documents:
        fuzzy["sources"].append(source)
        unknown = set(data) - _FILE_KEYS
        if unknown:
            raise ConfigError(f"reasons file {source}: unknown section(s) {', '.join(sorted(unknown))}; "
                              "use [[rule]], [[negation]], [fuzzy], language")
        language = _language(data.get("language", "en"), f"reasons file {source}")
        own: set[str] = set()
        for spec in data.get("rule", []):
            if not isinstance(spec, dict):
                raise ConfigError(f"reasons file {source}: 'rule' must be written [[rule]]")
            rid = str(spec.get("id", "")).strip()
            if rid in own:  # a later file may replace an earlier one's rule (README); one file never twice
                raise ConfigError(f"reasons file {source}: rule id '{rid}' is used twice in this file; "
                                  "give each rule its own id")
            own.add(rid)
            specs.pop(rid, None)  # re-added last: a replaced rule keeps the new order
            specs[rid] = (spec, source, language)
        negations += _negations(data, source)
        fz = data.get("fuzzy", {})
        fuzzy["enabled"] = bool(fz.get("enabled", fuzzy["enabled"]))
        fuzzy["min_length"] = int(fz.get("min_length", fuzzy["min_length"]))
        fuzzy["keep"] |= {normalise(w) for w in _as_list(fz.get("keep"), f"reasons file {source}, [fuzzy]", "keep")}
    return specs, negations, fuzzy


def compile_rules(documents: Iterable[Document], narrow: bool = True,
                  examples: Sequence[tuple[str, str]] = ()) -> RuleSet:
    """All documents in order, compiled into one RuleSet (``narrow=False``: without the
    second index, ``reason_words.rule_needs``; the same results, slower: for tests).
    `examples`: labelled notes (text, category) for texts no rule reads (reason_examples)."""
    specs, negations, fuzzy = _collect(documents)
    stemmers = Stemmers()
    norm = functools.lru_cache(maxsize=None)(normalise)  # each phrase is read twice below: normalised once
    rules = tuple(r for spec, source, lang in specs.values()
                  if (r := compile_rule(spec, source, lang, stemmers, norm)) is not None)
    negation_words = {w for n in negations for w in LETTERS.findall(normalise(n.template.replace("{m}", " ")))}
    vocabulary, stems, hard_words = _typo_words(specs.values(), norm)
    # words of negation templates are never "corrected" either ("confirmed" is no typo of "confirmee")
    compiled = RuleSet(rules, tuple(negations), fuzzy["enabled"], fuzzy["min_length"],
                       frozenset(vocabulary - negation_words), frozenset(fuzzy["keep"] | negation_words),
                       tuple(fuzzy["sources"]),
                       tuple(sorted(stems)), stemmers, narrow, _example_index(examples, rules, stemmers),
                       frozenset(hard_words),
                       frozenset(fuzzy["keep"] - negation_words))
    forget_joined()  # the index is built: what it read is not needed again
    return compiled


def _typo_words(specs: Iterable[tuple[Mapping, str, str]], norm: Callable[[str], str]) -> tuple[set, set, set]:
    """The words typos are read as (4+ letters of every phrase and `requires` word), the `*`
    phrases' stems, and the words that make a hard-no: those of hard-no phrases (a `requires`
    word only confirms one). See ``RuleSet._typo_fix``."""
    vocabulary, stems, hard_words = set(), set(), set()
    for spec, _source, _lang in specs:
        if spec.get("enabled", True) is False:
            continue
        hard = schema.CATEGORY_CLASS[spec["category"]] == schema.HARD_NO
        for key in ("phrases", "requires"):
            for phrase in spec.get(key) or []:
                text = norm(phrase)
                words = {w for w in LETTERS.findall(text) if len(w) >= 4}
                vocabulary |= words
                if hard and key == "phrases":
                    hard_words |= words
                if text.endswith("*") and len(text) >= 5:
                    stems.add(text.split()[-1].rstrip("*"))
    return vocabulary, stems, hard_words


def _example_index(examples: Sequence[tuple[str, str]], rules: Sequence[Rule], stemmers: Stemmers) -> ExampleIndex | None:
    """Checked labelled examples, compared in the languages the rules are written in."""
    for n, (_text, category) in enumerate(examples, start=1):
        if category not in schema.CATEGORY_CLASS and category != schema.UNCLASSIFIED:
            raise ConfigError(f"reason examples, row {n}: unknown category {category!r}")
    languages = sorted({r.language for r in rules if LANGUAGES.get(r.language)})
    return ExampleIndex(examples, stemmers, languages) if examples else None
