"""The streaming worksheet editor (xlsx_stream): only rows that change are parsed,
everything else is copied; the result is what editing the whole tree would give."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pytest
from hypothesis import given, settings as hyp_settings, strategies as st
from lxml import etree

from sheetcrm.workbook.backends import xlsx_cells, xlsx_patch, xlsx_stream, xlsx_zip
from sheetcrm.workbook.backends.base import CellUpdate, Changes
from sheetcrm.workbook.backends.xlsx import XlsxBackend

MAIN = xlsx_stream.MAIN
ROOT = (f'<worksheet xmlns="{MAIN}" xmlns:x14ac="http://schemas.microsoft.com/office/spreadsheetml/2009/9/ac" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">')


def sheet_xml(rows: dict[int, list[str]], between: str = "") -> bytes:
    body = between.join(
        f'<row r="{n}" x14ac:dyDescent="0.25">' + "".join(
            f'<c r="{col}{n}" t="inlineStr"><is><t>{text}</t></is></c>' for col, text in zip("ABC", cells)) + "</row>"
        if cells else f'<row r="{n}"/>'
        for n, cells in sorted(rows.items()))
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n{ROOT}<dimension ref="A1:C9"/>'
            f"<sheetData>{body}</sheetData><pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" "
            'header="0.3" footer="0.3"/></worksheet>').encode()


def mark(data: etree._Element, touch: set[int]) -> None:
    """The edit under test: a cell D holding the row number on each touched row."""
    for row in data.iterchildren(f"{{{MAIN}}}row"):
        if int(row.get("r")) in touch:
            c = etree.SubElement(row, f"{{{MAIN}}}c", r=f"D{row.get('r')}")
            etree.SubElement(c, f"{{{MAIN}}}v").text = row.get("r")


def expected(xml: bytes, touch: set[int]) -> list[tuple[int, list[tuple[str, str]]]]:
    """The same edit on the whole tree."""
    root = etree.fromstring(xml)
    data = root.find(f"{{{MAIN}}}sheetData")
    have = {int(r.get("r")): r for r in data}
    for n in sorted(touch - have.keys()):
        row = etree.Element(f"{{{MAIN}}}row", r=str(n))
        later = [k for k in have if k > n]
        (have[min(later)].addprevious(row) if later else data.append(row))
        have[n] = row
    mark(data, touch)
    return cells_of(root)


def cells_of(root: etree._Element) -> list[tuple[int, list[tuple[str, str]]]]:
    data = root.find(f"{{{MAIN}}}sheetData")
    return [(int(r.get("r")), [(c.get("r"), "".join(c.itertext())) for c in r]) for r in data]


def streamed(xml: bytes, touch: set[int], formulas: bool = False) -> tuple[bytes, xlsx_stream.RowStream]:
    out = io.BytesIO()
    stream = xlsx_stream.RowStream(io.BytesIO(xml), out, sorted(touch), lambda d: mark(d, touch), formulas)
    stream.run()
    return out.getvalue(), stream


_rows = st.dictionaries(st.integers(1, 40), st.lists(st.sampled_from(["a", "b&amp;c", "ü€", " x "]), max_size=3),
                        max_size=25)


@hyp_settings(max_examples=150, deadline=None)
@given(rows=_rows, touch=st.sets(st.integers(1, 45), max_size=12), chunk=st.sampled_from([3, 17, 64, 1 << 22]),
       between=st.sampled_from(["", "\n  "]))
def test_streaming_gives_what_editing_the_whole_tree_gives(rows, touch, chunk, between):
    xml = sheet_xml(rows, between)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_stream, "CHUNK", chunk)  # chunk edges anywhere: inside tags, rows, text
        out, stream = streamed(xml, touch)
    root = etree.fromstring(out)
    assert cells_of(root) == expected(xml, touch)
    numbers = [int(r.get("r")) for r in root.find(f"{{{MAIN}}}sheetData")]
    assert numbers == sorted(set(numbers))  # rows inserted in order, none twice
    assert stream.parsed_rows <= len(touch | rows.keys())
    assert out.startswith(xml[:xml.index(b"<sheetData")])  # the head is copied as it was
    if not touch:
        assert out == xml


def test_a_huge_sheet_is_copied_not_parsed_but_for_the_rows_that_change(monkeypatch):
    rows = {n: ["name", "x"] for n in range(1, 20_001)}
    xml = sheet_xml(rows)
    parsed = []
    real = etree.fromstring

    def spy(text, *args, **kwargs):
        parsed.append(len(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(xlsx_stream.etree, "fromstring", spy)
    out, stream = streamed(xml, {7, 15_000})
    assert stream.parsed_rows == 2 and len(parsed) == 2
    assert max(parsed) < 1000  # each parse holds one row, not the sheet
    assert out.replace(b'<c r="D7"><v>7</v></c>', b"").replace(b'<c r="D15000"><v>15000</v></c>', b"") == xml


def test_formula_rows_are_handed_over_only_when_asked():
    xml = sheet_xml({1: ["a"], 2: [], 3: ["b"]}).replace(
        b'<row r="2"/>', b'<row r="2"><c r="A2"><f>SUM(A1:A1)</f><v>1</v></c></row>')
    seen = []
    for formulas in (False, True):
        stream = xlsx_stream.RowStream(io.BytesIO(xml), io.BytesIO(), [], lambda d: seen.append(
            [r.get("r") for r in d]), formulas)
        stream.run()
    assert seen == [["2"]]


@pytest.mark.parametrize("odd", [
    b'<!-- a note --><row r="1"/>',  # a comment in sheetData
    b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[</row>]]></t></is></c></row>',
    b'<row r="2"/><row r="1"/>',  # out of order
    b'<row/>',  # no row number
    b'<x:row xmlns:x="' + MAIN.encode() + b'" r="1"/>',
])
def test_what_the_scanner_cannot_read_safely_is_refused(odd):
    xml = sheet_xml({}).replace(b"<sheetData></sheetData>", b"<sheetData>" + odd + b"</sheetData>")
    with pytest.raises(xlsx_stream.Unstreamable):
        streamed(xml, {1})


def _rezip(src, edit) -> None:
    with zipfile.ZipFile(src) as zf:
        parts = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    parts["xl/worksheets/sheet1.xml"] = edit(parts["xl/worksheets/sheet1.xml"])
    with zipfile.ZipFile(src, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


@pytest.mark.parametrize("odd", ["comment", "prefixed"])
def test_a_sheet_the_scanner_refuses_is_patched_as_a_tree(odd, demo_xlsx, monkeypatch):
    src = demo_xlsx(10)
    if odd == "comment":
        _rezip(src, lambda xml: xml.replace(b'<row r="3"', b'<!-- kept --><row r="3"', 1))
    else:  # every element with a prefix, as some generators write them
        def prefixed(xml: bytes) -> bytes:
            root = etree.fromstring(xml)
            out = etree.Element(f"{{{MAIN}}}worksheet", nsmap={"x": MAIN})
            out.extend(list(root))
            return etree.tostring(out, xml_declaration=True, encoding="UTF-8", standalone=True)
        _rezip(src, prefixed)
    trees = []
    real = xlsx_zip._Package.xml
    monkeypatch.setattr(xlsx_zip._Package, "xml", lambda self, name: trees.append(name) or real(self, name))
    backend = XlsxBackend(src)
    snap = backend.read()
    used = []
    real_patch = xlsx_patch.patch
    monkeypatch.setattr(xlsx_patch, "patch", lambda *a: used.append(1) or real_patch(*a))
    backend.write(snap, Changes(cells=[CellUpdate("Candidates", 4, 2, "New name"), CellUpdate("Candidates", 40, 1, "C-9")]))
    assert used and "xl/worksheets/sheet1.xml" in trees  # the patcher took it, as a tree
    ws = openpyxl.load_workbook(src)["Candidates"]
    assert (ws["B4"].value, ws["A40"].value) == ("New name", "C-9")
    assert ws["A3"].value == snap.tabs["Candidates"].cell(3, 1)


def test_a_worksheet_with_cell_updates_is_streamed_not_loaded_as_a_tree(demo_xlsx, monkeypatch):
    src = demo_xlsx(30)
    trees = []
    real = xlsx_zip._Package.xml
    monkeypatch.setattr(xlsx_zip._Package, "xml", lambda self, name: trees.append(name) or real(self, name))
    backend = XlsxBackend(src)
    snap = backend.read()
    result = backend.write(snap, Changes(cells=[CellUpdate("Candidates", 5, 2, "Streamed"),
                                                CellUpdate("Candidates", 500, 3, "=1+1")]))
    assert result.cells_written == 2
    assert not [t for t in trees if "worksheets/" in t]
    ws = openpyxl.load_workbook(src)["Candidates"]
    assert (ws["B5"].value, ws["C500"].value, ws["C500"].data_type) == ("Streamed", "=1+1", "s")
    assert ws.calculate_dimension().endswith("500")


class _SameStyle:
    def xf(self, base, fmt=None, *args, **kwargs):
        return base


_cell_values = st.one_of(
    st.text(min_size=1), st.text().map(lambda t: "=" + t), st.integers(-10**15, 10**15), st.booleans(),
    st.floats(allow_nan=False, allow_infinity=False), st.dates(dt.date(1900, 3, 1), dt.date(2200, 1, 1)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(2200, 1, 1)))


@hyp_settings(max_examples=300, deadline=None)
@given(value=_cell_values)
def test_an_owned_tab_cell_written_as_text_is_the_cell_an_update_writes(value):
    """xlsx_owned writes cells as text (cell_xml), updates edit elements (fill): the
    same XML for the same value, text beginning with '=' included."""
    wrap = f'<sheetData xmlns="{MAIN}"><row r="1">{{}}</row></sheetData>'
    root = etree.fromstring(wrap.format('<c r="A1" s="3"/>'))
    xlsx_cells.fill(root[0][0], value, _SameStyle())
    kind, v = xlsx_cells.value_kind(value)
    as_text = etree.fromstring(wrap.format(xlsx_cells.cell_xml("A1", 3, kind, v)).encode())
    assert etree.tostring(as_text, encoding="UTF-8") == etree.tostring(root, encoding="UTF-8")
    assert as_text[0][0].get("t") == ("inlineStr" if isinstance(value, str) else None if kind != "b" else "b")


def test_owned_tabs_and_updated_tabs_are_never_loaded_as_trees(demo_xlsx, settings, today, monkeypatch):
    from sheetcrm import api

    src = demo_xlsx(40)
    trees = []
    real = xlsx_zip._Package.xml
    monkeypatch.setattr(xlsx_zip._Package, "xml", lambda self, name: trees.append(name) or real(self, name))
    report = api.sync_workbook(settings.replace(workbook=src), today, dt.datetime(2026, 11, 22, 9, 0),
                               backend=XlsxBackend(src))
    assert report.cells_changed and report.tabs_rewritten
    assert trees and not [t for t in trees if "worksheets/" in t]
    wb = openpyxl.load_workbook(src)
    assert wb["Issues"]["A1"].value == "tab"


@hyp_settings(max_examples=300, deadline=None)
@given(value=st.one_of(st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
                       st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31))))
def test_a_date_is_the_serial_openpyxl_writes(value):
    from openpyxl.utils.datetime import to_excel

    assert xlsx_cells.excel_serial(value) == to_excel(value)


def _mark_bytes(row: bytes | None, number: int, touch: set[int]) -> bytes | None:
    """``mark`` done on the bytes, for even rows only (odd ones, and rows with a
    formula, go to the tree)."""
    if number % 2 or number not in touch or (row and b"<f>" in row):
        return None
    cell = b'<c r="D%d"><v>%d</v></c>' % (number, number)
    if row is None:
        return b'<row r="%d">%s</row>' % (number, cell)
    if row.endswith(b"/>"):
        return row[:-2] + b">" + cell + b"</row>"
    return row[:-len(b"</row>")] + cell + b"</row>"


@hyp_settings(max_examples=150, deadline=None)
@given(rows=_rows, touch=st.sets(st.integers(1, 45), max_size=12), chunk=st.sampled_from([3, 17, 64, 1 << 22]),
       between=st.sampled_from(["", "\n  "]), formulas=st.booleans())
def test_rows_given_as_bytes_and_rows_parsed_mix_in_order(rows, touch, chunk, between, formulas):
    """Some rows edited as bytes (``fast``), the rest parsed in runs: the same sheet
    as editing the whole tree (issue 20)."""
    xml = sheet_xml(rows, between)
    for n in sorted(rows)[::3] if formulas else ():  # formula rows are parsed, between byte-edited rows
        head = f'<row r="{n}" x14ac:dyDescent="0.25">'.encode()
        xml = xml.replace(head, head + f'<c r="E{n}"><f>1+1</f><v>2</v></c>'.encode(), 1)
    out = io.BytesIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_stream, "CHUNK", chunk)
        stream = xlsx_stream.RowStream(io.BytesIO(xml), out, sorted(touch), lambda d: mark(d, touch), formulas,
                                       fast=lambda row, n: _mark_bytes(row, n, touch))
        stream.run()
    root = etree.fromstring(out.getvalue())
    assert cells_of(root) == expected(xml, touch)
    if not formulas:
        assert stream.parsed_rows <= len([n for n in touch if n % 2])


class _DateStyle:
    def xf(self, base, fmt=None, *args, **kwargs):
        return base if fmt is None else base + 40


_new_values = st.one_of(st.none(), st.text(), st.integers(-10**15, 10**15), st.booleans(),
                        st.floats(allow_nan=False, allow_infinity=False), st.dates(dt.date(1900, 3, 1), dt.date(2200, 1, 1)))
_old_cell = st.sampled_from([
    '<c r="{ref}" t="inlineStr"><is><t>x &amp; y</t></is></c>', "<c r='{ref}' s='2'><v>4.5</v></c>",
    '<c r="{ref}" t="s"><v>0</v></c>', '<c r="{ref}"/>', '<c r="{ref}" t="str"><f>A1&amp;"x"</f><v>x</v></c>',
    '<c r="{bad}"><v>1</v></c>', '<c t="n"><v>1</v></c>'])


@st.composite
def _row_and_cells(draw):
    number = draw(st.integers(1, 1_048_576))
    old_cols = sorted(draw(st.sets(st.integers(1, 30), max_size=6)))
    if draw(st.booleans()) and len(old_cols) > 1 and draw(st.integers(0, 9)) == 0:
        old_cols.reverse()  # out of order: rare, left to the tree
    templates = [(c, draw(_old_cell)) for c in old_cols]
    cells = [t.format(ref=f"{xlsx_cells.col_letter(c)}{number}", bad=f"A{number + 1}") for c, t in templates]
    odd_cells = any("<f>" in t or "{bad}" in t or "r=" not in t for _, t in templates) or old_cols != sorted(old_cols)
    sep = draw(st.sampled_from(["", "\n   "]))
    spans = draw(st.sampled_from(["", ' spans="2:9"', " spans='1:40'", ' spans="x"']))
    attrs = f'r="{number}"{spans}' + draw(st.sampled_from(["", ' x14ac:dyDescent="0.25"', ' ht="30" customHeight="1"']))
    if draw(st.integers(0, 9)) == 0:
        row = None
    elif not cells and draw(st.booleans()):
        row = f"<row {attrs}/>"
    else:
        row = f"<row {attrs}>" + sep + sep.join(cells) + sep + "</row>"
    low = max(old_cols, default=0) + 1 if draw(st.booleans()) else 1
    new = draw(st.lists(st.tuples(st.integers(low, low + 20), _new_values), min_size=1, max_size=5))
    cols = [col for col, _ in new]
    simple = len(set(cols)) == len(cols) and (row is None or (
        not odd_cells and ' spans="x"' not in row and not set(cols) & set(old_cols)))
    return number, row, new, simple


@hyp_settings(max_examples=400, deadline=None)
@given(case=_row_and_cells())
def test_new_cells_written_as_bytes_are_the_cells_the_tree_edit_writes(case):
    """``row_with_new_cells`` (issue 20) against the tree edit ``_edit_rows`` makes
    otherwise (``cells_for`` + ``cell_at`` + ``set_cell``): the same row, to the
    canonical XML; and it declines (None) rather than guess."""
    number, row, new, simple = case
    root_open = ROOT + "<sheetData>"
    fast = xlsx_cells.row_with_new_cells(None if row is None else row.encode(), number, new,
                                         xlsx_cells.CellTails(lambda: _DateStyle().xf(0, "yyyy-mm-dd")))
    assert fast is not None or not simple  # the usual rows are written as bytes
    if fast is None:
        return
    tree = etree.fromstring(root_open + (row or f'<row r="{number}"/>') + "</sheetData></worksheet>")
    row_el = tree[0][0]
    found = xlsx_cells.cells_for(row_el, number, [col for col, _ in new])
    for col, value in new:
        xlsx_cells.set_cell(None, xlsx_cells.cell_at(row_el, found, number, col), value, _DateStyle(), False)
    got = etree.fromstring(root_open + fast.decode() + "</sheetData></worksheet>")[0][0]
    assert etree.tostring(got, method="c14n") == etree.tostring(row_el, method="c14n")


class _CountingStyles:
    """Style ids in the order they are first asked for (the same calls give the same ids)."""

    def __init__(self):
        self.ids: dict[tuple, int] = {}

    def xf(self, *key, **kw):
        return self.ids.setdefault((key, tuple(sorted(kw.items()))), len(self.ids))


def _plain_owned_rows(tab, styles) -> bytes:
    """The owned tab's rows as xlsx_owned wrote them before issue 20's fast path:
    value_kind + cell_xml for every cell, each cell's style asked for by its key."""
    from sheetcrm.workbook.backends.base import ROW_LINE_POINTS
    from sheetcrm.workbook.backends.xlsx_zip import DATE_FORMAT, PERCENT_FORMAT

    cache: dict[tuple, int] = {}

    def style(*key):
        if key not in cache:
            cache[key] = styles.xf(0, key[0], key[1], key[2], named=True, wrap=key[3])
        return cache[key]

    out = []
    for r, values in enumerate(tab.rows, start=1):
        bold, cells = r in tab.bold_rows, []
        for c, value in enumerate(values, start=1):
            blank = value is None or (isinstance(value, str) and not value)
            if blank and not bold:
                continue
            ref = f"{xlsx_cells.col_letter(c)}{r}"
            if blank:
                cells.append(f'<c r="{ref}" s="{style(None, bold, False, c in tab.wrap_columns)}"/>')
                continue
            kind, v = xlsx_cells.value_kind(value)
            fmt = DATE_FORMAT if kind == "d" else (
                PERCENT_FORMAT if c in tab.percent_columns and isinstance(value, float) else None)
            s = style(fmt, bold, c in tab.align_right, c in tab.wrap_columns)
            cells.append(xlsx_cells.cell_xml(ref, s, kind, v) if kind != "none" else f'<c r="{ref}" s="{s}"/>')
        if cells:
            tall = ""
            if r in tab.row_lines:
                tall = f' ht="{xlsx_cells.number_text(float(tab.row_lines[r] * ROW_LINE_POINTS))}" customHeight="1"'
            out.append(f'<row r="{r}"{tall}>{"".join(cells)}</row>')
    return "".join(out).encode("utf-8")


