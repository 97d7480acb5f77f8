"""An unchanged sheet is not analysed twice (issue 20): the last analysis, kept per process.

run.py syncs every few minutes and most runs find the sheet as it was, yet
:func:`~sheetcrm.core.analysis.analyse` was most of such a run. analyse is pure: its
result depends on its arguments only (core reads no clock, file or environment).
Those are, exactly:

- the raw frames: the people's cells, the row numbers, the layout (which columns,
  where), and the owned cells sheetcrm wrote last time;
- the settings (the salt of the Suppressed hashes among them), today, the
  Suppressed tab, the compiled rules;
- ``now``, which stamps the Summary's title cell (row 1, col 1) and nothing else.

The owned cells' *values* reach two parts of an analysis only, both cheap to make
again: ``frames`` (the raw frames, owned cells as read, ride along) and
``new_roles`` (``alerts.new_role_lines`` reads the Positions' ``backpocket_matches``
cells: a blank one on an open role is a new or reopened role). Nothing else reads
them: validation types, checks and drops rows by the people's columns only (a row
of owned cells alone is blank), the never-call policy reads people's cells, and
the clean Pipeline's ``rejection_class`` / ``rejection_category`` are the reading
of the reasons, not the cells (tests/test_analysis_memo.py pins it with random
owned cells of every type against a fresh analysis, field by field).

So the last analysis is kept with exact copies of every input but the owned cells'
values and ``now``, and reused only when the new ones are the same in type as well
as value: a cell ``1`` is not ``"1"``, ``1.0`` nor ``True``; ``-0.0`` is not
``0.0``; datetimes of other zones or ``fold`` differ. The rules must be the very
same RuleSet (``load_rule_files`` compiles one per exact file contents; it is
frozen). A value the comparison does not know how to compare exactly, or a Summary
not laid out as expected, means: no reuse. On a reuse the title is stamped again
with the new ``now``, the owned cells as read now are put into the reused raw
frames (same columns, same rows) and the new roles are told again from them.

The ids sheetcrm assigned are people's cells, yet the sync that assigned them
wrote them: analyse fills them into its copy of the frames before anything reads
them, so a Candidates id column that now holds exactly those ids, in the cells that
were blank, is the sheet the kept analysis was made of. It is reused with no ids to
assign (all of them written, or none: anything else is analysed afresh).

So the sync right after one that wrote (it reads what was written: owned cells and
ids) reuses the analysis too; a person's edit to any other cell means a fresh analysis.

One entry, in this process only, released before a fresh analysis is made, and
made after it, from the frames as read (analyse gets copy-on-write copies): the
peak memory of a sync stays that of one analysis. Off with
``SHEETCRM_ANALYSIS_MEMO=0`` in the environment or ``analysis_memo.enabled = False``.
"""
from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import math
import operator
import os
from collections.abc import Callable, Mapping
from pathlib import PurePath
from typing import Any

import pandas as pd

from .. import schema
from ..config import Settings
from ..core import Frames, alerts
from ..core.analysis import Analysis, due_counts
from ..core.pipeline import summary_title
from ..core.reason_rules import RuleSet

enabled = os.environ.get("SHEETCRM_ANALYSIS_MEMO", "1").strip().lower() not in ("0", "off", "false", "no")
stats = {"reused": 0, "analysed": 0}  # since the process started (tests, logs)

# Two equal values of one of these types are the same value.
_SAME_WHEN_EQUAL = frozenset({str, int, bool, type(None), dt.date, dt.timedelta})
# Equal yet not the same: -0.0 == 0.0; datetimes equal across zones, or with another fold.
_BY_REPR = frozenset({float, dt.datetime, dt.time})
_KNOWN = _SAME_WHEN_EQUAL | _BY_REPR
# Per input tab, the columns whose cells sheetcrm writes: their values are not in the key.
_OWNED = {key: frozenset(c.name for c in tab.owned_columns) for key, tab in schema.INPUT_TAB_SCHEMAS.items()}


class _Unknown(Exception):
    """A value this module cannot compare exactly: analyse afresh."""


@dataclasses.dataclass
class _Entry:
    key: tuple  # settings, today, suppressed and frames as compared (see _key)
    rules: RuleSet  # held, so ``is`` can't be fooled by a reused id
    compute: Callable[..., Analysis]
    title: str  # the Summary title the kept analysis carries
    analysis: Analysis
    ids_in: tuple[int, list] | None = None  # the Candidates' id column once the ids assigned are written (_ids_in)


_last: _Entry | None = None
_TITLE_CELL = frozenset({(1, 1)})  # the cell _restamped stamps again
_SAME, _IDS_WRITTEN = "same", "ids written"  # what _unchanged finds


def clear() -> None:
    global _last
    _last = None


