"""sheetcrm's developer-metadata markers on a Google Sheet (DESIGN §3, owned-tab
markers): which tabs are sheetcrm's and where its columns and the id column are now,
wherever people moved them. Written by `init`, `init --upgrade` and the sync's write;
searched before every write."""
from __future__ import annotations

from ... import schema
from . import gsheets_requests as req

TAB_KEY = "sheetcrm.tab"
COLUMN_KEY = "sheetcrm.column"
ID_COLUMN = "candidate_id"
MARKED = req.OWNED_COLUMNS | {ID_COLUMN}


def marker(key: str, value: str, location: dict, mid: int) -> dict:
    return {"createDeveloperMetadata": {"developerMetadata": {
        "metadataId": mid, "metadataKey": key, "metadataValue": value, "visibility": "DOCUMENT", "location": location}}}


def column_location(sid: int, col: int) -> dict:
    return {"dimensionRange": {"sheetId": sid, "dimension": "COLUMNS", "startIndex": col - 1, "endIndex": col}}


def tab_marker_of(info: dict) -> str | None:
    for m in info.get("markers", []):
        if m.get("metadataKey") == TAB_KEY:
            return m.get("metadataValue")
    return None


def init_markers(layout, ids: dict[str, int]) -> list[dict]:
    """`init`'s markers: sheetcrm's own tabs, and on the people's tabs its columns and the id column."""
    out: list[dict] = []
    mids: set[int] = set()
    for t in layout:
        sid = ids[t.title]
        if t.key in schema.OWNED_TABS:
            out.append(marker(TAB_KEY, t.key, {"sheetId": sid}, req.new_id(mids)))
            continue
        for col, name in enumerate(t.header, start=1):
            if name in MARKED:
                out.append(marker(COLUMN_KEY, name, column_location(sid, col), req.new_id(mids)))
    return out


# -- column markers ------------------------------------------------------------------------
def search_columns(backend, titles: set[str], sheets: dict) -> dict[int, dict[str, tuple[int, int]]]:
    """sheet id -> {column name: (metadata id, 1-based column now)} of sheetcrm's marked columns."""
    if not titles:
        return {}
    body = {"dataFilters": [{"developerMetadataLookup": {"metadataKey": COLUMN_KEY}}]}
    got = backend.post_read("developerMetadata:search", body)
    out: dict[int, dict[str, tuple[int, int]]] = {}
    for match in got.get("matchedDeveloperMetadata", []):
        meta = match.get("developerMetadata", {})
        dr = meta.get("location", {}).get("dimensionRange")
        if not dr or dr.get("dimension") != "COLUMNS":
            continue
        out.setdefault(dr.get("sheetId", 0), {})[meta.get("metadataValue", "")] = (meta["metadataId"], dr["startIndex"] + 1)
    return out


def used_ids(marks: dict[int, dict[str, tuple[int, int]]]) -> set[int]:
    return {mid for cols in marks.values() for mid, _ in cols.values()}
