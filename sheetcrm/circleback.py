"""Pure: circle-back eligibility, dates, status and backpocket matching (DESIGN §6).

Everything here takes clean typed frames (see :mod:`sheetcrm.validate`), the
pipeline classified by :func:`sheetcrm.reasons.classify_pipeline`, ``settings``
and ``today``; nothing reads a clock or a file.

Decisions worth knowing (the design leaves them open):

* Ties on the latest ``decided_on``: an unclassified row wins (a person must look
  first), then a hired row, then the soft-no with the longest cool-off (we would
  rather call a little late than too early).
* ``review`` (latest decision unclassified) is shown even when the candidate has
  an open row: the label is missing either way. ``never`` beats everything.
* A decided row without a ``decided_on`` counts as the oldest decision and gives
  no cool-off date; an eligible candidate with no date at all is due today.
* Matching: a position without required skills matches nobody (no basis for a
  fit); a position without a location fits any location; a one-part location
  ("Berlin", "Germany") is compared with both the other side's city and country.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from . import privacy, schema
from .config import Settings
from .layout import CIRCLE_BACK_HEADER

CIRCLE_BACK_COLUMNS = ("candidate_id", "name", "rejection_category", "last_contact", "next_circle_back",
                       "circle_back_status", "suggested_positions")
# Extra columns circle_backs() also returns (the tab and the calendar use them).
DETAIL_COLUMNS = ("contact_every_days", "rejection_position", "talking_point")
CALLABLE = ("due", "overdue", "scheduled")
TURNED_DOWN = ("rejected", "declined", "ghosted")
MATCH_COLUMNS = ("candidate_id", "name", "skill_coverage", "circle_back_status", "next_circle_back")
MATCH_DETAIL_COLUMNS = ("skills_covered", "location", "salary")

# Tie-break rank among decisions on the same day (higher wins, see module doc).
_RANK_HARD, _RANK_UNCLASSIFIED, _RANK_HIRED, _RANK_SOFT = 4_000_000, 3_000_000, 2_000_000, 0


def circle_backs(candidates: pd.DataFrame, pipeline: pd.DataFrame, positions: pd.DataFrame,
                 candidate_class: pd.Series, settings: Settings, today: dt.date,
                 suppressed: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per candidate (index: candidate_id): CIRCLE_BACK_COLUMNS then
    DETAIL_COLUMNS. ``next_circle_back`` / ``last_contact`` are dates or None,
    ``suggested_positions`` a list of open position_ids, best first.
    ``suppressed`` (the Suppressed tab, optional) makes matching people `never`."""
    cands = candidates[candidates["candidate_id"].notna()]
    first = cands.drop_duplicates("candidate_id")
    ids = pd.Index(first["candidate_id"].values, name="candidate_id")
    out = pd.DataFrame(index=ids)
    out["candidate_id"] = ids.values
    out["name"] = first["name"].values

    pipe = pipeline[pipeline["candidate_id"].isin(ids)]
    # Any row of a person saying "never" wins, also across duplicate candidate rows.
    never = cands.groupby("candidate_id")["do_not_contact"].any().reindex(ids, fill_value=False)
    never |= (candidate_class.reindex(ids) == schema.HARD_NO).to_numpy()
    never |= (first["name"] == privacy.FORGOTTEN_NAME).to_numpy()
    never |= ids.isin(pipe.loc[pipe["rejection_class"] == schema.HARD_NO, "candidate_id"].unique())
    if suppressed is not None and len(suppressed):
        never |= ids.isin(suppressed_ids(cands, suppressed, settings))
    busy = ids.isin(pipe.loc[pipe["outcome"].isin(["open", "hired"]), "candidate_id"].unique())

    latest = _latest_decisions(pipe, settings).reindex(ids)
    soft = (latest["rejection_class"] == schema.SOFT_NO).to_numpy()
    unclassified = (latest["rejection_class"] == schema.UNCLASSIFIED).to_numpy()
    eligible = ~never.to_numpy() & ~busy & soft

    last_contact = pd.concat([
        pd.Series(first["last_contacted"].values, index=ids),
        pipe.groupby("candidate_id")["first_contacted"].max().reindex(ids),
    ], axis=1).max(axis=1)
    pace = pd.Series(first["contact_every_days"].fillna(settings.default_contact_every_days).astype("int64").values,
                     index=ids)
    cool = latest["rejection_category"].map(dict(settings.cool_off_days)).fillna(settings.default_contact_every_days)
    by_cool_off = latest["decided_on"] + pd.to_timedelta(cool, unit="D")
    by_pace = last_contact + pd.to_timedelta(pace, unit="D")
    available = pd.Series(first["available_from"].values, index=ids).where(
        latest["rejection_category"] == "availability")
    nxt = pd.concat([by_cool_off, by_pace, available], axis=1).max(axis=1)
    nxt = nxt.where(nxt.notna(), pd.Timestamp(today)).where(eligible)

    day = pd.Timestamp(today)
    grace = pd.Timedelta(days=settings.grace_days)
    status = np.select(
        [never.to_numpy(), unclassified, eligible & (nxt > day).to_numpy(),
         eligible & (nxt + grace < day).to_numpy(), eligible],
        ["never", "review", "scheduled", "overdue", "due"], default="")
    out["rejection_category"] = latest["rejection_category"].where(pd.notna(latest["rejection_category"]), None)
    out["last_contact"] = _dates(last_contact)
    out["next_circle_back"] = _dates(nxt)
    out["circle_back_status"] = status
    out["contact_every_days"] = pace.values
    out["rejection_position"] = latest["position_id"].where(pd.notna(latest["position_id"]), None)

    callable_ids = ids[np.isin(status, CALLABLE)]
    pairs = match_pairs(cands[cands["candidate_id"].isin(callable_ids)].drop_duplicates("candidate_id"),
                        positions, pipeline, settings)
    suggested = _lists_by(pairs["candidate_id"].to_numpy(), pairs["position_id"].to_numpy())
    out["suggested_positions"] = [suggested.get(cid, []) for cid in ids]
    out["talking_point"] = None
    if len(callable_ids):
        out.loc[callable_ids, "talking_point"] = _talking_points(out.loc[callable_ids], first.set_index("candidate_id"),
                                                                 positions, pairs, settings)
    return out[list(CIRCLE_BACK_COLUMNS) + list(DETAIL_COLUMNS)]


