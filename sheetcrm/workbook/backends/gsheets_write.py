"""A sync's write to a Google Sheet that people use at the same time (issue 15).

Google has no conditional writes, so every place where a person's sort, insert or
delete between two of our requests could move our write onto their cells is closed
by *where* we address it, not by timing:

* sheetcrm marks what it owns with developer metadata, created with the tab or column:
  ``sheetcrm.tab`` on its tabs (value: the tab's key, e.g. ``summary``) and
  ``sheetcrm.column`` on each owned column and on the id column it fills (value: the
  column's name). Google moves a column's metadata with the column. A tab with one of
  sheetcrm's titles and no marker is the agency's: refused with one line, unless it is
  empty or holds exactly what an older sheetcrm wrote there (then it is adopted:
  marked, and rewritten as before).
* Owned values and new ids are written with ``values:batchUpdateByDataFilter``, each
  column addressed by its metadata id (resolved by Google when it applies the write);
  owned tabs by their sheet id (a renamed tab is still found).
* Rows are found by a fresh read of the header and identity columns just before the
  write; a tab whose header changed since our read is left for the next sync.
* Structure (new tabs, grid growth, formats, protections, markers) is built after that
  fresh read, from the positions it saw; grids only grow, by ``appendDimension``
  (never a stale ``rowCount``/``columnCount`` that would cut rows a person inserted).
* Ids go only into cells that were blank at the fresh read, and are read back after
  the write: an existing id that a person's sort put under one of ours is restored
  and counted (``WriteResult.restored_ids``).

Requests: one ``developerMetadata:search`` (only when cells change), the identity
re-read, at most one structural ``:batchUpdate``, one values write; when ids were
given, one read-back (and one more write only if an id had to be restored).
"""
from __future__ import annotations

import itertools
import operator
from collections.abc import Callable, Iterator
from typing import Any

from ... import schema
from ...errors import SchemaError
from ..doctor import looks_like_ours
from . import gsheets_chart
from . import gsheets_requests as req
from .base import (
    CellUpdates,
    Changes,
    Snapshot,
    WriteResult,
    resolve_targets,
    same_cell,
)
from .gsheets_cells import READ, from_cell, from_cells, quote, same_as_read, to_cell
from .gsheets_http import Unanswered
from .gsheets_markers import (
    COLUMN_KEY,
    ID_COLUMN,
    MARKED,
    TAB_KEY,
    column_location,
    marker,
    search_columns,
    tab_marker_of,
    used_ids,
)
from .gsheets_requests import append_dimension
from .gsheets_values import left_alone, value_filters


# -- which tab is sheetcrm's -------------------------------------------------------------------
def owned_tab_targets(sheets: dict, snapshot: Snapshot, changes: Changes) -> dict[str, tuple[dict | None, bool]]:
    """title -> (the tab's info or None for a new tab, whether it needs its marker);
    the info's "name" is the tab's title now.
    Raises SchemaError for a tab with sheetcrm's title that is the agency's."""
    for title, info in sheets.items():
        info["name"] = title
    by_marker = {tab_marker_of(info): info for info in sheets.values() if tab_marker_of(info)}
    by_title = {t.casefold(): info for t, info in sheets.items()}
    out: dict[str, tuple[dict | None, bool]] = {}
    for tab in changes.tabs:
        if tab.key and tab.key in by_marker:
            out[tab.title] = (by_marker[tab.key], False)
            continue
        info = by_title.get(tab.title.strip().casefold())
        if info is None:
            out[tab.title] = (None, True)
            continue
        if not tab.key or tab.key not in schema.OWNED_TABS:
            out[tab.title] = (info, False)  # Suppressed (`forget`): found by title as before
            continue
        sheet = snapshot.find(info["name"])
        values = sheet.values if sheet is not None else []
        if info["type"] != "GRID" or (any(any(v not in (None, "") for v in r) for r in values)
                                      and not looks_like_ours(tab.key, values)):
            raise SchemaError(f"tab '{info['name']}' is the team's own (it is not one sheetcrm made): "
                              f"sheetcrm leaves it alone; give sheetcrm's {tab.key.replace('_', '-')} tab another title "
                              f"with the config key tabs.{tab.key} (e.g. tabs.{tab.key} = \"sheetcrm {tab.title}\")")
        out[tab.title] = (info, True)  # empty, or an older sheetcrm's: adopted
    return out


