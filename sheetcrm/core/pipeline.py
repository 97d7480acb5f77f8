"""Pure: the pipeline figures of DESIGN §5, the talent counts, and the Summary tab layout.

Everything here takes clean frames (see :mod:`sheetcrm.validate`) and returns frames or
grids: no clock, no I/O. Counting is vectorised (300,000 pipeline rows in well under a
second): each §5 count is a boolean column summed per position, so the ``ALL`` row is by
construction the sum of the position rows.

Choices the design leaves open, made here:

* ``responded_on_attempt`` below 1 (validation reports it) counts as the first attempt, so
  responded_1 + … + responded_4plus = responded always holds.
* Experience bands count *completed* years, as people say "two and a half years" and
  mean "more than two": 2.5 years is in ``0-2 years``; the bands start at 0, 3, 6 and 11.
  Blank years are ``unknown``.
* Talent by location groups `City, Country` case-insensitively (shown in its most common
  spelling) and every remote candidate under ``Remote``; by skill, a candidate counts once
  under each of their skills. Candidates without that value are counted as ``unknown``.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd

from .. import schema
from ..errors import NotFoundError

ALL = "ALL"
FIGURE_KEYS = (
    "considered", "contacted", "responded", "responded_1", "responded_2", "responded_3",
    "responded_4plus", "response_rate", "interested", "not_interested", "interest_ratio",
    "hard_no", "soft_no", "unclassified", "hired", "success_rate",
    "backpocket_hires",  # hired after an earlier soft-no: what the backpocket produced (README)
)
# ratio key -> (numerator, denominator); empty when the denominator is 0 (DESIGN §5)
RATIOS = {
    "response_rate": ("responded", "contacted"),
    "interest_ratio": ("interested", "not_interested"),
    "success_rate": ("hired", "contacted"),
}
COUNT_KEYS = tuple(k for k in FIGURE_KEYS if k not in RATIOS)

TALENT_BY = ("skill", "experience", "location")
TALENT_KEYS = ("by", "value", "candidates", "active", "passive", "unknown", "passive_share")
EXPERIENCE_BANDS = ("0-2 years", "3-5 years", "6-10 years", "11+ years")
_BAND_EDGES = [0, 3, 6, 11, np.inf]
UNKNOWN = "unknown"
ALL_CANDIDATES = "all candidates"


# --------------------------------------------------------------------------- figures

def position_figures(pipeline: pd.DataFrame, positions: Iterable[Any] | None = None,
                     flags: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per position_id (sorted), then ``ALL``; columns position_id + FIGURE_KEYS.

    Counts are int64, ratios float64 with NaN where the denominator is 0. ``positions``
    (ids, e.g. the clean Positions ``position_id`` column) adds a row of zeros for each
    position nobody has been considered for yet, so a new role shows up too. ``flags``:
    :func:`figure_flags` of the same frame, when the caller has it already.
    """
    flags = figure_flags(pipeline) if flags is None else flags
    counts = flags.groupby(pipeline["position_id"].astype(str).to_numpy(), sort=True).sum()
    if positions is not None:
        ids = pd.Index(pd.Series(list(positions), dtype=object).dropna().astype(str).unique())
        counts = counts.reindex(counts.index.union(ids), fill_value=0).sort_index()
    return with_all_and_ratios(counts, "position_id")


def with_all_and_ratios(counts: pd.DataFrame, key: str) -> pd.DataFrame:
    """Group counts (one row per group, in order) -> + the ``ALL`` row and the ratios;
    the group under ``key``, then FIGURE_KEYS."""
    counts = counts[list(COUNT_KEYS)].astype("int64")
    total = counts.sum().to_frame(ALL).T.astype("int64")
    out = pd.concat([counts, total])
    for ratio, (num, den) in RATIOS.items():
        out[ratio] = out[num].div(out[den].where(out[den] > 0)).astype("float64")
    out.index.name = key
    return out.reset_index()[[key, *FIGURE_KEYS]]


