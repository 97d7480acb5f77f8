"""Synthetic workbooks for the benchmark, built column by column with numpy.

``demo.py`` builds realistic rows one at a time with ``random``; that is fine for a
demo of 300 people and too slow to be re-run for 100,000 candidates in every
benchmark subprocess. Here every column is drawn as a whole array and only turned
into Python cells at the end, so a 100,000-candidate / 300,000-pipeline-row
workbook takes a few seconds.

The mix is what the real modules meet in a hand-kept sheet: mostly valid rows, a
sprinkling of each kind of mistake (bad email, unreadable pace, out-of-range
experience, enum typos, missing required reason, unknown ids), dates as date
cells, spreadsheet serial numbers and day-first text, blank ids for sync to
assign, several contact paces, hard-no and soft-no reasons drawn from a pool of
about 5,000 distinct texts (real sheets repeat the same few reasons thousands of
times, so the draw is Zipf-like), and the odd person entered twice.

Test data rules: emails use example.com / example.org; phones come from Ofcom's
drama ranges (07700 900xxx and the 0113..0191 496/498 0xxx landlines), which can
never reach a person; names are made of syllables.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from sheetcrm import demo, schema
from sheetcrm.config import Settings
from sheetcrm.workbook.layout import workbook_layout

TODAY = dt.date(2026, 11, 22)
DEFAULT_POSITIONS = 200  # fixed across sizes, so growth measures rows, not rows x positions

_SYL = ["ka", "ro", "mi", "ten", "sa", "lo", "vi", "nor", "de", "la", "bre", "an", "ta", "ko", "ri", "el",
        "ma", "no", "ber", "gu", "is", "fa", "hol", "ze", "ti", "ven", "ok", "ra", "lin", "dor"]
_FIRST = demo.FIRST + ["Aino", "Bilal", "Carmen", "Dario", "Esra", "Femi", "Gaia", "Hamid", "Ilse", "Joao",
                       "Kira", "Luca", "Mina", "Nils", "Olga", "Pavel", "Rania", "Sven", "Tomas", "Ugo",
                       "Vera", "Wiktor", "Yara", "Zeno", "Anouk", "Bo", "Cyrus", "Daan", "Edda", "Filip"]
# Fictional numbers only (Ofcom drama ranges): mobile 07700 900xxx and landlines 0xxx 496 0xxx.
_PHONE_PREFIXES = ["+44 7700 900", "+44 113 496 0", "+44 114 496 0", "+44 115 496 0", "+44 116 496 0",
                   "+44 117 496 0", "+44 118 496 0", "+44 121 496 0", "+44 131 496 0", "+44 141 496 0",
                   "+44 151 496 0", "+44 161 496 0", "+44 20 7946 0", "+44 191 498 0"]
_CLIENT_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli", "Vandelay", "Stark", "Wayne", "Tyrell",
                 "Cyberdyne", "Soylent", "Aperture", "Wonka", "Gringotts", "Monarch", "Oceanic"]

# Reason phrases beyond demo.py's, in the shorthand recruiters type.
_MORE_SOFT = {
    "salary": ["comp too high", "$$ mismatch", "rate not agreed", "wants more money", "salary gap too big",
               "budget couldn't stretch"],
    "availability": ["notice period too long", "start date too late", "only part-time available",
                     "contract ends after project start"],
    "location": ["won't commute", "no visa sponsorship possible", "wants WFH full time", "relocation not possible"],
    "experience": ["too junior", "not senior enough for lead role", "needs more years in fintech"],
    "skills": ["no react experience", "stack mismatch", "weak on system design", "no AWS certs"],
    "declined_role": ["accepted counter offer", "took another offer", "role not interesting enough",
                      "staying put for now"],
    "sponsor_rejected": ["HM said no", "client went another way", "panel preferred other candidate",
                         "sponsor rejected after final"],
    "ghosted": ["went silent", "no show", "never replied after 2nd interview"],
}
_MORE_HARD = {
    "career_change": ["moved into farming for good", "left IT permanently"],
    "false_information": ["lied about degree", "CV dates were fake"],
    "unavailable_permanently": ["retired", "refuses to talk to recruiters"],
    "conduct": ["CoC breach", "rude and abusive to client staff"],
    "client_complaint": ["client complaint confirmed", "complaint from client, confirmed after review"],
    "do_not_contact": ["do not contact", "asked not to be called again", "GDPR removal request"],
}
_PREFIXES = ["", "", "", "per HM: ", "client: ", "note - ", "FYI ", "update: ", "feedback: "]
_SUFFIXES = ["", "", "", " (ref {n})", ", see email", " - {month}", " again", " !!", ". maybe later", " per {who}"]
_WHO = ["Sam", "Alex", "Kim", "Jo", "Robin", "Chris", "Pat", "Lee"]
_MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def reason_pool(size: int = 5000, seed: int = 11) -> tuple[list[str], list[str], np.ndarray]:
    """``size`` distinct reason texts, their intended class, and draw weights (Zipf-like).

    Returns (texts, classes, probabilities). About one text in eight is a hard-no,
    a few are deliberately unclear (for the `unclassified` path)."""
    rng = np.random.default_rng(seed)
    bases: list[tuple[str, str]] = []
    for table, cls in ((demo.SOFT_REASONS, schema.SOFT_NO), (_MORE_SOFT, schema.SOFT_NO),
                       (demo.HARD_REASONS, schema.HARD_NO), (_MORE_HARD, schema.HARD_NO)):
        for phrases in table.values():
            bases += [(p, cls) for p in phrases]
    bases += [(p, schema.UNCLASSIFIED) for p in demo.UNCLEAR_REASONS]
    seen: dict[str, str] = {}
    for text, cls in bases:  # the plain phrases come first: they are the common ones
        seen.setdefault(text, cls)
    attempts = 0
    while len(seen) < size and attempts < size * 50:
        attempts += 1
        text, cls = bases[int(rng.integers(len(bases)))]
        variant = _PREFIXES[int(rng.integers(len(_PREFIXES)))] + text + _SUFFIXES[int(rng.integers(len(_SUFFIXES)))]
        variant = variant.format(n=int(rng.integers(1, 999)), month=_MONTHS[int(rng.integers(12))],
                                 who=_WHO[int(rng.integers(len(_WHO)))])
        roll = rng.random()
        if roll < 0.1:
            variant = variant.upper()
        elif roll < 0.2:
            variant = variant.lower()
        seen.setdefault(variant, cls)
    texts = list(seen)
    classes = [seen[t] for t in texts]
    ranks = np.arange(1, len(texts) + 1, dtype=float)
    weights = 1.0 / ranks ** 0.9
    return texts, classes, weights / weights.sum()


def _days(rng: np.random.Generator, n: int, back_min: int, back_max: int) -> np.ndarray:
    """Day offsets before TODAY (ordinals), as int64."""
    return TODAY.toordinal() - rng.integers(back_min, back_max + 1, size=n)


class _DateCells:
    """Ordinal day -> the cell a person's sheet holds: mostly a date cell, sometimes a
    spreadsheet serial number, sometimes day-first text."""

    def __init__(self) -> None:
        self.cache: dict[int, dt.date] = {}

    def cells(self, rng: np.random.Generator, ordinals: np.ndarray, present: np.ndarray) -> list[Any]:
        form = rng.random(len(ordinals))
        out: list[Any] = [None] * len(ordinals)
        epoch = dt.date(1899, 12, 30).toordinal()
        for i in np.flatnonzero(present).tolist():
            o = int(ordinals[i])
            day = self.cache.get(o)
            if day is None:
                day = self.cache[o] = dt.date.fromordinal(o)
            f = form[i]
            if f < 0.85:
                out[i] = day
            elif f < 0.93:
                out[i] = o - epoch  # serial number, as Google's SERIAL_NUMBER render gives
            else:
                out[i] = f"{day.day:02d}/{day.month:02d}/{day.year}"
        return out


def _pick(rng: np.random.Generator, choices: list[Any], n: int, p: list[float] | None = None) -> list[Any]:
    idx = rng.choice(len(choices), size=n, p=None if p is None else np.asarray(p, float) / sum(p))
    return [choices[i] for i in idx.tolist()]


def _sprinkle(rng: np.random.Generator, column: list[Any], rate: float, bad: list[Any]) -> int:
    """Overwrite about ``rate`` of the cells with mistakes from ``bad``."""
    n = len(column)
    hits = np.flatnonzero(rng.random(n) < rate).tolist()
    for i in hits:
        column[i] = bad[i % len(bad)]
    return len(hits)


def candidate_columns(n: int, rng: np.random.Generator, dates: _DateCells) -> dict[str, list[Any]]:
    first = rng.integers(len(_FIRST), size=n)
    last = [_SYL[a].capitalize() + _SYL[b] + _SYL[c] for a, b, c in rng.integers(len(_SYL), size=(n, 3)).tolist()]
    names = [f"{_FIRST[f]} {l}" for f, l in zip(first.tolist(), last)]
    ids: list[Any] = [f"C-{i:06d}" for i in range(1, n + 1)]
    for i in np.flatnonzero(rng.random(n) < 0.01).tolist():
        ids[i] = None  # blank: sync assigns the next id
    domains = np.where(rng.random(n) < 0.5, "example.com", "example.org").tolist()
    emails: list[Any] = [f"{nm.lower().replace(' ', '.')}{i}@{d}" for i, (nm, d) in enumerate(zip(names, domains), 1)]
    _sprinkle(rng, emails, 0.003, ["no-at-sign.example.com", "jo@@example.com", "name at example.org"])
    # Distinct fictional phones for up to ~14,000 people; the rest have email only.
    pool = len(_PHONE_PREFIXES) * 1000
    phones: list[Any] = [None] * n
    with_phone = np.flatnonzero(rng.random(n) < min(0.4, pool / max(n, 1) * 0.9))
    for k, i in enumerate(with_phone.tolist()[:pool]):
        phones[i] = f"{_PHONE_PREFIXES[k // 1000]}{k % 1000:03d}"
    skill_pool = [", ".join(rng.choice(demo.SKILLS, size=int(rng.integers(2, 6)), replace=False).tolist())
                  for _ in range(3000)]
    years: list[Any] = rng.choice([0, 1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20, 25], size=n).tolist()
    _sprinkle(rng, years, 0.002, [75, "five", -2])
    seeker: list[Any] = _pick(rng, ["active", "passive", None, "Passive"], n, [3, 5, 2, 1])
    _sprinkle(rng, seeker, 0.002, ["pasive", "activ"])
    salary: list[Any] = _pick(rng, [None, 45000, 55000, 65000, 70000, 80000, 95000, 120000, "85k", "60,000"], n)
    available = dates.cells(rng, _days(rng, n, -200, 30), rng.random(n) < 0.2)
    pace: list[Any] = _pick(rng, demo.PACES, n)
    _sprinkle(rng, pace, 0.002, ["every now and then", "sometimes"])
    last_contacted = dates.cells(rng, _days(rng, n, 5, 400), rng.random(n) < 0.6)
    dnc: list[Any] = _pick(rng, [None, "no", "yes", "x", "TRUE"], n, [80, 14, 3, 1, 2])
    notes: list[Any] = _pick(rng, [None, None, None, "met at meetup", "referral", "strong on backend"], n)
    cols = {
        "candidate_id": ids, "name": names, "email": emails, "phone": phones,
        "location": _pick(rng, demo.PLACES, n), "skills": _pick(rng, skill_pool, n), "years_experience": years,
        "seeker_type": seeker, "salary_expectation": salary, "available_from": available, "contact_every": pace,
        "last_contacted": last_contacted, "do_not_contact": dnc, "notes": notes,
    }
    # A few people entered twice (a later row with a fresh id): duplicate detection has work to do.
    for i in np.flatnonzero(rng.random(n) < 0.003).tolist():
        j = int(rng.integers(n))
        if i != j:
            for c in ("name", "email", "phone", "location"):
                cols[c][i] = cols[c][j]
    return cols


def position_columns(p: int, rng: np.random.Generator, dates: _DateCells) -> dict[str, list[Any]]:
    roles = [demo.ROLES[i % len(demo.ROLES)] for i in range(p)]
    clients = [f"{_CLIENT_WORDS[i % len(_CLIENT_WORDS)]} {demo.CLIENTS[i % len(demo.CLIENTS)].split()[0]}"
               for i in range(p)]
    return {
        "position_id": [f"P-{i:04d}" for i in range(1, p + 1)],
        "title": [r[0] for r in roles],
        "client": clients,
        "skills": [", ".join(r[1]) for r in roles],
        "location": _pick(rng, demo.PLACES, p),
        "salary_max": _pick(rng, [None, 60000, 75000, 90000, 110000], p),
        "status": _pick(rng, ["open", "on_hold", "filled", "closed"], p, [5, 1, 2, 1]),
        "opened_on": dates.cells(rng, _days(rng, p, 10, 400), np.ones(p, bool)),
    }


def pipeline_columns(candidate_ids: list[Any], position_ids: list[str], rng: np.random.Generator,
                     dates: _DateCells, per_candidate: int = 3) -> dict[str, list[Any]]:
    n = len(candidate_ids)
    m = n * per_candidate
    known = [c for c in candidate_ids if c is not None]
    # Rows of a blank-id candidate name someone else (a person would fill the id in later).
    cids = [c if c is not None else known[i % len(known)] for i, c in enumerate(candidate_ids)]
    cid_col: list[Any] = [c for c in cids for _ in range(per_candidate)]
    _sprinkle(rng, cid_col, 0.001, ["C-999999", "c 12", ""])
    # Three different positions per candidate.
    p = len(position_ids)
    base = rng.integers(p, size=n)
    step = rng.integers(1, max(2, p // per_candidate), size=n)
    pos_idx = (base[:, None] + step[:, None] * np.arange(per_candidate)[None, :]) % p
    pid_col: list[Any] = [position_ids[i] for i in pos_idx.ravel().tolist()]

    first = _days(rng, m, 3, 500)
    contacted = rng.random(m) < 0.92
    attempts = rng.choice([1, 2, 3, 4, 5], size=m, p=[4 / 11, 3 / 11, 2 / 11, 1 / 11, 1 / 11])
    responded = np.where(rng.random(m) < 0.7, (rng.random(m) * attempts).astype(int) + 1, 0)
    attempts_col: list[Any] = np.where(contacted, attempts, 0).tolist()
    for i in np.flatnonzero(rng.random(m) < 0.05).tolist():
        attempts_col[i] = None  # blank with first_contacted set = 1
    resp_col: list[Any] = [r if r else None for r in responded.tolist()]
    _sprinkle(rng, resp_col, 0.002, [9, "two"])
    interest: list[Any] = _pick(rng, ["interested", "not_interested", None, "Interested"], m, [5, 3, 2, 1])
    interest = [v if r else None for v, r in zip(interest, resp_col)]
    _sprinkle(rng, interest, 0.002, ["intrested", "maybe"])
    outcome: list[Any] = _pick(rng, ["open", "hired", "rejected", "declined", "ghosted", None], m, [3, 1, 6, 2, 1, 1])
    decided_days = first + rng.integers(3, 61, size=m)
    decided_days = np.minimum(decided_days, TODAY.toordinal())
    is_decided = np.isin(np.array(outcome, dtype=object), ["hired", "rejected", "declined", "ghosted"])
    decided = dates.cells(rng, decided_days, is_decided & (rng.random(m) > 0.005))

    texts, _classes, prob = reason_pool()
    draw = rng.choice(len(texts), size=m, p=prob).tolist()
    reason: list[Any] = [None] * m
    ghost_text = rng.random(m) < 0.5
    blank_reason = rng.random(m) < 0.005
    for i, o in enumerate(outcome):
        if o in ("rejected", "declined"):
            reason[i] = None if blank_reason[i] else texts[draw[i]]
        elif o == "ghosted" and ghost_text[i]:
            reason[i] = texts[draw[i]]
    return {
        "candidate_id": cid_col, "position_id": pid_col,
        "first_contacted": dates.cells(rng, first, contacted), "attempts": attempts_col,
        "responded_on_attempt": resp_col, "interest": interest, "outcome": outcome,
        "rejection_reason": reason, "decided_on": decided,
    }


def _rows(key: str, columns: dict[str, list[Any]]) -> list[list[Any]]:
    """Columns -> rows in schema order, owned cells blank (as `init` leaves them)."""
    names = schema.INPUT_TAB_SCHEMAS[key].names
    n = len(next(iter(columns.values())))
    blank = [None] * n
    return [list(r) for r in zip(*(columns.get(c, blank) for c in names))]


def workbook_data(n: int, seed: int = 7, positions: int = DEFAULT_POSITIONS) -> dict[str, list[list[Any]]]:
    """Rows (no header) for the three input tabs: n candidates, ``positions``
    positions, 3 pipeline rows per candidate."""
    rng = np.random.default_rng(seed)
    dates = _DateCells()
    cands = candidate_columns(n, rng, dates)
    pos = position_columns(positions, rng, dates)
    pipe = pipeline_columns(cands["candidate_id"], pos["position_id"], rng, dates)
    return {schema.CANDIDATES: _rows(schema.CANDIDATES, cands), schema.POSITIONS: _rows(schema.POSITIONS, pos),
            schema.PIPELINE: _rows(schema.PIPELINE, pipe)}


def workbook_grids(n: int, settings: Settings, seed: int = 7,
                   positions: int = DEFAULT_POSITIONS) -> dict[str, list[list[Any]]]:
    """Every tab as `init` lays it out (header row first), filled with n candidates:
    what :class:`~sheetcrm.workbook.backends.memory.MemoryBackend` holds."""
    layout = workbook_layout(settings, workbook_data(n, seed, positions))
    return {t.title: [list(t.header)] + t.rows for t in layout}


def write_xlsx(grids: dict[str, list[list[Any]]], path: Path) -> Path:
    """Save the grids as an .xlsx quickly (openpyxl write-only mode: no dropdowns
    or highlighting; sheetcrm reads and writes the cells the same way)."""
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    for title, rows in grids.items():
        ws = wb.create_sheet(title)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def classify_frame(template, rows: int = 1_000_000, distinct: int = 5000, seed: int = 13):
    """A clean (validated) Pipeline frame of ``rows`` rows whose rejection reasons
    come from ``distinct`` texts, built by resampling a validated frame so that
    columns and dtypes are exactly what validate produces."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    idx = rng.integers(len(template), size=rows)
    frame = template.iloc[idx].copy()
    frame.index = pd.RangeIndex(2, rows + 2, name=template.index.name)
    texts, _classes, prob = reason_pool(distinct)
    draw = rng.choice(len(texts), size=rows, p=prob)
    # Make sure every distinct text occurs at least once (when there are rows enough).
    k = min(len(texts), rows)
    draw[:k] = np.arange(k)
    outcome = np.where(rng.random(rows) < 0.75, "rejected", np.where(rng.random(rows) < 0.5, "declined", "ghosted"))
    frame["outcome"] = pd.Series(outcome, index=frame.index, dtype=object)
    frame["rejection_reason"] = pd.Series(np.array(texts, dtype=object)[draw], index=frame.index, dtype=object)
    return frame
