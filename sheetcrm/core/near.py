"""The closest of many strings, as difflib says, found fast (pure)."""
from __future__ import annotations

import difflib
from collections.abc import Sequence


def closest(word: str, possibilities: Sequence[str], cutoff: float) -> str | None:
    """``difflib.get_close_matches(word, possibilities, n=1, cutoff)``'s answer (or None),
    without comparing ``word`` with every possibility in Python.

    difflib's ratio (2·M/T, M the characters of its matching blocks) is never above the
    Indel ratio (2·LCS/T) that rapidfuzz computes in C, since the blocks form a common
    subsequence. So rapidfuzz names the possibilities that can reach ``cutoff``, best
    bound first, and difflib scores them until no bound can beat (or tie) the best score."""
    from rapidfuzz import fuzz, process

    near = process.extract(word, possibilities, scorer=fuzz.ratio, processor=None, limit=None,
                           score_cutoff=max(0.0, cutoff * 100 - 1e-3))
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    best: tuple[float, str] | None = None
    for x, bound, _ in near:
        if best is not None and bound / 100 < best[0] - 1e-9:
            break  # sorted by bound: nothing further can reach the best score
        matcher.set_seq1(x)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff and matcher.ratio() >= cutoff:
            best = max(best or (-1.0, ""), (matcher.ratio(), x))  # ties: the larger string, as difflib's heap
    return best[1] if best is not None else None
