"""`sheetcrm drafts` (issue 17): a specific, truthful first message for each person due
a call, templates as data, .eml drafts, no pressure tactics, never for a never-call person."""
from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from sheetcrm import api, drafts as drafts_io
from sheetcrm.cli import cli
from sheetcrm.config import Settings
from sheetcrm.core import drafts
from sheetcrm.workbook.backends.xlsx import XlsxBackend

from conftest import TODAY, make_memory

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE_FILES = [ROOT / "sheetcrm" / "defaults" / "messages.toml", ROOT / "config" / "messages.toml"]


def _strings(node):
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for v in node.values():
            yield from _strings(v)


def _pressure(text: str) -> list[str]:
    low = text.lower()
    return [w for w in drafts.pressure_words() if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low)]


@pytest.mark.parametrize("path", TEMPLATE_FILES, ids=lambda p: p.parent.name)
def test_no_template_holds_a_pressure_word(path):
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    found = {s: _pressure(s) for s in _strings(doc) if _pressure(s)}
    assert found == {}


def test_the_scan_would_see_a_pressure_word():
    assert _pressure("Reply ASAP, this offer expires Friday") == ["asap", "expires"]


ROLES = [
    {"position_id": "P1", "title": "Senior Data Engineer", "status": "open", "skills": "python, spark",
     "location": "Remote", "salary_max": 95000, "min_years": 5},
    {"position_id": "P2", "title": "Old role", "status": "closed", "skills": "python", "location": "Remote"},
    {"position_id": "P3", "title": "Backend Engineer", "status": "open", "skills": "python", "location": "Berlin, Germany",
     "work_mode": "hybrid", "salary_max": 80000},
]


def person(i, **kw):
    return {"candidate_id": f"C-{i:05d}", "name": f"Ann{i} Test", "email": f"ann{i}@example.com",
            "skills": "python, spark", "location": "Berlin, Germany", "owner": "AB", **kw}


def said_no(i, reason, decided="2025-01-05"):
    return {"candidate_id": f"C-{i:05d}", "position_id": "P2", "outcome": "rejected", "rejection_reason": reason,
            "decided_on": decided}


def _draft_of(candidate, pipeline=(), positions=ROLES):
    backend = make_memory(Settings(), candidates=[candidate], positions=positions, pipeline=list(pipeline))
    rows = api.drafts_report(Settings(), TODAY, backend=backend).rows
    assert len(rows) == 1, rows
    return rows.iloc[0].to_dict()


@pytest.mark.parametrize("fields,reason,needles", [
    ({"salary_expectation": 90000}, "salary negotiations failed",
     ["you were looking for 90,000 EUR", "Senior Data Engineer pays up to 95,000 EUR"]),
    ({"years_experience": 6}, "too junior at the time, not enough experience",
     ["You now have 6 years; Senior Data Engineer asks for 5 years"]),
    ({"available_from": dt.date(2026, 11, 1)}, "6-month notice period", ["available from 2026-11-01"]),
    ({}, "doesn't want to relocate", ["Senior Data Engineer is remote"]),
    ({}, "declined - not challenging enough", ["What is different here: Senior Data Engineer, remote, up to 95,000 EUR"]),
    ({}, None, ["keep in touch"]),
])
def test_the_body_says_what_changed_and_names_the_role(fields, reason, needles):
    rec = _draft_of(person(1, **fields), [said_no(1, reason)] if reason else [])
    assert rec["to"] == "ann1@example.com" and rec["subject"] == "Ann1, a role that may suit you: Senior Data Engineer"
    for needle in needles:
        assert needle in rec["body"]
    assert rec["body"].startswith("Hi Ann1,") and rec["body"].endswith("Best regards,\nAB")
    assert "- Senior Data Engineer, remote, salary up to 95,000 EUR" in rec["body"]


def test_no_fitting_role_is_said_plainly_and_no_role_is_claimed():
    rec = _draft_of(person(1, skills="cobol"), [said_no(1, "salary negotiations failed")])
    assert "no open role that fits you right now" in rec["body"]
    assert not any(r["title"] in rec["body"] for r in ROLES if r["status"] == "open")
    assert "I would like to hear what you expect now" in rec["body"]  # no cap to compare: nothing invented


def test_a_person_without_email_gets_a_call_script():
    rec = _draft_of(person(1, email=None, phone="+44 7700 900123"), [said_no(1, "salary negotiations failed")])
    assert rec["to"] is None and rec["subject"] is None
    assert rec["body"].startswith("No email on file: call Ann1 Test on +44 7700 900123.")


def test_a_never_call_person_gets_no_draft():
    people = [person(1), person(2, do_not_contact="yes"), person(3)]
    pipe = [said_no(1, "salary negotiations failed"), said_no(2, "salary negotiations failed"),
            said_no(3, "asked us never to contact him again")]
    backend = make_memory(Settings(), candidates=people, positions=ROLES, pipeline=pipe)
    rows = api.drafts_report(Settings(), TODAY, backend=backend).rows
    assert rows["candidate_id"].tolist() == ["C-00001"]


