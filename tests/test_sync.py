"""The sync: ids, writing only what differs, and only where sheetcrm may write."""
import datetime as dt

import pandas as pd
import pytest

from sheetcrm.rules import load_rules
from sheetcrm import schema

from sheetcrm.workbook import sync
from sheetcrm.workbook.backends.base import CellUpdate, resolve_rows
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.core import analysis as analysis_mod

POSITION = {"position_id": "P-1", "title": "Backend Engineer", "status": "open", "skills": "python"}


def cand(cid, name, **more):
    return {"candidate_id": cid, "name": name, "email": f"{name.lower()}@example.com", **more}


@pytest.mark.parametrize("ids, expected", [
    ([None, None], {2: "C-00001", 3: "C-00002"}),
    (["C-00007", None, "C-00003"], {3: "C-00008"}),
    (["X-99", None, "  "], {3: "C-00001", 4: "C-00002"}),
    (["C-00001", "C-00002"], {}),
    ([" C-00041 ", float("nan"), 42.0, "c-00050", "C-00009x", ""], {3: "C-00042", 7: "C-00043"}),
    (pd.array(["C-00002", None, "\u00a0"], dtype="str"), {3: "C-00003", 4: "C-00004"}),
])
def test_assign_ids_continues_the_sequence(ids, expected):
    frame = pd.DataFrame({"candidate_id": pd.Series(ids, dtype=object, index=range(2, 2 + len(ids)))})
    assert analysis_mod.assign_ids(frame) == expected


def test_sync_assigns_ids_into_blank_cells_only(settings, today, memory_workbook):
    backend = memory_workbook(candidates=[cand("C-00004", "Ada"), cand(None, "Bo"), cand("", "Cy")],
                              positions=[POSITION])
    report = sync.sync(backend, settings, today)
    assert report.ids_assigned == 2
    ids = [r[0] for r in backend.tabs["Candidates"][1:]]
    assert ids == ["C-00004", "C-00005", "C-00006"]


def test_second_sync_writes_nothing(settings, today, memory_workbook):
    backend = memory_workbook(candidates=[cand(None, "Ada"), cand("C-00002", "Bo", do_not_contact="yes")],
                              positions=[POSITION],
                              pipeline=[{"candidate_id": "C-00002", "position_id": "P-1", "outcome": "ghosted",
                                         "decided_on": dt.date(2026, 1, 5), "first_contacted": dt.date(2026, 1, 1)}])
    first = sync.sync(backend, settings, today)
    assert first.written and backend.writes == 1
    second = sync.sync(backend, settings, today)
    assert not second.changed and backend.writes == 1
    assert "no changes" in second.lines()[-1]


def test_dry_run_writes_nothing(settings, today, memory_workbook):
    backend = memory_workbook(candidates=[cand(None, "Ada")], positions=[POSITION])
    report = sync.sync(backend, settings, today, dry_run=True)
    assert report.changed and not report.written and backend.writes == 0
    assert any("would" in line for line in report.lines())


def test_planned_changes_touch_only_owned_cells_and_blank_ids(settings, today, memory_workbook):
    backend = memory_workbook(candidates=[cand(None, "Ada"), cand("C-00002", "Bo", email="not-an-email")],
                              positions=[POSITION, {"position_id": "P-2", "title": "x", "status": "opn"}],
                              pipeline=[{"candidate_id": "C-00002", "position_id": "P-1", "outcome": "rejected",
                                         "rejection_reason": "salary", "decided_on": dt.date(2026, 1, 5)}])
    snapshot, maps, frames = sync.load(backend, settings)
    changes = sync.plan_changes(snapshot, maps, analysis_mod.analyse(frames, settings, today, rules=load_rules(settings)))
    for upd in changes.cells:
        tmap = next(m for m in maps.values() if m.title == upd.tab)
        name = next(n for n, c in tmap.columns.items() if c == upd.col)
        tab = schema.INPUT_TAB_SCHEMAS[tmap.key]
        assert name in {c.name for c in tab.owned_columns} or (
            name == "candidate_id" and tmap.key == "candidates" and snapshot.tabs[upd.tab].cell(upd.row, upd.col) is None)
    assert {t.title for t in changes.tabs} == {"Summary", "Circle-backs", "Issues"}


def test_stale_owned_cells_on_emptied_rows_are_cleared(settings, today, memory_workbook):
    backend = memory_workbook(candidates=[cand("C-00001", "Ada"), cand("C-00002", "Bo", years_experience="lots")],
                              positions=[POSITION])
    sync.sync(backend, settings, today)
    row_issues = schema.CANDIDATES_TAB.names.index("row_issues") + 1
    assert backend.tabs["Candidates"][2][row_issues - 1]  # Bo's row has an issue
    for c in range(1, 15):  # a person clears Bo's row but not the owned cells
        backend.edit("Candidates", 3, c, None)
    sync.sync(backend, settings, today)
    assert backend.tabs["Candidates"][2][row_issues - 1] is None


