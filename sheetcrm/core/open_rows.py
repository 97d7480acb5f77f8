"""Open Pipeline rows that need a person's attention (DESIGN §6): warnings, never errors.

* an open row on a position that is filled or closed: the role is gone, so the row
  should be closed (it no longer holds the person back, see ``circleback.holds_back``);
* an open row on a position that is on hold: it still holds the person back, so
  someone should decide whether to keep waiting;
* a stale open row: no news for more than ``stale_after_days`` (config, 60). News is
  the latest of the row's first_contacted, the person's last_contacted and their
  Touchpoints about that position or about no position in particular (the seed:
  "clear timelines would greatly improve the hiring process"). A row never contacted
  has no date to be stale from and is left alone.

Each message carries the position's status, so the Issues tab says what to do
without opening the Positions tab. A row gets one of these warnings at most: the
role's status first, as closing the row settles staleness too.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from .. import schema
from ..config import Settings
from .issues import IssueLog

POSITION_GONE = ("filled", "closed")


def open_row_warnings(log: IssueLog, pipe: pd.DataFrame, positions: pd.DataFrame, candidates: pd.DataFrame,
                      settings: Settings, today: dt.date, touchpoints: pd.DataFrame | None = None) -> None:
    """Add the warnings of this module to ``log`` (typed frames, sheet rows as index)."""
    open_rows = pipe[pipe["outcome"] == "open"]
    if not len(open_rows):
        return
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id").set_index("position_id")
    status = open_rows["position_id"].map(pos["status"])
    gone = status.isin(POSITION_GONE)
    held = status == "on_hold"
    # Messages made from lists: iterating a Series boxes its cells one slow call at a time.
    log.add_many(schema.PIPELINE, open_rows.index[gone], "outcome", ["open"] * int(gone.sum()), "warning",
                 [f"open row on position {p}, which is {s}: set the outcome (hired, rejected, declined or "
                  f"ghosted) to close it" for p, s in zip(open_rows["position_id"][gone].tolist(),
                                                          status[gone].tolist())])
    log.add_many(schema.PIPELINE, open_rows.index[held], "outcome", ["open"] * int(held.sum()), "warning",
                 [f"open row on position {p}, which is on_hold: it keeps the candidate out of the backpocket; "
                  f"close it if the role will not come back" for p in open_rows["position_id"][held].tolist()])
    rows = open_rows[~gone & ~held]
    _stale(log, rows, status[~gone & ~held], _news(rows, candidates, touchpoints), settings, today)


def _news(rows: pd.DataFrame, candidates: pd.DataFrame, touchpoints: pd.DataFrame | None) -> pd.Series:
    """The latest date something happened on each open row (see the module docstring)."""
    # Only the two columns read: not a copy of every column of every candidate.
    known = candidates[["candidate_id", "last_contacted"]]
    last = known[known["candidate_id"].notna()].drop_duplicates("candidate_id").set_index("candidate_id")["last_contacted"]
    dates = [pd.to_datetime(rows["first_contacted"]), pd.to_datetime(rows["candidate_id"].map(last))]
    if touchpoints is not None and len(touchpoints):
        touch = touchpoints[touchpoints["candidate_id"].notna()].assign(date=pd.to_datetime(touchpoints["date"]))
        general = touch[touch["position_id"].isna()].groupby("candidate_id")["date"].max()
        about = touch[touch["position_id"].notna()].groupby(["candidate_id", "position_id"])["date"].max()
        keys = pd.MultiIndex.from_arrays([rows["candidate_id"], rows["position_id"]])
        dates += [pd.Series(general.reindex(rows["candidate_id"]).to_numpy(), index=rows.index),
                  pd.Series(about.reindex(keys).to_numpy(), index=rows.index)]
    return pd.concat(dates, axis=1).max(axis=1)


def _stale(log: IssueLog, rows: pd.DataFrame, status: pd.Series, news: pd.Series, settings: Settings,
           today: dt.date) -> None:
    cutoff = pd.Timestamp(today) - pd.Timedelta(days=settings.stale_after_days)
    stale = (news < cutoff).to_numpy(dtype=bool)
    if not stale.any():
        return
    days = (pd.Timestamp(today) - news[stale]).dt.days
    first = pd.to_datetime(rows["first_contacted"])[stale]  # typed dates: 1900 or later, so 4-digit years
    log.add_many(schema.PIPELINE, rows.index[stale], "first_contacted",
                 [d if isinstance(d, str) else "" for d in first.dt.strftime("%Y-%m-%d").tolist()], "warning",
                 [f"no news on this open row for {n} days (stale after {settings.stale_after_days}); position {p} "
                  f"is {s if isinstance(s, str) else 'unknown'}: ask the candidate or client for an update, or close "
                  f"the row" for n, p, s in zip(days.tolist(), rows["position_id"][stale].tolist(),
                                                status[stale].tolist())],
                 ["get an update or set the outcome"] * int(stale.sum()))
