"""The funnel chart on Google Sheets: added once (addChart), then updated, never duplicated."""
import datetime as dt

from sheetcrm import api
from sheetcrm.config import Settings
from sheetcrm.core import funnel
from sheetcrm.workbook.backends.gsheets_chart import chart_id

TODAY = dt.date(2026, 11, 22)


def test_sync_adds_the_funnel_chart_once_and_updates_it_after(gsheet, google):
    key, backend = gsheet()
    settings = Settings(backend="gsheets", sheet_key=key)
    api.init_workbook(settings, TODAY, demo=20, backend=backend, force=True)
    api.sync_workbook(settings, TODAY, backend=backend)
    summary = google.book(key).tab("Summary")
    assert len(summary.charts) == 1 and summary.charts[0]["chartId"] == chart_id(summary.sheet_id)
    series = summary.charts[0]["spec"]["basicChart"]["series"][0]["series"]["sourceRange"]["sources"][0]
    assert (series["startColumnIndex"], series["startRowIndex"]) == (funnel.VALUE_COL - 1, funnel.HEADING_ROW)
    rows = google.cells(key, "Summary")
    assert [rows[r][funnel.LABEL_COL - 1] for r in range(funnel.HEADING_ROW, funnel.HEADING_ROW + 4)] == [
        "contacted", "responded", "interested", "hired"]
    google.book(key).tab("Pipeline").put(1, 5, "interested")  # a figure changes: Summary is rewritten
    report = api.sync_workbook(settings, TODAY + dt.timedelta(days=1), backend=backend)
    assert "rewrote Summary" in " ".join(report.lines())
    assert len(google.book(key).tab("Summary").charts) == 1


def test_a_chart_only_tab_is_skipped_when_reading(gsheet, google):
    """Issue 15 item 7: a tab holding only a chart (sheetType OBJECT) has no cells; a range
    on it is refused, so the read leaves it out instead of failing the sync."""
    key, backend = gsheet({"Candidates": [["candidate_id", "name"], ["C-00001", "Ann"]], "Board": []})
    google.book(key).tab("Board").sheet_type = "OBJECT"
    snap = backend.read()
    assert list(snap.tabs) == ["Candidates"]