def analysed(compute: Callable[..., Analysis], frames: Frames, settings: Settings, today: dt.date,
             now: dt.datetime | None, rules: RuleSet, suppressed: pd.DataFrame | None,
             prepare: Callable[[Frames], Frames] | None = None) -> Analysis:
    """``compute(frames, settings, today, now, rules=, suppressed=)``, or the last
    result of it when every input but ``now`` is the same (``now`` restamped).
    ``prepare(frames)``: the same cells made ready for analyse (sheet.compacted),
    paid only when analysing afresh."""
    global _last
    entry, _last = _last, None  # released before a fresh analysis: one in memory at a time
    if not enabled:
        return compute(prepare(frames) if prepare else frames, settings, today, now, rules=rules, suppressed=suppressed)
    found = _unchanged(entry, frames, settings, today, suppressed) \
        if entry is not None and entry.rules is rules and entry.compute is compute else None
    if found is not None:
        reused = _restamped(entry.analysis, entry.title, _title(today, now))
        if reused is not None:
            reused = _with_owned_cells(reused, frames, settings, today)
        if reused is not None and found == _IDS_WRITTEN:  # analyse would find no blank id to fill
            reused.new_ids = {}
        if reused is not None:
            _last = entry
            stats["reused"] += 1
            return reused
    del entry
    if prepare is not None:
        frames = prepare(frames)
    # compute gets shallow copies: with pandas' copy-on-write, whatever it does to
    # them leaves these frames as they were read, so the key made after it (not held
    # beside the analysis' own peak) is the key of what it analysed.
    analysis = compute({k: f.copy(deep=False) for k, f in frames.items()}, settings, today, now, rules=rules,
                       suppressed=None if suppressed is None else suppressed.copy(deep=False))
    stats["analysed"] += 1
    key = _key_or_none(frames, settings, today, suppressed)
    if key is not None and _summary(analysis) is not None:
        _last = _Entry(key, rules, compute, _title(today, now), analysis, _ids_in(frames, analysis.new_ids))
    return analysis


def _key_or_none(frames: Frames, settings: Settings, today: dt.date, suppressed: pd.DataFrame | None) -> tuple | None:
    try:
        return _key(frames, settings, today, suppressed)
    except Exception:  # noqa: BLE001 - _Unknown or any surprise: the memo never fails a sync, it analyses afresh
        return None


def _unchanged(entry: _Entry, frames: Frames, settings: Settings, today: dt.date,
               suppressed: pd.DataFrame | None) -> str | None:
    """Are these the inputs the entry's key was made of (owned cells aside)? _SAME;
    _IDS_WRITTEN when they are but for the ids the kept analysis assigned, now in
    their cells (as its sync wrote them); None when not. Column by column, stopping
    at the first difference."""
    try:
        o_settings, o_today, o_tabs, o_supp = entry.key
        if o_settings != _frozen(settings) or o_today != _frozen(today) or len(o_tabs) != len(frames):
            return None
        if (o_supp is None) != (suppressed is None) or (o_supp is not None and not _same_frame(o_supp, suppressed)):
            return None
        found = set()
        for (name, old), (n, frame) in zip(o_tabs, frames.items()):
            found.add(name == _frozen(n) and _same_frame(old, frame, _OWNED.get(n, frozenset()),
                                                         entry.ids_in if n == schema.CANDIDATES else None))
        if False in found or None in found:
            return None
        return _IDS_WRITTEN if _IDS_WRITTEN in found else _SAME
    except Exception:  # noqa: BLE001 - _Unknown or any surprise: not the same
        return None


def _ids_in(frames: Frames, new_ids: dict[int, str]) -> tuple[int, list] | None:
    """Where the Candidates' id column is (as :func:`_column` counts) and its cells once
    the ids assigned are in their blank cells. analyse fills them in before anything
    reads the frames, so a sheet that reads so is the sheet this analysis was of: the
    sync after the one that wrote them (Candidates row -> id) analyses it again."""
    cands = frames.get(schema.CANDIDATES)
    if not new_ids or cands is None or list(cands.columns).count("candidate_id") != 1:
        return None
    try:
        at = cands.columns.get_loc("candidate_id") + 1
        cells, where = _column(cands, at), {row: i for i, row in enumerate(cands.index.tolist())}
        for row, cid in new_ids.items():
            cells[where[row]] = cid
    except Exception:  # noqa: BLE001 - the memo never fails a sync: no reuse for written ids
        return None
    return at, cells


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


