"""Pure: circle-back eligibility, dates, status and backpocket matching (DESIGN §6).

Everything here takes clean typed frames (see :mod:`sheetcrm.validate`), the
pipeline classified by :func:`sheetcrm.reasons.classify_pipeline`, ``settings``
and ``today``; nothing reads a clock or a file.

Decisions worth knowing (the design leaves them open):

* Ties on the latest ``decided_on``: an unclassified row wins (a person must look
  first), then a hired row, then the soft-no with the longest cool-off, then
  availability (we would rather call a little late than too early).
* Who is ``never`` or ``review`` is :mod:`sheetcrm.core.never_call`'s word alone;
  this module schedules everyone else.
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

from .. import schema
from ..schema import CALLABLE, CIRCLE_BACK_HEADER
from .matching import _money, match_pairs
from . import never_call, with_all_tabs
from . import call_list
from . import touchpoints as touch_mod
from ..config import Settings

CLOSED_POSITION = ("filled", "closed")  # an open Pipeline row on these no longer holds anyone back
CIRCLE_BACK_COLUMNS = ("candidate_id", "name", "rejection_category", "last_contact", "next_circle_back",
                       "circle_back_status", "suggested_positions")
# Extra columns circle_backs() also returns (the tab and the calendar use them).
DETAIL_COLUMNS = ("contact_every_days", "rejection_position", "rejection_direction", "owner", "email", "phone",
                  "last_touchpoint", "last_touch_outcome", "last_touch_by", "talking_point")

# Tie-break rank among decisions on the same day (higher wins, see module doc).
_RANK_HARD, _RANK_UNCLASSIFIED, _RANK_HIRED, _RANK_SOFT = 40_000_000, 30_000_000, 20_000_000, 0


def circle_backs(candidates: pd.DataFrame, pipeline: pd.DataFrame, positions: pd.DataFrame,
                 candidate_class: pd.Series, settings: Settings, today: dt.date,
                 suppressed: pd.DataFrame | None = None, verdicts: never_call.Verdicts | None = None,
                 touchpoints: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per candidate (index: candidate_id): CIRCLE_BACK_COLUMNS then
    DETAIL_COLUMNS. ``next_circle_back`` / ``last_contact`` are dates or None,
    ``suggested_positions`` a list of open position_ids, best first.
    Who is ``never`` / ``review`` is :mod:`never_call`'s word (``verdicts``; by
    default decided from these frames and ``suppressed``, the Suppressed tab).
    ``touchpoints``: the clean Touchpoints tab (None: the workbook has none)."""
    if verdicts is None:
        verdicts = never_call.decide(never_call.Facts(candidates, pipeline, candidate_class, settings, suppressed))
    touch = touchpoints if touchpoints is not None else with_all_tabs({})[schema.TOUCHPOINTS]
    cands = candidates[candidates["candidate_id"].notna()]
    first = cands.drop_duplicates("candidate_id")
    ids = pd.Index(first["candidate_id"].to_numpy(dtype=object), name="candidate_id")
    out = pd.DataFrame(index=ids)
    out["candidate_id"] = ids.tolist()
    out["name"] = first["name"].to_numpy(dtype=object)

    # Integer codes once: every per-candidate step below is then plain numpy.
    decisions = touch_mod.as_decisions(touch)
    pipe = pd.concat([pipeline, decisions], ignore_index=True) if len(decisions) else pipeline
    pc = ids.get_indexer(pipe["candidate_id"].to_numpy(dtype=object))
    pipe, pc = pipe[pc >= 0], pc[pc >= 0]
    busy = np.zeros(len(ids), dtype=bool)
    busy[pc[holds_back(pipe, positions)]] = True
    latest = _latest_decisions(pipe, pc, len(ids), settings)
    cls = latest["rejection_class"]
    soft_or_warm = ((cls == schema.SOFT_NO) | cls.isna()).to_numpy(dtype=bool)  # keep-warm: never turned down
    eligible = ~verdicts.never_mask(ids) & ~busy & soft_or_warm

    last_touch = touch_mod.latest(touch, ids)
    last_contact, nxt = _next_dates(first, ids, pipe, pc, latest, touch, settings, today)
    nxt = _their_wish(nxt, last_touch, latest)
    day = _day_number(today)
    status = np.select([eligible & (nxt > day), eligible & (nxt + settings.grace_days < day), eligible],
                       ["scheduled", "overdue", "due"], default="")
    out["rejection_category"] = _texts(latest["rejection_category"], ids)
    out["last_contact"] = _dates(last_contact)
    out["next_circle_back"] = _dates(np.where(eligible, nxt, _NO_DAY))
    out["circle_back_status"] = status
    out["contact_every_days"] = _pace(first, settings)
    out["rejection_position"] = _texts(latest["position_id"], ids)
    out["rejection_direction"] = _texts(latest["rejection_direction"], ids)
    for column in ("owner", "email", "phone"):
        out[column] = _texts(_column(first, column), ids)
    out["last_touchpoint"] = _dates(_days(last_touch["date"]))
    out["last_touch_outcome"] = _texts(last_touch["outcome"], ids)
    out["last_touch_by"] = _texts(last_touch["by"], ids)
    _suggest(out, first, positions, pipe, settings)
    out = never_call.apply(out, verdicts, latest["rejection_class"].to_numpy(dtype=object))
    return out[list(CIRCLE_BACK_COLUMNS) + list(DETAIL_COLUMNS)]


