"""Owned tabs laid out for people: widths, wrapping, fonts, colours, and a real client's
rendering (LibreOffice headless -> PDF -> pdftotext) with nothing cut off."""
import datetime as dt
import re
import shutil
import subprocess

import openpyxl
import pytest

from sheetcrm import api, schema
from sheetcrm.config import Settings
from sheetcrm.core.readable import WRAP_AT, readable
from sheetcrm.schema import OwnedTab
from sheetcrm.workbook.backends import xlsx
from sheetcrm.workbook.backends.base import FONT_NAME

TODAY = dt.date(2026, 11, 22)


# -- widths, wrapping, alignment ---------------------------------------------------------------
def test_columns_are_as_wide_as_their_content_and_long_text_wraps():
    long = "interest must be one of interested, not_interested; did you mean 'interested'? " * 2
    tab = readable(OwnedTab("Issues", [["tab", "row", "message"], ["Pipeline", 12, long], ["Pipeline", 3, "short"]]))
    assert tab.widths[0] >= len("Pipeline") + 1 and tab.widths[1] >= 3
    assert tab.widths[2] == WRAP_AT and tab.wrap_columns == (3,)
    assert tab.row_lines.get(2, 1) >= 3 and 3 not in tab.row_lines
    assert tab.align_right == (2,)  # numbers, and their header over them


@pytest.mark.parametrize("value, width", [
    (dt.date(2026, 1, 2), 10), ("Ada Lovelace-Byron", 18), (0.61538, 6), ("", 0), (None, 0),
])
def test_every_value_fits_its_column(value, width):
    tab = readable(OwnedTab("T", [["h"], [value]]))
    assert tab.widths[0] >= width + 1 and tab.wrap_columns == ()


def test_widths_given_by_the_tab_are_kept():
    tab = readable(OwnedTab("Summary", [["a very long title that overflows"], ["x", 1]], widths=(9.0, 8.0)))
    assert tab.widths == (9.0, 8.0)


# -- colours people can tell apart, also with colour-blindness -----------------------------------
def _lab(hex_colour, matrix=None):
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    if matrix:  # Viénot, Brettel & Mollon (1999) simulation, in linear RGB
        lin = [max(0.0, min(1.0, sum(m * v for m, v in zip(row, lin)))) for row in matrix]
    x = (0.4124 * lin[0] + 0.3576 * lin[1] + 0.1805 * lin[2]) / 0.95047
    y = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]
    z = (0.0193 * lin[0] + 0.1192 * lin[1] + 0.9505 * lin[2]) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


VISION = {
    "typical": None,
    "protanopia": [[0.1124, 0.8876, 0.0], [0.1124, 0.8876, 0.0], [0.0040, -0.0040, 1.0]],
    "deuteranopia": [[0.2927, 0.7073, 0.0], [0.2927, 0.7073, 0.0], [-0.0223, 0.0223, 1.0]],
}


@pytest.mark.parametrize("vision", VISION)
def test_row_fills_differ_for_every_kind_of_vision(vision):
    fills = {"issue": schema.ISSUE_COLOUR, **schema.DUE_COLOURS, "white": "FFFFFF"}
    names = list(fills)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            la, lb = _lab(fills[a], VISION[vision]), _lab(fills[b], VISION[vision])
            distance = sum((p - q) ** 2 for p, q in zip(la, lb)) ** 0.5
            assert distance >= 12, f"{a} vs {b} under {vision}: ΔE {distance:.1f}"


# -- fonts: one named sans-serif wherever sheetcrm styles a cell -----------------------------------
@pytest.fixture(scope="module")
def synced(tmp_path_factory):
    """A synced demo workbook, made once: the tests below only read it."""
    path = tmp_path_factory.mktemp("synced") / "demo.xlsx"
    settings = Settings(workbook=path)
    api.init_workbook(settings, TODAY, demo=50)
    api.sync_workbook(settings, TODAY, now=dt.datetime(2026, 11, 22, 14, 37))
    return path, settings


