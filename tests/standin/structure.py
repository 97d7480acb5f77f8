"""The stand-in's developer metadata and its rows and columns moving, as Google does.

* Developer metadata (``createDeveloperMetadata``, ``developerMetadata:search``,
  ``DataFilter.developerMetadataLookup``): a key/value pair on the spreadsheet, a
  sheet, or one row or column (``DimensionRange`` of exactly one index). Google's
  guide "Read, write, and search metadata": metadata on a column moves with the
  column when columns are inserted or deleted before it, and goes away with it.
  Sheet-located metadata is listed in ``spreadsheets.get`` under
  ``sheets[].developerMetadata``; column-located metadata only by search (or grid data).
* ``insertDimension`` / ``deleteDimension`` / ``appendDimension``: what a person's
  "Insert column left" or "Delete row" does, moving values, formulas, number and
  cell formats, validations, protected ranges and metadata with the cells.
* ``values:batchUpdateByDataFilter``: each ``DataFilterValueRange`` is resolved by
  Google when it applies the write (``a1Range``, ``gridRange`` or a metadata lookup);
  a filter that matches nothing is an error for the whole request.
"""
from __future__ import annotations

import copy
import random
from typing import Any

from .model import ApiError, Tab

VISIBILITIES = ("DOCUMENT", "PROJECT")


# -- moving things when rows or columns come and go -----------------------------------
def _shift(lo: int | None, hi: int | None, at: int, count: int) -> tuple[int | None, int | None] | None:
    """A half-open span [lo, hi) after ``count`` indexes are inserted (count > 0) at
    ``at`` or deleted (count < 0) from ``at``. None: the span was deleted whole."""
    if count > 0:
        lo2 = lo if lo is None or lo < at else lo + count
        hi2 = hi if hi is None or hi <= at else hi + count
        return lo2, hi2
    gone = -count

    def moved(i: int) -> int:
        return i if i <= at else max(at, i - gone)

    lo2 = None if lo is None else moved(lo)
    hi2 = None if hi is None else moved(hi)
    if lo is not None and hi is not None and lo2 == hi2:
        return None
    return lo2, hi2


def _shift_bounds(bounds: tuple[int, int, int, int], axis: str, at: int, count: int):
    r0, c0, r1, c1 = bounds
    if axis == "ROWS":
        got = _shift(r0, r1, at, count)
        return None if got is None else (got[0], c0, got[1], c1)
    got = _shift(c0, c1, at, count)
    return None if got is None else (r0, got[0], r1, got[1])


def _shift_grid_range(rng: dict, axis: str, at: int, count: int) -> dict | None:
    lo_key, hi_key = ("startRowIndex", "endRowIndex") if axis == "ROWS" else ("startColumnIndex", "endColumnIndex")
    got = _shift(rng.get(lo_key), rng.get(hi_key), at, count)
    if got is None:
        return None
    out = dict(rng)
    for key, value in zip((lo_key, hi_key), got):
        if value is not None:
            out[key] = value
    return out


def move(book: Any, tab: Tab, axis: str, at: int, count: int) -> None:
    """Insert (count > 0) or delete (count < 0) rows or columns at 0-based ``at``."""
    if axis == "ROWS":
        if count > 0:
            while len(tab.grid) < at:
                tab.grid.append([])
            tab.grid[at:at] = [[] for _ in range(count)]
        else:
            del tab.grid[at:at - count]
        tab.row_count += count
        tab.formulas = {(r + count if r >= at else r, c): f for (r, c), f in tab.formulas.items()
                        if count > 0 or not at <= r < at - count}
    else:
        for row in tab.grid:
            if count > 0:
                if len(row) > at:
                    row[at:at] = [None] * count
            else:
                del row[at:at - count]
        tab.col_count += count
        tab.formulas = {(r, c + count if c >= at else c): f for (r, c), f in tab.formulas.items()
                        if count > 0 or not at <= c < at - count}
    for name in ("number_formats", "cell_formats", "validations"):
        kept = []
        for bounds, what in getattr(tab, name):
            new = _shift_bounds(bounds, axis, at, count)
            if new is not None:
                kept.append((new, what))
        setattr(tab, name, kept)
    protected = []
    for p in tab.protected:
        rng = _shift_grid_range(p.get("range", {}), axis, at, count)
        if rng is not None:
            protected.append(dict(p, range=rng))
    tab.protected = protected
    dimension = "ROWS" if axis == "ROWS" else "COLUMNS"
    kept_meta = []
    for m in book.developer_metadata:
        dr = m.get("location", {}).get("dimensionRange")
        if dr is None or dr.get("sheetId") != tab.sheet_id or dr.get("dimension") != dimension:
            kept_meta.append(m)
            continue
        got = _shift(dr["startIndex"], dr["endIndex"], at, count)
        if got is not None:
            m = copy.deepcopy(m)
            m["location"]["dimensionRange"].update(startIndex=got[0], endIndex=got[1])
            kept_meta.append(m)
    book.developer_metadata = kept_meta


