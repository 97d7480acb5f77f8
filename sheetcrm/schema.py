"""Tabs, columns and allowed values: the single source of truth (DESIGN §2, §4).

Headers, dropdowns, validation and the owned columns all come from here.

Frame conventions shared by every module:

* **raw frames** (``Frames``: dict logical tab -> DataFrame), made by
  :func:`sheetcrm.sheet.to_frames`: one column per schema column of the tab (input
  and owned; a column missing from the sheet is all ``None``), dtype object, cells
  exactly as read (str, int, float, bool, datetime, date, None). The index is the
  spreadsheet's own row number (header = row 1, so the first data row is 2), named
  ``row``. Blank rows are dropped.
* **clean frames**, made by :func:`sheetcrm.validate.validate` from raw frames: only
  the rows without error-level problems, same index, typed values (see
  ``validate.py``).
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

# Logical tab keys. Display titles come from settings (config ``[tabs]``).
CANDIDATES = "candidates"
POSITIONS = "positions"
PIPELINE = "pipeline"
SUMMARY = "summary"
CIRCLE_BACKS = "circle_backs"
ISSUES = "issues"
SUPPRESSED = "suppressed"
TOUCHPOINTS = "touchpoints"

INPUT_TABS = (CANDIDATES, POSITIONS, PIPELINE, TOUCHPOINTS)
# Input tabs a workbook may lack: it then works as before (DESIGN §2); `init` creates them.
OPTIONAL_TABS = (TOUCHPOINTS,)
OWNED_TABS = (SUMMARY, CIRCLE_BACKS, ISSUES)

DEFAULT_TAB_TITLES = {
    CANDIDATES: "Candidates",
    POSITIONS: "Positions",
    PIPELINE: "Pipeline",
    SUMMARY: "Summary",
    CIRCLE_BACKS: "Circle-backs",
    ISSUES: "Issues",
    SUPPRESSED: "Suppressed",
    TOUCHPOINTS: "Touchpoints",
}

# Enums (DESIGN §2, §4)
SEEKER_TYPES = ("active", "passive")
YES_NO = ("yes", "no")
INTERESTS = ("interested", "not_interested")
OUTCOMES = ("open", "hired", "rejected", "declined", "ghosted")
DECIDED_OUTCOMES = ("hired", "rejected", "declined", "ghosted")
POSITION_STATUSES = ("open", "on_hold", "filled", "closed")
WORK_MODES = ("remote", "hybrid", "onsite")
CHANNELS = ("call", "email", "message", "meeting", "other")
# Touchpoints outcomes (DESIGN §2, §6): what came of one contact with a person.
TOUCH_OUTCOMES = ("reached", "no_answer", "left_message", "replied", "call_back_later", "not_interested",
                  "do_not_contact")
SOURCES = ("job_board", "linkedin", "referral", "competitor", "vendor", "other_industry", "university", "event",
           "database", "other")

HARD_NO = "hard_no"
SOFT_NO = "soft_no"
UNCLASSIFIED = "unclassified"
REJECTION_CLASSES = (HARD_NO, SOFT_NO, UNCLASSIFIED)

HARD_NO_CATEGORIES = (
    "career_change",
    "false_information",
    "unavailable_permanently",
    "conduct",
    "client_complaint",
    "do_not_contact",
)
SOFT_NO_CATEGORIES = (
    "salary",
    "availability",
    "location",
    "experience",
    "skills",
    "declined_role",
    "sponsor_rejected",
    "ghosted",
)
CATEGORY_CLASS = {
    **{c: HARD_NO for c in HARD_NO_CATEGORIES},
    **{c: SOFT_NO for c in SOFT_NO_CATEGORIES},
    UNCLASSIFIED: UNCLASSIFIED,
}

CIRCLE_BACK_STATUSES = ("due", "overdue", "scheduled", "never", "review", "")
CALLABLE = ("due", "overdue", "scheduled")  # statuses of people a recruiter may call
TURNED_DOWN = ("rejected", "declined", "ghosted")  # outcomes that get a rejection class

# Column types understood by validate.py
TEXT, EMAIL, PHONE, LOCATION, LIST, NUMBER, INTEGER, DATE, DURATION, BOOL, ENUM = (
    "text", "email", "phone", "location", "list", "number", "integer", "date",
    "duration", "bool", "enum",
)


@dataclass(frozen=True)
class Column:
    name: str
    kind: str = TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    owned: bool = False
    # Header row required even when every cell may be blank (tab is unusable without it).
    required_header: bool = False
    note: str = ""


@dataclass(frozen=True)
class Tab:
    key: str
    columns: tuple[Column, ...]
    # Columns whose values identify a row when writing back (DESIGN §3): a write lands
    # only on a row whose identity cells still hold what we read.
    identity: tuple[str, ...] = field(default=())

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def input_columns(self) -> list[Column]:
        return [c for c in self.columns if not c.owned]

    @property
    def owned_columns(self) -> list[Column]:
        return [c for c in self.columns if c.owned]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


CANDIDATES_TAB = Tab(
    CANDIDATES,
    (
        Column("candidate_id", TEXT, required_header=True, note="blank: sheetcrm assigns the next C-00001 id"),
        Column("name", TEXT, required=True, required_header=True),
        Column("email", EMAIL),
        Column("phone", PHONE),
        Column("location", LOCATION),
        Column("skills", LIST),
        Column("years_experience", NUMBER),
        Column("seeker_type", ENUM, choices=SEEKER_TYPES),
        Column("salary_expectation", NUMBER),
        Column("available_from", DATE),
        Column("contact_every", DURATION),
        Column("last_contacted", DATE),
        Column("do_not_contact", BOOL, choices=YES_NO),
        Column("notes", TEXT),
        Column("owner", TEXT, note="the recruiter who looks after this person; blank: the team"),
        Column("source", TEXT, note="where the person came from (SOURCES suggested)"),
        Column("referred_by", TEXT, note="candidate_id of the referrer, or a name"),
        Column("open_to_relocation", BOOL, choices=YES_NO),
        Column("rejection_class", owned=True),
        Column("next_circle_back", DATE, owned=True),
        Column("circle_back_status", owned=True),
        Column("row_issues", owned=True),
    ),
    identity=("candidate_id", "name"),
)

POSITIONS_TAB = Tab(
    POSITIONS,
    (
        Column("position_id", TEXT, required=True, required_header=True),
        Column("title", TEXT, required=True, required_header=True),
        Column("client", TEXT),
        Column("skills", LIST),
        Column("location", LOCATION),
        Column("salary_max", NUMBER),
        Column("status", ENUM, required=True, required_header=True, choices=POSITION_STATUSES),
        Column("opened_on", DATE),
        Column("min_years", NUMBER),
        Column("work_mode", ENUM, choices=WORK_MODES),
        Column("hiring_manager", TEXT),
        Column("backpocket_matches", INTEGER, owned=True),
        Column("backpocket_due", INTEGER, owned=True),
        Column("row_issues", owned=True),
    ),
    identity=("position_id", "title"),
)

PIPELINE_TAB = Tab(
    PIPELINE,
    (
        Column("candidate_id", TEXT, required=True, required_header=True),
        Column("position_id", TEXT, required=True, required_header=True),
        Column("first_contacted", DATE),
        Column("attempts", INTEGER),
        Column("responded_on_attempt", INTEGER),
        Column("interest", ENUM, choices=INTERESTS),
        Column("outcome", ENUM, choices=OUTCOMES),
        Column("rejection_reason", TEXT),
        Column("decided_on", DATE),
        Column("reason_label", ENUM, choices=HARD_NO_CATEGORIES + SOFT_NO_CATEGORIES),
        Column("rejection_class", owned=True),
        Column("rejection_category", owned=True),
        Column("row_issues", owned=True),
    ),
    identity=("candidate_id", "position_id", "outcome", "rejection_reason", "decided_on"),
)

TOUCHPOINTS_TAB = Tab(
    TOUCHPOINTS,
    (
        Column("date", DATE, required=True, required_header=True),
        Column("candidate_id", TEXT, required=True, required_header=True),
        Column("position_id", TEXT),
        Column("by", TEXT, note="who made the contact"),
        Column("channel", ENUM, choices=CHANNELS),
        Column("outcome", ENUM, required=True, required_header=True, choices=TOUCH_OUTCOMES),
        Column("follow_up_on", DATE, note="the person asked to be contacted again on or after this date"),
        Column("note", TEXT),
        Column("row_issues", owned=True),
    ),
    identity=("date", "candidate_id", "outcome", "note"),
)

INPUT_TAB_SCHEMAS: dict[str, Tab] = {
    CANDIDATES: CANDIDATES_TAB,
    POSITIONS: POSITIONS_TAB,
    PIPELINE: PIPELINE_TAB,
    TOUCHPOINTS: TOUCHPOINTS_TAB,
}

# Columns that get a dropdown in workbooks sheetcrm creates.
DROPDOWNS: dict[str, dict[str, tuple[str, ...]]] = {
    CANDIDATES: {"seeker_type": SEEKER_TYPES, "do_not_contact": YES_NO, "open_to_relocation": YES_NO},
    POSITIONS: {"status": POSITION_STATUSES, "work_mode": WORK_MODES},
    PIPELINE: {"interest": INTERESTS, "outcome": OUTCOMES},
    TOUCHPOINTS: {"channel": CHANNELS, "outcome": TOUCH_OUTCOMES},
}

ISSUE_COLUMNS = ("tab", "row", "column", "value", "severity", "message", "suggestion")

SUPPRESSED_COLUMNS = ("hash", "kind", "suppressed_on")

# The Circle-backs tab's header and the fills of due / overdue rows (core builds the
# rows, the workbook layer the highlighting: both read them here).
# Told apart by lightness as well as hue, so people with red-green colour-blindness see
# three different fills: due (pale yellow), overdue (deep orange) and a row with an issue
# (lavender; tests/test_readable.py checks the distances under simulated colour-blindness).
DUE_COLOURS = {"due": "FFF2CC", "overdue": "F4B183"}
ISSUE_COLOUR = "D9D2E9"
CIRCLE_BACK_HEADER = ["owner", "candidate_id", "name", "circle_back_status", "next_circle_back", "rejection_category",
                      "last_contact", "contact_every", "last_touchpoint", "email", "phone", "suggested_positions",
                      "talking_point"]
# Headers earlier versions wrote (a tab holding one of them is still sheetcrm's own).
PAST_CIRCLE_BACK_HEADERS = (
    ["candidate_id", "name", "circle_back_status", "next_circle_back", "rejection_category", "last_contact",
     "contact_every", "suggested_positions", "talking_point"],
)


def normalise_header(text: object) -> str:
    """`Candidate ID`, ` candidate_id `, `CANDIDATE-ID`  ->  `candidate_id`."""
    s = "" if text is None else str(text)
    s = s.strip().lower().replace("-", " ").replace("_", " ")
    return "_".join(s.split())


# Common spellings people give a column (DESIGN §2), by tab, as header_key() reads
# them. Only spellings that mean the same thing: a "contact ok?" column means the
# opposite of do_not_contact and is never mapped to it.
HEADER_SYNONYMS: dict[str, dict[str, str]] = {
    CANDIDATES: {
        "dnc": "do_not_contact", "dont_contact": "do_not_contact", "do_not_call": "do_not_contact",
        "dont_call": "do_not_contact", "no_contact": "do_not_contact", "do_not_contact_flag": "do_not_contact",
        "dnc_flag": "do_not_contact", "do_not_approach": "do_not_contact",
    },
    PIPELINE: {
        "reason": "rejection_reason", "reasons": "rejection_reason", "rejection_reasons": "rejection_reason",
        "reason_for_rejection": "rejection_reason", "rejected_because": "rejection_reason",
        "why_rejected": "rejection_reason", "rejection_note": "rejection_reason", "rejection_notes": "rejection_reason",
    },
}
# Characters a header can carry without anyone seeing them (pasted from chat, web pages).
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2212]")


def header_key(text: object) -> str:
    """How a header is matched: :func:`normalise_header` after dropping invisible
    characters, a parenthesised hint and trailing punctuation, and apostrophes:
    `Do not contact?`, `do not contact (y/n)`, `Do not contact\u200b` -> `do_not_contact`;
    `Don't contact` -> `dont_contact` (a synonym)."""
    s = "" if text is None else unicodedata.normalize("NFKC", str(text)).translate(_INVISIBLE)
    s = _DASHES.sub("-", s)
    s = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", s)
    s = re.sub(r"['\u2019`]", "", s)
    s = re.sub(r"[?!:*.#/]+", " ", s)
    return normalise_header(s)


@dataclasses.dataclass(frozen=True)
class ChartSpec:
    """A native bar chart of an owned tab (not a picture): labels and values are cells
    of the tab, rows ``first_row``..``last_row`` (1-based); drawn with its top-left
    corner at (``anchor_row``, ``anchor_col``)."""

    title: str
    label_col: int
    value_col: int
    first_row: int
    last_row: int
    anchor_row: int
    anchor_col: int


@dataclasses.dataclass
class OwnedTab:
    """A tab sheetcrm rewrites whole. ``volatile`` cells (row, col, 1-based) are
    ignored when deciding whether anything changed (e.g. the sync time)."""

    title: str
    rows: list[list[Any]]
    volatile: frozenset[tuple[int, int]] = frozenset()
    # Presentation hints a backend may honour: header rows to freeze, columns
    # holding dates or percentages (1-based), widths.
    freeze_rows: int = 1
    date_columns: tuple[int, ...] = ()
    percent_columns: tuple[int, ...] = ()
    bold_rows: tuple[int, ...] = (1,)
    widths: tuple[float | None, ...] = ()  # column widths in characters from column A; None: leave as is
    align_right: tuple[int, ...] = ()  # columns of numbers: their headers sit right-aligned over them
    wrap_columns: tuple[int, ...] = ()  # long text wraps inside the cell (see core/readable.py)
    row_lines: dict[int, int] = dataclasses.field(default_factory=dict)  # row -> text lines it must show
    charts: tuple[ChartSpec, ...] = ()
    # Which of sheetcrm's tabs this is (OWNED_TABS): backends mark it, and refuse a tab
    # with its title that is not theirs (the config key tabs.<key> renames sheetcrm's).
    key: str = ""
