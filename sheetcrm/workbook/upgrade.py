"""`sheetcrm init --upgrade`: add what this sheetcrm expects to a workbook people
already keep, without changing any person's cell (DESIGN §7).

Adds missing tabs (with headers), sheetcrm's missing columns (after the last column
holding any value), dropdowns and highlighting over whole columns, date and
plain-text column formats, a frozen header row, and widens filters that stop short of
sheetcrm's columns. It never deletes, renames or retypes anything, and a tab with one
of sheetcrm's titles that holds the team's own content is left alone (and named).
"""
from __future__ import annotations

import dataclasses
from .. import schema
from ..config import Settings
from ..errors import BackendError, SheetCRMError
from .backends.base import LAST_ROW, col_letter
from .backends.xlsx import DATE_FORMAT, HEADER_FILL, ISSUE_FILL, XlsxBackend
from .doctor import looks_like_ours
from .layout import workbook_layout
from .upgrade_columns import TEXT_COLUMNS, plan_columns

TEXT_FORMAT = "@"  # plain text: keeps a phone's `+` and an id's leading zeros


@dataclasses.dataclass
class UpgradeResult:
    where: str
    added: list[str]
    waited: str = ""  # found the workbook's write lock held and waited (write_lock.Wait.line)
    notes: list[str] = dataclasses.field(default_factory=list)  # what it left alone, and why

    def lines(self) -> list[str]:
        first = [self.waited] if self.waited else []
        if not self.added:
            return [*first, f"{self.where}: nothing to add, it is up to date", *self.notes]
        return [*first, f"{self.where}: added {len(self.added)} things; no person's cell was changed",
                *self.added, *self.notes]


def upgrade(backend, settings: Settings) -> UpgradeResult:
    if backend.name == "gsheets":
        from . import upgrade_google

        return upgrade_google.upgrade(backend, settings)
    if not isinstance(backend, XlsxBackend):
        raise SheetCRMError("init --upgrade works on an .xlsx workbook (--workbook PATH) or a Google Sheet (--sheet KEY)")
    with backend.exclusive() as held:  # read to write: no other writer in between
        result = _upgrade(backend, settings)
    result.waited = held.wait.line() if held.wait else ""
    return result


def _upgrade(backend: XlsxBackend, settings: Settings) -> UpgradeResult:
    from .backends import xlsx_keep

    snapshot = backend.read()
    backend.check_unlocked()
    try:
        wb = xlsx_keep.load(backend.path)  # with its macros, if any
    except (OSError, KeyError, ValueError) as exc:
        raise BackendError(f"workbook {backend.path} cannot be opened ({type(exc).__name__})") from None
    added: list[str] = []
    notes: list[str] = []
    for tab in workbook_layout(settings):
        key = _key_of(settings, tab.title)
        ws = _find(wb, tab.title)
        if ws is None:
            ws = wb.create_sheet(tab.title)
            for c, name in enumerate(tab.header, start=1):
                ws.cell(1, c, name)
            added.append(f"tab {tab.title}")
        elif key in schema.OWNED_TABS:
            if not looks_like_ours(key, snapshot.find(ws.title).values if snapshot.find(ws.title) else []):
                notes.append(f"tab {ws.title} left alone: it holds the team's own content (see `sheetcrm doctor`)")
            continue
        if key in schema.INPUT_TABS:
            added += _upgrade_input_tab(ws, key, settings.header_aliases.get(key, {}))
        elif key in schema.OWNED_TABS and tab.highlight_values:
            added += _highlight(ws, tab.highlight_values, len(tab.header))
    if added:
        backend._save(xlsx_keep.Kept(wb, backend.path, {}), snapshot)  # no person's cell changed: results kept
    return UpgradeResult(backend.describe(), added, notes=notes)


def _key_of(settings: Settings, title: str) -> str:
    return next(k for k in (*schema.INPUT_TABS, *schema.OWNED_TABS) if settings.tab_title(k) == title)


def _find(wb, title: str):
    for ws in wb.worksheets:
        if ws.title.strip().casefold() == title.strip().casefold():
            return ws
    return None


