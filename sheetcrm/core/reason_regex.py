"""Pure: what a rule's regex says about its matches, read by our own small reader.

The rule engine skips a regex search when a text cannot hold a match, so it needs to
know which literal texts every match holds (:func:`needed`) and what the words a
match can start with begin with (:func:`first_words`). :func:`read` reads the regex
syntax the rules use: literal characters and escapes, groups ``(…)`` ``(?:…)``
``(?P<n>…)`` ``(?>…)``, alternation, quantifiers ``? * + {m,n}`` (also lazy and
possessive), classes ``[…]``, ``\\b \\s \\w \\d`` and their capitals, ``.``, anchors and
look-arounds. Anything else (flags, back-references, conditionals, comments, an escape
it does not know) makes it answer None, "unknown": no requirement, the rule is always
searched, which is always right. It does not check that a regex is valid: the rule
compiler has ``re.compile`` do that first.

The tree is shaped as re's own parser shapes it where that changes a reading, so the
readings are those of the engine's earlier reader over re's private parser (recorded
in ``tests/data/regex_reading_729c883.json``): a group without capture is spliced into
its sequence, what all alternatives start with is taken out in front of them, and
alternatives of one character each are one class. Two readings are mended, where the old
one was wrong: a word starting with ``\\d`` may start with any script's digit ("٣"), not
0-9 only, and the word of a repeated group is not read on into what follows it
(``\\b(?:ab)+c`` matches "ababc": its words start "ab", not "abc").

A tree is a list of items: a ``str`` is a run of literal characters; a tuple is a
single-character item, compared by value (("at", c) an anchor, ("any",) a dot,
("in", negated, members) a class, ("nl", c) one character but c); a :class:`_Node` is a
group, repetition, alternation or look-around (never equal to another, as in re's tree).
"""
from __future__ import annotations

import functools
import os
import re
from collections.abc import Sequence

# In a set of needed texts: "a digit" (what `\d` matches, any script's decimal digits)
DIGIT = "\x00\\d"
_ASCII_DIGITS = frozenset("0123456789")
_STOP = ("at", "stop")  # ends a word being read (first_words)
_TOKEN = re.compile(
    r"([^\\\[{()*+?^$|.]+)"                              # 1 literal characters
    r"|(\\(x[0-9A-Fa-f]{2}|[\s\S]?))"                     # 2 an escape (3: what follows the backslash)
    r"|(\[(\^?)(\]?(?:\\[\s\S]|[^\\\]\[])*)\])"           # 4 a class (5: negated, 6: its members)
    r"|(\((?!\?)|\(\?(:|>|=|!|<=|<!|P<[^\W\d]\w*>))"      # 7 a group opens (8: its kind; none: it captures)
    r"|(\))"                                              # 9 a group closes
    r"|((?:([?*+])|\{(\d*)(,?)(\d*)\})([?+]?))"           # 10 a quantifier (11 ?*+, 12-14 {m,n}, 15 lazy/possessive)
    r"|([|.^$])"                                          # 16
    r"|([\s\S])")                                         # 17 anything else: not read
_OUTSIDE = {  # escape -> item, outside a class
    "b": ("at", "b"), "B": ("at", "B"), "A": ("at", "A"), "Z": ("at", "Z"),
    **{c: ("in", False, (("c", c),)) for c in "dDsSwW"},
    "n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a",
}
_INSIDE = {**{c: ("c", c) for c in "dDsSwW"}, "n": "\n", "t": "\t", "r": "\r", "f": "\f", "v": "\v", "a": "\a",
           "b": "\b"}
_HEX = re.compile(r"x[0-9A-Fa-f]{2}")
_ALNUM = re.compile(r"[^\W_]*")  # str.isalnum, as re's \w without "_"


class _Node:
    """A group ("group", "atomic", "look"), a repetition ("repeat", "possessive": ``low``
    times at least, ``high`` at most, None: no limit) of ``body``, or an alternation
    ("branch": ``body`` is the alternatives)."""
    __slots__ = ("body", "high", "kind", "low")

    def __init__(self, kind: str, body: list, low: int = 1, high: int | None = 1):
        self.kind, self.body, self.low, self.high = kind, body, low, high


def _escaped(what: str, table: dict) -> str | tuple | None:
    if what in table:
        return table[what]
    if _HEX.fullmatch(what):
        return chr(int(what[1:], 16))
    if len(what) == 1 and not (what.isascii() and what.isalnum()):
        return what  # an escaped sign stands for itself
    return None  # a back-reference, \u…, \N{…}, an octal: not read


