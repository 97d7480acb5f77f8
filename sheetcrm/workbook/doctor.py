"""`sheetcrm doctor`: look at a workbook or sheet and its setup, one finding a line.

A finding is ``ok`` (found as expected), ``note`` (worth knowing), ``warning``
(sync works, but something will look or sort wrong) or ``blocker`` (sync would stop
or refuse): the command exits 1 when any finding blocks a sync. Findings name tabs,
columns and headers, never a person's cell.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .. import schema
from ..config import Settings
from ..errors import SheetCRMError
from . import doctor_facts
from .backends.base import Backend, Snapshot, col_letter
from .sheet import TabMap, locate_tab

LEVELS = ("ok", "note", "warning", "blocker")
# Locales whose spreadsheets read a typed 03/04/2025 month first.
MONTH_FIRST_LOCALES = frozenset({"en_US", "es_US", "en_PH", "fil_PH", "en_BZ", "en_FM", "en_MH", "en_PW", "en_GU",
                                 "en_AS", "en_MP", "en_PR", "en_UM", "en_VI"})
ROOM_WARNING = 0.8  # share of Google's cell limit used


@dataclasses.dataclass(frozen=True)
class Finding:
    level: str
    check: str  # tabs, headers, owned, locale, formats, protection, filter, room, chart, config, credentials
    where: str  # a tab (and column), or "" for the whole workbook
    message: str

    def line(self) -> str:
        where = f"{self.where}: " if self.where else ""
        return f"{self.level:<7} {self.check}: {where}{self.message}"


@dataclasses.dataclass
class DoctorReport:
    where: str
    findings: list[Finding]

    @property
    def blocks_sync(self) -> bool:
        return any(f.level == "blocker" for f in self.findings)

    def lines(self) -> list[str]:
        return [f.line() for f in self.findings]

    def rows(self) -> list[dict[str, Any]]:
        return [dataclasses.asdict(f) for f in self.findings]


def examine(settings: Settings, open_backend) -> DoctorReport:
    """Every check; ``open_backend(settings)`` may raise (credentials): that is a finding too."""
    findings = check_config(settings)
    try:
        backend = open_backend(settings)
        snapshot = backend.read()
        facts = backend_facts(backend)
    except SheetCRMError as exc:
        check = "credentials" if settings.backend == "gsheets" else "tabs"
        return DoctorReport(settings.backend, [*findings, Finding("blocker", check, "", str(exc))])
    if settings.backend == "gsheets":
        findings.append(Finding("ok", "credentials", "", f"signed in; {backend.describe()} is readable"))
    return DoctorReport(backend.describe(), findings + check_workbook(settings, snapshot, facts))


def backend_facts(backend: Backend) -> doctor_facts.Facts:
    if backend.name == "xlsx":
        return doctor_facts.xlsx_facts(backend.path)
    if backend.name == "gsheets":
        return doctor_facts.google_facts(backend.metadata())
    return doctor_facts.Facts(backend.name)


def check_workbook(settings: Settings, snapshot: Snapshot, facts: doctor_facts.Facts) -> list[Finding]:
    out: list[Finding] = []
    maps: dict[str, TabMap] = {}
    for key in schema.INPUT_TABS:
        if key in schema.OPTIONAL_TABS and snapshot.find(settings.tab_title(key)) is None:
            out.append(Finding("note", "tabs", settings.tab_title(key),
                               "not there (optional); `sheetcrm init --upgrade` adds it"))
            continue
        try:
            maps[key] = locate_tab(snapshot, settings, key)
        except SheetCRMError as exc:
            out.append(Finding("blocker", "headers" if snapshot.find(settings.tab_title(key)) else "tabs",
                               settings.tab_title(key), str(exc)))
            continue
        out.append(mapping_finding(maps[key]))
        out += check_formats(snapshot, maps[key], dates=facts.backend == "xlsx")
    out += check_owned_tabs(settings, snapshot)
    out += check_tab_facts(settings, maps, facts)
    out += check_locale(settings, facts)
    out += check_room(snapshot, facts, maps)
    return out


def check_config(settings: Settings) -> list[Finding]:
    titles: dict[str, str] = {}
    out: list[Finding] = []
    for key in (*schema.INPUT_TABS, *schema.OWNED_TABS):
        title = settings.tab_title(key)
        folded = title.strip().casefold()
        if folded in titles:
            out.append(Finding("blocker", "config", "", f"tabs.{key} and tabs.{titles[folded]} are both '{title}'; "
                                                        "give each tab its own title"))
        titles.setdefault(folded, key)
    if not out:
        named = ", ".join(f"{k}='{settings.tab_title(k)}'" for k in (*schema.INPUT_TABS, *schema.OWNED_TABS))
        out.append(Finding("ok", "config", "", f"tab titles: {named}"))
    return out


def mapping_finding(tmap: TabMap) -> Finding:
    """Which of their columns map to which of ours (headers only, never a person's cell)."""
    ours = sorted((col, name) for name, col in tmap.columns.items() if name not in tmap.appended)
    mapped = " ".join(f"{col_letter(col)}={name}" for col, name in ours)
    taken = {col for col, _ in ours}
    kept = [col_letter(i) for i, h in enumerate(tmap.header, start=1) if i not in taken and h not in (None, "")]
    tab = schema.INPUT_TAB_SCHEMAS[tmap.key]
    missing = [c.name for c in tab.input_columns if c.name not in tmap.columns]
    text = f"columns {mapped}"
    if kept:
        text += f"; the team's own columns {', '.join(kept)} are kept as they are"
    if missing:
        text += f"; not found (left blank): {', '.join(missing)}"
    if tmap.appended:
        text += f"; sync will add {', '.join(tmap.appended)} at the right"
    return Finding("ok", "headers", tmap.title, text)


def _cells(snapshot: Snapshot, tmap: TabMap, name: str):
    col = tmap.columns.get(name)
    sheet = snapshot.tabs[tmap.title]
    for r, row in enumerate(sheet.values[1:], start=2):
        if col is not None and col - 1 < len(row):
            yield r, row[col - 1]


def check_formats(snapshot: Snapshot, tmap: TabMap, dates: bool = True) -> list[Finding]:
    """Dates kept as numbers show as 46343; phones and ids kept as numbers lose their
    `+` and leading zeros: the column wants a date or plain-text format. (Google hands
    every date over as a serial number, so ``dates`` is only checked in a workbook.)"""
    out: list[Finding] = []
    tab = schema.INPUT_TAB_SCHEMAS[tmap.key]
    for column in tab.columns:
        if column.name in tmap.appended or column.kind not in (schema.DATE, schema.PHONE) \
                and column.name not in ("candidate_id", "position_id") or (column.kind == schema.DATE and not dates):
            continue
        numbers = [r for r, v in _cells(snapshot, tmap, column.name)
                   if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if not numbers:
            continue
        where = f"{tmap.title} column {col_letter(tmap.columns[column.name])} ({column.name})"
        if column.kind == schema.DATE:
            msg = (f"{len(numbers)} date cells hold bare numbers (first: row {numbers[0]}), shown as serials "
                   "like 46343; give the column a date format (`sheetcrm init --upgrade` does)")
        else:
            msg = (f"{len(numbers)} cells are stored as numbers (first: row {numbers[0]}), which drops a leading `+` "
                   "or 0; format the column as plain text (`sheetcrm init --upgrade` does) and retype them")
        out.append(Finding("warning", "formats", where, msg))
    return out


def looks_like_ours(key: str, values: list[list[Any]]) -> bool:
    """Content exactly as sheetcrm writes it (tabs from before markers existed)."""
    first = [v for v in (values[0] if values else []) if v not in (None, "")]
    if key == schema.SUMMARY:
        return bool(first) and str(first[0]).startswith("sheetcrm summary")
    if key == schema.CIRCLE_BACKS:
        return first == list(schema.CIRCLE_BACK_HEADER) or first in schema.PAST_CIRCLE_BACK_HEADERS
    if key == schema.ISSUES:
        return first == list(schema.ISSUE_COLUMNS)
    return False


def check_owned_tabs(settings: Settings, snapshot: Snapshot) -> list[Finding]:
    out: list[Finding] = []
    for key in schema.OWNED_TABS:
        title = settings.tab_title(key)
        sheet = snapshot.find(title)
        if sheet is None:
            out.append(Finding("note", "owned", title, "not there yet; sync creates it"))
        elif sheet.values and not looks_like_ours(key, sheet.values):
            out.append(Finding("blocker", "owned", title,
                               "a tab with this title holds the team's own content, not sheetcrm's; rename it, or "
                               f"set tabs.{key} in the config, so sync does not overwrite it"))
        else:
            out.append(Finding("ok", "owned", title, "sheetcrm's own tab, rewritten by every sync"))
    return out


def check_tab_facts(settings: Settings, maps: dict[str, TabMap], facts: doctor_facts.Facts) -> list[Finding]:
    out: list[Finding] = []
    written = {settings.tab_title(k).casefold() for k in schema.OWNED_TABS}
    configured = {settings.tab_title(k).casefold() for k in (*schema.INPUT_TABS, *schema.OWNED_TABS)}
    owned_cols = {m.title.casefold(): [m.columns[c.name] for c in schema.INPUT_TAB_SCHEMAS[k].owned_columns]
                  for k, m in maps.items()}
    for title, tab in facts.tabs.items():
        folded = title.casefold()
        if tab.chart_only:
            level = "blocker" if folded in configured else "note"
            out.append(Finding(level, "chart", title, "holds only a chart; sheetcrm reads and writes no cells there"
                               + ("; the config names it as one of sheetcrm's tabs" if level == "blocker" else "")))
        cols = owned_cols.get(folded, [])
        for what, lo, hi in tab.ranges:
            outside = [col_letter(c) for c in cols if not lo <= c <= hi]
            if outside:
                out.append(Finding("warning", "filter", title,
                                   f"the {what} covers {col_letter(lo)}:{col_letter(hi)} but not sheetcrm's columns "
                                   f"{', '.join(outside)}: sorting with it leaves their values on the wrong rows until "
                                   "the next sync; widen it (`sheetcrm init --upgrade` does)"))
        for lo, hi, blocks in tab.protections:
            mine = folded in written or (cols and any((lo is None or lo <= c) and (hi is None or c <= hi) for c in cols))
            if blocks and mine:
                out.append(Finding("blocker", "protection", title,
                                   "a protected range sheetcrm must write excludes the account it signs in with; "
                                   "add it as an editor or make the protection warning-only"))
            elif not blocks and facts.backend == "xlsx":
                out.append(Finding("note", "protection", title,
                                   "the sheet is protected in Excel; sheetcrm still writes its columns"))
    return out


def check_locale(settings: Settings, facts: doctor_facts.Facts) -> list[Finding]:
    if facts.locale is None:
        return []
    month_first = facts.locale in MONTH_FIRST_LOCALES
    if month_first == (settings.date_order == "mdy"):
        return [Finding("ok", "locale", "", f"sheet locale {facts.locale} agrees with date_order = "
                                            f"\"{settings.date_order}\"")]
    read = "month first" if month_first else "day first"
    return [Finding("warning", "locale", "",
                    f"the sheet's locale is {facts.locale}: Google reads a typed date like 03/04/2025 {read} before "
                    f"sheetcrm sees it, but date_order = \"{settings.date_order}\"; change the locale (File > "
                    f"Settings) or date_order so they agree")]


def check_room(snapshot: Snapshot, facts: doctor_facts.Facts, maps: dict[str, TabMap]) -> list[Finding]:
    if facts.cell_limit is None:
        return []
    used = sum(t.cells for t in facts.tabs.values())
    # sync may add owned columns over every row of the input tabs
    more = sum(len(m.appended) * max(len(snapshot.tabs[m.title].values), 1) for m in maps.values())
    share = (used + more) / facts.cell_limit
    text = f"{used:,} of Google's {facts.cell_limit:,} cells in use"
    if used + more > facts.cell_limit:
        return [Finding("blocker", "room", "", f"{text}; sync needs {more:,} more: delete empty rows and columns")]
    if share >= ROOM_WARNING:
        return [Finding("warning", "room", "", f"{text} ({share:.0%}); delete empty rows and columns before it fills")]
    return [Finding("ok", "room", "", text)]
