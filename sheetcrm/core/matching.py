"""Backpocket matching (DESIGN §6): which callable people fit which open roles."""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..config import Settings
from ..schema import CALLABLE, TURNED_DOWN


MATCH_COLUMNS = ("candidate_id", "name", "skill_coverage", "circle_back_status", "next_circle_back")



MATCH_DETAIL_COLUMNS = ("skills_covered", "location", "salary")



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
