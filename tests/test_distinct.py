"""Distinct values (issue 20): factorising a column and asking for its blank cells,
once or many times, gives what looking at each cell gives."""
from __future__ import annotations

import datetime as dt
import math

import pandas as pd
from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm.core.distinct import _factorize, blank_flags, blank_mask, factorise, parse_uniques
from sheetcrm.values import FormulaWithoutValue, is_blank

CELLS = st.one_of(st.none(), st.sampled_from(["", " ", "x", " x ", "1", "TRUE", float("nan"), pd.NaT, pd.NA]),
                  st.integers(-3, 3), st.floats(-3, 3, allow_nan=False), st.booleans(),
                  st.dates(dt.date(2020, 1, 1), dt.date(2020, 1, 5)), st.text(max_size=3),
                  st.builds(FormulaWithoutValue, st.sampled_from(["=A1", "=B2"])))


def _na(v: object) -> bool:
    return v is None or v is pd.NaT or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _same(a: object, b: object, numbers_only: bool) -> bool:
    if _na(a) or _na(b):  # pandas may stand one missing value for another
        return _na(a) and _na(b)
    if numbers_only and {type(a), type(b)} == {int, float}:  # whole and decimal numbers only: 1 and 1.0 read the same
        return a == b
    if type(a) is not type(b):
        return False
    return a is b or a == b


@hsettings(max_examples=300, deadline=None)
@given(st.lists(CELLS, max_size=30), st.booleans())
def test_each_cell_maps_to_an_equal_value_of_its_type_and_blanks_are_the_cells_blanks(cells, homogeneous):
    if homogeneous:  # the fast path: only text and blanks
        cells = [c if c is None or isinstance(c, str) else str(c) for c in cells]
    series = pd.Series(cells, dtype=object)
    codes, uniques = factorise(series)
    numbers_only = {type(v) for v in cells if not _na(v)} <= {int, float}
    assert all(_same(uniques[c], v, numbers_only) for c, v in zip(codes.tolist(), cells))
    plain = [is_blank(v) for v in cells]
    for _ in range(2):  # the second answer comes from what the first remembered
        assert blank_mask(series, (codes, uniques)).tolist() == plain
        assert blank_flags(uniques) == [is_blank(u) for u in uniques]
    parsed, _ = parse_uniques(uniques, str)
    assert [p is None for p in parsed] == [is_blank(u) for u in uniques]
    if not uniques.mixed:
        assert not any(isinstance(v, FormulaWithoutValue) for v in cells)


def test_blank_flags_follow_a_list_that_grew_after_they_were_asked_for():
    _, uniques = factorise(pd.Series(["a", None], dtype=object))
    assert blank_flags(uniques) == [False, True]
    uniques.append(" ")
    assert blank_flags(uniques) == [False, True, True]


@hsettings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from([None, float("nan"), pd.NaT, pd.NA]), min_size=1, max_size=20))
def test_a_column_of_blanks_factorises_as_pandas_does(cells):
    values = pd.Series(cells, dtype=object)
    codes, uniques = factorise(values)
    want_codes, want_uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=False)
    assert codes.tolist() == want_codes.tolist()
    assert [str(u) for u in uniques] == [str(u) for u in want_uniques]


@hsettings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.sampled_from([None, float("nan"), pd.NaT, pd.NA]), st.text(max_size=2),
                          st.integers(-2, 2)), max_size=25))
def test_factorising_groups_cells_as_pandas_does_with_blanks_as_one_value(cells):
    values = pd.Series(cells, dtype=object).to_numpy(dtype=object)
    codes, uniques = _factorize(values)
    want_codes, want_uniques = pd.factorize(values, use_na_sentinel=False)
    pairs = set(zip(codes.tolist(), want_codes.tolist()))
    assert len(pairs) == len(set(codes.tolist())) == len(set(want_codes.tolist()))  # the same grouping of cells
    for mine, theirs in pairs:
        assert str(uniques[mine]) == str(want_uniques[theirs]) and type(uniques[mine]) is type(want_uniques[theirs])
