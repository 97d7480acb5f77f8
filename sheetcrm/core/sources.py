"""Where people came from (DESIGN §2 `source`, `referred_by`): one spelling per source
for the figures, and a did-you-mean warning for a near-miss of the suggested list.

``source`` is free text with a suggested list (``schema.SOURCES``). Case, spaces,
hyphens and underscores do not make a new source (``Job Board`` = ``job_board``, also
in ``report pipeline --by source``); a value close to a listed one (``linkdin``) gets a
warning with the suggestion, and is counted as typed until someone fixes it; anything
else (``Twitter``) is the agency's own source. A ``referred_by`` that looks like a
candidate id but names nobody in Candidates gets a warning too: a referral credited to
nobody is lost from ``report talent --by referrer``.
"""
from __future__ import annotations

import difflib
import re
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from .distinct import factorise
from .issues import IssueLog, _show

NEAR_MISS = 0.8  # difflib ratio: linkdin ~ linkedin, refferal ~ referral; twitter is its own
_ID_LIKE = re.compile(r"^\s*[A-Za-z]{1,3}\s*-?\s*\d+\s*$")


def canonical_source(value: Any) -> str | None:
    """The name a source is counted under: a listed source in its listed spelling,
    else the text in lower case with single spaces; None when blank."""
    if not isinstance(value, str) or not value.strip():
        return None
    key = schema.normalise_header(value)
    return key if key in schema.SOURCES else " ".join(value.lower().split())


def source_warnings(log: IssueLog, cands: pd.DataFrame) -> None:
    """Did-you-mean warnings for near-misses of the suggested sources, and for
    referred_by ids that are not in Candidates."""
    if "source" in cands:
        values = cands["source"]
        distinct = {v: _near_miss(v) for v in values.dropna().unique()}
        hint = values.map(distinct)
        near = hint.notna() & (hint != "")
        log.add_many(schema.CANDIDATES, cands.index[near.to_numpy(dtype=bool)], "source",
                     [_show(v) for v in values[near]], "warning",
                     [f"source is not on the suggested list; did you mean '{h}'?" for h in hint[near]],
                     list(hint[near]))
    if "referred_by" in cands:
        given = cands["referred_by"]
        unknown = _unknown_ids(given, cands["candidate_id"])
        log.add_many(schema.CANDIDATES, cands.index[unknown.to_numpy(dtype=bool)], "referred_by",
                     [_show(v) for v in given[unknown]], "warning",
                     ["referred_by looks like a candidate_id but is not in Candidates; write the id of the "
                      "referrer or their name"] * int(unknown.sum()))


def _unknown_ids(given: pd.Series, ids: pd.Series) -> pd.Series:
    """Cells that look like a candidate id but name nobody in Candidates. Each distinct
    value is looked at once, and the ids are read only when some value looks like one."""
    codes, uniques = factorise(given)
    looks = [isinstance(v, str) and bool(_ID_LIKE.match(v)) for v in uniques]
    if any(looks):
        known = {"".join(str(c).split()).upper() for c in ids.dropna()}
        looks = [look and "".join(v.split()).upper() not in known for v, look in zip(uniques, looks)]
    flags = np.array(looks, dtype=bool)
    return pd.Series(flags[codes] if len(codes) else flags[:0], index=given.index, dtype=bool)


def _near_miss(value: Any) -> str:
    if not isinstance(value, str) or canonical_source(value) in schema.SOURCES:
        return ""
    close = difflib.get_close_matches(schema.normalise_header(value[:100]), list(schema.SOURCES), n=1,
                                      cutoff=NEAR_MISS)
    return close[0] if close else ""
