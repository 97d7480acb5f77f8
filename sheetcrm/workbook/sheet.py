"""From a snapshot's cells to raw frames: find the tabs, match the headers.

Header matching ignores case, surrounding spaces, `_` vs space, invisible
characters, a parenthesised hint and trailing punctuation (``schema.header_key``),
knows common spellings (``schema.HEADER_SYNONYMS``: `DNC`, `Don't contact`, `Reason`)
and honours the configured aliases (DESIGN §2). Extra columns are allowed and never
touched; a header that looks like one of ours but is not recognised, a column
claimed twice, or an owned header among the team's columns is a SchemaError.
"""
from __future__ import annotations

import dataclasses
import difflib
import itertools
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..config import Settings
from ..core import Frames, with_all_tabs
from ..errors import SchemaError
from ..values import is_blank
from .backends.base import Snapshot, col_letter


@dataclasses.dataclass
class TabMap:
    key: str
    title: str
    header: list[Any]
    columns: dict[str, int]  # canonical column -> 1-based sheet column
    appended: list[str]  # owned columns missing from the sheet, to add at the right

    def col(self, name: str) -> int | None:
        return self.columns.get(name)


def _match_headers(key: str, title: str, header: list[Any], settings: Settings) -> dict[str, int]:
    """canonical column -> 1-based sheet column. A column that two headers claim is
    a :class:`SchemaError` naming both (the second copy may hold what matters, e.g.
    the do-not-contact flags), and so is a header that looks like one of ours but
    is not recognised: a column silently ignored could be the one saying "never call"."""
    tab = schema.INPUT_TAB_SCHEMAS[key]
    names = set(tab.names)
    owned = {c.name for c in tab.owned_columns}
    aliases = settings.header_aliases.get(key, {})
    synonyms = schema.HEADER_SYNONYMS.get(key, {})
    found: dict[str, int] = {}
    unmapped: list[tuple[int, str]] = []
    for i, text in enumerate(header, start=1):
        exact, loose = schema.normalise_header(text), schema.header_key(text)
        if exact in owned:  # sheetcrm's own columns only under sheetcrm's own header
            canonical: str | None = exact
        else:
            canonical = aliases.get(exact) or aliases.get(loose) or (loose if loose in names - owned else None) \
                or synonyms.get(loose)
        if canonical is None:
            if loose:
                unmapped.append((i, loose))
            continue
        if canonical in found:
            raise SchemaError(f"tab '{title}': columns {col_letter(found[canonical])} and {col_letter(i)} both "
                              f"mean '{canonical}'; rename or delete one of them (sheetcrm would read only one)")
        found[canonical] = i
    _refuse_lookalikes(key, title, header, found, unmapped)
    _check_owned_place(key, title, header, found)
    return found


# How close (difflib ratio) an unrecognised header must be to one of ours to be a typo of it.
LOOKALIKE = 0.8


def _refuse_lookalikes(key: str, title: str, header: list[Any], found: dict[str, int],
                       unmapped: list[tuple[int, str]]) -> None:
    tab = schema.INPUT_TAB_SCHEMAS[key]
    missing = [c.name for c in tab.input_columns if c.name not in found]
    spellings = {s: c for s, c in schema.HEADER_SYNONYMS.get(key, {}).items() if c in missing}
    spellings.update({c: c for c in missing})
    for col, loose in unmapped:
        close = difflib.get_close_matches(loose, list(spellings), n=1, cutoff=LOOKALIKE)
        if close:
            raise SchemaError(
                f"tab '{title}': the header '{header[col - 1]}' (column {col_letter(col)}) looks like "
                f"'{spellings[close[0]]}' but is not recognised; rename it to '{spellings[close[0]]}' or map it "
                f"under [headers.{key}] in the config")


def _check_owned_place(key: str, title: str, header: list[Any], found: dict[str, int]) -> None:
    """sheetcrm writes its columns side by side, appended at the right. An owned
    header standing alone between the team's columns was typed by a person, over a
    column of their own: an error, never a column to overwrite. (A block of two or
    more, or one at the far right, is sheetcrm's: later versions append new owned
    columns at the right, after any column the team added meanwhile.)"""
    tab = schema.INPUT_TAB_SCHEMAS[key]
    cols = sorted(found[c.name] for c in tab.owned_columns if c.name in found)
    runs: list[list[int]] = []
    for col in cols:
        if runs and col == runs[-1][-1] + 1:
            runs[-1].append(col)
        else:
            runs.append([col])
    for run in runs:
        alone = len(run) == 1 and len(tab.owned_columns) > 1
        if alone and any(not is_blank(h) for h in header[run[0]:]):
            name = next(k for k, v in found.items() if v == run[0])
            raise SchemaError(
                f"tab '{title}': column {col_letter(run[0])} is headed '{name}', one of sheetcrm's own columns, but "
                f"stands among the team's columns; rename that header (sheetcrm writes its columns together)")