def test_bold_cells_name_their_font_and_the_title_has_the_sync_time(synced):
    path, settings = synced
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for row in ws.iter_rows(max_row=30):
            for cell in row:
                if cell.font is not None and cell.font.b:
                    assert cell.font.name == FONT_NAME, (ws.title, cell.coordinate)
    assert wb["Summary"]["A1"].value.endswith("2026-11-22 14:37")


def test_dropdowns_and_highlighting_reach_past_row_2000(tmp_path):
    path = tmp_path / "w.xlsx"
    api.init_workbook(Settings(workbook=path), TODAY, demo=5)
    ws = openpyxl.load_workbook(path)["Candidates"]
    assert all(max(r.max_row for r in dv.sqref.ranges) > 100_000 for dv in ws.data_validations.dataValidation)
    assert all(max(r.max_row for r in cf.sqref.ranges) > 100_000 for cf in ws.conditional_formatting)


def test_google_summary_rates_are_percentages_after_init_then_sync(gsheet, google):
    key, backend = gsheet()
    settings = Settings(backend="gsheets", sheet_key=key)
    api.init_workbook(settings, TODAY, demo=20, backend=backend, force=True)
    api.sync_workbook(settings, TODAY, backend=backend)
    summary = google.book(key).tab("Summary")
    percent = [fmt for _bounds, fmt in summary.number_formats if fmt.get("type") == "PERCENT"]
    assert percent, "the rate columns of an existing Summary get the percent format"
    fonts = [f for _b, f in summary.cell_formats if f.get("textFormat", {}).get("fontFamily") == FONT_NAME]
    assert fonts
    issues = google.book(key).tab("Issues")
    assert issues.dimensions and any(f.get("wrapStrategy") == "WRAP" for _b, f in issues.cell_formats)


# -- a real client: LibreOffice renders the owned tabs with nothing cut off -----------------------
def _tools_or_fail():
    from tests.conftest import real_client

    real_client("soffice", "pdftotext")


def _shown(value, percent: bool) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and percent:
        return f"{value:.1%}"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


RENDERED_TABS = (schema.SUMMARY, schema.CIRCLE_BACKS, schema.ISSUES)


@pytest.fixture(scope="module")
def rendered(synced, tmp_path_factory):
    """Each owned tab alone in a workbook, all turned into PDF by ONE LibreOffice run (its
    start-up is most of the cost): {tab: (what its first 20 rows hold, the PDF's text)}."""
    _tools_or_fail()
    path, settings = synced
    folder = tmp_path_factory.mktemp("rendered")
    expected, ones = {}, []
    for tab_key in RENDERED_TABS:
        title = settings.tab_title(tab_key)
        wb = openpyxl.load_workbook(path)
        for other in [ws for ws in wb.worksheets if ws.title != title]:
            wb.remove(other)  # only this tab in the PDF: a value elsewhere cannot stand in for it
        one = folder / f"one-{tab_key}.xlsx"
        wb.save(one)
        ones.append(one)
        expected[tab_key] = [_shown(cell.value, "%" in (cell.number_format or ""))
                             for row in wb[title].iter_rows(max_row=20) for cell in row
                             if cell.value not in (None, "")]
    subprocess.run(["soffice", f"-env:UserInstallation=file://{folder}/lo-profile", "--headless",
                    "--convert-to", "pdf", "--outdir", str(folder), *map(str, ones)],
                   check=True, capture_output=True, timeout=300)
    return {tab_key: (expected[tab_key], _squash(subprocess.run(
        ["pdftotext", str(one.with_suffix(".pdf")), "-"], check=True, capture_output=True, text=True).stdout))
        for tab_key, one in zip(RENDERED_TABS, ones)}


@pytest.mark.parametrize("tab_key", RENDERED_TABS)
def test_libreoffice_shows_the_first_20_rows_whole(tab_key, synced, rendered):
    _tools_or_fail()
    expected, text = rendered[tab_key]
    assert len(expected) > 10
    cut = [s for s in expected if _squash(s) not in text]
    assert not cut, f"{synced[1].tab_title(tab_key)}: cut off or missing in LibreOffice's rendering: {cut[:5]}"


