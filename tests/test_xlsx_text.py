"""Text an .xlsx cell can hold (issue 13 item 6): control characters stored the way
Excel stores them (``_x0007_``) and text spelling such escapes, in every text column a
person types, never crash a sync, and every tab sheetcrm writes still opens."""
from __future__ import annotations

import io
import re
import shutil
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sheetcrm import api, schema
from sheetcrm.config import Settings
from sheetcrm.workbook.backends.base import same_cell
from sheetcrm.workbook.backends.xlsx import XlsxBackend
from sheetcrm.workbook.backends.xlsx_text import REPLACEMENT, legal_text
from sheetcrm.workbook.layout import workbook_layout
from tests.conftest import TODAY, rows_for

TEXT_KINDS = {schema.TEXT, schema.EMAIL, schema.PHONE, schema.LOCATION, schema.LIST, schema.ENUM}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ufffe\uffff]")


@pytest.mark.parametrize("text, legal", [
    ("Ann\x07 Test", f"Ann{REPLACEMENT} Test"),
    ("\x00\x1b", REPLACEMENT * 2),
    ("tab\tnew\nline", "tab\tnew\nline"),  # XML holds these
    ("_x0041_ stays visible", f"{REPLACEMENT}x0041_ stays visible"),  # else a reader shows "A"
    ("snake_case_x", "snake_case_x"),
    ("\ufffe\uffff\ud800", REPLACEMENT * 3),
    ("Zoë 李 😀", "Zoë 李 😀"),
])
def test_legal_text_replaces_visibly_what_xml_cannot_hold(text, legal):
    assert legal_text(text) == legal
    assert same_cell(text, legal)  # what the file holds is what was meant: no rewrite every sync


def excel_stored(text: str) -> str:
    """``text`` as Excel stores it in XML: control characters as ``_xHHHH_``."""
    return escape(_ILLEGAL.sub(lambda m: f"_x{ord(m[0]):04X}_", text))


def _slots() -> dict[str, list[str]]:
    return {key: [c.name for c in tab.input_columns if c.kind in TEXT_KINDS]
            for key, tab in schema.INPUT_TAB_SCHEMAS.items()}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> bytes:
    """A tiny workbook: one callable person (their name is slot 0, copied into the
    Circle-backs tab) and one row per tab whose every text column is a slot."""
    slots = iter(range(1000))
    mark = lambda: f"SLOT{next(slots)}END"
    name = mark()
    wild = {key: {c: mark() for c in cols} for key, cols in _slots().items()}
    data = {
        schema.CANDIDATES: rows_for(schema.CANDIDATES, [
            {"candidate_id": "C-00001", "name": name, "email": "ann@example.com", "skills": "python",
             "location": "Remote"},
            wild[schema.CANDIDATES]]),
        schema.POSITIONS: rows_for(schema.POSITIONS, [
            {"position_id": "P1", "title": "Dev", "status": "open", "skills": "python", "location": "Remote"},
            {"position_id": "P2", "title": "Old", "status": "closed", "skills": "python", "location": "Remote"},
            wild[schema.POSITIONS]]),
        schema.PIPELINE: rows_for(schema.PIPELINE, [
            {"candidate_id": "C-00001", "position_id": "P2", "outcome": "rejected",
             "rejection_reason": "salary too high", "decided_on": "2025-01-01"},
            wild[schema.PIPELINE]]),
    }
    path = tmp_path_factory.mktemp("template") / "tiny.xlsx"
    XlsxBackend(path).create(workbook_layout(Settings(), data))
    return path.read_bytes()