@hyp_settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(st.one_of(st.none(), st.just(""), _cell_values), max_size=6), max_size=12),
       flags=st.lists(st.sets(st.integers(1, 6), max_size=3), min_size=4, max_size=4),
       bold=st.sets(st.integers(1, 12), max_size=4), lines=st.dictionaries(st.integers(1, 12), st.integers(1, 5)))
def test_owned_rows_are_the_rows_the_plain_writer_wrote(rows, flags, bold, lines):
    """xlsx_owned's rows (issue 20: styles found once per column, text cells built
    directly) against the plain per-cell writer: the same bytes, the same styles
    asked for in the same order."""
    from sheetcrm.workbook.backends import xlsx_owned
    from sheetcrm.workbook.backends.base import OwnedTab

    percent, right, wrap, _ = (tuple(f) for f in flags)
    tab = OwnedTab("T", rows, percent_columns=percent, align_right=right, wrap_columns=wrap,
                   bold_rows=tuple(bold), row_lines=lines)
    plain_styles, fast_styles = _CountingStyles(), _CountingStyles()
    out = io.BytesIO()
    xlsx_owned._write_rows(out, tab, fast_styles)
    assert out.getvalue() == _plain_owned_rows(tab, plain_styles)
    assert fast_styles.ids == plain_styles.ids