# -- the fresh read ---------------------------------------------------------------------------
def reread(backend, snapshot: Snapshot, changes: Changes) -> tuple[dict, set[str], int]:
    """The header rows and identity columns as they are now: ({(title, col): values},
    titles whose header changed since our read (left for the next sync), how many of
    the plan's updates are in place for sure (:func:`known_in_place`))."""
    need: dict[str, set[int]] = {}
    last: tuple = (None, None)
    first = operator.itemgetter(0)
    for tab, identity in zip(changes.cells.tab, changes.cells.identity):
        if identity is last[1] and tab == last[0]:
            continue  # the plan lists a row's cells one after another, with one identity
        last = (tab, identity)
        cols = need.get(tab)
        if cols is None:
            cols = need[tab] = set()
        cols.update(map(first, identity))
    if not need:
        return {}, set(), 0
    ranges, keys = [], []
    for title, cols in need.items():
        ranges.append(f"{quote(title)}!1:1")
        keys.append((title, 0))
        for c in sorted(cols):
            ranges.append(f"{quote(title)}!{req.col_letter(c)}:{req.col_letter(c)}")
            keys.append((title, c))
    got = backend._http.values_batch_get(backend.key, ranges, params=dict(READ, majorDimension="COLUMNS"))
    columns: dict[tuple[str, int], list[Any]] = {}
    raw: dict[tuple[str, int], list[Any]] = {}
    for key, vr in zip(keys, got.get("valueRanges", [])):
        values = vr.get("values", [])
        if key[1] == 0:  # the header row, asked for by columns
            columns[key] = [from_cell(v[0]) if v else None for v in values]
        else:
            raw[key] = values[0] if values else []
            columns[key] = from_cells(raw[key])
    heads = new_headers(changes.cells)
    moved = {t for t in need if not same_header(snapshot, columns[(t, 0)], heads, t)}
    return columns, moved, known_in_place(snapshot, changes, raw)


def known_in_place(snapshot: Snapshot, changes: Changes, raw: dict[tuple[str, int], list[Any]]) -> int:
    """resolve_targets' ``known``: the updates read from ``snapshot`` (``Changes.read_from``)
    if each identity column re-read (``raw``) is the column read (gsheets.read keeps them):
    then no row moved or changed, none needs a check (370,000 at 100k); else none."""
    read, known = snapshot.meta.get("columns"), changes.planned_from(snapshot)
    if read is None or not known or not all(
            same_as_read((read.get(t, [])[c - 1:c] or [[]])[0], now) for (t, c), now in raw.items()):
        return 0
    return known


def new_headers(cells: CellUpdates) -> dict[tuple[str, int], Any]:
    """{(tab, col): name} of the columns this sync appends: their headers, the row-1
    updates without identity. Found in C: a first sync of 100,000 candidates plans
    1.4 million updates and only a few are in row 1."""
    ones, rows, i = [], cells.row, -1
    try:
        while True:  # list.index scans in C; Python runs only at the few row-1 updates
            i = rows.index(1, i + 1)
            ones.append(i)
    except ValueError:
        pass
    return {(cells.tab[i], cells.col[i]): cells.value[i] for i in ones if not cells.identity[i]}


def same_header(snapshot: Snapshot, now: list[Any], heads: dict[tuple[str, int], Any], title: str) -> bool:
    """Did anyone insert, delete or rename columns since we read? Columns we append
    this sync (``heads``, from :func:`new_headers`) may already hold their names (a
    lost answer whose write landed)."""
    old = snapshot.find(title)
    before = list(old.values[0]) if old is not None and old.values else []
    appended = {c: v for (t, c), v in heads.items() if t == title}
    for i in range(max(len(before), len(now))):
        a = before[i] if i < len(before) else None
        b = now[i] if i < len(now) else None
        if same_cell(a, b) or (a in (None, "") and i + 1 in appended and same_cell(b, appended[i + 1])):
            continue
        return False
    return True


