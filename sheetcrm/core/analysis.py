"""analyse(): the order of the steps of a sync, pure (DESIGN §8)."""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..config import Settings
from ..schema import OwnedTab
from . import Frames, alerts, with_all_tabs, circleback, funnel, intake_guard, matching, never_call, pipeline, pipeline_groups, reasons, validate
from .issues import merge_issues, row_issue_cells
from .readable import readable


ID_PATTERN = re.compile(r"^C-(\d+)$")



SUMMARY_VOLATILE = frozenset({(1, 1)})  # the title cell holds the sync time
# pandas 3 copies on write: a shallow copy of the caller's frames is enough to leave them as they
# were (a deep one copied 0.02-0.1 s of cells at 100k, and held them twice); pandas 2 needs the deep one.
_SHALLOW_COPY_IS_SAFE = int(pd.__version__.split(".")[0]) >= 3



@dataclasses.dataclass
class Analysis:
    frames: Frames  # raw, with assigned ids filled in
    clean: Frames  # valid rows, typed; pipeline classified
    issues: pd.DataFrame
    candidate_class: pd.Series
    figures: pd.DataFrame
    circle: pd.DataFrame
    backpocket: pd.Series
    new_ids: dict[int, str]  # Candidates row -> assigned id
    owned: dict[str, pd.DataFrame]  # per input tab: index=row, owned columns as cell values
    tabs: list[OwnedTab]
    left_out: dict[str, int]  # rows with errors, per input tab
    new_roles: list[str] = dataclasses.field(default_factory=list)  # lines about new or reopened roles



def assign_ids(candidates: pd.DataFrame) -> dict[int, str]:
    """Next `C-00001`-style ids for blank candidate_id cells, in row order."""
    ids = candidates["candidate_id"]
    numbers = [int(m[1]) for v in ids.dropna().to_numpy(dtype=object)
               if (m := ID_PATTERN.match((v if v.__class__ is str else str(v)).strip()))]
    nxt = max(numbers, default=0) + 1
    out: dict[int, str] = {}
    for row, value in zip(ids.index.tolist(), ids.to_numpy(dtype=object)):  # arrays: a text Series iterates slowly
        if value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and value != value):
            out[int(row)] = f"C-{nxt:05d}"
            nxt += 1
    return out



@dataclasses.dataclass
class Calls:
    """Who to call and why not, without the Summary or the owned columns: what
    `report circle-backs`, `match` and `validate` show (a report computes only that)."""
    frames: Frames  # raw, with assigned ids filled in
    clean: Frames  # valid rows, typed; pipeline classified
    issues: pd.DataFrame
    candidate_class: pd.Series
    circle: pd.DataFrame
    new_ids: dict[int, str]
    left_out: dict[str, int]



# What a caller may have read already: the texts of the raw Pipeline's reasons and the
# Touchpoints' notes, read with these rules (reasons.read_distinct), asked for only once
# validation is done, so they may be read meanwhile (workbook.second_core); None, or a
# text missing: read here. The analysis is the same either way.
ReadReasons = Callable[[], "reasons.Known | None"]
ReadPhones = validate.ReadPhones


def calls(frames: Frames, settings: Settings, today: dt.date, rules: reasons.RuleSet | None = None,
          suppressed: pd.DataFrame | None = None, read_reasons: ReadReasons | None = None,
          read_phones: ReadPhones | None = None) -> Calls:
    """Validate, classify and decide every person's circle-back (DESIGN §3, §4, §6)."""
    if rules is None:
        raise TypeError("analyse() needs rules=sheetcrm.rules.load_rules(settings): core reads no rule files")
    frames = {k: v.copy(deep=not _SHALLOW_COPY_IS_SAFE) for k, v in with_all_tabs(frames).items()}
    new_ids = assign_ids(frames[schema.CANDIDATES])
    if new_ids:
        cands = frames[schema.CANDIDATES]
        cands.loc[list(new_ids), "candidate_id"] = pd.Series(new_ids)
    clean, issues = validate.validate(frames, settings, today, read_phones)
    known = read_reasons() if read_reasons is not None else None
    clean[schema.PIPELINE] = reasons.classify_pipeline(clean[schema.PIPELINE], rules, known)
    unclassified = reasons.unclassified_issues(clean[schema.PIPELINE], settings)
    cand_class = reasons.candidate_classes(clean[schema.PIPELINE], clean[schema.CANDIDATES])
    left_out = never_call.left_out_rows(frames, clean, rules, settings, known)
    touch_never = never_call.touchpoint_never(clean[schema.TOUCHPOINTS], rules, known)
    cand_class = never_call.classes_with_left_out(cand_class, left_out, touch_never)
    guard = intake_guard.re_added_people(clean[schema.CANDIDATES], left_out, cand_class, suppressed, settings)
    issues = _merged(issues, [unclassified, left_out.issues, guard])
    if len(guard):
        clean[schema.CANDIDATES] = clean[schema.CANDIDATES].drop(index=guard["row"].unique())
    verdicts = never_call.decide(never_call.Facts(clean[schema.CANDIDATES], clean[schema.PIPELINE], cand_class,
                                                  settings, suppressed, left_out, touch_never))
    circle = circleback.circle_backs(clean[schema.CANDIDATES], clean[schema.PIPELINE], clean[schema.POSITIONS],
                                     cand_class, settings, today, verdicts=verdicts,
                                     touchpoints=clean[schema.TOUCHPOINTS])
    left_out_counts = {k: len(frames[k]) - len(clean[k]) for k in schema.INPUT_TABS}
    return Calls(frames, clean, issues, cand_class, circle, new_ids, left_out_counts)



