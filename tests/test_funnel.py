"""The funnel cells beside the Summary's position table, and where their chart goes."""
import pandas as pd

from sheetcrm.core import funnel
from sheetcrm.core.pipeline import ALL


def test_funnel_cells_hold_the_all_positions_figures():
    rows = [["title"], [], [], ["Pipeline by position"], ["position", "title"]]
    figures = pd.DataFrame([{"position_id": "P-1", "contacted": 3, "responded": 1, "interested": 1, "hired": 0},
                            {"position_id": ALL, "contacted": 9, "responded": 5, "interested": 4, "hired": 1}])
    spec = funnel.add_funnel(rows, figures)
    col = funnel.LABEL_COL - 1
    assert [(r[col], r[col + 1]) for r in rows[spec.first_row - 1:spec.last_row]] == [
        ("contacted", 9), ("responded", 5), ("interested", 4), ("hired", 1)]
    assert rows[3][0] == "Pipeline by position" and rows[4][:2] == ["position", "title"]  # nothing moved
    assert spec.anchor_row > spec.last_row and spec.anchor_col == funnel.LABEL_COL


def test_no_pipeline_rows_gives_zeros_not_blanks():
    rows: list = []
    spec = funnel.add_funnel(rows, pd.DataFrame(columns=["position_id", "contacted"]))
    assert [rows[r - 1][funnel.VALUE_COL - 1] for r in range(spec.first_row, spec.last_row + 1)] == [0, 0, 0, 0]