def locate(snapshot: Snapshot, settings: Settings) -> dict[str, TabMap]:
    """Find the input tabs and their columns. A missing tab or required column is a
    :class:`SchemaError` naming the tab and the closest header; an optional tab
    (Touchpoints) that is not there is simply left out."""
    return {key: locate_tab(snapshot, settings, key) for key in schema.INPUT_TABS
            if key not in schema.OPTIONAL_TABS or snapshot.find(settings.tab_title(key)) is not None}


def locate_tab(snapshot: Snapshot, settings: Settings, key: str) -> TabMap:
    """One input tab and its columns (``locate`` for one tab; `doctor` looks at each)."""
    title = settings.tab_title(key)
    sheet = snapshot.find(title)
    if sheet is None:
        close = difflib.get_close_matches(title, list(snapshot.tabs), n=1, cutoff=0.5)
        hint = f" (did you mean '{close[0]}'? or set tabs.{key} in the config)" if close else "; `sheetcrm init` creates it"
        raise SchemaError(f"tab '{title}' is missing from the workbook{hint}")
    header = list(sheet.values[0]) if sheet.values else []
    while header and (header[-1] is None or str(header[-1]).strip() == ""):
        header.pop()
    tab = schema.INPUT_TAB_SCHEMAS[key]
    for column in tab.columns:  # before the other checks: row 1 may be a person's row
        if column.required_header and column.name not in _names_only(key, header, settings):
            raise SchemaError(_missing_column_message(sheet.title, key, column.name, header))
    columns = _match_headers(key, sheet.title, header, settings)
    appended = [c.name for c in tab.owned_columns if c.name not in columns]
    # After the last column holding any value: a column of notes under a blank header
    # cell is a person's, never the place for sheetcrm's columns (issue 15).
    widest = max(map(len, sheet.values), default=0)
    used = len(header) if widest <= len(header) else \
        max([len(header)] + [_last_filled(row) for row in sheet.values if len(row) > len(header)])
    for offset, name in enumerate(appended, start=1):
        columns[name] = used + offset
    return TabMap(key, sheet.title, header, columns, appended)


def _last_filled(row: list[Any]) -> int:
    """1-based column of the row's last non-blank cell (0 when the row is empty)."""
    return next((i for i in range(len(row), 0, -1) if not is_blank(row[i - 1])), 0)


def _names_only(key: str, header: list[Any], settings: Settings) -> set[str]:
    aliases = settings.header_aliases.get(key, {})
    names = set(schema.INPUT_TAB_SCHEMAS[key].names)
    out = set()
    for text in header:
        exact, loose = schema.normalise_header(text), schema.header_key(text)
        out.add(aliases.get(exact) or aliases.get(loose) or (loose if loose in names else None)
                or schema.HEADER_SYNONYMS.get(key, {}).get(loose))
    return out


# A header quoted in a message must look like a header: row 1 may hold a person's
# row (names, emails), and messages never quote a person's cells.
QUOTABLE = 0.75


def _missing_column_message(title: str, key: str, column: str, header: list[Any]) -> str:
    keyed = {schema.header_key(h): (i, h) for i, h in enumerate(header, start=1) if not is_blank(h)}
    close = difflib.get_close_matches(column, list(keyed), n=1, cutoff=0.4)
    hint = ""
    if close:
        col, text = keyed[close[0]]
        if difflib.SequenceMatcher(None, column, close[0]).ratio() >= QUOTABLE:
            hint = f"; the closest header is '{text}' in column {col_letter(col)}"
        else:
            hint = f"; the closest header is in column {col_letter(col)}"
        hint += f" (rename it, or map it under [headers.{key}] in the config)"
    else:
        hint = "; row 1 must hold the headers"
    return f"tab '{title}': required column '{column}' is missing{hint}"