def _merged(issues: pd.DataFrame, more: list[pd.DataFrame | None]) -> pd.DataFrame:
    """merge_issues of ``issues`` with each of ``more`` in turn, sorted once when all have
    the same columns and types (a stable sort of all the rows in that order is what the
    sorts in turn give; each sort of 100k issues costs 0.03 s)."""
    more = [m for m in more if m is not None and len(m)]
    same = [list(issues.columns), list(issues.dtypes)]
    if len(issues) and more and all([list(m.columns), list(m.dtypes)] == same for m in more):
        return merge_issues(issues, pd.concat(more, ignore_index=True))
    for m in more:
        issues = merge_issues(issues, m)
    return issues



def analyse(frames: Frames, settings: Settings, today: dt.date, now: dt.datetime | None = None,
            rules: reasons.RuleSet | None = None, suppressed: pd.DataFrame | None = None,
            read_reasons: ReadReasons | None = None, read_phones: ReadPhones | None = None) -> Analysis:
    """Everything a sync computes, without I/O: :func:`calls`, then the figures, the
    Summary and the owned columns. ``now`` only stamps the Summary title; ``rules`` are
    the compiled reason rules (``sheetcrm.rules.load_rules(settings)``); ``read_reasons``,
    ``read_phones``: see :data:`ReadReasons`, :data:`ReadPhones` (the result is the same
    with or without them)."""
    now = now or dt.datetime.combine(today, dt.time())
    c = calls(frames, settings, today, rules, suppressed, read_reasons, read_phones)
    clean, issues, circle = c.clean, c.issues, c.circle
    flags = pipeline.figure_flags(clean[schema.PIPELINE])  # grouped three ways below: made once
    figures = pipeline.position_figures(clean[schema.PIPELINE], clean[schema.POSITIONS]["position_id"], flags)
    backpocket = matching.backpocket_counts(circle, clean[schema.POSITIONS])
    backpocket_due = due_counts(circle, clean, today, settings)
    owned = _owned_columns(c.frames, clean, issues, c.candidate_class, circle, backpocket, settings, backpocket_due)
    groups = {by: pipeline_groups.group_figures(clean[schema.PIPELINE], clean[schema.CANDIDATES], by, flags)
              for by in ("source", "quarter")}
    summary = pipeline.summary_rows(figures, clean[schema.CANDIDATES], c.left_out, now, backpocket,
                                    positions=clean[schema.POSITIONS], groups=groups)
    chart = funnel.add_funnel(summary, figures)
    summary.append([])
    top = alerts.top_matches_rows(circle, clean[schema.POSITIONS])
    summary.bold_rows = (*summary.bold_rows, len(summary) + 1)
    summary.extend(top)
    tabs = [
        OwnedTab(settings.tab_title(schema.SUMMARY), summary,
                 volatile=SUMMARY_VOLATILE, freeze_rows=0, bold_rows=summary.bold_rows,
                 percent_columns=summary.percent_columns, widths=funnel.widths_with_funnel(summary.widths),
                 align_right=(*summary.align_right, funnel.VALUE_COL), charts=(chart,), key=schema.SUMMARY),
        readable(OwnedTab(settings.tab_title(schema.CIRCLE_BACKS), circleback.circle_backs_rows(circle, today, settings),
                          key=schema.CIRCLE_BACKS)),
        readable(OwnedTab(settings.tab_title(schema.ISSUES), issues_rows(issues), key=schema.ISSUES)),
    ]
    new_roles = alerts.new_role_lines(c.frames[schema.POSITIONS], clean[schema.POSITIONS], backpocket, backpocket_due)
    return Analysis(c.frames, clean, issues, c.candidate_class, figures, circle, backpocket, c.new_ids, owned, tabs,
                    c.left_out, new_roles)