# -- the fast layout equals the plain one: every cell wrapped, row by row (odd values too) --------
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

from sheetcrm.core import readable as readable_mod  # noqa: E402


def _readable_reference(tab, header_rows=1):
    """readable() as first written: every cell measured and wrapped, row by row."""
    import math
    import textwrap
    from sheetcrm.core.readable import SLACK, is_number, shown_length, width_for

    def lines(value, width):
        if not isinstance(value, str) or not value:
            return 1
        per_line = max(4, int((width - 2) / SLACK))
        return sum(max(1, len(textwrap.wrap(p, per_line, break_long_words=True))) for p in value.split("\n"))

    width = max((len(r) for r in tab.rows), default=0)
    longest, numeric, seen = [0] * width, [True] * width, [False] * width
    for r, row in enumerate(tab.rows, start=1):
        for c, value in enumerate(row):
            longest[c] = max(longest[c], shown_length(value))
            if r > header_rows and value not in (None, ""):
                seen[c] = True
                numeric[c] = numeric[c] and is_number(value)
    widths = tuple(tab.widths) if tab.widths else tuple(width_for(n) for n in longest)
    wrap = tuple(c for c in range(1, width + 1)
                 if c <= len(widths) and widths[c - 1] and math.ceil(longest[c - 1] * SLACK) + 2 > widths[c - 1])
    row_lines = {}
    for r, row in enumerate(tab.rows, start=1):
        need = max((lines(row[c - 1], widths[c - 1]) for c in wrap if c <= len(row)), default=1)
        if need > 1:
            row_lines[r] = need
    right = tuple(sorted(set(tab.align_right) | {c + 1 for c in range(width) if seen[c] and numeric[c]}))
    return widths, wrap, row_lines, right


_WORDS = st.sampled_from(["", " ", "a", "word", "longer-hyphenated-word", "\t", "\n", "x" * 70, "é", "名前",
                          "did you mean 'interested'?", "  ", "\r", "\u00a0", "😀"])
_TEXT = st.lists(_WORDS, max_size=25).map(" ".join) | st.lists(_WORDS, max_size=25).map("".join)
_CELL = (_TEXT | st.none() | st.integers(-10**6, 10**9) | st.floats(allow_nan=True) | st.booleans()
         | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1)))


@hsettings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(_CELL, max_size=5), max_size=12), header_rows=st.integers(0, 2),
       widths=st.none() | st.lists(st.sampled_from([0.0, 8.0, 12.0, 30.0, 60.0]), min_size=1, max_size=5).map(tuple))
def test_the_layout_equals_wrapping_every_cell(rows, header_rows, widths):
    tab = OwnedTab("T", rows, widths=widths) if widths else OwnedTab("T", rows)
    got = readable_mod.readable(tab, header_rows=header_rows)
    assert (got.widths, got.wrap_columns, got.row_lines, got.align_right) == _readable_reference(tab, header_rows)


_WRAP_ALPHABET = st.sampled_from(list("  aZé名1-@'.,?_x") + ["-", " ", "  ", "ab", "P-0", "--", "\t", "\u00a0", "\r", "\x1c"])


@hsettings(max_examples=2000, deadline=None)
@given(text=st.lists(_WRAP_ALPHABET, max_size=80).map("".join), width=st.integers(4, 25))
def test_counted_lines_equal_textwraps(text, width):
    import textwrap
    assert readable_mod._wrapped_lines(text, width) == len(textwrap.wrap(text, width, break_long_words=True))


