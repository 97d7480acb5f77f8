"""Who must never be called, and who waits for a person (DESIGN §4, §6).

The whole policy lives here, and this is the only module that gives a person
the status ``never`` or ``review`` (tests/test_never_call.py keeps it so).

How :mod:`sheetcrm.core.analysis` uses it, in order:

1. :func:`left_out_rows` - what rows left out for errors still say (a hard-no
   reason or a do_not_contact there still forbids calls; any other error holds
   the person for review);
2. :func:`sheetcrm.core.intake_guard.re_added_people` - a hard-no, do-not-contact or forgotten person re-added
   under a new id is an error, and that row leaves circle-backs;
3. :func:`decide` - per candidate_id, ``never`` (with the rule that said so) and
   the review holds;
4. :func:`sheetcrm.core.circleback.circle_backs` schedules everyone else and ends
   with :func:`apply`, the last word on every status.

Adding a rule: write one ``_never_<rule>(facts) -> candidate_ids`` function and
list it in :data:`NEVER_RULES` (Facts grows a field when the rule needs new input).
"""
from __future__ import annotations

import dataclasses
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import privacy, schema
from ..config import Settings
from ..schema import CALLABLE
from ..values import is_blank, parse_bool
from . import Frames, reasons
from .intake_guard import suppressed_ids
from .issues import IssueLog
from .near import closest

NEVER = "never"  # must never be called (hard-no, do_not_contact, suppressed, forgotten)
REVIEW = "review"  # a person must look first (unclassified decision, incomplete record)


@dataclasses.dataclass
class LeftOut:
    """What rows left out for an error still say (see :func:`left_out_rows`)."""

    never: set[str]  # candidate_ids that must never be called
    review: set[str]  # candidate_ids whose record is incomplete
    blockers: pd.DataFrame  # do-not-contact rows for the intake guard (index: row)
    issues: pd.DataFrame | None = None  # rows whose mistyped id was read as a person's, for safety


@dataclasses.dataclass
class Facts:
    """Everything the never-call rules read."""

    candidates: pd.DataFrame  # clean Candidates (validate's typed columns)
    pipeline: pd.DataFrame  # clean Pipeline, classified
    candidate_class: pd.Series  # candidate_id -> hard_no / soft_no / None
    settings: Settings
    suppressed: pd.DataFrame | None = None  # the Suppressed tab, or None
    left_out: LeftOut | None = None
    touchpoint_never: set[str] = dataclasses.field(default_factory=set)  # see :func:`touchpoint_never`


@dataclasses.dataclass
class Verdicts:
    """``never``: candidate_id -> the rule that forbids calling them (first rule
    wins); ``hold``: ids held for review while their record is incomplete."""

    never: pd.Series
    hold: set[str]
    _asked: tuple[pd.Index, np.ndarray] | None = dataclasses.field(default=None, repr=False, compare=False)

    def never_mask(self, ids: pd.Index) -> np.ndarray:
        """Per id: must they never be called? circle_backs asks it for its people and
        then :func:`apply` for the same Index: answered once (0.02 s at 100k)."""
        if self._asked is not None and self._asked[0] is ids:
            return self._asked[1].copy()
        mask = ids.isin(self.never.index)
        self._asked = (ids, mask)
        return mask.copy()


# -- the never rules (DESIGN §4, §6), one function each ---------------------------

def _never_do_not_contact(facts: Facts) -> Iterable[str]:
    """§2/§6: do_not_contact on any Candidates row of theirs (duplicate rows too)."""
    cands = facts.candidates
    return cands.loc[cands["do_not_contact"].to_numpy(dtype=bool), "candidate_id"]


def _never_hard_no(facts: Facts) -> Iterable[str]:
    """§4: any hard-no row makes the person hard-no; never approach again."""
    pipe = facts.pipeline
    hard_rows = pipe.loc[(pipe["rejection_class"] == schema.HARD_NO).to_numpy(dtype=bool), "candidate_id"]
    cls = facts.candidate_class
    hard_people = cls.index[(cls == schema.HARD_NO).to_numpy(dtype=bool)].tolist() if len(cls) else []
    return [*hard_rows.tolist(), *hard_people]


