"""Pure: the §5 figures grouped another way, backpocket hires and referrals (DESIGN §5).

* ``report pipeline --by source|owner|quarter``: the same counts and ratios as per
  position, one row per group plus ``ALL``; each row carries its group under the
  group's own key (``source``, ``owner``, ``quarter``) instead of ``position_id``.
  Source and owner come from the candidate (source in one spelling, see
  ``sources.canonical_source``; owner as typed), quarter from the row's
  first_contacted (``2026-Q3``). A blank group is ``unknown`` and comes last.
* ``backpocket_hires`` (a key beside the §5 ones, see ``pipeline.backpocket_hire_flags``)
  is in every grouping too.
* ``report talent --by referrer``: per referrer, the people they referred and how many
  of those were hired. A referrer typed as a candidate id is matched to the id
  whatever its case or spacing, so ``c-00012`` and ``C-00012`` count together.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from .pipeline import UNKNOWN, figure_flags, with_all_and_ratios
from .sources import canonical_source

GROUP_BY = ("source", "owner", "quarter")
REFERRER_KEYS = ("by", "value", "referred", "hired")


def group_keys(pipeline: pd.DataFrame, candidates: pd.DataFrame, by: str) -> pd.Series:
    """The group of each Pipeline row (``unknown`` when blank)."""
    if by == "quarter":
        first = pd.to_datetime(pipeline["first_contacted"])
        codes, quarters = pd.factorize((first.dt.year * 4 + first.dt.quarter - 1).to_numpy(dtype="float64"))
        labels = np.array([f"{int(q) // 4}-Q{int(q) % 4 + 1}" for q in quarters] + [UNKNOWN], dtype=object)
        return pd.Series(labels[codes], index=first.index, name=first.name, dtype=object)  # -1 (no date): UNKNOWN
    if by not in ("source", "owner"):
        raise ValueError(f"pipeline by {by!r}: use one of {', '.join(GROUP_BY)}")
    first = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id")
    values = first[by] if by in first else pd.Series(None, index=first.index, dtype=object)
    values = values.to_numpy(dtype=object)
    if by == "source":  # each spelling once: a few dozen among 100,000 people
        codes, spellings = pd.factorize(values)
        values = np.array([canonical_source(v) for v in spellings] + [None], dtype=object)[codes]
    # each person's group once (blank: UNKNOWN), then each row its person's (none found: UNKNOWN)
    groups = pd.Series(values, dtype=object)
    groups = groups.where(groups.notna() & (groups != ""), UNKNOWN).to_numpy(dtype=object)
    ids = pipeline["candidate_id"]
    if not (groups != UNKNOWN).any():  # nobody has one (an unfilled column): no row needs its person found
        return pd.Series(UNKNOWN, index=ids.index, name=ids.name, dtype=object)
    at = pd.Index(first["candidate_id"]).get_indexer(ids.to_numpy(dtype=object))
    return pd.Series(np.append(groups, UNKNOWN)[at], index=ids.index, name=ids.name, dtype=object)


def group_figures(pipeline: pd.DataFrame, candidates: pd.DataFrame, by: str,
                  flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per group (sorted, ``unknown`` last), then ``ALL``; columns: the group's
    key (``by``) + FIGURE_KEYS. Counts int64, ratios float64 (NaN when undefined).
    ``flags``: ``pipeline.figure_flags`` of the same frame, when the caller has it already."""
    keys = group_keys(pipeline, candidates, by)
    flags = figure_flags(pipeline) if flags is None else flags
    counts = flags.groupby(keys.to_numpy(), sort=True).sum()
    return with_all_and_ratios(counts.reindex(sorted(counts.index, key=lambda k: (k == UNKNOWN, k))), by)


def referrer_counts(candidates: pd.DataFrame, pipeline: pd.DataFrame) -> pd.DataFrame:
    """``report talent --by referrer``: columns REFERRER_KEYS, most referrals first."""
    first = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id")
    given = first["referred_by"] if "referred_by" in first else pd.Series(None, index=first.index, dtype=object)
    given = given.where(given.map(lambda v: isinstance(v, str) and v.strip() != ""))
    ids = {_id_key(c): c for c in first["candidate_id"]}
    referrer = given.map(lambda v: ids.get(_id_key(v), " ".join(v.split())) if isinstance(v, str) else None)
    hired_ids = set(pipeline.loc[pipeline["outcome"] == "hired", "candidate_id"])
    frame = pd.DataFrame({"value": referrer.to_numpy(dtype=object),
                          "hired": first["candidate_id"].isin(hired_ids).to_numpy(dtype=bool)}).dropna()
    if frame.empty:
        return pd.DataFrame(columns=list(REFERRER_KEYS))
    out = frame.groupby("value").agg(referred=("hired", "size"), hired=("hired", "sum")).astype("int64")
    out = out.reset_index().sort_values(["referred", "hired", "value"], ascending=[False, False, True], kind="stable")
    out.insert(0, "by", "referrer")
    return out.reset_index(drop=True)[list(REFERRER_KEYS)]


def _id_key(value: str) -> str:
    return "".join(str(value).split()).upper()