def _latest_decisions(pipe: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """Per candidate_id, their most recent decided row (see module doc for ties)."""
    decided = pipe[pipe["outcome"].isin(schema.DECIDED_OUTCOMES)]
    cols = ["candidate_id", "position_id", "decided_on", "rejection_class", "rejection_category"]
    if not len(decided):
        empty = decided[cols].set_index("candidate_id")
        return empty
    cls = decided["rejection_class"]
    cool = decided["rejection_category"].map(dict(settings.cool_off_days)).fillna(0).astype("int64")
    rank = np.select([cls == schema.HARD_NO, cls == schema.UNCLASSIFIED, decided["outcome"] == "hired"],
                     [_RANK_HARD, _RANK_UNCLASSIFIED, _RANK_HIRED], default=_RANK_SOFT) + np.minimum(cool, 999_999)
    days = decided["decided_on"].to_numpy().astype("datetime64[D]").astype("int64")
    days = np.where(decided["decided_on"].isna().to_numpy(), -10_000_000, days)
    key = pd.Series(days * 10_000_000 + rank, index=decided.index)
    best = key.groupby(decided["candidate_id"].to_numpy()).idxmax()
    rows = decided.loc[best.to_numpy(), cols]
    return rows.set_index("candidate_id")


def _dates(series: pd.Series) -> list[dt.date | None]:
    days = pd.to_datetime(series).dt.date
    return days.where(series.notna(), None).tolist()


def _lists_by(keys: np.ndarray, values: np.ndarray) -> dict[Any, list]:
    """{key: [values…]} for ``keys`` already grouped together (sorted), order kept."""
    if not len(keys):
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return {keys[i]: chunk.tolist() for i, chunk in zip(starts, np.split(values, starts[1:]))}


def suppressed_ids(candidates: pd.DataFrame, suppressed: pd.DataFrame, settings: Settings) -> list[str]:
    """candidate_ids whose email or phone hash is in the Suppressed tab."""
    hashes = set(suppressed["hash"].dropna().astype(str)) if "hash" in suppressed else set()
    if not hashes:
        return []
    out: set[str] = set()
    salt = settings.suppression_salt
    for cid, email, phone in zip(candidates["candidate_id"], candidates["email"], candidates["phone"]):
        if isinstance(email, str) and email.strip() and \
                privacy.person_hash("email", privacy.normalise_email(email), salt) in hashes:
            out.add(cid)
        if isinstance(phone, str) and phone.strip():
            e164 = privacy.normalise_phone(phone, settings.phone_region)
            if e164 and privacy.person_hash("phone", e164, salt) in hashes:
                out.add(cid)
    return sorted(out)


# -- backpocket matching ---------------------------------------------------

def match_pairs(candidates: pd.DataFrame, positions: pd.DataFrame, pipeline: pd.DataFrame, settings: Settings,
                only_open: bool = True) -> pd.DataFrame:
    """Every (candidate, position) pair that fits (DESIGN §6), best first per
    candidate. Columns: candidate_id, position_id, skill_coverage, covered (count),
    needed (count), location_fit ('remote' / 'city' / 'country' / 'any'), salary_fit
    (bool, always True here). Vectorised: explode skills, merge on skill, count."""
    cols = ["candidate_id", "position_id", "skill_coverage", "covered", "needed", "location_fit"]
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    if only_open:
        pos = pos[pos["status"] == "open"]
    pos = pos[pos["skills"].map(len) > 0]
    cands = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id")
    cands = cands[cands["skills"].map(len) > 0]
    if not len(pos) or not len(cands):
        return pd.DataFrame(columns=cols)

    c_sk = cands["skills"].explode()
    p_sk = pos["skills"].explode()
    codes, _ = pd.factorize(pd.concat([c_sk, p_sk], ignore_index=True))
    c_codes, p_codes = codes[: len(c_sk)], codes[len(c_sk):]
    c_idx = cands.index.get_indexer(c_sk.index)
    p_idx = pos.index.get_indexer(p_sk.index)
    joined = pd.DataFrame({"skill": c_codes, "c": c_idx}).merge(
        pd.DataFrame({"skill": p_codes, "p": p_idx}), on="skill")
    if not len(joined):
        return pd.DataFrame(columns=cols)
    n_pos = len(pos)
    key = joined["c"].to_numpy().astype("int64") * n_pos + joined["p"].to_numpy()
    counted = pd.Series(key).value_counts(sort=False)
    c = (counted.index.to_numpy() // n_pos).astype("int64")
    p = (counted.index.to_numpy() % n_pos).astype("int64")
    covered = counted.to_numpy()
    needed = pos["skills"].map(len).to_numpy()[p]
    coverage = covered / needed
    keep = coverage >= settings.match_min_skill_coverage - 1e-9
    c, p, covered, needed, coverage = c[keep], p[keep], covered[keep], needed[keep], coverage[keep]

    # Salary: either side blank, or the expectation within the maximum.
    want = cands["salary_expectation"].to_numpy(dtype="float64")[c]
    pay = pos["salary_max"].to_numpy(dtype="float64")[p]
    keep = np.isnan(want) | np.isnan(pay) | (want <= pay)
    location = _location_fit(cands, pos, c, p)
    keep &= location != ""
    # Never the position they were already turned down for.
    turned = pipeline[pipeline["outcome"].isin(TURNED_DOWN)]
    t_c = cands.reset_index(drop=True).reset_index().set_index("candidate_id")["index"].reindex(turned["candidate_id"])
    t_p = pos.reset_index(drop=True).reset_index().set_index("position_id")["index"].reindex(turned["position_id"])
    both = t_c.notna().to_numpy() & t_p.notna().to_numpy()
    turned_keys = t_c.to_numpy()[both].astype("int64") * n_pos + t_p.to_numpy()[both].astype("int64")
    keep &= ~np.isin(c * n_pos + p, turned_keys)

    out = pd.DataFrame({
        "candidate_id": cands["candidate_id"].to_numpy()[c[keep]],
        "position_id": pos["position_id"].to_numpy()[p[keep]],
        "skill_coverage": coverage[keep],
        "covered": covered[keep],
        "needed": needed[keep],
        "location_fit": location[keep],
    })
    out = out.sort_values(["candidate_id", "skill_coverage", "position_id"], ascending=[True, False, True],
                          kind="stable").reset_index(drop=True)
    return out[cols]


def _location_fit(cands: pd.DataFrame, pos: pd.DataFrame, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per pair: why the location fits ('remote', 'any', 'city', 'country'), '' if not."""
    places = pd.concat([cands["city"], cands["country"], pos["city"], pos["country"]], ignore_index=True)
    codes, _ = pd.factorize(places)  # None -> -1
    n_c, n_p = len(cands), len(pos)
    c_city, c_country = codes[:n_c][c], codes[n_c:2 * n_c][c]
    p_city, p_country = codes[2 * n_c:2 * n_c + n_p][p], codes[2 * n_c + n_p:][p]
    remote = pos["remote"].to_numpy(dtype=bool)[p]
    unknown = (p_city == -1) & (p_country == -1) & ~remote
    same_city = (c_city != -1) & (c_city == p_city)
    same_country = ((c_country != -1) & ((c_country == p_country) | (c_country == p_city))) | \
                   ((c_city != -1) & (c_city == p_country))
    return np.select([remote, unknown, same_city, same_country], ["remote", "any", "city", "country"], default="")


def backpocket_counts(circle: pd.DataFrame, positions: pd.DataFrame) -> pd.Series:
    """Per position_id: how many circle-back-eligible candidates match it."""
    ids = pd.Index(positions["position_id"].dropna().unique())
    eligible = circle[circle["circle_back_status"].isin(CALLABLE)]
    counts = eligible["suggested_positions"].explode().dropna().value_counts()
    return counts.reindex(ids, fill_value=0).astype("int64")


def match_position(position_id: str, candidates: pd.DataFrame, positions: pd.DataFrame, pipeline: pd.DataFrame,
                   circle: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The backpocket for one position: circle-back-eligible candidates who fit
    it, best coverage first. Columns MATCH_COLUMNS + MATCH_DETAIL_COLUMNS (the
    reason of each match). Works for a position of any status: it was asked for."""
    pos = positions[positions["position_id"] == position_id].head(1)
    eligible_ids = circle.index[circle["circle_back_status"].isin(CALLABLE)]
    cands = candidates[candidates["candidate_id"].isin(eligible_ids)].drop_duplicates("candidate_id")
    pairs = match_pairs(cands, pos, pipeline, settings, only_open=False)
    if not len(pairs):
        return pd.DataFrame(columns=list(MATCH_COLUMNS + MATCH_DETAIL_COLUMNS))
    by_id = cands.set_index("candidate_id")
    p = pos.iloc[0]
    need = list(p["skills"])
    rows = []
    for rec in pairs.to_dict("records"):
        cand = by_id.loc[rec["candidate_id"]]
        have = set(cand["skills"])
        covered = [s for s in need if s in have]
        rows.append({
            "candidate_id": rec["candidate_id"],
            "name": cand["name"],
            "skill_coverage": round(float(rec["skill_coverage"]), 3),
            "circle_back_status": circle.at[rec["candidate_id"], "circle_back_status"],
            "next_circle_back": circle.at[rec["candidate_id"], "next_circle_back"],
            "skills_covered": f"{', '.join(covered)} ({len(covered)}/{len(need)})",
            "location": _location_reason(rec["location_fit"], p),
            "salary": _salary_reason(cand["salary_expectation"], p["salary_max"], settings),
        })
    out = pd.DataFrame(rows, columns=list(MATCH_COLUMNS + MATCH_DETAIL_COLUMNS))
    out["_next"] = pd.to_datetime(out["next_circle_back"])
    out = out.sort_values(["skill_coverage", "_next", "candidate_id"], ascending=[False, True, True], kind="stable")
    return out.drop(columns="_next").reset_index(drop=True)


def _location_reason(fit: str, pos: pd.Series) -> str:
    where = pos.get("location") or ""
    return {"remote": "remote role", "any": "role location not set",
            "city": f"same city ({where})", "country": f"same country ({where})"}.get(fit, "")


def _salary_reason(want: float, pay: float, settings: Settings) -> str:
    if pd.isna(want) and pd.isna(pay):
        return "no salary on either side"
    if pd.isna(want):
        return f"expectation not known; pays up to {_money(pay, settings)}"
    if pd.isna(pay):
        return f"expects {_money(want, settings)}; no maximum set"
    return f"expects {_money(want, settings)} ≤ {_money(pay, settings)} max"


def _money(v: float, settings: Settings) -> str:
    return f"{v:,.0f} {settings.currency}"


# -- talking points and the tab ----------------------------------------------

def _talking_points(rows: pd.DataFrame, cands: pd.DataFrame, positions: pd.DataFrame, pairs: pd.DataFrame,
                    settings: Settings) -> list[str]:
    """One line per callable candidate, from why they were a soft-no last time.
    Plain dict lookups: this runs for every callable candidate of a big sheet."""
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    pos_info = dict(zip(pos["position_id"], zip(pos["salary_max"], pos["remote"], pos["location"])))
    available = dict(zip(cands.index, cands["available_from"]))
    best = pairs.drop_duplicates("candidate_id")
    fit = dict(zip(best["candidate_id"], zip(best["covered"], best["needed"])))
    return [_talking_point(cat, was, suggested[0] if suggested else None,
                           pos_info.get(suggested[0]) if suggested else None,
                           available.get(cid), fit.get(cid), settings)
            for cid, cat, was, suggested in zip(rows.index, rows["rejection_category"], rows["rejection_position"],
                                                rows["suggested_positions"])]


def _talking_point(cat: str | None, was: str | None, top: str | None, p: tuple | None, available: Any,
                   fit: tuple | None, settings: Settings) -> str:
    """``p``: (salary_max, remote, location) of the top suggestion; ``fit``: (covered, needed)."""
    last = f" ({was})" if was else ""
    if cat == "salary":
        if p is not None and pd.notna(p[0]):
            return f"salary gap last time{last}: {top} pays up to {_money(p[0], settings)}"
        return f"salary gap last time{last}: ask what they expect now"
    if cat == "availability":
        if available is not None and pd.notna(available):
            return f"timing did not fit last time{last}: available from {pd.Timestamp(available).date().isoformat()}"
        return f"timing did not fit last time{last}: ask about notice period and start date"
    if cat == "location":
        if p is not None:
            where = "remote" if p[1] else (p[2] or "location open")
            return f"location mismatch last time{last}: {top} is {where}"
        return f"location mismatch last time{last}: ask whether remote or a move works now"
    if cat == "experience":
        return f"not enough experience last time{last}: ask what they have done since" + (f"; try {top}" if top else "")
    if cat == "skills":
        if top is not None and fit is not None:
            return f"skills did not fit last time{last}: {top} matches {int(fit[0])} of {int(fit[1])} skills"
        return f"skills did not fit last time{last}: ask what they work with now"
    if cat == "declined_role":
        return f"they turned the role down last time{last}: lead with what is different" + (f" about {top}" if top else "")
    if cat == "sponsor_rejected":
        return f"met the brief but the client said no{last}: " + (f"{top} is a fresh shot" if top else "keep them warm")
    if cat == "ghosted":
        return f"went quiet last time{last}: a short friendly check-in, no pressure"
    return f"circle back{last}" + (f": {top} may fit" if top else "")


def pace_text(days: Any) -> str:
    """A candidate's contact_every as people say it."""
    if days is None or pd.isna(days):
        return ""
    days = int(days)
    words = {7: "weekly", 14: "every 2 weeks", 30: "monthly", 90: "quarterly", 180: "every 6 months", 365: "yearly"}
    return words.get(days, f"every {days} days")


def listed(circle: pd.DataFrame, today: dt.date, within_days: int) -> pd.DataFrame:
    """Who to call: due and overdue first (oldest first), then the scheduled ones
    of the next ``within_days`` days, soonest first."""
    status = circle["circle_back_status"]
    nxt = pd.to_datetime(circle["next_circle_back"])
    horizon = pd.Timestamp(today) + pd.Timedelta(days=within_days)
    now = status.isin(["due", "overdue"])
    soon = (status == "scheduled") & (nxt <= horizon)
    pick = now | soon
    out = circle[pick].assign(_later=~now[pick], _next=nxt[pick], _id=circle["candidate_id"][pick])
    out = out.sort_values(["_later", "_next", "_id"], kind="stable")
    return out.drop(columns=["_later", "_next", "_id"])


def circle_backs_rows(circle: pd.DataFrame, today: dt.date, settings: Settings) -> list[list[Any]]:
    """The Circle-backs tab: due and overdue first, then the next
    ``settings.upcoming_days`` days. Dates are date cells."""
    rows: list[list[Any]] = [list(CIRCLE_BACK_HEADER)]
    for rec in listed(circle, today, settings.upcoming_days).to_dict("records"):
        values = {
            **rec,
            "contact_every": pace_text(rec.get("contact_every_days")),
            "suggested_positions": ", ".join(rec["suggested_positions"]),
        }
        rows.append([values.get(col) for col in CIRCLE_BACK_HEADER])
    return rows
