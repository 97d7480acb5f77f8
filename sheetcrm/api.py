"""The library behind every command: one function per command, no click, no printing.

    from sheetcrm import api, config
    settings = config.load_settings(overrides={"workbook": "agency.xlsx"})
    report = api.sync_workbook(settings, today=datetime.date.today())
"""
from __future__ import annotations

import dataclasses
import datetime as dt
from typing import TYPE_CHECKING

import pandas as pd

from . import schema
from .config import Settings
from .rules import load_rules

if TYPE_CHECKING:  # the workbook layer loads only for commands that read a workbook
    from .core.analysis import Analysis, Calls
    from .workbook.backends import Backend
    from .workbook.sync import SyncReport


@dataclasses.dataclass
class InitResult:
    where: str
    candidates: int
    positions: int
    pipeline: int
    waited: str = ""  # found the workbook's write lock held and waited (write_lock.Wait.line)
    touchpoints: int = 0


def init_workbook(settings: Settings, today: dt.date, demo: int | None = None, force: bool = False,
                  seed: int = 7, backend: Backend | None = None) -> InitResult:
    """Create the tabs, headers, dropdowns and highlighting; with ``demo``, N synthetic candidates."""
    from .demo import demo_data
    from .workbook.layout import workbook_layout

    backend = _open(settings, backend)
    data = demo_data(demo, today, seed) if demo else {}
    with backend.exclusive() as held:  # no other writer while the file is replaced
        backend.create(workbook_layout(settings, data), force=force)
    counts = [len(data.get(k, [])) for k in (schema.CANDIDATES, schema.POSITIONS, schema.PIPELINE)]
    return InitResult(backend.describe(), *counts, waited=held.wait.line() if held.wait else "",
                      touchpoints=len(data.get(schema.TOUCHPOINTS, [])))


def sync_workbook(settings: Settings, today: dt.date, now: dt.datetime | None = None, dry_run: bool = False,
                  backend: Backend | None = None) -> SyncReport:
    """Validate, classify, compute, flag; write what changed (DESIGN §7 `sync`)."""
    from .workbook import sync

    return sync.sync(_open(settings, backend), settings, today, now, dry_run=dry_run)


def _open(settings: Settings, backend: Backend | None) -> Backend:
    if backend is not None:
        return backend
    from .workbook.backends import open_backend

    return open_backend(settings)


def analyse_workbook(settings: Settings, today: dt.date, backend: Backend | None = None) -> Analysis:
    """Read and compute everything a sync would write, without writing."""
    from .core.analysis import analyse

    frames, suppressed = _read(settings, backend)
    return analyse(frames, settings, today, rules=load_rules(settings), suppressed=suppressed)


def calls_of_workbook(settings: Settings, today: dt.date, backend: Backend | None = None) -> Calls:
    """Read, validate, classify and decide the circle-backs (what reports show): no
    Summary, no owned columns."""
    from .core.analysis import calls

    frames, suppressed = _read(settings, backend)
    return calls(frames, settings, today, rules=load_rules(settings), suppressed=suppressed)


def _read(settings: Settings, backend: Backend | None):
    from .workbook import sync

    snapshot, _maps, frames = sync.load(_open(settings, backend), settings)
    return frames, sync.read_suppressed(snapshot, settings)


def validate_workbook(settings: Settings, today: dt.date, backend: Backend | None = None) -> pd.DataFrame:
    """Every problem in the workbook, as rows (tab, row, column, value, severity, message, suggestion)."""
    return calls_of_workbook(settings, today, backend).issues


