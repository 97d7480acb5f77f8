"""Formulas show fresh results after a sync (issue 13 item 5): the stored result of a
formula depending on what sheetcrm wrote is removed, the workbook asks for a full
recalculation on open, and LibreOffice shows the recalculated value."""
from __future__ import annotations

import csv
import zipfile

import openpyxl
import pytest

from sheetcrm import api, schema
from sheetcrm.workbook.backends import xlsx_patch
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.workbook.backends.xlsx_recalc import ALL, depends

CHANGED = {"Pipeline": {11, 13}, "Summary": ALL, "Candidates": {1}}


@pytest.mark.parametrize("formula, own, stale", [
    ('COUNTIF(Pipeline!K2:K2000,"soft_no")', "Team", True),
    ('COUNTIF(Pipeline!$K$2:$K$2000,"soft_no")', "Team", True),
    ("COUNTIF(Pipeline!K:K,A1)", "Team", True),
    ("COUNTIF('Pipeline'!J:L,A1)", "Team", True),
    ("COUNTIF(pipeline!M5,A1)", "Team", True),  # tab names ignore case
    ("Pipeline!B2&Pipeline!H2", "Team", False),  # columns sheetcrm did not change
    ("Summary!B3*2", "Team", True),  # a tab sheetcrm rewrote
    ("K2", "Pipeline", True),  # own tab, no tab named
    ("K2", "Team", False),
    ('"C-00043"', "Candidates", False),  # a constant keeps its result
    ('"Pipeline!K2"', "Team", False),  # text, not a reference
    ("LEN(B2)", "Candidates", False),
    ("LOG10(A2)", "Candidates", True),  # A2 is a changed cell; LOG10 is a function, not a cell
    ("LOG10(B2)", "Candidates", False),
    ('INDIRECT("Pipeline!K2")', "Team", False),  # names no changed tab
    ('INDIRECT("K"&2)', "Pipeline", True),  # cannot be told: its own tab changed
    ("SUM(Pipeline!2:3)", "Team", True),  # whole rows
    ("'Old ''quoted'' tab'!K2", "Team", False),
])
def test_which_formulas_depend_on_what_sheetcrm_changed(formula, own, stale):
    assert depends(formula, own, CHANGED) is stale


def _sheet_xml(path, title):
    from sheetcrm.workbook.backends.xlsx_scrub import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return zf.read(sheet_parts(zf)[title]).decode()


def _countif_workbook(demo_xlsx, settings, today):
    """A synced demo workbook with a team tab counting soft-no rows, and one soft-no
    person's reason since changed to a hard-no (the next sync changes the count)."""
    path = demo_xlsx(30)
    s = settings.replace(workbook=path)
    api.sync_workbook(s, today, backend=XlsxBackend(path))
    names = schema.PIPELINE_TAB.names
    cls_col = openpyxl.utils.get_column_letter(names.index("rejection_class") + 1)
    wb = openpyxl.load_workbook(path)
    pipe = wb["Pipeline"]
    soft = [r for r in range(2, pipe.max_row + 1) if pipe[f"{cls_col}{r}"].value == "soft_no"]
    assert len(soft) >= 2
    pipe.cell(soft[0], names.index("rejection_reason") + 1, "asked us never to contact him again")
    team = wb.create_sheet("Team")
    team["A1"] = f'=COUNTIF(Pipeline!{cls_col}2:{cls_col}2000,"soft_no")'
    team["B1"] = '="C-00043"'
    wb.save(path)
    return path, s, len(soft)


def _shown_on_team_tab(path, tmp_path, name):
    """Team!A1:B1 as LibreOffice shows them on open (every tab exported as CSV)."""
    import subprocess

    from tests.conftest import real_client

    soffice = real_client("soffice")["soffice"]
    out = tmp_path / name
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
                    "--outdir", str(out), str(path)], check=True, capture_output=True, timeout=180)
    team = next(out.glob("*-Team.csv"))
    return next(csv.reader(team.open(encoding="utf-8")))[:2]


def test_libreoffice_shows_the_recalculated_count_after_a_sync(demo_xlsx, settings, today, tmp_path, monkeypatch):
    from tests.conftest import libreoffice_convert, real_client

    real_client("soffice")
    path, s, soft_before = _countif_workbook(demo_xlsx, settings, today)
    # as an office keeps it: saved by LibreOffice, which stores each formula's result
    resaved = libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    path.write_bytes(resaved.read_bytes())
    assert _shown_on_team_tab(path, tmp_path, "before") == [str(soft_before), "C-00043"]
    patched = []
    real = xlsx_patch.patch
    def spy(*args, **kwargs):
        done = real(*args, **kwargs)
        patched.append(1)  # the patcher took it (no fallback to openpyxl)
        return done

    monkeypatch.setattr(xlsx_patch, "patch", spy)
    api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert patched, "the sync went through the zip patch writer"
    assert "fullCalcOnLoad=\"1\"" in zipfile.ZipFile(path).read("xl/workbook.xml").decode()
    team = _sheet_xml(path, "Team")
    assert "C-00043</v>" in team  # a formula depending on nothing sheetcrm wrote keeps its result
    assert _shown_on_team_tab(path, tmp_path, "after") == [str(soft_before - 1), "C-00043"]
