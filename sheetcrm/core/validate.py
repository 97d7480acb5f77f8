"""Pure validation: raw frames -> (clean frames, issues frame). No I/O, no clock.

Every problem is collected as a row (tab, row, column, value, severity, message,
suggestion); none stops the run. Rows with an error-level problem are left out of
the clean frames (and so out of figures and circle-backs); warnings keep the row.

Clean frames keep the sheet row number as index and hold typed values:

* dates: ``datetime64[ns]`` (NaT when blank)
* numbers: float64 (NaN when blank); ``attempts`` / ``responded_on_attempt``: Int64
* enums: canonical lowercase text or None; Pipeline ``outcome`` blank -> ``open``
* ``skills``: tuple of lowercase skill names (empty tuple when blank)
* ``do_not_contact``: bool
* text: stripped str or None
* added columns: Candidates ``email_norm``, ``phone_e164``, ``contact_every_days``
  (config default filled in); Candidates/Positions ``city``, ``country`` (lowercase,
  None when unknown), ``remote`` (bool); Candidates ``forgotten`` (bool: the row of a
  person who asked to be forgotten, see :data:`sheetcrm.privacy.FORGOTTEN_NAME`)
* Pipeline ``attempts``: blank with first_contacted set = 1, else blank = 0; a
  blank ``attempts`` is raised to ``responded_on_attempt`` (with a warning)

The checks live by job: :mod:`.columns` (typing each column, on :mod:`.distinct`
values), :mod:`.contacts` (emails, phones), :mod:`.row_rules` (rules across columns
and rows, references), :mod:`.duplicate_people`, :mod:`.open_rows` (open rows on
roles that are gone or on hold, stale open rows). Speed: each *distinct* value is
parsed once, so 100,000 candidates and 300,000 pipeline rows take seconds.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

import pandas as pd

from .. import schema
from ..config import Settings
from . import Frames, with_all_tabs
from .columns import add_location, drop_blank_rows, type_tab
from .contacts import check_emails, check_phones
from .duplicate_people import duplicate_people
from .issues import IssueLog, error_rows, issues_frame, row_issue_texts  # noqa: F401  (re-exported)
from .open_rows import open_row_warnings
from .sources import source_warnings
from .row_rules import candidate_rules, pipeline_rules, references, touchpoint_rules, unique_ids


# What a caller may have read already: the raw phone cells' texts as E.164
# (contacts.read_phones), asked for when the phones are checked; None: read here.
ReadPhones = Callable[[], "Mapping[str, str | None] | None"]


def validate(frames: Frames, settings: Settings, today: dt.date,
             read_phones: ReadPhones | None = None) -> tuple[Frames, pd.DataFrame]:
    """Check every row of every input tab. Returns the clean frames (rows
    without errors, typed) and every problem found, as an issues frame.
    ``read_phones``: see :data:`ReadPhones` (the result is the same with or without it)."""
    log = IssueLog(settings)
    frames = with_all_tabs(frames)
    both = {key: drop_blank_rows(frames[key], key) for key in schema.INPUT_TABS}
    frames = {key: f for key, (f, _) in both.items()}
    distinct = {key: d for key, (_, d) in both.items()}
    typed = {key: type_tab(log, key, frames[key], settings, today, distinct[key]) for key in schema.INPUT_TABS}

    cands = typed[schema.CANDIDATES]
    check_emails(log, cands)
    check_phones(log, cands, settings, read_phones() if read_phones is not None else None)
    cands["contact_every_days"] = cands["contact_every"].fillna(settings.default_contact_every_days).astype("Int64")
    add_location(cands)
    candidate_rules(log, cands, frames[schema.CANDIDATES], distinct[schema.CANDIDATES])
    add_location(typed[schema.POSITIONS])

    pipe = typed[schema.PIPELINE]
    pipeline_rules(log, pipe, frames[schema.PIPELINE], distinct[schema.PIPELINE])

    unique_ids(log, schema.CANDIDATES, cands, "candidate_id")
    unique_ids(log, schema.POSITIONS, typed[schema.POSITIONS], "position_id")
    references(log, pipe, "candidate_id", cands["candidate_id"], schema.CANDIDATES, settings)
    references(log, pipe, "position_id", typed[schema.POSITIONS]["position_id"], schema.POSITIONS, settings)
    touch = typed[schema.TOUCHPOINTS]
    touchpoint_rules(log, touch)
    for column, known, tab_key in (("candidate_id", cands["candidate_id"], schema.CANDIDATES),
                                   ("position_id", typed[schema.POSITIONS]["position_id"], schema.POSITIONS)):
        references(log, touch, column, known, tab_key, settings, key=schema.TOUCHPOINTS)
    duplicate_people(log, cands)
    open_row_warnings(log, pipe, typed[schema.POSITIONS], cands, settings, today, touch)
    source_warnings(log, cands)

    issues = log.frame()
    clean = _drop_error_rows(typed, issues, settings)
    return clean, issues


def _drop_error_rows(typed: Frames, issues: pd.DataFrame, settings: Settings) -> Frames:
    """Each tab without its rows that have an error (what :func:`error_rows` names)."""
    errors = issues["severity"].to_numpy() == "error"
    tabs, rows = issues["tab"].to_numpy()[errors], issues["row"].to_numpy()[errors]
    clean: Frames = {}
    for key, frame in typed.items():
        bad = rows[tabs == settings.tab_title(key)]
        # A shallow copy: the filtered frame is new data already; a deep copy would only
        # merge its columns into blocks (0.03 s at 100k) that no caller needs.
        clean[key] = frame[~frame.index.isin(bad)].copy(deep=False) if len(bad) else frame
    return clean
