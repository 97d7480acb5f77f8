"""Circle-backs as an .ics calendar file (RFC 5545) that Google Calendar and Outlook import.

One all-day event per candidate to call. An event's UID is stable per candidate
and circle-back date, so importing a newer file updates the events instead of
duplicating them. Only names and ids go in: never an email or a phone number.
"""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import icalendar
import pandas as pd

from . import schema
from .core import call_list, circleback
from .errors import SheetCRMError

PRODID = "-//sheetcrm//circle-backs//EN"


def circle_back_calendar(rows: pd.DataFrame, today: dt.date) -> bytes:
    """``rows``: circle_backs() rows (already chosen: due, overdue, the next days).
    Each call lands on its ``call_on`` day when the rows have one (core.call_list lays
    waiting calls over working days), else due and overdue ones on ``today`` and
    scheduled ones on their date.
    Anyone not callable is left out here too, whatever the caller passed."""
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "sheetcrm circle-backs")
    stamp = dt.datetime.combine(today, dt.time(), tzinfo=dt.timezone.utc)
    for rec in rows.to_dict("records"):
        if rec.get("circle_back_status") not in schema.CALLABLE or rec.get("next_circle_back") is None:
            continue
        when = rec.get("call_on") or max(rec["next_circle_back"], today)
        event = icalendar.Event()
        event.add("uid", f"{rec['candidate_id']}-{rec['next_circle_back'].isoformat()}@sheetcrm")
        event.add("dtstamp", stamp)
        event.add("dtstart", when)
        event.add("dtend", when + dt.timedelta(days=1))
        event.add("summary", f"Circle back: {rec['name']} ({rec['candidate_id']})")
        event.add("description", _description(rec))
        event.add("categories", ["circle-back"])
        event.add("transp", "TRANSPARENT")  # a reminder, not a meeting: leaves the day free
        cal.add_component(event)
    return cal.to_ical()


def _description(rec: dict) -> str:
    lines = [f"status: {rec['circle_back_status']} since {rec['next_circle_back'].isoformat()}"
             if rec["circle_back_status"] != "scheduled" else f"due on {rec['next_circle_back'].isoformat()}"]
    if rec.get("rejection_category"):
        lines.append(f"last time: {rec['rejection_category']}")
    if rec.get("talking_point"):
        lines.append(f"talking point: {rec['talking_point']}")
    if rec.get("suggested_positions"):
        lines.append("positions: " + ", ".join(rec["suggested_positions"]))
    pace = circleback.pace_text(rec.get("contact_every_days"))
    if pace:
        lines.append(f"their pace: {pace}")
    if rec.get("last_contact"):
        lines.append(f"last contact: {rec['last_contact'].isoformat()}")
    return "\n".join(lines)


def write_calendars(folder: str | Path, rows: pd.DataFrame, today: dt.date) -> dict[str, int]:
    """One calendar per owner in ``folder`` (made if missing): `<owner>.ics`, the
    team's people in `team.ics`. Returns path -> events."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SheetCRMError(f"calendar folder {folder} could not be made ({exc.strerror or exc})") from None
    labels = rows["owner"].map(call_list.owner_label)
    out: dict[str, int] = {}
    for key in dict.fromkeys(rows["owner"].map(call_list.owner_key)):
        mine = rows[(rows["owner"].map(call_list.owner_key) == key).to_numpy(dtype=bool)]
        label = labels[mine.index[0]] if len(mine) else call_list.TEAM
        name, n = _file_name(label), 1
        while str(folder / f"{name}.ics") in out:  # two owners whose names make one file name
            n += 1
            name = f"{_file_name(label)}-{n}"
        path = folder / f"{name}.ics"
        out[str(path)] = write_calendar(path, mine, today)
    return out


def _file_name(owner: str) -> str:
    """An owner's name as a file name on every system: letters, digits, - and _."""
    safe = re.sub(r"[^\w-]+", "_", owner, flags=re.UNICODE).strip("_.")
    return safe[:60] or call_list.TEAM


def write_calendar(path: str | Path, rows: pd.DataFrame, today: dt.date) -> int:
    """Write the file; returns how many events it holds."""
    data = circle_back_calendar(rows, today)
    path = Path(path)
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise SheetCRMError(f"calendar file {path} could not be written ({exc.strerror or exc})") from None
    return data.count(b"BEGIN:VEVENT")
