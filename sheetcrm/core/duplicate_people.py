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
from .distinct import factorise, take
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


def _similar_name_groups(names: pd.DataFrame) -> dict[int, int]:
    """Distinct (location, name key) entries -> the earliest row among near-identical
    names in the same location. ``names``: columns loc, key, first_row (one row per
    distinct loc+key). Names are compared only inside blocks of one location and one
    shared word, so the cost grows with block sizes, not with all pairs."""
    from rapidfuzz import fuzz, process

    first_rows = names["first_row"].to_numpy()
    best = first_rows.copy()
    keys = names["key"].tolist()
    locs = names["loc"].tolist()
    # One (block, name) pair per word of two or more letters; a block is location + word.
    pair_block: list[str] = []
    pair_name: list[int] = []
    for i, (loc, key) in enumerate(zip(locs, keys)):
        for word in key.split():
            if len(word) >= 2:
                pair_block.append(f"{loc}\x1f{word}")
                pair_name.append(i)
    if not pair_block:
        return dict(enumerate(best.tolist()))
    codes, _ = pd.factorize(np.array(pair_block, dtype=object))
    members_of = np.array(pair_name, dtype=np.intp)
    shared = np.bincount(codes)[codes] >= 2  # most words are in one name only: nothing to compare
    codes, members_of = codes[shared], members_of[shared]
    order = np.argsort(codes, kind="stable")
    codes, members_of = codes[order], members_of[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    for members in np.split(members_of, starts[1:]) if len(codes) else []:
        if len(members) == 2:
            a, b = members
            if fuzz.ratio(keys[a], keys[b]) >= NAME_SIMILARITY:
                best[a] = min(best[a], first_rows[b])
                best[b] = min(best[b], first_rows[a])
            continue
        for part in _split_block(members, keys):
            texts = [keys[i] for i in part]
            scores = process.cdist(texts, texts, scorer=fuzz.ratio, score_cutoff=NAME_SIMILARITY, dtype=np.uint8)
            a, b = np.nonzero(scores)
            np.minimum.at(best, part[a], first_rows[part[b]])
    return dict(enumerate(best.tolist()))


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


def duplicate_people(log: IssueLog, cands: pd.DataFrame) -> None:
    """Same email, same phone, or near-identical name in the same location: a warning
    on the later row naming the earlier candidate_id. Never merged."""
    people = cands[cands["candidate_id"].notna() & ~cands["forgotten"]]
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

    loc = location_key(people)
    codes, uniques = factorise(people["name"])
    nonword, plain = _NON_WORD, str
    keys = take([" ".join(sorted(nonword.sub(" ", u.casefold()).split())) if u.__class__ is plain and u.isascii()
                  else name_key(u) for u in uniques], codes, people.index)  # the ASCII case of name_key, inlined
    named = loc.notna() & keys.ne("")
    if named.sum() >= 2:
        table = pd.DataFrame({"loc": loc[named], "key": keys[named], "row": rows[named]})
        distinct = table.groupby(["loc", "key"], sort=False)["row"].min().rename("first_row").reset_index()
        best = _similar_name_groups(distinct)
        distinct["earliest"] = [best[i] for i in range(len(distinct))]
        merged = table.merge(distinct[["loc", "key", "earliest"]], on=["loc", "key"], how="left")
        later = merged[merged["earliest"] < merged["row"]]
        found.append(pd.DataFrame({"row": later["row"].to_numpy(), "earlier": later["earliest"].to_numpy(),
                                   "column": "name", "why": "similar name in the same location"}))
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