# -- batchUpdate requests -------------------------------------------------------------------
def _dimension_range(book: Any, rng: dict) -> tuple[Tab, str, int, int]:
    tab = book.tab_by_id(rng.get("sheetId", 0))
    axis = rng.get("dimension")
    if axis not in ("ROWS", "COLUMNS"):
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid dimensionRange: dimension must be ROWS or COLUMNS")
    limit = tab.row_count if axis == "ROWS" else tab.col_count
    lo, hi = rng.get("startIndex", 0), rng.get("endIndex", limit)
    if not 0 <= lo < hi <= limit:
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid dimensionRange: [{lo}, {hi}) is outside the grid (0..{limit})")
    return tab, axis, lo, hi


def insert_dimension(book: Any, body: dict) -> None:
    rng = body["range"]
    tab = book.tab_by_id(rng.get("sheetId", 0))
    axis = rng.get("dimension")
    limit = tab.row_count if axis == "ROWS" else tab.col_count
    lo, hi = rng.get("startIndex", 0), rng.get("endIndex", 0)
    if axis not in ("ROWS", "COLUMNS") or not 0 <= lo < hi or lo > limit:
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid insertDimension: [{lo}, {hi}) on a grid of {limit}")
    move(book, tab, axis, lo, hi - lo)


def delete_dimension(book: Any, body: dict) -> None:
    tab, axis, lo, hi = _dimension_range(book, body["range"])
    move(book, tab, axis, lo, lo - hi)


def append_dimension(book: Any, body: dict) -> None:
    tab = book.tab_by_id(body.get("sheetId", 0))
    length = body.get("length", 0)
    if body.get("dimension") not in ("ROWS", "COLUMNS") or length < 1:
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid appendDimension: dimension ROWS or COLUMNS and length >= 1")
    if body["dimension"] == "ROWS":
        tab.row_count += length
    else:
        tab.col_count += length


def create_metadata(book: Any, body: dict) -> dict:
    meta = copy.deepcopy(body.get("developerMetadata") or {})
    if not meta.get("metadataKey"):
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid createDeveloperMetadata: metadataKey is required")
    if meta.get("visibility") not in VISIBILITIES:
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid createDeveloperMetadata: visibility must be DOCUMENT or PROJECT")
    location = meta.get("location") or {}
    where = [k for k in ("spreadsheet", "sheetId", "dimensionRange") if k in location]
    if len(where) != 1:
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid createDeveloperMetadata: exactly one location is required")
    if where[0] == "sheetId":
        book.tab_by_id(location["sheetId"])
        location["locationType"] = "SHEET"
    elif where[0] == "dimensionRange":
        _tab, axis, lo, hi = _dimension_range(book, location["dimensionRange"])
        if hi - lo != 1:
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid createDeveloperMetadata: a dimension location is one row or column")
        location["locationType"] = "ROW" if axis == "ROWS" else "COLUMN"
    else:
        location["locationType"] = "SPREADSHEET"
    mid = meta.get("metadataId") or random.randint(1, 2**31 - 1)
    if mid < 1 or any(m["metadataId"] == mid for m in book.developer_metadata):
        raise ApiError(400, "INVALID_ARGUMENT", f"Invalid createDeveloperMetadata: metadata id {mid} is taken or not positive")
    meta.update(metadataId=mid, location=location)
    book.developer_metadata.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": copy.deepcopy(meta)}}


