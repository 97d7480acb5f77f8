"""Finding tabs and columns: header matching, aliases, missing columns."""
import pytest

from sheetcrm import schema

from sheetcrm.workbook import sheet
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.errors import SchemaError


def workbook(cand_header, cand_rows=(), extra_tabs=None):
    tabs = {
        "Candidates": [list(cand_header), *map(list, cand_rows)],
        "Positions": [["position_id", "title", "status"]],
        "Pipeline": [["candidate_id", "position_id"]],
    }
    tabs.update(extra_tabs or {})
    return MemoryBackend(tabs).read()


@pytest.mark.parametrize("header", ["candidate_id", "Candidate ID", "  CANDIDATE_ID ", "candidate-id", "Candidate  Id"])
def test_header_matching_ignores_case_spaces_and_underscores(settings, header):
    maps = sheet.locate(workbook([header, "Name"]), settings)
    assert maps["candidates"].columns["candidate_id"] == 1
    assert maps["candidates"].columns["name"] == 2


def test_configured_aliases(settings):
    s = settings.replace(header_aliases={"candidates": {"full_name": "name", "e_mail_address": "email"}})
    snap = workbook(["ID", "Full Name", "E-mail address", "candidate_id"], [["x", "Ada", "a@example.com", "C-1"]])
    maps = sheet.locate(snap, s)
    assert maps["candidates"].columns["name"] == 2
    assert maps["candidates"].columns["email"] == 3
    frames = sheet.to_frames(snap, maps)
    assert frames["candidates"].loc[2, "name"] == "Ada"


def test_missing_required_column_names_tab_and_closest_header(settings):
    with pytest.raises(SchemaError) as info:
        sheet.locate(workbook(["candidate_id", "Nmae"]), settings)
    msg = str(info.value)
    assert "tab 'Candidates'" in msg and "'name' is missing" in msg and "'Nmae'" in msg


def test_missing_tab_is_named(settings):
    snap = MemoryBackend({"Candidates": [["candidate_id", "name"]], "Pipeline": [["candidate_id", "position_id"]],
                          "Position": [["position_id"]]}).read()
    with pytest.raises(SchemaError, match="tab 'Positions' is missing.*did you mean 'Position'"):
        sheet.locate(snap, settings)


def test_tab_titles_match_case_insensitively(settings):
    snap = MemoryBackend({"candidates": [["candidate_id", "name"]], "POSITIONS": [["position_id", "title", "status"]],
                          "Pipeline": [["candidate_id", "position_id"]]}).read()
    assert sheet.locate(snap, settings)["positions"].title == "POSITIONS"


def test_owned_columns_missing_are_appended_at_the_right(settings):
    maps = sheet.locate(workbook(["candidate_id", "name", "my own column"]), settings)
    cand = maps["candidates"]
    assert cand.appended == [c.name for c in schema.CANDIDATES_TAB.owned_columns]
    assert cand.columns["rejection_class"] == 4 and cand.columns["row_issues"] == 7


def test_frames_use_sheet_row_numbers_and_skip_blank_rows(settings):
    rows = [["C-1", "Ada"], [None, "  "], [], ["C-2", "Bo", None, "x"]]
    frames = sheet.to_frames(*(lambda s: (s, sheet.locate(s, settings)))(workbook(["candidate_id", "name"], rows)))
    cands = frames["candidates"]
    assert list(cands.index) == [2, 5]
    assert list(cands["name"]) == ["Ada", "Bo"]
    assert cands.index.name == "row"
    assert list(cands.columns) == schema.CANDIDATES_TAB.names


def test_duplicate_headers_use_the_first(settings):
    maps = sheet.locate(workbook(["candidate_id", "name", "Name"]), settings)
    assert maps["candidates"].columns["name"] == 2
    assert maps["candidates"].duplicates == [("name", 3)]
