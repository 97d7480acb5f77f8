"""`sheetcrm forget`: erase a person (GDPR right to erasure), keep the counts.

The one place allowed to change people's cells. For every Candidates row of the
person (found by email, phone or candidate_id, then every row sharing their
email, phone or id): every cell is blanked except ``candidate_id`` (Pipeline rows
keep pointing at it, so the pipeline figures stay right), ``name`` becomes
:data:`privacy.FORGOTTEN_NAME` and ``do_not_contact`` becomes yes. Their name,
email and phone are scrubbed from every other cell of the workbook that holds
them (their rejection reasons, someone else's notes, tabs sheetcrm does not
know). Salted hashes of the email and phone go to the Suppressed tab, so a
re-added row is flagged and never circled back. Then a sync rewrites Summary,
Circle-backs and Issues without them.

Messages name candidate ids only, never the email, phone or name.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable
from typing import Any

from .. import schema
from . import sync as sync_mod
from .backends.base import Backend, CellUpdate, Changes, OwnedTab, Sheet, Snapshot
from ..config import Settings
from ..errors import ConfigError, ConflictError, NotFoundError, SheetCRMError
from ..privacy import FORGOTTEN_NAME, email_identity, normalise_phone, person_hash
from .sheet import TabMap
from ..values import is_blank

KEEP = ("candidate_id",)
_PHONE_LIKE = re.compile(r"(?:\+|\b00)?\d[\d\s().\-/]{5,}\d")
_EMAIL_LIKE = re.compile(r"[^\s<>(),;:\"']+@[^\s<>(),;:\"']+")


@dataclasses.dataclass
class Person:
    rows: list[int]  # Candidates sheet rows
    candidate_ids: list[str]
    emails: set[str]
    phones: set[str]  # E.164
    names: set[str]


@dataclasses.dataclass
class ForgetResult:
    candidate_ids: list[str]
    rows: int
    cells_blanked: int
    cells_scrubbed: int
    hashes_added: int
    warnings: list[str]
    sync: sync_mod.SyncReport | None = None
    waited: str = ""  # found the workbook's write lock held and waited (write_lock.Wait.line)

    def lines(self) -> list[str]:
        who = ", ".join(self.candidate_ids) or f"{self.rows} row(s) without an id"
        out = [self.waited] if self.waited else []
        out += [f"forgot {who}: {self.cells_blanked} cells blanked in {self.rows} Candidates row(s), "
               f"{self.cells_scrubbed} other cells scrubbed, do_not_contact set; "
               f"{self.hashes_added} hash(es) added to Suppressed"]
        out += [f"warning: {w}" for w in self.warnings]
        if self.sync is not None:
            out += self.sync.lines()
        return out


def forget(backend: Backend, settings: Settings, today: dt.date, email: str | None = None, phone: str | None = None,
           candidate_id: str | None = None, confirm: Callable[[str], None] | None = None) -> ForgetResult:
    """Erase one person everywhere, suppress their email/phone, then sync.
    ``confirm(question)`` is asked once the person is found, before anything is
    written; it raises to stop (the CLI's "are you sure?")."""
    given = [v for v in (email, phone, candidate_id) if v is not None and str(v).strip()]
    if len(given) != 1:
        raise SheetCRMError("name the person with exactly one of --email, --phone or --candidate-id")
    who = {"email": email, "phone": phone, "candidate_id": candidate_id}
    if confirm is not None:  # asked before taking the write lock: a person may take their time to answer
        person = _find(backend, settings, who)[2]
        ids = ", ".join(person.candidate_ids) or "a person without a candidate_id"
        confirm(f"erase {ids} ({len(person.rows)} Candidates row(s)) from {backend.describe()}? This cannot be undone")
    with backend.exclusive() as held:  # read to last write: no other writer in between
        result = _forget(backend, settings, today, *_find(backend, settings, who))
    result.waited = held.wait.line() if held.wait else ""
    return result


def _find(backend: Backend, settings: Settings, who: dict[str, str | None]) -> tuple[Snapshot, dict, "Person"]:
    snapshot, maps, _frames = sync_mod.load(backend, settings)
    person = find_person(snapshot, maps, settings, **who)
    if not settings.suppression_salt:  # without it the hashes could be guessed back into addresses
        raise ConfigError("forget needs suppression_salt in the config (a secret of your own) so the Suppressed "
                          "hashes cannot be guessed; nothing was changed")
    return snapshot, maps, person


def _forget(backend: Backend, settings: Settings, today: dt.date, snapshot: Snapshot, maps: dict[str, TabMap],
            person: "Person") -> ForgetResult:
    changes, counts = plan_forget(snapshot, maps, settings, today, person)
    if changes:
        backend.write(snapshot, changes)
    warnings = []
    try:
        report = sync_mod.sync(backend, settings, today)
    except ConflictError:  # the erasure is written; only the refresh of the owned tabs waits
        report = None
        warnings.append("the workbook changed before the follow-up sync; run `sheetcrm sync` now so Summary, "
                        "Circle-backs and Issues drop them")
    scrub = Scrubber(person, settings)
    backend.erase_traces(lambda text, own: scrub.text(text, own), own_rows(snapshot, maps, person))
    return ForgetResult(person.candidate_ids, len(person.rows), counts["blanked"], counts["scrubbed"],
                        counts["hashes"], warnings, report)


def own_rows(snapshot: Snapshot, maps: dict[str, TabMap], person: Person) -> dict[str, set[int]]:
    """Tab title -> the person's rows: their Candidates rows and their Pipeline rows."""
    pmap = maps[schema.PIPELINE]
    psheet = snapshot.tabs[pmap.title]
    ids = set(person.candidate_ids)
    col = pmap.columns["candidate_id"]
    pipeline = {r for r in range(2, len(psheet.values) + 1) if _id(psheet.cell(r, col)) in ids}
    return {maps[schema.CANDIDATES].title: set(person.rows), pmap.title: pipeline}


def _e164(value: Any, settings: Settings) -> str | None:
    if is_blank(value) or isinstance(value, bool):
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return normalise_phone(str(value).strip(), settings.phone_region)


def _email(value: Any) -> str | None:
    return email_identity(value) if isinstance(value, str) and "@" in value else None


def _id(value: Any) -> str | None:
    if is_blank(value):
        return None
    if isinstance(value, float) and value == int(value):
        value = int(value)
    return str(value).strip()


def find_person(snapshot: Snapshot, maps: dict[str, TabMap], settings: Settings, email: str | None = None,
                phone: str | None = None, candidate_id: str | None = None) -> Person:
    """Every Candidates row of the person: the ones asked for, then every row
    sharing one of their ids, emails or phones."""
    tmap = maps[schema.CANDIDATES]
    sheet = snapshot.tabs[tmap.title]
    col = tmap.columns
    recs = []
    for row in range(2, len(sheet.values) + 1):
        get = lambda name: sheet.cell(row, col[name]) if name in col else None  # noqa: E731
        recs.append((row, _id(get("candidate_id")), _email(get("email")), _e164(get("phone"), settings), get("name")))

    ids: set[str] = set()
    emails: set[str] = set()
    phones: set[str] = set()
    if email is not None:
        emails.add(email_identity(email))  # Gmail dots, googlemail.com, +tags: one mailbox
        what = "that email"
    elif phone is not None:
        target = normalise_phone(phone, settings.phone_region)
        if target is None:
            raise SheetCRMError("--phone is not a phone number (write it with its country code, e.g. +44 …)")
        phones.add(target)
        what = "that phone number"
    else:
        ids.add(str(candidate_id).strip())
        what = f"candidate_id {str(candidate_id).strip()}"

    rows: set[int] = set()
    grew = True
    while grew:  # people entered twice share an email on one row and a phone on another
        grew = False
        for row, cid, mail, tel, _name in recs:
            if row in rows:
                continue
            if (cid and cid in ids) or (mail and mail in emails) or (tel and tel in phones):
                rows.add(row)
                grew = True
                ids.update([cid] if cid else [])
                emails.update([mail] if mail else [])
                phones.update([tel] if tel else [])
    if not rows:
        raise NotFoundError(f"no Candidates row has {what}; nothing was changed")
    names = {str(name).strip() for row, _c, _m, _t, name in recs
             if row in rows and isinstance(name, str) and name.strip() and name.strip() != FORGOTTEN_NAME}
    return Person(sorted(rows), sorted(ids), emails, phones, names)


def plan_forget(snapshot: Snapshot, maps: dict[str, TabMap], settings: Settings, today: dt.date,
                person: Person) -> tuple[Changes, dict[str, int]]:
    """The cell changes and the Suppressed tab that erase ``person``."""
    changes = Changes()
    counts = {"blanked": 0, "scrubbed": 0, "hashes": 0}
    counts["blanked"] = _blank_person_rows(changes, snapshot, maps[schema.CANDIDATES], person)
    counts["scrubbed"] = _scrub_other_cells(changes, snapshot, maps, settings, person)
    tab, added = suppressed_tab(snapshot, settings, today, person)
    if added:
        changes.tabs.append(tab)
    counts["hashes"] = added
    return changes, counts


def _blank_person_rows(changes: Changes, snapshot: Snapshot, cmap: TabMap, person: Person) -> int:
    """The person's own Candidates rows: every cell blank but the kept ones, the name
    marked forgotten, do_not_contact yes. Returns how many cells were blanked."""
    csheet = snapshot.tabs[cmap.title]
    identity_cols = [cmap.columns[c] for c in schema.CANDIDATES_TAB.identity if c in cmap.columns]
    keep = {cmap.columns[c] for c in KEEP if c in cmap.columns}
    name_col, dnc_col = cmap.columns["name"], cmap.columns.get("do_not_contact")
    if dnc_col is None:  # the sheet has no do_not_contact column yet: add it, the flag must stick
        dnc_col = max(cmap.columns.values()) + 1
        changes.cells.append(CellUpdate(cmap.title, 1, dnc_col, "do_not_contact"))
    blanked = 0
    for row in person.rows:
        ident = tuple((c, csheet.cell(row, c)) for c in identity_cols)
        width = max(len(csheet.values[row - 1]), len(cmap.header), max(cmap.columns.values()), dnc_col)
        for c in range(1, width + 1):
            old = csheet.cell(row, c)
            if c in keep:
                continue
            if c == name_col:
                new: Any = FORGOTTEN_NAME
            elif c == dnc_col:
                new = "yes"
            else:
                new = None
            if old != new and not (is_blank(old) and new is None):
                changes.cells.append(CellUpdate(cmap.title, row, c, new, ident))
                blanked += c not in (name_col, dnc_col)
    return blanked


def _scrub_other_cells(changes: Changes, snapshot: Snapshot, maps: dict[str, TabMap], settings: Settings,
                       person: Person) -> int:
    """The person's email, phone and name inside every other cell of the people's
    tabs (their own Pipeline rows lose each part of the name too). Returns the count."""
    owned_tabs = {settings.tab_title(k).casefold() for k in (*schema.OWNED_TABS, schema.SUPPRESSED)}
    scrub = Scrubber(person, settings)
    cmap, pmap = maps[schema.CANDIDATES], maps[schema.PIPELINE]
    identity_cols = [cmap.columns[c] for c in schema.CANDIDATES_TAB.identity if c in cmap.columns]
    p_ident = [pmap.columns[c] for c in schema.PIPELINE_TAB.identity if c in pmap.columns]
    p_cid, name_col = pmap.columns["candidate_id"], cmap.columns["name"]
    person_rows, person_ids = set(person.rows), set(person.candidate_ids)
    scrubbed = 0
    for sheet in snapshot.tabs.values():
        if sheet.title.casefold() in owned_tabs:
            continue
        for r, values in enumerate(sheet.values, start=1):
            own = False
            ident: tuple = ()
            if sheet.title == cmap.title:
                if r in person_rows or r == 1:
                    continue
                ident = tuple((c, sheet.cell(r, c)) for c in identity_cols)
            elif sheet.title == pmap.title and r > 1:
                own = _id(sheet.cell(r, p_cid)) in person_ids
                ident = tuple((c, sheet.cell(r, c)) for c in p_ident)
            for c, old in enumerate(values, start=1):
                if is_blank(old) or (sheet.title == cmap.title and c == name_col):
                    continue  # a namesake keeps their name
                new = scrub(old, own_row=own)
                if new is not old and new != old:
                    changes.cells.append(CellUpdate(sheet.title, r, c, new, ident or ((c, old),)))
                    scrubbed += 1
    return scrubbed


class Scrubber:
    """Replaces the person's email, phone and name inside a cell's text, and each
    part of their name longer than 3 letters written as a name (Viktor, VIKTOR).
    On their own rows (their Pipeline rows) every part of 3 letters or more goes."""

    def __init__(self, person: Person, settings: Settings):
        self.person = person
        self.settings = settings
        full = [r"\s+".join(re.escape(t) for t in n.split()) for n in sorted(person.names, key=len, reverse=True)]
        self.full = re.compile(r"(?<!\w)(?:" + "|".join(full) + r")(?!\w)", re.I) if full else None
        # A part of the name alone only as a name is written (Will, WILL; not "will not relocate"),
        # so scrubbing their reasons does not change how the reasons classify.
        tokens = {t.strip(".,;:()'\"") for n in person.names for t in n.split()}
        parts = sorted({v for t in tokens if len(t) >= 3 for v in (t, t.capitalize(), t.upper())}, key=len, reverse=True)
        self.parts = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, parts)) + r")(?!\w)") if parts else None
        # Longer parts (Viktor, Cortez) name the person wherever they are written as a name.
        long = [p for p in parts if len(p) > 3]
        self.long_parts = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, long)) + r")(?!\w)") if long else None
        self.any_case = re.compile(r"(?<![^\W_])(?:" + "|".join(map(re.escape, parts)) + r")(?![^\W_])", re.I) \
            if parts else None

    def text(self, text: str, own: bool) -> str:
        """For text outside the cells (comments, links, properties): ``own`` when it
        is anchored on the person's rows, then each part of the name goes in any case."""
        text = self(text, own_row=False)
        return self.any_case.sub(FORGOTTEN_NAME, text) if own and self.any_case is not None else text

    def __call__(self, value: Any, own_row: bool = False) -> Any:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return None if self.person.phones and _e164(value, self.settings) in self.person.phones and \
                len(str(int(value))) >= 7 else value
        if not isinstance(value, str):
            return value
        text = value
        if self.person.emails:
            text = _EMAIL_LIKE.sub(lambda m: FORGOTTEN_NAME if email_identity(m.group(0).strip(".")) in
                                   self.person.emails else m.group(0), text)
        if self.person.phones:
            text = _PHONE_LIKE.sub(lambda m: FORGOTTEN_NAME if normalise_phone(m.group(0), self.settings.phone_region)
                                   in self.person.phones else m.group(0), text)
        if self.full is not None:
            text = self.full.sub(FORGOTTEN_NAME, text)
        if own_row and self.parts is not None:
            text = self.parts.sub(FORGOTTEN_NAME, text)
        elif self.long_parts is not None:
            text = self.long_parts.sub(FORGOTTEN_NAME, text)
        return value if text == value else text


def suppressed_tab(snapshot: Snapshot, settings: Settings, today: dt.date, person: Person) -> tuple[OwnedTab, int]:
    """The Suppressed tab with the person's hashes added; existing rows kept as they are."""
    title = settings.tab_title(schema.SUPPRESSED)
    sheet = snapshot.find(title) or Sheet(title, [])
    rows = [list(r) for r in sheet.values]
    while rows and all(is_blank(v) for v in rows[-1]):
        rows.pop()
    if not rows or schema.normalise_header(rows[0][0] if rows[0] else None) != "hash":
        rows.insert(0, list(schema.SUPPRESSED_COLUMNS))
    have = {str(r[0]) for r in rows[1:] if r and not is_blank(r[0])}
    salt = settings.suppression_salt
    new = [person_hash("email", e, salt) for e in sorted(person.emails)] + \
          [person_hash("phone", p, salt) for p in sorted(person.phones)]
    added = 0
    for h in new:
        if h not in have:
            rows.append([h, h.split(":", 1)[0], today])
            have.add(h)
            added += 1
    return OwnedTab(sheet.title, rows, date_columns=(3,)), added