@pytest.mark.parametrize("text", [
    "email is not a valid address: An email address must have an @-sign.",
    "too senior for that role last time (P-0060): pitch a more senior role, P-0057 may fit",
    "x" * 130, " " * 70 + "word", "word" + " " * 70 + "end", "a " * 40, "   leading spaces then words " * 3,
    "hard-no says the recruiter; do-not-contact", "P-0004, P-0058, P-0078, P-0134, P-0168, P-0178, P-0194",
])
@pytest.mark.parametrize("width", [4, 7, 16, 40, 51])
def test_counted_lines_of_real_texts_equal_textwraps(text, width):
    import textwrap
    assert readable_mod._wrapped_lines(text, width) == len(textwrap.wrap(text, width, break_long_words=True))


# Texts of one form (issue messages that differ in an id, a row number, a name) are wrapped once
# between them: a column of many such texts, and odd cells beside them, lays out as wrapping each.
_FILL = st.sampled_from(["C-00042", "c-7", "P-0104", "row 17", "row 123456", "Ada", "ada-lovelace", "é-a", "٣-x",
                         "x" * 61, "a-" * 40, "--", "12-34", "", " ", "  ", "\t", "\n", "名前", "'quoted'?", "_a-b_"])
_TEMPLATES = st.sampled_from([
    "same email as {} (row {}), who is hard-no: do not contact this person",
    "possible duplicate of {} (row {}): similar name in the same location; check and merge by hand {}",
    "no news on this open row for {} days (stale after {}): ask the candidate or client for an update",
    "{}{}{}", "{} {} {}", "{}-{}-{}"])
_FORM_TEXT = st.builds(lambda t, a, b, c: t.format(a, b, c), _TEMPLATES, _FILL, _FILL, _FILL)
_ODD_CELL = (st.none() | st.integers(-10**12, 10**12) | st.booleans() | st.floats(allow_nan=True)
             | st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))
             | st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)))


@hsettings(max_examples=300, deadline=None)
@given(rows=st.lists(st.lists(_FORM_TEXT | _ODD_CELL, min_size=1, max_size=3), min_size=1, max_size=40),
       widths=st.none() | st.lists(st.sampled_from([0.0, 8.0, 12.0, 30.0, 60.0]), min_size=1, max_size=3).map(tuple))
def test_texts_of_one_form_lay_out_as_each_wrapped_alone(rows, widths):
    tab = OwnedTab("T", rows, widths=widths) if widths else OwnedTab("T", rows)
    got = readable_mod.readable(tab)
    assert (got.widths, got.wrap_columns, got.row_lines, got.align_right) == _readable_reference(tab)


@hsettings(max_examples=2000, deadline=None)
@given(text=st.lists(_WRAP_ALPHABET | _FILL | st.sampled_from(list("AZaz09٣ _-!.,?&\"")), max_size=60).map("".join),
       width=st.integers(4, 40))
def test_a_letter_or_digit_for_another_wraps_alike(text, width):
    import textwrap
    form = text.translate(readable_mod._SAME_WRAP)
    assert len(textwrap.wrap(form, width, break_long_words=True)) == len(textwrap.wrap(text, width, break_long_words=True))
    assert readable_mod._wrapped_lines(form, width) == readable_mod._wrapped_lines(text, width)


def test_a_column_with_unhashable_cells_still_wraps_its_texts():
    long = "word " * 30
    tab = readable(OwnedTab("T", [["h", "x"], [long, 1], [["a", "list"], 2], [long, 3]], widths=(20.0, 8.0)))
    assert tab.wrap_columns == (1,) and set(tab.row_lines) == {2, 4}


@pytest.mark.parametrize("odd", [["a list"], {"a": 1}, {1, 2}])
def test_an_unhashable_cell_beside_long_texts_lays_out_as_wrapping_every_cell(odd):
    long = "possible duplicate of C-00042 (row 17): similar name in the same location; check by hand " * 2
    tab = OwnedTab("T", [["h", "h2"], [long, long + " more"], [odd, "short"], ["x", long]], widths=(12.0, 30.0))
    got = readable_mod.readable(tab)
    assert (got.widths, got.wrap_columns, got.row_lines, got.align_right) == _readable_reference(tab)
    assert list(got.row_lines) == sorted(got.row_lines)  # by row, as the writers read them
