"""Owned tabs laid out for people: widths from content, long text wrapped, numbers
right-aligned (pure; backends turn these hints into their own formatting).

Widths are in characters of the sheet's body font, as spreadsheets count them. A
column is as wide as its widest value plus a margin, never wider than ``WRAP_AT``;
text longer than that wraps inside its cell and the row is made tall enough for
all its lines, so nothing is cut off where the next column holds a value.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import math
import re
import string
import textwrap
from typing import Any

import numpy as np

from ..schema import OwnedTab

WRAP_AT = 60  # characters: wider columns make a tab hard to scan; longer text wraps
MIN_WIDTH = 8
DATE_WIDTH = 10  # yyyy-mm-dd
NUMBER_WIDTH = 9
# Rendered glyphs run wider than their count (capitals, bold, fallback fonts): the margin
# keeps a value whole in Excel, LibreOffice and Google Sheets alike.
SLACK = 1.15


def shown_length(value: Any) -> int:
    """How many characters a value takes when a spreadsheet shows it."""
    if value is None:
        return 0
    if isinstance(value, (dt.date, dt.datetime)):
        return DATE_WIDTH
    if isinstance(value, bool):
        return 5
    if isinstance(value, float):
        return min(NUMBER_WIDTH, len(f"{value:.4g}"))
    return len(str(value))


def width_for(longest: int) -> float:
    return float(min(WRAP_AT, max(MIN_WIDTH, math.ceil(longest * SLACK) + 2)))


def lines_in(value: Any, width: float) -> int:
    """Lines a wrapped cell needs at this column width (words are not split)."""
    if not isinstance(value, str) or not value:
        return 1
    per_line = max(4, int((width - 2) / SLACK))
    if len(value) <= per_line and "\n" not in value and "\t" not in value:
        return 1  # fits on one line as it is (a tab would expand, a newline breaks)
    return sum(max(1, _wrapped_lines(part, per_line)) for part in value.split("\n"))


# Where textwrap could split other than at spaces: other whitespace (tabs expand, unicode spaces
# strip), a hyphen between letters, a double dash. Text without these is split at spaces only.
_NOT_PLAIN = re.compile(r"[^\S ]|[^\d\W]-[^\d\W]|--")
_SPACES = re.compile(r" +")
_WORD = re.compile(r"[^ ]+")


def _wrapped_lines(text: str, width: int) -> int:
    """``len(textwrap.wrap(text, width))`` (break_long_words, hyphens, whitespace dropped
    at line ends), counted line by line for text whose chunks are its words and runs of
    spaces: textwrap's greedy rule on positions instead of on a list of chunks."""
    if _NOT_PLAIN.search(text):
        return len(textwrap.wrap(text, width, break_long_words=True))
    n, p, lines = len(text), 0, 0
    while p < n:
        if lines and text[p] == " ":  # a line after the first does not start with spaces
            p = _SPACES.match(text, p).end()
            if p == n:
                break
        q = n if p + width >= n else _last_break(text, p, p + width)
        piece = None
        if q < n:
            run = (_SPACES if text[q] == " " else _WORD).match(text, q).end()
            if run - q > width:  # too long for any line: the part that fits goes on this one
                end = width - (q - p)
                hyphen = text.rfind("-", q, q + end) - q
                if hyphen > 0 and text[q:q + hyphen].strip("-"):
                    end = hyphen + 1
                piece = text[q:q + end]
        if piece is not None:
            filled = q > p or (piece != "" and piece[0] != " ")
        else:
            filled = q > p and text[p:q].strip(" ") != ""
        lines += filled
        p = q + (len(piece) if piece is not None else 0)
    return lines