def _class(negated: str, body: str) -> str | tuple | None:
    """A class's members, as re's parser lists them (a range only between two characters)."""
    members: list = []
    i, n = 0, len(body)
    while i < n:
        if body[i] == "\\":
            what = body[i + 1:i + 4] if body[i + 1:i + 2] == "x" else body[i + 1:i + 2]
            first, i = _escaped(what, _INSIDE), i + 1 + len(what)
            if first is None:
                return None
        else:
            first, i = body[i], i + 1
        if i + 1 < n and body[i] == "-":  # a range (a "-" last is itself)
            if body[i + 1] == "\\":
                what = body[i + 2:i + 5] if body[i + 2:i + 3] == "x" else body[i + 2:i + 3]
                last, i = _escaped(what, _INSIDE), i + 2 + len(what)
            else:
                last, i = body[i + 1], i + 2
            if type(first) is not str or type(last) is not str or last < first:
                return None
            members.append(("r", first, last))
        else:
            members.append(("l", first) if type(first) is str else first)
    members = list(dict.fromkeys(members))
    if len(members) == 1 and members[0][0] == "l":
        return ("nl", members[0][1]) if negated else members[0][1]
    return ("in", bool(negated), tuple(members))


def read(pattern: str) -> list | None:
    """The regex as a tree (see the module's text), or None where it writes what is not read."""
    open_groups: list[tuple[str | None, list, list]] = []  # per group around: kind, alternatives and sequence outside
    alternatives: list[list] = []
    sequence: list = []  # a list in it is a group without capture, spliced in at the end
    for m in _TOKEN.finditer(pattern):
        token = m.lastindex
        if token == 1:
            sequence.append(m.group(1))
        elif token == 2 or token == 4:
            item = _escaped(m.group(3), _OUTSIDE) if token == 2 else _class(m.group(5), m.group(6))
            if item is None:
                return None
            sequence.append(item)
        elif token == 7:
            open_groups.append((m.group(8), alternatives, sequence))
            alternatives, sequence = [], []
        elif token == 9:
            if not open_groups:
                return None
            kind, alternatives_out, sequence_out = open_groups.pop()
            body = _alternation([*alternatives, _spliced(sequence)])
            alternatives, sequence = alternatives_out, sequence_out
            sequence.append(body if kind == ":" else _Node(_GROUPS.get(kind, "group"), body))
        elif token == 10:
            if not _repeat(sequence, m):
                return None
        elif token == 16:
            sign = m.group(16)
            if sign == "|":
                alternatives.append(_spliced(sequence))
                sequence = []
            else:
                sequence.append(("any",) if sign == "." else ("at", sign))
        else:
            return None
    return None if open_groups else _alternation([*alternatives, _spliced(sequence)])


_GROUPS = {None: "group", ">": "atomic", "=": "look", "!": "look", "<=": "look", "<!": "look"}  # else (?P<n>: "group"


def _repeat(sequence: list, m: re.Match) -> bool:
    """The last item repeated (of a run of characters, its last character); False where
    re would refuse it (nothing to repeat, a repeat repeated, ``{}``)."""
    if not sequence or (type(sequence[-1]) is tuple and sequence[-1][0] == "at"):
        return False
    last = sequence[-1]
    if type(last) is _Node and last.kind in ("repeat", "possessive"):
        return False
    sign, low, comma, high = m.group(11, 12, 13, 14)
    if sign is None and not low and not comma:
        return False  # "{}" is two characters to re: not read
    if sign:
        low_n, high_n = (1 if sign == "+" else 0), (1 if sign == "?" else None)
    else:
        low_n = int(low or 0)
        high_n = (int(high) if high else None) if comma else low_n
    if type(last) is str and len(last) > 1:
        sequence[-1], body = last[:-1], [last[-1]]
    else:
        sequence.pop()
        body = last if type(last) is list else [last]
    sequence.append(_Node("possessive" if m.group(15) == "+" else "repeat", body, low_n, high_n))
    return True


def _spliced(sequence: list) -> list:
    """Groups without capture spliced in, and runs of characters that then touch joined."""
    out: list = []
    for item in sequence:
        for part in item if type(item) is list else (item,):
            if type(part) is str and out and type(out[-1]) is str:
                out[-1] += part
            else:
                out.append(part)
    return out