def grid(*rows):
    return MemoryBackend({"T": [["id", "name", "owned"], *map(list, rows)]})


@pytest.mark.parametrize("now_rows, expected_row, skipped", [
    ([["A", "Ada"], ["B", "Bo"]], 3, 0),                # unchanged: lands where it was read
    ([["Z", "Zed"], ["A", "Ada"], ["B", "Bo"]], 4, 0),  # a row inserted above: follows Bo
    ([["B", "Bo"], ["A", "Ada"]], 2, 0),                # sorted: follows Bo
    ([["A", "Ada"]], None, 1),                          # deleted: skipped
    ([["A", "Ada"], ["B", "Bob"]], None, 1),            # identity edited: skipped
    ([["B", "Bo"], ["A", "Ada"], ["B", "Bo"]], None, 1),  # ambiguous: skipped
])
def test_writes_follow_the_row_or_are_skipped(now_rows, expected_row, skipped):
    backend = grid(*now_rows)
    upd = CellUpdate("T", 3, 3, "value for Bo", identity=((1, "B"), (2, "Bo")))
    get = lambda tab, r, c: backend.tabs[tab][r - 1][c - 1] if r - 1 < len(backend.tabs[tab]) and c - 1 < len(backend.tabs[tab][r - 1]) else None  # noqa: E731
    targets, n_skipped = resolve_rows([upd], get, lambda tab: len(backend.tabs[tab]))
    assert n_skipped == skipped
    assert [row for _, row in targets] == ([expected_row] if expected_row else [])


def test_analyse_is_pure_and_repeatable(settings, today, frames_of):
    frames = frames_of(candidates=[cand(None, "Ada")], positions=[POSITION])
    copy = {k: v.copy() for k, v in frames.items()}
    a = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    b = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    for k in frames:
        pd.testing.assert_frame_equal(frames[k], copy[k])
    assert a.new_ids == b.new_ids == {2: "C-00001"}
    assert a.tabs[1].rows == b.tabs[1].rows


# A row left out for an unrelated mistake must still stop a call (review findings F1-F3).
ANN = {"candidate_id": "C-00001", "name": "Ann Test", "email": "ann@example.com", "skills": "python"}
OPEN_ROLE = {"position_id": "P1", "title": "Dev", "status": "open", "skills": "python", "location": "Remote"}
OLD_ROLE = {"position_id": "P2", "title": "Dev2", "status": "closed", "skills": "python"}
SOFT_NO = {"candidate_id": "C-00001", "position_id": "P1", "outcome": "rejected",
           "rejection_reason": "salary too high", "decided_on": "2025-01-01"}
HARD_NO = {"candidate_id": "C-00001", "position_id": "P2", "outcome": "rejected",
           "rejection_reason": "resume details were false, fabricated degree", "decided_on": "2026-06-01"}


@pytest.mark.parametrize("mistake", [
    {"decided_on": None},
    {"attempts": "three"},
    {"position_id": "P9"},
    {"first_contacted": "2026-07-01"},
], ids=["no decided_on", "bad attempts", "unknown position", "decided before contacted"])
def test_a_hard_no_row_with_an_error_still_means_never(settings, today, frames_of, mistake):
    frames = frames_of(candidates=[ANN], positions=[OPEN_ROLE, OLD_ROLE], pipeline=[SOFT_NO, {**HARD_NO, **mistake}])
    a = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    assert a.circle.loc["C-00001", "circle_back_status"] == "never"
    assert a.candidate_class["C-00001"] == "hard_no"
    assert a.backpocket.sum() == 0


def test_a_soft_row_with_an_error_holds_the_person_for_review(settings, today, frames_of):
    broken = {**SOFT_NO, "position_id": "P2", "attempts": "three", "rejection_reason": "too junior"}
    frames = frames_of(candidates=[ANN], positions=[OPEN_ROLE, OLD_ROLE], pipeline=[SOFT_NO, broken])
    a = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    assert a.circle.loc["C-00001", "circle_back_status"] == "review"
    assert a.circle.loc["C-00001", "suggested_positions"] == []