def holds_back(pipe: pd.DataFrame, positions: pd.DataFrame) -> np.ndarray:
    """Per Pipeline row: does it keep the person out of circle-backs? A hire does; an
    open row only while its position is open or on hold (or of unknown status): an
    open row on a filled or closed role gets a warning to close it instead (DESIGN §6)."""
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    status = pipe["position_id"].map(pd.Series(pos["status"].to_numpy(dtype=object), index=pos["position_id"]))
    outcome = pipe["outcome"]
    done = status.isin(CLOSED_POSITION)
    return ((outcome == "hired") | ((outcome == "open") & ~done)).to_numpy(dtype=bool)


def _texts(values: pd.Series, index: pd.Index) -> pd.Series:
    """Text per person, blank as None (object dtype: pandas would make blanks NaN)."""
    seq = values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values  # iterating a text Series is slow
    if pd.api.types.infer_dtype(seq, skipna=True) in ("string", "empty"):  # text or blank only: told in C
        return pd.Series(np.where(pd.isna(seq), None, seq), index=index, dtype=object)
    return pd.Series([v if isinstance(v, str) else None for v in seq], index=index, dtype=object)


def _column(frame: pd.DataFrame, name: str) -> pd.Series:
    """A column of a typed frame; all blank for frames built without it (callers of the library)."""
    return frame[name] if name in frame else pd.Series(None, index=frame.index, dtype=object)


def _pace(first: pd.DataFrame, settings: Settings) -> np.ndarray:
    """Each person's contact_every in days (validation filled blanks with the config default)."""
    return first["contact_every_days"].to_numpy(dtype="int64")


def _next_dates(first: pd.DataFrame, ids: pd.Index, pipe: pd.DataFrame, pc: np.ndarray, latest: pd.DataFrame,
                touch: pd.DataFrame, settings: Settings, today: dt.date) -> tuple[np.ndarray, np.ndarray]:
    """(last contact, next circle-back) as day numbers per candidate (DESIGN §6):
    the latest of the cool-off (or their own pace, when they set one) after the
    decision, their pace after the last contact (Candidates, Pipeline, Touchpoints),
    and available_from for availability; today if none. ``ids``: first's candidate_ids
    (its lookup table is built once, by circle_backs)."""
    pipe_contact = np.full(len(first), _NO_DAY, dtype="int64")
    np.maximum.at(pipe_contact, pc, _days(pipe["first_contacted"]))
    contacts = touch_mod.contact_dates(touch)
    tc = ids.get_indexer(contacts["candidate_id"].to_numpy(dtype=object))
    np.maximum.at(pipe_contact, tc[tc >= 0], _days(contacts["date"])[tc >= 0])
    last_contact = np.maximum(_days(first["last_contacted"]), pipe_contact)
    pace = _pace(first, settings)
    category = latest["rejection_category"].to_numpy(dtype=object)
    cool = cool_off_days(latest, settings, settings.default_contact_every_days)
    own = _column(first, "contact_every").to_numpy(dtype="float64", na_value=np.nan)
    after_decision = np.where(np.isnan(own), cool, np.nan_to_num(own).astype("int64"))  # their pace replaces it
    decided = _days(latest["decided_on"])
    by_cool_off = np.where(decided == _NO_DAY, _NO_DAY, decided + after_decision)
    by_pace = np.where(last_contact == _NO_DAY, _NO_DAY, last_contact + pace)
    available = np.where(category == "availability", _days(first["available_from"]), _NO_DAY)
    nxt = np.maximum.reduce([by_cool_off, by_pace, available])
    return last_contact, np.where(nxt == _NO_DAY, _day_number(today), nxt)


