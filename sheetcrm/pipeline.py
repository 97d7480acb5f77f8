"""Pure: the pipeline figures of DESIGN §5 and the Summary tab layout.

STUB (issue #5 replaces it): counts only.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

FIGURE_KEYS = (
    "considered", "contacted", "responded", "responded_1", "responded_2", "responded_3",
    "responded_4plus", "response_rate", "interested", "not_interested", "interest_ratio",
    "hard_no", "soft_no", "unclassified", "hired", "success_rate",
)


def position_figures(pipeline: pd.DataFrame) -> pd.DataFrame:
    """One row per position_id, then `ALL`; columns position_id + FIGURE_KEYS."""
    rows = []
    for pid, group in list(pipeline.groupby("position_id", sort=True)) + [("ALL", pipeline)]:
        rows.append({"position_id": pid, "considered": len(group)})
    return pd.DataFrame(rows, columns=["position_id", *FIGURE_KEYS])


def summary_rows(figures: pd.DataFrame, candidates: pd.DataFrame, left_out: dict[str, int],
                 now: dt.datetime, backpocket: pd.Series | None = None) -> list[list[Any]]:
    """The Summary tab, top to bottom. Row 1 is the title with the sync time."""
    rows: list[list[Any]] = [[f"sheetcrm summary, updated {now:%Y-%m-%d %H:%M}"], []]
    rows.append(["position_id", *FIGURE_KEYS])
    for rec in figures.to_dict("records"):
        rows.append([rec["position_id"], *[_cell(rec.get(k)) for k in FIGURE_KEYS]])
    return rows


def _cell(v: Any) -> Any:
    return None if v is None or (isinstance(v, float) and v != v) else v