@pytest.mark.parametrize("dnc", ["yes", "DNC"])
def test_do_not_contact_on_a_row_with_an_error_still_guards_the_same_email(settings, today, frames_of, dnc):
    refuser = {**ANN, "do_not_contact": dnc, "years_experience": "lots"}
    again = {**ANN, "candidate_id": "C-00002", "name": "Ann Test"}
    frames = frames_of(candidates=[refuser, again], positions=[OPEN_ROLE],
                       pipeline=[{**SOFT_NO, "candidate_id": "C-00002"}])
    a = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    assert "C-00002" not in set(a.circle.index[a.circle["circle_back_status"].isin(["due", "overdue", "scheduled"])])
    guard = a.issues[(a.issues["row"] == 3) & (a.issues["severity"] == "error")]
    assert guard["message"].str.contains("C-00001").any()


def test_do_not_contact_on_a_duplicate_id_row_means_never(settings, today, frames_of):
    frames = frames_of(candidates=[{**ANN, "candidate_id": "C-00002"}, {**ANN, "candidate_id": "C-00002",
                                                                        "do_not_contact": "yes"}],
                       positions=[OPEN_ROLE], pipeline=[{**SOFT_NO, "candidate_id": "C-00002"}])
    a = analysis_mod.analyse(frames, settings, today, rules=load_rules(settings))
    assert a.circle.loc["C-00002", "circle_back_status"] == "never"


# -- the plan equals the cell-by-cell comparison it replaced ---------------------------------------
ODD = [None, "", float("nan"), 0, 1, 1.0, 2.5, True, False, "1", "1.0", "TRUE", "x", " x", "é", "😀 ü", "_x0041_",
       dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 9, 30), dt.datetime(2026, 1, 3), 46024, 46024.5,
       "2026-01-02", pd.Timestamp("2026-01-02"), "C-00001", "P-1"]


def reference_plan(snapshot, maps, analysis):
    """The plan as sync computed it before issue 20: every owned cell through same_cell."""
    from sheetcrm.workbook.backends.base import Changes, same_cell
    changes = Changes()
    for key, tmap in maps.items():
        sheet = snapshot.tabs[tmap.title]
        ident_cols = [tmap.columns[c] for c in schema.INPUT_TAB_SCHEMAS[key].identity if c in tmap.columns]
        owned = analysis.owned[key]
        owned_cols = [(name, tmap.columns[name]) for name in owned.columns]
        for name in tmap.appended:
            changes.cells.append(CellUpdate(tmap.title, 1, tmap.columns[name], name))

        def identity(row):
            return tuple((c, sheet.cell(row, c)) for c in ident_cols)

        if key == schema.CANDIDATES:
            for row, new_id in analysis.new_ids.items():
                changes.cells.append(CellUpdate(tmap.title, row, tmap.columns["candidate_id"], new_id, identity(row)))
        for row in owned.index:
            for name, col in owned_cols:
                if not same_cell(sheet.cell(row, col), owned[name].to_dict()[row]):
                    changes.cells.append(CellUpdate(tmap.title, int(row), col, owned[name].to_dict()[row], identity(row)))
        for row in range(2, len(sheet.values) + 1):
            if row not in set(owned.index):
                changes.cells += [CellUpdate(tmap.title, row, col, None, identity(row))
                                  for _, col in owned_cols if not same_cell(sheet.cell(row, col), None)]
    for tab in analysis.tabs:
        if not reference_same_grid(snapshot.find(tab.title).values, tab.rows, tab.volatile):
            changes.tabs.append(tab)
    return changes


def reference_same_grid(old, new, volatile):
    from sheetcrm.workbook.backends.base import same_cell

    def trimmed(grid):
        rows = [list(r) for r in grid]
        for r in rows:
            while r and (r[-1] is None or r[-1] == ""):
                r.pop()
        while rows and not rows[-1]:
            rows.pop()
        return rows

    a, b = trimmed(old), trimmed(new)
    return len(a) == len(b) and all(
        (r, c) in volatile or same_cell(ra[c - 1] if c <= len(ra) else None, rb[c - 1] if c <= len(rb) else None)
        for r, (ra, rb) in enumerate(zip(a, b), start=1) for c in range(1, max(len(ra), len(rb)) + 1))