def _never_forgotten(facts: Facts) -> Iterable[str]:
    """GDPR: a person erased by `forget` keeps only their id and is never called."""
    cands = facts.candidates
    return cands.loc[(cands["name"] == privacy.FORGOTTEN_NAME).to_numpy(dtype=bool), "candidate_id"]


def _never_suppressed(facts: Facts) -> Iterable[str]:
    """GDPR: an email or phone on the Suppressed tab belongs to a forgotten person."""
    if facts.suppressed is None or not len(facts.suppressed):
        return []
    return suppressed_ids(facts.candidates, facts.suppressed, facts.settings)


def _never_left_out(facts: Facts) -> Iterable[str]:
    """A hard-no reason or do_not_contact on a row left out for an error still counts."""
    return facts.left_out.never if facts.left_out is not None else []


def _never_touchpoint(facts: Facts) -> Iterable[str]:
    """§6: a touchpoint with outcome do_not_contact, or whose note reads hard-no."""
    return facts.touchpoint_never


NEVER_RULES: tuple[tuple[str, Callable[[Facts], Iterable[str]]], ...] = (
    ("do_not_contact", _never_do_not_contact),
    ("hard_no", _never_hard_no),
    ("touchpoint", _never_touchpoint),
    ("left_out_row", _never_left_out),
    ("forgotten", _never_forgotten),
    ("suppressed", _never_suppressed),
)


def decide(facts: Facts) -> Verdicts:
    """The entry point: who must never be called (and by which rule), who is held."""
    found = [pd.Series(name, index=pd.Index(_listed(rule(facts)), dtype=object), dtype=object)
             for name, rule in NEVER_RULES]
    never = pd.concat(found) if found else pd.Series(dtype=object)
    never = never[~never.index.duplicated()]  # the first rule that matched names the reason
    # then the blank ids out (a blank id is blank in each of its entries: the order of the two does not matter)
    never = never[never.index.notna() & (never.index.astype(str).str.strip() != "")]
    hold = set(facts.left_out.review).difference(never.index.tolist()) if facts.left_out is not None else set()
    return Verdicts(never, hold)


def _listed(ids: Iterable[str]) -> list[str]:
    """A rule's ids as a list: a pandas column or index through tolist (iterating one is slow)."""
    return ids.tolist() if isinstance(ids, (pd.Series, pd.Index, np.ndarray)) else list(ids)


def apply(circle: pd.DataFrame, verdicts: Verdicts, latest_class: np.ndarray) -> pd.DataFrame:
    """The last word on ``circle_back_status`` (index: candidate_id). ``never`` beats
    everything; ``review`` when the latest decision is unclassified (shown even with
    an open row: the label is missing either way) or when a callable person's
    record is incomplete (they wait, without a date or suggestions, until fixed)."""
    never = verdicts.never_mask(circle.index)
    unclassified = np.asarray(latest_class == schema.UNCLASSIFIED, dtype=bool)
    status = circle["circle_back_status"].to_numpy(dtype=object).copy()
    held = circle.index.isin(list(verdicts.hold)) & np.isin(status, CALLABLE) & ~never
    status = np.where(never, NEVER, np.where(unclassified | held, REVIEW, status))
    # A shallow copy whose changed columns are replaced whole, never written into: the
    # caller's frame stays as it was (pandas 2 without copy-on-write too), with no deep copy.
    circle = circle.copy(deep=False)
    circle["circle_back_status"] = status
    if held.any():
        nxt = circle["next_circle_back"].to_numpy(dtype=object).copy()
        nxt[held] = None
        suggested = circle["suggested_positions"].to_numpy(dtype=object).copy()
        for i in np.flatnonzero(held).tolist():
            suggested[i] = []
        circle["next_circle_back"] = nxt
        circle["suggested_positions"] = suggested
    return circle