def fill(template: bytes, texts: list[str], dest: Path) -> None:
    """The template with slot k holding texts[k], stored as Excel stores it."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename.endswith(".xml") and b"SLOT" in data:
                data = re.sub(rb"SLOT(\d+)END", lambda m: excel_stored(texts[int(m[1]) % len(texts)]).encode(), data)
            zout.writestr(info, data)
    dest.write_bytes(out.getvalue())


_escapes = st.from_regex(r"_x[0-9A-Fa-f]{4}_", fullmatch=True)
_nasty = st.sampled_from(["\x00", "\x07", "\x1b", "\x0b", "\ufffe", "_x0000_", "_x0007_", "_x001B_", "_xD800_",
                          "_xFFFF_", "_x005F_x0041_", "=1+1", "\r\n"])
_wild_text = st.lists(st.one_of(st.text(max_size=6), _escapes, _nasty), min_size=1, max_size=5).map("".join)


def owned_tabs_open(path: Path, settings: Settings) -> None:
    wb = openpyxl.load_workbook(path)
    for key in schema.OWNED_TABS:
        title = settings.tab_title(key)
        if title in wb.sheetnames:
            for row in wb[title].iter_rows(values_only=True):
                assert all(not isinstance(v, str) or not _ILLEGAL.search(v.replace("\r", "")) for v in row)


@pytest.fixture(scope="module")
def rules():
    from sheetcrm.rules import load_rules

    return load_rules(Settings())  # compiled once: most of a tiny sync's time


@pytest.mark.slow
def test_any_unicode_in_every_text_column_never_breaks_a_sync(template, rules, tmp_path):
    """200 Hypothesis examples: each sync never raises and its owned tabs open in openpyxl;
    then LibreOffice opens all 200 synced workbooks (one LibreOffice run for all, each
    tab read back as CSV: half the cost of writing 200 workbooks back as .xlsx)."""
    from tests.conftest import libreoffice_sheets, real_client
    from sheetcrm.workbook import sync

    real_client("soffice")
    made: list[Path] = []

    @hsettings(max_examples=200, deadline=None, database=None)
    @given(texts=st.lists(_wild_text, min_size=1, max_size=30))
    def one_sync(texts):
        path = tmp_path / f"wild{len(made):03d}.xlsx"
        fill(template, texts, path)
        settings = Settings().replace(workbook=path)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(sync, "load_rules", lambda _settings: rules)
            api.sync_workbook(settings, TODAY, backend=XlsxBackend(path))  # never raises
        owned_tabs_open(path, settings)
        made.append(path)

    one_sync()
    assert len(made) >= 100  # Hypothesis ran the examples (duplicates are skipped)
    opened = libreoffice_sheets(made, tmp_path / "lo")
    titles = [Settings().tab_title(key) for key in schema.OWNED_TABS]
    for path in made:
        sheets = opened[path.name]  # LibreOffice read it: every owned tab, its first cell filled
        assert all(t in sheets and sheets[t] and sheets[t][0] and sheets[t][0][0] for t in titles), \
            (path.name, sorted(sheets))


NASTY = ["Ann\x07 Test_x001B_", "_x0000_", "\x00\x1b\ufffe", "_x0041_ literal", "Zoë 李 😀 \x0b"]


def test_libreoffice_opens_every_tab_after_a_sync_of_control_characters(template, tmp_path):
    from tests.conftest import libreoffice_convert, real_client

    real_client("soffice")
    path = tmp_path / "wild.xlsx"
    fill(template, NASTY, path)
    settings = Settings().replace(workbook=path)
    api.sync_workbook(settings, TODAY, backend=XlsxBackend(path))
    owned_tabs_open(path, settings)
    circle = openpyxl.load_workbook(path)[settings.tab_title(schema.CIRCLE_BACKS)]
    shown = [v for row in circle.iter_rows(values_only=True) for v in row]
    assert f"Ann{REPLACEMENT} Test{REPLACEMENT}" in shown  # the person, visibly replaced
    resaved = libreoffice_convert(path, "xlsx:Calc MS Excel 2007 XML", tmp_path / "lo")
    wb = openpyxl.load_workbook(resaved)
    for key in schema.OWNED_TABS:
        title = settings.tab_title(key)
        assert title in wb.sheetnames
        assert wb[title].max_row >= 1 and wb[title]["A1"].value is not None
    shutil.rmtree(tmp_path / "lo", ignore_errors=True)


def test_the_reproduction_sync_by_hand_and_twice_exits_0_and_prints_no_name(template, tmp_path):
    """Issue 13 item 6 as found: a callable person's name stored as Excel stores a
    control character made every sync end in a traceback that printed the name."""
    from click.testing import CliRunner

    from sheetcrm.cli import cli

    path = tmp_path / "bell.xlsx"
    fill(template, ["Viktor_x0007_ Cortez", "_x001B_", "_x0000_"], path)
    for _ in range(2):
        result = CliRunner().invoke(cli, ["--workbook", str(path), "sync", "--today", TODAY.isoformat()])
        assert result.exit_code == 0, result.output
        assert "Viktor" not in result.output and "Traceback" not in result.output