def twin(v):
    """A value Python finds equal to ``v`` (1 == True == 1.0) that a person may not see as the same."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, (int, float)) and v in (0, 1):
        return bool(v)
    return float(v) if isinstance(v, int) else v


def random_plan_inputs(rnd):
    """A snapshot of Candidates and Pipeline with odd cells, and an analysis saying odd things."""
    from types import SimpleNamespace
    from sheetcrm.workbook.backends.base import Sheet, Snapshot
    from sheetcrm.workbook.sheet import TabMap
    tabs, maps, owned = {}, {}, {}
    for key, title in ((schema.CANDIDATES, "Candidates"), (schema.PIPELINE, "Pipeline")):
        names = schema.INPUT_TAB_SCHEMAS[key].names
        columns = {n: i for i, n in enumerate(names, start=1)}
        pool = ODD[: rnd.randint(2, len(ODD))]
        grid = [list(names)] + [[rnd.choice(pool) for _ in range(rnd.randint(0, len(names) + 1))]
                                for _ in range(rnd.randint(0, 12))]
        tabs[title] = Sheet(title, grid)
        maps[key] = TabMap(key, title, list(names), columns, [])
        kept = sorted(rnd.sample(range(2, len(grid) + 2), rnd.randint(0, len(grid))))
        cols = [c.name for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns]
        twins = rnd.random() < 0.3  # new values Python finds equal to the sheet's
        owned[key] = pd.DataFrame({c: pd.Series([twin(tabs[title].cell(r, columns[c])) if twins else rnd.choice(pool)
                                                 for r in kept], index=kept, dtype=object) for c in cols},
                                  index=pd.Index(kept, dtype="int64"))
    old_tab = [[rnd.choice(ODD) for _ in range(rnd.randint(0, 4))] for _ in range(rnd.randint(0, 5))]
    new_tab = rnd.choice([[list(r) for r in old_tab], [[rnd.choice(ODD[:3]) for _ in r] for r in old_tab],
                          [[twin(v) for v in r] for r in old_tab]])
    if new_tab and rnd.random() < 0.5:
        new_tab[rnd.randrange(len(new_tab))] += [rnd.choice(ODD)]
    tabs["Issues"] = Sheet("Issues", old_tab)
    tab = SimpleNamespace(title="Issues", rows=new_tab, volatile=frozenset({(1, 1)}) if rnd.random() < 0.5 else frozenset())
    new_ids = {r: f"C-{r:05d}" for r in rnd.sample(range(2, 14), rnd.randint(0, 3))}
    return Snapshot(tabs), maps, SimpleNamespace(owned=owned, new_ids=new_ids, tabs=[tab])


@pytest.mark.parametrize("seed", range(300))
def test_plan_equals_the_cell_by_cell_reference_on_random_grids(seed):
    import random
    snapshot, maps, analysis = random_plan_inputs(random.Random(seed))
    got, want = sync.plan_changes(snapshot, maps, analysis), reference_plan(snapshot, maps, analysis)
    assert repr(got.cells) == repr(want.cells)  # same cells, same values and types, same order
    assert [t.title for t in got.tabs] == [t.title for t in want.tabs]


@pytest.mark.parametrize("enabled, fails", [(True, False), (True, True), (False, False)])
def test_sync_pauses_the_cyclic_gc_and_restores_it(settings, today, memory_workbook, monkeypatch, enabled, fails):
    import gc
    backend = memory_workbook(candidates=[cand(None, "Ada")], positions=[POSITION])
    during, real = [], sync._sync

    def spy(*args):
        during.append(gc.isenabled())
        if fails:
            raise RuntimeError("boom")
        return real(*args)

    monkeypatch.setattr(sync, "_sync", spy)
    was = gc.isenabled()
    (gc.enable if enabled else gc.disable)()
    try:
        if fails:
            with pytest.raises(RuntimeError):
                sync.sync(backend, settings, today)
        else:
            sync.sync(backend, settings, today)
        assert during == [False] and gc.isenabled() is enabled
    finally:
        (gc.enable if was else gc.disable)()


def test_owned_tab_comparison_with_googles_read_back_forms_is_the_reference_one():
    """_same_grid's fast path for rows as Google reads them back (blanks as None where
    "" was written, dates as serial numbers, rows padded) answers as the reference."""
    import random

    cells = [None, "", float("nan"), 0, 1, 1.0, True, "x", "1", dt.date(2026, 1, 2), 46024, 46025, 46024.0,
             dt.datetime(2026, 1, 2, 9, 30)]
    for seed in range(1500):
        rnd = random.Random(seed)
        new = [[rnd.choice(cells) for _ in range(rnd.randint(0, 4))] for _ in range(rnd.randint(0, 4))]
        old = []
        for row in new:  # as read back: mostly the same cells, in Google's forms
            got = [None if v == "" and rnd.random() < 0.7 else
                   (v - dt.date(1899, 12, 30)).days if type(v) is dt.date and rnd.random() < 0.7 else v for v in row]
            if got and rnd.random() < 0.3:
                got[rnd.randrange(len(got))] = rnd.choice(cells)
            old.append(got + [None] * rnd.randint(0, 2))
        volatile = frozenset({(rnd.randint(1, 4), rnd.randint(1, 4))}) if rnd.random() < 0.3 else frozenset()
        assert sync._same_grid(old, new, volatile) == reference_same_grid(old, new, volatile), seed
