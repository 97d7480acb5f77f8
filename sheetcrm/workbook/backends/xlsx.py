"""A local .xlsx workbook through openpyxl (the embedded default backend).

Reads every tab in one pass (read-only mode, cached formula results). Writes one
batch: by patching only the changed parts of the zip (``xlsx_patch``), or, for what
that cannot do, by reopening the workbook in full with openpyxl (formulas, styles,
validations kept); sets the changed cells and rewrites the owned tabs, saves to a temporary file beside it
and renames it over the original, so a crash mid-save leaves the old file intact.
It refuses to write while Excel or LibreOffice has the file open (their lock files)
or when the file changed since it was read.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import math
import os
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from ...errors import BackendError, ConflictError, WorkbookLockedError
from ...schema import ISSUE_COLOUR
from .. import safe_file
from ..write_lock import DEFAULT_WAIT_SECONDS, WriteLock
from .base import (FONT_NAME, LAST_ROW, ROW_LINE_POINTS, Backend, Changes, Exclusive, OwnedTab, Sheet, Snapshot,
                   TabLayout, WriteResult, resolve_rows)
from . import xlsx_chart, xlsx_errors, xlsx_keep, xlsx_patch
from .xlsx_text import legal_text

DATE_FORMAT = "yyyy-mm-dd"
HEADER_FILL = "DDE6F0"
ISSUE_FILL = ISSUE_COLOUR


def _openpyxl():
    import openpyxl

    return openpyxl


def lock_files(path: Path) -> list[Path]:
    """Excel's ``~$name.xlsx`` and LibreOffice's ``.~lock.name.xlsx#``."""
    return [path.with_name("~$" + path.name), path.with_name(f".~lock.{path.name}#")]


def _fingerprint(path: Path) -> tuple[int, str]:
    return safe_file.fingerprint(path)  # also says in one line when the path is no .xlsx file


