"""Words one slip from a hard-no word that the typo reading leaves as typed (issue 19).

The typo reading reads no everyday word ([fuzzy] keep: "gelegen", "liked", "stoel") and no
letter changed inside a hard-no word ("forced" is no "forged") as a slip. Read as typed, a
hard-no written with such a slip next to its own words ("he lined about his degree", "he stoel
a laptop", "hat über seinen Abschluss gelegen", "mente sobre su experiencia") was read as the
soft reason beside it. Here such a hard-no is in doubt: a person decides, it is never read soft.
The word alone stays as typed ("ungünstig gelegen", "liked the team"): doubting those as well
sent 41 labelled notes to a person.
"""
from __future__ import annotations

from collections.abc import Callable

from .. import schema
from .reason_rules import DOUBT, RuleSet
from .reason_words import LETTERS, closest_rule_word, typo_limit


def slip_reading(rules: RuleSet, norm: str) -> str:
    """The typo reading with every word the typo reading leaves as typed read as the rule word
    it is one slip from ("gelegen" as "gelogen", "stoel" as "stole", "chest" as "cheat")."""
    if not rules.fuzzy or not rules.vocabulary:
        return norm
    return LETTERS.sub(lambda m: _slip_of(rules, m.group(0)), norm)


def _slip_of(rules: RuleSet, word: str) -> str:
    got = rules._slips.get(word)
    if got is None:
        got = rules._read_as(word)
        # never a negation template's word (in `keep`, not an everyday word): "never" is no slip
        if got == word and word not in rules.vocabulary and len(word) >= rules.min_length \
                and (word in rules.everyday or word not in rules.keep):
            limit = typo_limit(word)
            got = closest_rule_word(word, rules._by_letter.get(word[0], ()), limit, frozenset()) or word
        rules._slips[word] = got
    return got


def slips_in_doubt(norm: str, reading: str, hits: list, rules: RuleSet, hits_of: Callable[..., list]) -> list:
    """The hard-no hits (`hits_of`: reasons._hits) only the slip reading finds, in doubt, where a
    hard-no phrase of several words holds the slipped word: the words around it are its own."""
    slips = slip_reading(rules, norm)
    new = rules.hard_words.intersection(LETTERS.findall(slips)).difference(LETTERS.findall(reading))
    if not new:
        return []  # no hard-no word more than the typo reading has: nothing to doubt (most notes)
    seen = {h.rule.id for h in hits}
    return [h._replace(status=DOUBT, why="a word one slip from it") for h in hits_of(slips, rules, typo=True)
            if h.rule.cls == schema.HARD_NO and h.status == "ok" and h.rule.id not in seen
            and len(h.text.split()) > 1 and new.intersection(LETTERS.findall(h.text))]
