"""Who must never be called (DESIGN §4, §6): the whole policy in one place."""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from .. import privacy, schema
from ..config import Settings
from ..schema import CALLABLE
from ..values import is_blank, parse_bool
from . import Frames, reasons
from .issues import IssueLog


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



def hold_for_review(circle: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """Callable people with an incomplete record wait for a person to fix it."""
    if not ids or not len(circle):
        return circle
    hold = circle.index.isin(list(ids)) & circle["circle_back_status"].isin(CALLABLE).to_numpy()
    if not hold.any():
        return circle
    circle = circle.copy()
    circle.loc[hold, "circle_back_status"] = "review"
    circle.loc[hold, "next_circle_back"] = None
    circle.loc[hold, "suggested_positions"] = pd.Series([[] for _ in range(int(hold.sum()))],
                                                        index=circle.index[hold], dtype=object)
    return circle


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
    for column, label in (("email_norm", "email"), ("phone_e164", "phone")):
        values = cands[column]
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
                if privacy.person_hash(label, value, salt) in hashes:
                    log.add(schema.CANDIDATES, row, label, None, "error",
                            "matches a person who asked to be forgotten (Suppressed tab); do not contact or keep this person")
    return log.frame()



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
        blocked = {v for v in distinct if privacy.person_hash(kind, v, salt) in hashes}
        hit |= values.isin(blocked).to_numpy(dtype=bool)
    return sorted(set(candidates.loc[hit, "candidate_id"].dropna()))
