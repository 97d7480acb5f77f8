"""What the .xlsx reader must not see as blank: error values and formulas whose file
holds no calculated result (issue 13: a formula with no cached value is an issue at
its cell, never silently blank; issue 14 case 1)."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

import openpyxl
import pytest

from sheetcrm import api, schema
from sheetcrm.values import FormulaWithoutValue
from sheetcrm.workbook.backends.xlsx import XlsxBackend

ID_COL = schema.CANDIDATES_TAB.names.index("candidate_id") + 1


def rewrite_part(path: Path, part: str, edit) -> None:
    """Replace one zip member's bytes by ``edit(bytes)`` (what Excel would have saved)."""
    with zipfile.ZipFile(path) as zf:
        items = [(info, zf.read(info.filename)) for info in zf.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            out.writestr(info, edit(data) if info.filename == part else data)


def sheet_part(path: Path, title: str) -> str:
    from sheetcrm.workbook.backends.xlsx_scrub import sheet_parts

    with zipfile.ZipFile(path) as zf:
        return sheet_parts(zf)[title]


@pytest.mark.parametrize("cell_xml, read", [
    ('<c r="A1"><f>TRUE()</f></c>', FormulaWithoutValue("TRUE()")),
    ('<c r="A1"><f>TRUE()</f><v></v></c>', FormulaWithoutValue("TRUE()")),  # as openpyxl saves it
    ('<c r="A1"><f>TRUE()</f><v/></c>', FormulaWithoutValue("TRUE()")),
    ('<c r="A1" t="b"><f>TRUE()</f><v>1</v></c>', True),
    ('<c r="A1" t="str"><f>"C-"&amp;"00043"</f><v>C-00043</v></c>', "C-00043"),
    ('<c r="A1" t="str"><f>""</f><v></v></c>', None),  # an empty text result is a result
    ('<c r="A1" t="e"><f>1/0</f><v>#DIV/0!</v></c>', "#DIV/0!"),
    ('<c r="A1" t="e"><v>#N/A</v></c>', "#N/A"),
    ('<c r="A1" t="b">\n  <f>TRUE()</f>\n  <v>1</v>\n</c>', True),  # pretty-printed: a result
    ('<c r="A1" s="3"><f t="shared" si="0"/></c>', FormulaWithoutValue("")),  # a shared formula's cell
])
def test_reader_sees_error_values_and_formulas_without_a_result(tmp_path, cell_xml, read):
    path = tmp_path / "one.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Tab"
    wb.active["B1"] = "marker"
    wb.save(path)
    rewrite_part(path, sheet_part(path, "Tab"),
                 lambda data: re.sub(rb'<c r="B1"[^>]*>.*?</c>', cell_xml.encode() + rb'<c r="B1" t="inlineStr">'
                                     rb'<is><t>marker</t></is></c>', data))
    got = XlsxBackend(path).read().tabs["Tab"].cell(1, 1)
    assert got == read and type(got) is type(read)


def _workbook_with_id_formula(tmp_path, settings, today, cached: bool) -> Path:
    """A demo workbook whose first person's candidate_id is the formula ="C-00001",
    with or without the result Excel stores."""
    path = tmp_path / "ids.xlsx"
    api.init_workbook(settings.replace(workbook=path), today, demo=8, seed=3, backend=XlsxBackend(path))
    wb = openpyxl.load_workbook(path)
    first = wb["Candidates"].cell(2, ID_COL).value
    wb["Candidates"].cell(2, ID_COL).value = f'="{first}"'
    wb.save(path)  # openpyxl stores no result
    if cached:
        rewrite_part(path, sheet_part(path, "Candidates"), lambda data: re.sub(
            rb'(<c r="A2")([^>]*)><f>(.*?)</f><v\s*(?:/>|></v>)',
            lambda m: m[1] + m[2] + b' t="str"><f>' + m[3] + b"</f><v>" + first.encode() + b"</v>", data))
    return path


@pytest.mark.parametrize("cached", [True, False])
def test_an_id_given_by_a_formula_is_never_replaced_by_a_new_id(tmp_path, settings, today, cached):
    path = _workbook_with_id_formula(tmp_path, settings, today, cached)
    s = settings.replace(workbook=path)
    report = api.sync_workbook(s, today, backend=XlsxBackend(path))
    assert report.ids_assigned == 0
    cell = openpyxl.load_workbook(path)["Candidates"].cell(2, ID_COL)
    assert isinstance(cell.value, str) and cell.value.startswith("=")  # the person's formula stays
    issues = api.analyse_workbook(s, today, backend=XlsxBackend(path)).issues
    at_cell = issues[(issues["tab"] == "Candidates") & (issues["row"] == 2) & (issues["column"] == "candidate_id")]
    if cached:
        assert at_cell.empty
    else:
        assert (at_cell["severity"] == "error").any()
        assert at_cell["message"].str.contains("formula whose result is not saved").any()


@pytest.mark.parametrize("chunk", [7, 64, 1 << 18, 1 << 22])
def test_a_tab_read_in_chunks_gives_every_error_cell(tmp_path, chunk, monkeypatch):
    """The sheet XML is read in chunks (a 100,000-row tab is never held whole): a
    cell cut by a chunk's edge is still found, once."""
    from sheetcrm.workbook.backends import xlsx_errors

    path = tmp_path / "many.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Tab"
    for r in range(1, 60):
        ws.cell(r, 1, f"text {r}")
        ws.cell(r, 2, "=1/0" if r % 7 == 0 else r)  # saved by openpyxl: formulas without a result
    wb.save(path)
    rewrite_part(path, sheet_part(path, "Tab"), lambda data: data.replace(
        b'</c></row><row r="6"', b'</c><c r="C5" t="e"><v>#N/A</v></c></row><row r="6"'))
    monkeypatch.setattr(xlsx_errors, "_CHUNK", chunk)
    cells = xlsx_errors.error_cells(path)["Tab"]
    assert sorted(cells) == sorted([(5, 3, "#N/A")] + [(r, 2, FormulaWithoutValue("1/0")) for r in range(7, 60, 7)])


def _plain_error_cells(path: Path) -> dict[str, list]:
    """error_cells as the plain implementation: every worksheet parsed whole, every cell
    with t="e" or a formula looked at (no byte searches, no chunks)."""
    from lxml import etree

    from sheetcrm.workbook.backends import xlsx_errors

    out: dict[str, list] = {}
    with zipfile.ZipFile(path) as zf:
        for title, part in xlsx_errors.sheet_parts(zf).items():
            root = etree.fromstring(zf.read(part), etree.XMLParser(resolve_entities=False, huge_tree=True))
            for c in root.xpath("//m:c[@t='e' or m:f]", namespaces={"m": xlsx_errors._MAIN}):
                m = xlsx_errors._REF.fullmatch(c.get("r") or "")
                seen = xlsx_errors._unread(c) if m else None
                if seen is not None:
                    out.setdefault(title, []).append((int(m[2]), xlsx_errors.col_number(m[1]), seen))
    return out


# Not <c t="e"/>: the byte search skips an empty cell, a prefixed tab parsed whole reads it as #ERROR.
_RANDOM_CELLS = [
    '<c r="{ref}" t="inlineStr"><is><t>x</t></is></c>', '<c r="{ref}"><v>3</v></c>', '<c r="{ref}" s="1"/>',
    '<c r="{ref}" t="e"><v>#N/A</v></c>', '<c r="{ref}" t="e"><v>#REF!</v></c>',
    '<c r="{ref}"><f>1/0</f></c>', '<c r="{ref}"><f>A1+1</f><v>2</v></c>', '<c r="{ref}" t="str"><f>"a"</f><v></v></c>',
    '<c r="{ref}"><f t="shared" si="0"/></c>', '<c r="{ref}"><f t="shared" si="0"/><v>1</v></c>',
    '<c r="{ref}" t="inlineStr"><is><t>t="e" :c> &lt;f x:c </t></is></c>', '<c r="{ref}"><f>SUM(A1:A2)</f>\n<v>1</v></c>',
]


@pytest.mark.parametrize("seed", range(30))
@pytest.mark.parametrize("chunk", [64, 1 << 18])
def test_the_error_cells_found_are_those_of_the_whole_parsed_tab(tmp_path, monkeypatch, seed, chunk):
    """error_cells (byte searches for the cells that may hold an error or a formula
    without a result, in chunks) finds what parsing every cell finds, on random tabs:
    error cells, formulas with and without a result, shared formulas, texts holding
    't="e"', ':c>' and '<f', the same tab written with an x: prefix."""
    import random

    from sheetcrm.workbook.backends import xlsx_errors

    rnd = random.Random(seed)
    path = tmp_path / "r.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Tab"
    wb.save(path)
    rows = []
    for r in range(1, rnd.randint(1, 60)):
        cells = "".join(rnd.choice(_RANDOM_CELLS).format(ref=f"{'ABCDEFGH'[c]}{r}") for c in range(rnd.randint(0, 8)))
        rows.append(f'<row r="{r}">{cells}</row>')
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    xml = f'<worksheet xmlns="{main}"><sheetData>{"".join(rows)}</sheetData></worksheet>'
    if rnd.random() < 0.3:  # every element of the tab with a prefix
        xml = re.sub(r"<(/?)(?=[a-z])", r"<\1x:", xml).replace(f'xmlns="{main}"', f'xmlns:x="{main}"')
    rewrite_part(path, sheet_part(path, "Tab"), lambda data: xml.encode())
    monkeypatch.setattr(xlsx_errors, "_CHUNK", chunk)
    def by_cell(found):
        return {title: sorted(cells, key=lambda cell: cell[:2]) for title, cells in found.items()}

    assert by_cell(xlsx_errors.error_cells(path)) == by_cell(_plain_error_cells(path))
