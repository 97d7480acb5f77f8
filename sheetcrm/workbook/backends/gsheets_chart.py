"""Native charts of owned tabs on Google Sheets (``addChart``), recognised on later
syncs by their chart id, which sheetcrm derives from the tab's sheet id: a sync updates
the chart it drew (``updateChartSpec``) instead of adding a second one."""
from __future__ import annotations

from ...schema import ChartSpec, OwnedTab


def chart_id(sheet_id: int, index: int = 0) -> int:
    """The id of sheetcrm's ``index``-th chart on the tab ``sheet_id`` (the marker)."""
    return (sheet_id * 31 + 7 + index) % (2**31 - 1) or 1


def chart_requests(sheet_id: int, tab: OwnedTab, existing: list[int]) -> list[dict]:
    out: list[dict] = []
    for i, spec in enumerate(tab.charts):
        cid = chart_id(sheet_id, i)
        if cid in existing:
            out.append({"updateChartSpec": {"chartId": cid, "spec": _spec(sheet_id, spec)}})
        else:
            out.append({"addChart": {"chart": {"chartId": cid, "spec": _spec(sheet_id, spec), "position": {
                "overlayPosition": {"anchorCell": {"sheetId": sheet_id, "rowIndex": spec.anchor_row - 1,
                                                   "columnIndex": spec.anchor_col - 1}}}}}})
    return out


def _cells(sheet_id: int, spec: ChartSpec, col: int) -> dict:
    return {"sourceRange": {"sources": [{"sheetId": sheet_id, "startRowIndex": spec.first_row - 1,
                                         "endRowIndex": spec.last_row, "startColumnIndex": col - 1,
                                         "endColumnIndex": col}]}}


def _spec(sheet_id: int, spec: ChartSpec) -> dict:
    return {"title": spec.title, "basicChart": {
        "chartType": "BAR", "legendPosition": "NO_LEGEND",
        "domains": [{"domain": _cells(sheet_id, spec, spec.label_col), "reversed": True}],
        "series": [{"series": _cells(sheet_id, spec, spec.value_col), "targetAxis": "BOTTOM_AXIS"}],
        "headerCount": 0}}