def _row_with_new_cells_before(row, number, cells, tails):
    """``row_with_new_cells`` as it was before the usual row (new cells after the
    last one) was joined in one go (issue 20): the reference its bytes must equal."""
    from sheetcrm.workbook.backends.xlsx_cells import _ROW_HEAD, _SPANS, _SPANS_VALUE, _cell_tail, _cells_in  # noqa: I001
    if row is None:
        row = b'<row r="%d"/>' % number
    cols = sorted(col for col, _ in cells)
    if not cols or len(set(cols)) != len(cols) or b"<f" in row or b"<extLst" in row:
        return None
    tag = _ROW_HEAD.match(row)
    if tag is None:
        return None
    head_end = tag.end()
    closed = row[head_end - 2:head_end] == b"/>"
    head = row[:head_end - 2] + b">" if closed else row[:head_end]
    body_end = len(row) if closed else row.rindex(b"</row>")
    have = _cells_in(row, head_end, body_end, number, cols[0])
    if have is None or {c for _, c in have} & set(cols):
        return None
    if (spans := _SPANS.search(head)) is not None:
        lo_hi = _SPANS_VALUE.fullmatch(spans.group(3))
        if lo_hi is None:
            return None
        lo, hi = min(int(lo_hi.group(1)), cols[0]), max(int(lo_hi.group(2)), cols[-1])
        head = head[:spans.start(3)] + b"%d:%d" % (lo, hi) + head[spans.end(3):]
    values = dict(cells)
    out = [head]
    pos = head_end
    at = iter(have)
    nxt = next(at, None)
    for col in cols:
        while nxt is not None and nxt[1] < col:
            nxt = next(at, None)
        cut = nxt[0] if nxt is not None else body_end
        out.append(row[pos:cut])
        value = values[col]
        out.append(b'<c r="%s%d"' % (xlsx_cells.col_letter(col).encode(), number))
        try:
            out.append(tails[type(value), value])
        except TypeError:
            out.append(_cell_tail(value, tails.date_style).encode("utf-8"))
        pos = cut
    out.append(row[pos:body_end])
    out.append(b"</row>")
    return b"".join(out)