def _with_owned_cells(analysis: Analysis, frames: Frames, settings: Settings, today: dt.date) -> Analysis | None:
    """The reused analysis with the owned cells as read now: in its raw frames (the
    key made sure the rows and columns are where they were), and the new roles told
    from them as analyse tells them. None (analyse afresh) on any surprise."""
    try:
        kept = dict(analysis.frames)
        for name, frame in frames.items():
            places = [i for i, label in enumerate(frame.columns) if label in _OWNED.get(name, frozenset())]
            if places:
                mine = kept[name].copy(deep=False)  # copy-on-write: the kept analysis stays as it was
                for i in places:
                    mine.isetitem(i, frame.iloc[:, i])
                kept[name] = mine
        clean = analysis.clean
        # backpocket_due is not kept in an Analysis: made again as analyse makes it (0.03 s at 100k)
        due = due_counts(analysis.circle, clean, today, settings)
        new_roles = alerts.new_role_lines(kept[schema.POSITIONS], clean[schema.POSITIONS], analysis.backpocket, due)
    except Exception:  # noqa: BLE001 - the memo never fails a sync: analyse afresh
        return None
    return dataclasses.replace(analysis, frames=kept, new_roles=new_roles)


def _key(frames: Frames, settings: Settings, today: dt.date, suppressed: pd.DataFrame | None) -> tuple:
    tabs = tuple((_frozen(name), _frame(frame, _OWNED.get(name, frozenset()))) for name, frame in frames.items())
    return (_frozen(settings), _frozen(today), tabs, None if suppressed is None else _frame(suppressed))


def _frame(frame: pd.DataFrame, owned: frozenset[str] = frozenset()) -> tuple:
    """What a frame is, for an exact comparison: its layout (frozen) and its columns as
    lists; an ``owned`` column's place is held by None (its cells are not compared)."""
    return _layout(frame), [None if _is_owned(frame, i, owned) else _column(frame, i)
                            for i in range(frame.shape[1] + 1)]


def _is_owned(frame: pd.DataFrame, i: int, owned: frozenset[str]) -> bool:
    """Is column ``i`` of :func:`_column` (0: the index) one of the ``owned`` columns?"""
    return i > 0 and frame.columns[i - 1] in owned


def _layout(frame: pd.DataFrame) -> tuple:
    if not isinstance(frame, pd.DataFrame):
        raise _Unknown
    index = frame.index
    return _frozen((type(frame).__name__, type(index).__name__, str(index.dtype), index.names, list(frame.columns),
                    [str(t) for t in frame.dtypes], dict(frame.attrs), frame.flags.allows_duplicate_labels))


def _column(frame: pd.DataFrame, i: int) -> list[Any]:
    """Column 0 is the index (the row numbers), then the frame's columns in order."""
    return frame.index.tolist() if i == 0 else frame.iloc[:, i - 1].tolist()


def _same_frame(old: tuple, frame: pd.DataFrame, owned: frozenset[str] = frozenset(),
                ids_in: tuple[int, list] | None = None) -> str | None:
    """_SAME: the same layout (so the same owned columns, at the same places) and the
    same cells in every other column; _IDS_WRITTEN: so, but for column ``ids_in[0]``,
    which holds ``ids_in[1]`` (see :func:`_ids_in`); None: not the same."""
    layout, columns = old
    if layout != _layout(frame) or len(columns) != frame.shape[1] + 1:
        return None
    found = _SAME
    for i, col in enumerate(columns):
        if _is_owned(frame, i, owned):
            continue
        new = _column(frame, i)
        if _same_column(col, new):
            continue
        if ids_in is None or i != ids_in[0] or not _same_column(ids_in[1], new):
            return None
        found = _IDS_WRITTEN
    return found


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
    return all(_same_of_kind(old, new, types, kind, len(kinds) == 1) for kind in kinds & _BY_REPR)


_ZONE_FOLD = operator.attrgetter("tzinfo", "fold")
_NAIVE = {(None, 0)}


def _same_of_kind(old: list[Any], new: list[Any], types: list[type], kind: type, alone: bool) -> bool:
    """Are the cells of ``kind`` (equal by ==, position for position) the same by repr?
    repr costs 1 µs a cell (0.37 s for a column of 300,000 dates an .xlsx reads as
    datetimes), so it is asked only where equal cells may still differ: floats only
    by the sign of a zero, naive datetimes without a fold not at all."""
    olds, news = (old, new) if alone else ([a for a, t in zip(old, types) if t is kind],
                                           [b for b, t in zip(new, types) if t is kind])
    if kind is float:
        return 0.0 not in news or all(math.copysign(1.0, a) == math.copysign(1.0, b)
                                      for a, b in zip(olds, news) if a == 0)
    if kind is dt.datetime and set(map(_ZONE_FOLD, olds)) == _NAIVE == set(map(_ZONE_FOLD, news)):
        return True
    return all(repr(a) == repr(b) for a, b in zip(olds, news))


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
