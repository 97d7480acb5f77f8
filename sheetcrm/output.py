"""Rendering report rows as a table, JSON or CSV (no click here)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Sequence
from typing import Any

import pandas as pd

FORMATS = ("table", "json", "csv")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def records(data: pd.DataFrame | Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    if isinstance(data, pd.DataFrame):
        rows = data.to_dict("records")
    else:
        rows = [dict(r) for r in data]
    return [{k: _plain(v) for k, v in r.items()} for r in rows]


def _plain(v: Any) -> Any:
    """JSON-ready: dates ISO, NaN/NaT/NA -> None, numpy scalars -> Python."""
    if v is None or v is pd.NaT or v is pd.NA:
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None
    if isinstance(v, pd.Timestamp):
        return v.date().isoformat()
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    if hasattr(v, "item") and not isinstance(v, (str, bytes)):
        return _plain(v.item())
    return v


def csv_safe(value: Any) -> Any:
    """A cell a spreadsheet will never run as a formula (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list):
        return ", ".join(str(x) for x in v)
    if isinstance(v, float):
        return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else str(int(v))
    return str(v)


def render(data: pd.DataFrame | Sequence[dict[str, Any]], fmt: str = "table", columns: Sequence[str] | None = None) -> str:
    rows = records(data)
    if columns is None:
        columns = list(data.columns) if isinstance(data, pd.DataFrame) else (list(rows[0]) if rows else [])
    if fmt == "json":
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(columns)
        for r in rows:
            writer.writerow([csv_safe(_text(r.get(c))) for c in columns])
        return buf.getvalue().rstrip("\n")
    if not rows:
        return "(none)"
    cells = [[_text(r.get(c)) for c in columns] for r in rows]
    widths = [min(60, max(len(str(c)), *(len(row[i]) for row in cells))) for i, c in enumerate(columns)]
    widths[-1] = max(widths[-1], *(len(row[-1]) for row in cells))  # the last column is shown whole
    line = lambda vals: "  ".join(str(v)[:w].ljust(w) for v, w in zip(vals, widths)).rstrip()  # noqa: E731
    out = [line(columns), line(["-" * w for w in widths])]
    out.extend(line(r) for r in cells)
    return "\n".join(out)
