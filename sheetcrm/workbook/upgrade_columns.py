"""What `init --upgrade` decides about an input tab's columns, from plain cells: which
of its columns are ours (by header), which of sheetcrm's owned columns are missing
and where they go — after the last column holding ANY value in any row (DESIGN §3),
so a team's column with a blank header is never written over. Both upgraders (xlsx
and Google) use this; it takes lists of cell values, never a workbook object."""
from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Sequence

from .. import schema
from ..values import is_blank

TEXT_COLUMNS = ("candidate_id", "position_id", "phone")  # plain text: keeps a `+` and leading zeros


@dataclasses.dataclass(frozen=True)
class ColumnPlan:
    found: dict[str, int]  # our column -> its 1-based sheet column, by header
    added: dict[str, int]  # sheetcrm's owned columns the tab lacks -> where they go
    last_used: int  # the last column holding any value in any row (0: an empty tab)

    @property
    def columns(self) -> dict[str, int]:
        return {**self.found, **self.added}

    @property
    def width(self) -> int:
        return max([self.last_used, *self.columns.values()])

    def owned(self, key: str) -> list[int]:
        cols = self.columns
        return [cols[c.name] for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns if c.name in cols]


def header_map(key: str, header: Sequence[Any], aliases: Mapping[str, str] | None = None) -> dict[str, int]:
    """Our column -> its sheet column, matched as sync matches (sheet.py), but never
    refusing: a header that is not ours is the team's and stays as it is. sheetcrm's
    own columns only under their own header; the first of two claims wins."""
    tab = schema.INPUT_TAB_SCHEMAS[key]
    names, owned = set(tab.names), {c.name for c in tab.owned_columns}
    aliases = aliases or {}
    synonyms = schema.HEADER_SYNONYMS.get(key, {})
    out: dict[str, int] = {}
    for col, text in enumerate(header, start=1):
        if is_blank(text):
            continue
        exact, loose = schema.normalise_header(text), schema.header_key(text)
        name = exact if exact in owned else (aliases.get(exact) or aliases.get(loose)
                                             or (loose if loose in names - owned else None) or synonyms.get(loose))
        if name and name not in out:
            out[name] = col
    return out


def last_used_column(rows: Sequence[Sequence[Any]]) -> int:
    """The last column holding any value (or formula) in any row, not just the header's."""
    last = 0
    for row in rows:
        for col in range(len(row), last, -1):
            if not is_blank(row[col - 1]):
                last = col
                break
    return last


def plan_columns(key: str, rows: Sequence[Sequence[Any]], aliases: Mapping[str, str] | None = None) -> ColumnPlan:
    found = header_map(key, rows[0] if rows else [], aliases)
    last = last_used_column(rows)
    tab = schema.INPUT_TAB_SCHEMAS[key]
    if last == 0:  # an empty tab gets the whole header, as `init` writes it
        return ColumnPlan({}, {name: col for col, name in enumerate(tab.names, start=1)}, 0)
    added: dict[str, int] = {}
    for column in tab.owned_columns:
        if column.name not in found:
            added[column.name] = last + 1 + len(added)
    return ColumnPlan(found, added, last)