def pipeline_report(settings: Settings, today: dt.date, position: str | None = None, plot: str | None = None,
                    backend: Backend | None = None, by: str | None = None) -> pd.DataFrame:
    """The §5 figures per position and `ALL` (or one position's row); ``by`` source,
    owner or quarter groups them that way instead; with ``plot``, also the funnel
    chart of that position (default `ALL`) as a PNG at that path."""
    from .core import pipeline, pipeline_groups

    analysis = calls_of_workbook(settings, today, backend)
    if by is not None:
        figures = pipeline_groups.group_figures(analysis.clean[schema.PIPELINE], analysis.clean[schema.CANDIDATES], by)
    else:
        figures = pipeline.position_figures(analysis.clean[schema.PIPELINE],
                                            analysis.clean[schema.POSITIONS]["position_id"])
    if position is not None:
        figures = pipeline.figures_for(figures, position)
    if plot is not None:
        from .plot import funnel_png

        row = figures.iloc[0] if position is not None else figures.iloc[-1]  # ALL is the last row
        funnel_png(row.to_dict(), plot, _funnel_title(row.get("position_id", "ALL"), analysis.clean[schema.POSITIONS]))
    return figures


def _funnel_title(position_id: str, positions: pd.DataFrame) -> str:
    if position_id == "ALL":
        return "Pipeline funnel: all positions"
    match = positions[positions["position_id"].astype(str) == position_id]
    if match.empty:
        return f"Pipeline funnel: {position_id}"
    rec = match.iloc[0]
    client = f" at {rec['client']}" if isinstance(rec.get("client"), str) and rec["client"] else ""
    return f"Pipeline funnel: {position_id} {rec['title']}{client}"


def talent_report(settings: Settings, today: dt.date, by: str | None = None,
                  backend: Backend | None = None) -> pd.DataFrame:
    """Talent counts with their active/passive split: one grouping (skill, experience,
    location) or, with ``by`` None, the overall split followed by all three; ``by``
    referrer: people referred and hired per referrer."""
    from .core import pipeline, pipeline_groups

    analysis = calls_of_workbook(settings, today, backend)
    if by == "referrer":
        return pipeline_groups.referrer_counts(analysis.clean[schema.CANDIDATES], analysis.clean[schema.PIPELINE])
    return pipeline.talent_report(analysis.clean[schema.CANDIDATES], by)


@dataclasses.dataclass
class ReportRows:
    """Rows of a report: JSON gets exactly ``json_columns`` (the keys scripts rely
    on); table and CSV also show the explanatory columns."""

    rows: pd.DataFrame
    json_columns: tuple[str, ...]
    calendar_events: int | None = None
    calendar_files: dict[str, int] = dataclasses.field(default_factory=dict)  # one per owner: path -> events
    table_columns: tuple[str, ...] | None = None  # table and CSV: these (default: all)

    def frame(self, fmt: str) -> pd.DataFrame:
        if fmt == "json":
            return self.rows[list(self.json_columns)]
        return self.rows if self.table_columns is None else self.rows[list(self.table_columns)]


def circle_back_report(settings: Settings, today: dt.date, within: int | None = None, ics: str | None = None,
                       backend: Backend | None = None, owner: str | None = None,
                       ics_dir: str | None = None) -> ReportRows:
    """Who to call (DESIGN §6): due and overdue, then the next ``within`` days
    (default: config upcoming_days), grouped by owner (``owner``: only theirs; `team`:
    nobody's); ``call_on`` lays waiting calls over working days (core.call_list). With
    ``ics``, also write them as a calendar file; with ``ics_dir``, one per owner."""
    from . import calendar_file
    from .core import call_list, circleback, touchpoints

    analysis = calls_of_workbook(settings, today, backend)
    listed = circleback.listed(analysis.circle, today, settings.upcoming_days if within is None else within)
    listed = call_list.by_owner(call_list.for_owner(listed, owner))
    listed = listed.assign(call_on=call_list.call_days(listed, today, settings.calls_per_day))
    events = calendar_file.write_calendar(ics, listed, today) if ics else None
    files = calendar_file.write_calendars(ics_dir, listed, today) if ics_dir else {}
    rows = listed.assign(contact_every=listed["contact_every_days"].map(circleback.pace_text),
                         owner=listed["owner"].map(call_list.owner_label),
                         last_touch=[touchpoints.describe(*t) for t in zip(
                             listed["last_touchpoint"], listed["last_touch_outcome"], listed["last_touch_by"])])
    table = ["owner", *circleback.CIRCLE_BACK_COLUMNS, "call_on", "contact_every", "last_touch", "talking_point"]
    json_keys = (*circleback.CIRCLE_BACK_COLUMNS, "owner", "talking_point", "last_touchpoint")
    return ReportRows(rows.reset_index(drop=True), json_keys, events, table_columns=tuple(table),
                      calendar_files=files)


