"""The intake guard (DESIGN §4, §6): a hard-no, do-not-contact or forgotten person
re-added under a new id is an error, and that row leaves circle-backs; and who the
Suppressed tab (hashes of forgotten people's emails and phones) names.

This module gives no one a status: :mod:`sheetcrm.core.never_call` reads its answers
(``suppressed_ids`` is its ``suppressed`` rule; :func:`re_added_people` runs before
``never_call.decide``, in :func:`sheetcrm.core.analysis.calls`)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .. import privacy, schema
from ..config import Settings
from ..values import is_blank
from .issues import IssueLog

if TYPE_CHECKING:
    from .never_call import LeftOut


def re_added_people(candidates: pd.DataFrame, left_out: LeftOut, candidate_class: pd.Series,
                    suppressed: pd.DataFrame | None, settings: Settings) -> pd.DataFrame:
    """Issues (errors) for clean Candidates rows that are a hard-no, do-not-contact
    or forgotten person re-added under a new id; the caller leaves those rows out
    of circle-backs. Do-not-contact rows left out for errors still block."""
    blockers = left_out.blockers
    view = pd.concat([candidates, blockers]) if len(blockers) else candidates
    return intake_guard(view, candidate_class, suppressed, settings)


def intake_guard(candidates_clean: pd.DataFrame, candidate_class: pd.Series, suppressed: pd.DataFrame | None,
                 settings: Settings) -> pd.DataFrame:
    """Errors for Candidates rows that are a hard-no person re-added under a new id.

    A row is flagged when its email or phone matches another candidate_id that is
    hard_no (``candidate_class``: candidate_id -> 'hard_no' / 'soft_no' / None) or
    do_not_contact, or when the salted hash of its email or phone is on the
    Suppressed tab (``suppressed``: columns hash, kind, suppressed_on; or None).
    Rows of candidates that are hard-no themselves and forgotten rows are not
    flagged: they are never contacted anyway. Messages name ids and rows, never
    the email or phone. Callers leave the flagged rows out of circle-backs.
    """
    log = IssueLog(settings)
    cands = _guard_view(candidates_clean)
    if not len(cands):
        return log.frame()
    ids = cands["candidate_id"]
    cls = ids.map(candidate_class) if candidate_class is not None and len(candidate_class) else pd.Series(None, index=ids.index)
    hard = cls.eq(schema.HARD_NO) | cands["do_not_contact"].astype(bool)
    own_hard = hard | cands["forgotten"]
    flagged: set[int] = set()
    identity = {"email_norm": _email_identities(cands["email_norm"]), "phone_e164": cands["phone_e164"]}
    for column, label in (("email_norm", "email"), ("phone_e164", "phone")):
        values = identity[column]  # Gmail dots, googlemail.com and +tags: one mailbox
        blocked = values.notna() & hard
        if not blocked.any():
            continue
        why = np.where(cands["do_not_contact"].astype(bool)[blocked], "asked not to be contacted", "is hard-no")
        blockers = pd.DataFrame({"value": values[blocked], "id": ids[blocked], "row": cands.index[blocked.to_numpy()],
                                 "why": why})
        blockers = blockers.drop_duplicates("value")  # the earliest hard-no row per value names it
        at_risk = values.notna() & ~own_hard
        hits = pd.DataFrame({"value": values[at_risk], "id": ids[at_risk], "row": cands.index[at_risk.to_numpy()]})
        hits = hits.merge(blockers, on="value", suffixes=("", "_blocker"))
        hits = hits[hits["id"] != hits["id_blocker"]]
        for row, other, other_row, why in zip(hits["row"], hits["id_blocker"], hits["row_blocker"], hits["why"]):
            log.add(schema.CANDIDATES, row, label, None, "error",
                    f"same {label} as {other} (row {other_row}), who {why}: do not contact this person")
            flagged.add(int(row))
    hashes = _suppressed_hashes(suppressed)
    if hashes:
        salt = settings.suppression_salt
        for column, label in (("email_norm", "email"), ("phone_e164", "phone")):
            values = cands[column]
            live = values.notna() & ~cands["forgotten"]
            for row, value in zip(cands.index[live.to_numpy()], values[live]):
                mine = privacy.email_hashes(value, salt) if label == "email" else {privacy.person_hash(label, value, salt)}
                if mine & hashes:
                    log.add(schema.CANDIDATES, row, label, None, "error",
                            "matches a person who asked to be forgotten (Suppressed tab); do not contact or keep this person")
    return log.frame()



def _email_identities(emails: pd.Series) -> pd.Series:
    """privacy.email_identity of each address (each distinct one once)."""
    distinct = emails.dropna().unique().tolist()
    mailboxes = list(distinct)
    for i in privacy.not_own_mailboxes(distinct):
        mailboxes[i] = privacy.email_identity(distinct[i])
    return emails.map(dict(zip(distinct, mailboxes))).where(emails.notna(), None)


def _guard_view(candidates: pd.DataFrame) -> pd.DataFrame:
    """The columns the guard needs, tolerating frames built before ``forgotten`` existed."""
    out = candidates.copy() if "forgotten" not in candidates else candidates
    if "forgotten" not in out:
        out["forgotten"] = out["name"].eq(privacy.FORGOTTEN_NAME).to_numpy(dtype=bool)
    return out



def _suppressed_hashes(suppressed: pd.DataFrame | None) -> set[str]:
    if suppressed is None or not len(suppressed) or "hash" not in suppressed:
        return set()
    return {str(h).strip() for h in suppressed["hash"] if not is_blank(h)}


def suppressed_ids(candidates: pd.DataFrame, suppressed: pd.DataFrame, settings: Settings) -> list[str]:
    """candidate_ids whose email or phone hash is in the Suppressed tab. Uses the
    normalised columns validation adds (each distinct value hashed once)."""
    hashes = set(suppressed["hash"].dropna().astype(str).str.strip()) if "hash" in suppressed else set()
    if not hashes:
        return []
    salt = settings.suppression_salt
    hit = np.zeros(len(candidates), dtype=bool)
    for kind, column, raw, normalise in (
            ("email", "email_norm", "email", privacy.normalise_email),
            ("phone", "phone_e164", "phone", lambda v: privacy.normalise_phone(v, settings.phone_region))):
        if column in candidates and candidates[column].notna().any():
            values = candidates[column]
        else:  # frames built without validation's normalised columns
            values = candidates[raw].map(lambda v: normalise(str(v)) if isinstance(v, str) and v.strip() else None)
        distinct = values.dropna().unique()
        mine = (lambda v: privacy.email_hashes(v, salt)) if kind == "email" else \
            (lambda v: {privacy.person_hash(kind, v, salt)})
        blocked = {v for v in distinct if mine(v) & hashes}
        hit |= values.isin(blocked).to_numpy(dtype=bool)
    return sorted(set(candidates.loc[hit, "candidate_id"].dropna()))
