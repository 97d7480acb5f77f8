"""Problems as rows (DESIGN §3, §7): every issue found is a row of the Issues tab."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..config import Settings
from ..values import is_blank


class IssueLog:
    """Collects problems lazily, as rows."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.rows: list[tuple] = []

    def add(self, tab: str, row: int, column: str, value: Any, severity: str, message: str, suggestion: str = "") -> None:
        self.rows.append((self.settings.tab_title(tab), int(row), column, _show(value), severity, message, suggestion))

    def add_many(self, tab: str, rows: Iterable[int], column: str | Iterable[str], values: Iterable[Any], severity: str,
                 messages: Iterable[str], suggestions: Iterable[str] | None = None) -> None:
        """Many problems of one kind (values already shown, see :func:`_show`)."""
        title = self.settings.tab_title(tab)
        rows, values, messages = list(rows), list(values), list(messages)
        suggestions = [""] * len(rows) if suggestions is None else list(suggestions)
        columns = [column] * len(rows) if isinstance(column, str) else list(column)
        self.rows.extend(zip([title] * len(rows), map(int, rows), columns, values,
                             [severity] * len(rows), messages, suggestions))

    def frame(self) -> pd.DataFrame:
        return issues_frame(self.rows)



def issues_frame(rows: list[tuple] | None = None) -> pd.DataFrame:
    df = pd.DataFrame(rows or [], columns=list(schema.ISSUE_COLUMNS))
    df["row"] = df["row"].astype("int64")
    return _in_order(df)


def _in_order(df: pd.DataFrame) -> pd.DataFrame:
    order = {"error": 0, "warning": 1}
    if len(df):
        df = df.sort_values(["severity", "tab", "row", "column"], key=lambda s: s.map(order) if s.name == "severity" else s,
                            kind="stable").reset_index(drop=True)
    return df


def merge_issues(a: pd.DataFrame, b: pd.DataFrame | None) -> pd.DataFrame:
    """Both issues frames as one, in the Issues tab's order: what ``issues_frame`` makes
    of a's rows then b's, without rebuilding the frame row by row."""
    if b is None or not len(b):
        return a
    if not len(a) or list(a.columns) != list(b.columns) or list(a.dtypes) != list(b.dtypes):
        return issues_frame(issue_tuples(a) + issue_tuples(b))  # the types settle as issues_frame infers them
    return _in_order(pd.concat([a, b], ignore_index=True))


def issue_tuples(issues: pd.DataFrame) -> list[tuple]:
    """The rows as tuples (column by column: iterating a frame of text is slow)."""
    return list(zip(*(issues[c].tolist() for c in issues.columns)))



def _show(value: Any) -> str:
    """The value as the issue shows it: short, on one line (backends store it as plain text)."""
    try:
        if is_blank(value):
            return ""
        if isinstance(value, dt.datetime):
            text = value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
        elif isinstance(value, dt.date):
            text = value.isoformat()
        elif isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            text = str(int(value))
        else:
            text = str(value)
    except Exception:  # a cell holding an odd object: show what it is, never crash
        text = f"<{type(value).__name__}>"
    text = " ".join(text.split()) if len(text) < 10_000 else " ".join(text[:200].split())
    return text if len(text) <= 80 else text[:77] + "…"



def error_rows(issues: pd.DataFrame, settings: Settings, key: str) -> set[int]:
    """Sheet rows of one tab that have an error (left out of figures)."""
    mask = (issues["severity"] == "error") & (issues["tab"] == settings.tab_title(key))
    return set(issues.loc[mask, "row"].astype(int))



def row_issue_texts(issues: pd.DataFrame, settings: Settings, key: str) -> dict[int, str]:
    """The short `row_issues` text per row: 'error: email is not …; warning: …'."""
    rows, texts = row_issue_cells(issues, settings, key)
    return dict(zip(rows.tolist(), texts))


def row_issue_cells(issues: pd.DataFrame, settings: Settings, key: str) -> tuple[np.ndarray, list[str]]:
    """(rows, their `row_issues` texts) of one tab, rows in the order their first issue comes.
    Most rows have one issue: each row's first is taken as it is, the others appended."""
    sub = issues[issues["tab"].to_numpy(dtype=object) == settings.tab_title(key)]
    if not len(sub):
        return np.zeros(0, dtype="int64"), []
    if sub["severity"].notna().all() and sub["message"].notna().all():  # plain text: joined without pandas
        parts = [s + ": " + m for s, m in zip(sub["severity"].tolist(), sub["message"].tolist())]
    else:
        parts = (sub["severity"] + ": " + sub["message"]).tolist()
    codes, rows = pd.factorize(sub["row"].to_numpy(), use_na_sentinel=False)
    if len(rows) == len(parts):
        texts = parts
    else:
        _, first = np.unique(codes, return_index=True)
        texts = [parts[i] for i in first.tolist()]
        later = np.ones(len(parts), dtype=bool)
        later[first] = False
        for i in np.flatnonzero(later).tolist():
            texts[codes[i]] += "; " + parts[i]
    if max(map(len, texts)) > 300:
        texts = [text if len(text) <= 300 else text[:297] + "…" for text in texts]
    return rows, texts
