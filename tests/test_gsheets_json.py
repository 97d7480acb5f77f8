"""The bodies a sync POSTs itself are encoded by orjson (gsheets_json): they must say to
Google exactly what requests' ``json=`` said (the same JSON values), on any body and on
the values writes of random frames; what orjson refuses goes out as requests encoded it."""
from __future__ import annotations

import datetime as dt
import json
import random

import orjson
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.workbook.backends import gsheets_json, gsheets_values
from sheetcrm.workbook.backends.base import CellUpdate, Changes, OwnedTab, Snapshot

# Every text (lone surrogates too), integers of any size, finite floats: what a body can hold.
TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), TEXT)
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5) | st.dictionaries(TEXT, inner, max_size=5),
                      max_leaves=40)
BODIES = st.dictionaries(TEXT, VALUES, max_size=5)  # a request's body is a JSON object


def requests_body(body) -> bytes:
    """What requests sent for ``json=body`` (before gsheets_json)."""
    return requests.Request("POST", "http://127.0.0.1/x", json=body).prepare().body


@settings(max_examples=500, deadline=None)
@given(BODIES)
def test_a_body_says_what_requests_json_said(body):
    sent = gsheets_json.encoded(body)
    assert json.loads(sent) == json.loads(requests_body(body))


@given(st.sampled_from([[10**20], {"values": [[-(2**64)]]}, ["\udc80 lone surrogate"], [{"a": "\ud800"}]]))
def test_what_orjson_refuses_goes_out_as_requests_encoded_it(body):
    assert gsheets_json.encoded(body) == requests_body(body)


def test_the_header_is_the_one_requests_set():
    prepared = requests.Request("POST", "http://127.0.0.1/x", json={}).prepare()
    assert prepared.headers["Content-Type"] == gsheets_json.HEADERS["Content-Type"]


CELLS = ["", "plain", "Zoë Ünal", "日本語", "emoji 🙂", "=SUM(A1:A3)", "+1 555 0100", "'quoted", "#N/A", "#REF!",
         "#DIV/0!", "line\nbreak", 'say "hi"', "tab\tsep", "\\back", 0, 7, -3, 10**15, 2**63, 1.5, -0.0, 1e-7, 1e16,
         float("nan"), float("inf"), True, False, None, dt.date(2026, 1, 2), dt.datetime(2026, 1, 2, 13, 45, 30),
         ["a", "b"]]


def _random_write(rnd: random.Random) -> list[dict]:
    """A values write as value_filters builds it: a column or two of a people's tab (some
    by marker, some cell by cell) and an owned tab, cells drawn from CELLS."""
    cells = [CellUpdate("People", r, c, rnd.choice(CELLS), ((1, f"id-{r}"),))
             for r in range(2, rnd.randint(2, 30)) for c in rnd.sample([1, 3, 4], rnd.randint(0, 3))]
    rows = [[rnd.choice(CELLS) for _ in range(rnd.randint(0, 6))] for _ in range(rnd.randint(0, 20))]
    tab = OwnedTab("Issues", rows)
    changes = Changes(cells=cells, tabs=[tab])
    plan = {"columns": {("People", c): 1000 + c for c in (1, 3, 4) if rnd.random() < 0.6}, "tabs": {"Issues": 7}}
    targets = [None if rnd.random() < 0.1 else u.row for u in changes.cells]
    return gsheets_values.value_filters(Snapshot({}), changes, targets, plan, {"Issues": (None, True)})


def test_the_values_writes_of_random_frames_say_what_requests_json_said():
    for seed in range(300):
        rnd = random.Random(seed)
        body = {"valueInputOption": "RAW", "data": _random_write(rnd)}
        sent = gsheets_json.encoded(body)
        assert json.loads(sent) == json.loads(requests_body(body)), seed


@given(st.recursive(st.one_of(SCALARS, st.sampled_from([float("nan"), float("inf"), float("-inf"), dt.date(2026, 1, 2),
                                                        dt.datetime(2026, 1, 2, 3, 4)])),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4), max_leaves=20))
@settings(max_examples=300, deadline=None)
def test_what_requests_refused_is_refused_and_nothing_goes_out_as_a_silent_null(value):
    """orjson writes NaN and infinity as null (a values write reads null as "leave the cell
    alone": a cell counted as written would not be) and dates as ISO text; requests refused
    both. Whatever the body holds, encoded() refuses what requests refused, or sends what
    decodes to what requests sent."""
    body = {"values": [[value]]}
    try:
        want = requests_body(body)
    except (ValueError, TypeError, requests.exceptions.InvalidJSONError) as exc:
        try:
            gsheets_json.encoded(body)
        except (ValueError, TypeError):
            return
        raise AssertionError(f"requests refused the body ({type(exc).__name__}); encoded() sent it") from None
    assert json.loads(gsheets_json.encoded(body)) == json.loads(want)


def test_a_values_write_leaving_cells_alone_is_encoded_by_orjson():
    """A column written by its marker holds None at the rows it leaves alone: those nulls
    are meant (left_alone counts them), so the write is orjson's bytes, not json.dumps'
    (0.5 CPU s of a first sync of 100,000 went to json.dumps before), and says what
    requests' json= said."""
    meant = 0
    for seed in range(300):
        data = _random_write(random.Random(seed))
        body = {"valueInputOption": "RAW", "data": data}
        nulls = gsheets_values.left_alone(data)
        meant += nulls
        sent = gsheets_json.encoded(body, nulls)
        assert sent == orjson.dumps(body), seed
        assert json.loads(sent) == json.loads(requests_body(body)), seed
        assert nulls == json.dumps(body).count("null"), seed  # every None of the body, no more
    assert meant > 100  # the cases do leave cells alone


NULLISH = [None, None, "null", ",null]", "[null,", "a:null}", "nullable", 0, "", float("nan"), float("inf"),
           float("-inf")]


@given(st.lists(st.lists(st.sampled_from(NULLISH), max_size=6), max_size=6), st.integers(0, 3))
@settings(max_examples=500, deadline=None)
def test_the_nones_a_body_holds_on_purpose_never_let_a_nan_through(columns, fewer):
    """Given as many nulls as the body has Nones (or fewer), encoded() still refuses a
    NaN or an infinity as requests did, whatever texts that look like null stand beside
    them; without one it sends what requests sent."""
    body = {"data": [{"majorDimension": "COLUMNS", "values": [column]} for column in columns]}
    nulls = max(sum(column.count(None) for column in columns) - fewer, 0)
    try:
        want = requests_body(body)
    except (ValueError, requests.exceptions.InvalidJSONError):
        try:
            gsheets_json.encoded(body, nulls)
        except ValueError:
            return
        raise AssertionError("requests refused the body; encoded() sent it") from None
    assert json.loads(gsheets_json.encoded(body, nulls)) == json.loads(want)
