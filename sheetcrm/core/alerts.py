"""Pure: what a sync tells the team about roles that are new or reopened (issue 17).

A role is new or reopened since the last sync when it is open now and its
``backpocket_matches`` cell is blank in the sheet: sheetcrm fills that cell for open
and on-hold roles only, so a blank one was never synced while open (a new row) or was
filled or closed at the last sync (reopened). On a sheet never synced before, every
cell is blank and nothing is announced (everything would be "new").
"""
from __future__ import annotations

import pandas as pd

from ..values import is_blank

LIVE = ("open", "on_hold")  # roles whose backpocket cells sheetcrm fills


def new_role_lines(raw: pd.DataFrame, clean: pd.DataFrame, matches: pd.Series, due: pd.Series) -> list[str]:
    """`P-016 Senior Data Engineer: 7 in the backpocket, 2 due now`, per new or reopened role."""
    before = raw["backpocket_matches"].reindex(clean.index)
    if before.map(is_blank).all():
        return []
    fresh = (clean["status"] == "open") & before.map(is_blank)
    return [f"{pid} {title}: {int(matches.get(pid, 0))} in the backpocket, {int(due.get(pid, 0))} due now"
            for pid, title in zip(clean.loc[fresh, "position_id"], clean.loc[fresh, "title"])]


TOP = 3  # matches shown per open role on the Summary
_RANK = {"overdue": 0, "due": 1, "scheduled": 2}


def top_matches_rows(circle: pd.DataFrame, positions: pd.DataFrame, top: int = TOP) -> list[list]:
    """The Summary's "who fits each open role" block: per open role, its best matches
    (overdue, then due, then scheduled; best skill fit first within each), as
    `C-00012 Ada Lovelace (due)`; `sheetcrm match` gives the rest and why."""
    live = circle[circle["circle_back_status"].isin(list(_RANK))]
    ranked = live.assign(_rank=live["circle_back_status"].map(_RANK)).sort_values("_rank", kind="stable")
    picks: dict[str, list[str]] = {}
    for cid, name, status, suggested in zip(ranked.index.tolist(), ranked["name"].tolist(),  # lists: a Series
                                            ranked["circle_back_status"].tolist(),  # iterates a cell at a time
                                            ranked["suggested_positions"].tolist()):
        for pid in suggested or []:
            if len(picks.setdefault(pid, [])) < top:
                picks[pid].append(f"{cid} {name} ({status})")
    open_roles = positions[(positions["status"] == "open").to_numpy(dtype=bool)]
    rows: list[list] = [["Top backpocket matches per open role (sheetcrm match ID --shortlist FILE.csv for the rest)"]]
    for pid, title in zip(open_roles["position_id"], open_roles["title"]):
        rows.append([pid, title, "; ".join(picks.get(pid, [])) or "nobody in the backpocket fits yet"])
    return rows