class XlsxBackend(Backend):
    name = "xlsx"

    def __init__(self, path: str | Path, lock_wait_seconds: float = DEFAULT_WAIT_SECONDS):
        self.path = Path(path)
        self.lock_wait_seconds = lock_wait_seconds

    def exclusive(self) -> WriteLock | Exclusive:
        """The one write lock of this workbook (``workbook.write_lock``); none while
        there is no file there yet (nothing to protect, and no lock file left beside
        a typo or a folder: reading it says what is wrong)."""
        if not os.path.isfile(self.path):
            return Exclusive()
        return WriteLock.for_workbook(self.path, self.lock_wait_seconds)

    def describe(self) -> str:
        return f"workbook {self.path}"

    # -- read -------------------------------------------------------------
    def read(self) -> Snapshot:
        token = _fingerprint(self.path)
        with _no_cyclic_gc():
            return Snapshot(self._read_tabs(), token=token)

    def _read_tabs(self) -> dict[str, Sheet]:
        try:
            tabs = _read_calamine(self.path) if _calamine() else None
        except (KeyboardInterrupt, SystemExit, GeneratorExit):
            raise
        except BaseException:  # noqa: B036 - calamine panics (BaseException) on odd cells, e.g. a huge number in a date cell
            tabs = None  # openpyxl reads what calamine cannot, or says clearly why not
        try:
            if tabs is None:
                tabs = _read_openpyxl(self.path)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            raise BackendError(f"workbook {self.path} cannot be opened as .xlsx ({type(exc).__name__})") from None
        xlsx_errors.mark_error_values(self.path, tabs)  # #N/A is not blank (issue 14 case 1)
        return tabs

    # -- write ------------------------------------------------------------
    def check_unlocked(self) -> None:
        # Excel puts its lock beside the name it opened: the link's or, for a symlinked workbook, the target's.
        for lock in dict.fromkeys([*lock_files(self.path), *lock_files(Path(os.path.realpath(self.path)))]):
            if lock.exists():
                raise WorkbookLockedError(
                    f"workbook {self.path} is open in Excel or LibreOffice ({lock.name} exists); "
                    "close it and run again. Nothing was written."
                )

    def check_unchanged(self, snapshot: Snapshot) -> None:
        if not self.path.exists() or _fingerprint(self.path) != snapshot.token:  # a folder now: one line
            raise ConflictError(
                f"workbook {self.path} was modified since it was read; nothing was written, the next sync will retry"
            )

    def write(self, snapshot: Snapshot, changes: Changes) -> WriteResult:
        with self.exclusive(), self._changed_not_damaged(snapshot):  # re-entered when sync or forget holds it
            return self._write(snapshot, changes)

    @contextlib.contextmanager
    def _changed_not_damaged(self, snapshot: Snapshot) -> Iterator[None]:
        """A person's save that overwrites the file in place while sheetcrm reads its parts
        looks like a damaged zip; "restore it from a backup" would then lose what they
        typed. A file that changed since it was read is the conflict it is (one line,
        nothing written), only a file that did not is called damaged."""
        try:
            yield
        except zipfile.BadZipFile:  # DamagedZip is one
            self.check_unchanged(snapshot)
            raise

    def _write(self, snapshot: Snapshot, changes: Changes) -> WriteResult:
        self.check_unlocked()
        self.check_unchanged(snapshot)
        # Fast path: edit only the changed parts of the zip (openpyxl's full load +
        # save dominate a large sync); anything it cannot do faithfully comes here.
        try:
            patched = xlsx_patch.patch(self.path, snapshot, changes)
        except xlsx_patch._Unpatchable:
            pass
        else:
            try:
                self._save(patched, snapshot)
            finally:
                patched.close()
            return patched.result
        wb = xlsx_keep.load(self.path)  # with its macros, if any
        result = WriteResult()

        def get(tab: str, row: int, col: int) -> Any:
            return wb[tab].cell(row, col).value if tab in wb.sheetnames else None

        targets, result.skipped_rows = resolve_rows(
            changes.cells, get, lambda tab: wb[tab].max_row if tab in wb.sheetnames else 0
        )
        changed: dict[str, set[int] | None] = {}
        for upd, row in targets:
            cell = wb[upd.tab].cell(row, upd.col)
            if not hasattr(cell, "column_letter") or type(cell).__name__ == "MergedCell":
                result.skipped_rows += 1  # inside a merged range: nothing there can hold a value
                continue
            _set(cell, upd.value)
            changed.setdefault(upd.tab, set()).add(upd.col)
            result.cells_written += 1
        for tab in changes.tabs:
            _rewrite_tab(wb, tab)
            changed[tab.title] = None
            result.tabs_written += 1
        wb.calculation.fullCalcOnLoad = True  # what depends on the changed cells is calculated on open
        self._save(xlsx_keep.Kept(wb, self.path, changed), snapshot)  # other formulas keep their results
        return result

    def _save(self, wb, snapshot: Snapshot | None) -> None:
        """``wb.save(file)`` into a fresh temporary file, renamed over the workbook
        (``safe_file.replace``: links, permissions, owner, read-only kept)."""
        def last_look() -> None:  # someone may have saved while we worked
            if snapshot is not None:
                self.check_unlocked()
                self.check_unchanged(snapshot)

        with self.exclusive():
            safe_file.replace(self.path, wb.save, last_look)

    def erase_traces(self, scrub, own_rows: dict[str, set[int]]) -> int:
        """The person's traces in every part of the zip (``xlsx_scrub``), saved like any write."""
        from . import xlsx_scrub

        snapshot = Snapshot({}, token=_fingerprint(self.path))
        self.check_unlocked()
        parts = xlsx_scrub.scrub_file  # saved through _save: temp file, last checks, rename

        class _Scrubbed:
            changed = 0

            def save(inner, dest):  # noqa: N805 - _save's protocol: an object with save(file)
                inner.changed = parts(self.path, dest, scrub, own_rows)

        scrubbed = _Scrubbed()
        with self._changed_not_damaged(snapshot):
            self._save(scrubbed, snapshot)
        return scrubbed.changed

    # -- create -----------------------------------------------------------
    def create(self, layout: list[TabLayout], force: bool = False) -> None:
        safe_file.check_new(self.path, force)
        self.check_unlocked()
        openpyxl = _openpyxl()
        from openpyxl.formatting.rule import FormulaRule
        from openpyxl.styles import Font, PatternFill
        from openpyxl.utils import get_column_letter
        from openpyxl.worksheet.datavalidation import DataValidation

        wb = openpyxl.Workbook()
        wb.remove(wb.active)
        for tab in layout:
            ws = wb.create_sheet(tab.title)
            for r, values in enumerate([list(tab.header), *tab.rows], start=1):
                for c, value in enumerate(values, start=1):
                    if value is not None:
                        _set(ws.cell(r, c), value)
            for c in range(1, len(tab.header) + 1):
                head = ws.cell(1, c)
                head.font = Font(name=FONT_NAME, bold=True)
                head.fill = PatternFill("solid", fgColor=HEADER_FILL)
                width = max(12, min(40, len(str(head.value or "")) + 4))
                ws.column_dimensions[get_column_letter(c)].width = width
            ws.freeze_panes = "A2"
            last_row = LAST_ROW  # rows people add later get them too
            for col, choices in tab.dropdowns.items():
                letter = get_column_letter(col)
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True)
                dv.error = f"Choose one of: {', '.join(choices)}"
                dv.errorStyle = "warning"  # a person may still type something else; validate reports it
                dv.add(f"{letter}2:{letter}{last_row}")
                ws.add_data_validation(dv)
            for col in tab.date_columns:
                for r in range(2, ws.max_row + 1):
                    ws.cell(r, col).number_format = DATE_FORMAT
            last_col = get_column_letter(max(len(tab.header), 1))
            if tab.highlight_nonempty_col:
                letter = get_column_letter(tab.highlight_nonempty_col)
                ws.conditional_formatting.add(
                    f"A2:{last_col}{last_row}",
                    FormulaRule(formula=[f'LEN(${letter}2)>0'], fill=PatternFill("solid", bgColor=ISSUE_FILL)),
                )
            if tab.highlight_values:
                col, colours = tab.highlight_values
                letter = get_column_letter(col)
                for value, colour in colours.items():
                    ws.conditional_formatting.add(
                        f"A2:{last_col}{last_row}",
                        FormulaRule(formula=[f'${letter}2="{value}"'], fill=PatternFill("solid", bgColor=colour)),
                    )
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._save(wb, None)