def due_counts(circle: pd.DataFrame, clean: Frames, today: dt.date, settings: Settings) -> pd.Series:
    """Per position_id: how many callable people fit it and are due now (``backpocket_due``);
    the analysis memo tells new roles again from it on a reuse, so it is made in one place."""
    return matching.backpocket_counts(circle, clean[schema.POSITIONS], due_only=True,
                                      later=matching.available_later(clean[schema.CANDIDATES], today, settings))



def issues_rows(issues: pd.DataFrame) -> list[list[Any]]:
    # issue_tuples' columns zipped straight into row lists: no tuple per row kept in between
    return [list(schema.ISSUE_COLUMNS), *map(list, zip(*(issues[c].tolist() for c in issues.columns)))]



def _owned_columns(frames: Frames, clean: Frames, issues: pd.DataFrame, cand_class: pd.Series,
                   circle: pd.DataFrame, backpocket: pd.Series, settings: Settings,
                   backpocket_due: pd.Series | None = None) -> dict[str, pd.DataFrame]:
    """Per input tab, its owned columns' cells by row (object; blank, NaN and "" as None).
    Each column is one object array filled at the clean rows' positions, made a frame once."""
    cands, pos, pipe = clean[schema.CANDIDATES], clean[schema.POSITIONS], clean[schema.PIPELINE]
    ids = cands["candidate_id"]
    by_id = circle.reindex(ids.values)
    pos = pos[pos["status"].isin(alerts.LIVE).to_numpy(dtype=bool)]  # a filled or closed role's cells stay blank
    filled = {  # tab -> (rows, {column: values at those rows})
        schema.CANDIDATES: (cands.index, {
            "rejection_class": ids.map(cand_class).to_numpy(dtype=object),
            "circle_back_status": by_id["circle_back_status"].to_numpy(dtype=object),
            "next_circle_back": [v if v.__class__ is dt.date else _day(v)
                                 for v in by_id["next_circle_back"].to_numpy(dtype=object)]}),
        schema.POSITIONS: (pos.index, {
            "backpocket_matches": pos["position_id"].map(backpocket).map(_int).to_numpy(dtype=object),
            **({"backpocket_due": pos["position_id"].map(backpocket_due).map(_int).to_numpy(dtype=object)}
               if backpocket_due is not None else {})}),
        schema.PIPELINE: (pipe.index, {"rejection_class": pipe["rejection_class"].to_numpy(dtype=object),
                                       "rejection_category": pipe["rejection_category"].to_numpy(dtype=object)}),
    }
    out: dict[str, pd.DataFrame] = {}
    for key in schema.INPUT_TABS:
        index = frames[key].index
        rows, values = filled.get(key, (index[:0], {}))
        at = index.get_indexer(rows)
        issue_rows, texts = row_issue_cells(issues, settings, key)
        columns = {}
        for c in (c.name for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns):
            col = np.full(len(index), None, dtype=object)
            if c == "row_issues" and texts:
                where = pd.Index(issue_rows).get_indexer(index)  # a row's text, or none
                col[where >= 0] = np.array(texts, dtype=object)[where[where >= 0]]
            elif c in values:
                col[at] = values[c]
            columns[c] = pd.Series(_blank_as_none(col), index=index, dtype=object)
        out[key] = pd.DataFrame(columns, index=index)
    return out


def _blank_as_none(col: np.ndarray) -> np.ndarray:
    """None where a cell is NaN, None, NaT, NA or ""."""
    blank = pd.isna(col) | (col == "")
    col[blank] = None
    return col



def _day(v: Any) -> dt.date | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NaT:
        return None
    if isinstance(v, pd.Timestamp):
        return v.date()
    if isinstance(v, dt.datetime):
        return v.date()
    return v



def _int(v: Any) -> int | None:
    if v is None or (isinstance(v, float) and v != v) or v is pd.NA:
        return None
    return int(v)
