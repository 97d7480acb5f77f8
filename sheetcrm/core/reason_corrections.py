"""Pure: a reason text that corrects itself. The later words count, never at a hard-no's cost.

Recruiters correct a note in place instead of rewriting it: an ATS note gets a line
"Correction 04/06 (LM): …", "Korrektur (MK, 02.05.): …", "Corrigé le 14/02 (SL) : …"; a
dictated note corrects itself as it goes ("I thought he declined no wait it was the client
who said no", "nein Moment", "non attends", "nee wacht", "no espera fue …"). What was
written before the last correction is what the correction set aside:

* the words after the correction read hard-no: they decide;
* the whole text reads hard-no and the words after the correction give a soft-no: a person
  decides (a hard-no is never dropped by reading only part of a note; "emigrated /
  Correction: she hasn't emigrated, … onsite in Leeds" goes to a person, not to soft-no);
* the whole text reads soft-no and the words after the correction give a soft-no: those
  decide ("skills mismatch / Edit: no, skills were fine - it fell over on salary" is salary);
* anything else (nothing read after the correction, or the whole text already with a person):
  the whole text's reading stands.

So a correction can only move a soft-no to another soft-no, or a hard-no to a person.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Protocol, TypeVar

from .. import schema

# A correction heading: at the start of the text or of a line, after "(" or a sentence's end,
# the word and up to 30 characters (a date, initials) before its colon. "fix" alone is a German
# word ("ab Herbst fix", "85k fix"): it needs the heading's colon like every other one.
_HEADING = re.compile(
    r"(?:^|[\n(]|[.;!?]\s)\s*(?:correction|corrected|correct|korrektur|korrigiert|berichtigung|"
    r"correctie|gecorrigeerd|verbetering|correcci[oó]n|corregido|corregida|rectificaci[oó]n|"
    r"corrig[eé]e?|rectification|rectificatif|edit|edited|fix|update|nachtrag)\b[^:\n]{0,30}:",
    re.IGNORECASE)
# A dictated self-correction: the "no" and the "wait" with more words after them ("el cliente no
# espera." is no correction; "no espera fue el cliente …" is).
_SPOKEN = re.compile(
    r"\b(?:no|nee|nein|non),?\s+(?:wait|wacht|moment|attends|espera|espérate|esperá)\b,?(?=\s+\S+\s+\S+)"
    r"|\bscratch that\b",
    re.IGNORECASE)


class _Reading(Protocol):
    cls: str
    category: str
    rule: str


R = TypeVar("R", bound=_Reading)


def correction_at(text: str) -> re.Match | None:
    """The last correction in the text (a heading or a spoken one), if any."""
    last = None
    for pattern in (_HEADING, _SPOKEN):
        for m in pattern.finditer(text):
            if last is None or m.end() > last.end():
                last = m
    return last


def read_corrected(text: str, read: Callable[[str], R]) -> R:
    """The reading of a text with its last correction taken into account (module docstring);
    `read` reads a text without this step."""
    whole = read(text)
    m = correction_at(text)
    if m is None or not text[m.end():].strip():
        return whole
    later = read(text[m.end():])
    said = " ".join(m.group(0).split()).strip("(.;!? ")
    if later.cls == schema.HARD_NO:
        return dataclasses.replace(later, rule=f'{later.rule}; after a correction ("{said}")')
    if later.cls != schema.SOFT_NO or whole.cls == schema.UNCLASSIFIED:
        return whole
    if whole.cls == schema.HARD_NO:
        return dataclasses.replace(
            whole, cls=schema.UNCLASSIFIED, category=schema.UNCLASSIFIED,
            rule=f'{whole.rule}, then a correction ("{said}") reads {later.category}: {later.rule}; '
                 "a person decides hard-no or soft-no")
    return dataclasses.replace(later, rule=f'{later.rule}; after a correction ("{said}"), the words before it set aside')
