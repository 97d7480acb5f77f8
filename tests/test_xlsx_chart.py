"""A native funnel chart on the xlsx Summary: drawn once, kept and never duplicated by later syncs."""
import datetime as dt

import openpyxl
import pytest

from sheetcrm import api
from sheetcrm.config import Settings
from sheetcrm.core import funnel
from sheetcrm.workbook.backends import xlsx_patch

TODAY = dt.date(2026, 11, 22)


def _funnel_refs(path):
    charts = openpyxl.load_workbook(path)["Summary"]._charts
    return [(s.val.numRef.f, s.cat.strRef.f) for c in charts for s in c.series]


@pytest.fixture
def workbook(tmp_path):
    path = tmp_path / "w.xlsx"
    settings = Settings(workbook=path)
    api.init_workbook(settings, TODAY, demo=30)
    return path, settings


def test_the_summary_has_one_chart_whose_series_reference_the_funnel_cells(workbook):
    path, settings = workbook
    api.sync_workbook(settings, TODAY)
    v, w = (openpyxl.utils.get_column_letter(c) for c in (funnel.LABEL_COL, funnel.VALUE_COL))
    first, last = funnel.HEADING_ROW + 1, funnel.HEADING_ROW + len(funnel.STAGES)
    assert _funnel_refs(path) == [(f"'Summary'!${w}${first}:${w}${last}", f"'Summary'!${v}${first}:${v}${last}")]
    ws = openpyxl.load_workbook(path)["Summary"]
    assert [ws.cell(r, funnel.LABEL_COL).value for r in range(first, last + 1)] == ["contacted", "responded",
                                                                                   "interested", "hired"]


def test_later_syncs_keep_the_chart_through_the_patch_writer_and_do_not_duplicate_it(workbook, monkeypatch):
    path, settings = workbook
    api.sync_workbook(settings, TODAY)
    patched = []
    real = xlsx_patch.patch
    monkeypatch.setattr(xlsx_patch, "patch", lambda *a: patched.append(1) or real(*a))
    wb = openpyxl.load_workbook(path)
    wb["Pipeline"].cell(2, 6).value = "interested"  # a figure changes: Summary is rewritten
    wb.save(path)
    report = api.sync_workbook(settings, TODAY + dt.timedelta(days=1))
    assert "rewrote Summary" in " ".join(report.lines()) and patched
    assert len(_funnel_refs(path)) == 1


def test_the_openpyxl_writer_redraws_rather_than_adds(workbook, monkeypatch):
    path, settings = workbook
    api.sync_workbook(settings, TODAY)

    def refuse(*args):
        raise xlsx_patch._Unpatchable("test: the full writer")
    monkeypatch.setattr(xlsx_patch, "patch", refuse)
    wb = openpyxl.load_workbook(path)
    wb["Pipeline"].cell(2, 6).value = "not_interested"
    wb.save(path)
    api.sync_workbook(settings, TODAY + dt.timedelta(days=1))
    assert len(_funnel_refs(path)) == 1
