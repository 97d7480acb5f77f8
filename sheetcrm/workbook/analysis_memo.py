"""An unchanged sheet is not analysed twice (issue 20): the last analysis, kept per process.

run.py syncs every few minutes and most runs find the sheet as it was, yet
:func:`~sheetcrm.core.analysis.analyse` was most of such a run. analyse is pure: its
result depends on its arguments only (core reads no clock, file or environment).
Those are, exactly:

- the raw frames, every column of them: the people's cells *and* the owned cells
  sheetcrm wrote last time (``alerts.new_role_lines`` reads the Positions'
  ``backpocket_matches`` cells to tell new roles; owned values also ride along in
  the clean frames), and the row numbers;
- the settings (the salt of the Suppressed hashes among them), today, the
  Suppressed tab, the compiled rules;
- ``now``, which stamps the Summary's title cell (row 1, col 1) and nothing else.

So the last analysis is kept with exact copies of the first four, and reused only
when the new ones are the same in type as well as value: a cell ``1`` is not
``"1"``, ``1.0`` nor ``True``; ``-0.0`` is not ``0.0``; datetimes of other zones
or ``fold`` differ. The rules must be the very same RuleSet (``load_rule_files``
compiles one per exact file contents; it is frozen). A value the comparison does
not know how to compare exactly, or a Summary not laid out as expected, means: no
reuse. On a reuse only the title is stamped again with the new ``now``.

Because the owned cells count, the sync right after one that wrote is analysed
afresh (it reads what was written); the ones after it, while nobody edits, reuse.

One entry, in this process only, released before a fresh analysis is made, and
made after it, from the frames as read (analyse gets copy-on-write copies): the
peak memory of a sync stays that of one analysis. Off with
``SHEETCRM_ANALYSIS_MEMO=0`` in the environment or ``analysis_memo.enabled = False``.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import os
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

import pandas as pd

from .. import schema
from ..config import Settings
from ..core import Frames
from ..core.analysis import Analysis
from ..core.pipeline import summary_title
from ..core.reason_rules import RuleSet

enabled = os.environ.get("SHEETCRM_ANALYSIS_MEMO", "1").strip().lower() not in ("0", "off", "false", "no")
stats = {"reused": 0, "analysed": 0}  # since the process started (tests, logs)

# Two equal values of one of these types are the same value.
_SAME_WHEN_EQUAL = frozenset({str, int, bool, type(None), dt.date, dt.timedelta})
# Equal yet not the same: -0.0 == 0.0; datetimes equal across zones, or with another fold.
_BY_REPR = frozenset({float, dt.datetime, dt.time})
_KNOWN = _SAME_WHEN_EQUAL | _BY_REPR


class _Unknown(Exception):
    """A value this module cannot compare exactly: analyse afresh."""


@dataclasses.dataclass
class _Entry:
    key: tuple  # settings, today, suppressed and frames as compared (see _key)
    rules: RuleSet  # held, so ``is`` can't be fooled by a reused id
    compute: Callable[..., Analysis]
    title: str  # the Summary title the kept analysis carries
    analysis: Analysis


_last: _Entry | None = None
_TITLE_CELL = frozenset({(1, 1)})  # the cell _restamped stamps again


def clear() -> None:
    global _last
    _last = None


def analysed(compute: Callable[..., Analysis], frames: Frames, settings: Settings, today: dt.date,
             now: dt.datetime | None, rules: RuleSet, suppressed: pd.DataFrame | None) -> Analysis:
    """``compute(frames, settings, today, now, rules=, suppressed=)``, or the last
    result of it when every input but ``now`` is the same (``now`` restamped)."""
    global _last
    entry, _last = _last, None  # released before a fresh analysis: one in memory at a time
    if not enabled:
        return compute(frames, settings, today, now, rules=rules, suppressed=suppressed)
    if entry is not None and entry.rules is rules and entry.compute is compute \
            and _unchanged(entry.key, frames, settings, today, suppressed):
        reused = _restamped(entry.analysis, entry.title, _title(today, now))
        if reused is not None:
            _last = entry
            stats["reused"] += 1
            return reused
    del entry
    # compute gets shallow copies: with pandas' copy-on-write, whatever it does to
    # them leaves these frames as they were read, so the key made after it (not held
    # beside the analysis' own peak) is the key of what it analysed.
    analysis = compute({k: f.copy(deep=False) for k, f in frames.items()}, settings, today, now, rules=rules,
                       suppressed=None if suppressed is None else suppressed.copy(deep=False))
    stats["analysed"] += 1
    key = _key_or_none(frames, settings, today, suppressed)
    if key is not None and _summary(analysis) is not None:
        _last = _Entry(key, rules, compute, _title(today, now), analysis)
    return analysis


def _key_or_none(frames: Frames, settings: Settings, today: dt.date, suppressed: pd.DataFrame | None) -> tuple | None:
    try:
        return _key(frames, settings, today, suppressed)
    except Exception:  # noqa: BLE001 - _Unknown or any surprise: the memo never fails a sync, it analyses afresh
        return None


def _unchanged(key: tuple, frames: Frames, settings: Settings, today: dt.date, suppressed: pd.DataFrame | None) -> bool:
    """Are these the inputs the key was made of? Column by column, stopping at the first difference."""
    try:
        o_settings, o_today, o_tabs, o_supp = key
        if o_settings != _frozen(settings) or o_today != _frozen(today) or len(o_tabs) != len(frames):
            return False
        if (o_supp is None) != (suppressed is None) or (o_supp is not None and not _same_frame(o_supp, suppressed)):
            return False
        return all(name == _frozen(n) and _same_frame(old, frame)
                   for (name, old), (n, frame) in zip(o_tabs, frames.items()))
    except Exception:  # noqa: BLE001 - _Unknown or any surprise: not the same
        return False


def _title(today: dt.date, now: dt.datetime | None) -> str:
    return summary_title(now or dt.datetime.combine(today, dt.time()))  # analyse's default for now


def _summary(analysis: Analysis) -> int | None:
    """Where the Summary is among the tabs, if its only volatile cell is the title."""
    places = [i for i, t in enumerate(analysis.tabs) if t.key == schema.SUMMARY]
    if len(places) != 1 or analysis.tabs[places[0]].volatile != _TITLE_CELL:
        return None
    return places[0]


def _restamped(analysis: Analysis, old_title: str, title: str) -> Analysis | None:
    """The kept analysis with the Summary title of this ``now`` (a copy: the kept one stays as it was)."""
    at = _summary(analysis)
    if at is None:
        return None
    tab = analysis.tabs[at]
    if not tab.rows or not tab.rows[0] or tab.rows[0][0] != old_title:
        return None  # the title is not where it was stamped: don't guess
    rows = copy.copy(tab.rows)  # the Summary's own list type and attributes, rows shared
    rows[0] = [title, *tab.rows[0][1:]]
    tabs = list(analysis.tabs)
    tabs[at] = dataclasses.replace(tab, rows=rows)
    return dataclasses.replace(analysis, tabs=tabs, new_ids=dict(analysis.new_ids),
                               left_out=dict(analysis.left_out), new_roles=list(analysis.new_roles))


def _key(frames: Frames, settings: Settings, today: dt.date, suppressed: pd.DataFrame | None) -> tuple:
    tabs = tuple((_frozen(name), _frame(frame)) for name, frame in frames.items())
    return (_frozen(settings), _frozen(today), tabs, None if suppressed is None else _frame(suppressed))


def _frame(frame: pd.DataFrame) -> tuple:
    """What a frame is, for an exact comparison: its layout (frozen) and its columns as lists."""
    return _layout(frame), [_column(frame, i) for i in range(frame.shape[1] + 1)]


def _layout(frame: pd.DataFrame) -> tuple:
    if not isinstance(frame, pd.DataFrame):
        raise _Unknown
    index = frame.index
    return _frozen((type(frame).__name__, type(index).__name__, str(index.dtype), index.names, list(frame.columns),
                    [str(t) for t in frame.dtypes], dict(frame.attrs), frame.flags.allows_duplicate_labels))


def _column(frame: pd.DataFrame, i: int) -> list[Any]:
    """Column 0 is the index (the row numbers), then the frame's columns in order."""
    return frame.index.tolist() if i == 0 else frame.iloc[:, i - 1].tolist()


