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