def figure_flags(pipeline: pd.DataFrame) -> pd.DataFrame:
    """One boolean column per §5 count, one row per pipeline row. A sync groups them
    three ways (per position, source, quarter): made once, ~0.06 s a time at 280k rows."""
    n = len(pipeline)
    attempts = _floats(pipeline["attempts"])
    resp = _floats(pipeline["responded_on_attempt"])
    responded = ~np.isnan(resp)
    interest = pipeline["interest"].to_numpy(dtype=object)
    cls = pipeline["rejection_class"].to_numpy(dtype=object) if "rejection_class" in pipeline else np.full(n, None)
    return pd.DataFrame({
        "considered": np.ones(n, dtype=bool),
        "contacted": pipeline["first_contacted"].notna().to_numpy() | (attempts >= 1),
        "responded": responded,
        "responded_1": responded & (resp < 2),
        "responded_2": resp == 2,
        "responded_3": resp == 3,
        "responded_4plus": resp >= 4,
        "interested": interest == "interested",
        "not_interested": interest == "not_interested",
        "hard_no": cls == schema.HARD_NO,
        "soft_no": cls == schema.SOFT_NO,
        "unclassified": cls == schema.UNCLASSIFIED,
        "hired": pipeline["outcome"].to_numpy(dtype=object) == "hired",
        "backpocket_hires": backpocket_hire_flags(pipeline),
    }, index=pipeline.index)


def backpocket_hire_flags(pipeline: pd.DataFrame) -> np.ndarray:
    """Per row: hired, and the same candidate has a soft-no decided before this hire
    (a hire the backpocket produced)."""
    hired = (pipeline["outcome"] == "hired").to_numpy(dtype=bool)
    if not hired.any() or any(c not in pipeline for c in ("rejection_class", "candidate_id", "decided_on")):
        return np.zeros(len(pipeline), dtype=bool)
    # day numbers (NaN when blank): plain floats compare and group whatever the ids are
    decided = pd.to_datetime(pipeline["decided_on"]).to_numpy(dtype="datetime64[D]")
    days = np.where(np.isnat(decided), np.nan, decided.astype("int64")).astype("float64")
    soft = (pipeline["rejection_class"] == schema.SOFT_NO).to_numpy(dtype=bool) & ~np.isnan(days)
    codes, _ = pd.factorize(pipeline["candidate_id"].astype(str).to_numpy(dtype=object))
    first_soft = np.full(codes.max() + 1 if len(codes) else 0, np.inf)
    np.minimum.at(first_soft, codes[soft], days[soft])
    return hired & (first_soft[codes] < days)


def _floats(s: pd.Series) -> np.ndarray:
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)


def figures_for(figures: pd.DataFrame, position_id: str) -> pd.DataFrame:
    """The one row of ``position_id`` (or ``ALL``); NotFoundError naming it otherwise."""
    wanted = str(position_id).strip()
    row = figures[figures["position_id"] == wanted]
    if row.empty:
        raise NotFoundError(f"position {wanted!r} is not in the Positions tab (or all its rows have errors); "
                            f"see `sheetcrm validate`")
    return row.reset_index(drop=True)


# --------------------------------------------------------------------------- talent

def experience_band(years: pd.Series) -> pd.Series:
    """Completed years -> band label; blank -> ``unknown``."""
    bands = pd.cut(pd.to_numeric(years, errors="coerce"), _BAND_EDGES, right=False, labels=EXPERIENCE_BANDS)
    return bands.astype(object).where(bands.notna(), UNKNOWN)


def seeker_split(candidates: pd.DataFrame) -> dict[str, Any]:
    """active, passive, unknown counts and passive_share = passive ÷ (active + passive)."""
    row = talent_counts(candidates, None).iloc[0]
    return {k: _plain(row[k]) for k in ("candidates", "active", "passive", "unknown", "passive_share")}


