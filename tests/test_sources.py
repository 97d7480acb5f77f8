"""Sources and referrals (DESIGN §2): one spelling per source for the figures, a
did-you-mean warning for a near-miss of the suggested list, and referrals to ids
that name nobody."""
from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings as hsettings, strategies as st

from sheetcrm import schema
from sheetcrm.core import sources, validate
from sheetcrm.core.sources import canonical_source

from conftest import TODAY, make_frames


@pytest.mark.parametrize("typed,counted", [
    ("linkedin", "linkedin"), ("LinkedIn", "linkedin"), (" Job Board ", "job_board"), ("other-industry", "other_industry"),
    ("Twitter", "twitter"), ("Meet  Up", "meet up"), ("linkdin", "linkdin"), ("", None), ("   ", None), (None, None),
])
def test_one_spelling_per_source(typed, counted):
    assert canonical_source(typed) == counted


def person(i, **kw):
    return {"candidate_id": f"C-{i:05d}", "name": f"Person {i}", "email": f"p{i}@example.com", **kw}


@pytest.mark.parametrize("fields,column,message,suggestion", [
    ({"source": "linkdin"}, "source", "did you mean 'linkedin'?", "linkedin"),
    ({"source": "Refferal"}, "source", "did you mean 'referral'?", "referral"),
    ({"source": "univeristy"}, "source", "did you mean 'university'?", "university"),
    ({"source": "Job Board"}, None, None, None),  # a listed source, spelled another way
    ({"source": "Twitter"}, None, None, None),  # the agency's own source
    ({"source": "ev"}, None, None, None),
    ({"referred_by": "C-00009"}, "referred_by", "is not in Candidates", ""),
    ({"referred_by": "c 1"}, "referred_by", "is not in Candidates", ""),  # C-00001 is the id, not "C1"
    ({"referred_by": "c-00001"}, None, None, None),  # an existing id in another case
    ({"referred_by": "Sam Smith"}, None, None, None),  # a name
])
def test_source_and_referral_warnings(settings, fields, column, message, suggestion):
    frames = make_frames(settings, candidates=[person(1), person(2, **fields)])
    clean, issues = validate.validate(frames, settings, TODAY)
    assert len(clean[schema.CANDIDATES]) == 2  # a warning never drops the person
    got = issues[issues["row"] == 3]
    if column is None:
        assert got.empty, got.to_string()
        return
    [hit] = got.itertuples()
    assert (hit.column, hit.severity) == (column, "warning") and message in hit.message
    assert hit.suggestion == suggestion


@hsettings(max_examples=150, deadline=None)
@given(given_ids=st.lists(st.one_of(st.none(), st.integers(0, 3), st.sampled_from(
           ["C-00001", "c 1", " c-00002 ", "C00003", "Sam Smith", "", "X-9", "c-00001"])), max_size=12),
       ids=st.lists(st.sampled_from(["C-00001", "C-00002", "C 00003", None]), max_size=4))
def test_unknown_referrer_ids_equal_a_plain_reading_of_each_cell(given_ids, ids):
    known = {"".join(str(c).split()).upper() for c in ids if c is not None}
    plain = [isinstance(v, str) and bool(sources._ID_LIKE.match(v)) and "".join(v.split()).upper() not in known
             for v in given_ids]
    got = sources._unknown_ids(pd.Series(given_ids, dtype=object), pd.Series(ids, dtype=object))
    assert got.tolist() == plain and got.dtype == bool