def _alternation(alternatives: list[list]) -> list:
    """Alternatives as one sequence: what they all start with first, then a class (each is
    one character) or a branch."""
    if len(alternatives) == 1:
        return alternatives[0]
    out: list = []
    while all(alternatives):
        firsts = [a[0] for a in alternatives]
        if all(type(f) is str for f in firsts):
            common = os.path.commonprefix(firsts)
            if not common:
                break
            for a in alternatives:
                a[0:1] = [a[0][len(common):]] if len(a[0]) > len(common) else []
            if out and type(out[-1]) is str:
                out[-1] += common
            else:
                out.append(common)
        elif type(firsts[0]) is tuple and all(f == firsts[0] for f in firsts):
            for a in alternatives:
                del a[0]
            out.append(firsts[0])
        else:
            break
    members: list = []
    for a in alternatives:
        if len(a) != 1:
            break
        if type(a[0]) is str and len(a[0]) == 1:
            members.append(("l", a[0]))
        elif type(a[0]) is tuple and a[0][0] == "in" and not a[0][1]:
            members += a[0][2]
        else:
            break
    else:
        return [*out, ("in", False, tuple(dict.fromkeys(members)))]
    return [*out, _Node("branch", alternatives)]


@functools.cache
def _any_digit() -> frozenset[str]:
    """What `\\d` matches: the decimal digits of every script ("٣", "५", not only 0-9). All
    lie below U+20000 (tests/test_reason_regex.py checks every code point): 3 ms, not 25."""
    return frozenset(ch for ch in map(chr, range(0x20000)) if ch.isdecimal())


def _digits(item: tuple) -> bool:
    """A class of digits only (`\\d`, `[0-9]`, `[1-4]`)."""
    return item[0] == "in" and not item[1] and all(
        m == ("c", "d") or m[0] == "r" and "0" <= m[1] <= m[2] <= "9" for m in item[2])


# ---------------------------------------------------------------- what every match holds

def needed(items: Sequence) -> frozenset[str] | None:
    """Texts of which every match of the sequence holds one: its most telling run of
    characters or one of its parts' sets (the longest shortest text wins, then the
    fewest texts); None when none is known."""
    best = None
    for item in items:
        got = frozenset((item,)) if type(item) is str else _item_needed(item)
        if got and (best is None or _telling(got) > _telling(best)):
            best = got
    return best


def _telling(texts: frozenset[str]) -> tuple:
    """Longer texts are rarer; a digit is rarer in a reason than any one letter."""
    return min(1.5 if t == DIGIT else len(t) for t in texts), -len(texts)


def _item_needed(item: tuple | _Node) -> frozenset[str] | None:
    if type(item) is tuple:
        if item[0] != "in" or item[1]:
            return None
        if len(item[2]) <= 8 and all(m[0] == "l" for m in item[2]):
            return frozenset(m[1] for m in item[2])
        return frozenset((DIGIT,)) if _digits(item) else None
    kind = item.kind
    if kind == "group" or kind == "atomic" or (kind in ("repeat", "possessive") and item.low >= 1):
        return needed(item.body)
    if kind == "branch":
        each = [needed(a) for a in item.body]
        return None if any(e is None for e in each) else frozenset().union(*each)
    return None  # a look-around, or a repeat that may match nothing


# ---------------------------------------------------------------- how a match starts

def first_words(items: list) -> set[str] | None:
    """What the word a match of the sequence starts with begins with (its first letters
    and digits); None when not known (it may start otherwise)."""
    if not items:
        return None
    item, rest = items[0], items[1:]
    if type(item) is str:
        word = ""
        for run in items:
            if type(run) is not str:
                break
            head = _ALNUM.match(run).end()
            word += run[:head]
            if head < len(run):
                break
        return {word} if word else None
    if type(item) is tuple:
        if not _digits(item):
            return None
        return set(_any_digit() if ("c", "d") in item[2] else _ASCII_DIGITS)  # \\d: any script's digits
    if item.kind == "group":
        return first_words(item.body + rest)
    if item.kind == "repeat":
        # repeated, the body's word may go on with the body again, not with what follows
        got = first_words(item.body + (rest if item.high == 1 else [_STOP]))
        if item.low == 0 and got is not None:  # optional: the match may also start after it
            after = first_words(rest)
            got = None if after is None else got | after
        return got
    if item.kind == "branch":
        out: set[str] = set()
        for alternative in item.body:
            got = first_words(alternative + rest)
            if not got:
                return None
            out |= got
        return out
    return None
