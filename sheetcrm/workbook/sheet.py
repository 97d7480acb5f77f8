"""From a snapshot's cells to raw frames: find the tabs, match the headers.

Header matching ignores case, surrounding spaces and `_` vs space, and honours the
configured aliases (DESIGN §2). Extra columns are allowed and never touched.
"""
from __future__ import annotations

import dataclasses
import difflib
from typing import Any

import pandas as pd

from .. import schema
from ..core import Frames
from .backends.base import Snapshot
from ..config import Settings
from ..errors import SchemaError



@dataclasses.dataclass
class TabMap:
    key: str
    title: str
    header: list[Any]
    columns: dict[str, int]  # canonical column -> 1-based sheet column
    appended: list[str]  # owned columns missing from the sheet, to add at the right
    duplicates: list[tuple[str, int]] = dataclasses.field(default_factory=list)  # (column, ignored col)

    def col(self, name: str) -> int | None:
        return self.columns.get(name)


def _match_headers(key: str, header: list[Any], settings: Settings) -> tuple[dict[str, int], list[tuple[str, int]]]:
    tab = schema.INPUT_TAB_SCHEMAS[key]
    names = set(tab.names)
    aliases = settings.header_aliases.get(key, {})
    found: dict[str, int] = {}
    dupes: list[tuple[str, int]] = []
    for i, text in enumerate(header, start=1):
        norm = schema.normalise_header(text)
        canonical = aliases.get(norm, norm if norm in names else None)
        if canonical is None:
            continue
        if canonical in found:
            dupes.append((canonical, i))
        else:
            found[canonical] = i
    return found, dupes


def locate(snapshot: Snapshot, settings: Settings) -> dict[str, TabMap]:
    """Find the three input tabs and their columns. A missing tab or required
    column is a :class:`SchemaError` naming the tab and the closest header."""
    maps: dict[str, TabMap] = {}
    for key in schema.INPUT_TABS:
        title = settings.tab_title(key)
        sheet = snapshot.find(title)
        if sheet is None:
            close = difflib.get_close_matches(title, list(snapshot.tabs), n=1, cutoff=0.5)
            hint = f" (did you mean '{close[0]}'? or set tabs.{key} in the config)" if close else "; `sheetcrm init` creates it"
            raise SchemaError(f"tab '{title}' is missing from the workbook{hint}")
        header = list(sheet.values[0]) if sheet.values else []
        while header and (header[-1] is None or str(header[-1]).strip() == ""):
            header.pop()
        columns, dupes = _match_headers(key, header, settings)
        tab = schema.INPUT_TAB_SCHEMAS[key]
        for column in tab.columns:
            if column.required_header and column.name not in columns:
                raise SchemaError(_missing_column_message(sheet.title, column.name, header))
        appended = [c.name for c in tab.owned_columns if c.name not in columns]
        for offset, name in enumerate(appended, start=1):
            columns[name] = len(header) + offset
        maps[key] = TabMap(key, sheet.title, header, columns, appended, dupes)
    return maps


def _missing_column_message(title: str, column: str, header: list[Any]) -> str:
    texts = [str(h) for h in header if h is not None and str(h).strip()]
    by_norm = {schema.normalise_header(t): t for t in texts}
    close = difflib.get_close_matches(column, list(by_norm), n=1, cutoff=0.4)
    hint = f"; the closest header is '{by_norm[close[0]]}' (rename it, or map it under [headers.{_key_for(title)}] in the config)" if close else ""
    return f"tab '{title}': required column '{column}' is missing{hint}"


def _key_for(title: str) -> str:
    return schema.normalise_header(title)


def to_frames(snapshot: Snapshot, maps: dict[str, TabMap]) -> Frames:
    """Raw frames (see :mod:`sheetcrm.schema`): canonical columns, cells as read,
    index = the sheet's row number, blank rows dropped."""
    frames: Frames = {}
    for key, tmap in maps.items():
        sheet = snapshot.tabs[tmap.title]
        names = schema.INPUT_TAB_SCHEMAS[key].names
        rows = sheet.values[1:]
        width = max([len(tmap.header)] + [len(r) for r in rows] + [0])
        # Blank means: nothing in any column a person fills (owned cells alone don't make a row).
        input_cols = [tmap.columns[c.name] - 1 for c in schema.INPUT_TAB_SCHEMAS[key].input_columns if c.name in tmap.columns]
        data: dict[str, list[Any]] = {n: [] for n in names}
        index: list[int] = []
        for offset, raw in enumerate(rows):
            line = list(raw) + [None] * (width - len(raw))
            if all(_blank(line[i]) for i in input_cols if i < len(line)):
                continue
            index.append(offset + 2)
            for n in names:
                c = tmap.columns.get(n)
                data[n].append(line[c - 1] if c is not None and c - 1 < len(line) else None)
        frame = pd.DataFrame({n: pd.Series(data[n], dtype=object) for n in names}, columns=names)
        frame.index = pd.Index(index, dtype="int64", name="row")
        frames[key] = frame
    return frames


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())
