"""Native charts of owned tabs in an xlsx workbook (openpyxl.chart): a chart object
whose series reference the tab's cells, so Excel, LibreOffice and Google Sheets (on
import) draw it from the figures themselves, not a picture of them.

The openpyxl writer draws the chart when it rewrites the tab; the zip patch writer
keeps an existing chart part untouched (the cells it references keep their places,
so the chart shows the new figures) and leaves a tab that has no chart yet to the
openpyxl writer.
"""
from __future__ import annotations

from ...schema import ChartSpec, OwnedTab
from .base import col_letter

CHART_WIDTH_CM = 13.0
CHART_HEIGHT_CM = 7.0


def draw_charts(ws, tab: OwnedTab) -> None:
    """Replace the charts of owned tab ``ws`` with ``tab.charts``."""
    # An owned tab is rewritten whole, so any chart on it is one sheetcrm drew; openpyxl
    # has no public call to remove a chart, its worksheet keeps them in ``_charts``.
    ws._charts = []
    for spec in tab.charts:
        ws.add_chart(funnel_chart(ws, spec), f"{col_letter(spec.anchor_col)}{spec.anchor_row}")


def funnel_chart(ws, spec: ChartSpec):
    from openpyxl.chart import BarChart, Reference
    from openpyxl.chart.data_source import AxDataSource, StrRef

    chart = BarChart()
    chart.type = "bar"  # horizontal bars, widest stage on top: reads as a funnel
    chart.title = spec.title
    chart.legend = None
    chart.width, chart.height = CHART_WIDTH_CM, CHART_HEIGHT_CM
    values = Reference(ws, min_col=spec.value_col, min_row=spec.first_row, max_row=spec.last_row)
    labels = Reference(ws, min_col=spec.label_col, min_row=spec.first_row, max_row=spec.last_row)
    chart.add_data(values, titles_from_data=False)
    for series in chart.series:  # the stage names are text: a string reference, not numbers
        series.cat = AxDataSource(strRef=StrRef(f=str(labels)))
    chart.x_axis.scaling.orientation = "maxMin"  # first stage at the top
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.y_axis.majorGridlines = None
    return chart
