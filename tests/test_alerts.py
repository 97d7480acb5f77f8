"""New and reopened roles announce their backpocket at sync (core/alerts.py, issue 17)."""
from __future__ import annotations

from sheetcrm import api
from sheetcrm.config import Settings

from conftest import TODAY, make_memory

PEOPLE = [{"candidate_id": f"C-0000{i}", "name": f"Ann{i} Test", "email": f"ann{i}@example.com", "skills": "python",
           "location": "Remote"} for i in (1, 2, 3)]
OLD = {"position_id": "P1", "title": "Backend", "status": "open", "skills": "python", "location": "Remote"}
NEW = {"position_id": "P-016", "title": "Senior Data Engineer", "status": "open", "skills": "python",
       "location": "Remote"}


def _positions_row(backend, pid):
    tab = backend.tabs["Positions"]
    return next(r for r in tab[1:] if r[0] == pid), {h: i for i, h in enumerate(tab[0])}


def test_a_new_role_announces_its_backpocket_and_only_once():
    settings = Settings()
    people = [dict(p) for p in PEOPLE]
    people[2]["last_contacted"] = "2026-11-01"  # keep-warm, contacted recently: in the backpocket, not due
    backend = make_memory(settings, candidates=people, positions=[OLD])
    first = api.sync_workbook(settings, TODAY, backend=backend)
    assert first.new_roles == []  # a sheet never synced: nothing is "new"
    row = [NEW.get(h) for h in backend.tabs["Positions"][0]]
    backend.tabs["Positions"].append(row)
    second = api.sync_workbook(settings, TODAY, backend=backend)
    assert second.new_roles == ["P-016 Senior Data Engineer: 3 in the backpocket, 2 due now"]
    assert "new or reopened role P-016 Senior Data Engineer: 3 in the backpocket, 2 due now" in second.lines()
    assert api.sync_workbook(settings, TODAY, backend=backend).new_roles == []


def test_a_reopened_role_announces_too_and_a_closed_one_keeps_blank_cells():
    settings = Settings()
    backend = make_memory(settings, candidates=PEOPLE, positions=[OLD, {**NEW, "status": "closed"}])
    api.sync_workbook(settings, TODAY, backend=backend)
    row, col = _positions_row(backend, "P-016")
    assert row[col["backpocket_matches"]] is None and row[col["backpocket_due"]] is None
    row[col["status"]] = "open"
    again = api.sync_workbook(settings, TODAY, backend=backend)
    assert again.new_roles == ["P-016 Senior Data Engineer: 3 in the backpocket, 3 due now"]


def test_the_summary_lists_each_open_role_s_top_matches():
    settings = Settings()
    people = [dict(p) for p in PEOPLE] + [{"candidate_id": "C-00009", "name": "Never Test", "email": "n@example.com",
                                          "skills": "python", "location": "Remote", "do_not_contact": "yes"}]
    backend = make_memory(settings, candidates=people, positions=[OLD, {**NEW, "skills": "cobol"}])
    api.sync_workbook(settings, TODAY, backend=backend)
    summary = backend.tabs["Summary"]
    at = next(i for i, r in enumerate(summary) if r and str(r[0]).startswith("Top backpocket matches"))
    block = {r[0]: r[2] for r in summary[at + 1:at + 3]}
    assert block["P1"] == "C-00001 Ann1 Test (due); C-00002 Ann2 Test (due); C-00003 Ann3 Test (due)"
    assert block["P-016"] == "nobody in the backpocket fits yet"
    assert "C-00009" not in str(summary)


def _plain_top_matches_rows(circle, positions, top=3):
    """alerts.top_matches_rows as first written: the frame's columns iterated as they are."""
    rank = {"overdue": 0, "due": 1, "scheduled": 2}
    live = circle[circle["circle_back_status"].isin(list(rank))]
    ranked = live.assign(_rank=live["circle_back_status"].map(rank)).sort_values("_rank", kind="stable")
    picks = {}
    for cid, name, status, suggested in zip(ranked.index, ranked["name"], ranked["circle_back_status"],
                                            ranked["suggested_positions"]):
        for pid in suggested or []:
            if len(picks.setdefault(pid, [])) < top:
                picks[pid].append(f"{cid} {name} ({status})")
    open_roles = positions[(positions["status"] == "open").to_numpy(dtype=bool)]
    rows = [["Top backpocket matches per open role (sheetcrm match ID --shortlist FILE.csv for the rest)"]]
    for pid, title in zip(open_roles["position_id"], open_roles["title"]):
        rows.append([pid, title, "; ".join(picks.get(pid, [])) or "nobody in the backpocket fits yet"])
    return rows


def test_top_matches_rows_equal_the_plain_loop():
    import numpy as np
    import pandas as pd

    from sheetcrm.core import alerts
    rng = np.random.default_rng(20)
    n, m = 2000, 12
    pids = [f"P-{i}" for i in range(m)]
    circle = pd.DataFrame({
        "name": rng.choice(np.array(["Ada", "Bo", None, np.nan], dtype=object), n),
        "circle_back_status": rng.choice(["overdue", "due", "scheduled", "", "never"], n),
        "suggested_positions": [list(rng.choice(pids, rng.integers(0, 4), replace=False)) for _ in range(n)]},
        index=pd.Index([f"C-{i:05d}" for i in range(n)], name="candidate_id"))
    circle.loc[circle.index[::7], "suggested_positions"] = None
    positions = pd.DataFrame({"position_id": pids, "title": [f"Role {i}" for i in range(m)],
                              "status": rng.choice(["open", "filled"], m)})
    for top in (1, 3, 50):
        assert alerts.top_matches_rows(circle, positions, top) == _plain_top_matches_rows(circle, positions, top)
