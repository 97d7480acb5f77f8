"""Possible duplicate people (DESIGN §2): same email, same phone, or a near-identical
name in the same location. Groups by exact keys and compares names only within
blocks (same location and a shared name word), never all pairs."""
from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .columns import cell_text
from .distinct import factorise
from .issues import IssueLog

NAME_SIMILARITY = 92  # rapidfuzz ratio of normalised names: one letter missing or extra (Jon/John) matches, one
# letter different in a short name (Hana/Jana, Anna/Anne) does not: those are usually two people


_NON_WORD = re.compile(r"[\W_]+")


def name_key(name: Any) -> str:
    """`  Zoë  O'Brien-Smith ` -> `brien o smith zoe`: accents, case, punctuation and
    word order do not make two names different."""
    text = (cell_text(name) or "")[:200]
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    text = text.casefold()
    words = _NON_WORD.sub(" ", text).split()
    return " ".join(sorted(words))


def location_key(df: pd.DataFrame) -> pd.Series:
    city = df["city"].fillna("")
    country = df["country"].fillna("")
    key = city + "|" + country
    key = key.where(~df["remote"], "remote")
    return key.where(key != "|", None)


def location_codes(df: pd.DataFrame) -> np.ndarray:
    """``pd.factorize(location_key(df))``'s codes (-1: no location), with location_key made
    once per distinct (city, country, remote) instead of once per row (0.04 s at 100k)."""
    parts = [pd.factorize(df[c].to_numpy(dtype=object), use_na_sentinel=False)[0] for c in ("city", "country")]
    combo = (parts[0].astype(np.int64) * (parts[1].max(initial=0) + 1) + parts[1]) * 2 + df["remote"].to_numpy(bool)
    combo_codes, combos = pd.factorize(combo)
    firsts = np.full(len(combos), len(df), dtype=np.intp)
    np.minimum.at(firsts, combo_codes, np.arange(len(df)))
    key_codes, _ = pd.factorize(location_key(df.iloc[firsts]).to_numpy(dtype=object))  # in order of first rows
    return key_codes[combo_codes] if len(df) else np.empty(0, dtype=np.intp)


def _similar_name_groups(locs: np.ndarray, keys: list[str], first_rows: np.ndarray) -> np.ndarray:
    """Distinct (location, name key) entries -> the earliest row among near-identical
    names in the same location. One entry per distinct loc+key: location code, key,
    the key's words and its first row. Names are compared only inside blocks of one
    location and one shared word, so the cost grows with block sizes, not with all pairs."""
    from rapidfuzz import fuzz, process

    best = first_rows.copy()
    members_of, starts = _blocks(locs, keys)
    sizes = np.diff(np.r_[starts, len(members_of)])
    texts = np.array(keys, dtype=object)
    # Blocks of two (most of them): one element-wise call for all pairs.
    a, b = members_of[starts[sizes == 2]], members_of[starts[sizes == 2] + 1]
    hit = process.cpdist(texts[a], texts[b], scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY) > 0
    np.minimum.at(best, a[hit], first_rows[b[hit]])
    np.minimum.at(best, b[hit], first_rows[a[hit]])
    for start, size in zip(starts[sizes > 2].tolist(), sizes[sizes > 2].tolist()):
        for part in _split_block(members_of[start:start + size], keys):
            part_texts = texts[part].tolist()
            # a copy as choices: cdist compares a list with itself by a slower path (rapidfuzz 3.14)
            scores = process.cdist(part_texts, part_texts.copy(), scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY,
                                   dtype=np.uint8)
            if np.count_nonzero(scores) > len(part):  # more than each name with itself
                i, j = np.nonzero(scores)
                np.minimum.at(best, part[i], first_rows[part[j]])
    return best