def _their_wish(nxt: np.ndarray, last_touch: pd.DataFrame, latest: pd.DataFrame) -> np.ndarray:
    """A follow_up_on on the person's latest touchpoint is their next circle-back,
    whatever the other terms say, unless a decision was recorded after it."""
    wish = _days(last_touch["follow_up_on"])
    touched = _days(last_touch["date"])
    current = (wish != _NO_DAY) & (touched >= _days(latest["decided_on"]))
    return np.where(current, wish, nxt)


def _suggest(out: pd.DataFrame, first: pd.DataFrame, positions: pd.DataFrame, pipeline: pd.DataFrame,
             settings: Settings) -> None:
    """Fill suggested_positions and talking_point for the callable people of ``out``."""
    is_callable = np.isin(out["circle_back_status"].to_numpy(dtype=object), CALLABLE)
    callable_rows = first[is_callable]
    pairs = match_pairs(callable_rows, positions, pipeline, settings)
    suggested = _lists_by(pairs["candidate_id"].to_numpy(dtype=object), pairs["position_id"].to_numpy(dtype=object))
    out["suggested_positions"] = [suggested.get(cid, []) for cid in out.index.tolist()]
    points = np.full(len(out), None, dtype=object)
    if is_callable.any():
        points[is_callable] = _talking_points(out[is_callable], callable_rows.set_index("candidate_id"), positions,
                                              pairs, settings)
    out["talking_point"] = points


_NO_DAY = np.iinfo("int64").min // 4  # "no date" in day numbers: loses every max()
_EPOCH = dt.date(1970, 1, 1)


def _days(values: Any) -> np.ndarray:
    """Dates (datetime64 / NaT) as day numbers since 1970, _NO_DAY when blank."""
    arr = pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]")
    out = arr.astype("int64")
    out[np.isnat(arr)] = _NO_DAY
    return out


def _day_number(day: dt.date) -> int:
    return (day - _EPOCH).days


def _latest_decisions(pipe: pd.DataFrame, pc: np.ndarray, n: int, settings: Settings) -> pd.DataFrame:
    """Per candidate code 0…n-1, their most recent decided row (see module doc for
    ties); all None where they have none."""
    cols = ["position_id", "decided_on", "rejection_class", "rejection_category", "rejection_direction"]
    if "rejection_direction" not in pipe:  # a pipeline classified before directions existed
        pipe = pipe.assign(rejection_direction=None)
    out = pd.DataFrame({c: np.full(n, None, dtype=object) for c in cols})
    out["decided_on"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns]")
    mask = pipe["outcome"].isin(schema.DECIDED_OUTCOMES).to_numpy(dtype=bool)
    if not mask.any():
        return out
    decided, codes = pipe.loc[mask, [*cols, "outcome"]], pc[mask]  # only the columns read: a copy of fewer
    cls = decided["rejection_class"].to_numpy(dtype=object)
    cool = cool_off_days(decided, settings, 0)
    # Among soft-nos: the longest cool-off, then availability (its available_from can only push later).
    soft_rank = 2 * np.minimum(cool, 9_999_999) + \
        (decided["rejection_category"] == "availability").to_numpy(dtype="int64")
    rank = np.select([cls == schema.HARD_NO, cls == schema.UNCLASSIFIED,
                      decided["outcome"].to_numpy(dtype=object) == "hired"],
                     [_RANK_HARD, _RANK_UNCLASSIFIED, _RANK_HIRED], default=_RANK_SOFT) + soft_rank
    days = np.maximum(_days(decided["decided_on"]), -1_000_000)  # a blank date is the oldest decision
    key = days * 100_000_000 + rank
    order = np.lexsort((key, codes))
    last = order[np.r_[codes[order][1:] != codes[order][:-1], True]]  # the highest key per candidate
    at = codes[last]
    filled = {}
    for c in (c for c in cols if c != "decided_on"):  # each filled as an array, the frame made once
        filled[c] = np.full(n, None, dtype=object)
        filled[c][at] = decided[c].to_numpy()[last]
    out = pd.DataFrame({**filled, "decided_on": out["decided_on"]})[cols]
    out.loc[at, "decided_on"] = decided["decided_on"].to_numpy()[last]
    return out


