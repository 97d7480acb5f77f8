"""The funnel beside the Summary's position table: contacted -> responded ->
interested -> hired over all positions, as cells and a native chart of those cells
(DESIGN §5). Fixed cells, so the chart drawn once keeps pointing at the right
figures when a later sync rewrites them (the xlsx patch writer keeps the chart part;
Google updates the chart it recognises by its id).
"""
from __future__ import annotations

from typing import Any

import pandas as pd

from ..schema import ChartSpec
from .pipeline import ALL

STAGES = (("contacted", "contacted"), ("responded", "responded"), ("interested", "interested"), ("hired", "hired"))
LABEL_COL = 22  # V: one blank column right of the 20-column position table
VALUE_COL = LABEL_COL + 1
HEADING_ROW = 4  # beside "Pipeline by position"
TITLE = "Funnel, all positions"


def add_funnel(rows: list[list[Any]], figures: pd.DataFrame) -> ChartSpec:
    """Write the funnel cells into the Summary grid ``rows`` (in place) and say
    where its chart goes: under the cells, same columns."""
    everyone = figures[figures["position_id"] == ALL]
    record = everyone.iloc[0].to_dict() if len(everyone) else {}
    cells = [[TITLE, None]] + [[label, _count(record.get(key))] for key, label in STAGES]
    for offset, (label, value) in enumerate(cells):
        r = HEADING_ROW + offset
        while len(rows) < r:
            rows.append([])
        row = rows[r - 1]
        row.extend([None] * (VALUE_COL - len(row)))
        row[LABEL_COL - 1], row[VALUE_COL - 1] = label, value
    first = HEADING_ROW + 1
    return ChartSpec(TITLE, LABEL_COL, VALUE_COL, first, first + len(STAGES) - 1,
                     anchor_row=first + len(STAGES) + 1, anchor_col=LABEL_COL)


def widths_with_funnel(widths: tuple[float | None, ...]) -> tuple[float | None, ...]:
    """The Summary's column widths, with the funnel's label and number columns."""
    out = list(widths) + [None] * (VALUE_COL - len(widths))
    out[LABEL_COL - 1] = float(max(len(TITLE) * 2 // 3, max(len(label) for _, label in STAGES) + 3))
    out[VALUE_COL - 1] = 9.0
    return tuple(out)


def _count(value: Any) -> int:
    try:
        return 0 if value is None or pd.isna(value) else int(value)
    except (TypeError, ValueError):
        return 0
