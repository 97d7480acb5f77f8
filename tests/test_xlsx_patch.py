"""The fast xlsx write path: the same Changes written by patching the zip and by
openpyxl must leave the same cells, and the patched file must open everywhere."""
from __future__ import annotations

import dataclasses
import datetime as dt
import math
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from sheetcrm import api, schema
from sheetcrm.workbook.backends import xlsx_patch
from sheetcrm.workbook.backends.base import CellUpdate, Changes, OwnedTab
from sheetcrm.workbook.backends.xlsx import XlsxBackend

NOW = dt.datetime(2026, 11, 22, 7, 45)


EXTRA = len(schema.CANDIDATES_TAB.names) + 1  # the team's own column, right of sheetcrm's


def add_extras(path: Path) -> None:
    """What people add to their workbook: formulas, an extra column, an extra tab,
    styles, merged cells, dates, a dropdown and a highlight rule."""
    wb = openpyxl.load_workbook(path)
    ws = wb["Candidates"]
    extra = ws.max_column + 1
    ws.cell(1, extra, "how we found them")  # a team column (not a sheetcrm one)
    for r in range(2, 8):
        ws.cell(r, extra, f"=LEN(B{r})")
    ws.cell(3, 14).value = "=1+1"
    ws.cell(3, 14).data_type = "s"
    ws["B2"].font = Font(bold=True, color="FF0000")
    ws["C2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws.column_dimensions["B"].width = 33
    ws.cell(4, extra + 1, dt.date(2026, 1, 5)).number_format = "dd/mm/yyyy"
    dv = DataValidation(type="list", formula1='"web,referral"', allow_blank=True)
    dv.add(f"{openpyxl.utils.get_column_letter(extra)}2:{openpyxl.utils.get_column_letter(extra)}200")
    ws.add_data_validation(dv)
    ws.conditional_formatting.add("G2:G200", CellIsRule(operator="greaterThan", formula=["10"],
                                                        fill=PatternFill("solid", bgColor="00FF00")))
    notes = wb.create_sheet("Team notes")
    notes["A1"], notes["B1"], notes["A2"], notes["B2"] = "week", "=TODAY()", 47, dt.datetime(2026, 3, 4, 9, 30)
    notes.merge_cells("A4:C5")
    notes["A4"] = "merged note"
    wb.save(path)


def _same_cells(x: dict, y: dict) -> bool:
    # openpyxl writes floats with 16 significant digits, the patcher exactly (repr);
    # Excel keeps 15, so floats compare to that precision. openpyxl's 16 digits can
    # round 3641391632941791.5 to "3641391632941792", which reads back as an int.
    def close(u, w):
        if isinstance(u, tuple) and isinstance(w, tuple):
            return len(u) == len(w) and all(close(p, q) for p, q in zip(u, w))
        numbers = (int, float)
        if isinstance(u, numbers) and isinstance(w, numbers) and float in (type(u), type(w)):
            return math.isclose(u, w, rel_tol=1e-14)
        return u == w

    assert x.keys() == y.keys()
    for key in x:
        assert close(x[key], y[key]), (key, x[key], y[key])
    return True


def cells_openpyxl(path: Path) -> dict:
    wb = openpyxl.load_workbook(path)
    return {(ws.title, c.row, c.column): (c.value, c.data_type)
            for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None}


def cells_calamine(path: Path) -> dict:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(str(path))
    out = {}
    for name in wb.sheet_names:
        for r, row in enumerate(wb.get_sheet_by_name(name).to_python(skip_empty_area=True)):
            for c, v in enumerate(row):
                if v != "":
                    out[(name, r, c)] = v
    return out


def openpyxl_only(monkeypatch):
    def refuse(*args, **kwargs):
        raise xlsx_patch._Unpatchable("test: openpyxl path")

    monkeypatch.setattr(xlsx_patch, "patch", refuse)


def write_both(src: Path, tmp_path: Path, make_changes, monkeypatch) -> tuple[Path, Path]:
    """Write the same changes through the patcher (a) and openpyxl (b)."""
    a, b = tmp_path / "patched.xlsx", tmp_path / "openpyxl.xlsx"
    shutil.copy(src, a)
    shutil.copy(src, b)
    backend = XlsxBackend(a)
    snap = backend.read()
    real = xlsx_patch.patch
    used = []

    def spy(*args, **kwargs):
        patched = real(*args, **kwargs)
        used.append(True)  # the patcher took it (no fallback to openpyxl)
        return patched

    with monkeypatch.context() as m:
        m.setattr(xlsx_patch, "patch", spy)
        res_a = backend.write(snap, make_changes(snap))
    with monkeypatch.context() as m:
        openpyxl_only(m)
        backend_b = XlsxBackend(b)
        res_b = backend_b.write(backend_b.read(), make_changes(snap))
    assert used
    assert (res_a.cells_written, res_a.tabs_written, res_a.skipped_rows) == (
        res_b.cells_written, res_b.tabs_written, res_b.skipped_rows)
    return a, b


def assert_same(a: Path, b: Path) -> None:
    assert _same_cells(cells_openpyxl(a), cells_openpyxl(b))
    try:
        calamine_a, calamine_b = cells_calamine(a), cells_calamine(b)
    except BaseException as exc:  # noqa: B036 - calamine panics on e.g. a huge number in a date cell
        if type(exc).__name__ != "PanicException":
            raise
        return  # the backend falls back to openpyxl there too (test_xlsx); openpyxl agreed above
    assert _same_cells(calamine_a, calamine_b)


def sync_both(src: Path, tmp_path: Path, settings, today, monkeypatch) -> tuple[Path, Path]:
    a, b = tmp_path / "patched.xlsx", tmp_path / "openpyxl.xlsx"
    shutil.copy(src, a)
    shutil.copy(src, b)
    api.sync_workbook(settings.replace(workbook=a), today, NOW, backend=XlsxBackend(a))
    with monkeypatch.context() as m:
        openpyxl_only(m)
        api.sync_workbook(settings.replace(workbook=b), today, NOW, backend=XlsxBackend(b))
    return a, b


@pytest.mark.parametrize("n,extras", [(40, False), (60, True), (150, True)])

def test_sync_through_the_patcher_leaves_the_same_cells_as_openpyxl(n, extras, demo_xlsx, tmp_path, settings,
                                                                     today, monkeypatch):
    src = demo_xlsx(n)
    if extras:
        add_extras(src)
    a, b = sync_both(src, tmp_path, settings, today, monkeypatch)
    assert_same(a, b)
    # and a second sync (owned tabs and columns already filled) changes nothing more
    api.sync_workbook(settings.replace(workbook=a), today, NOW, backend=XlsxBackend(a))
    again = api.sync_workbook(settings.replace(workbook=a), today, NOW, backend=XlsxBackend(a))
    assert not again.changed
    assert_same(a, b)


def test_patched_file_opens_everywhere_and_keeps_what_people_added(demo_xlsx, tmp_path, settings, today,
                                                                    monkeypatch):
    src = demo_xlsx(60)
    add_extras(src)
    a, _ = sync_both(src, tmp_path, settings, today, monkeypatch)
    with zipfile.ZipFile(a) as zf:
        assert zf.testzip() is None
    sheets = pd.read_excel(a, sheet_name=None, engine="openpyxl")
    assert {"Candidates", "Positions", "Pipeline", "Summary", "Circle-backs", "Issues", "Team notes"} <= set(sheets)
    assert len(sheets["Candidates"]) == len(pd.read_excel(src, sheet_name="Candidates", engine="openpyxl"))
    wb = openpyxl.load_workbook(a)
    ws = wb["Candidates"]
    assert ws["B2"].font.bold and ws["B2"].font.color.rgb == "00FF0000"
    assert ws["C2"].fill.fgColor.rgb == "00FFFF00"
    assert ws.column_dimensions["B"].width == 33
    assert ws.freeze_panes == "A2"
    assert '"web,referral"' in {dv.formula1 for dv in ws.data_validations.dataValidation}
    assert '"active,passive"' in {dv.formula1 for dv in ws.data_validations.dataValidation}
    formulas = [r.formula[0] for rng in ws.conditional_formatting for r in rng.rules]
    assert "10" in formulas and any("LEN($V2)>0" in f for f in formulas)  # row_issues (column V since DESIGN added owner, source, referred_by, open_to_relocation)
    assert (ws["N3"].value, ws["N3"].data_type) == ("=1+1", "s")
    assert ws.cell(2, EXTRA).value == "=LEN(B2)"
    assert wb["Team notes"]["B1"].value == "=TODAY()"
    assert "A4:C5" in {str(r) for r in wb["Team notes"].merged_cells.ranges}
    assert wb["Team notes"]["B2"].value == dt.datetime(2026, 3, 4, 9, 30)
    assert ws.cell(4, EXTRA + 1).number_format == "dd/mm/yyyy"
    assert wb["Summary"].freeze_panes is None and wb["Summary"]["A1"].font.bold  # Summary asks for no frozen rows
    assert wb["Circle-backs"].freeze_panes == "A2" and wb["Circle-backs"]["A1"].font.bold


def test_formula_looking_text_stays_text_and_dates_read_back_as_dates(demo_xlsx, tmp_path, monkeypatch):
    src = demo_xlsx(10)
    day, moment = dt.date(2026, 12, 24), dt.datetime(2026, 5, 6, 13, 30)

    def changes(snap):
        return Changes(cells=[
            CellUpdate("Candidates", 2, 18, '=HYPERLINK("http://example.com")'),
            CellUpdate("Candidates", 3, 16, day),
            CellUpdate("Candidates", 4, 16, moment),
            CellUpdate("Candidates", 5, 18, "  spaced\nlines\r\n "),
            CellUpdate("Candidates", 40, 30, "far beyond the grid"),
        ], tabs=[OwnedTab("Summary", [["h", "rate", "on"], ["x", 0.25, day], ["=SUM(A1:A2)", None, 3]],
                          date_columns=(3,), percent_columns=(2,), widths=(30, None, 12), align_right=(2,))])

    a, b = write_both(src, tmp_path, changes, monkeypatch)
    assert_same(a, b)
    ws = openpyxl.load_workbook(a)["Candidates"]
    assert (ws.cell(2, 18).value, ws.cell(2, 18).data_type) == ('=HYPERLINK("http://example.com")', "s")
    assert ws.cell(3, 16).value == dt.datetime(2026, 12, 24) and ws.cell(3, 16).is_date
    assert ws.cell(4, 16).value == moment
    assert ws.cell(5, 18).value == "  spaced\nlines\r\n "
    assert ws.cell(40, 30).value == "far beyond the grid"
    summary = openpyxl.load_workbook(a)["Summary"]
    assert summary["B2"].number_format == "0.0%" and summary["C2"].is_date
    assert summary.column_dimensions["A"].width == 30 and summary.column_dimensions["C"].width == 12
    assert (summary["A3"].value, summary["A3"].data_type) == ("=SUM(A1:A2)", "s")
    assert summary["B1"].alignment.horizontal == "right"
    from python_calamine import CalamineWorkbook
    rows = CalamineWorkbook.from_path(str(a)).get_sheet_by_name("Candidates").to_python()
    assert rows[2][15] == dt.date(2026, 12, 24)


def test_a_missing_owned_tab_and_its_chart_are_added_by_the_patcher(demo_xlsx, tmp_path, settings, today,
                                                                      monkeypatch):
    """A tab someone deleted or renamed (and a first sync, whose Summary gets a chart)
    is added as new parts: nothing else in the zip changes (issue 13 item 2)."""
    src = demo_xlsx(10)
    wb = openpyxl.load_workbook(src)
    del wb["Summary"]
    wb["Issues"].title = "Old issues"
    wb.save(src)
    a, b = write_both(src, tmp_path, lambda snap: Changes(tabs=[OwnedTab("Brand new", [["a"], [1]])]), monkeypatch)
    assert_same(a, b)
    with zipfile.ZipFile(src) as before, zipfile.ZipFile(a) as after:
        kept = {n: before.read(n) for n in before.namelist()}
        changed = {n for n in kept if n in after.namelist() and after.read(n) != kept[n]}
        assert changed - {"xl/styles.xml"} == {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels"}
    shutil.copy(src, a)
    api.sync_workbook(settings.replace(workbook=a), today, NOW, backend=XlsxBackend(a))
    wb = openpyxl.load_workbook(a)
    assert {"Summary", "Issues", "Old issues"} <= set(wb.sheetnames)
    assert len(wb["Summary"]._charts) == 1


@pytest.mark.parametrize("case", ["shared formula overwritten"])
def test_what_the_patcher_cannot_do_goes_to_openpyxl_before_anything_is_written(case, demo_xlsx, tmp_path,
                                                                                  monkeypatch):
    src = demo_xlsx(10)
    if case == "shared formula overwritten":
        # a shared formula written by hand (as Excel writes them)
        edit_sheet_xml(src, tmp_path, lambda xml: xml.replace(
            '<row r="2">', '<row r="2"><c r="A2"><f t="shared" ref="A2:A3" si="0">1+1</f><v>2</v></c>', 1).replace(
            '<c r="A2" t="inlineStr"><is><t>C-00001</t></is></c>', "", 1))
    tabs: list[OwnedTab] = []
    cells = [CellUpdate("Candidates", 2, 1, "C-9")] if case == "shared formula overwritten" else []
    snap = XlsxBackend(src).read()
    changes = Changes(cells=cells, tabs=tabs)
    with pytest.raises(xlsx_patch._Unpatchable):
        xlsx_patch.patch(src, snap, changes)
    before = src.read_bytes()
    result = XlsxBackend(src).write(snap, changes)
    assert src.read_bytes() != before and result.cells_written + result.tabs_written == 1
    wb = openpyxl.load_workbook(src)
    assert wb["Candidates"]["A2"].value == "C-9"


_text = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("\t\n\r="), max_size=12)
_values = st.one_of(
    _text, st.just("=1+2"), st.builds(lambda t: "=" + t, _text),
    st.integers(-10**12, 10**12), st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(), st.dates(dt.date(1950, 1, 1), dt.date(2100, 1, 1)),
    st.datetimes(dt.datetime(1950, 1, 1), dt.datetime(2100, 1, 1)).map(lambda d: d.replace(microsecond=0)),
    st.none(),
)
_MERGED = {("Team notes", r, c) for r in (4, 5) for c in (1, 2, 3)}  # add_extras merges A4:C5
_updates = st.lists(st.builds(CellUpdate, st.sampled_from(["Candidates", "Pipeline", "Team notes"]),
                              st.integers(1, 20), st.integers(1, 24), _values)
                    .filter(lambda u: (u.tab, u.row, u.col) not in _MERGED), max_size=12)


@pytest.fixture(scope="module")
def small_workbook(tmp_path_factory):
    from sheetcrm.config import Settings

    path = tmp_path_factory.mktemp("hyp") / "w.xlsx"
    api.init_workbook(Settings().replace(workbook=path), dt.date(2026, 11, 22), demo=8, seed=3,
                      backend=XlsxBackend(path))
    add_extras(path)
    return path


@hyp_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(updates=_updates)
def test_random_cell_updates_land_the_same_through_both_paths(updates, small_workbook, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("case")
    with pytest.MonkeyPatch.context() as mp:
        a, b = write_both(small_workbook, tmp, lambda snap: Changes(cells=list(updates)), mp)
    assert_same(a, b)


def test_libreoffice_opens_a_patched_workbook(demo_xlsx, tmp_path, settings, today, monkeypatch):
    from tests.conftest import libreoffice_convert, real_client

    real_client("soffice")
    src = demo_xlsx(30)
    add_extras(src)
    a, _ = sync_both(src, tmp_path, settings, today, monkeypatch)
    text = libreoffice_convert(a, "csv", tmp_path / "csv", timeout=120).read_text()
    assert text.startswith("candidate_id,name,email")
    assert len(text.splitlines()) >= 31


@pytest.mark.parametrize("value", [1.7976931348623155e+308, -1.7976931348623157e+308, 5e-324])
def test_the_largest_floats_stay_finite_through_both_paths(value, small_workbook, tmp_path, monkeypatch):
    # openpyxl writes "%.16g", which rounds these up past the largest float (the
    # Hypothesis test above once found 1.7976931348623155e+308 reading back as inf)
    a, b = write_both(small_workbook, tmp_path, lambda snap: Changes(cells=[CellUpdate("Team notes", 9, 2, value)]),
                      monkeypatch)
    assert_same(a, b)
    for path in (a, b):
        got = XlsxBackend(path).read().tabs["Team notes"].cell(9, 2)
        assert math.isfinite(got) and math.isclose(got, value, rel_tol=1e-15)


def test_an_owned_tab_titled_in_another_case_is_rewritten_not_doubled(demo_xlsx, settings, today, monkeypatch):
    """Tab names ignore case in Excel: a second 'Issues' beside 'issues' is a file
    Excel must repair. The patcher rewrites the tab that is there (issue 13)."""
    src = demo_xlsx(10)
    wb = openpyxl.load_workbook(src)
    wb["Issues"].title = "issues"
    wb.save(src)
    used = []
    real = xlsx_patch.patch
    def spy(*args, **kwargs):
        done = real(*args, **kwargs)
        used.append(1)  # the patcher took it
        return done

    monkeypatch.setattr(xlsx_patch, "patch", spy)
    api.sync_workbook(settings.replace(workbook=src), today, NOW, backend=XlsxBackend(src))
    assert used
    wb = openpyxl.load_workbook(src)
    (issues,) = [n for n in wb.sheetnames if n.casefold() == "issues"]
    assert wb[issues]["A1"].value == "tab"


def test_a_cell_of_a_shared_formula_group_is_overwritten_by_the_patcher(demo_xlsx, tmp_path):
    src = demo_xlsx(10)
    edit_sheet_xml(src, tmp_path, lambda xml: xml.replace(
        '<row r="2">', '<row r="2"><c r="AA2"><f t="shared" ref="AA2:AA3" si="0">1+1</f><v>2</v></c>', 1).replace(
        '<row r="3">', '<row r="3"><c r="AA3"><f t="shared" si="0"/><v>2</v></c>', 1))
    snap = XlsxBackend(src).read()
    patched = xlsx_patch.patch(src, snap, Changes(cells=[CellUpdate("Candidates", 3, 27, "mine")]))
    patched.close()
    assert patched.result.cells_written == 1


def edit_sheet_xml(src, tmp_path, edit) -> None:
    """Rewrite the first sheet's XML of the workbook at ``src`` as a person's program
    would (unzip, edit, zip again)."""
    d = tmp_path / "x"
    with zipfile.ZipFile(src) as zf:
        zf.extractall(d)
    sheet = d / "xl/worksheets/sheet1.xml"
    sheet.write_text(edit(sheet.read_text()))
    src.unlink()
    with zipfile.ZipFile(src, "w") as zf:
        for p in sorted(d.rglob("*")):
            if p.is_file():
                zf.write(p, p.relative_to(d).as_posix())


def _raw_members(path: Path) -> dict[str, tuple[int, bytes]]:
    """Each member's CRC and compressed bytes, as they lie in the file."""
    out = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as f:
        for info in zf.infolist():
            f.seek(info.header_offset)
            head = f.read(30)
            f.seek(info.header_offset + 30 + int.from_bytes(head[26:28], "little") + int.from_bytes(head[28:30], "little"))
            out[info.filename] = (info.CRC, f.read(info.compress_size))
    return out


@pytest.mark.parametrize("method, level", [(zipfile.ZIP_STORED, None), (zipfile.ZIP_DEFLATED, 1),
                                           (zipfile.ZIP_DEFLATED, 9)])
def test_unchanged_parts_are_copied_as_they_are_compressed(method, level, demo_xlsx, tmp_path):
    """A write copies the parts it does not change byte for byte, compressed as they
    were (stored, or deflated at any level; issue 20: deflating an unchanged 100,000-row
    tab again took seconds); the new zip passes every CRC check and reads as the old one did."""
    path = demo_xlsx(20)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(tmp_path / "other.xlsx", "w") as dst:
        for info in src.infolist():  # as other writers save: every part stored, or deflated harder or lighter
            dst.writestr(info.filename, src.read(info), compress_type=method, compresslevel=level)
    shutil.move(tmp_path / "other.xlsx", path)
    before, parts = _raw_members(path), _parts(path)
    backend = XlsxBackend(path)
    snap = backend.read()
    backend.write(snap, Changes(cells=[CellUpdate("Candidates", 2, EXTRA, "new text")]))
    after = _raw_members(path)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
        changed = {name for name in after if zf.read(name) != parts.get(name)}
    assert changed and "xl/styles.xml" not in changed
    assert {name: before[name] for name in after if name not in changed} == \
        {name: after[name] for name in after if name not in changed}
    assert backend.read().tabs["Candidates"].cell(2, EXTRA) == "new text"


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


@pytest.mark.parametrize("isal", [True, False])
def test_a_damaged_part_fails_the_write_as_reading_it_did(isal, demo_xlsx, monkeypatch):
    """An unchanged part copied as compressed is still checked against its CRC:
    a damaged one is never copied on, the write fails as reading the part made it fail."""
    import zlib

    from sheetcrm.workbook.backends import xlsx_zip
    if not isal:
        monkeypatch.setattr(xlsx_zip, "_isal", None)
    path = demo_xlsx(20)
    snap = XlsxBackend(path).read()
    _, raw = _raw_members(path)["xl/styles.xml"]
    data = path.read_bytes()
    at = data.index(raw) + len(raw) // 2
    path.write_bytes(data[:at] + bytes([data[at] ^ 0x55]) + data[at + 1:])
    patched = xlsx_patch.patch(path, snap, Changes(cells=[CellUpdate("Candidates", 2, EXTRA, "x")]))
    try:
        with pytest.raises((zipfile.BadZipFile, zlib.error)):
            patched.save(path.with_name("out.xlsx"))
    finally:
        patched.close()


def test_the_deflate_level_changes_no_part(demo_xlsx, tmp_path, monkeypatch):
    """Parts written anew are deflated lighter (issue 20: level 2, was 3): the parts
    read back are the same as at the old level, byte for byte."""
    from sheetcrm.workbook.backends import xlsx_zip
    path = demo_xlsx(30)
    snap = XlsxBackend(path).read()
    changes = Changes(cells=[CellUpdate("Candidates", r, EXTRA, f"note {r}") for r in range(2, 30)])
    parts = {}
    for level in (3, xlsx_zip._LEVEL):
        monkeypatch.setattr(xlsx_zip, "_LEVEL", level)
        patched = xlsx_patch.patch(path, snap, changes)
        try:
            patched.save(tmp_path / f"level{level}.xlsx")
        finally:
            patched.close()
        parts[level] = _parts(tmp_path / f"level{level}.xlsx")
    assert parts[3] == parts[xlsx_zip._LEVEL]


def test_parts_deflated_and_inflated_by_isa_l_are_the_parts_zlib_gives(demo_xlsx, tmp_path, monkeypatch):
    """ISA-L deflates the parts written anew and inflates the parts read (issue 20:
    3-6x as fast as zlib): the file passes every CRC check, its members are plain
    deflate (what Excel and LibreOffice read), and every part reads back byte for byte
    as with zlib alone, whether ISA-L is installed or not."""
    from sheetcrm.workbook.backends import xlsx_zip
    if xlsx_zip._isal is None:
        pytest.fail("isal is a dependency (pyproject.toml)")
    path = demo_xlsx(30)
    snap = XlsxBackend(path).read()
    changes = Changes(cells=[CellUpdate("Candidates", r, EXTRA, f"note {r}") for r in range(2, 30)],
                      tabs=[OwnedTab("Issues", [["a", "b"], *(["x", r] for r in range(500))])])
    parts = {}
    for name, isal in (("isal", xlsx_zip._isal), ("zlib", None)):
        monkeypatch.setattr(xlsx_zip, "_isal", isal)
        patched = xlsx_patch.patch(path, snap, changes)
        try:
            patched.save(tmp_path / f"{name}.xlsx")
        finally:
            patched.close()
        with zipfile.ZipFile(tmp_path / f"{name}.xlsx") as zf:
            assert zf.testzip() is None
            assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        parts[name] = _parts(tmp_path / f"{name}.xlsx")
    assert parts["isal"] == parts["zlib"]


@pytest.mark.parametrize("n", [30, 120])
def test_a_planned_write_trusts_its_identities_and_writes_the_same_bytes(n, demo_xlsx, tmp_path, settings, today):
    """The plan's updates carry ``read_from`` (their identities were read from this
    snapshot, issue 20): the patcher lands them without reading the rows again, and
    the workbook is the one it writes when it checks each row, part for part."""
    from sheetcrm.rules import load_rules
    from sheetcrm.workbook import sync as sync_mod
    from sheetcrm.workbook.second_core import analyse

    src = demo_xlsx(n)
    snap, maps, frames = sync_mod.load(XlsxBackend(src), settings)
    analysis = analyse(frames, settings, today, NOW, rules=load_rules(settings), suppressed=None)
    changes = sync_mod.plan_changes(snap, maps, analysis)
    assert changes.read_from == (snap, len(changes.cells)) and len(changes.cells) > n
    # an update added after the plan's (its identity read elsewhere) is still checked:
    # no row holds that identity, so it is left out
    changes.cells.add("Candidates", [2], [1], ["x"], [((1, "nobody"),)])
    parts = {}
    for trusted in (True, False):
        plan = dataclasses.replace(changes, read_from=changes.read_from if trusted else None)
        patched = xlsx_patch.patch(src, snap, plan)
        out = tmp_path / f"{trusted}.xlsx"
        try:
            patched.save(out)
        finally:
            patched.close()
        with zipfile.ZipFile(out) as zf:
            parts[trusted] = ({name: zf.read(name) for name in zf.namelist()},
                              (patched.result.cells_written, patched.result.skipped_rows))
    assert parts[True] == parts[False]
    assert parts[True][1] == (len(changes.cells) - 1, 1)


@pytest.mark.parametrize("seed", range(10))
def test_an_edited_sheet_s_dimension_grows_to_the_last_row_and_column_written(seed, demo_xlsx):
    """_edit_rows grows ``<dimension ref>`` to the largest row and column it writes; the
    column is read from the set of columns _grouped made with the updates (issue 20),
    not from every update again: the dimension that looking at every update gave,
    updates left out (no such row any more) not counted."""
    import random
    import re

    from sheetcrm.workbook.backends.base import CellUpdates, resolve_targets
    from sheetcrm.workbook.backends.xlsx_cells import grown

    rnd = random.Random(seed)
    src = demo_xlsx(20)
    snap = XlsxBackend(src).read()
    grid = snap.tabs["Candidates"].values
    cells = CellUpdates()
    for _ in range(rnd.randint(1, 40)):
        row, col = rnd.randint(2, len(grid) + 30), rnd.randint(1, 60)
        ident = ((1, grid[row - 1][0]),) if row <= len(grid) and rnd.random() < 0.8 else ((1, "gone"),)
        cells.add("Candidates", [row], [col], [f"v{rnd.random()}"], [ident])
    targets, _ = resolve_targets(cells, lambda t, r, c: snap.tabs[t].cell(r, c), lambda t: len(snap.tabs[t].values))
    landed = [(r, c) for r, c in zip(targets, cells.col) if r is not None]
    with zipfile.ZipFile(src) as zf:
        before = re.search(rb'<dimension ref="([^"]+)"', zf.read("xl/worksheets/sheet1.xml")).group(1).decode()
    patched = xlsx_patch.patch(src, snap, Changes(cells=cells))
    try:
        out = src.with_name("out.xlsx")
        patched.save(out)
    finally:
        patched.close()
    with zipfile.ZipFile(out) as zf:
        after = re.search(rb'<dimension ref="([^"]+)"', zf.read("xl/worksheets/sheet1.xml")).group(1).decode()
    want = grown(before, max(r for r, _ in landed), max(c for _, c in landed)) if landed else before
    assert after == want