def talent_counts(candidates: pd.DataFrame, by: str | None) -> pd.DataFrame:
    """Talent counts with the active/passive split of each group; columns TALENT_KEYS.

    ``by`` None gives the single ``all candidates`` row. Groups are sorted by size
    (largest first, then by name); experience bands in band order; ``unknown`` last.
    """
    seeker = candidates["seeker_type"].to_numpy(dtype=object)
    base = pd.DataFrame({"active": seeker == "active", "passive": seeker == "passive"}, index=candidates.index)
    base = base.assign(candidates=1)
    if by is None:
        keys = pd.Series(ALL_CANDIDATES, index=candidates.index, dtype=object)
    elif by == "skill":
        base, keys = _by_skill_list(candidates, base)
    elif by == "experience":
        keys = experience_band(candidates["years_experience"])
    elif by == "location":
        keys = _location_labels(candidates)
    else:
        raise ValueError(f"talent by {by!r}: use one of {', '.join(TALENT_BY)}")
    base = base.assign(value=keys.to_numpy())
    grouped = base.groupby("value", sort=False)[["candidates", "active", "passive"]].sum().astype("int64")
    if by is None and grouped.empty:
        grouped = pd.DataFrame({"candidates": [0], "active": [0], "passive": [0]}, index=[ALL_CANDIDATES])
    grouped["unknown"] = grouped["candidates"] - grouped["active"] - grouped["passive"]
    known = grouped["active"] + grouped["passive"]
    grouped["passive_share"] = grouped["passive"].div(known.where(known > 0)).astype("float64")
    grouped.index.name = "value"
    out = grouped.reset_index()
    if by == "experience":
        order = {b: i for i, b in enumerate(EXPERIENCE_BANDS)}
        out["_order"] = out["value"].map(order).fillna(len(order))
        out = out.sort_values("_order", kind="stable").drop(columns="_order")
    else:
        out["_unknown"] = out["value"] == UNKNOWN
        out = out.sort_values(["_unknown", "candidates", "value"], ascending=[True, False, True],
                              kind="stable").drop(columns="_unknown")
    out.insert(0, "by", by or "all")
    return out.reset_index(drop=True)[list(TALENT_KEYS)]


def _by_skill_list(candidates: pd.DataFrame, base: pd.DataFrame) -> tuple[pd.DataFrame, pd.Series]:
    """``base``'s counts summed per distinct skill list (a few thousand among 100,000
    people), then one row per skill of each list: what one row per person and skill
    sums to. A person without skills counts under ``unknown``."""
    lists = np.fromiter((t if isinstance(t, tuple) and t else (UNKNOWN,) for t in candidates["skills"].to_numpy(
        dtype=object)), dtype=object, count=len(candidates))
    codes, distinct = pd.factorize(lists)
    counts = base[["active", "passive", "candidates"]].astype("int64").groupby(codes).sum()
    keys = pd.Series(list(distinct), dtype=object).explode().astype(object)
    return counts.loc[keys.index], keys


