"""The main job: read -> validate -> classify -> compute -> diff -> write.

:func:`analyse` is pure (frames + today in, everything sheetcrm has to say out);
:func:`plan_changes` turns that into the cell changes that differ from what the
sheet holds now; :func:`sync` does the I/O around them. Only owned columns, blank
candidate_id cells and owned tabs are ever written (DESIGN §3).
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from typing import Any

import pandas as pd

from . import circleback, pipeline, privacy, reasons, schema, validate
from .backends.base import Backend, CellUpdate, Changes, OwnedTab, Snapshot, WriteResult, same_cell
from .config import Settings
from .sheet import Frames, TabMap, locate, to_frames
from .values import is_blank, parse_bool

ID_PATTERN = re.compile(r"^C-(\d+)$")
SUMMARY_VOLATILE = frozenset({(1, 1)})  # the title cell holds the sync time


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


def assign_ids(candidates: pd.DataFrame) -> dict[int, str]:
    """Next `C-00001`-style ids for blank candidate_id cells, in row order."""
    ids = candidates["candidate_id"]
    numbers = [int(m[1]) for v in ids.dropna().astype(str) if (m := ID_PATTERN.match(v.strip()))]
    nxt = max(numbers, default=0) + 1
    out: dict[int, str] = {}
    for row, value in ids.items():
        if value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, float) and value != value):
            out[int(row)] = f"C-{nxt:05d}"
            nxt += 1
    return out


def analyse(frames: Frames, settings: Settings, today: dt.date, now: dt.datetime | None = None,
            rules: reasons.RuleSet | None = None, suppressed: pd.DataFrame | None = None) -> Analysis:
    """Everything a sync computes, without I/O. ``now`` only stamps the Summary title."""
    now = now or dt.datetime.combine(today, dt.time())
    frames = {k: v.copy() for k, v in frames.items()}
    new_ids = assign_ids(frames[schema.CANDIDATES])
    if new_ids:
        cands = frames[schema.CANDIDATES]
        cands.loc[list(new_ids), "candidate_id"] = pd.Series(new_ids)
    clean, issues = validate.validate(frames, settings, today)
    rules = rules if rules is not None else reasons.load_rules(settings)
    clean[schema.PIPELINE] = reasons.classify_pipeline(clean[schema.PIPELINE], rules)
    issues = _merge_issues(issues, reasons.unclassified_issues(clean[schema.PIPELINE], settings))
    cand_class = reasons.candidate_classes(clean[schema.PIPELINE], clean[schema.CANDIDATES])
    never, review, blockers = rows_left_out_that_forbid_calls(frames, clean, rules, settings)
    if never:
        cand_class = cand_class.copy()
        for cid in never:
            cand_class.loc[cid] = schema.HARD_NO
    # Hard-no people re-added under a new id: an error, and never circled back.
    guard_view = pd.concat([clean[schema.CANDIDATES], blockers]) if len(blockers) else clean[schema.CANDIDATES]
    guard = validate.intake_guard(guard_view, cand_class, suppressed, settings)
    if len(guard):
        issues = _merge_issues(issues, guard)
        clean[schema.CANDIDATES] = clean[schema.CANDIDATES].drop(index=guard["row"].unique())
    figures = pipeline.position_figures(clean[schema.PIPELINE], clean[schema.POSITIONS]["position_id"])
    circle = circleback.circle_backs(clean[schema.CANDIDATES], clean[schema.PIPELINE], clean[schema.POSITIONS],
                                     cand_class, settings, today, suppressed=suppressed)
    circle = _hold_for_review(circle, review - never)
    backpocket = circleback.backpocket_counts(circle, clean[schema.POSITIONS])
    left_out = {k: len(frames[k]) - len(clean[k]) for k in schema.INPUT_TABS}
    owned = _owned_columns(frames, clean, issues, cand_class, circle, backpocket, settings)
    summary = pipeline.summary_rows(figures, clean[schema.CANDIDATES], left_out, now, backpocket,
                                    positions=clean[schema.POSITIONS])
    tabs = [
        OwnedTab(settings.tab_title(schema.SUMMARY), summary,
                 volatile=SUMMARY_VOLATILE, freeze_rows=0, bold_rows=summary.bold_rows,
                 percent_columns=summary.percent_columns, widths=summary.widths, align_right=summary.align_right),
        OwnedTab(settings.tab_title(schema.CIRCLE_BACKS), circleback.circle_backs_rows(circle, today, settings)),
        OwnedTab(settings.tab_title(schema.ISSUES), issues_rows(issues)),
    ]
    return Analysis(frames, clean, issues, cand_class, figures, circle, backpocket, new_ids, owned, tabs, left_out)


def rows_left_out_that_forbid_calls(frames: Frames, clean: Frames, rules: reasons.RuleSet,
                                     settings: Settings) -> tuple[set[str], set[str], pd.DataFrame]:
    """Rows left out for an error still speak for the person's safety: a wrong
    "call this person" is worse than none. Returns the candidate_ids that must
    never be called (a do_not_contact row, even unreadable like "DNC", or a
    reason that reads hard-no), the ids to hold for review (another row of theirs
    has an error, so their record is incomplete), and the do-not-contact rows as
    blockers for the intake guard (candidate_id, email_norm, phone_e164, ...)."""
    never: set[str] = set()
    review: set[str] = set()
    cands = frames[schema.CANDIDATES]
    bad = cands[~cands.index.isin(clean[schema.CANDIDATES].index)]
    blocker_rows = []
    for row, cid, dnc, email, phone in zip(bad.index, bad["candidate_id"], bad["do_not_contact"], bad["email"],
                                           bad["phone"]):
        cid = _id(cid)
        try:
            says_no = parse_bool(dnc)
        except ValueError:
            says_no = True  # "DNC", "please don't": read as the request it probably is
        if says_no:
            never.add(cid)
            blocker_rows.append({
                "row": int(row), "candidate_id": cid, "do_not_contact": True, "forgotten": False,
                "email_norm": email.strip().lower() if isinstance(email, str) and email.strip() else None,
                "phone_e164": privacy.normalise_phone(phone, settings.phone_region) if not is_blank(phone) else None,
            })
        elif cid:
            review.add(cid)
    pipe = frames[schema.PIPELINE]
    bad = pipe[~pipe.index.isin(clean[schema.PIPELINE].index)]
    texts = {str(t) for t in bad["rejection_reason"] if not is_blank(t)}
    hard_texts = {t for t in texts if reasons.classify(t, None, rules).cls == schema.HARD_NO}  # each text once
    for cid, text in zip(bad["candidate_id"], bad["rejection_reason"]):
        cid = _id(cid)
        if not cid:
            continue
        (never if not is_blank(text) and str(text) in hard_texts else review).add(cid)
    never.discard("")
    blockers = pd.DataFrame(blocker_rows).set_index("row") if blocker_rows else pd.DataFrame()
    return never, review, blockers


def _id(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _hold_for_review(circle: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """Callable people with an incomplete record wait for a person to fix it."""
    if not ids or not len(circle):
        return circle
    hold = circle.index.isin(list(ids)) & circle["circle_back_status"].isin(circleback.CALLABLE).to_numpy()
    if not hold.any():
        return circle
    circle = circle.copy()
    circle.loc[hold, "circle_back_status"] = "review"
    circle.loc[hold, "next_circle_back"] = None
    circle.loc[hold, "suggested_positions"] = pd.Series([[] for _ in range(int(hold.sum()))],
                                                        index=circle.index[hold], dtype=object)
    return circle


def _merge_issues(a: pd.DataFrame, b: pd.DataFrame | None) -> pd.DataFrame:
    if b is None or not len(b):
        return a
    return validate.issues_frame([tuple(r) for r in pd.concat([a, b]).itertuples(index=False)])


def issues_rows(issues: pd.DataFrame) -> list[list[Any]]:
    return [list(schema.ISSUE_COLUMNS)] + [list(r) for r in issues.itertuples(index=False)]


def _owned_columns(frames: Frames, clean: Frames, issues: pd.DataFrame, cand_class: pd.Series,
                   circle: pd.DataFrame, backpocket: pd.Series, settings: Settings) -> dict[str, pd.DataFrame]:
    out: dict[str, pd.DataFrame] = {}
    for key in schema.INPUT_TABS:
        raw = frames[key]
        cols = [c.name for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns]
        df = pd.DataFrame({c: pd.Series(None, index=raw.index, dtype=object) for c in cols}, index=raw.index)
        texts = validate.row_issue_texts(issues, settings, key)
        df["row_issues"] = pd.Series(texts, dtype=object).reindex(raw.index)
        out[key] = df

    cands, cand_out = clean[schema.CANDIDATES], out[schema.CANDIDATES]
    ids = cands["candidate_id"]
    cand_out.loc[cands.index, "rejection_class"] = ids.map(cand_class).values
    by_id = circle.reindex(ids.values)
    cand_out.loc[cands.index, "circle_back_status"] = by_id["circle_back_status"].values
    cand_out.loc[cands.index, "next_circle_back"] = by_id["next_circle_back"].map(_day).values

    pos, pos_out = clean[schema.POSITIONS], out[schema.POSITIONS]
    pos_out.loc[pos.index, "backpocket_matches"] = pos["position_id"].map(backpocket).map(_int).values

    pipe, pipe_out = clean[schema.PIPELINE], out[schema.PIPELINE]
    pipe_out.loc[pipe.index, "rejection_class"] = pipe["rejection_class"].values
    pipe_out.loc[pipe.index, "rejection_category"] = pipe["rejection_category"].values
    for df in out.values():
        df[:] = df.astype(object).where(df.notna(), None)
        df.replace({"": None}, inplace=True)
    return out


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


def plan_changes(snapshot: Snapshot, maps: dict[str, TabMap], analysis: Analysis) -> Changes:
    """Only the cells whose value differs from what the sheet holds now."""
    changes = Changes()
    for key, tmap in maps.items():
        sheet = snapshot.tabs[tmap.title]
        tab = schema.INPUT_TAB_SCHEMAS[key]
        for name in tmap.appended:
            changes.cells.append(CellUpdate(tmap.title, 1, tmap.columns[name], name))
        id_cols = [(tmap.columns[c]) for c in tab.identity if c in tmap.columns]
        owned = analysis.owned[key]
        owned_cols = [(name, tmap.columns[name]) for name in owned.columns]
        changes.labels.update({(tmap.title, c): n for n, c in tmap.columns.items()})

        def identity(row: int) -> tuple[tuple[int, Any], ...]:
            return tuple((c, sheet.cell(row, c)) for c in id_cols)

        if key == schema.CANDIDATES:
            id_col = tmap.columns["candidate_id"]
            for row, new_id in analysis.new_ids.items():
                changes.cells.append(CellUpdate(tmap.title, row, id_col, new_id, identity(row)))
        values = {name: owned[name].to_dict() for name, _ in owned_cols}
        for row in owned.index:
            ident = None
            for name, col in owned_cols:
                new = values[name][row]
                if not same_cell(sheet.cell(row, col), new):
                    ident = ident if ident is not None else identity(row)
                    changes.cells.append(CellUpdate(tmap.title, int(row), col, new, ident))
        # Rows emptied by a person keep stale owned cells: clear them.
        live = set(owned.index)
        for row in range(2, len(sheet.values) + 1):
            if row in live:
                continue
            for _, col in owned_cols:
                if not same_cell(sheet.cell(row, col), None):
                    changes.cells.append(CellUpdate(tmap.title, row, col, None, identity(row)))
    for tab in analysis.tabs:
        current = snapshot.find(tab.title)
        if current is None or not _same_grid(current.values, tab.rows, tab.volatile):
            changes.tabs.append(tab)
    return changes


def _same_grid(old: list[list[Any]], new: list[list[Any]], volatile: frozenset[tuple[int, int]]) -> bool:
    def trimmed(grid: list[list[Any]]) -> list[list[Any]]:
        rows = [list(r) for r in grid]
        for r in rows:
            while r and (r[-1] is None or r[-1] == ""):
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        return rows

    a, b = trimmed(old), trimmed(new)
    if len(a) != len(b):
        return False
    for r, (ra, rb) in enumerate(zip(a, b), start=1):
        width = max(len(ra), len(rb))
        for c in range(1, width + 1):
            if (r, c) in volatile:
                continue
            va = ra[c - 1] if c <= len(ra) else None
            vb = rb[c - 1] if c <= len(rb) else None
            if not same_cell(va, vb):
                return False
    return True


@dataclasses.dataclass
class SyncReport:
    rows_read: dict[str, int]
    errors: int
    warnings: int
    ids_assigned: int
    cells_changed: int
    tabs_rewritten: list[str]
    changed_columns: dict[str, int]  # "Tab.column" -> cells
    circle_backs_due: int
    circle_backs_overdue: int
    written: bool
    dry_run: bool
    skipped_rows: int
    seconds: float
    requests: int | None = None

    @property
    def changed(self) -> bool:
        return bool(self.cells_changed or self.tabs_rewritten)

    def lines(self) -> list[str]:
        """What changed, for people."""
        read = ", ".join(f"{n} {k}" for k, n in self.rows_read.items())
        out = [f"read {read}; {self.errors} errors, {self.warnings} warnings"]
        if not self.changed:
            out.append("no changes" + (" (dry run)" if self.dry_run else "; nothing written"))
            return out
        verb = "would change" if self.dry_run else "changed"
        if self.ids_assigned:
            out.append(f"assigned {self.ids_assigned} new candidate ids")
        for col, n in sorted(self.changed_columns.items()):
            out.append(f"{verb} {n} cells in {col}")
        if self.tabs_rewritten:
            out.append(("would rewrite " if self.dry_run else "rewrote ") + ", ".join(self.tabs_rewritten))
        if self.skipped_rows:
            out.append(f"skipped {self.skipped_rows} rows that changed while syncing; the next sync will update them")
        out.append(f"circle-backs: {self.circle_backs_due} due, {self.circle_backs_overdue} overdue")
        return out

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def load(backend: Backend, settings: Settings) -> tuple[Snapshot, dict[str, TabMap], Frames]:
    snapshot = backend.read()
    maps = locate(snapshot, settings)
    return snapshot, maps, to_frames(snapshot, maps)


def read_suppressed(snapshot: Snapshot, settings: Settings) -> pd.DataFrame | None:
    sheet = snapshot.find(settings.tab_title(schema.SUPPRESSED))
    if sheet is None or not sheet.values:
        return None
    header = [schema.normalise_header(h) for h in sheet.values[0]]
    rows = [list(r) + [None] * (len(header) - len(r)) for r in sheet.values[1:]]
    return pd.DataFrame([r[: len(header)] for r in rows], columns=header)


def sync(backend: Backend, settings: Settings, today: dt.date, now: dt.datetime | None = None,
         dry_run: bool = False) -> SyncReport:
    """Read the workbook, compute everything, write what changed. Returns the report."""
    started = time.perf_counter()
    snapshot, maps, frames = load(backend, settings)
    analysis = analyse(frames, settings, today, now, suppressed=read_suppressed(snapshot, settings))
    changes = plan_changes(snapshot, maps, analysis)
    result = WriteResult()
    if changes and not dry_run:
        result = backend.write(snapshot, changes)
    return _report(analysis, changes, result, dry_run, time.perf_counter() - started, getattr(backend, "requests", None))


def _report(analysis: Analysis, changes: Changes, result: WriteResult, dry_run: bool, seconds: float,
            requests: int | None) -> SyncReport:
    changed_columns: dict[str, int] = {}
    for upd in changes.cells:
        if upd.row == 1:
            continue
        label = f"{upd.tab}.{changes.labels.get((upd.tab, upd.col), upd.col)}"
        changed_columns[label] = changed_columns.get(label, 0) + 1
    status = analysis.circle["circle_back_status"] if len(analysis.circle) else pd.Series(dtype=object)
    sev = analysis.issues["severity"]
    return SyncReport(
        rows_read={k: len(v) for k, v in analysis.frames.items()},
        errors=int((sev == "error").sum()),
        warnings=int((sev == "warning").sum()),
        ids_assigned=len(analysis.new_ids),
        cells_changed=len(changes.cells),
        tabs_rewritten=[t.title for t in changes.tabs],
        changed_columns=changed_columns,
        circle_backs_due=int((status == "due").sum()),
        circle_backs_overdue=int((status == "overdue").sum()),
        written=bool(changes) and not dry_run,
        dry_run=dry_run,
        skipped_rows=result.skipped_rows,
        seconds=round(seconds, 3),
        requests=requests,
    )