@hyp_settings(max_examples=500, deadline=None)
@given(case=_row_and_cells(), shuffle=st.randoms(use_true_random=False))
def test_new_cells_as_bytes_are_the_bytes_the_row_by_row_splice_wrote(case, shuffle):
    """The usual row's new cells joined in one go (issue 20): byte for byte what the
    splice cell by cell wrote, declined (None) exactly where it declined; in any order
    of the updates."""
    number, row, new, _ = case
    if shuffle.random() < 0.5:
        new = sorted(new, key=lambda cell: cell[0])  # the plan's order: left to right
    row_bytes = None if row is None else row.encode()
    tails = xlsx_cells.CellTails(lambda: 41)
    assert xlsx_cells.row_with_new_cells(row_bytes, number, new, tails) == \
        _row_with_new_cells_before(row_bytes, number, new, xlsx_cells.CellTails(lambda: 41))


@hyp_settings(max_examples=300, deadline=None)
@given(tags=st.lists(st.tuples(st.sampled_from(["", ' spans="1:3"', " r='7'", ' x14ac:dyDescent="0.25"', ' xr="9"',
                                                ' ht="r=1"', " s='2' ", "\n"]), st.booleans()), max_size=6))
def test_a_row_tag_and_its_number_are_found_as_the_two_searches_found_them(tags):
    """_ROW_TAG (one regex, issue 20) against the row tag regex and the number's search in the tag."""
    import re
    row = re.compile(rb"<row(?=[\s/>])[^>]*>")
    number = re.compile(rb'\sr\s*=\s*["\'](\d+)["\']')
    piece = b"".join((b"<row" + a.encode() + (b' r="%d"' % i if with_r else b"") + a.encode() + b">x</row>")
                     for i, (a, with_r) in enumerate(tags))
    want = [(m.span(), (n := number.search(m.group())) and n.group(1)) for m in row.finditer(piece)]
    assert [(m.span(), m.group(1)) for m in xlsx_stream._ROW_TAG.finditer(piece)] == want


