"""When the Google backend tries again and when it gives up: Google's per-minute quota
(429, usually without Retry-After) is waited out for more than a minute, other faults
get ``attempts`` tries, and the one line says how many requests were really sent.
No test sleeps: the waits are recorded (``sleep`` injected, or ``gsheets_http.pause``
replaced)."""
from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from sheetcrm.errors import BackendError
from sheetcrm.workbook.backends import gsheets_http
from sheetcrm.workbook.backends.base import CellUpdate, Changes, OwnedTab
from sheetcrm.workbook.backends.gsheets import GSheetsBackend

TABS = {"Candidates": [["candidate_id", "name", "soft_no"], ["C-00001", "Ann Example", ""]]}


@pytest.fixture
def real_backoff(gsheet):
    """The backend with the waits it uses for real (1 s doubling, up to 64 s; jitter at its
    lowest, so waits are as short as they can be) and nothing slept."""
    def make(tabs=TABS, **options):
        options.setdefault("backoff", 1.0)
        options.setdefault("jitter", lambda: 0.0)
        return gsheet(tabs, **options)
    return make


def _count(message: str) -> int:
    found = re.search(r"failed (once|after (\d+) attempts)", message)
    assert found, message
    return 1 if found.group(1) == "once" else int(found.group(2))


@pytest.mark.parametrize("on, step", [("get", "read"), ("values:batchGet", "read"), ("values:batchUpdateByDataFilter", "write")])
def test_a_lasting_429_without_retry_after_is_waited_out_for_more_than_a_minute(on, step, real_backoff, google):
    key, backend = real_backoff()
    snap = backend.read()
    google.log.clear()
    google.fail(429, times=999, on=on)
    with pytest.raises(BackendError) as err:
        if step == "read":
            backend.read()
        else:
            backend.write(snap, Changes(tabs=[OwnedTab("Issues", [["tab", "row"], ["Candidates", 2]])]))
    message = str(err.value)
    assert sum(backend.waits) >= 70, backend.waits
    assert _count(message) == google.count(on)  # the count is the requests really sent
    assert "HTTP 429 RESOURCE_EXHAUSTED" in message and "\n" not in message


def test_a_passing_429_is_tried_again_after_a_quota_sized_wait(real_backoff, google):
    key, backend = real_backoff()
    google.fail(429, times=2, on="values:batchGet")
    assert backend.read().tabs["Candidates"].values[1][0] == "C-00001"
    assert backend.waits == [1.0, 2.0]  # QUOTA_BACKOFF, doubled, times the lowest jitter (0.5)


def test_other_faults_give_up_after_attempts(real_backoff, google):
    key, backend = real_backoff(attempts=4)
    google.fail(503, times=99, on="values:batchGet")
    with pytest.raises(BackendError, match="reading failed after 4 attempts"):
        backend.read()
    assert google.count("values:batchGet") == 4 and backend.waits == [0.5, 1.0, 2.0]


def test_a_read_that_gave_up_inside_a_write_is_not_started_over(real_backoff, google):
    """The identity re-read before the values write tries `attempts` times; the write step
    then stops too, instead of multiplying the tries (3 x 3 requests)."""
    key, backend = real_backoff(attempts=3)
    snap = backend.read()
    google.log.clear()
    google.fail(503, times=99, on="values:batchGet")
    with pytest.raises(BackendError) as err:
        backend.write(snap, Changes(cells=[CellUpdate("Candidates", 2, 3, "yes", ((1, "C-00001"),))]))
    assert google.count("values:batchGet") == 3 and _count(str(err.value)) == 3
    assert google.count("values:batchUpdate", "values:batchUpdateByDataFilter") == 0


@pytest.mark.parametrize("attempts, says", [(1, "failed once"), (6, "failed after 6 attempts")])
def test_auth_check_counts_the_writes_it_really_sent(attempts, says, real_backoff, google):
    key, backend = real_backoff(attempts=attempts)
    google.fail(503, times=99, on="batchUpdate")
    with pytest.raises(BackendError) as err:
        backend.check_access()
    assert says in str(err.value) and google.count("batchUpdate") == attempts
    assert "proving write access" in str(err.value)


def test_the_cli_waits_through_the_injected_pause(google, tmp_path, monkeypatch):
    """The command line uses gsheets_http.pause: replaced here, so nothing sleeps."""
    from sheetcrm.cli import cli

    from test_gsheets_auth import service_account_info

    waited = []
    monkeypatch.setattr(gsheets_http, "pause", waited.append)
    key = google.add_book(TABS)
    path = tmp_path / "key.json"
    path.write_text(__import__("json").dumps(service_account_info(google)))
    for var in ("SHEETCRM_CONFIG", "GOOGLE_APPLICATION_CREDENTIALS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SHEETCRM_CREDENTIALS", str(path))
    monkeypatch.setenv("SHEETCRM_GOOGLE_API_URL", google.url)
    monkeypatch.chdir(tmp_path)
    google.fail(429, times=99, on="get")
    result = CliRunner().invoke(cli, ["--sheet", key, "auth", "check"])
    assert result.exit_code == 1 and result.stderr.count("\n") == 1
    assert sum(waited) >= 70 and f"after {google.count('get')} attempts" in result.stderr


def test_a_backend_made_without_sleep_uses_the_module_pause(monkeypatch):
    waited = []
    monkeypatch.setattr(gsheets_http, "pause", waited.append)
    backend = GSheetsBackend("k", None, jitter=lambda: 0.5)
    tries = backend._tries()
    assert tries.again(gsheets_http.Unanswered("HTTP 503")) and waited == [1.0]
