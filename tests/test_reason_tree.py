"""A rule's phrase tree compiled from its pieces (core/reason_tree.py) is the regex its text
compiles to: the same code for re's engine, so the same matches."""
from __future__ import annotations

import re
from re import _compiler as sre_compiler
from re import _parser as sre_parser

import pytest
from hypothesis import given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from sheetcrm.config import Settings
from sheetcrm.core import reason_tree
from sheetcrm.core.reason_compile import compile_rules
from sheetcrm.core.reason_words import normalise
from sheetcrm.rules import read_rule_files


def _same_code(phrases: tuple[str, ...], plural: bool) -> None:
    tree, parsed = reason_tree.phrase_tree(phrases, plural), sre_parser.parse(reason_tree.phrase_text(phrases, plural))
    assert sre_compiler._code(tree, 0) == sre_compiler._code(parsed, 0)
    assert tree.state.flags == parsed.state.flags and tree.state.groups == parsed.state.groups == 1


def test_this_python_reads_phrase_trees_as_they_are_made():
    """Else every tree would be compiled from its text, and nothing below would be the path used."""
    assert reason_tree._trees_as_parsed()


@pytest.fixture(scope="module")
def rules():
    return compile_rules(read_rule_files(Settings().reasons_files))


def test_every_built_in_phrase_tree_is_the_code_of_its_text(rules):
    trees = [(p._compile.args, p) for r in rules.rules for p in (r.phrases, r.forms) if p is not None]
    assert len(trees) > 200
    for (phrases, plural), lazy in trees:
        _same_code(phrases, plural)
        assert lazy.pattern == reason_tree.phrase_text(phrases, plural)


_PHRASE = st.text(alphabet="abcé ns*+#$.'-1", min_size=1, max_size=12).map(normalise).filter(bool)


@hsettings(max_examples=300, deadline=None)
@given(phrases=st.lists(_PHRASE, min_size=1, max_size=12, unique=True), plural=st.booleans())
def test_any_phrase_tree_is_the_code_of_its_text(phrases, plural):
    _same_code(tuple(phrases), plural)


@hsettings(max_examples=200, deadline=None)
@given(phrases=st.lists(_PHRASE, min_size=1, max_size=8, unique=True), plural=st.booleans(),
       text=st.text(alphabet="abcé ns*+#$.'-1,", max_size=40))
def test_a_compiled_tree_finds_what_its_compiled_text_finds(phrases, plural, text):
    tree, plain = reason_tree.compile_phrases(tuple(phrases), plural), re.compile(reason_tree.phrase_text(tuple(phrases), plural))
    assert [m.span() for m in tree.finditer(text)] == [m.span() for m in plain.finditer(text)]