def cool_off_days(rows: pd.DataFrame, settings: Settings, default: int) -> np.ndarray:
    """Days of cool-off per decided row: the category's (config [cool_off_days]); an
    experience row whose rule says "over" (too senior for that seat) has its own,
    shorter one (overqualified_cool_off_days): a more senior role may come up soon."""
    category = rows["rejection_category"]
    cool = category.map(dict(settings.cool_off_days)).fillna(default).to_numpy(dtype="int64", copy=True)
    if "rejection_direction" in rows:
        over = ((category == "experience") & (rows["rejection_direction"] == "over")).to_numpy(dtype=bool)
        cool[over] = settings.overqualified_cool_off_days
    return cool


def _dates(days: np.ndarray) -> list[dt.date | None]:
    """Day numbers -> dates, None for _NO_DAY."""
    blank = days == _NO_DAY
    stamps = np.where(blank, 0, days).astype("datetime64[D]").astype(object)  # numpy gives datetime.date
    stamps[blank] = None
    return stamps.tolist()


def _lists_by(keys: np.ndarray, values: np.ndarray) -> dict[Any, list]:
    """{key: [values…]} for ``keys`` already grouped together (sorted), order kept."""
    if not len(keys):
        return {}
    starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]])
    return {keys[i]: chunk.tolist() for i, chunk in zip(starts, np.split(values, starts[1:]))}


# -- backpocket matching ---------------------------------------------------


# -- talking points and the tab ----------------------------------------------

def _talking_points(rows: pd.DataFrame, cands: pd.DataFrame, positions: pd.DataFrame, pairs: pd.DataFrame,
                    settings: Settings) -> list[str]:
    """One line per callable candidate, from why they were a soft-no last time.
    Plain dict lookups: this runs for every callable candidate of a big sheet."""
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    min_years = _column(pos, "min_years")
    pos_info = dict(zip(pos["position_id"], zip(pos["salary_max"], pos["remote"], pos["location"], min_years)))
    # Columns as lists first: iterating a pandas text column yields its cells one slow call at a time.
    ids = cands.index.tolist()
    available = dict(zip(ids, cands["available_from"].tolist()))
    own = dict(zip(ids, zip(_column(cands, "salary_expectation").tolist(), _column(cands, "years_experience").tolist())))
    best = pairs.drop_duplicates("candidate_id")
    fit = dict(zip(best["candidate_id"].tolist(), zip(best["covered"].tolist(), best["needed"].tolist())))
    # too senior last time: its own talking point (a more senior role), same category
    topics = np.where((rows["rejection_category"] == "experience") & (rows["rejection_direction"] == "over"),
                      "overqualified", rows["rejection_category"].to_numpy(dtype=object))
    row_ids, suggestions = rows.index.tolist(), rows["suggested_positions"].tolist()
    touches = zip(rows["last_touchpoint"].tolist(), rows["last_touch_outcome"].tolist(), rows["last_touch_by"].tolist())
    # Many people share a reason, a role and a top match: each distinct case is written
    # once. A key holds only what its text reads (a date only for availability, the skill
    # fit only for skills, their figures only where _specifics shows them).
    points: dict[tuple, str] = {}
    extras: dict[tuple, str] = {}
    out = []
    for cid, cat, was, suggested, touched in zip(row_ids, topics, rows["rejection_position"].tolist(), suggestions,
                                                 touches):
        top = suggested[0] if suggested else None
        p = pos_info.get(top) if suggested else None
        key = (cat, was, top, available.get(cid) if cat == "availability" else None,
               fit.get(cid) if cat == "skills" else None)
        point = points.get(key)
        if point is None:
            point = points[key] = _talking_point(cat, was, top, p, available.get(cid), fit.get(cid), settings)
        expected, years = own.get(cid, (None, None))
        key = (cat, top, expected if cat == "salary" else None, years if cat == "experience" else None, touched)
        extra = extras.get(key)
        if extra is None:
            extra = extras[key] = _specifics(cat, p, (expected, years), touch_mod.describe(*touched), settings)
        out.append(point + extra)
    return out