# -- Touchpoints (the call log) -------------------------------------------------

def touchpoint_never(touchpoints: pd.DataFrame, rules: reasons.RuleSet, known: reasons.Known | None = None) -> set[str]:
    """candidate_ids a clean Touchpoints row forbids calling: outcome do_not_contact
    (as do_not_contact = yes; their Candidates cell is never written), or a note
    that reads hard-no ("asked us never to call again"), each distinct note read once."""
    if not len(touchpoints):
        return set()
    says_no = (touchpoints["outcome"] == "do_not_contact").to_numpy(dtype=bool) | \
        touchpoints["note"].isin(_hard_texts(touchpoints["note"], rules, known)).to_numpy(dtype=bool)
    return {cid for cid in touchpoints.loc[says_no, "candidate_id"] if not is_blank(cid)}


def _hard_texts(texts: Iterable[Any], rules: reasons.RuleSet, known: reasons.Known | None = None) -> set[str]:
    """The distinct texts that read hard-no (``known``: texts read already, see reasons.read_distinct)."""
    distinct = {str(t) for t in texts if not is_blank(t)}
    return {t for t in distinct if reasons.classify(t, None, rules, known).cls == schema.HARD_NO}


def _left_out_touchpoints(frames: Frames, clean: Frames, rules: reasons.RuleSet, never: set[str],
                          review: set[str], known: reasons.Known | None = None) -> None:
    """Touchpoints rows left out for an error still speak: an outcome or a note that
    says do-not-contact (typed as people type it: "DNC", "do not contact") forbids
    calls for the person the id most likely means; any other error holds them for review."""
    touch = frames.get(schema.TOUCHPOINTS)
    if touch is None or not len(touch):
        return
    bad = touch[~touch.index.isin(clean[schema.TOUCHPOINTS].index)]
    if not len(bad):
        return
    outcomes = [str(o) for o in bad["outcome"] if not is_blank(o)]
    hard = _hard_texts([*bad["note"], *outcomes], rules, known)
    resolve = IdResolver(frames[schema.CANDIDATES]["candidate_id"])
    for raw, outcome, note in zip(bad["candidate_id"], bad["outcome"], bad["note"]):
        said = "" if is_blank(outcome) else schema.header_key(outcome)
        says_no = said in ("do_not_contact", "dnc", "dont_contact", "do_not_call") or \
            (not is_blank(outcome) and str(outcome) in hard) or (not is_blank(note) and str(note) in hard)
        cid, sure = resolve(_id(raw), near=says_no)
        if cid:
            (never if says_no and sure else review).add(cid)


# -- rows left out for errors ---------------------------------------------------

def left_out_rows(frames: Frames, clean: Frames, rules: reasons.RuleSet, settings: Settings,
                  known: reasons.Known | None = None) -> LeftOut:
    """Rows left out for an error still speak for the person's safety: a wrong
    "call this person" is worse than none. Returns the candidate_ids that must
    never be called (a do_not_contact row, even unreadable like "DNC", or a
    reason that reads hard-no), the ids to hold for review (another row of theirs
    has an error, so their record is incomplete), and the do-not-contact rows as
    blockers for the intake guard (candidate_id, email_norm, phone_e164, ...).
    ``known``: texts read already (reasons.read_distinct), not read again."""
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
                "email_norm": privacy.normalise_email(email) if isinstance(email, str) and email.strip() else None,
                "phone_e164": privacy.normalise_phone(phone, settings.phone_region) if not is_blank(phone) else None,
            })
        elif cid:
            review.add(cid)
    log = _left_out_pipeline(frames, clean, rules, settings, never, review, known)
    _left_out_touchpoints(frames, clean, rules, never, review, known)
    never.discard("")
    blockers = pd.DataFrame(blocker_rows).set_index("row") if blocker_rows else pd.DataFrame()
    return LeftOut(never, review, blockers, log.frame())


