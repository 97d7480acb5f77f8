"""closest(): difflib's get_close_matches answer (n=1), found through rapidfuzz's bound."""
import difflib

import pytest
from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm.core.near import closest

_ALPHABET = st.sampled_from(list("CP0123456789-xé\u2011 ") + ["00", "C-000"])
_WORD = st.lists(_ALPHABET, max_size=8).map("".join)


def _difflib(word, possibilities, cutoff):
    close = difflib.get_close_matches(word, possibilities, n=1, cutoff=cutoff)
    return close[0] if close else None


@hsettings(max_examples=400, deadline=None)
@given(word=_WORD, possibilities=st.lists(_WORD, max_size=40, unique=True),
       cutoff=st.sampled_from([0.0, 0.4, 0.5, 0.6, 0.8, 1.0]))
def test_closest_is_difflibs_answer(word, possibilities, cutoff):
    assert closest(word, possibilities, cutoff) == _difflib(word, possibilities, cutoff)


@pytest.mark.parametrize("word", ["C42", "C4213X", "P7", "C100001", "X", "", "C99999"])
def test_closest_among_many_ids_is_difflibs_answer(word):
    keys = [f"C{i}" for i in range(1, 3000)] + [f"P{i}" for i in range(1, 200)]
    assert closest(word, keys, 0.6) == _difflib(word, keys, 0.6)


def test_ties_go_to_the_larger_string_as_in_difflib():
    assert closest("C42", ["C421", "C420", "C429"], 0.6) == _difflib("C42", ["C421", "C420", "C429"], 0.6) == "C429"