def _specifics(cat: str | None, p: tuple | None, own: tuple, touched: str, settings: Settings) -> str:
    """What only this person's figures say: the size of a salary gap against the role
    that fits, their years now against its minimum, and the last logged contact."""
    extra = ""
    expected, years = own
    if cat == "salary" and p is not None and pd.notna(p[0]) and expected is not None and pd.notna(expected):
        gap = float(expected) - float(p[0])
        extra = f" (they asked {_money(expected, settings)}: " + \
            (f"{_money(gap, settings)} above that)" if gap > 0 else "within it)")
    elif cat == "salary" and expected is not None and pd.notna(expected):
        extra = f" (they asked {_money(expected, settings)} last time)"
    elif cat == "experience" and years is not None and pd.notna(years):
        needs = f", the role asks {p[3]:g}" if p is not None and p[3] is not None and pd.notna(p[3]) else ""
        extra = f" (now {years:g} years{needs})"
    return extra + (f"; last touch {touched}" if touched else "")


def _talking_point(cat: str | None, was: str | None, top: str | None, p: tuple | None, available: Any,
                   fit: tuple | None, settings: Settings) -> str:
    """``p``: (salary_max, remote, location) of the top suggestion; ``fit``: (covered, needed)."""
    last = f" ({was})" if was else ""
    fits = f"; {top} may fit" if top else ""
    if cat is None:  # keep-warm: never turned down (DESIGN §6)
        return "keep in touch" + fits
    if cat == "salary":
        if p is not None and pd.notna(p[0]):
            return f"salary gap last time{last}: {top} pays up to {_money(p[0], settings)}"
        return f"salary gap last time{last}: ask what they expect now{fits}"
    if cat == "availability":
        if available is not None and pd.notna(available):
            return f"timing did not fit last time{last}: available from {pd.Timestamp(available).date().isoformat()}{fits}"
        return f"timing did not fit last time{last}: ask about notice period and start date{fits}"
    if cat == "location":
        if p is not None:
            where = "remote" if p[1] else (p[2] or "location open")
            return f"location mismatch last time{last}: {top} is {where}"
        return f"location mismatch last time{last}: ask whether remote or a move works now"
    if cat == "experience":
        return f"not enough experience last time{last}: ask what they have done since{fits}"
    if cat == "overqualified":
        return f"too senior for that role last time{last}: pitch a more senior role" + \
            (f", {top} may fit" if top else ", ask what level they want now")
    if cat == "skills":
        if top is not None and fit is not None:
            return f"skills did not fit last time{last}: {top} matches {int(fit[0])} of {int(fit[1])} skills"
        return f"skills did not fit last time{last}: ask what they work with now"
    if cat == "declined_role":
        return f"they turned the role down last time{last}: lead with what is different" + (f" about {top}" if top else "")
    if cat == "sponsor_rejected":
        # the reason says the client chose someone else, not how well they fitted: claim no more
        return f"the client said no last time{last}: " + (f"{top} is a fresh shot" if top else "keep them warm")
    if cat == "ghosted":
        return f"went quiet last time{last}: a short friendly check-in, no pressure{fits}"
    return f"circle back{last}{fits}"


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
    """The Circle-backs tab, grouped by owner (the team's last): in each group due and
    overdue first, then the next ``settings.upcoming_days`` days. Dates are date cells.
    Built column by column (``tolist`` gives the cells ``to_dict("records")`` would)."""
    shown = call_list.by_owner(listed(circle, today, settings.upcoming_days))
    col = {c: shown[c].tolist() for c in shown.columns}
    blank = [None] * len(shown)
    derived = {
        "owner": [call_list.owner_label(v) for v in col.get("owner", blank)],
        "contact_every": [pace_text(v) for v in col.get("contact_every_days", blank)],
        "last_touchpoint": [touch_mod.describe(*t) for t in zip(col.get("last_touchpoint", blank),
                                                                 col.get("last_touch_outcome", blank),
                                                                 col.get("last_touch_by", blank))],
        "suggested_positions": [", ".join(v) for v in col["suggested_positions"]],
    }
    cells = [derived[c] if c in derived else col.get(c, blank) for c in CIRCLE_BACK_HEADER]
    return [list(CIRCLE_BACK_HEADER), *map(list, zip(*cells))]
