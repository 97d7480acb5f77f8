"""A sleep that a signal always ends: run.py's nap between runs.

run.py's loop looks at its "stop requested" flag and then sleeps up to a minute.
A plain ``time.sleep`` leaves a window between the two: CPython's C-level handler
only notes a signal, and the Python handler runs at the next bytecode boundary.
A signal that lands after the loop's last bytecode and before the process is
inside the sleep's system call does not interrupt that call, so its handler ran
only when the full nap was over (SIGINT ignored for 60 s: issue seen in
tests/test_run.py under load). ``signal.set_wakeup_fd`` closes the window: the
C-level handler writes a byte to a socket at once, whenever the signal comes,
and the nap waits on that socket with ``select`` instead of sleeping blind.
Signals belong to the process, so the socket is module state, like the handlers.
"""
from __future__ import annotations

import contextlib
import select
import signal
import socket
import time
from collections.abc import Iterator

_wake: socket.socket | None = None  # read end while signals_wake() is active


@contextlib.contextmanager
def signals_wake() -> Iterator[None]:
    """While inside, any signal with a Python handler ends a :func:`nap` at once,
    however close to the nap it came. Main thread only (as ``signal.signal``)."""
    global _wake
    reader, writer = socket.socketpair()
    reader.setblocking(False)
    writer.setblocking(False)  # the C handler must never block on a full buffer
    old_fd = signal.set_wakeup_fd(writer.fileno(), warn_on_full_buffer=False)
    previous, _wake = _wake, reader
    try:
        yield
    finally:
        signal.set_wakeup_fd(old_fd)
        _wake = previous
        reader.close()
        writer.close()


def nap(seconds: float) -> None:
    """``time.sleep(seconds)``, ended early by any signal that arrived since
    :func:`signals_wake` began (also one that came just before the nap). Outside
    it, a plain sleep."""
    wake = _wake
    if wake is None:
        time.sleep(seconds)
        return
    ready, _, _ = select.select([wake], [], [], max(seconds, 0.0))
    if ready:
        # A Python-level call: the signal's handler runs here at the latest.
        _drain(wake)


def _drain(wake: socket.socket) -> None:
    """Empty the socket, so that only signals still to come end the next nap."""
    with contextlib.suppress(BlockingIOError, InterruptedError):
        while wake.recv(4096):
            pass