@hyp_settings(max_examples=200, deadline=None)
@given(rows=st.lists(st.lists(st.sampled_from(["a & b", "<x>", "_x0041_ ok", "bell\x07", "é\r\n", "a & b", "plain",
                                               None, ""]), max_size=5), max_size=15),
       bound=st.sampled_from([0, 2, 100_000]))
def test_owned_texts_remembered_are_the_texts_escaped_each_time(rows, bound):
    """An owned tab's texts escaped once per write and remembered (issue 20), up to a
    bound: the bytes the plain per-cell writer wrote, however often a text repeats."""
    from sheetcrm.workbook.backends import xlsx_owned
    from sheetcrm.workbook.backends.base import OwnedTab

    tab = OwnedTab("T", rows, wrap_columns=(2,), bold_rows=(1,))
    out = io.BytesIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_owned, "_TEXTS", bound)
        xlsx_owned._write_rows(out, tab, _CountingStyles())
    assert out.getvalue() == _plain_owned_rows(tab, _CountingStyles())


@pytest.mark.parametrize("first, then", [
    ([(5, True)], [(5, 1)]), ([(5, 1)], [(5, 1.0)]), ([(5, 1.5), (6, "x")], [(5, 1.5), (6, "x")]),
    ([(5, "1")], [(5, 1)]), ([(5, dt.date(2026, 1, 2))], [(5, dt.datetime(2026, 1, 2, 12))]),
])
def test_a_remembered_run_of_new_cells_is_used_only_for_values_of_the_same_type(first, then):
    """Rows with the same new (column, value) pairs share their bytes (issue 20), but
    ``True`` equals ``1`` and is written as a boolean: each row gets what the cell by
    cell writer (``_new_cells``) gives for its own values."""
    tails = xlsx_cells.CellTails(lambda: 41)
    for number, cells in ((2, first), (3, then), (4, first)):
        row = b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (number, number)
        want = row[:-6] + b"".join(xlsx_cells._new_cells(cells, number, xlsx_cells.CellTails(lambda: 41))) + b"</row>"
        assert xlsx_cells.row_with_new_cells(row, number, cells, tails) == want