def classify_reasons(settings: Settings, texts: list[str], outcome: str | None = None) -> pd.DataFrame:
    """Class, category and deciding rule per reason text (DESIGN §4), with the
    built-in rules and the agency's reasons file; no workbook needed."""
    from .core import reasons

    return reasons.classify_texts(texts, load_rules(settings), outcome)


def evaluate_reasons(settings: Settings, path: str):
    """How the rules read a labelled CSV (columns text, class, category): accuracy per
    category and a confusion table (a ``reasons_report.Evaluation``)."""
    from pathlib import Path

    from .core import reasons_report as report
    from .errors import NotFoundError, SheetCRMError

    try:
        labelled = pd.read_csv(Path(path), dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except FileNotFoundError:
        raise NotFoundError(f"labelled file {path} does not exist") from None
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SheetCRMError(f"labelled file {path} cannot be read as CSV: {str(exc).splitlines()[0]}") from None
    missing = [c for c in ("text", "class", "category") if c not in labelled.columns]
    if missing:
        raise SheetCRMError(f"labelled file {path} needs the columns text, class, category (missing: {', '.join(missing)})")
    return report.evaluate(labelled, load_rules(settings))


def suggest_reason_rules(settings: Settings, today: dt.date, backend: Backend | None = None):
    """[[rule]] blocks for config/reasons.toml drawn from Pipeline rows whose
    reason_label the rules do not read from the text (a ``reasons_report.Suggestions``)."""
    from .core import reasons_report as report
    from .rules import read_rule_files

    analysis = calls_of_workbook(settings, today, backend)
    return report.suggest_rules(analysis.clean[schema.PIPELINE], read_rule_files(settings.reasons_files))


def reasons_report(settings: Settings, today: dt.date, backend: Backend | None = None):
    """Rejection classes and categories per position and ALL, and the unclassified
    texts with how often each occurs (a ``reasons.ReasonsReport``)."""
    from .core import reasons_report as report

    analysis = calls_of_workbook(settings, today, backend)
    return report.reasons_report(analysis.clean[schema.PIPELINE])


def match_report(settings: Settings, position_id: str, today: dt.date, backend: Backend | None = None,
                 shortlist: str | None = None, with_contact: bool = False) -> ReportRows:
    """The backpocket for one position: every callable person who fits it, overdue,
    due, scheduled, then the rest, best skill coverage first, with why each fits.
    ``shortlist``: also a CSV a hiring manager can read (``calendar_events`` = people in it)."""
    from .core import matching
    from .errors import NotFoundError

    analysis = calls_of_workbook(settings, today, backend)
    positions = analysis.clean[schema.POSITIONS]
    if not (positions["position_id"] == position_id).any():
        raw = analysis.frames[schema.POSITIONS]
        rows = raw.index[raw["position_id"].astype(str).str.strip() == position_id].tolist()
        if rows:
            raise NotFoundError(f"position {position_id} (Positions row {rows[0]}) has errors; "
                                "fix them first (see `sheetcrm validate`)")
        raise NotFoundError(f"position {position_id} is not in the Positions tab")
    found = matching.match_position(position_id, analysis.clean[schema.CANDIDATES], positions,
                                      analysis.clean[schema.PIPELINE], analysis.circle, settings, today)
    shown = tuple(c for c in matching.MATCH_COLUMNS if c != "why") + matching.MATCH_DETAIL_COLUMNS
    written = _shortlist(shortlist, found, analysis.clean[schema.CANDIDATES], with_contact) if shortlist else None
    return ReportRows(found, matching.MATCH_COLUMNS, written, table_columns=shown)


SHORTLIST_COLUMNS = ("candidate_id", "name", "skills_covered", "must_haves", "years", "location", "salary",
                     "available_from")


def _shortlist(path: str, found: pd.DataFrame, candidates: pd.DataFrame, with_contact: bool) -> int:
    """The matches as a hiring manager reads them: who, and why they fit; the email
    and phone only when asked (``with_contact``): a shortlist travels further than the sheet."""
    from pathlib import Path

    from . import output
    from .errors import SheetCRMError

    rows = found[list(SHORTLIST_COLUMNS)]
    if with_contact:
        people = candidates.drop_duplicates("candidate_id").set_index("candidate_id")
        rows = rows.assign(email=rows["candidate_id"].map(people["email"]),
                           phone=rows["candidate_id"].map(people["phone"]))
    try:
        Path(path).write_text(output.render(rows, "csv") + "\n", encoding="utf-8-sig")
    except OSError as exc:
        raise SheetCRMError(f"shortlist {path} could not be written ({exc.strerror or exc})") from None
    return len(rows)


def forget_person(settings: Settings, today: dt.date, email: str | None = None, phone: str | None = None,
                  candidate_id: str | None = None, backend: Backend | None = None, confirm=None):
    """Erase a person everywhere (GDPR), keep their id for the counts, suppress
    their email/phone hashes, then sync. ``confirm(question)`` is asked before
    anything is written (raise to stop). Returns a ``forget.ForgetResult``."""
    from .workbook import forget

    return forget.forget(_open(settings, backend), settings, today, email=email, phone=phone,
                         candidate_id=candidate_id, confirm=confirm)


def auth_check(settings: Settings):
    """`auth check`: do the Google credentials work, is the sheet reachable and writable?
    Returns a ``gsheets.AccessReport`` (its ``lines()`` are what the command prints)."""
    from .workbook.backends import gsheets  # imports gspread: only when Google Sheets is asked for

    return gsheets.check_access(settings)


def auth_login(settings: Settings, flow=None):
    """`auth login`: sign in to Google in the browser (credentials_type = "oauth") and save
    the sign-in, readable only by its owner, replacing an expired one. ``flow(client,
    scopes)`` stands in for the browser in tests. Returns a ``gsheets_auth.LoginReport``."""
    from .workbook.backends import gsheets_auth  # imports google-auth only when asked for

    return gsheets_auth.login(settings, flow=flow)


def doctor(settings: Settings, backend: Backend | None = None):
    """`sheetcrm doctor`: check a workbook or sheet and its setup. Returns a
    ``doctor.DoctorReport`` (``lines()``, ``rows()``, ``blocks_sync``)."""
    from .workbook import doctor as doctor_mod

    from .workbook.backends import open_backend

    return doctor_mod.examine(settings, (lambda _settings: backend) if backend is not None else open_backend)


def upgrade_workbook(settings: Settings, backend: Backend | None = None):
    """`sheetcrm init --upgrade`: add missing tabs, columns, dropdowns, highlighting,
    formats, frozen headers and widen filters, changing no person's cell. Returns an
    ``upgrade.UpgradeResult``."""
    from .workbook import upgrade

    return upgrade.upgrade(_open(settings, backend), settings)


def drafts_report(settings: Settings, today: dt.date, owner: str | None = None, within: int | None = None,
                  eml: str | None = None, backend: Backend | None = None) -> ReportRows:
    """A first message for each due or overdue person (``within``: also those scheduled
    in the next DAYS days), ``owner``'s only if given: to, subject, body; with ``eml``,
    one .eml draft per person with an email in that folder (DESIGN §7 `drafts`)."""
    from . import drafts as drafts_io
    from .core import call_list, circleback, drafts

    messages = drafts_io.load_messages(settings)  # a bad template file stops before the workbook is read
    analysis = calls_of_workbook(settings, today, backend)
    listed = circleback.listed(analysis.circle, today, within or 0)
    listed = call_list.by_owner(call_list.for_owner(drafts.due_for_drafts(listed, today, within), owner))
    rows = drafts.drafts(listed, analysis.clean[schema.CANDIDATES], analysis.clean[schema.POSITIONS], messages,
                         settings)
    written = drafts_io.write_eml(eml, rows) if eml else []
    return ReportRows(rows, drafts.DRAFT_COLUMNS, calendar_events=len(written))