def to_frames(snapshot: Snapshot, maps: dict[str, TabMap], compact: bool = True) -> Frames:
    """Raw frames (see :mod:`sheetcrm.schema`): canonical columns, cells as read,
    index = the sheet's row number, blank rows dropped. ``compact``: each column's
    texts copied together (:func:`compacted`, for analyse's speed); a sync leaves
    that to the analysis it may not need (analysis_memo)."""
    frames: Frames = {}
    for key, tmap in maps.items():
        names = schema.INPUT_TAB_SCHEMAS[key].names
        rows = snapshot.tabs[tmap.title].values[1:]
        # The grid a column at a time (short rows padded with None), built in C.
        columns = list(itertools.zip_longest(*rows)) if rows else []
        # Blank means: nothing in any column a person fills (owned cells alone don't make a row).
        input_cols = [columns[tmap.columns[c.name] - 1] for c in schema.INPUT_TAB_SCHEMAS[key].input_columns
                      if c.name in tmap.columns and tmap.columns[c.name] <= len(columns)]
        kept = _filled_rows(input_cols, len(rows))
        every_row = len(kept) == len(rows)
        # One object block, column by column, handed to pandas as it is (no copy, no
        # inference of a string dtype): what a frame of object Series was, at a third of the cost.
        block = np.full((len(names), len(kept)), None, dtype=object)
        for j, n in enumerate(names):
            c = tmap.columns.get(n)
            if c is not None and c <= len(columns):
                cells = columns[c - 1] if every_row else [columns[c - 1][i] for i in kept]
                block[j] = np.fromiter(cells, dtype=object, count=len(kept))
        index = pd.Index(np.array(kept, dtype=np.int64) + 2, name="row")
        frames[key] = pd.DataFrame(block.T, columns=names, index=index, dtype=object, copy=False)
    frames = with_all_tabs(frames)
    return compacted(frames) if compact else frames


def compacted(frames: Frames) -> Frames:
    """The frames of ``to_frames(..., compact=False)`` as ``to_frames`` gives them by default:
    each column's texts copied together (:func:`shared_strings`), the same cells,
    index and columns. The other frames (an optional tab's empty one) as they are."""
    out: Frames = {}
    for key, frame in frames.items():
        shared = _compacted_columns(key, list(frame.columns)) if key in schema.INPUT_TAB_SCHEMAS else frozenset()
        if not shared or list(frame.dtypes.unique()) != [np.dtype(object)] or frame.columns.has_duplicates:
            out[key] = frame
            continue
        block = np.empty((frame.shape[1], frame.shape[0]), dtype=object)
        for j, name in enumerate(frame.columns):
            cells = frame.iloc[:, j].to_numpy()
            block[j] = np.fromiter(shared_strings(cells.tolist()), dtype=object, count=len(cells)) \
                if name in shared else cells
        out[key] = pd.DataFrame(block.T, columns=frame.columns, index=frame.index, dtype=object, copy=False)
    return out


def _compacted_columns(key: str, names: list[str]) -> frozenset[str]:
    """The columns whose texts are copied together: all but sheetcrm's own, which
    analyse does not read (analysis_memo), a fifth of the cells."""
    return frozenset(names) - _OWNED[key]


_OWNED = {key: frozenset(c.name for c in tab.owned_columns) for key, tab in schema.INPUT_TAB_SCHEMAS.items()}


def shared_strings(cells: Iterable[Any]) -> list[Any]:
    """The cells, each text replaced by one new copy per distinct text of the column.

    A backend's read makes the cells row by row (calamine, Google's JSON), so a
    column's strings lie scattered over the whole grid in memory, and every pass
    pandas makes down a column (hashing, isin, merge) misses the CPU cache: at
    100,000 candidates analyse() took 7.6 s on an .xlsx read against 5.4 s once each
    column's strings were copied together (issue 20). Only exact ``str`` values are
    touched, and each copy is equal to its original and of the same type: nothing a
    person typed changes. Equal texts of a column become one object (less memory,
    and equal ones compare by identity)."""
    seen: dict[str, str] = {}
    out = []
    for v in cells:
        if type(v) is str:
            s = seen.get(v)
            if s is None:
                # A join of two parts allocates a new string (a copy of the text), here,
                # next to the column's previous ones.
                s = seen[v] = "".join((v, ""))  # noqa: FLY002 (an f-string would return v itself)
            v = s
        out.append(v)
    return out


def _filled_rows(columns: list[tuple[Any, ...]], height: int) -> list[int]:
    """Positions of the rows with something (not ``is_blank``) in one of these columns."""
    if not columns:
        return []
    first = columns[0]
    filled = [v is not None and (bool(v.strip()) if type(v) is str else not is_blank(v)) for v in first]
    return [i for i in range(height) if filled[i] or any(not is_blank(col[i]) for col in columns[1:])]