def talent_report(candidates: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """`report talent`: the rows of one grouping, or (``by`` None) the overall
    active/passive row followed by every grouping."""
    if by is not None:
        return talent_counts(candidates, by)
    return pd.concat([talent_counts(candidates, b) for b in (None, *TALENT_BY)], ignore_index=True)


def _location_labels(candidates: pd.DataFrame) -> pd.Series:
    """Each person's location as most people typed it ("berlin, germany" shows as
    "Berlin, Germany"), UNKNOWN without one; worked out once per distinct (remote, city,
    country, location), a few hundred among 100,000 people, each weighted by its people."""
    remote = candidates["remote"].fillna(False).astype(bool).to_numpy()
    city = candidates["city"].fillna("").astype(str).to_numpy(dtype=object)
    country = candidates["country"].fillna("").astype(str).to_numpy(dtype=object)
    text = candidates["location"].astype(object).where(~remote, "Remote").to_numpy(dtype=object)
    combo = remote.astype(np.int64)
    for part in (city, country, text):  # NaN, None and NA texts are one value: none is ever shown
        codes, uniques = pd.factorize(part, use_na_sentinel=False)
        combo = pd.factorize(combo * max(len(uniques), 1) + codes)[0]
    combo = np.asarray(combo, dtype=np.intp)
    people = np.bincount(combo, minlength=combo.max(initial=-1) + 1)
    firsts = np.full(len(people), len(combo), dtype=np.intp)
    np.minimum.at(firsts, combo, np.arange(len(combo)))
    first_remote, first_city, first_country = remote[firsts], city[firsts], country[firsts]
    key = np.where(first_remote, "remote", first_city + "|" + first_country).astype(object)
    key[~first_remote & (first_city == "") & (first_country == "")] = ""
    pairs = pd.DataFrame({"key": key, "text": text[firsts], "n": people})
    pairs = pairs[pairs["key"] != ""]
    # the spelling most people typed: people per (key, text) as value_counts counts them
    counted = pairs.groupby(["key", "text"], sort=False)["n"].sum().reset_index()
    counted = counted.sort_values(["key", "n", "text"], ascending=[True, False, True], kind="stable")
    shown = counted.drop_duplicates("key").set_index("key")["text"]
    labels = pd.Series(key, dtype=object).map(shown).astype(object)
    labels = labels.where(labels.notna(), UNKNOWN).to_numpy(dtype=object)
    return pd.Series(labels[combo] if len(combo) else labels[:0], index=candidates.index, dtype=object)


# --------------------------------------------------------------------------- Summary tab

# Column positions in the Summary grid (1-based). Below the position table, labels sit in
# column A and overflow into the empty B and C, and numbers start in column D, so no block
# forces another's columns wide. The percent columns hold nothing but shares (response
# rate and passive share in G, success rate in S): a backend may format whole columns.
_TABLE = (
    ("position_id", "position"), ("title", "title"), ("status", "status"),
    ("considered", "considered"), ("contacted", "contacted"), ("responded", "responded"),
    ("response_rate", "response rate"),
    ("responded_1", "on 1st call"), ("responded_2", "on 2nd call"), ("responded_3", "on 3rd call"),
    ("responded_4plus", "on 4th+ call"),
    ("interested", "interested"), ("not_interested", "not interested"),
    ("interest_ratio", "interested ÷ not"),
    ("hard_no", "hard-no"), ("soft_no", "soft-no"), ("unclassified", "unclassified"),
    ("hired", "hired"), ("success_rate", "success rate"),
    ("backpocket", "backpocket matches"),
)
_TALENT_HEADER = ("candidates", "active", "passive", "passive share", "type unknown")
SUMMARY_PERCENT_COLUMNS = (7, 19)
_GAP = [None, None]  # columns B and C under the labels of the lower blocks
SUMMARY_LIST_LIMIT = 40  # longer skill / location lists are cut, with a pointer to the report


class SummaryRows(list):
    """The Summary grid (a list of rows) that also knows which rows are headings."""

    bold_rows: tuple[int, ...] = (1,)
    percent_columns: tuple[int, ...] = SUMMARY_PERCENT_COLUMNS
    widths: tuple[float, ...] = ()
    align_right: tuple[int, ...] = tuple(range(4, len(_TABLE) + 1))  # every column of numbers


def summary_title(now: dt.datetime) -> str:
    """The Summary's title, row 1 col 1: the one cell that depends on the sync time."""
    return f"sheetcrm summary, updated {now:%Y-%m-%d %H:%M}"


def summary_rows(figures: pd.DataFrame, candidates: pd.DataFrame, left_out: dict[str, int],
                 now: dt.datetime, backpocket: pd.Series | None = None,
                 positions: pd.DataFrame | None = None, groups: dict[str, pd.DataFrame] | None = None) -> SummaryRows:
    """The Summary tab, top to bottom, for a person. Row 1 col 1 is the title with the
    sync time (the only cell that changes when nothing else did).

    ``backpocket``: position_id -> matching circle-back-eligible candidates, shown for
    open positions (blank where unknown). ``positions``: the clean Positions frame, for
    titles and which positions are open; without it every position in ``backpocket``
    is shown. ``groups``: the figures by source and by quarter (``pipeline_groups``),
    shown under the position table in the same columns.
    """
    rows = SummaryRows()
    bold: list[int] = []

    def add(row: list[Any], strong: bool = False) -> None:
        rows.append(row)
        if strong:
            bold.append(len(rows))

    add([summary_title(now)], True)
    add(["Rewritten by every sync: edit the Candidates, Positions and Pipeline tabs, not this one."])
    add([])

    add(["Pipeline by position"], True)
    add([label for _, label in _TABLE], True)
    info = _position_info(positions)
    for rec in figures.to_dict("records"):
        pid = rec["position_id"]
        is_all = pid == ALL
        title, status = ("all positions", None) if is_all else info.get(pid, (None, None))
        values = {**rec, "title": title, "status": status,
                  "backpocket": None if is_all else _backpocket(pid, status, backpocket, positions is not None)}
        add([_cell(key, values.get(key)) for key, _ in _TABLE], is_all)
    add([])
    for by, grouped in (groups or {}).items():
        _group_block(add, by, grouped)

    add(["Rows left out of these figures because of errors (listed on the Issues tab)"], True)
    for key in schema.INPUT_TABS:
        add([schema.DEFAULT_TAB_TITLES[key], *_GAP, int(left_out.get(key, 0))])
    add([])

    add(["Active vs passive candidates"], True)
    add(["", *_GAP, *_TALENT_HEADER], True)
    _talent_block(add, talent_counts(candidates, None))
    add([])
    for by, heading, name in (("experience", "Talent by experience (completed years)", "experience"),
                              ("location", "Talent by location", "location"),
                              ("skill", "Talent by skill (a candidate counts under each skill)", "skill")):
        add([heading], True)
        add([name, *_GAP, *_TALENT_HEADER], True)
        _talent_block(add, talent_counts(candidates, by), f"sheetcrm report talent --by {by}")
        add([])
    while rows and not rows[-1]:
        rows.pop()
    rows.bold_rows = tuple(bold)
    rows.widths = _widths(rows)
    return rows


_GROUP_HEADINGS = {"source": "Pipeline by source (where the candidates came from)",
                   "quarter": "Pipeline by quarter (of first contact)", "owner": "Pipeline by owner"}


def _group_block(add, by: str, grouped: pd.DataFrame) -> None:
    """The position table's columns (rates stay in the percent columns) with the group
    in column A, and the hires the backpocket produced where backpocket matches are."""
    add([_GROUP_HEADINGS.get(by, f"Pipeline by {by}")], True)
    add([by, *_GAP, *(label for _, label in _TABLE[3:-1]), "backpocket hires"], True)
    for rec in grouped.to_dict("records"):
        values = {**rec, "backpocket": rec["backpocket_hires"]}
        add([rec[by], *_GAP, *(_cell(key, values.get(key)) for key, _ in _TABLE[3:])], rec[by] == ALL)
    add([])


def _widths(rows: list[list[Any]]) -> tuple[float, ...]:
    """Each column as wide as its widest value, so headers and titles are not cut off.
    Text followed by an empty cell (headings, notes, labels) overflows into it instead."""
    widest: dict[int, int] = {}
    for row in rows:
        if sum(v is not None and v != "" for v in row) < 2:
            continue
        for c, v in enumerate(row, start=1):
            if c < len(row) and (row[c] is None or row[c] == ""):
                continue
            shown = 7 if isinstance(v, float) else len(str(v)) if v is not None else 0
            widest[c] = max(widest.get(c, 0), shown)
    # bold headers run about a tenth wider than their character count
    return tuple(float(min(36, max(8, round(widest.get(c, 0) * 1.1) + 3))) for c in range(1, max(widest, default=0) + 1))


def _talent_block(add, counts: pd.DataFrame, more: str | None = None) -> None:
    shown = counts if more is None else counts.head(SUMMARY_LIST_LIMIT)
    for rec in shown.to_dict("records"):
        add([rec["value"], *_GAP, *(int(rec[k]) for k in ("candidates", "active", "passive")),
             _ratio(rec["passive_share"]), int(rec["unknown"])])
    if len(counts) > len(shown):
        add([f"… and {len(counts) - len(shown)} more: {more}"])


def _position_info(positions: pd.DataFrame | None) -> dict[str, tuple[Any, Any]]:
    if positions is None or positions.empty:
        return {}
    ids = positions["position_id"].astype(str)
    return dict(zip(ids, zip(positions["title"], positions["status"])))


def _backpocket(pid: str, status: Any, backpocket: pd.Series | None, know_status: bool) -> int | None:
    # Never a made-up number: blank unless the circle-back side counted this position.
    if backpocket is None or pid not in backpocket.index or (know_status and status != "open"):
        return None
    value = backpocket[pid]
    if isinstance(value, pd.Series):
        value = value.iloc[0]
    return None if pd.isna(value) else int(value)


def _cell(key: str, v: Any) -> Any:
    if key in RATIOS:
        return _ratio(v, 2 if key == "interest_ratio" else 4)
    if key in COUNT_KEYS:
        return int(v)
    return _plain(v)


def _ratio(v: Any, digits: int = 4) -> float | None:
    """Rounded so the sheet holds tidy values (0.0% / 0.00 formats show them)."""
    v = _plain(v)
    return None if v is None else round(float(v), digits)


def _plain(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, float) and v != v:
        return None
    if isinstance(v, np.generic):
        return _plain(v.item())
    return v
