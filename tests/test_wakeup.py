"""wakeup: the nap between run.py's runs, which any signal ends, also one that came just before it."""
from __future__ import annotations

import select
import signal
import threading

import pytest

from sheetcrm import wakeup

pytestmark = pytest.mark.skipif(threading.current_thread() is not threading.main_thread(),
                                reason="signal handlers need the main thread")


@pytest.fixture
def usr1():
    seen: list[int] = []
    old = signal.signal(signal.SIGUSR1, lambda signum, frame: seen.append(signum))
    yield seen
    signal.signal(signal.SIGUSR1, old)


def test_a_signal_that_came_before_the_nap_ends_it_at_once(usr1):
    """The case a plain time.sleep gets wrong: the signal is already handled (the
    loop's flag check is past) when the nap starts. Without the wake-up socket this
    sleeps an hour; the test run's own timeout would show it."""
    with wakeup.signals_wake():
        signal.raise_signal(signal.SIGUSR1)
        assert usr1 == [signal.SIGUSR1]
        wakeup.nap(3600)


def test_the_next_nap_waits_again_after_a_wake(usr1):
    """One signal ends one nap: the socket is emptied, so the next nap is a real
    (here short) sleep and nothing of the earlier signal is left to end it."""
    with wakeup.signals_wake():
        for _ in range(3):
            signal.raise_signal(signal.SIGUSR1)
        wakeup.nap(3600)
        assert wakeup._wake is not None and not _readable(wakeup._wake)
        wakeup.nap(0.01)
    assert usr1 == [signal.SIGUSR1] * 3


def test_it_restores_the_previous_wakeup_fd_and_naps_plainly_outside():
    before = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(before)
    with wakeup.signals_wake():
        inside = signal.set_wakeup_fd(-1)
        signal.set_wakeup_fd(inside)
        assert inside != before
    assert signal.set_wakeup_fd(before) == before and wakeup._wake is None
    wakeup.nap(0.01)


def _readable(sock) -> bool:
    return bool(select.select([sock], [], [], 0)[0])
