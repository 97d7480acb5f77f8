"""Backpocket matching (DESIGN §6): which callable people fit which open roles.

The rules, each one a column of :func:`match_pairs` and a part of ``why``:

* skills: names are compared through the synonym table (config ``[skills.synonyms]``,
  ``k8s`` = ``kubernetes``); the candidate covers ≥ ``match_min_skill_coverage`` of the
  position's distinct skills, and every must-have (``!kotlin``) among them;
* years: ``years_experience`` ≥ ``min_years`` (either blank: fits);
* location by work mode (blank = ``remote`` when the location is Remote, else ``onsite``):
  remote fits anyone; hybrid and onsite fit the same city, or the same country when the
  candidate is ``open_to_relocation`` or gave only one place name (a country, or a city
  the role is in). A role with no location fits anyone; a role that names only a country
  fits anyone in that country;
* salary: either side blank, or expectation ≤ ``salary_max``;
* never a position the person was already turned down for.

``available_from`` is not a rule: a person available later than the horizon (config
``availability_horizon_days``) is listed with that date and not counted as due.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..config import Settings
from ..schema import CALLABLE, TURNED_DOWN

MATCH_COLUMNS = ("candidate_id", "name", "skill_coverage", "circle_back_status", "next_circle_back", "why")
MATCH_DETAIL_COLUMNS = ("skills_covered", "must_haves", "years", "location", "salary", "available_from")
PAIR_COLUMNS = ("candidate_id", "position_id", "skill_coverage", "covered", "needed", "must", "location_fit")
STATUS_ORDER = {"overdue": 0, "due": 1, "scheduled": 2}  # then the rest
DUE = ("due", "overdue")


# -- skills ---------------------------------------------------------------------

def canonical_skill(name: str, synonyms: Any) -> str:
    """The name a skill is compared by: without a must-have `!`, through the synonym
    table (a few hops, so an agency's `kube = "k8s"` still lands on kubernetes)."""
    name = " ".join(str(name).lstrip("!").split())
    for _ in range(4):
        nxt = synonyms.get(name)
        if nxt is None or nxt == name:
            break
        name = nxt
    return name


def position_skills(skills: tuple, synonyms: Any) -> tuple[tuple[str, ...], frozenset[str]]:
    """(distinct skills by their compared name, the must-haves among them)."""
    names: dict[str, bool] = {}
    for s in skills:
        key = canonical_skill(s, synonyms)
        if key:
            names[key] = names.get(key, False) or str(s).startswith("!")
    return tuple(names), frozenset(k for k, must in names.items() if must)


def _exploded(frame: pd.DataFrame, synonyms: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(row position, compared skill name, must-have flag), one per distinct skill of a row."""
    sk = frame["skills"].map(lambda t: t if isinstance(t, tuple) else ()).reset_index(drop=True).explode().dropna()
    if not len(sk):
        return np.zeros(0, "int64"), np.zeros(0, object), np.zeros(0, bool)
    uniq = pd.unique(sk.to_numpy(dtype=object))
    names = dict(zip(uniq, (canonical_skill(u, synonyms) for u in uniq)))
    df = pd.DataFrame({"row": sk.index.to_numpy(dtype="int64"), "skill": sk.map(names).to_numpy(dtype=object),
                       "must": sk.map(dict(zip(uniq, (str(u).startswith("!") for u in uniq)))).to_numpy(dtype=bool)})
    df = df[df["skill"] != ""]
    df = df.groupby(["row", "skill"], sort=False, as_index=False)["must"].any()
    return df["row"].to_numpy(dtype="int64"), df["skill"].to_numpy(dtype=object), df["must"].to_numpy(dtype=bool)


# -- pairs ----------------------------------------------------------------------

def match_pairs(candidates: pd.DataFrame, positions: pd.DataFrame, pipeline: pd.DataFrame, settings: Settings,
                only_open: bool = True) -> pd.DataFrame:
    """Every (candidate, position) pair that fits (module doc), best first per
    candidate. Columns PAIR_COLUMNS: covered / needed / must are counts, location_fit
    'remote' / 'any' / 'city' / 'country' / 'relocation'. Vectorised: explode skills,
    merge on skill, count per pair, then the other rules as array masks."""
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    if only_open:
        pos = pos[pos["status"] == "open"]
    cands = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id")
    syn = settings.skill_synonyms
    pos_skills = _exploded(pos, syn)
    if not len(pos_skills[0]) or not len(cands):
        return pd.DataFrame(columns=list(PAIR_COLUMNS))
    n_pos = len(pos)
    needed_all = np.bincount(pos_skills[0], minlength=n_pos)
    must_all = np.bincount(pos_skills[0], weights=pos_skills[2], minlength=n_pos).astype("int64")
    # People share skill lists (a few thousand distinct among 100k): the skill rules are
    # decided once per distinct list and position, then handed to each person holding it.
    lists, distinct = pd.factorize(np.fromiter((t if isinstance(t, tuple) else () for t in cands["skills"].to_numpy(
        dtype=object)), dtype=object, count=len(cands)))
    fit = _skills_fit(pd.DataFrame({"skills": pd.Series(list(distinct), dtype=object)}), pos_skills, needed_all,
                      must_all, settings)
    if fit is None:
        return pd.DataFrame(columns=list(PAIR_COLUMNS))
    at, c = _spread(fit[0], lists, len(distinct))
    p, covered = fit[1][at], fit[2][at]
    needed = needed_all[p]
    coverage = covered / needed
    keep = _years_fit(cands, pos, c, p) & _salary_fit(cands, pos, c, p)
    location = _location_fit(cands, pos, c, p)
    keep &= location != ""
    keep &= ~_turned_down(cands, pos, pipeline, c, p)
    out = pd.DataFrame({
        "candidate_id": cands["candidate_id"].to_numpy()[c[keep]],
        "position_id": pos["position_id"].to_numpy()[p[keep]],
        "skill_coverage": coverage[keep], "covered": covered[keep], "needed": needed[keep],
        "must": must_all[p[keep]], "location_fit": location[keep],
    })
    out = out.sort_values(["candidate_id", "skill_coverage", "position_id"], ascending=[True, False, True],
                          kind="stable").reset_index(drop=True)
    return out[list(PAIR_COLUMNS)]


def _skills_fit(lists: pd.DataFrame, pos_skills: tuple[np.ndarray, np.ndarray, np.ndarray], needed_all: np.ndarray,
                must_all: np.ndarray, settings: Settings) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(skill-list row, position row, skills covered) of every pair whose skills fit (covered
    share ≥ match_min_skill_coverage, every must-have), ascending by list then position;
    None when no skill is shared at all."""
    l_row, l_skill, _ = _exploded(lists, settings.skill_synonyms)
    p_row, p_skill, p_must = pos_skills
    if not len(l_row):
        return None
    n_pos = len(needed_all)
    codes, _ = pd.factorize(np.concatenate([l_skill, p_skill]))
    joined = pd.DataFrame({"skill": codes[: len(l_row)], "c": l_row}).merge(
        pd.DataFrame({"skill": codes[len(l_row):], "p": p_row, "must": p_must}), on="skill")
    if not len(joined):
        return None
    key = joined["c"].to_numpy().astype("int64") * n_pos + joined["p"].to_numpy()
    pairs, covered, musts = _pair_counts(key, joined["must"].to_numpy(dtype="int64"), len(lists) * n_pos)
    p = (pairs % n_pos).astype("int64")
    keep = np.flatnonzero((covered / needed_all[p] >= settings.match_min_skill_coverage - 1e-9)
                          & (musts.astype("int64") == must_all[p]))
    return (pairs[keep] // n_pos).astype("int64"), p[keep], covered[keep]


def _spread(owner: np.ndarray, codes: np.ndarray, n_codes: int) -> tuple[np.ndarray, np.ndarray]:
    """For rows each holding a code 0…n_codes-1 (``codes``), every item of that code
    (``owner``: each item's code, ascending): (item, row) pairs, rows ascending, then items."""
    per_code = np.bincount(owner, minlength=n_codes)
    first = np.cumsum(per_code) - per_code
    n = per_code[codes]
    rows = np.repeat(np.arange(len(codes), dtype="int64"), n)
    within = np.arange(len(rows), dtype="int64") - np.repeat(np.cumsum(n) - n, n)
    return first[codes][rows] + within, rows


def _pair_counts(key: np.ndarray, must: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys ascending, rows per key, must-haves per key) of the skill matches,
    as ``np.unique(key, return_counts=True)`` and a bincount of ``must`` over its
    inverse give them; by counting into all ``size`` keys when that is not much more
    than the matches (no sort)."""
    if size <= 16 * len(key) + (1 << 16):
        counts = np.bincount(key, minlength=size)
        pairs = np.flatnonzero(counts)
        return pairs, counts[pairs], np.bincount(key, weights=must, minlength=size)[pairs]
    pairs, at, covered = np.unique(key, return_inverse=True, return_counts=True)
    return pairs, covered, np.bincount(at.ravel(), weights=must, minlength=len(pairs))


def _numbers(frame: pd.DataFrame, column: str, at: np.ndarray) -> np.ndarray:
    if column not in frame:
        return np.full(len(at), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)[at]


def _years_fit(cands: pd.DataFrame, pos: pd.DataFrame, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    have, need = _numbers(cands, "years_experience", c), _numbers(pos, "min_years", p)
    return np.isnan(have) | np.isnan(need) | (have >= need)


def _salary_fit(cands: pd.DataFrame, pos: pd.DataFrame, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    want, pay = _numbers(cands, "salary_expectation", c), _numbers(pos, "salary_max", p)
    return np.isnan(want) | np.isnan(pay) | (want <= pay)


def _turned_down(cands: pd.DataFrame, pos: pd.DataFrame, pipeline: pd.DataFrame, c: np.ndarray,
                 p: np.ndarray) -> np.ndarray:
    """Per pair: was this person already turned down for this position?"""
    # The two id columns of the turned-down rows only, not a copy of the whole Pipeline's rows.
    turned = pipeline["outcome"].isin(TURNED_DOWN).to_numpy(dtype=bool)
    t_c = pd.Index(cands["candidate_id"]).get_indexer(pipeline["candidate_id"].to_numpy(dtype=object)[turned])
    t_p = pd.Index(pos["position_id"]).get_indexer(pipeline["position_id"].to_numpy(dtype=object)[turned])
    both = (t_c >= 0) & (t_p >= 0)
    n_pos = len(pos)
    return np.isin(c * n_pos + p, t_c[both].astype("int64") * n_pos + t_p[both])


def work_modes(pos: pd.DataFrame) -> np.ndarray:
    """The work mode of each position; blank = remote when its location is Remote, else onsite."""
    remote = pos["remote"].fillna(False).to_numpy(dtype=bool)
    given = pos["work_mode"].to_numpy(dtype=object) if "work_mode" in pos else np.full(len(pos), None, dtype=object)
    return np.where(pd.isna(given), np.where(remote, "remote", "onsite"), given).astype(object)


def _location_fit(cands: pd.DataFrame, pos: pd.DataFrame, c: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Per pair: why the location fits ('remote', 'any', 'city', 'country', 'relocation'), '' if not."""
    places = pd.concat([cands["city"], cands["country"], pos["city"], pos["country"]], ignore_index=True)
    codes, _ = pd.factorize(places)  # None -> -1
    n_c, n_p = len(cands), len(pos)
    c_city, c_country = codes[:n_c][c], codes[n_c:2 * n_c][c]
    p_city, p_country = codes[2 * n_c:2 * n_c + n_p][p], codes[2 * n_c + n_p:][p]
    remote = work_modes(pos)[p] == "remote"
    moves = cands["open_to_relocation"].fillna(False).to_numpy(dtype=bool)[c] if "open_to_relocation" in cands \
        else np.zeros(len(c), dtype=bool)
    unknown = (p_city == -1) & (p_country == -1)
    c_one = (c_city != -1) & (c_country == -1)  # "Germany" or "Munich": one place name
    p_one = (p_city != -1) & (p_country == -1)
    role_country = np.where(p_one, p_city, p_country)  # a role that names one place: that is its country
    same_city = (c_city != -1) & (c_city == p_city) & \
        ((c_country == -1) | (p_country == -1) | (c_country == p_country))
    their_country = np.where(c_one, c_city, c_country)
    in_country = (their_country != -1) & (their_country == role_country)
    return np.select([remote, unknown, same_city, in_country & (c_one | p_one), in_country & moves],
                     ["remote", "any", "city", "country", "relocation"], default="")


# -- counts for the Positions tab -----------------------------------------------

def available_later(candidates: pd.DataFrame, today: dt.date, settings: Settings) -> pd.Series:
    """candidate_id -> True when their available_from is beyond the availability horizon."""
    first = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id")
    horizon = pd.Timestamp(today) + pd.Timedelta(days=settings.availability_horizon_days)
    later = pd.to_datetime(first["available_from"]) > horizon if "available_from" in first else False
    return pd.Series(np.asarray(later, dtype=bool) if len(first) else [], index=first["candidate_id"].to_numpy(),
                     dtype=bool)


def backpocket_counts(circle: pd.DataFrame, positions: pd.DataFrame, due_only: bool = False,
                      later: pd.Series | None = None) -> pd.Series:
    """Per position_id: how many callable people fit it (``backpocket_matches``); with
    ``due_only``, those due or overdue now and not available only after the horizon
    (``later``, from :func:`available_later`): ``backpocket_due``."""
    ids = pd.Index(positions["position_id"].dropna().unique())
    pick = circle["circle_back_status"].isin(DUE if due_only else CALLABLE)
    if due_only and later is not None:
        pick &= ~later.reindex(circle.index, fill_value=False).to_numpy(dtype=bool)
    counts = circle.loc[pick, "suggested_positions"].explode().dropna().value_counts()
    return counts.reindex(ids, fill_value=0).astype("int64")


# -- one position's backpocket, with why -----------------------------------------

def match_position(position_id: str, candidates: pd.DataFrame, positions: pd.DataFrame, pipeline: pd.DataFrame,
                   circle: pd.DataFrame, settings: Settings, today: dt.date | None = None) -> pd.DataFrame:
    """The backpocket for one position: every callable person who fits it, ranked
    overdue, due, scheduled, then the rest, then by skill coverage; columns
    MATCH_COLUMNS + MATCH_DETAIL_COLUMNS (``why`` joins the details). Works for a
    position of any status: it was asked for."""
    pos = positions[positions["position_id"] == position_id].head(1)
    callable_ids = circle.index[circle["circle_back_status"].isin(CALLABLE)]
    cands = candidates[candidates["candidate_id"].isin(callable_ids)].drop_duplicates("candidate_id")
    pairs = match_pairs(cands, pos, pipeline, settings, only_open=False)
    columns = list(MATCH_COLUMNS + MATCH_DETAIL_COLUMNS)
    if not len(pairs):
        return pd.DataFrame(columns=columns)
    by_id = cands.set_index("candidate_id")
    p = pos.iloc[0]
    need, musts = position_skills(p["skills"], settings.skill_synonyms)
    mode = work_modes(pos)[0]
    rows = []
    for rec in pairs.to_dict("records"):
        cid = rec["candidate_id"]
        cand = by_id.loc[cid]
        details = {
            "skills_covered": _skills_reason(cand["skills"], need, settings),
            "must_haves": ", ".join(sorted(musts)) if musts else "none",
            "years": _years_reason(cand.get("years_experience"), p.get("min_years")),
            "location": _location_reason(rec["location_fit"], mode, p, cand),
            "salary": _salary_reason(cand.get("salary_expectation"), p.get("salary_max"), settings),
            "available_from": _available_reason(cand.get("available_from"), today, settings),
        }
        why = "; ".join(f"{k.replace('_', ' ')}: {v}" for k, v in details.items())
        rows.append({"candidate_id": cid, "name": cand["name"], "skill_coverage": round(float(rec["skill_coverage"]), 3),
                     "circle_back_status": circle.at[cid, "circle_back_status"],
                     "next_circle_back": circle.at[cid, "next_circle_back"], "why": why, **details})
    out = pd.DataFrame(rows, columns=columns)
    out["_rank"] = out["circle_back_status"].map(STATUS_ORDER).fillna(len(STATUS_ORDER))
    out["_next"] = pd.to_datetime(out["next_circle_back"])
    out = out.sort_values(["_rank", "skill_coverage", "_next", "candidate_id"], ascending=[True, False, True, True],
                          kind="stable")
    return out.drop(columns=["_rank", "_next"]).reset_index(drop=True)


def _skills_reason(have: tuple, need: tuple[str, ...], settings: Settings) -> str:
    """`python, kubernetes (as k8s) (2/3)`: the role's names, the person's spelling when it differs."""
    spelled = {canonical_skill(s, settings.skill_synonyms): str(s).lstrip("!") for s in have}
    shown = [n if spelled[n] == n else f"{n} (as {spelled[n]})" for n in need if n in spelled]
    return f"{', '.join(shown)} ({len(shown)}/{len(need)})"


def _years_reason(have: Any, need: Any) -> str:
    have_s = "not known" if pd.isna(have) else f"{_num(have)}"
    if pd.isna(need):
        return f"{have_s}; no minimum"
    if pd.isna(have):
        return f"not known; role needs {_num(need)}"
    return f"{have_s} ≥ {_num(need)} needed"


def _num(v: Any) -> str:
    return f"{float(v):g}"


def _location_reason(fit: str, mode: str, pos: pd.Series, cand: pd.Series) -> str:
    where = pos.get("location") or ""
    theirs = cand.get("location") or ""
    return {"remote": "remote role",
            "any": f"{mode}, role location not set",
            "city": f"{mode} in {where}, same city",
            "country": f"{mode} in {where}, same country ({theirs})",
            "relocation": f"{mode} in {where}, same country, open to relocation"}.get(fit, "")


def _salary_reason(want: Any, pay: Any, settings: Settings) -> str:
    if pd.isna(want) and pd.isna(pay):
        return "no salary on either side"
    if pd.isna(want):
        return f"expectation not known; pays up to {_money(pay, settings)}"
    if pd.isna(pay):
        return f"expects {_money(want, settings)}; no maximum set"
    return f"expects {_money(want, settings)} ≤ {_money(pay, settings)} max"


def _available_reason(day: Any, today: dt.date | None, settings: Settings) -> str:
    if day is None or pd.isna(day):
        return "now"
    stamp = pd.Timestamp(day)
    if today is not None and stamp <= pd.Timestamp(today):
        return "now"
    later = today is not None and stamp > pd.Timestamp(today) + pd.Timedelta(days=settings.availability_horizon_days)
    return f"{stamp.date().isoformat()}" + (f" (beyond {settings.availability_horizon_days} days: not due)" if later else "")


def _money(v: float, settings: Settings) -> str:
    return f"{v:,.0f} {settings.currency}"