# The largest float with 16 significant digits: openpyxl writes floats as "%.16g",
# which rounds the few floats above it up to a text that reads back as infinity.
_LARGEST_16_DIGITS = 1.797693134862315e308


def _set(cell, value: Any) -> None:
    if isinstance(value, float) and math.isfinite(value) and abs(value) > _LARGEST_16_DIGITS:
        value = math.copysign(_LARGEST_16_DIGITS, value)  # finite stays finite (the patcher writes it exactly)
    if isinstance(value, str):
        value = legal_text(value)  # what XML cannot hold, replaced visibly (xlsx_text)
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # text, never a live formula
    if isinstance(value, (dt.date, dt.datetime)):
        cell.number_format = DATE_FORMAT


def _rewrite_tab(wb, tab: OwnedTab) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    plain, bold = Font(name=FONT_NAME), Font(name=FONT_NAME, bold=True)
    if tab.title in wb.sheetnames:
        ws = wb[tab.title]
        if ws.max_row:
            ws.delete_rows(1, ws.max_row)
        ws.row_dimensions.clear()  # last sync's row heights belong to other rows now
    else:
        ws = wb.create_sheet(tab.title)
    for r, values in enumerate(tab.rows, start=1):
        for c, value in enumerate(values, start=1):
            if value is None or value == "":
                continue
            cell = ws.cell(r, c)
            _set(cell, value)
            if c in tab.percent_columns and isinstance(value, float):
                cell.number_format = "0.0%"
            cell.font = plain
            wrap = c in tab.wrap_columns
            if c in tab.align_right or wrap:
                cell.alignment = Alignment(horizontal="right" if c in tab.align_right else None,
                                           wrap_text=wrap or None, vertical="top" if wrap else None)
        if r in tab.bold_rows:
            for c in range(1, len(values) + 1):
                ws.cell(r, c).font = bold
        if r in tab.row_lines:
            ws.row_dimensions[r].height = tab.row_lines[r] * ROW_LINE_POINTS
    for c, width in enumerate(tab.widths, start=1):
        if width:
            ws.column_dimensions[get_column_letter(c)].width = width
    ws.freeze_panes = f"A{tab.freeze_rows + 1}" if tab.freeze_rows else None
    xlsx_chart.draw_charts(ws, tab)


