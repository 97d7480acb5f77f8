"""Similar names in the same location (DESIGN §2, issue 20): the blocked, vectorised
search finds exactly the pairs a plain all-pairs comparison finds."""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st
from rapidfuzz import fuzz

from sheetcrm.core.columns import split_location
from sheetcrm.core.duplicate_people import NAME_SIMILARITY, _blocks, _similar_names, location_codes, location_key, name_key

WORDS = ["ada", "Ada", "adda", "lovelace", "lovelase", "love lace", "Zoë", "zoe", "O'Brien", "obrien", "jon", "john",
         "hana", "jana", "x", "j", "lovelacey", "Ångström", "angstrom", "van der", "berg", "bergh", "li", "lee", "  ", "-", "12"]
PLACES = ["London, UK", "london ,uk", "Berlin, Germany", "Remote", "wfh", "Paris", "", None]


def people_frame(names: list, places: list, rows: list[int]) -> pd.DataFrame:
    parts = [split_location(p) for p in places]
    return pd.DataFrame({"name": names, "city": [p[0] for p in parts], "country": [p[1] for p in parts],
                         "remote": [p[2] for p in parts]}, index=pd.Index(rows, dtype="int64"))


def plain_similar_names(people: pd.DataFrame) -> list[tuple[int, int]]:
    """The rule, all pairs: each row, with the earliest first row among the distinct
    (location, name key)s that share a word of two letters or more with its own and
    whose ratio is at least NAME_SIMILARITY (its own included)."""
    locs, keys = location_key(people).tolist(), [name_key(n) for n in people["name"]]
    entries = [(r, l, k) for r, l, k in zip(people.index.tolist(), locs, keys) if pd.notna(l) and k != ""]
    if len(entries) < 2:
        return []
    first: dict[tuple[str, str], int] = {}
    for r, l, k in entries:
        first[(l, k)] = min(first.get((l, k), r), r)
    best = dict(first)
    for g in first:
        for h, h_first in first.items():
            shares = {w for w in g[1].split() if len(w) >= 2} & set(h[1].split())
            if g != h and g[0] == h[0] and shares and fuzz.ratio(g[1], h[1]) >= NAME_SIMILARITY:
                best[g] = min(best[g], h_first)
    return sorted((r, best[(l, k)]) for r, l, k in entries if best[(l, k)] < r)


def fast_similar_names(people: pd.DataFrame) -> list[tuple[int, int]]:
    found = _similar_names(people, pd.Series(people.index, index=people.index))
    return [] if found is None else sorted(zip(found["row"].tolist(), found["earlier"].tolist()))


def _random_name(rng: random.Random) -> object:
    if rng.random() < 0.05:
        return rng.choice([None, 12.0, 7, ""])
    words = [rng.choice(WORDS) for _ in range(rng.randint(1, 3))]
    name = " ".join(words)
    if name and rng.random() < 0.3:  # one letter changed, dropped or doubled
        i = rng.randrange(len(name))
        name = name[:i] + rng.choice(["", name[i] * 2, "a", "e"]) + name[i + 1:]
    return name


@pytest.mark.parametrize("seed", range(40))
def test_similar_names_equal_the_plain_all_pairs_rule_on_random_tables(seed):
    rng = random.Random(seed)
    n = rng.randint(2, 120)
    rows = rng.sample(range(2, 10_000), n)  # row numbers in any order, as a filtered frame has them
    people = people_frame([_random_name(rng) for _ in range(n)], [rng.choice(PLACES) for _ in range(n)], rows)
    assert fast_similar_names(people) == plain_similar_names(people)


def test_a_block_of_two_and_a_bigger_block_find_their_pairs():
    names = ["Ada Lovelace", "Ada Lovelce", "Grace Hopper", "Grace Hoper", "Grace Hopper-Smith", "Grace Hopperr"]
    people = people_frame(names, ["London, UK"] * 6, [2, 3, 4, 5, 6, 7])
    assert fast_similar_names(people) == plain_similar_names(people) == [(3, 2), (5, 4), (7, 4)]


@hsettings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="abAB éo'-_1\t", max_size=9), st.sampled_from(PLACES)), min_size=2, max_size=25))
def test_similar_names_equal_the_plain_rule_for_any_short_names(cells):
    people = people_frame([c[0] for c in cells], [c[1] for c in cells], list(range(2, len(cells) + 2)))
    assert fast_similar_names(people) == plain_similar_names(people)


def test_names_that_share_only_a_one_letter_word_are_not_compared():
    people = people_frame(["J Lovelace", "J Lovelacey", "Ada Lovelace", "Ada Lovelacey"], ["Paris"] * 4, [2, 3, 4, 5])
    assert fast_similar_names(people) == plain_similar_names(people) == [(5, 4)]


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(PLACES + ["a|b, c", "a, b|c", "|, |"]), st.booleans()), min_size=2, max_size=30))
def test_location_codes_group_rows_as_location_key_does(cells):
    people = people_frame(["x"] * len(cells), [c[0] for c in cells], list(range(2, len(cells) + 2)))
    if len(cells) and cells[0][1]:
        people.loc[2, "city"] = float("nan")  # NaN and None are both "no city"
    assert location_codes(people).tolist() == pd.factorize(location_key(people).to_numpy(dtype=object))[0].tolist()


def _plain_blocks(locs, keys):
    """_blocks one word at a time: (location, word of two letters or more) -> its names, when two or
    more (a name whose key repeats a word is in its block twice, compared with itself: harmless)."""
    found: dict[tuple[int, str], list[int]] = {}
    for i, (loc, key) in enumerate(zip(locs.tolist(), keys)):
        for word in key.split():
            if len(word) >= 2:
                found.setdefault((loc, word), []).append(i)
    return sorted(members for members in found.values() if len(members) >= 2)


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.lists(st.sampled_from(["ab", "a", "abc", "b", "ba", "zoë"]), min_size=1,
                                                       max_size=3)), max_size=25))
def test_blocks_are_the_names_sharing_a_location_and_a_word(entries):
    locs = np.array([e[0] for e in entries], dtype=np.intp)
    keys = [" ".join(sorted(e[1])) for e in entries]
    members, starts = _blocks(locs, keys)
    got = sorted(members[a:b].tolist() for a, b in zip(starts.tolist(), np.r_[starts[1:], len(members)].tolist()))
    assert got == _plain_blocks(locs, keys)
