"""sheetcrm.core.issues: the row_issues text per row equals the plain join it replaced."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from sheetcrm.config import Settings
from sheetcrm.core.issues import row_issue_texts


def _plain_row_issue_texts(issues, settings, key):
    """row_issue_texts as first written: one dict step per issue."""
    sub = issues[issues["tab"] == settings.tab_title(key)]
    if not len(sub):
        return {}
    parts = (sub["severity"] + ": " + sub["message"]).tolist()
    out: dict[int, str] = {}
    for row, part in zip(sub["row"].tolist(), parts):
        out[row] = part if row not in out else out[row] + "; " + part
    return {row: text if len(text) <= 300 else text[:297] + "…" for row, text in out.items()}


_TEXT = st.sampled_from(["email is not valid", "x" * 140, "phone is blank", "é" * 299, ""])


@hyp_settings(max_examples=300, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["Candidates", "Pipeline", "Positions"]), st.integers(2, 9),
                               st.sampled_from(["error", "warning"]), _TEXT), max_size=30),
       string_dtype=st.booleans())
def test_row_issue_texts_equal_the_plain_join(rows, string_dtype):
    issues = pd.DataFrame(rows, columns=["tab", "row", "severity", "message"])
    issues["row"] = issues["row"].astype("int64")
    if string_dtype:
        issues = issues.astype({c: "string" for c in ("tab", "severity", "message")})
    settings = Settings()
    for key in ("candidates", "pipeline", "positions", "touchpoints"):
        got = row_issue_texts(issues, settings, key)
        want = _plain_row_issue_texts(issues, settings, key)
        assert got == want and list(got) == list(want)


def test_row_issue_texts_equal_the_plain_join_at_bench_size():
    rng = np.random.default_rng(20)
    n = 50_000
    issues = pd.DataFrame({"tab": rng.choice(["Candidates", "Pipeline"], n), "row": rng.integers(2, 40_000, n),
                           "severity": rng.choice(["error", "warning"], n),
                           "message": rng.choice(["a" * 120, "responded_on_attempt (1) is more than attempts (0)"], n)})
    got = row_issue_texts(issues, Settings(), "pipeline")
    want = _plain_row_issue_texts(issues, Settings(), "pipeline")
    assert got == want and list(got) == list(want)
    issues.loc[::997, "message"] = None  # a blank message fails as it did (issues always have one)
    for texts in (row_issue_texts, _plain_row_issue_texts):
        with pytest.raises(TypeError):
            texts(issues, Settings(), "pipeline")
