"""Contract: the stand-in's developer metadata, moving rows and columns, writes by data
filter, chart-only tabs and field masks behave as the Sheets API v4 reference says
(spreadsheets.developerMetadata.search, DeveloperMetadataLocation, DataFilter,
values.batchUpdateByDataFilter, UpdateSheetPropertiesRequest.fields, SheetType OBJECT).
No recording of these calls exists in ../shared/reference/sheets-api-recorded/; each
test names the reference text it follows."""
from __future__ import annotations

import pytest
import requests


def _post(google, key: str, path: str, body: dict) -> requests.Response:
    return requests.post(f"{google.url}/v4/spreadsheets/{key}{path}", json=body, timeout=10)


def _column_marker(sheet_id: int, col: int, value: str, mid: int | None = None) -> dict:
    meta = {"metadataKey": "sheetcrm.column", "metadataValue": value, "visibility": "DOCUMENT",
            "location": {"dimensionRange": {"sheetId": sheet_id, "dimension": "COLUMNS", "startIndex": col, "endIndex": col + 1}}}
    if mid:
        meta["metadataId"] = mid
    return {"createDeveloperMetadata": {"developerMetadata": meta}}


@pytest.fixture
def book(google):
    key = google.add_book({"People": [["name", "notes", "score"], ["Ann", "likes tea", 3], ["Bob", "", 5]]})
    return key, google.book(key).tab("People").sheet_id


def _search(google, key, **lookup) -> list[dict]:
    got = _post(google, key, "/developerMetadata:search", {"dataFilters": [{"developerMetadataLookup": lookup}]})
    assert got.status_code == 200, got.text
    return [m["developerMetadata"] for m in got.json().get("matchedDeveloperMetadata", [])]


def test_column_metadata_is_created_found_and_moves_with_its_column(google, book):
    """Reference: createDeveloperMetadata replies with the metadata (id assigned or as asked);
    metadata on a column moves when columns are inserted or deleted before it, and is
    removed with its column ("Read, write, and search metadata")."""
    key, sid = book
    got = _post(google, key, ":batchUpdate", {"requests": [_column_marker(sid, 2, "score", 77)]})
    assert got.json()["replies"][0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"] == 77
    insert = {"insertDimension": {"range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}}}
    assert _post(google, key, ":batchUpdate", {"requests": [insert]}).status_code == 200
    [found] = _search(google, key, metadataKey="sheetcrm.column")
    assert found["location"]["locationType"] == "COLUMN"
    assert found["location"]["dimensionRange"]["startIndex"] == 4
    assert google.cells(key, "People")[0] == ["", "", "name", "notes", "score"]
    delete = {"deleteDimension": {"range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 4, "endIndex": 5}}}
    assert _post(google, key, ":batchUpdate", {"requests": [delete]}).status_code == 200
    assert _search(google, key, metadataKey="sheetcrm.column") == []


@pytest.mark.parametrize("meta, why", [
    ({"metadataKey": "k", "location": {"sheetId": 0}}, "visibility"),
    ({"metadataKey": "k", "visibility": "DOCUMENT"}, "location"),
    ({"metadataKey": "k", "visibility": "DOCUMENT",
      "location": {"dimensionRange": {"sheetId": 7, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 2}}}, "one row or column"),
])
def test_metadata_google_refuses(google, book, meta, why):
    key, sid = book
    meta = {**meta, "location": {k: ({**v, "sheetId": sid} if isinstance(v, dict) else sid)
                                 for k, v in meta.get("location", {}).items()}} if "location" in meta else meta
    got = _post(google, key, ":batchUpdate", {"requests": [{"createDeveloperMetadata": {"developerMetadata": meta}}]})
    assert got.status_code == 400 and why in got.json()["error"]["message"]


def test_sheet_metadata_is_listed_by_spreadsheets_get(google, book):
    """Reference: Sheet.developerMetadata, "the developer metadata associated with a sheet"."""
    key, sid = book
    marker = {"metadataKey": "sheetcrm.tab", "metadataValue": "summary", "visibility": "DOCUMENT", "location": {"sheetId": sid}}
    _post(google, key, ":batchUpdate", {"requests": [{"createDeveloperMetadata": {"developerMetadata": marker}}]})
    meta = requests.get(f"{google.url}/v4/spreadsheets/{key}", timeout=10).json()
    [found] = meta["sheets"][0]["developerMetadata"]
    assert found["metadataKey"] == "sheetcrm.tab" and found["location"] == {"sheetId": sid, "locationType": "SHEET"}


def test_batch_update_by_data_filter_writes_where_the_column_is_now(google, book):
    """Reference: values.batchUpdateByDataFilter; the DataFilter is resolved when the write
    applies; null values are skipped ("Null values will be skipped")."""
    key, sid = book
    _post(google, key, ":batchUpdate", {"requests": [_column_marker(sid, 2, "score", 5)]})
    google.book(key).tab("People")  # a person inserts a column at A meanwhile
    insert = {"insertDimension": {"range": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}}
    _post(google, key, ":batchUpdate", {"requests": [insert]})
    body = {"valueInputOption": "RAW", "data": [
        {"dataFilter": {"developerMetadataLookup": {"metadataId": 5}}, "majorDimension": "COLUMNS", "values": [[None, 9, None]]},
        {"dataFilter": {"a1Range": "People!A3"}, "values": [["x"]]}]}
    got = _post(google, key, "/values:batchUpdateByDataFilter", body)
    assert got.status_code == 200, got.text
    assert google.cells(key, "People") == [["", "name", "notes", "score"], ["", "Ann", "likes tea", 9], ["x", "Bob", "", 5]]
    missing = {"valueInputOption": "RAW", "data": [{"dataFilter": {"developerMetadataLookup": {"metadataId": 6}}, "values": [[1]]}]}
    assert _post(google, key, "/values:batchUpdateByDataFilter", missing).status_code == 400


def test_a_chart_only_tab_has_no_range(google, book):
    """Reference: SheetType OBJECT, "the sheet has no grid and instead has an object like a chart"."""
    key, _sid = book
    google.book(key).tabs[0].sheet_type = "OBJECT"
    got = requests.get(f"{google.url}/v4/spreadsheets/{key}/values:batchGet", params={"ranges": "People"}, timeout=10)
    assert got.status_code == 400


@pytest.mark.parametrize("fields, props, ok", [
    ("gridProperties.columnCount", {"gridProperties": {"columnCount": 30}}, True),
    ("gridProperties/columnCount", {"gridProperties": {"columnCount": 30}}, True),
    ("gridProperties.rowCount,gridProperties.columnCount", {"gridProperties": {"columnCount": 30}}, False),
    ("*", {"gridProperties": {"columnCount": 30}}, False),
])
def test_field_masks_name_only_what_the_request_gives(google, book, fields, props, ok):
    """Reference: UpdateSheetPropertiesRequest.fields: a field in the mask but not in
    ``properties`` is reset to its default (rowCount 0 would cut the grid): refused here."""
    key, sid = book
    body = {"requests": [{"updateSheetProperties": {"properties": {"sheetId": sid, **props}, "fields": fields}}]}
    got = _post(google, key, ":batchUpdate", body)
    assert (got.status_code == 200) is ok, got.text
    if ok:
        assert google.book(key).tab("People").col_count == 30 and google.book(key).tab("People").row_count == 1000
