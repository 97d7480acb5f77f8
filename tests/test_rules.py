"""Reading rule files: the compiled rules are kept per exact file contents."""
from __future__ import annotations

import os

import pytest

from sheetcrm.config import Settings
from sheetcrm.core import reasons
from sheetcrm.errors import ConfigError
from sheetcrm.rules import load_rules

RULE = '[[rule]]\nid = "salary.x"\ncategory = "salary"\nphrases = ["{}"]\n'


def test_unchanged_files_are_compiled_once():
    assert load_rules(Settings()) is load_rules(Settings())


def test_an_edited_file_is_compiled_afresh_even_with_the_same_size_and_time(tmp_path):
    extra = tmp_path / "reasons.toml"
    extra.write_text(RULE.format("quux blorf"), encoding="utf-8")
    stamp = extra.stat()
    first = load_rules(Settings(reasons_file=extra))
    extra.write_text(RULE.format("zorp blorf"), encoding="utf-8")  # same length
    os.utime(extra, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))  # and the same time
    second = load_rules(Settings(reasons_file=extra))
    assert reasons.classify("zorp blorf", "rejected", second).category == "salary"
    assert reasons.classify("zorp blorf", "rejected", first).cls == "unclassified"


def test_a_file_that_disappears_is_still_one_clear_line(tmp_path):
    extra = tmp_path / "reasons.toml"
    extra.write_text(RULE.format("quux blorf"), encoding="utf-8")
    load_rules(Settings(reasons_file=extra))
    extra.unlink()
    with pytest.raises(ConfigError, match="does not exist"):
        load_rules(Settings(reasons_file=extra))


# -- the rules compiled on a thread while a sync reads (issue 20) ---------------------------------
def test_rules_compiled_ahead_are_the_rules_load_rules_gives_and_no_thread_is_left():
    import threading

    from sheetcrm.rules import RulesAhead

    settings = Settings()
    ahead = RulesAhead(settings)
    assert ahead.get() is load_rules(settings)  # the very RuleSet: the analysis memo compares it by identity
    assert not any(t.name == "sheetcrm-rules" for t in threading.enumerate())


@pytest.mark.parametrize("body, needle", [('[[rule]\n', "is not valid TOML"), (None, "does not exist")])
def test_a_bad_rules_file_compiled_ahead_is_the_same_one_line_error(tmp_path, body, needle):
    from sheetcrm.rules import RulesAhead

    bad = tmp_path / "reasons.toml"
    if body is not None:
        bad.write_text(body, encoding="utf-8")
    with pytest.raises(ConfigError) as want:
        load_rules(Settings(reasons_file=bad))
    with pytest.raises(ConfigError) as got:
        RulesAhead(Settings(reasons_file=bad)).get()
    assert str(got.value) == str(want.value) and needle in str(got.value)


@pytest.mark.parametrize("idle", [True, False])
def test_a_sync_raises_the_read_s_error_before_the_rules_and_leaves_no_thread(idle, tmp_path, today, memory_workbook,
                                                                              monkeypatch):
    """A sync whose workbook cannot be read and whose rules file is bad says what it
    said before the rules compiled ahead: the read's error (read first); no rules
    thread runs on after it. With a good workbook, the rules' error."""
    import threading

    from sheetcrm.errors import BackendError
    from sheetcrm.workbook import cores, sync
    from sheetcrm.workbook.backends.xlsx import XlsxBackend

    monkeypatch.setattr(cores, "idle_core", lambda: idle)  # compiled on a thread or after the read
    bad = tmp_path / "reasons.toml"
    bad.write_text('[[rule]\n', encoding="utf-8")
    broken = tmp_path / "book.xlsx"
    broken.write_bytes(b"not a zip")
    with pytest.raises(BackendError):
        sync.sync(XlsxBackend(broken), Settings(reasons_file=bad), today)
    assert not any(t.name == "sheetcrm-rules" for t in threading.enumerate())
    with pytest.raises(ConfigError, match="is not valid TOML"):
        sync.sync(memory_workbook(candidates=[{"candidate_id": "C-1", "name": "Ada"}]), Settings(reasons_file=bad),
                  today)
    assert not any(t.name == "sheetcrm-rules" for t in threading.enumerate())


@pytest.mark.parametrize("idle", [True, False])
def test_a_sync_compiles_its_rules_through_sync_load_rules(idle, today, memory_workbook, monkeypatch):
    """sync.load_rules stays the name a sync loads its rules by (tests hand a sync
    rules compiled once that way, tests/test_xlsx_text.py), on the thread too."""
    from sheetcrm.workbook import cores, sync

    monkeypatch.setattr(cores, "idle_core", lambda: idle)
    asked = []
    monkeypatch.setattr(sync, "load_rules", lambda settings: asked.append(settings) or load_rules(settings))
    sync.sync(memory_workbook(candidates=[{"candidate_id": "C-1", "name": "Ada"}]), Settings(), today)
    assert len(asked) == 1


def test_rules_loaded_without_a_thread_are_the_same_rules_and_error():
    import threading

    from sheetcrm.rules import RulesAhead

    before = threading.active_count()
    ahead = RulesAhead(Settings(), thread=False)
    assert threading.active_count() == before and ahead.get() is load_rules(Settings())