@contextlib.contextmanager
def _no_cyclic_gc():
    """Python's cycle collector paused while a workbook is read (issue 20). A read
    makes millions of objects and no cycles, and every full collection walks every
    live object: the more the process already holds (a resync reads after a first
    sync's analysis), the slower the same read. At 100,000 candidates the collector
    took 3/4 of turning calamine's rows into Python lists. Re-enabled after."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _calamine():
    """python-calamine (Rust) reads a workbook ~10x faster than openpyxl."""
    try:
        import python_calamine

        return python_calamine
    except ImportError:  # pragma: no cover - it is a dependency; openpyxl still works
        return None


def _trim(rows: list[list[Any]]) -> list[list[Any]]:
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    return rows


def _cell_value(v: Any) -> Any:
    # calamine says '' for an empty cell and 10.0 for a whole number; openpyxl says None and 10.
    if v == "" and isinstance(v, str):
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    return v


_DAY = dt.date  # exactly (no datetime): no text or day equals a value of another type


def _read_calamine(path: Path) -> dict[str, Sheet]:
    wb = _calamine().CalamineWorkbook.from_path(str(path))
    return {name: Sheet(name, _trim(_sheet_cells(wb.get_sheet_by_name(name)))) for name in wb.sheet_names}


def _sheet_cells(sheet) -> list[list[Any]]:
    """``_cells(sheet.to_python(skip_empty_area=False))``, taken from calamine a row at a
    time (``iter_rows``) when the tab's cells start at A1 (every tab sheetcrm reads).

    ``to_python`` makes a Python object for every cell of the tab first: at 100,000
    candidates ~250 MB of objects that ``_cells`` then replaces and frees, faulting in
    fresh pages for them (~60,000 page faults per read, a few microseconds each on a
    virtual machine) and missing the CPU cache on each (issue 20). A row at a time, a
    row's objects are freed as soon as its cells are taken, and the next row's reuse
    their memory. Elsewhere ``iter_rows`` differs by version in how it pads the empty
    rows and columns before the first cell, so such a tab is read as before."""
    if sheet.start != (0, 0) or sheet.end is None:
        return _cells(sheet.to_python(skip_empty_area=False))
    return _cells(sheet.iter_rows(), sheet.end[0] + 1)


def _cells(rows: Iterable[list[Any]], count: int | None = None) -> list[list[Any]]:
    """calamine's rows (``count`` of them; a list: all) as sheetcrm's cells
    (``_cell_value``), row by row: never two copies of a big tab.

    calamine makes a new object for every cell, and the rows and cells of 100,000
    candidates lie spread over the heap: every later pass over the cells (frames,
    the analysis memo's comparison, the plan) missed the CPU cache on each, 2-3x
    the same work on the memory backend (issue 20). So equal texts and days of a
    tab become one object (most cells repeat a few values: a status, a class, a
    day; immutable, so the same cells), and the rows' new lists are all made
    first, side by side in memory, then filled, each row of calamine's freed as
    soon as its cells are taken (while they are still in the cache)."""
    one = {}.setdefault

    def cells(row: list[Any]) -> list[Any]:
        # _cell_value inlined for the common cells (a call per cell is most of the time)
        return [(one(v, v) if v else None) if type(v) is str else one(v, v) if type(v) is _DAY
                else v if type(v) is not float else _cell_value(v) for v in row]

    if count is None:  # a list: each row replaced by its cells as it goes
        rows = cast(list, rows)
        made = [[] for _ in rows]
        for i, line in enumerate(made):
            line += cells(rows[i])
            rows[i] = line
        return rows
    made = [[] for _ in range(count)]
    # strict: a row more or fewer than calamine said is an error (the read falls back to openpyxl)
    for line, row in zip(made, rows, strict=True):
        line += cells(row)
    return made


def _read_openpyxl(path: Path) -> dict[str, Sheet]:
    wb = _openpyxl().load_workbook(path, read_only=True, data_only=True)
    try:
        return {ws.title: Sheet(ws.title, _trim([list(r) for r in ws.iter_rows(values_only=True)])) for ws in wb.worksheets}
    finally:
        wb.close()