def _last_break(text: str, p: int, e: int) -> int:
    """The last chunk boundary in (p, e] when text[e] does not fit on the line (or p)."""
    if text[e] == " ":
        start = p + len(text[p:e].rstrip(" "))
        return e if text[e - 1] != " " else (start if start > p else p)
    k = text.rfind(" ", p, e)
    return k + 1 if k >= p else p


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def readable(tab: OwnedTab, header_rows: int = 1) -> OwnedTab:
    """``tab`` with widths (where it has none), wrapped long-text columns, the line
    count of each taller row, and number columns right-aligned (their header too)."""
    width = max((len(r) for r in tab.rows), default=0)
    columns = list(itertools.zip_longest(*tab.rows)) if width else []  # a short row reads as blanks
    longest = [_longest(col) for col in columns]
    seen = [any(v not in (None, "") for v in col[header_rows:]) for col in columns]
    numeric = [_numeric(col[header_rows:]) for col in columns]
    widths = tuple(tab.widths) if tab.widths else tuple(width_for(n) for n in longest)
    wrap = tuple(c for c in range(1, width + 1)
                 if c <= len(widths) and widths[c - 1] and math.ceil(longest[c - 1] * SLACK) + 2 > widths[c - 1])
    # Each row's most lines over the wrapped columns, in arrays by row number: no dict
    # merged and sorted cell by cell (the Issues tab has a taller row per person at 100k).
    most = np.ones(len(tab.rows) + 1, dtype=np.int64)
    for c in wrap:
        rows, lines = _taller_cells(columns[c - 1], widths[c - 1])
        most[rows] = np.maximum(most[rows], lines)
    taller = np.flatnonzero(most > 1)
    row_lines = dict(zip(taller.tolist(), most[taller].tolist()))
    right = tuple(sorted(set(tab.align_right) | {c + 1 for c in range(width) if seen[c] and numeric[c]}))
    return dataclasses.replace(tab, widths=widths, wrap_columns=wrap, row_lines=row_lines, align_right=right)


def _longest(column: tuple[Any, ...]) -> int:
    """The longest shown value of a column (texts measured in one pass, in C; a whole
    number is as long as the longer of the column's largest and smallest; a date is DATE_WIDTH)."""
    kinds = set(map(type, column))
    if kinds <= {str}:  # all text (most columns): measured without a list of them
        return max(map(len, column), default=0)
    texts = [v for v in column if v.__class__ is str]
    n = max(map(len, texts), default=0)
    ints = [v for v in column if v.__class__ is int]
    if ints:
        n = max(n, len(str(max(ints))), len(str(min(ints))))
    kinds -= {str, int, type(None)}
    if kinds and kinds <= {dt.date, dt.datetime}:
        return max(n, DATE_WIDTH)
    return max(n, max((shown_length(v) for v in column if v is not None and v.__class__ is not str
                       and v.__class__ is not int), default=0))


_NUMBER_CLASSES = frozenset({type(None), int, float})


def _numeric(values: tuple[Any, ...]) -> bool:
    """``all(is_number(v) for v in values if v not in (None, ""))``; a column of only
    blanks and plain numbers is told by the classes it holds, without a test per value."""
    if set(map(type, values)) <= _NUMBER_CLASSES:
        return True
    return all(is_number(v) for v in values if v not in (None, ""))


def _taller_cells(column: tuple[Any, ...], width: float) -> tuple[np.ndarray, np.ndarray]:
    """(rows, lines) of the cells of one wrapped column that need more than one line;
    each distinct text is wrapped once, a text that fits is not wrapped at all, and
    texts of one form (:data:`_SAME_WRAP`: issue messages that differ in an id or a
    row number) are wrapped once between them."""
    per_line = max(4, int((width - 2) / SLACK))
    by_form: dict[str, int] = {}
    taller: dict[str, int] = {}
    for value in _distinct_texts(column):
        if len(value) <= per_line and "\n" not in value and "\t" not in value:
            continue
        form = value.translate(_SAME_WRAP)
        lines = by_form.get(form)
        if lines is None:
            lines = by_form[form] = lines_in(form, width)
        if lines > 1:
            taller[value] = lines
    if not taller:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.int64)
    try:  # 0 for any cell that is not a taller text
        lines = np.fromiter(map(taller.get, column, itertools.repeat(0)), np.int64, len(column))
    except TypeError:  # a cell holds something unhashable (not text: never taller)
        lines = np.array([taller[v] if isinstance(v, str) and v in taller else 0 for v in column], dtype=np.int64)
    at = np.flatnonzero(lines)
    return at + 1, lines[at]  # rows count from 1


# Wrapping (textwrap's rules, and _wrapped_lines') looks at whitespace, hyphens, the
# sentence marks and whether a character is a letter, a digit or neither, never at
# which letter or digit it is: every ASCII letter read as "a" and every ASCII digit as
# "0" leaves the number of lines as it was (tests/test_readable.py checks it).
_SAME_WRAP = str.maketrans(string.ascii_letters + string.digits, "a" * 52 + "0" * 10)


def _distinct_texts(column: tuple[Any, ...]) -> list[str]:
    """The column's text values, each once."""
    try:
        return [v for v in set(column) if isinstance(v, str)]
    except TypeError:  # a cell holds something unhashable (not text: never wrapped)
        return list({v: None for v in column if isinstance(v, str)})