_texts = st.sampled_from(["a", "x: y", "b&amp;c", "ü€", "note:Call", "a:b:c", "<!>"[:0] + "p?q!", "xml:space"])
_plain_cell = st.sampled_from([
    '<c r="{col}{n}" t="inlineStr"><is><t>{text}</t></is></c>', '<c r="{col}{n}" s="1" t="n"><v>4</v></c>',
    '<c r="{col}{n}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'])
_odd_cell = st.sampled_from([
    '<c r="{col}{n}"><f>1+1</f><v>2</v></c>', '<c r="{col}{n}"><v>1</v><extLst/></c>', '<c s="2" r="{col}{n}"/>',
    '<c r="{col}{m}"><v>1</v></c>', '<c r="{col}{n}" t="inlineStr"><is><r><rPr><family val="2"/></rPr><t>x</t></r></is></c>'])


@st.composite
def _sheet_and_updates(draw):
    """A worksheet of mostly plain rows (as openpyxl writes them), some odd ones, and
    updates for some rows (some missing, some among the row's own cells)."""
    numbers = sorted(draw(st.sets(st.integers(1, 60), max_size=30)))
    odds = draw(st.sampled_from([0, 0, 2, 10, 50]))  # percent of odd rows and cells: most sheets have none

    def odd() -> bool:
        return draw(st.integers(0, 99)) < odds

    rows = []
    for n in numbers:
        cols = sorted(draw(st.sets(st.integers(1, 6), max_size=4)))
        cells = "".join(draw(_odd_cell if odd() else _plain_cell).format(
            col=xlsx_cells.col_letter(c), n=n, m=n + 1, text=draw(_texts)) for c in cols)
        tag = draw(st.sampled_from(['<row r="%d" spans="1:4">', "<row r='%d'>"])) if odd() else '<row r="%d">'
        rows.append(f'<row r="{n}"/>' if not cells and odd() else tag % n + cells + "</row>")
    if len(rows) > 1 and draw(st.integers(0, 9)) == 0:  # rows out of order: the tree's
        i = draw(st.integers(0, len(rows) - 2))
        rows[i], rows[i + 1] = rows[i + 1], rows[i]
    between = "\n" if odd() else ""
    touch = draw(st.sets(st.sampled_from(numbers) if numbers and draw(st.booleans()) else st.integers(1, 62),
                         max_size=20))
    touch |= draw(st.sets(st.integers(1, 62), max_size=3))
    updates = {n: draw(st.lists(st.tuples(st.integers(1, 9), _new_values), min_size=1, max_size=3)) for n in touch}
    xml = (f"{ROOT}<dimension ref=\"A1\"/><sheetData>{between.join(rows)}</sheetData></worksheet>").encode()
    return xml, updates


