"""Pure: a first message for each person due a circle-back (DESIGN §7 `drafts`).

Templates are data (``sheetcrm/defaults/messages.toml``, the agency's
``config/messages.toml``), handed in already parsed: one table per language. A
draft names only the open roles the matching rules suggested for the person (never a
fit the data does not show), or says there is none; it says what is different now
against last time's reason, from the sheet's own figures. Who may get a draft is
decided before: the rows are callable people (core.never_call had the last word).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..config import Settings
from .matching import work_modes

DRAFT_COLUMNS = ("candidate_id", "owner", "to", "subject", "body")
MAX_ROLES = 2  # the best-fitting roles a message names


class _Blank(dict):
    """format_map that leaves an unknown placeholder visible instead of failing."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _fill(template: str, values: dict[str, Any]) -> str:
    return template.format_map(_Blank(values))


def drafts(rows: pd.DataFrame, candidates: pd.DataFrame, positions: pd.DataFrame, messages: dict,
           settings: Settings) -> pd.DataFrame:
    """One draft per row of ``rows`` (callable people, core.circleback.listed): to,
    subject, body; a person with no email gets a call script line as the body."""
    text = messages[messages.get("language", "en")]
    people = candidates.drop_duplicates("candidate_id").set_index("candidate_id")
    roles = _roles(positions, settings)
    out = []
    for rec in rows.to_dict("records"):
        person = people.loc[rec["candidate_id"]].to_dict() if rec["candidate_id"] in people.index else {}
        fits = [roles[p] for p in rec.get("suggested_positions") or [] if p in roles][:MAX_ROLES]
        out.append(_draft(rec, person, fits, text, settings))
    return pd.DataFrame(out, columns=list(DRAFT_COLUMNS))


def _roles(positions: pd.DataFrame, settings: Settings) -> dict[str, dict[str, Any]]:
    """position_id -> what a message may say about it."""
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id")
    modes = work_modes(pos)
    out = {}
    for (pid, title, location, cap, min_years), mode in zip(
            pos[["position_id", "title", "location", "salary_max", "min_years"]].itertuples(index=False), modes):
        where = "remote" if mode == "remote" else f"{mode} in {location}" if isinstance(location, str) else str(mode)
        out[pid] = {"title": title, "where": where, "salary_max": _money(cap, settings),
                    "min_years": None if pd.isna(min_years) else f"{min_years:g} years"}
    return out


def _money(value: Any, settings: Settings) -> str | None:
    return None if value is None or pd.isna(value) else f"{value:,.0f} {settings.currency}"


def _draft(rec: dict, person: dict, fits: list[dict], text: dict, settings: Settings) -> dict[str, Any]:
    name = rec.get("name") or ""
    owner = rec.get("owner") if isinstance(rec.get("owner"), str) and rec["owner"].strip() else text["team"]
    values = {"name": name, "first_name": name.split()[0] if name.split() else name, "owner": owner,
              "phone": person.get("phone") or "", **_change_values(person, fits[0] if fits else None, settings)}
    change = _change(rec, fits[0] if fits else None, person, text, values)
    email = person.get("email")
    if not isinstance(email, str) or not email.strip():
        script = text["call_script"] if values["phone"] else text["no_phone"]
        return {"candidate_id": rec["candidate_id"], "owner": rec.get("owner"), "to": None,
                "subject": None, "body": _fill(script, {**values, "change": change}).strip()}
    if fits:
        roles = "\n".join(_fill(text["role_line"], {**r, "salary": _fill(text["salary_cap"], r) if r["salary_max"]
                                                    else ""}) for r in fits)
        intro = text["role_intro"] if len(fits) == 1 else text["roles_intro"]
        middle = f"{intro}\n{roles}"
        subject = _fill(text["subject_role"], {**values, "title": fits[0]["title"]})
    else:
        middle, subject = text["no_role"], _fill(text["subject_no_role"], values)
    body = "\n\n".join(p for p in (_fill(text["greeting"], values), change, middle, text["closing"],
                                   _fill(text["sign_off"], values)) if p)
    return {"candidate_id": rec["candidate_id"], "owner": rec.get("owner"), "to": email.strip(),
            "subject": subject, "body": body}


def _change_values(person: dict, role: dict | None, settings: Settings) -> dict[str, Any]:
    expected = person.get("salary_expectation")
    available = person.get("available_from")
    years = person.get("years_experience")
    return {
        "expected": "" if expected is None or pd.isna(expected) else f" (you were looking for {_money(expected, settings)})",
        "available_from": None if available is None or pd.isna(available) else pd.Timestamp(available).date().isoformat(),
        "years": None if years is None or pd.isna(years) else f"{years:g}",
        **({} if role is None else {k: role[k] for k in ("title", "where", "salary_max", "min_years")}),
        "salary": "" if role is None or not role["salary_max"] else f", up to {role['salary_max']}",
    }


def _change(rec: dict, role: dict | None, person: dict, text: dict, values: dict) -> str:
    """What is different now against last time's reason, only from what the sheet shows."""
    cat = rec.get("rejection_category")
    if rec.get("rejection_direction") == "over" and cat == "experience":
        cat = "overqualified"
    changes = text.get("change", {})
    if not cat:
        return changes.get("keep_warm", "")
    needs = {"salary": ("salary_max",), "location": ("where",), "availability": ("available_from",),
             "experience": ("years", "min_years"), "overqualified": ("title",), "skills": ("title",),
             "declined_role": ("title",), "sponsor_rejected": ("title",)}.get(cat, ())
    known = all(values.get(k) for k in needs)
    key = cat if known or f"{cat}_unknown" not in changes else f"{cat}_unknown"
    return _fill(changes.get(key, ""), values)


def pressure_words() -> tuple[str, ...]:
    """Words and phrases of pressure tactics (the seed): deadlines, scarcity, urgency.
    No template may hold one (tests/test_drafts.py scans them and every draft)."""
    return ("urgent", "urgently", "asap", "as soon as possible", "hurry", "deadline", "limited time", "last chance",
            "act now", "act fast", "don't miss", "do not miss", "immediately", "expires", "expiring", "final offer",
            "before it's gone", "only a few", "few spots", "running out", "today only", "now or never",
            "once in a lifetime", "must decide", "right away", "exclusive offer", "won't last")


def due_for_drafts(listed: pd.DataFrame, today: dt.date, within: int | None) -> pd.DataFrame:
    """Due and overdue people; with ``within``, also those scheduled in the next DAYS days."""
    now = listed["circle_back_status"].isin(["due", "overdue"])
    if within:
        nxt = pd.to_datetime(listed["next_circle_back"])
        now |= (listed["circle_back_status"] == "scheduled") & (nxt <= pd.Timestamp(today + dt.timedelta(days=within)))
    return listed[now.to_numpy(dtype=bool)]
