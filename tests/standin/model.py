"""The stand-in's spreadsheets: tabs of cells, A1 ranges, and Google's value rules.

Only what sheetcrm and gspread's recorded calls need, with the quirks that matter:
trailing empty cells and rows are trimmed from answers, an empty range has no
``values`` key, dates typed by a person are serial numbers under
UNFORMATTED_VALUE + SERIAL_NUMBER, RAW text stays text ("=1+1" is not a formula),
writes outside the grid are refused, and range echoes quote titles only when needed.
"""
from __future__ import annotations

import ast
import json
import datetime as dt
import operator
import re
from typing import Any

from sheetcrm.workbook.backends.base import col_letter, col_number  # A1 notation is the same everywhere

EPOCH = dt.date(1899, 12, 30)
DATE_PATTERN = "yyyy-mm-dd"
_CELL = re.compile(r"^\$?([A-Za-z]*)\$?(\d*)$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_LOOKS_LIKE_CELL = re.compile(r"^[A-Za-z]{1,3}\d+$")


class ApiError(Exception):
    """Becomes {"error": {"code", "message", "status"}} with this HTTP code."""

    def __init__(self, code: int, status: str, message: str, field: str | None = None):
        super().__init__(message)
        self.code, self.status, self.message = code, status, message
        self.details = [] if field is None else [{
            "@type": "type.googleapis.com/google.rpc.BadRequest",
            "fieldViolations": [{"field": field, "description": message}]}]

    def body(self) -> dict:
        error = {"code": self.code, "message": self.message, "status": self.status}
        if self.details:
            error["details"] = self.details
        return {"error": error}




def quote_title(title: str) -> str:
    if _PLAIN_TITLE.match(title) and not _LOOKS_LIKE_CELL.match(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def split_range(text: str) -> tuple[str, str]:
    """"'My tab'!A1:B2" -> ("My tab", "A1:B2"); "Sheet1" -> ("Sheet1", "")."""
    if text.startswith("'"):
        i = 1
        while True:
            j = text.index("'", i)
            if text[j + 1:j + 2] == "'":
                i = j + 2
                continue
            title = text[1:j].replace("''", "'")
            rest = text[j + 1:]
            return title, rest[1:] if rest.startswith("!") else rest
    if "!" in text:
        title, _, a1 = text.rpartition("!")
        return title, a1
    return text, ""


class Tab:
    def __init__(self, sheet_id: int, title: str, rows: int = 1000, cols: int = 26):
        self.sheet_id, self.title = sheet_id, title
        self.row_count, self.col_count = rows, cols
        self.frozen_rows = self.frozen_cols = 0
        self.grid: list[list[Any]] = []  # None = empty; rows may be ragged
        self.formulas: dict[tuple[int, int], str] = {}  # (row, col) 0-based -> "=..."
        self.number_formats: list[tuple[tuple[int, int, int, int], dict]] = []  # later wins
        self.cell_formats: list[tuple[tuple[int, int, int, int], dict]] = []
        self.protected: list[dict] = []
        self.conditional: list[dict] = []
        self.validations: list[tuple[tuple[int, int, int, int], dict]] = []
        self.dimensions: list[tuple[dict, dict]] = []  # updateDimensionProperties: (range, properties)
        self.charts: list[dict] = []  # EmbeddedChart objects (addChart)
        self.sheet_type = "GRID"  # "OBJECT": a tab holding only a chart
        self.basic_filter: dict | None = None  # {"range": GridRange}

    # -- ranges ------------------------------------------------------------
    def bounds(self, a1: str) -> tuple[int, int, int, int]:
        """A1 text -> (r0, c0, r1, c1): 0-based, end-exclusive, clipped to the grid."""
        if not a1:
            return 0, 0, self.row_count, self.col_count
        first, _, last = a1.partition(":")
        m1, m2 = _CELL.match(first), _CELL.match(last or first)
        if not m1 or not m2 or not (m1.group(1) or m1.group(2)):
            raise ApiError(400, "INVALID_ARGUMENT", f"Unable to parse range: {quote_title(self.title)}!{a1}")
        c0 = col_number(m1.group(1)) - 1 if m1.group(1) else 0
        r0 = int(m1.group(2)) - 1 if m1.group(2) else 0
        c1 = col_number(m2.group(1)) if m2.group(1) else self.col_count
        r1 = int(m2.group(2)) if m2.group(2) else self.row_count
        if not last:  # a single cell, row or column
            c1 = c0 + 1 if m1.group(1) else self.col_count
            r1 = r0 + 1 if m1.group(2) else self.row_count
        return r0, c0, max(r1, r0 + 1), max(c1, c0 + 1)

    def a1(self, r0: int, c0: int, r1: int, c1: int) -> str:
        start = f"{col_letter(c0 + 1)}{r0 + 1}"
        end = f"{col_letter(c1)}{r1}"
        return f"{quote_title(self.title)}!{start}" + ("" if (r1 - r0, c1 - c0) == (1, 1) else f":{end}")

    def check_fits(self, r1: int, c1: int) -> None:
        if r1 > self.row_count or c1 > self.col_count:
            raise ApiError(400, "INVALID_ARGUMENT",
                           f"Range ({quote_title(self.title)}!{col_letter(c1)}{r1}) exceeds grid limits. "
                           f"Max rows: {self.row_count}, max columns: {self.col_count}")

    # -- cells ---------------------------------------------------------------
    def get(self, r: int, c: int) -> Any:
        if r < len(self.grid) and c < len(self.grid[r]):
            return self.grid[r][c]
        return None

    def put(self, r: int, c: int, value: Any, formula: str | None = None) -> None:
        while len(self.grid) <= r:
            self.grid.append([])
        row = self.grid[r]
        if c >= len(row):
            if value is None:
                self.formulas.pop((r, c), None)
                return
            row.extend([None] * (c + 1 - len(row)))
        row[c] = value
        if formula is None:
            self.formulas.pop((r, c), None)
        else:
            self.formulas[(r, c)] = formula

    def clear(self, r0: int, c0: int, r1: int, c1: int) -> None:
        for r in range(r0, min(r1, len(self.grid))):
            row = self.grid[r]
            for c in range(c0, min(c1, len(row))):
                row[c] = None
        for key in [k for k in self.formulas if r0 <= k[0] < r1 and c0 <= k[1] < c1]:
            del self.formulas[key]

    def number_format(self, r: int, c: int) -> dict | None:
        for (r0, c0, r1, c1), fmt in reversed(self.number_formats):
            if r0 <= r < r1 and c0 <= c < c1:
                return fmt
        return None

    # -- reading -----------------------------------------------------------
    def render(self, r0: int, c0: int, r1: int, c1: int, value_option: str, date_option: str,
               major: str = "ROWS") -> list[list[Any]]:
        """The range's values, row by row (or column by column), trailing empties trimmed."""
        if major == "COLUMNS":
            return self._render_columns(r0, c0, r1, c1, value_option, date_option)
        plain = self._plain(value_option, date_option)
        out: list[list[Any]] = []
        for r in range(r0, min(r1, len(self.grid))):
            raw = self.grid[r][c0:c1]
            if plain:  # the fast path: sheetcrm's reads of big tabs
                row = _plain_values(raw)
            else:
                row = [self._render(r, c0 + i, v, value_option, date_option) for i, v in enumerate(raw)]
            _trim(row, "")
            out.append(row)
        _trim(out, [])
        return out

    def _render_columns(self, r0: int, c0: int, r1: int, c1: int, value_option: str,
                        date_option: str) -> list[list[Any]]:
        """majorDimension=COLUMNS straight from the grid, one list per column: the rows
        made first and then turned (as before) were a list per row, and at 100,000
        candidates half a million of them woke Python's full garbage collections over
        the whole book, which doubled the stand-in's answer to sheetcrm's read."""
        rows = self.grid[r0:r1]
        shortest = min(map(len, rows), default=0)  # columns left of it: in every row
        plain = self._plain(value_option, date_option)
        cols: list[list[Any]] = []
        for c in range(c0, min(c1, max(map(len, rows), default=0))):
            cells = map(operator.itemgetter(c), rows) if c < shortest else [
                row[c] if c < len(row) else None for row in rows]
            if plain:
                col = _plain_values(cells)
            else:
                col = [self._render(r0 + i, c, v, value_option, date_option) for i, v in enumerate(cells)]
            _trim(col, "")
            cols.append(col)
        _trim(cols, [])
        return cols

    def _plain(self, value_option: str, date_option: str) -> bool:
        """Values as stored (no formats, no formulas to show): sheetcrm's reads of big tabs."""
        return value_option == "UNFORMATTED_VALUE" and date_option == "SERIAL_NUMBER" and not self.formulas

    def _render(self, r: int, c: int, v: Any, value_option: str, date_option: str) -> Any:
        if v is None:
            return ""
        if value_option == "FORMULA" and (r, c) in self.formulas:
            return self.formulas[(r, c)]
        fmt = self.number_format(r, c)
        is_date = bool(fmt) and fmt.get("type") in ("DATE", "DATE_TIME")
        if value_option == "FORMATTED_VALUE" or (is_date and date_option == "FORMATTED_STRING"):
            return formatted(v, fmt)
        if type(v) is float and v.is_integer():
            return int(v)
        return v

    # -- writing -----------------------------------------------------------
    def write(self, r0: int, c0: int, values: list[list[Any]], input_option: str) -> tuple[int, int, int]:
        """Returns (rows, columns, cells) updated. Null cells are left alone."""
        if not isinstance(values, list) or any(not isinstance(row, list) for row in values):
            raise ApiError(400, "INVALID_ARGUMENT", "Invalid value at 'data.values' "
                           f"(type.googleapis.com/google.protobuf.ListValue), {json.dumps(values)}", field="data.values")
        width = max((len(row) for row in values), default=0)
        if values:
            self.check_fits(r0 + len(values), c0 + width)
        cells = 0
        for i, row in enumerate(values):
            for j, v in enumerate(row):
                if v is None:
                    continue
                cells += 1
                if input_option == "USER_ENTERED":
                    value, formula, fmt = user_entered(v)
                    if fmt:
                        self.number_formats.append(((r0 + i, c0 + j, r0 + i + 1, c0 + j + 1), fmt))
                else:
                    value, formula = (None if v == "" else v), None
                self.put(r0 + i, c0 + j, value, formula)
        return len(values), width, cells

    # -- what a person does ---------------------------------------------------
    def insert_rows(self, at: int, rows: list[list[Any]]) -> None:
        """Insert above sheet row ``at`` (1-based), as a person would."""
        while len(self.grid) < at - 1:
            self.grid.append([])
        self.grid[at - 1:at - 1] = [list(r) for r in rows]
        self.row_count += len(rows)
        self.formulas = {(r + len(rows) if r >= at - 1 else r, c): f for (r, c), f in self.formulas.items()}

    def delete_rows(self, at: int, count: int = 1) -> None:
        del self.grid[at - 1:at - 1 + count]
        self.row_count -= count
        self.formulas = {(r - count if r >= at - 1 + count else r, c): f for (r, c), f in self.formulas.items()
                         if not at - 1 <= r < at - 1 + count}

    def sort_rows(self, col: int, reverse: bool = False, header_rows: int = 1) -> None:
        """Sort the data rows by a column (1-based), blanks last, as Data > Sort range does."""
        body = self.grid[header_rows:]
        filled = [r for r in body if any(v is not None for v in r)]

        def key(row: list[Any]) -> tuple:
            v = row[col - 1] if col - 1 < len(row) else None
            return (v is None, str(type(v).__name__), v if v is not None else 0)

        self.grid[header_rows:] = sorted(filled, key=key, reverse=reverse)
        self.formulas.clear()


def _plain_values(cells: Any) -> list[Any]:
    """UNFORMATTED_VALUE cells as stored: empty as "", whole floats as integers."""
    return ["" if v is None else (int(v) if type(v) is float and v.is_integer() else v) for v in cells]


def _trim(values: list[Any], empty: Any) -> None:
    """Google leaves out trailing empty cells (and trailing empty rows or columns)."""
    while values and values[-1] == empty:
        values.pop()


def serial(day: dt.date) -> int:
    return (day - EPOCH).days


def formatted(v: Any, fmt: dict | None) -> str:
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, (int, float)):
        kind = (fmt or {}).get("type")
        if kind in ("DATE", "DATE_TIME"):
            day = EPOCH + dt.timedelta(days=float(v))
            pattern = fmt.get("pattern") or DATE_PATTERN
            return (pattern.replace("yyyy", f"{day.year:04d}").replace("mm", f"{day.month:02d}")
                    .replace("dd", f"{day.day:02d}"))
        if kind == "PERCENT":
            return f"{v * 100:.1f}%"
        return str(int(v)) if float(v).is_integer() else f"{v:.10g}"
    return str(v)


_ARITH = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv}


def _evaluate(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _ARITH:
        return _ARITH[type(node.op)](_evaluate(node.left), _evaluate(node.right))
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_evaluate(node.operand)
    raise ValueError("only arithmetic formulas are evaluated by the stand-in")


def user_entered(v: Any) -> tuple[Any, str | None, dict | None]:
    """What Sheets makes of typed input: (value, formula, number format)."""
    if not isinstance(v, str):
        return v, None, None
    s = v.strip()
    if s == "":
        return None, None, None
    if s.startswith("="):
        try:
            value = _evaluate(ast.parse(s[1:], mode="eval").body)
        except (SyntaxError, ValueError, ZeroDivisionError):
            return "#ERROR!", s, None
        return (int(value) if float(value).is_integer() else value), s, None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            return serial(dt.date.fromisoformat(s)), None, {"type": "DATE", "pattern": DATE_PATTERN}
        except ValueError:
            return v, None, None
    if s.upper() in ("TRUE", "FALSE"):
        return s.upper() == "TRUE", None, None
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", s):
        number = float(s)
        return (int(number) if number.is_integer() and "." not in s and "e" not in s.lower() else number), None, None
    return v, None, None
