"""Pure: what the Touchpoints tab (the call log) says about each person (DESIGN §2, §6).

Takes the clean Touchpoints frame (see :mod:`sheetcrm.core.validate`: ``date`` and
``follow_up_on`` datetime64, ``outcome``/``channel`` canonical text). Who must never
be called because of a touchpoint is :mod:`sheetcrm.core.never_call`'s word, not this
module's; here are only the dates and the decisions that schedule everyone else.

Decisions worth knowing:

* The *latest* touchpoint of a person is the one with the latest ``date``; on the
  same date the lower row wins (people log calls top to bottom).
* Its ``follow_up_on`` is the person's own wish and becomes their next circle-back,
  unless a Pipeline decision was recorded after that touchpoint (the newer decision
  is what the team knows now).
"""
from __future__ import annotations

import pandas as pd

from .. import schema

LATEST_COLUMNS = ("date", "outcome", "by", "follow_up_on")


def as_decisions(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """`not_interested` touchpoints as Pipeline-like decided rows: a soft-no of
    category declined_role on that date (DESIGN §6), about their position if named."""
    said_no = touchpoints[(touchpoints["outcome"] == "not_interested").to_numpy(dtype=bool)]
    return pd.DataFrame({
        "candidate_id": said_no["candidate_id"].to_numpy(dtype=object),
        "position_id": said_no["position_id"].to_numpy(dtype=object),
        "first_contacted": pd.Series(pd.NaT, index=range(len(said_no)), dtype="datetime64[ns]"),
        "outcome": "declined",
        "decided_on": said_no["date"].to_numpy(dtype="datetime64[ns]"),
        "rejection_class": schema.SOFT_NO,
        "rejection_category": "declined_role",
    })


def latest(touchpoints: pd.DataFrame, ids: pd.Index) -> pd.DataFrame:
    """Per candidate_id of ``ids`` (same order): the date, outcome, by and
    follow_up_on of their latest touchpoint; NaT / None for people with none."""
    touch = touchpoints[touchpoints["candidate_id"].isin(ids) & touchpoints["date"].notna()]
    touch = touch.assign(_row=touch.index).sort_values(["date", "_row"], kind="stable")
    last = touch.drop_duplicates("candidate_id", keep="last").set_index("candidate_id")
    out = last.reindex(ids)[list(LATEST_COLUMNS)]
    for column in ("outcome", "by"):
        out[column] = out[column].astype(object).where(out[column].notna(), None)
    return out


def contact_dates(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """candidate_id and date of every touchpoint: each one counts as a contact."""
    return touchpoints[["candidate_id", "date"]]


def describe(date, outcome, by) -> str:
    """The last touchpoint as the Circle-backs tab shows it: `2026-11-20 left_message (AB)`."""
    if date is None or pd.isna(date):
        return ""
    text = f"{pd.Timestamp(date).date().isoformat()} {outcome or ''}".rstrip()
    return f"{text} ({by})" if by else text