def delete_metadata(book: Any, body: dict) -> dict:
    gone = lookup(book, body.get("dataFilter") or {})
    book.developer_metadata = [m for m in book.developer_metadata if m not in gone]
    return {"deleteDeveloperMetadata": {"deletedDeveloperMetadata": copy.deepcopy(gone)}}


def delete_protected_range(book: Any, body: dict) -> None:
    pid = body.get("protectedRangeId")
    for tab in book.tabs:
        kept = [p for p in tab.protected if p.get("protectedRangeId") != pid]
        if len(kept) != len(tab.protected):
            tab.protected = kept
            return
    raise ApiError(400, "INVALID_ARGUMENT", f"Invalid deleteProtectedRange: No protected range with id: {pid}")


# -- lookups ----------------------------------------------------------------------------------
def _matches(meta: dict, lookup: dict) -> bool:
    loc = meta.get("location", {})
    for key in ("metadataId", "metadataKey", "metadataValue", "visibility"):
        if key in lookup and meta.get(key) != lookup[key]:
            return False
    if "locationType" in lookup and loc.get("locationType") != lookup["locationType"]:
        return False
    where = lookup.get("metadataLocation")
    if where:
        sheet = where.get("sheetId")
        if sheet is not None and loc.get("sheetId", loc.get("dimensionRange", {}).get("sheetId")) != sheet:
            return False
    return True


def lookup(book: Any, flt: dict) -> list[dict]:
    if "developerMetadataLookup" not in flt:
        raise ApiError(400, "INVALID_ARGUMENT", "the stand-in searches metadata by developerMetadataLookup only")
    return [m for m in book.developer_metadata if _matches(m, flt["developerMetadataLookup"])]


def search(book: Any, body: dict) -> dict:
    found: list[dict] = []
    for m in book.developer_metadata:
        hits = [f for f in body.get("dataFilters", []) if m in lookup(book, f)]
        if hits:
            found.append({"developerMetadata": copy.deepcopy(m), "dataFilters": copy.deepcopy(hits)})
    return {"matchedDeveloperMetadata": found} if found else {}


def sheet_metadata(book: Any, sheet_id: int) -> list[dict]:
    return [copy.deepcopy(m) for m in book.developer_metadata if m.get("location", {}).get("sheetId") == sheet_id]


def resolve(book: Any, flt: dict) -> list[tuple[Tab, tuple[int, int, int, int]]]:
    """The ranges a DataFilter selects now: 0-based, end-exclusive bounds."""
    if "a1Range" in flt:
        return [book.locate(flt["a1Range"])]
    if "gridRange" in flt:
        rng = flt["gridRange"]
        tab = book.tab_by_id(rng.get("sheetId", 0))
        return [(tab, (rng.get("startRowIndex", 0), rng.get("startColumnIndex", 0),
                       rng.get("endRowIndex", tab.row_count), rng.get("endColumnIndex", tab.col_count)))]
    out = []
    for m in lookup(book, flt):
        loc = m["location"]
        if loc["locationType"] == "SHEET":
            tab = book.tab_by_id(loc["sheetId"])
            out.append((tab, (0, 0, tab.row_count, tab.col_count)))
        elif loc["locationType"] in ("ROW", "COLUMN"):
            dr = loc["dimensionRange"]
            tab = book.tab_by_id(dr["sheetId"])
            if dr["dimension"] == "COLUMNS":
                out.append((tab, (0, dr["startIndex"], tab.row_count, dr["endIndex"])))
            else:
                out.append((tab, (dr["startIndex"], 0, dr["endIndex"], tab.col_count)))
    return out


