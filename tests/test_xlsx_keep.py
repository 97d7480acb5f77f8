"""What a write must not lose (issue 13 item 2): macros of an .xlsm byte for byte
through every write path, formulas' stored results through the openpyxl saves."""
from __future__ import annotations

import hashlib
import os
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sheetcrm import api, schema
from sheetcrm.workbook.backends import xlsx_patch
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from tests.test_xlsx_errors import (
    ID_COL,
    _workbook_with_id_formula,
    rewrite_part,
    sheet_part,
)

MACRO_TYPE = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
VBA_REL = b"http://schemas.microsoft.com/office/2006/relationships/vbaProject"


def make_xlsm(src: Path, dest: Path) -> bytes:
    """``src`` as Excel saves a macro-enabled workbook: a VBA part (its bytes are
    opaque to everyone but Excel), its relationship and content types."""
    vba = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + os.urandom(4000)  # an OLE header, then anything
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
                                    MACRO_TYPE)
                data = data.replace(b"<Default ", b'<Default Extension="bin" '
                                    b'ContentType="application/vnd.ms-office.vbaProject"/><Default ', 1)
            if info.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdVba" Type="' + VBA_REL +
                                    b'" Target="vbaProject.bin"/></Relationships>')
            zout.writestr(info, data)
        zout.writestr("xl/vbaProject.bin", vba)
    return vba


def assert_macros_kept(path: Path, vba: bytes) -> None:
    with zipfile.ZipFile(path) as zf:
        assert hashlib.sha256(zf.read("xl/vbaProject.bin")).digest() == hashlib.sha256(vba).digest()
        assert MACRO_TYPE in zf.read("[Content_Types].xml")
        assert VBA_REL in zf.read("xl/_rels/workbook.xml.rels")
    openpyxl.load_workbook(path, keep_vba=True)  # still a workbook


def _refuse_patch(monkeypatch):
    def refuse(*args, **kwargs):
        raise xlsx_patch._Unpatchable("forced: the openpyxl path")
    monkeypatch.setattr(xlsx_patch, "patch", refuse)


@pytest.fixture
def xlsm(demo_xlsx, tmp_path):
    src = demo_xlsx(12)
    path = tmp_path / "team.xlsm"
    return path, make_xlsm(src, path)


@pytest.mark.parametrize("path_taken", ["sync", "sync through openpyxl", "forget", "init --upgrade"])
def test_an_xlsm_keeps_its_macros_through_every_write(xlsm, settings, today, monkeypatch, path_taken):
    path, vba = xlsm
    s = settings.replace(workbook=path, suppression_salt="pepper")
    backend = XlsxBackend(path)
    if path_taken == "sync through openpyxl":
        _refuse_patch(monkeypatch)
    if path_taken.startswith("sync"):
        api.sync_workbook(s, today, backend=backend)
        api.sync_workbook(s, today, backend=backend)
    elif path_taken == "forget":
        api.forget_person(s, today, candidate_id="C-00002", backend=backend, confirm=lambda question: True)
    else:
        wb = openpyxl.load_workbook(path, keep_vba=True)
        del wb["Issues"]  # something for the upgrade to add
        wb.save(path)
        vba = zipfile.ZipFile(path).read("xl/vbaProject.bin")
        assert api.upgrade_workbook(s, backend=backend).added
    assert path.suffix == ".xlsm"
    assert_macros_kept(path, vba)


def test_an_id_given_by_a_formula_survives_the_openpyxl_path_and_the_next_sync(tmp_path, settings, today,
                                                                             monkeypatch):
    """The chain of issue 13 item 2: a write through openpyxl dropped the stored
    result of ``="C-00001"``, the next sync read the id as blank and gave the person
    a new one, so their Pipeline rows pointed at nobody."""
    path = _workbook_with_id_formula(tmp_path, settings, today, cached=True)
    s = settings.replace(workbook=path)
    with monkeypatch.context() as m:
        _refuse_patch(m)
        first = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert first.ids_assigned == 0
    assert XlsxBackend(path).read().tabs["Candidates"].cell(2, ID_COL) == "C-00001"  # the stored result is back
    again = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert again.ids_assigned == 0
    issues = api.analyse_workbook(s, today, backend=XlsxBackend(path)).issues
    assert not ((issues["tab"] == "Candidates") & (issues["row"] == 2) & (issues["column"] == "candidate_id")).any()


