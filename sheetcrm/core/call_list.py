"""Pure: whose calls, and on which working day (DESIGN §6 owner; issue 17).

Rows are :func:`sheetcrm.core.circleback.listed` rows (due and overdue, then the
next days). Nothing here decides who may be called: the rows come already chosen.

* **Owner**: the Candidates ``owner`` cell, compared without case or surrounding
  spaces; a blank owner is the team's, asked for as ``--owner team``.
* **Call days**: many people fall due at once after a holiday or an import. Rather
  than one day with 46 calls, each owner's calls are laid on working days (Monday to
  Friday) from today, at most ``calls_per_day`` a day. Scheduled calls keep their own
  day (the next working day when it falls on a weekend). The waiting calls go in the
  order of their own pace: the person whose next call after this one would fall
  soonest (next_circle_back + contact_every) goes first, so a person who asked for
  a call every two weeks is not left behind someone called once a year.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pandas as pd

TEAM = "team"  # how a blank owner is named and asked for


def owner_key(value) -> str:
    """The owner a cell names, as compared: `  AB ` = `ab`; blank -> '' (the team)."""
    if not isinstance(value, str):
        return ""
    return " ".join(value.split()).casefold()


def owner_label(value) -> str:
    """An owner as shown: their cell, trimmed; the team for a blank one."""
    return " ".join(value.split()) if isinstance(value, str) and value.strip() else TEAM


def for_owner(rows: pd.DataFrame, owner: str | None) -> pd.DataFrame:
    """Only ``owner``'s people (``team``: people with no owner); None: everyone."""
    if owner is None:
        return rows
    wanted = owner_key(owner)
    keys = rows["owner"].map(owner_key)
    mask = keys == ("" if wanted == TEAM else wanted)
    return rows[mask.to_numpy(dtype=bool)]


def by_owner(rows: pd.DataFrame) -> pd.DataFrame:
    """Grouped by owner (alphabetically, the team's last), each group in the order given."""
    keys = rows["owner"].map(owner_key)
    order = pd.DataFrame({"blank": (keys == "").to_numpy(), "key": keys.to_numpy(), "pos": range(len(rows))})
    return rows.iloc[order.sort_values(["blank", "key", "pos"], kind="stable")["pos"].to_numpy()]


def working_day(day: dt.date) -> dt.date:
    """``day``, or the Monday after when it falls on a weekend."""
    return day + dt.timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def call_days(rows: pd.DataFrame, today: dt.date, per_day: int) -> list[dt.date]:
    """The day to make each call (see the module doc), in the rows' order."""
    per_day = max(1, int(per_day))
    targets, urgency = [], []
    for rec in rows[["circle_back_status", "next_circle_back", "contact_every_days"]].itertuples(index=False):
        nxt = rec.next_circle_back or today
        waiting = rec.circle_back_status in ("due", "overdue") or nxt < today
        targets.append(working_day(today if waiting else nxt))
        pace = int(rec.contact_every_days) if pd.notna(rec.contact_every_days) else 0
        urgency.append(nxt + dt.timedelta(days=pace))
    owners = rows["owner"].map(owner_key).tolist()
    ids = rows["candidate_id"].astype(str).tolist()
    order = sorted(range(len(rows)), key=lambda i: (targets[i], urgency[i], ids[i]))
    booked: dict[tuple[str, dt.date], int] = defaultdict(int)
    out: list[dt.date] = [today] * len(rows)
    for i in order:
        day = targets[i]
        while booked[owners[i], day] >= per_day:
            day = working_day(day + dt.timedelta(days=1))
        booked[owners[i], day] += 1
        out[i] = day
    return out
