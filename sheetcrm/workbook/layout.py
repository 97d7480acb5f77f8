"""What `sheetcrm init` creates: tabs, headers, dropdowns, highlighting."""
from __future__ import annotations

from typing import Any

from .. import schema
from ..config import Settings
from ..schema import CIRCLE_BACK_HEADER, DUE_COLOURS
from .backends.base import TabLayout


def workbook_layout(settings: Settings, data: dict[str, list[list[Any]]] | None = None) -> list[TabLayout]:
    data = data or {}
    out: list[TabLayout] = []
    for key in schema.INPUT_TABS:
        tab = schema.INPUT_TAB_SCHEMAS[key]
        header = tab.names
        pos = {n: i for i, n in enumerate(header, start=1)}
        out.append(TabLayout(
            title=settings.tab_title(key),
            header=header,
            rows=data.get(key, []),
            dropdowns={pos[c]: choices for c, choices in schema.DROPDOWNS[key].items()},
            date_columns=tuple(pos[c.name] for c in tab.columns if c.kind == schema.DATE),
            highlight_nonempty_col=pos["row_issues"],
            highlight_values=(pos["circle_back_status"], DUE_COLOURS) if key == schema.CANDIDATES else None,
            owned_columns=tuple(pos[c.name] for c in tab.owned_columns),
            key=key,
        ))
    out.append(TabLayout(settings.tab_title(schema.SUMMARY), ["sheetcrm summary: run `sheetcrm sync` to fill"],
                         key=schema.SUMMARY))
    out.append(TabLayout(settings.tab_title(schema.CIRCLE_BACKS), CIRCLE_BACK_HEADER,
                         rows=[["run `sheetcrm sync` to fill"]], highlight_values=(3, DUE_COLOURS), key=schema.CIRCLE_BACKS))
    out.append(TabLayout(settings.tab_title(schema.ISSUES), list(schema.ISSUE_COLUMNS), key=schema.ISSUES))
    return out