def batch_get_by_filter(book: Any, body: dict) -> dict:
    """values.batchGetByDataFilter: one MatchedValueRange per range a filter selects."""
    out = []
    for flt in body.get("dataFilters", []):
        for tab, bounds in resolve(book, flt):
            vr: dict[str, Any] = {"range": tab.a1(*bounds), "majorDimension": body.get("majorDimension", "ROWS")}
            values = tab.render(*bounds, body.get("valueRenderOption", "FORMATTED_VALUE"),
                                body.get("dateTimeRenderOption", "SERIAL_NUMBER"), vr["majorDimension"])
            if values:
                vr["values"] = values
            out.append({"valueRange": vr, "dataFilters": [copy.deepcopy(flt)]})
    return {"spreadsheetId": book.key, "valueRanges": out}


def batch_update_by_filter(book: Any, body: dict) -> dict:
    option = body.get("valueInputOption")
    if option not in ("RAW", "USER_ENTERED"):
        raise ApiError(400, "INVALID_ARGUMENT", "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
    plan = []
    for i, d in enumerate(body.get("data", [])):
        ranges = resolve(book, d.get("dataFilter") or {})
        if not ranges:
            raise ApiError(400, "INVALID_ARGUMENT", f"Invalid data[{i}]: No grid ranges matched the data filter")
        values = d.get("values") or []
        if d.get("majorDimension", "ROWS") == "COLUMNS":
            height = max((len(c) for c in values), default=0)
            values = [[c[r] if r < len(c) else None for c in values] for r in range(height)]
        for tab, (r0, c0, r1, c1) in ranges:
            width = max((len(r) for r in values), default=0)
            if len(values) > r1 - r0 or width > c1 - c0:
                raise ApiError(400, "INVALID_ARGUMENT", f"Invalid data[{i}]: the values are larger than the matched range")
            plan.append((tab, r0, c0, values))
    responses, total = [], 0
    for tab, r0, c0, values in plan:
        rows, cols, cells = tab.write(r0, c0, values, option)
        total += cells
        responses.append({"updatedRange": tab.a1(r0, c0, r0 + max(rows, 1), c0 + max(cols, 1)),
                          "updatedRows": rows, "updatedColumns": cols, "updatedCells": cells})
    return {"spreadsheetId": book.key, "totalUpdatedCells": total, "responses": responses}


# -- grid data: what spreadsheets.get says of cells ----------------------------------------
def grid_data(book: Any, ranges: list[str], fields: str) -> dict:
    """``spreadsheets.get`` with ``ranges`` and a field mask naming ``data``: per range, each
    cell's number format (``userEnteredFormat.numberFormat``) and data validation, as
    Google answers (``startRow``/``startColumn`` left out when 0, a cell without either
    is ``{}``). Only sheets a range names are listed. Values are not served here."""
    if "data" not in fields:
        raise ApiError(400, "INVALID_ARGUMENT", "the stand-in serves ranges only with a field mask naming data")
    sheets: dict[int, dict] = {}
    for text in ranges:
        tab, (r0, c0, r1, c1) = book.locate(text)
        props: dict[str, Any] = {"title": tab.title, **({"sheetId": tab.sheet_id} if tab.sheet_id else {})}
        entry = sheets.setdefault(tab.sheet_id, {"properties": props, "data": []})
        rows = []
        for r in range(r0, min(r1, tab.row_count)):
            cells = []
            for c in range(c0, min(c1, tab.col_count)):
                cell: dict[str, Any] = {}
                fmt = tab.number_format(r, c)
                if fmt:
                    cell["userEnteredFormat"] = {"numberFormat": copy.deepcopy(fmt)}
                rules = [rule for (a, b, y, z), rule in tab.validations if a <= r < y and b <= c < z]
                if rules and rules[-1]:
                    cell["dataValidation"] = copy.deepcopy(rules[-1])
                cells.append(cell)
            rows.append({"values": cells})
        data: dict[str, Any] = {"rowData": rows}
        if r0:
            data["startRow"] = r0
        if c0:
            data["startColumn"] = c0
        entry["data"].append(data)
    return {"spreadsheetId": book.key, "sheets": list(sheets.values())}