def test_init_upgrade_keeps_stored_formula_results_and_comments(tmp_path, settings, today):
    path = _workbook_with_id_formula(tmp_path, settings, today, cached=True)
    wb = openpyxl.load_workbook(path)
    wb["Candidates"].cell(3, 2).comment = openpyxl.comments.Comment("call after 5pm", "Team")
    del wb["Summary"]
    wb.save(path)  # openpyxl dropped the stored result again: put it back
    rewrite_part(path, sheet_part(path, "Candidates"), lambda data: re.sub(
        rb'(<c r="A2")([^>]*)><f>(.*?)</f><v\s*(?:/>|></v>)',
        lambda m: m[1] + m[2] + b' t="str"><f>' + m[3] + b"</f><v>C-00001</v>", data))
    assert XlsxBackend(path).read().tabs["Candidates"].cell(2, ID_COL) == "C-00001"
    api.upgrade_workbook(settings.replace(workbook=path), backend=XlsxBackend(path))
    assert XlsxBackend(path).read().tabs["Candidates"].cell(2, ID_COL) == "C-00001"
    assert openpyxl.load_workbook(path)["Candidates"].cell(3, 2).comment.text == "call after 5pm"
    assert "Summary" in openpyxl.load_workbook(path).sheetnames  # the upgrade added it


@pytest.mark.parametrize("through_openpyxl", [False, True])
@pytest.mark.parametrize("formula", ["TRUE()", 'IF(B2<>"",TRUE,FALSE)'])
def test_a_do_not_contact_formula_keeps_its_result_when_an_owned_tab_is_renamed(tmp_path, settings, today,
                                                                              monkeypatch, formula,
                                                                              through_openpyxl):
    """Issue 14 case 1's chain: a cached TRUE is fine; someone renames the Issues
    tab; the write that adds it again dropped the stored result; the next sync read
    do_not_contact as blank and listed the person. Now the result is kept (or, where
    it cannot be, the cell is an issue and the person is never called)."""
    from sheetcrm.core import never_call

    path = tmp_path / "dnc.xlsx"
    s = settings.replace(workbook=path)
    api.init_workbook(s, today, demo=12, seed=5, backend=XlsxBackend(path))
    api.sync_workbook(s, today, backend=XlsxBackend(path))
    cands = XlsxBackend(path).read().tabs["Candidates"]
    names = cands.values[0]
    dnc_col, status_col = names.index("do_not_contact") + 1, names.index("circle_back_status") + 1
    row = next(r for r in range(2, len(cands.values) + 1) if cands.cell(r, status_col) in schema.CALLABLE)
    wb = openpyxl.load_workbook(path)
    wb["Candidates"].cell(row, dnc_col).value = "=" + formula.replace("B2", f"B{row}")
    wb["Issues"].title = "Issues (old)"
    wb.save(path)
    letter = openpyxl.utils.get_column_letter(dnc_col)
    rewrite_part(path, sheet_part(path, "Candidates"), lambda data: re.sub(
        rf'(<c r="{letter}{row}")([^>]*)><f>(.*?)</f><v\s*(?:/>|></v>)'.encode(),
        lambda m: m[1] + m[2] + b' t="b"><f>' + m[3] + b"</f><v>1</v>", data))
    with monkeypatch.context() as m:
        if through_openpyxl:
            _refuse_patch(m)
        api.sync_workbook(s, today, backend=XlsxBackend(path))  # adds the Issues tab again
    api.sync_workbook(s, today, backend=XlsxBackend(path))
    after = XlsxBackend(path).read().tabs["Candidates"]
    assert after.cell(row, dnc_col) is True
    assert after.cell(row, status_col) == never_call.NEVER