def targets(columns: dict, moved: set[str], changes: Changes, id_col: dict[str, int],
            known: int = 0) -> tuple[list, int]:
    """Where each cell lands now (its row, or None: not written), one per update of
    ``changes.cells``; an id only where the id cell is blank now; the first ``known``
    in place (:func:`known_in_place`). Gone through by the columns of ``changes.cells``:
    making an object per cell cost more than the rest."""
    def get(tab: str, row: int, col: int) -> Any:
        values = columns.get((tab, col), [])
        return values[row - 1] if row - 1 < len(values) else None

    def height(tab: str) -> int:
        return max((len(v) for (t, c), v in columns.items() if t == tab and c), default=0)

    cells = changes.cells
    lines = _lines(columns)
    if not moved:
        rows, skipped = resolve_targets(cells, get, height, lines, known)
    else:
        keep = [i for i, t in enumerate(cells.tab) if t not in moved]
        some, skipped = resolve_targets(subset(cells, keep), get, height, lines)
        rows = [None] * len(cells)
        for i, row in zip(keep, some):
            rows[i] = row
        skipped += len({(t, r) for t, r in zip(cells.tab, cells.row) if t in moved})
    # Only the updates in an id column can meet an id typed meanwhile.
    for i in _in_id_columns(cells, id_col):
        tab, col, row = cells.tab[i], cells.col[i], rows[i]
        if row is None or row <= 1 or id_col.get(tab) != col or not cells.identity[i]:
            continue
        now = get(tab, row, col)
        if now is not None and not same_cell(now, cells.value[i]):
            rows[i] = None
            skipped += 1  # someone typed an id there meanwhile: theirs
    return rows, skipped


def _in_id_columns(cells: CellUpdates, id_col: dict[str, int]) -> Iterator[int]:
    """The positions of the updates in any tab's id column, found in C among a sync's
    1.4 million (the tab is checked by the caller)."""
    return itertools.compress(range(len(cells.col)), map(set(id_col.values()).__contains__, cells.col))


def _lines(columns: dict) -> Callable[[str], list[tuple] | None]:
    """``lines(tab)`` for :func:`resolve_targets`: the re-read identity columns of a
    tab as its rows (None in the columns not re-read and beyond a column's end), so
    a row's identity is checked on one tuple, as on the memory backend's rows, not
    with a call per cell (a first sync of 100,000 candidates checks 370,000 rows)."""
    def lines(tab: str) -> list[tuple] | None:
        got = {c: v for (t, c), v in columns.items() if t == tab and c}
        if not got:
            return None
        return list(itertools.zip_longest(*[got.get(c, ()) for c in range(1, max(got) + 1)]))
    return lines


def subset(cells: CellUpdates, keep: list[int]) -> CellUpdates:
    """The updates at the positions ``keep``, in their order."""
    out = CellUpdates()
    for name in ("tab", "row", "col", "value", "identity"):
        column = getattr(cells, name)
        getattr(out, name).extend([column[i] for i in keep])
    return out


def id_columns(changes: Changes) -> dict[str, int]:
    return {t: c for (t, c), name in changes.labels.items() if name == ID_COLUMN}


# -- structure -------------------------------------------------------------------------------
def structure(sheets: dict, tabs_at: dict, changes: Changes, moved: set[str],
              marks: dict[int, dict[str, tuple[int, int]]], plan: dict) -> list[dict]:
    """The one :batchUpdate this write needs. ``plan`` collects what later steps address:
    plan["tabs"][title] = sheet id; plan["columns"][(title, col)] = metadata id."""
    used = {info["id"] for info in sheets.values()}
    mids = used_ids(marks)
    out: list[dict] = []
    plan.setdefault("tabs", {})
    plan.setdefault("columns", {})
    for tab in changes.tabs:
        out += _owned_tab(tab, tabs_at[tab.title], used, mids, plan)
    found = {t.casefold(): info for t, info in sheets.items()}
    cells = changes.cells
    pairs = set(zip(cells.tab, cells.col))
    # headers of columns added now (row 1, no identity); few cells are in row 1
    heads = new_headers(cells)
    for title in dict.fromkeys(cells.tab):  # in the order the plan lists them
        info = found.get(title.casefold())
        if info is not None and title not in moved:
            columns = {c for t, c in pairs if t == title}
            appended = {c for t, c in heads if t == title}
            out += _input_tab(title, info, columns, appended, changes, marks.get(info["id"], {}), mids, plan)
    return out