def _upgrade_input_tab(ws, key: str, aliases) -> list[str]:
    from openpyxl.styles import Font, PatternFill

    from .backends.base import FONT_NAME

    added: list[str] = []
    plan = plan_columns(key, [list(r) for r in ws.iter_rows(values_only=True)], aliases)
    for name, col in plan.added.items():
        head = ws.cell(1, col, name)
        head.font, head.fill = Font(name=FONT_NAME, bold=True), PatternFill("solid", fgColor=HEADER_FILL)
        added.append(f"{ws.title}: column {col_letter(col)} {name}")
    found, width = plan.columns, max(plan.width, 1)
    added += _dropdowns(ws, key, found)
    added += _formats(ws, key, found)
    if "row_issues" in found:
        added += _highlight_issues(ws, found["row_issues"], width)
    if key == schema.CANDIDATES and "circle_back_status" in found:
        added += _highlight(ws, (found["circle_back_status"], schema.DUE_COLOURS), width)
    if ws.freeze_panes is None:
        ws.freeze_panes = "A2"
        added.append(f"{ws.title}: header row frozen")
    added += _widen_filter(ws, found, key)
    return added


def _covered(ws, letter: str) -> bool:
    return any(any(r.min_col <= _col(letter) <= r.max_col for r in dv.sqref.ranges)
               for dv in ws.data_validations.dataValidation)


def _col(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return column_index_from_string(letter)


def _dropdowns(ws, key: str, found: dict[str, int]) -> list[str]:
    from openpyxl.worksheet.datavalidation import DataValidation

    added = []
    for name, choices in schema.DROPDOWNS[key].items():
        if name not in found or _covered(ws, col_letter(found[name])):
            continue
        letter = col_letter(found[name])
        dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
        dv.error, dv.errorStyle = f"Choose one of: {', '.join(choices)}", "warning"
        dv.add(f"{letter}2:{letter}{LAST_ROW}")
        ws.add_data_validation(dv)
        added.append(f"{ws.title}: dropdown on {name} (column {letter})")
    return added


def _formats(ws, key: str, found: dict[str, int]) -> list[str]:
    """Column formats for the cells people type next (a person's cell keeps its own)."""
    added = []
    for column in schema.INPUT_TAB_SCHEMAS[key].columns:
        fmt = DATE_FORMAT if column.kind == schema.DATE else TEXT_FORMAT if column.name in TEXT_COLUMNS else None
        if fmt is None or column.name not in found:
            continue
        dim = ws.column_dimensions[col_letter(found[column.name])]
        if dim.number_format != fmt:
            dim.number_format = fmt
            added.append(f"{ws.title}: {'date' if fmt == DATE_FORMAT else 'plain-text'} format on {column.name}")
    return added


def _rules(ws) -> list[str]:
    return [f for cf in ws.conditional_formatting for rule in cf.rules for f in (rule.formula or [])]


def _highlight_issues(ws, col: int, width: int) -> list[str]:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    formula = f"LEN(${col_letter(col)}2)>0"
    if formula in _rules(ws):
        return []
    ws.conditional_formatting.add(f"A2:{col_letter(width)}{LAST_ROW}",
                                  FormulaRule(formula=[formula], fill=PatternFill("solid", bgColor=ISSUE_FILL)))
    return [f"{ws.title}: rows with issues highlighted"]


def _highlight(ws, spec: tuple[int, dict[str, str]], width: int) -> list[str]:
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import PatternFill

    col, colours = spec
    have = _rules(ws)
    added = []
    for value, colour in colours.items():
        formula = f'${col_letter(col)}2="{value}"'
        if formula not in have:
            ws.conditional_formatting.add(f"A2:{col_letter(width)}{LAST_ROW}",
                                          FormulaRule(formula=[formula], fill=PatternFill("solid", bgColor=colour)))
            added.append(f"{ws.title}: {value} rows highlighted")
    return added


def _widen_filter(ws, found: dict[str, int], key: str) -> list[str]:
    ref = ws.auto_filter.ref if ws.auto_filter is not None else None
    if not ref:
        return []
    from openpyxl.utils import range_boundaries

    c0, r0, c1, r1 = range_boundaries(ref)
    owned = [found[c.name] for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns if c.name in found]
    if all(c0 <= c <= c1 for c in owned):
        return []
    c1 = max(c1, *owned)
    ws.auto_filter.ref = f"{col_letter(c0)}{r0}:{col_letter(c1)}{max(r1, ws.max_row)}"
    return [f"{ws.title}: filter widened to {ws.auto_filter.ref}"]