def _stream_edit(xml: bytes, updates: dict, chunk: int, formulas: bool, bulk: bool) -> bytes:
    """``xlsx_patch._edit_rows``'s stream (its ``fast``, ``append`` and tree edit) on ``xml``;
    ``bulk``: with ``append`` (pieces of plain rows at once), else row by row."""
    tails = xlsx_cells.CellTails(lambda: 41)

    def edit(data):
        for row_el in data.iterchildren(f"{{{MAIN}}}row"):
            number = int(row_el.get("r"))
            if cells := updates.get(number):
                found = xlsx_cells.cells_for(row_el, number, [col for col, _ in cells])
                for col, value in cells:
                    xlsx_cells.set_cell(None, xlsx_cells.cell_at(row_el, found, number, col), value, _DateStyle(), False)

    def fast(row, number):
        return xlsx_cells.row_with_new_cells(row, number, updates[number], tails) if number in updates else None

    def append(rows, where, numbers):
        return xlsx_cells.add_new_cells(rows, where, numbers, updates, tails)

    out = io.BytesIO()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_stream, "CHUNK", chunk)
        xlsx_stream.RowStream(io.BytesIO(xml), out, sorted(updates), edit, formulas, fast=fast,
                              append=append if bulk else None).run()
    return out.getvalue()


@hyp_settings(max_examples=400, deadline=None)
@given(case=_sheet_and_updates(), chunk=st.sampled_from([7, 64, 300, 1 << 22]), formulas=st.booleans())
def test_pieces_of_plain_rows_edited_at_once_are_the_bytes_edited_row_by_row(case, chunk, formulas):
    """The rows of a piece given their new cells at once (``append``: one split, one
    search for the row numbers, issue 20) against the row-by-row splice (``fast``,
    the tree for the rest): the same bytes, or the same refusal."""
    xml, updates = case
    try:
        want = _stream_edit(xml, updates, chunk, formulas, bulk=False)
    except (xlsx_stream.Unstreamable, xlsx_zip._Unpatchable) as exc:
        with pytest.raises(type(exc)):
            _stream_edit(xml, updates, chunk, formulas, bulk=True)
        return
    assert _stream_edit(xml, updates, chunk, formulas, bulk=True) == want


def test_a_first_sync_s_rows_are_edited_a_piece_at_a_time(monkeypatch):
    """The usual first sync (plain rows, new cells after each row's last) takes the
    bulk path: no row is parsed nor handed to ``fast`` one by one."""
    xml = sheet_xml({n: ["a", "b"] for n in range(1, 3000)}).replace(b' x14ac:dyDescent="0.25"', b"")
    updates = {n: [(5, "soft_no"), (6, dt.date(2026, 1, 2))] for n in range(2, 3000, 2)}
    calls = []
    real = xlsx_cells.row_with_new_cells
    monkeypatch.setattr(xlsx_cells, "row_with_new_cells", lambda *a: calls.append(a) or real(*a))
    assert _stream_edit(xml, updates, 1 << 12, True, bulk=True) == _stream_edit(xml, updates, 1 << 12, True, bulk=False)
    assert len(calls) == len(updates)  # only the row-by-row run called it


@hyp_settings(max_examples=500, deadline=None)
@given(parts=st.lists(st.sampled_from(["<", ">", ":", "a", "x", "_", "1", ".", "-", " ", "xml:", "<!", "<?", "=",
                                       '"', "<c r", "</t>", "é", ":A"]), max_size=40))
def test_the_scanner_s_odd_markup_is_what_the_one_regex_found(parts):
    """``odd`` (searches for literals, issue 20) against the regex it replaced."""
    piece = "".join(parts).encode()
    assert xlsx_stream.odd(piece) == bool(xlsx_stream._ODD.search(piece))


@hyp_settings(max_examples=800, deadline=None)
@given(parts=st.lists(st.sampled_from(["<", "!", "?", "f", "e", "<f", "<e", "<extLst", "<ext", "<!", "<?", "< !", "<c",
                                       "<row", "</row>", "x", ":", "xml:", "<a:b", "é", "<<", "<F", "<E"]), max_size=30))
def test_one_search_for_the_special_tags_decides_as_the_four_searches_did(parts):
    """``_SPECIAL`` (one search, issue 20) finds nothing only where none of ``_MARKUP``
    and ``_F_OR_EXT`` would; ``odd`` told so answers as ``odd`` searching them all did."""
    piece = "".join(parts).encode()
    special = xlsx_stream._SPECIAL.search(piece) is not None
    if not special:
        assert not any(p.search(piece) for p in (*xlsx_stream._MARKUP, *xlsx_stream._F_OR_EXT))
    assert xlsx_stream.odd(piece, special) == xlsx_stream.odd(piece) == bool(xlsx_stream._ODD.search(piece))


