"""forget's scrub of the zip parts (backends/xlsx_scrub.py): threaded comments, rels,
shared strings no cell uses, doc properties; anchored text loses every name part."""
import re
import zipfile

import openpyxl

from sheetcrm.workbook.backends import xlsx_scrub

THREADED = ("http://schemas.microsoft.com/office/2017/10/relationships/threadedComment")
TC_NS = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"


def scrub(text, own):
    text = re.sub(r"Viktor Cortez|viktor@example\.com", "(forgotten)", text)
    return re.sub(r"(?i)viktor|cortez", "(forgotten)", text) if own else text


def book(path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Candidates"
    ws.append(["candidate_id", "name"])
    ws.append(["C-00001", "Ann Other"])
    ws.append(["C-00042", "(forgotten)"])
    wb.save(path)
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts["xl/threadedComments/threadedComment1.xml"] = (
        f'<ThreadedComments xmlns="{TC_NS}"><threadedComment ref="B3" id="{{1}}" personId="{{9}}">'
        f'<text>call viktor back</text></threadedComment><threadedComment ref="B2" id="{{2}}" personId="{{9}}">'
        f'<text>met Viktor Cortez at the meetup; Viktor is a friend of hers</text></threadedComment>'
        f'</ThreadedComments>').encode()
    parts["xl/worksheets/_rels/sheet1.xml.rels"] = (
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId9" Type="{THREADED}" Target="../threadedComments/threadedComment1.xml"/>'
        '<Relationship Id="rId8" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"'
        ' Target="mailto:viktor@example.com" TargetMode="External"/></Relationships>').encode()
    parts["docProps/custom.xml"] = (
        '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
        'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
        '<property fmtid="{D5CDD505-2E9C-101B-9397-08002B2CF9AE}" pid="2" name="contact">'
        '<vt:lpwstr>Viktor Cortez</vt:lpwstr></property></Properties>').encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)


def test_threaded_comments_on_the_persons_rows_lose_every_name_part(tmp_path):
    src, dest = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    book(src)
    changed = xlsx_scrub.scrub_file(src, dest, scrub, {"Candidates": {3}})
    with zipfile.ZipFile(dest) as zf:
        comments = zf.read("xl/threadedComments/threadedComment1.xml").decode()
        rels = zf.read("xl/worksheets/_rels/sheet1.xml.rels").decode()
        custom = zf.read("docProps/custom.xml").decode()
    assert "call (forgotten) back" in comments  # their row: the part goes too
    assert "met (forgotten) at the meetup; Viktor is a friend" in comments  # another row: the full name only
    assert "mailto:(forgotten)" in rels and "viktor@" not in rels
    assert "Viktor" not in custom
    assert changed == 3


def test_a_file_without_traces_is_copied_part_for_part(tmp_path):
    src, dest = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    book(src)
    assert xlsx_scrub.scrub_file(src, dest, lambda text, own: text, {"Candidates": {3}}) == 0
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dest) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}
