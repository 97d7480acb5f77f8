"""The demo generator (DESIGN §7 `init --demo`): realistic data for every feature
the backpocket needs: people considered for roles that suit their skills, seniority
and work modes, stale rows, sources, referrals and hires from the backpocket."""
from __future__ import annotations

import pytest

from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.core import analysis, matching, pipeline_groups
from sheetcrm.demo import demo_data
from sheetcrm.rules import load_rules

from conftest import TODAY, make_memory


@pytest.fixture(scope="module")
def demo():
    settings = Settings()
    data = demo_data(200, TODAY, 7)
    snap_frames = _frames(settings, data)
    return settings, data, analysis.analyse(snap_frames, settings, TODAY, rules=load_rules(settings))


def _frames(settings, data):
    from sheetcrm.workbook import sheet
    from sheetcrm.workbook.backends.memory import MemoryBackend
    from sheetcrm.workbook.layout import workbook_layout

    backend = MemoryBackend()
    backend.create(workbook_layout(settings, data))
    snap = backend.read()
    return sheet.to_frames(snap, sheet.locate(snap, settings))


def test_every_backpocket_column_is_filled_somewhere(demo):
    _, _, a = demo
    cands, pos = a.clean[schema.CANDIDATES], a.clean[schema.POSITIONS]
    for column in ("owner", "source", "referred_by", "open_to_relocation", "available_from", "salary_expectation"):
        assert cands[column].notna().sum() >= 5, column
    assert cands["open_to_relocation"].astype(bool).sum() >= 10
    assert (cands["city"].notna() & cands["country"].isna()).any()  # someone gave only a country
    for column in ("min_years", "work_mode", "hiring_manager", "salary_max"):
        assert pos[column].notna().sum() >= 2, column
    assert pos["title"].str.startswith("Senior").any() and (pos["min_years"] >= 6).any()
    assert pos["skills"].map(lambda t: any(s.startswith("!") for s in t)).any()  # must-haves
    spelled = {s for t in cands["skills"] for s in t}
    assert spelled & {"k8s", "golang", "postgres", "ts", "nodejs"}  # synonyms to read


def test_people_are_considered_for_roles_that_suit_their_skills(demo):
    settings, _, a = demo
    syn = settings.skill_synonyms
    cands = a.clean[schema.CANDIDATES].set_index("candidate_id")["skills"]
    roles = a.clean[schema.POSITIONS].set_index("position_id")["skills"]
    pipe = a.clean[schema.PIPELINE]
    suit = [bool({matching.canonical_skill(s, syn) for s in cands[c]} & {matching.canonical_skill(s, syn)
                                                                           for s in roles[p]})
            for c, p in zip(pipe["candidate_id"], pipe["position_id"]) if c in cands.index]
    assert sum(suit) / len(suit) >= 0.75


def test_stale_rows_and_open_rows_on_roles_that_are_gone_are_flagged_but_few(demo):
    _, _, a = demo
    messages = a.issues.loc[a.issues["severity"] == "warning", "message"]
    stale = messages.str.contains("no news on this open row").sum()
    gone = messages.str.contains(r"which is (?:filled|closed)").sum()
    open_rows = (a.clean[schema.PIPELINE]["outcome"] == "open").sum()
    assert stale >= 5 and 1 <= gone <= open_rows * 0.15, (stale, gone, open_rows)


def test_sources_referrals_and_backpocket_hires(demo):
    _, _, a = demo
    cands, pipe = a.clean[schema.CANDIDATES], a.clean[schema.PIPELINE]
    by_source = pipeline_groups.group_figures(pipe, cands, "source")
    assert len(set(by_source["source"]) & set(schema.SOURCES)) >= 7
    assert by_source.iloc[-1]["backpocket_hires"] >= 3
    referrers = pipeline_groups.referrer_counts(cands, pipe)
    assert referrers["value"].isin(cands["candidate_id"]).sum() >= 3  # referred by people in the sheet
    assert (~referrers["value"].isin(cands["candidate_id"])).any()  # and by names
    assert (pipe["rejection_direction"] == "over").any()  # overqualified soft-nos


def test_the_backpocket_has_people_for_open_roles(demo):
    _, _, a = demo
    assert a.backpocket.sum() >= 10
    assert (a.circle["circle_back_status"].isin(schema.CALLABLE)).sum() >= 20


def test_the_demo_has_a_call_log_that_moves_circle_backs(demo):
    """Issue 17: Touchpoints by each owner, every outcome, a few follow-up dates, all valid."""
    _, data, a = demo
    touch = a.clean[schema.TOUCHPOINTS]
    assert len(touch) == len(data[schema.TOUCHPOINTS]) >= 50  # no row left out for an error
    assert set(touch["outcome"]) == set(schema.TOUCH_OUTCOMES)
    assert touch["follow_up_on"].notna().sum() >= 3 and touch["by"].notna().all()
    issues = a.issues[a.issues["tab"] == "Touchpoints"]
    assert (issues["severity"] != "error").all()
    circle = a.circle
    assert circle["last_touchpoint"].notna().sum() >= 30
    assert (circle["circle_back_status"].isin(schema.CALLABLE) & circle["rejection_category"].isna()).sum() >= 5


@pytest.mark.slow
def test_readme_shows_the_demos_report_pipeline_by_source(tmp_path, monkeypatch):
    """The README's `report pipeline --by source` block is what the demo prints."""
    from pathlib import Path

    from click.testing import CliRunner

    from sheetcrm.cli import cli

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    shown = readme.split("$ sheetcrm report pipeline --by source\n", 1)[1].split("```", 1)[0].rstrip("\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    run = CliRunner()
    assert run.invoke(cli, ["--workbook", "d.xlsx", "init", "--demo", "300", "--today", "2026-11-22"]).exit_code == 0
    result = run.invoke(cli, ["--workbook", "d.xlsx", "report", "pipeline", "--by", "source", "--today", "2026-11-22"])
    assert result.exit_code == 0 and result.output.rstrip("\n") == shown
