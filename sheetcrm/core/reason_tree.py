"""Pure: a rule's phrase tree compiled without writing its regex text and parsing it back.

Most of what compiling a phrase tree (``reason_rules._trie_regex``) costs is re's
parser reading the text character by character in Python; the first sync compiles
some 130 trees of up to 4,000 characters. The tree is known piece by piece already,
so :func:`compile_phrases` hands re the parsed form directly, made exactly as the
parser makes it: the same code, so the same matches (``tests/test_reason_tree.py``
compares the code with that of the parsed text for every rule). Where the parser
reads it otherwise (another Python), :func:`compile_phrases` says so once and the
text is compiled as before.
"""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from re import _compiler as _sre_compiler
from re import _constants as _sre
from re import _parser as _sre_parser
from typing import Any

from .reason_rules import _RIGHT, _phrase_tokens, _trie_regex

SubPattern = _sre_parser.SubPattern


def trie(phrases: Sequence[list[str]]) -> dict:
    """Phrases (regex pieces, the last one the ending) as the prefix tree ``_trie_regex`` writes."""
    root: dict = {}
    for pieces in phrases:
        node = root
        for piece in pieces[:-1]:
            node = node.setdefault(piece, {})
        node.setdefault("", set()).add(pieces[-1])
    return root


def phrase_pieces(phrases: Sequence[str], plural: bool) -> list[list[str]]:
    return [_phrase_tokens(p, plural) for p in phrases]


def phrase_text(phrases: Sequence[str], plural: bool = True) -> str:
    """Normalised phrases (or stemmed ones: no plural ending) as one prefix-tree regex."""
    return _trie_regex(phrase_pieces(phrases, plural)) + _RIGHT


@functools.lru_cache(maxsize=256)
def _piece(piece: str) -> tuple:
    """One piece as parsed items: a character (escaped or not) is a literal, anything else
    (a run of spaces, an ending) is parsed once. The items are shared by every place the
    piece is at; the parser makes new ones at each place, which could only matter where it
    merges alternatives that start alike (it compares sub-patterns by identity), and the
    alternatives of a tree node never do: each starts with a piece of its own."""
    if len(piece) == 1 and piece not in _sre_parser.SPECIAL_CHARS:
        return ((_sre.LITERAL, ord(piece)),)
    if len(piece) == 2 and piece[0] == "\\" and not (piece[1].isascii() and piece[1].isalnum()):
        return ((_sre.LITERAL, ord(piece[1])),)  # re.escape's: a backslash before a sign
    return tuple(_sre_parser.parse(piece).data)


def _alternatives(alts: list[list], state: Any) -> list:
    """``(?:a|b|…)`` as the parser reads it (``re._parser._parse_sub``): a prefix all
    alternatives share is moved out, single characters become a set; the group is unpacked."""
    items = [SubPattern(state, a) for a in alts]
    out = SubPattern(state)
    while True:
        prefix = None
        for item in items:
            if not item:
                break
            if prefix is None:
                prefix = item[0]
            elif item[0] != prefix:
                break
        else:
            for item in items:
                del item[0]
            out.append(prefix)
            continue
        break
    chars = []
    for item in items:
        if len(item) != 1:
            break
        op, av = item[0]
        if op is _sre.LITERAL:
            chars.append((op, av))
        elif op is _sre.IN and av[0][0] is not _sre.NEGATE:
            chars.extend(av)
        else:
            break
    else:
        out.append((_sre.IN, list(dict.fromkeys(chars))))
        return out.data
    out.append((_sre.BRANCH, (None, items)))
    return out.data


def _emit(node: dict, out: list, state: Any) -> None:
    """``_trie_regex``'s emit, as parsed items appended to `out` instead of text."""
    while len(node) == 1:  # one way on: no group, the pieces follow each other
        piece, child = next(iter(node.items()))
        if piece == "":
            if len(child) != 1:
                break
            out.extend(_piece(next(iter(child))))  # a phrase's end, nothing longer: its ending
            return
        out.extend(_piece(piece))
        node = child
    children = [(piece, child) for piece, child in node.items() if piece != ""]
    endings = sorted(node.get("", ()), key=len, reverse=True)
    alts = []
    for piece, child in children:
        alt = list(_piece(piece))
        _emit(child, alt, state)
        alts.append(alt)
    alts += [list(_piece(ending)) for ending in endings]
    out.extend(_alternatives(alts, state))


def phrase_tree(phrases: Sequence[str], plural: bool = True) -> Any:
    """What ``re._parser.parse(phrase_text(phrases, plural))`` gives, without the text."""
    state = _sre_parser.State()
    state.flags = _sre_parser.fix_flags("", 0)
    out: list = []
    _emit(trie(phrase_pieces(phrases, plural)), out, state)
    return SubPattern(state, out + list(_piece(_RIGHT)))


# phrases with every shape a tree has: spaces, `*`, plural endings, words of one letter,
# escaped characters, a phrase inside another, alternatives that are single characters
_SAMPLE = ("no fit", "no fits", "not a fit", "c++", "c#", "$$", "relocat*", "a", "b", "ab", "abc*", "x y z",
           "o'neil", "très bien", "no", "n")


@functools.cache
def _trees_as_parsed() -> bool:
    """Whether this Python's parser reads phrase trees as :func:`phrase_tree` makes them."""
    try:
        return all(_sre_compiler._code(phrase_tree(_SAMPLE, plural), 0)
                   == _sre_compiler._code(_sre_parser.parse(phrase_text(_SAMPLE, plural)), 0)
                   and phrase_tree(_SAMPLE, plural).state.flags == _sre_parser.parse(phrase_text(_SAMPLE, plural)).state.flags
                   for plural in (True, False))
    except Exception:  # noqa: BLE001  (another Python's internals: then the text is compiled)
        return False


def compile_phrases(phrases: Sequence[str], plural: bool = True) -> re.Pattern:
    """``re.compile(phrase_text(phrases, plural))``, without writing and parsing the text."""
    if not _trees_as_parsed():
        return re.compile(phrase_text(phrases, plural))
    return _sre_compiler.compile(phrase_tree(phrases, plural), 0)
