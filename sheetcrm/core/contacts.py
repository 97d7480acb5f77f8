"""Emails and phones (DESIGN §2): a fast path for plain email addresses, the full
parsers (email-validator, phonenumbers) for everything else."""
from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import privacy, schema
from ..config import Settings
from .columns import cell_text, log_unique_errors
from .distinct import factorise, parse_uniques, take
from .issues import IssueLog


def check_email(text: str) -> str:
    """Normalised address (lowercase), or ValueError with email-validator's reason."""
    if plain_addresses([text])[0]:
        return privacy.normalise_email(text)
    from email_validator import EmailNotValidError, validate_email

    try:
        info = validate_email(text, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValueError(str(exc)) from None
    return privacy.normalise_email(info.normalized)


# Kinds of byte for plain_addresses: letters and digits, then the characters its rules look at.
_LETTER, _DIGIT, _HYPHEN, _UNDERSCORE_OR_PLUS, _DOT, _AT, _END, _OTHER = range(8)
_KIND = np.full(256, _OTHER, dtype=np.uint8)
for _chars, _kind in ((string.ascii_letters, _LETTER), (string.digits, _DIGIT), ("-", _HYPHEN),
                      ("_+", _UNDERSCORE_OR_PLUS), (".", _DOT), ("@", _AT), ("\n", _END)):
    _KIND[list(_chars.encode("ascii"))] = _kind


def plain_addresses(texts: list[Any]) -> np.ndarray:
    """Which texts are plain addresses that skip email-validator's slower full check: a strict
    ASCII subset of what it accepts (tested against it). A plain address has at most 254
    characters; a local part of 1 to 64 of ``a-z 0-9 _ + - .``, no dot first, last or twice in
    a row; one ``@``; a domain of two or more labels, each 1 to 63 of ``a-z 0-9 -`` with no
    hyphen first or last and no two in a row, the last label 2 to 24 letters and no special-use
    name (``.test``, ``.local``, ...). Case does not matter. Decided for all texts at once from
    the positions of their non-letters: a regular expression per address took 0.1 s per 100,000."""
    n = len(texts)
    if not n:
        return np.zeros(0, dtype=bool)
    cells = [t if t.__class__ is str else "" for t in texts]
    joined = "\n".join(cells) + "\n"
    if not (joined.isascii() and joined.count("\n") == n):
        cells = [t if t.isascii() and "\n" not in t else "" for t in cells]
        joined = "\n".join(cells) + "\n"
    kind = _KIND[np.frombuffer(joined.encode("ascii"), dtype=np.uint8)]
    pos = np.flatnonzero(kind != _LETTER)  # each text ends in a newline, so each has one entry at least
    k = kind[pos]
    end, at, dot, hyphen = k == _END, k == _AT, k == _DOT, k == _HYPHEN
    line = np.cumsum(end) - end  # the text each entry is in
    ends = np.flatnonzero(end)  # one per text
    ats = np.cumsum(at)
    domain = (ats - np.r_[0, ats[ends][:-1]][line] > 0) & ~at  # after the text's first @
    bad = (k == _OTHER) | (domain & (k == _UNDERSCORE_OR_PLUS))
    k2 = np.r_[k[1:], _END]
    dot2, hyphen2 = k2 == _DOT, k2 == _HYPHEN
    bad |= np.r_[pos[1:] == pos[:-1] + 1, False] & (  # two characters in a row
        (dot & (dot2 | (k2 == _AT))) | (at & (dot2 | hyphen2))
        | (domain & ((dot & hyphen2) | (hyphen & (dot2 | hyphen2)))))
    sep = np.flatnonzero(dot | at | end)  # label ends; a label longer than 63 fails
    bad[sep[1:]] |= domain[sep[1:]] & (np.diff(pos[sep]) > 64)
    ok = (np.bincount(line[at], minlength=n) == 1) & (np.bincount(line[bad], minlength=n) == 0)
    start = np.r_[0, pos[ends][:-1] + 1]
    local = np.full(n, -1)
    local[line[at][ok[line[at]]]] = pos[at][ok[line[at]]]
    local -= start
    last = np.maximum(ends - 1, 0)  # the top-level domain: letters only after the last dot
    tld = pos[ends] - pos[last] - 1
    ok &= (local >= 1) & (local <= 64) & (kind[start] != _DOT) & (pos[ends] - start <= 254) & (ends > 0) & (line[last] == np.arange(n))
    ok &= dot[last] & domain[last] & (tld >= 2) & (tld <= 24)
    for i in np.flatnonzero(ok & np.isin(tld, [len(d) for d in _SPECIAL_USE])).tolist():
        ok[i] = cells[i].rpartition(".")[2].lower() not in _SPECIAL_USE
    return ok


def _special_use() -> frozenset[str]:
    try:
        from email_validator import SPECIAL_USE_DOMAIN_NAMES
    except ImportError:  # pragma: no cover
        return frozenset({"arpa", "invalid", "local", "localhost", "onion", "test"})
    return frozenset(d.lower() for d in SPECIAL_USE_DOMAIN_NAMES)


_SPECIAL_USE = _special_use()


def check_emails(log: IssueLog, cands: pd.DataFrame) -> None:
    codes, uniques = factorise(cands["email"])  # the typed text: stripped, one per distinct address
    plain = plain_addresses(uniques)
    parsed: list[Any] = [privacy.normalise_email(u) if p else None for u, p in zip(uniques, plain.tolist())]
    errs: list[str | None] = [None] * len(uniques)
    others = np.flatnonzero(~plain).tolist()
    for i, value, err in zip(others, *parse_uniques([uniques[i] for i in others], check_email)):
        parsed[i], errs[i] = value, err
    log_unique_errors(log, schema.CANDIDATES, "email", cands.index, codes, uniques, errs, "error",
                       lambda v, e: f"email is not a valid address: {e}")
    cands["email_norm"] = take(parsed, codes, cands.index)


def check_phones(log: IssueLog, cands: pd.DataFrame, settings: Settings,
                 known: Mapping[str, str | None] | None = None) -> None:
    """An unreadable phone is a warning: people type numbers with notes and extensions
    that a person can still dial; only duplicate detection loses it. ``known``: texts
    read already (:func:`read_phones`, e.g. in another process), not read again."""
    codes, uniques = factorise(cands["phone"])
    region = settings.phone_region

    def e164(v: Any) -> str:
        out = known.get(v, _UNREAD) if known is not None and v.__class__ is str else _UNREAD
        if out is _UNREAD:
            out = phone_e164(v, region)
        if out is None:
            raise ValueError("unreadable")
        return out
    parsed, errs = parse_uniques(uniques, e164)
    log_unique_errors(log, schema.CANDIDATES, "phone", cands.index, codes, uniques, errs, "warning",
                       lambda v, e: f"phone is not a phone number I can read (region {region}); "
                                    "write it as +44 7700 900123")
    cands["phone_e164"] = take(parsed, codes, cands.index)


_UNREAD = object()


def phone_e164(text: str, region: str) -> str | None:
    """A phone cell's text as E.164, or None when it is not a number we can read."""
    # phonenumbers' public parser for every number: a fast path of our own needed its private
    # functions and saved under a second per 100,000 distinct numbers
    return privacy.normalise_phone(text, region) if len(text) <= 100 else None


def read_phones(cells: Iterable[Any], region: str) -> dict[str, str | None]:
    """:func:`phone_e164` of every text validation may type from these raw phone cells
    (``cell_text``), each once: what :func:`check_phones` reads, computed ahead (issue 20:
    in the reasons child of a sync, while this process validates)."""
    texts = {text for text in map(cell_text, cells) if text is not None}
    return {text: phone_e164(text, region) for text in texts}