def test_owner_and_within_filters():
    people = [person(1), person(2, owner="JS"), person(3, last_contacted=dt.date(2026, 11, 1))]
    backend = make_memory(Settings(), candidates=people, positions=ROLES)
    assert api.drafts_report(Settings(), TODAY, owner="js", backend=backend).rows["candidate_id"].tolist() == ["C-00002"]
    assert api.drafts_report(Settings(), TODAY, owner="AB", backend=backend).rows["candidate_id"].tolist() == ["C-00001"]
    later = api.drafts_report(Settings(), TODAY, owner="AB", within=90, backend=backend).rows
    assert later["candidate_id"].tolist() == ["C-00001", "C-00003"]


def test_agency_templates_beside_the_config_are_used(tmp_path):
    text = (ROOT / "config" / "messages.toml").read_text(encoding="utf-8")
    (tmp_path / "messages.toml").write_text(text.replace('greeting = "Hi {first_name},"', 'greeting = "Dear {name},"'),
                                            encoding="utf-8")
    settings = Settings(config_path=tmp_path / "sheetcrm.toml")
    assert drafts_io.messages_path(settings) == tmp_path / "messages.toml"
    backend = make_memory(settings, candidates=[person(1)], positions=ROLES)
    assert api.drafts_report(settings, TODAY, backend=backend).rows.iloc[0]["body"].startswith("Dear Ann1 Test,")


@pytest.mark.parametrize("content,needle", [
    ('language = "de"\n[en]\ngreeting = "x"\n', "no [de] table"),
    ('language = "en"\n[en]\ngreeting = "x"\n', "lacks subject_role"),
    ('language = "en\n', "not valid TOML"),
])
def test_a_bad_template_file_is_one_line_exit_1(tmp_path, content, needle):
    (tmp_path / "messages.toml").write_text(content, encoding="utf-8")
    config = tmp_path / "sheetcrm.toml"
    config.write_text("", encoding="utf-8")
    result = CliRunner().invoke(cli, ["--config", str(config), "--workbook", str(tmp_path / "none.xlsx"), "drafts"])
    assert result.exit_code == 1 and needle in result.stderr and "Traceback" not in result.output


@pytest.mark.slow
def test_demo_drafts_name_real_roles_have_no_pressure_and_reach_the_right_person(demo_xlsx, tmp_path):
    path = demo_xlsx(300)
    settings = Settings(workbook=path)
    backend = XlsxBackend(path)
    result = api.drafts_report(settings, TODAY, eml=str(tmp_path / "eml"), backend=backend)
    rows = result.rows
    calls = api.calls_of_workbook(settings, TODAY, backend=backend)
    cands = calls.clean["candidates"].drop_duplicates("candidate_id").set_index("candidate_id")
    positions = calls.clean["positions"]
    open_titles = set(positions.loc[positions["status"] == "open", "title"])
    due = calls.circle[calls.circle["circle_back_status"].isin(["due", "overdue"])]
    assert len(rows) == len(due) > 20 and set(rows["candidate_id"]) == set(due.index)
    for rec in rows.to_dict("records"):
        body = rec["body"]
        assert not _pressure(body) and not _pressure(rec["subject"] or "")
        email_on_file = cands.at[rec["candidate_id"], "email"]
        assert rec["to"] == email_on_file
        if rec["to"] is None:
            assert body.startswith("No email")
            continue
        named = [line[2:].split(",")[0] for line in body.splitlines() if line.startswith("- ")]
        assert named or "no open role that fits you right now" in body
        assert set(named) <= open_titles
    files = sorted((tmp_path / "eml").glob("*.eml"))
    assert len(files) == rows["to"].notna().sum() == result.calendar_events
    by_id = rows.set_index("candidate_id")
    for f in files:
        msg = email.message_from_bytes(f.read_bytes(), policy=email.policy.default)
        assert msg["X-Unsent"] == "1"
        assert msg["To"] == by_id.at[f.stem, "to"] and msg["Subject"] == by_id.at[f.stem, "subject"]
        assert msg.get_content().replace("\r\n", "\n").strip() == by_id.at[f.stem, "body"].strip()


def test_drafts_command_json_keys(tmp_path):
    backend = make_memory(Settings(), candidates=[person(1)], positions=ROLES)
    from sheetcrm.workbook import backends

    old = backends.open_backend
    backends.open_backend = lambda settings: backend
    try:
        result = CliRunner().invoke(cli, ["drafts", "--format", "json", "--today", TODAY.isoformat()])
        table = CliRunner().invoke(cli, ["drafts", "--today", TODAY.isoformat()])
    finally:
        backends.open_backend = old
    assert result.exit_code == 0, result.output
    assert [list(r) for r in json.loads(result.stdout)] == [["candidate_id", "owner", "to", "subject", "body"]]
    assert table.exit_code == 0 and "Subject: Ann1, a role that may suit you" in table.stdout