def _same_frame(old: tuple, frame: pd.DataFrame) -> bool:
    layout, columns = old
    if layout != _layout(frame) or len(columns) != frame.shape[1] + 1:
        return False
    return all(_same_column(col, _column(frame, i)) for i, col in enumerate(columns))


def _same_column(old: list[Any], new: list[Any]) -> bool:
    """The same cells, type for type; equal-but-distinguishable ones compared by repr."""
    types = list(map(type, new))
    kinds = set(types)
    if not kinds <= _KNOWN or list(map(type, old)) != types:  # first: == of other types may raise (pd.NA)
        return False
    if old != new:  # at C speed; NaN is never equal to a NaN read afresh: a miss, never a wrong hit
        return False
    if kinds.isdisjoint(_BY_REPR):
        return True
    return all(repr(a) == repr(b) for a, b, t in zip(old, new, types) if t in _BY_REPR)


def _frozen(value: Any) -> Any:
    """A value as nested tuples of (type, content) that compare equal only when the
    values are the same in type and content (settings, today, names, layouts)."""
    kind = type(value)
    if kind in _SAME_WHEN_EQUAL:
        return kind, value
    if kind in _BY_REPR:
        return kind, repr(value)
    if isinstance(value, PurePath):
        return kind, str(value)
    if isinstance(value, (tuple, list, frozenset, set)):  # in their order: another order is a miss, never a wrong hit
        return kind, tuple(_frozen(v) for v in value)
    if isinstance(value, Mapping):
        return kind, tuple((_frozen(k), _frozen(v)) for k, v in value.items())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return kind, tuple((f.name, _frozen(getattr(value, f.name))) for f in dataclasses.fields(value))
    raise _Unknown
