"""Pure: circle-back eligibility, dates, status and backpocket matching (DESIGN §6).

STUB (issue #6 replaces it): status `never` for hard-no candidates, nothing else.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from . import schema
from .config import Settings

CIRCLE_BACK_COLUMNS = ("candidate_id", "name", "rejection_category", "last_contact", "next_circle_back",
                       "circle_back_status", "suggested_positions")


def circle_backs(candidates: pd.DataFrame, pipeline: pd.DataFrame, positions: pd.DataFrame,
                 candidate_class: pd.Series, settings: Settings, today: dt.date) -> pd.DataFrame:
    """One row per candidate (index: candidate_id): CIRCLE_BACK_COLUMNS, where
    next_circle_back is a date or None, suggested_positions a list."""
    ids = candidates["candidate_id"].dropna()
    out = pd.DataFrame({
        "candidate_id": ids.values,
        "name": candidates.loc[ids.index, "name"].values,
        "rejection_category": None,
        "last_contact": None,
        "next_circle_back": None,
        "circle_back_status": "",
        "suggested_positions": [[] for _ in range(len(ids))],
    }, columns=list(CIRCLE_BACK_COLUMNS))
    out.index = pd.Index(ids.values, name="candidate_id")
    hard = candidate_class.reindex(out.index) == schema.HARD_NO
    out.loc[hard.values, "circle_back_status"] = "never"
    return out


def backpocket_counts(circle: pd.DataFrame, positions: pd.DataFrame) -> pd.Series:
    """Per position_id: how many circle-back-eligible candidates match it."""
    return pd.Series(0, index=positions["position_id"].values, dtype="int64")


def circle_backs_rows(circle: pd.DataFrame, today: dt.date, settings: Settings) -> list[list[Any]]:
    """The Circle-backs tab: due and overdue first, then the next days."""
    header = ["candidate_id", "name", "circle_back_status", "next_circle_back", "rejection_category",
              "last_contact", "suggested_positions"]
    listed = circle[circle["circle_back_status"].isin(["due", "overdue"])]
    rows: list[list[Any]] = [header]
    for rec in listed.to_dict("records"):
        rows.append([rec["candidate_id"], rec["name"], rec["circle_back_status"], rec["next_circle_back"],
                     rec["rejection_category"], rec["last_contact"], ", ".join(rec["suggested_positions"])])
    return rows
