"""Rules across columns and rows (DESIGN §2): required combinations, unique ids,
references between tabs."""
from __future__ import annotations

import re
from collections.abc import Callable

import pandas as pd

from .. import privacy, schema
from ..config import Settings
from .distinct import Distinct, blank_mask
from .issues import IssueLog, _show

REQUIRES_REASON = ("rejected", "declined")



def _rows_where(log: IssueLog, key: str, mask: pd.Series, column: str, values: pd.Series | None, severity: str,
                message: str | Callable[[pd.DataFrame], list[str]], frame: pd.DataFrame | None = None,
                text: Callable[[pd.Series], pd.Series] | None = None) -> None:
    """An issue on each row of ``mask``; ``text`` turns the values shown into text,
    for those rows only (formatting a whole column for a few rows is slow)."""
    mask = mask.fillna(False).astype(bool)
    if not mask.any():
        return
    where = mask.to_numpy()
    rows = mask.index[where]
    picked = None if values is None else values[where]
    shown = [""] * len(rows) if picked is None else [_show(v) for v in (picked if text is None else text(picked))]
    msgs = [message] * len(rows) if isinstance(message, str) else message(frame[where])
    log.add_many(key, rows, column, shown, severity, msgs)


def _ymd(days: pd.Series) -> pd.Series:
    return days.dt.strftime("%Y-%m-%d")


def candidate_rules(log: IssueLog, cands: pd.DataFrame, raw: pd.DataFrame, distinct: Distinct) -> None:
    forgotten = cands["name"].eq(privacy.FORGOTTEN_NAME)
    cands["forgotten"] = forgotten.to_numpy(dtype=bool)
    blank = blank_mask(raw["email"], distinct["email"]) & blank_mask(raw["phone"], distinct["phone"])
    no_contact = pd.Series(blank, index=raw.index) & ~forgotten
    _rows_where(log, schema.CANDIDATES, no_contact, "email", None, "error",
                "email or phone is required (a person sheetcrm can never reach is no use)")


def pipeline_rules(log: IssueLog, pipe: pd.DataFrame, raw: pd.DataFrame, distinct: Distinct) -> None:
    outcome = pipe["outcome"]
    decided = outcome.isin(schema.DECIDED_OUTCOMES)
    no_date = pd.Series(blank_mask(raw["decided_on"], distinct["decided_on"]), index=raw.index)
    _rows_where(log, schema.PIPELINE, decided & no_date, "decided_on", None, "error",
                lambda f: [f"decided_on is required when outcome is {o}" for o in f["outcome"]], pipe)
    _rows_where(log, schema.PIPELINE, outcome.isin(REQUIRES_REASON) & pipe["rejection_reason"].isna(),
                "rejection_reason", None, "error",
                lambda f: [f"rejection_reason is required when outcome is {o} (say why, e.g. 'salary too high')"
                           for o in f["outcome"]], pipe)
    before = pipe["decided_on"] < pipe["first_contacted"]
    _rows_where(log, schema.PIPELINE, before, "decided_on", pipe["decided_on"], "error",
                lambda f: [f"decided_on is before first_contacted ({d:%Y-%m-%d})" for d in f["first_contacted"]], pipe,
                text=_ymd)

    given = pipe["attempts"].notna()
    responded = pipe["responded_on_attempt"]
    too_late = given & responded.notna() & (responded > pipe["attempts"])
    _rows_where(log, schema.PIPELINE, too_late, "responded_on_attempt", responded, "error",
                lambda f: [f"responded_on_attempt ({r}) is more than attempts ({a})"
                           for r, a in zip(f["responded_on_attempt"], f["attempts"])], pipe)
    filled = pipe["attempts"].mask(~given & pipe["first_contacted"].notna(), 1).fillna(0).astype("Int64")
    raised = ~given & responded.notna() & (responded > filled)
    _rows_where(log, schema.PIPELINE, raised, "attempts", None, "warning",
                lambda f: [f"attempts is blank but the candidate responded on attempt {r}; counted as {r} attempts"
                           for r in f["responded_on_attempt"]], pipe)
    pipe["attempts"] = filled.mask(raised, responded).astype("Int64")
    pipe["outcome"] = outcome.where(outcome.notna(), "open")


def unique_ids(log: IssueLog, key: str, frame: pd.DataFrame, column: str) -> None:
    """Later rows that repeat an id get the error; the first row keeps it."""
    ids = frame[column]
    present = ids.notna()
    if not present.any():
        return
    rows = pd.Series(frame.index, index=frame.index)
    first = rows[present].groupby(ids[present], sort=False).transform("min")
    repeat = first[first != rows[present]]
    if len(repeat):
        log.add_many(key, repeat.index, column, [_show(v) for v in ids[repeat.index]], "error",
                     [f"{column} {ids[r]} is also used on row {f}" for r, f in repeat.items()])


def _id_hint(value: str, known: set[str], widths: list[int]) -> str:
    """The existing id a mistyped one most likely meant: case, spacing, dashes and
    zero padding ignored (`c 12` -> `C-00012`). Looks only at the few unknown ids."""
    letters = "".join(c for c in value if c.isascii() and c.isalpha()).upper()
    digits = "".join(c for c in value if c.isascii() and c.isdigit())
    if digits and len(digits) < 20:
        for width in widths:
            guess = f"{letters}-{int(digits):0{width}d}"
            if guess in known:
                return guess
    guess = " ".join(value.split()).upper()
    return guess if guess in known else ""


def touchpoint_rules(log: IssueLog, touch: pd.DataFrame) -> None:
    """DESIGN §6: `call_back_later` without a date to call back on is a warning (the
    person's wish is not recorded), and so is a follow-up date before the contact."""
    later = (touch["outcome"] == "call_back_later") & touch["follow_up_on"].isna()
    _rows_where(log, schema.TOUCHPOINTS, later, "follow_up_on", None, "warning",
                "outcome is call_back_later but follow_up_on is blank; write the date they asked for")
    before = touch["follow_up_on"] < touch["date"]
    _rows_where(log, schema.TOUCHPOINTS, before, "follow_up_on", touch["follow_up_on"], "warning",
                "follow_up_on is before the touchpoint's date; is the year right?", text=_ymd)
    touch["channel"] = touch["channel"].where(touch["channel"].notna(), "other")


def references(log: IssueLog, pipe: pd.DataFrame, column: str, known: pd.Series, tab_key: str,
               settings: Settings, key: str = schema.PIPELINE) -> None:
    ids = pipe[column]
    if not len(ids):  # an empty tab (often Touchpoints) refers to nothing: no table of the known ids to build
        return
    missing = ids.notna() & ~ids.isin(known.dropna())
    if not missing.any():
        return
    known_ids = set(known.dropna())
    widths = sorted({len(m[1]) for i in list(known_ids)[:1000] if (m := re.search(r"(\d+)$", i))}, reverse=True)
    hints = {v: _id_hint(v, known_ids, widths) for v in ids[missing].unique()}
    title = settings.tab_title(tab_key)
    rows = ids.index[missing.to_numpy()]
    values = ids[missing]
    log.add_many(key, rows, column, [_show(v) for v in values], "error",
                 [f"{column} {v} is not in {title}" + (f"; did you mean {hints[v]}?" if hints[v] else "")
                  for v in values], [hints[v] for v in values])