def _left_out_pipeline(frames: Frames, clean: Frames, rules: reasons.RuleSet, settings: Settings,
                       never: set[str], review: set[str], known: reasons.Known | None = None) -> IssueLog:
    """Pipeline rows left out: a hard-no reason forbids calls for the person the
    row's id most likely means (a typo like ``c-00042`` or ``C‑00042`` is read as
    C-00042); when only a near id exists, that person is held for review. The row
    gets an issue naming whom it protects."""
    log = IssueLog(settings)
    pipe = frames[schema.PIPELINE]
    bad = pipe[~pipe.index.isin(clean[schema.PIPELINE].index)]
    texts = {str(t) for t in bad["rejection_reason"] if not is_blank(t)}
    read = _read_texts(clean[schema.PIPELINE])
    hard_texts = {t for t in texts  # each text once, and not again when a clean row already read it
                  if (read[t] if t in read else reasons.classify(t, None, rules, known).cls) == schema.HARD_NO}
    resolve = IdResolver(frames[schema.CANDIDATES]["candidate_id"])
    known, typed_ids = resolve.known_ids(), _ids(bad["candidate_id"])
    for row, raw, typed, text in zip(bad.index, bad["candidate_id"], typed_ids, bad["rejection_reason"]):
        hard = text in hard_texts if text.__class__ is str else not is_blank(text) and str(text) in hard_texts
        if typed in known:  # what resolve answers for a known id (most rows), without asking it
            (never if hard else review).add(typed)
            continue
        cid, sure = resolve(typed, near=hard)  # a near id matters only for a hard-no (and costs a search)
        if not cid:
            continue
        if sure:
            (never if hard else review).add(cid)
        elif hard:
            review.add(cid)
        if cid != typed and (hard or sure):
            what = "must never be called" if hard and sure else "is held for review"
            log.add(schema.PIPELINE, int(row), "candidate_id", raw, "error",
                    f"candidate_id is not in Candidates; read as {cid} for safety: {cid} {what} until this row "
                    f"names its person", cid)
    return log


def _read_texts(pipeline: pd.DataFrame) -> dict[str, Any]:
    """reason text -> the class classify_pipeline read from it, where no reason_label
    overruled the reading (a written reason is read from its text alone)."""
    if "rejection_class" not in pipeline or not len(pipeline):
        return {}
    read = pipeline["outcome"].isin(schema.TURNED_DOWN).to_numpy(dtype=bool) & \
        pipeline["rejection_reason"].notna().to_numpy(dtype=bool)
    if "reason_label" in pipeline:
        read &= pipeline["reason_label"].isna().to_numpy(dtype=bool)
    texts = pipeline.loc[read, ["rejection_reason", "rejection_class"]].drop_duplicates("rejection_reason")
    return {str(t): c for t, c in zip(texts["rejection_reason"].tolist(), texts["rejection_class"].tolist())
            if not is_blank(t)}


_ID_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"), None)
_ID_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u2212_./]+")
_ID_PARTS = re.compile(r"([A-Z]*)0*(\d+)")
_PLAIN_ID = re.compile(r"([A-Za-z]*)[-_. ]?(\d+)", re.A)
# How close (difflib ratio of normalised ids) a near id must be to name a person to hold.
NEAR_ID = 0.6


def id_key(value: str) -> str:
    """An id as people mistype it, normalised: case, spaces, dashes (the
    non-breaking hyphen too), zero-width characters and leading zeros do not
    count (``c 00042``, ``C-42``, ``C‑00042\u200b`` -> ``C42``)."""
    plain = _PLAIN_ID.fullmatch(value)
    if plain:  # the common case, ASCII: what the steps below make of it, without them
        return f"{plain[1].upper()}{int(plain[2])}"
    s = unicodedata.normalize("NFKC", value).translate(_ID_INVISIBLE).upper()
    s = _ID_SEPARATORS.sub("", s)
    m = _ID_PARTS.fullmatch(s)
    return f"{m[1]}{int(m[2])}" if m else s