def _blocks(locs: np.ndarray, keys: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Blocks of two or more names: one per location and word of two or more letters.
    Returns (name positions grouped by block, ascending inside a block; each block's start)."""
    # Keys are words joined by single spaces: every word at once from the keys joined, each
    # word's name found from where it starts. No list per name: 100k lists that live on make
    # the cycle collector walk everything (0.1 s at 100k).
    flat = np.array(" ".join(keys).split(" "), dtype=object)
    lengths = np.fromiter(map(len, flat), np.intp, len(flat))
    word_starts = np.cumsum(lengths + 1) - (lengths + 1)
    key_lengths = np.fromiter(map(len, keys), np.intp, len(keys))
    name_of = np.searchsorted(np.cumsum(key_lengths + 1) - (key_lengths + 1), word_starts, side="right") - 1
    long = lengths >= 2
    flat, name_of = flat[long], name_of[long]
    if not len(flat):
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    word_codes, word_uniques = pd.factorize(flat)
    block = locs[name_of].astype(np.int64) * len(word_uniques) + word_codes
    block_codes, _ = pd.factorize(block)
    shared = np.bincount(block_codes)[block_codes] >= 2  # most words are in one name only: nothing to compare
    block, name_of = block[shared], name_of[shared]
    order = np.argsort(block, kind="stable")
    block, name_of = block[order], name_of[order]
    starts = np.flatnonzero(np.r_[True, block[1:] != block[:-1]]) if len(block) else np.empty(0, dtype=np.intp)
    return name_of, starts


def _split_block(members: np.ndarray, keys: list[str], limit: int = 3000) -> list[np.ndarray]:
    """A very common word in a big city: compare within name-length bands instead
    (a ratio of 90 allows only a small length difference), overlapping so no pair is lost."""
    if len(members) <= limit:
        return [members]
    lengths = np.array([len(keys[i]) for i in members])
    out = []
    for low in range(0, int(lengths.max()) + 1, 4):
        part = members[(lengths >= low) & (lengths < low + 8)]
        if len(part) >= 2:
            out.append(part)
    return out


def _similar_names(people: pd.DataFrame, rows: pd.Series) -> pd.DataFrame | None:
    """(row, earlier) pairs of near-identical names in the same location: each row
    with the earliest row among its distinct (location, name key)'s similar names."""
    loc_codes = location_codes(people)  # -1: no location
    codes, uniques = factorise(people["name"])
    nonword, plain = _NON_WORD, str
    # name_key, inlined for ASCII names; for letters, digits and spaces only (most names)
    # the punctuation pass changes nothing, and lower() is casefold()
    unique_keys = [" ".join(sorted(u.lower().split()) if u.replace(" ", "").isalnum()
                            else sorted(nonword.sub(" ", u.casefold()).split())) if u.__class__ is plain and u.isascii()
                   else name_key(u) for u in uniques]
    key_codes, keys = pd.factorize(np.array(unique_keys, dtype=object))
    key_codes = key_codes[codes]
    named = (loc_codes >= 0) & (np.asarray(keys, dtype=object)[key_codes] != "")
    if named.sum() < 2:
        return None
    row_numbers = rows.to_numpy()[named]
    # One entry per distinct (location, key), in order of first appearance.
    entries, pairs = pd.factorize(loc_codes[named].astype(np.int64) * len(keys) + key_codes[named])
    first_rows = np.full(len(pairs), np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(first_rows, entries, row_numbers)
    entry_keys = pairs % len(keys)
    earliest = _similar_name_groups(pairs // len(keys), np.asarray(keys, dtype=object)[entry_keys].tolist(),
                                    first_rows)[entries]
    later = earliest < row_numbers
    return pd.DataFrame({"row": row_numbers[later], "earlier": earliest[later], "column": "name",
                         "why": "similar name in the same location"})


def duplicate_people(log: IssueLog, cands: pd.DataFrame) -> None:
    """Same email, same phone, or near-identical name in the same location: a warning
    on the later row naming the earlier candidate_id. Never merged."""
    columns = ["candidate_id", "name", "email_norm", "phone_e164", "city", "country", "remote"]
    people = cands.loc[cands["candidate_id"].notna() & ~cands["forgotten"], columns]
    if len(people) < 2:
        return
    rows = pd.Series(people.index, index=people.index)
    found: list[pd.DataFrame] = []
    for column, label in (("email_norm", "same email"), ("phone_e164", "same phone")):
        values = people[column]
        present = values.notna()
        first = rows[present].groupby(values[present], sort=False).transform("min")
        later = first[first < rows[present]]
        found.append(pd.DataFrame({"row": later.index, "earlier": later.to_numpy(),
                                   "column": column.split("_")[0], "why": label}))

    names = _similar_names(people, rows)
    if names is not None:
        found.append(names)
    dupes = pd.concat(found, ignore_index=True)
    if not len(dupes):
        return
    ids = people["candidate_id"]
    dupes["earlier_id"] = ids.reindex(dupes["earlier"]).to_numpy()
    dupes = dupes[dupes["earlier_id"].to_numpy() != ids.reindex(dupes["row"]).to_numpy()]  # same id: reported as such
    # One warning per (row, earlier person), all reasons together; the column is the
    # strongest reason's (email, then phone, then name).
    order = {"email": 0, "phone": 1, "name": 2}
    dupes = dupes.assign(rank=dupes["column"].map(order)).sort_values(["row", "earlier", "rank"], kind="stable")
    merged: dict[tuple[int, int], list[Any]] = {}
    for row, earlier, column, why, earlier_id in zip(dupes["row"].tolist(), dupes["earlier"].tolist(),
                                                     dupes["column"].tolist(), dupes["why"].tolist(),
                                                     dupes["earlier_id"].tolist()):
        if (row, earlier) in merged:
            merged[(row, earlier)][1] += ", " + why
        else:
            merged[(row, earlier)] = [column, why, earlier_id]
    log.add_many(schema.CANDIDATES, [row for row, _ in merged], [m[0] for m in merged.values()], [""] * len(merged),
                 "warning", [f"possible duplicate of {earlier_id} (row {earlier}): {why}; check and merge by hand "
                             "if it is the same person" for (_, earlier), (_, why, earlier_id) in merged.items()])