@hyp_settings(max_examples=500, deadline=None)
@given(text=st.lists(st.sampled_from(["&", "<", ">", "\r", "\n", "a", "é", ";", "#", "amp", "lt"]), max_size=30).map("".join)
       | st.text(max_size=30))
def test_text_escaped_by_replaces_is_the_text_the_translate_table_escaped(text):
    """``escaped`` (four replaces, issue 20) against the translate table it replaced."""
    table = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})
    assert xlsx_cells.escaped(text) == text.translate(table)


@hyp_settings(max_examples=60, deadline=None)
@given(pieces=st.lists(st.binary(max_size=300), max_size=40), depth=st.integers(1, 5),
       fail_at=st.one_of(st.none(), st.integers(0, 40)))
def test_writes_behind_land_in_order_and_their_error_is_raised_here(pieces, depth, fail_at):
    """xlsx_stream.Behind (issue 20: a part deflated on another thread while the next
    bytes are made) writes what it is given in order, as writing it here would; a
    write that fails there fails a later write or the close here, nothing after it is
    written, and the thread always ends."""
    class Out(io.BytesIO):
        def write(self, data):
            if fail_at is not None and self.tell() >= fail_at * 10:
                raise OSError("disk full")
            return super().write(data)

    plain, plain_error = Out(), None
    for piece in pieces:
        try:
            plain.write(piece)
        except OSError as exc:
            plain_error = exc
            break
    out = Out()
    error = None
    try:
        with xlsx_stream.Behind(out, depth) as behind:
            for piece in pieces:
                assert behind.write(piece) == len(piece)
    except OSError as exc:
        error = exc
    assert behind._thread.is_alive() is False
    assert out.getvalue() == plain.getvalue()
    assert (error is None) == (plain_error is None)


def test_the_callers_error_is_raised_not_the_threads():
    class Fails(io.BytesIO):
        def write(self, data):
            raise OSError("disk full")

    with pytest.raises(KeyError):
        with xlsx_stream.Behind(Fails()) as behind:
            behind.write(b"x")
            raise KeyError("the caller's")
    assert not behind._thread.is_alive()


@hyp_settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=3000), size=st.integers(1, 700), depth=st.integers(1, 4),
       reads=st.lists(st.integers(-1, 900), max_size=12), fail_at=st.one_of(st.none(), st.integers(0, 3000)))
def test_reads_ahead_are_the_reads_of_the_part_and_their_error_is_raised_here(data, size, depth, reads, fail_at):
    """xlsx_stream.Ahead (issue 20: a part inflated on another thread while the chunk
    before is edited) reads what reading the part here reads, in any sizes; a read
    that fails there fails here; closing it early ends the thread."""
    class Src(io.BytesIO):
        def read(self, n=-1):  # fails on the bytes past fail_at, whatever the sizes read
            end = len(data) if n < 0 else min(self.tell() + n, len(data))
            if fail_at is not None and end > fail_at:
                raise OSError("bad CRC")
            return super().read(n)

    def read_all(src):
        got = []
        try:
            for n in reads:
                got.append(src.read(n))
            got.append(src.read(-1))
        except OSError:
            got.append("error")
        return b"".join(g for g in got if g != "error"), got[-1] == "error"

    plain_bytes, plain_failed = read_all(io.BytesIO(data) if fail_at is None else Src(data))
    with xlsx_stream.Ahead(Src(data), size, depth) as ahead:
        got, failed = read_all(ahead)
    assert not ahead._thread.is_alive()
    assert failed == plain_failed == (fail_at is not None and len(data) > fail_at)
    assert got == (plain_bytes if not failed else data[:len(got)])  # read in other sizes, it may stop elsewhere
    with xlsx_stream.Ahead(io.BytesIO(data), size, depth) as early:
        early.read(1)
    assert not early._thread.is_alive()


@pytest.mark.parametrize("side", ["ahead", "behind"])
def test_whatever_kills_the_read_or_write_thread_is_raised_on_the_syncing_thread(side):
    """A read-ahead or write-behind thread that dies of anything (here SystemExit, no
    Exception) hands it to the syncing thread, which would otherwise wait for ever on
    the queue: raised within seconds, and the thread has ended."""
    import threading

    class Dying(io.BytesIO):
        def read(self, *size):
            raise SystemExit("the disk went away")

        def write(self, data):
            raise SystemExit("the disk went away")

    caught = []

    def run():
        try:
            if side == "ahead":
                with xlsx_stream.Ahead(Dying()) as ahead:
                    ahead.read()
            else:
                with xlsx_stream.Behind(Dying()) as behind:
                    for _ in range(20):
                        behind.write(b"x" * 10)
        except SystemExit as exc:
            caught.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(10)
    assert not worker.is_alive() and caught
    assert not [t for t in threading.enumerate() if t.name.startswith("sheetcrm-") and t.is_alive()]