# _PLAIN_ID per line (leading zeros outside the digits' group: what int() drops), else any line
_PLAIN_LINES = re.compile(r"^(?:([A-Za-z]*)[-_. ]?0*(\d+)|.*)$", re.ASCII | re.MULTILINE)


def id_keys(values: list[str]) -> list[str]:
    """:func:`id_key` of each value. The plain ones (nearly all) are read by one regex
    pass over all of them, one per line, instead of a match call each (0.1 s at 100k)."""
    joined = "\n".join(values)
    found = _PLAIN_LINES.findall(joined) if joined.count("\n") == len(values) - 1 else []
    if len(found) != len(values):  # a value with a line break in it: one by one
        return [id_key(v) for v in values]
    return [f"{letters.upper()}{digits}" if digits else id_key(v) for (letters, digits), v in zip(found, values)]


class IdResolver:
    """An id as typed -> (the candidate_id it most likely means, sure?)."""

    def __init__(self, known: pd.Series):
        self._known = known
        self.known: set[str] | None = None  # built on the first row that needs it (most syncs: none)
        self._keyed = False  # the keys below: built on the first id that is not known
        self.only: dict[str, str] = {}  # id_key -> the one known id with that key
        self.lowest: dict[str, str] = {}  # id_key -> the lowest known id with that key
        self.keys: list[str] = []  # every id_key, in the order the known ids first give them
        self.near: dict[str, str | None] = {}  # id_key -> closest(...) of it, asked once per key

    def known_ids(self) -> set[str]:  # an id as typed that is in it is answered as itself
        if self.known is None:
            self.known = {cid for cid in _ids(self._known) if cid}
        return self.known

    def _build(self) -> None:
        self._keyed = True
        cids = list(self.known_ids())
        keys = id_keys(cids)
        self.only = dict(zip(keys, cids))
        self.keys = list(self.only)
        self.lowest = dict(self.only)
        if len(self.only) < len(cids):  # some ids share a key (C-42 and c42): those keys name nobody for sure
            shared = {k for k, n in Counter(keys).items() if n > 1}
            for k, cid in zip(keys, cids):
                if k in shared:
                    self.lowest[k] = min(self.lowest[k], cid)
            for k in shared:
                del self.only[k]

    def __call__(self, typed: str, near: bool = True) -> tuple[str, bool]:
        if not typed or typed in self.known_ids():
            return typed, True
        if not self._keyed:
            self._build()
        key = id_key(typed)
        if key in self.only:
            return self.only[key], True
        if near and key not in self.near:
            self.near[key] = closest(key, self.keys, NEAR_ID)
        close = self.near[key] if near else None
        if close is not None:
            return self.lowest[close], False
        return typed, True  # nobody near: the row speaks for an id no one has



def _ids(values: pd.Series) -> list[str]:
    """:func:`_id` of each value; plain text (the usual id) only stripped."""
    return [v.strip() if v.__class__ is str else _id(v) for v in values.to_numpy(dtype=object)]


def _id(value: Any) -> str:
    if is_blank(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def classes_with_left_out(candidate_class: pd.Series, left_out: LeftOut,
                          touch_never: Iterable[str] = ()) -> pd.Series:
    """A person whose left-out row or touchpoint forbids calls is hard_no in their own
    rejection_class too (so the intake guard also stops them re-added under a new id)."""
    ids = set(left_out.never) | set(touch_never)
    if not ids:
        return candidate_class
    candidate_class = candidate_class.copy()
    known = candidate_class.index.isin(list(ids))
    candidate_class[known] = schema.HARD_NO
    new = sorted(ids - set(candidate_class.index[known].tolist()))  # the known of them told by the mask above
    if new:  # pandas' own enlargement settles the types (object -> str), then the rest follow in one go
        candidate_class.loc[new[0]] = schema.HARD_NO
        rest = pd.Series(schema.HARD_NO, index=pd.Index(new[1:], dtype=candidate_class.index.dtype),
                         dtype=candidate_class.dtype, name=candidate_class.name)
        candidate_class = pd.concat([candidate_class, rest]) if len(rest) else candidate_class
    return candidate_class
