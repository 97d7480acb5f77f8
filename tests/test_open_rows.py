"""open_rows: the warnings equal the plain build (the module as first written) on random tables."""
from __future__ import annotations

import datetime as dt
import random

import pandas as pd
import pytest

from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.core import open_rows
from sheetcrm.core.issues import IssueLog

SETTINGS = Settings()
TODAY = dt.date(2026, 11, 20)


def _plain_warnings(log, pipe, positions, candidates, settings, today, touchpoints=None):
    """open_row_warnings as first written: the whole Candidates frame indexed by id, Series iterated."""
    rows = pipe[pipe["outcome"] == "open"]
    if not len(rows):
        return
    pos = positions[positions["position_id"].notna()].drop_duplicates("position_id").set_index("position_id")
    status = rows["position_id"].map(pos["status"])
    gone, held = status.isin(open_rows.POSITION_GONE), status == "on_hold"
    log.add_many(schema.PIPELINE, rows.index[gone], "outcome", ["open"] * int(gone.sum()), "warning",
                 [f"open row on position {p}, which is {s}: set the outcome (hired, rejected, declined or "
                  f"ghosted) to close it" for p, s in zip(rows["position_id"][gone], status[gone])])
    log.add_many(schema.PIPELINE, rows.index[held], "outcome", ["open"] * int(held.sum()), "warning",
                 [f"open row on position {p}, which is on_hold: it keeps the candidate out of the backpocket; "
                  f"close it if the role will not come back" for p in rows["position_id"][held]])
    rest, status = rows[~gone & ~held], status[~gone & ~held]
    cands = candidates[candidates["candidate_id"].notna()].drop_duplicates("candidate_id").set_index("candidate_id")
    dates = [pd.to_datetime(rest["first_contacted"]), pd.to_datetime(rest["candidate_id"].map(cands["last_contacted"]))]
    if touchpoints is not None and len(touchpoints):
        touch = touchpoints[touchpoints["candidate_id"].notna()].assign(date=pd.to_datetime(touchpoints["date"]))
        general = touch[touch["position_id"].isna()].groupby("candidate_id")["date"].max()
        about = touch[touch["position_id"].notna()].groupby(["candidate_id", "position_id"])["date"].max()
        keys = pd.MultiIndex.from_arrays([rest["candidate_id"], rest["position_id"]])
        dates += [pd.Series(general.reindex(rest["candidate_id"]).to_numpy(), index=rest.index),
                  pd.Series(about.reindex(keys).to_numpy(), index=rest.index)]
    news = pd.concat(dates, axis=1).max(axis=1)
    cutoff = pd.Timestamp(today) - pd.Timedelta(days=settings.stale_after_days)
    stale = (news < cutoff).to_numpy(dtype=bool)
    if not stale.any():
        return
    days = (pd.Timestamp(today) - news[stale]).dt.days
    first = pd.to_datetime(rest["first_contacted"])[stale]
    log.add_many(schema.PIPELINE, rest.index[stale], "first_contacted",
                 [d if isinstance(d, str) else "" for d in first.dt.strftime("%Y-%m-%d").tolist()], "warning",
                 [f"no news on this open row for {n} days (stale after {settings.stale_after_days}); position {p} "
                  f"is {s if isinstance(s, str) else 'unknown'}: ask the candidate or client for an update, or close "
                  f"the row" for n, p, s in zip(days, rest["position_id"][stale], status[stale])],
                 ["get an update or set the outcome"] * int(stale.sum()))


def _days(rnd: random.Random, n: int) -> pd.Series:
    return pd.Series([pd.NaT if rnd.random() < 0.3 else pd.Timestamp(TODAY) - pd.Timedelta(days=rnd.randint(0, 200))
                      for _ in range(n)], dtype="datetime64[ns]")


def _tables(seed: int):
    rnd = random.Random(seed)
    ids = [f"C-{i}" for i in range(rnd.randint(1, 12))]
    pos_ids = [f"P-{i}" for i in range(rnd.randint(1, 5))]
    some = lambda values: rnd.choice([None, *values])
    n_c, n_p, n_r, n_t = rnd.randint(0, 15), rnd.randint(0, 6), rnd.randint(0, 40), rnd.randint(0, 20)
    index = lambda n: pd.Index(sorted(rnd.sample(range(2, 200), n)), dtype="int64")
    # at least one candidate with an id, as analyse leaves them (it fills in blank ids)
    n_c = max(n_c, 1)
    candidates = pd.DataFrame({"candidate_id": pd.Series([rnd.choice(ids)] + [some(ids) for _ in range(n_c - 1)],
                                                         dtype=object),
                               "name": pd.Series([rnd.choice(["a", "b"]) for _ in range(n_c)], dtype=object),
                               "last_contacted": _days(rnd, n_c)}).set_axis(index(n_c))
    positions = pd.DataFrame({"position_id": pd.Series([some(pos_ids) for _ in range(n_p)], dtype=object),
                              "status": pd.Series([some(["open", "on_hold", "filled", "closed"]) for _ in range(n_p)],
                                                  dtype=object)}).set_axis(index(n_p))
    pipe = pd.DataFrame({"candidate_id": pd.Series([some(ids) for _ in range(n_r)], dtype=object),
                         "position_id": pd.Series([some(pos_ids + ["P-x"]) for _ in range(n_r)], dtype=object),
                         "outcome": pd.Series([rnd.choice(["open", "open", "hired", "rejected"]) for _ in range(n_r)],
                                              dtype=object),
                         "first_contacted": _days(rnd, n_r)}).set_axis(index(n_r))
    touch = None if rnd.random() < 0.3 else pd.DataFrame({
        "candidate_id": pd.Series([some(ids) for _ in range(n_t)], dtype=object),
        "position_id": pd.Series([some(pos_ids) for _ in range(n_t)], dtype=object),
        "date": _days(rnd, n_t)}).set_axis(index(n_t))
    return pipe, positions, candidates, touch


@pytest.mark.parametrize("seed", range(300))
def test_open_row_warnings_equal_the_plain_build_on_random_tables(seed):
    pipe, positions, candidates, touch = _tables(seed)
    got, want = IssueLog(SETTINGS), IssueLog(SETTINGS)
    open_rows.open_row_warnings(got, pipe, positions, candidates, SETTINGS, TODAY, touch)
    _plain_warnings(want, pipe, positions, candidates, SETTINGS, TODAY, touch)
    assert got.rows == want.rows
    assert [tuple(map(type, r)) for r in got.rows] == [tuple(map(type, r)) for r in want.rows]


def test_random_tables_reach_every_warning():
    """The random tables above are not vacuous: they give all four kinds of warning."""
    kinds = set()
    for seed in range(300):
        pipe, positions, candidates, touch = _tables(seed)
        log = IssueLog(SETTINGS)
        open_rows.open_row_warnings(log, pipe, positions, candidates, SETTINGS, TODAY, touch)
        kinds |= {kind for *_, message, _ in log.rows
                  for kind in ("which is filled", "which is closed", "which is on_hold", "no news") if kind in message}
    assert kinds == {"which is filled", "which is closed", "which is on_hold", "no news"}