def _owned_tab(tab, target: tuple[dict | None, bool], used: set[int], mids: set[int], plan: dict) -> list[dict]:
    info, needs_marker = target
    height = max(len(tab.rows), 1)
    width = max([len(r) for r in tab.rows] + [1])
    out: list[dict] = []
    if info is None:
        sid = req.new_id(used)
        rows = height + max(100, height // 5)
        out.append(req.add_sheet(sid, tab.title, rows, max(width, 10), tab.freeze_rows))
        out += req.owned_tab_formats(sid, tab, rows)
        out += gsheets_chart.chart_requests(sid, tab, [])
        out.append(req.protect(sid))
    else:
        sid = info["id"]
        if info["rows"] < height:
            out.append(append_dimension(sid, "ROWS", height + max(100, height // 5) - info["rows"]))
        if info["cols"] < width:
            out.append(append_dimension(sid, "COLUMNS", width - info["cols"]))
        # A tab `init` made (or an older sheetcrm) has no formats yet: rates would show as 0.6154.
        out += req.owned_tab_formats(sid, tab, max(info["rows"], height), highlights=False)
        out += gsheets_chart.chart_requests(sid, tab, info.get("charts", []))
        if not req.protected(info, None):
            out.append(req.protect(sid))
    if needs_marker and tab.key:
        out.append(marker(TAB_KEY, tab.key, {"sheetId": sid}, req.new_id(mids)))
    plan["tabs"][tab.title] = sid
    return out


def _input_tab(title: str, info: dict, columns: set[int], appended_cols: set[int], changes: Changes,
               marked: dict[str, tuple[int, int]], mids: set[int], plan: dict) -> list[dict]:
    """Structure for the people's tab ``title``: ``columns`` get cells, ``appended_cols``
    are added now (their headers are written)."""
    out: list[dict] = []
    sid = info["id"]
    widest = max(columns)
    if info["cols"] < widest:
        out.append(append_dimension(sid, "COLUMNS", widest - info["cols"]))
    for col in sorted(columns):
        name = changes.labels.get((title, col))
        if name not in MARKED:
            continue
        if name in marked and marked[name][1] == col:
            plan["columns"][(title, col)] = marked[name][0]
            continue
        mid = req.new_id(mids)
        out.append(marker(COLUMN_KEY, name, column_location(sid, col), mid))
        plan["columns"][(title, col)] = mid
        plan.setdefault("new", {})[mid] = (title, col)
        if name == ID_COLUMN:
            continue
        if col in appended_cols and name in req.DATE_COLUMNS:
            out.append(req.number_format(sid, col, req.DATE_FORMAT, start_row=1))
        if not req.protected(info, col):
            out.append(req.protect(sid, col))
            plan.setdefault("protections", []).append((title, out[-1]))
    return out


# -- ids read back ---------------------------------------------------------------------------------
def restore_ids(backend, snapshot: Snapshot, changes: Changes, rows: list[int | None],
                plan: dict, sheets: dict) -> int:
    """Read the id columns back; an id that existed before this sync and now holds one
    of ours (a person sorted between our read and our write) is put back. Returns how many."""
    id_col = id_columns(changes)
    given: dict[tuple[str, int], set] = {}
    cells = changes.cells
    # Only the updates in an id column give ids.
    for i in _in_id_columns(cells, id_col):
        tab, col = cells.tab[i], cells.col[i]
        if rows[i] is not None and cells.identity[i] and col == id_col.get(tab):
            given.setdefault((tab, col), set()).add(cells.value[i])
    restored = 0
    for (title, col), new_ids in given.items():
        mid = plan["columns"].get((title, col))
        sheet = snapshot.find(title)
        if mid is None or sheet is None:
            continue
        # By columns: a column's cells decode as one list (by rows, 100,000 lists at 100k)
        now = backend.post_read("values:batchGetByDataFilter", {
            "dataFilters": [{"gridRange": {"sheetId": sheets[sheet.title]["id"]}}], "majorDimension": "COLUMNS", **READ})
        columns = ((now.get("valueRanges") or [{}])[0].get("valueRange", {}).get("values", []))
        fixes = _clobbered(sheet.values, columns, col, new_ids)
        if fixes:
            column = [fixes.get(r) for r in range(1, max(fixes) + 1)]
            backend.post_write("values:batchUpdateByDataFilter", {"valueInputOption": "RAW", "data": [
                {"dataFilter": {"developerMetadataLookup": {"metadataId": mid}}, "majorDimension": "COLUMNS",
                 "values": [column]}]})
            restored += len(fixes)
    return restored


def _clobbered(before: list[list[Any]], now: list[list[Any]], col: int, new_ids: set) -> dict[int, Any]:
    """{row: the id it held before} for rows whose old id was replaced by a new one.
    Rows are recognised by their other person-typed cells (left of the id column too).
    ``now``: the tab as read back by columns (each from row 1; a cell past a column's
    end is blank)."""
    c = col - 1
    ids_now = now[c] if c < len(now) else []
    # Nothing to restore (most syncs; a first sync: no old ids) without keying every row.
    if not any(row[c] not in (None, "") for row in before[1:] if c < len(row)) \
            or not ("" in new_ids or any(map(new_ids.__contains__, ids_now[1:]))):
        return {}
    header = [str(h) if h is not None else "" for h in (before[0] if before else [])]
    keep = [i for i, h in enumerate(header) if i != col - 1 and h not in req.OWNED_COLUMNS]

    width = max(keep, default=-1) + 1
    pick = operator.itemgetter(*keep) if len(keep) > 1 else lambda row: tuple(row[i] for i in keep)

    def key(row: list[Any]) -> tuple:  # the kept cells, "" read as None (from_cell), in C where it can
        if len(row) < width:
            row = list(row) + [None] * (width - len(row))
        return tuple(from_cells(pick(row)))

    # Only a row now holding one of our new ids can be clobbered (a few of the tab's):
    # their keys first; a row read before can share one only if it shares its first
    # kept cell, so the other rows are never keyed.
    suspects = {}
    height = max(map(len, now), default=0)
    for r, cell in enumerate(ids_now[1:] + [""] * (height - len(ids_now)), start=2):
        if cell in new_ids:
            suspects[r] = (cell, key([column[r - 1] if r <= len(column) else "" for column in now]))
    if not suspects:
        return {}
    first = keep[0] if keep else None
    firsts = {k[0] for _, k in suspects.values()} if keep else set()
    old_ids: dict[tuple, Any] = {}
    seen: dict[tuple, int] = {}
    for row in before[1:]:
        if first is not None:
            v = row[first] if first < len(row) else None
            if from_cell(v) not in firsts:
                continue
        old, k = row[c] if c < len(row) else None, key(row)
        seen[k] = seen.get(k, 0) + 1
        if old not in (None, ""):
            old_ids[k] = old
    fixes: dict[int, Any] = {}
    for r, (cell, k) in suspects.items():
        old = old_ids.get(k) if seen.get(k) == 1 else None  # a row told apart from every other
        if old is not None and not same_cell(old, cell):
            fixes[r] = to_cell(old)
    return fixes


def check_new_marks(backend, snapshot: Snapshot, plan: dict) -> set[str]:
    """Markers made this sync sit on the columns meant? A person may have inserted or
    deleted a column between our fresh read and the :batchUpdate: then a new marker is
    on a person's column (its header is not the one we read there). Returns those tabs."""
    new = plan.get("new", {})
    if not new:
        return set()
    got = backend.post_read("values:batchGetByDataFilter", {
        "dataFilters": [{"developerMetadataLookup": {"metadataId": mid}} for mid in new],
        "majorDimension": "COLUMNS", **READ})
    heads: dict[int, Any] = {}
    for match in got.get("valueRanges", []):
        for flt in match.get("dataFilters", []):
            mid = flt.get("developerMetadataLookup", {}).get("metadataId")
            values = match.get("valueRange", {}).get("values", [])
            heads[mid] = from_cell(values[0][0]) if values and values[0] else None
    bad: set[str] = set()
    for mid, (title, col) in new.items():
        sheet = snapshot.find(title)
        meant = sheet.cell(1, col) if sheet is not None else None
        if mid not in heads or not same_cell(heads[mid], meant):
            bad.add(title)
    return bad


def undo(backend, todo: list[dict], replies: list[dict], plan: dict, tabs: set[str]) -> None:
    """Take back this sync's markers and protections on tabs where they missed."""
    out = [{"deleteDeveloperMetadata": {"dataFilter": {"developerMetadataLookup": {"metadataId": mid}}}}
           for mid, (title, _) in plan.get("new", {}).items() if title in tabs]
    at = {id(r): i for i, r in enumerate(todo)}
    for title, request in plan.get("protections", []):
        i = at.get(id(request), len(replies))
        reply = replies[i] if i < len(replies) else {}
        pid = reply.get("addProtectedRange", {}).get("protectedRange", {}).get("protectedRangeId")
        if title in tabs and pid is not None:
            out.append({"deleteProtectedRange": {"protectedRangeId": pid}})
    if out:
        backend.post_write(":batchUpdate", {"requests": out})


def _landed(backend, todo: list[dict]) -> bool:
    """A lost :batchUpdate answer: did it apply (atomic at Google: all or nothing)?
    Its new tabs or markers are there if it did; then resending would be refused."""
    new_tabs = {r["addSheet"]["properties"]["sheetId"] for r in todo if "addSheet" in r}
    new_marks = {r["createDeveloperMetadata"]["developerMetadata"]["metadataId"] for r in todo if "createDeveloperMetadata" in r}
    if not new_tabs and not new_marks:
        return False
    sheets = backend._sheets()
    if new_tabs & {info["id"] for info in sheets.values()}:
        return True
    seen = {m.get("metadataId") for info in sheets.values() for m in info.get("markers", [])}
    seen |= used_ids(search_columns(backend, {"any"}, sheets))
    return bool(new_marks & seen)


def write(backend, snapshot: Snapshot, changes: Changes) -> WriteResult:
    sheets = snapshot.meta.get("sheets") or backend._sheets()
    tabs_at = owned_tab_targets(sheets, snapshot, changes)
    cells = changes.cells
    marks = search_columns(backend, set(cells.tab), sheets)
    columns, moved, known = reread(backend, snapshot, changes)
    rows, skipped = targets(columns, moved, changes, id_columns(changes), known)
    plan: dict = {}
    todo = structure(sheets, tabs_at, changes, moved, marks, plan)
    if todo:
        got = backend.post_write(":batchUpdate", {"requests": todo}, landed=lambda: _landed(backend, todo))
        misplaced = check_new_marks(backend, snapshot, plan)
        if misplaced:
            undo(backend, todo, got.get("replies", []), plan, misplaced)
            rows = [None if t in misplaced else r for t, r in zip(cells.tab, rows)]
            skipped += len({(t, r) for t, r in zip(cells.tab, cells.row) if t in misplaced})
    data = value_filters(snapshot, changes, rows, plan, tabs_at)
    if data:
        backend.post_write("values:batchUpdateByDataFilter", {"valueInputOption": "RAW", "data": data},
                           nulls=left_alone(data))
    written = len(rows) - rows.count(None)
    restored = restore_ids(backend, snapshot, changes, rows, plan, sheets) if written else 0
    return WriteResult(cells_written=written, tabs_written=len(changes.tabs), skipped_rows=skipped,
                       requests=backend.requests, restored_ids=restored)


__all__ = ["Unanswered", "write"]
