"""The reason texts read on a second core (workbook/second_core.py): the same analysis
as reading them here, whatever the child does; no child left behind; the child writes
nothing and holds no lock."""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import logging
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import labelled_notes
from hypothesis import HealthCheck, given
from hypothesis import settings as hyp_settings
from hypothesis import strategies as st

from bench import generate
from sheetcrm import schema
from sheetcrm.config import Settings
from sheetcrm.core import analysis as core_analysis
from sheetcrm.core import reasons
from sheetcrm.rules import load_rules
from sheetcrm.workbook import analysis_memo, second_core, sheet, sync
from sheetcrm.workbook.backends.memory import MemoryBackend
from sheetcrm.workbook.cores import idle_core as real_idle_core

TODAY = dt.date(2026, 11, 22)
NOW = dt.datetime(2026, 11, 22, 9, 30)
SETTINGS = Settings()
pytestmark = pytest.mark.skipif(not second_core.can_fork(), reason="no fork or one CPU here: nothing runs on a second core")


@pytest.fixture(autouse=True)
def forking(monkeypatch):
    """Every test forks however few rows and texts it has, and leaves no child behind."""
    monkeypatch.setattr(second_core, "MIN_TEXTS", 0)
    monkeypatch.setattr(second_core, "MIN_ROWS", 0)
    monkeypatch.setattr(second_core, "child_hook", None)
    monkeypatch.setattr(second_core.cores, "idle_core", lambda: True)  # whatever else runs on the machine meanwhile
    yield
    assert multiprocessing.active_children() == []
    assert _children() == []


def _children() -> list[int]:
    """Every process whose parent is this one, reaped or not (a zombie is still listed)."""
    out = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        out += [int(p) for p in (task / "children").read_text().split()]
    return out


LABELLED = [text for _, text in labelled_notes()]  # the held-out set is read by no test


def _messy(rnd: random.Random, text: str) -> object:
    """A reason cell as people type it: padded, blank, a number, another case."""
    pick = rnd.random()
    if pick < 0.1:
        return rnd.choice([None, "", "   ", float("nan")])
    if pick < 0.15:
        return rnd.choice([42, 3.0, 2.5, True])
    if pick < 0.3:
        return f"  {text.upper()}\t"
    return text


def _workbook(seed: int, n: int = 120) -> MemoryBackend:
    """A generated workbook whose Pipeline reasons are labelled notes, messed up."""
    rnd = random.Random(seed)
    grids = generate.workbook_grids(n, SETTINGS, seed=seed, positions=12)
    title = SETTINGS.tab_title(schema.PIPELINE)
    header = grids[title][0]
    at, out = header.index("rejection_reason"), header.index("outcome")
    for row in grids[title][1:]:
        if rnd.random() < 0.7 and len(row) > at:
            row[at] = _messy(rnd, rnd.choice(LABELLED))
        if rnd.random() < 0.1 and len(row) > out:
            row[out] = rnd.choice(["Rejected", "declined ", "ghosted", "open", None])
    _calls_logged(rnd, grids)
    backend = MemoryBackend()
    backend.tabs = grids
    return backend


def _calls_logged(rnd: random.Random, grids: dict) -> None:
    """Touchpoints whose notes are labelled notes too (their hard-no ones forbid calls),
    some of them on rows with an error (an unknown id, no date)."""
    ids = [r[0] for r in grids[SETTINGS.tab_title(schema.CANDIDATES)][1:] if r and r[0]]
    grid = grids[SETTINGS.tab_title(schema.TOUCHPOINTS)]
    header = grid[0]
    for _ in range(rnd.randint(0, 40)):
        cells = {"date": None if rnd.random() < 0.1 else TODAY - dt.timedelta(days=rnd.randint(1, 300)),
                 "candidate_id": rnd.choice(ids) if rnd.random() < 0.9 else "C-99999x",
                 "channel": "phone", "outcome": rnd.choice(["reached", "no answer", "do_not_contact", "DNC"]),
                 "note": _messy(rnd, rnd.choice(LABELLED))}
        grid.append([cells.get(h) for h in header])


def _plain(x: object) -> object:
    """Everything an analysis holds, as plain values with their types (1, 1.0 and True differ)."""
    if isinstance(x, pd.DataFrame):
        return ("frame", list(x.columns), x.index.tolist(), [str(t) for t in x.dtypes],
                _plain(x.to_numpy(dtype=object).tolist()))
    if isinstance(x, pd.Series):
        return ("series", x.name, x.index.tolist(), str(x.dtype), _plain(x.to_numpy(dtype=object).tolist()))
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return type(x).__name__, [(f.name, _plain(getattr(x, f.name))) for f in dataclasses.fields(x)]
    if isinstance(x, dict):
        return [(_plain(k), _plain(v)) for k, v in x.items()]
    if isinstance(x, (list, tuple)):
        return type(x).__name__, [_plain(v) for v in x], _plain(getattr(x, "__dict__", {}))
    return type(x).__name__, repr(x)


def _analyses(backend: MemoryBackend, rules: reasons.RuleSet) -> tuple[object, object]:
    """(read on a second core, read here) for this workbook's first sync."""
    snap = backend.read()
    frames = sheet.compacted(sheet.to_frames(snap, sheet.locate(snap, SETTINGS)))
    suppressed = sync.read_suppressed(snap, SETTINGS)
    forked = second_core.stats["forked"]
    side = second_core.analyse(frames, SETTINGS, TODAY, NOW, rules=rules, suppressed=suppressed)
    assert second_core.stats["forked"] == forked + 1
    here = core_analysis.analyse(frames, SETTINGS, TODAY, NOW, rules=rules, suppressed=suppressed)
    return _plain(side), _plain(here)


RULES = load_rules(SETTINGS)


def _child_first(monkeypatch) -> None:
    """The child reads every text before this process asks (as at 100,000 candidates, where
    validation takes longer than the texts): asked, this process reads none itself."""
    real = second_core._Side.readings

    def after_the_child(side):
        side._process.join(30)  # done: everything it read is in the pipe (a test's texts fit)
        return real(side)
    monkeypatch.setattr(second_core._Side, "readings", after_the_child)


@pytest.fixture
def child_first(monkeypatch):
    _child_first(monkeypatch)


def _slowed_here(monkeypatch, seconds: float) -> None:
    """This process reads each text ``seconds`` slower once the child is forked (the child
    reads at its own pace): the two meet nearer this process' end."""
    real = second_core._Side.readings
    read = reasons.classify_text

    def slowed(side):
        monkeypatch.setattr(reasons, "classify_text", lambda text, rules: time.sleep(seconds) or read(text, rules))
        return real(side)
    monkeypatch.setattr(second_core._Side, "readings", slowed)


@hyp_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 10_000), st.sampled_from(["race", "child first", "slow here"]))
def test_the_analysis_is_the_one_made_here(seed, who):
    """Random workbooks (labelled notes, padded, blank, numbers, odd outcomes): reading the
    texts on a second core changes nothing in the analysis, field by field, wherever the
    child and this process meet."""
    with pytest.MonkeyPatch.context() as mp:
        if who == "child first":
            _child_first(mp)
        elif who == "slow here":
            _slowed_here(mp, 0.002)
        used, fallbacks = second_core.stats["used"], second_core.stats["fallbacks"]
        side, here = _analyses(_workbook(seed), RULES)
    assert second_core.stats["used"] + second_core.stats["fallbacks"] == used + fallbacks + 1
    if who == "child first":
        assert second_core.stats["used"] == used + 1 and second_core.stats["read_here"] == 0
    assert side == here


def test_with_the_childs_readings_this_process_reads_no_text(monkeypatch, child_first):
    """The child reads every text analyse reads with the rules (reasons and call notes,
    as typed and as validation types them): once it has read them all, none is read here
    again, nor are the patterns the rules compile on first use made twice."""
    backend = _workbook(11)
    assert len(backend.tabs[SETTINGS.tab_title(schema.TOUCHPOINTS)]) > 1
    snap = backend.read()
    frames = sheet.compacted(sheet.to_frames(snap, sheet.locate(snap, SETTINGS)))
    read_here: list[str] = []  # the child appends to its own copy
    real = reasons.classify_text
    monkeypatch.setattr(reasons, "classify_text", lambda text, rules: read_here.append(text) or real(text, rules))
    used = second_core.stats["used"]
    second_core.analyse(frames, SETTINGS, TODAY, NOW, rules=RULES)
    assert second_core.stats["used"] == used + 1 and read_here == []
    core_analysis.analyse(frames, SETTINGS, TODAY, NOW, rules=RULES)
    assert read_here  # without the child, the same analysis reads them here


def test_with_the_childs_phones_this_process_reads_no_phone(monkeypatch):
    """The child reads the phones first and sends them: once they are here when validation
    checks the phones, none is read here, and the analysis is the one made here."""
    from sheetcrm.core import contacts

    backend = _workbook(12)
    snap = backend.read()
    frames = sheet.compacted(sheet.to_frames(snap, sheet.locate(snap, SETTINGS)))
    read_here: list[str] = []  # the child appends to its own copy
    real = contacts.phone_e164
    monkeypatch.setattr(contacts, "phone_e164", lambda text, region: read_here.append(text) or real(text, region))
    asked = second_core._Side.phones

    def arrived(side):  # never waited for in a sync; here, wait until the child has sent them
        assert side._conn.poll(30)
        return asked(side)
    monkeypatch.setattr(second_core._Side, "phones", arrived)
    used = second_core.stats["phones_used"]
    side = _plain(second_core.analyse(frames, SETTINGS, TODAY, NOW, rules=RULES))
    assert second_core.stats["phones_used"] == used + 1 and read_here == []
    assert side == _plain(core_analysis.analyse(frames, SETTINGS, TODAY, NOW, rules=RULES))
    assert read_here  # without the child, the same analysis reads them here


def test_phones_not_yet_sent_are_read_here_and_the_readings_still_used(monkeypatch, child_first):
    """The phones are never waited for: a child that sends them late leaves them to this
    process, and its readings, sent after them, are still the ones used."""
    monkeypatch.setattr(second_core, "child_hook", lambda: time.sleep(2.0))
    phones, used = second_core.stats["phones_used"], second_core.stats["used"]
    side, here = _analyses(_workbook(13), RULES)
    assert second_core.stats["phones_used"] == phones and second_core.stats["used"] == used + 1
    assert side == here


@pytest.mark.parametrize("seed", range(6))
def test_known_readings_change_nothing_in_classify_pipeline(seed):
    """The core seam alone: any part of read_distinct's readings given as ``known`` (all,
    some, none) gives the frame classify_pipeline makes without them."""
    backend = _workbook(seed, n=200)
    snap = backend.read()
    frames = sheet.to_frames(snap, sheet.locate(snap, SETTINGS))
    clean, _ = core_analysis.validate.validate(frames, SETTINGS, TODAY)
    pipe = clean[schema.PIPELINE]
    read = reasons.read_distinct(frames[schema.PIPELINE]["rejection_reason"], RULES)
    assert read  # the texts the raw cells hold
    rnd = random.Random(seed)
    plain = reasons.classify_pipeline(pipe, RULES)
    for known in (read, dict(rnd.sample(sorted(read.items()), len(read) // 2)), {}):
        pd.testing.assert_frame_equal(reasons.classify_pipeline(pipe, RULES, known), plain)


def _sync_written(backend: MemoryBackend) -> tuple[dict, object]:
    report = sync.sync(backend, SETTINGS, TODAY, now=NOW).as_dict()
    report.pop("seconds")
    return report, _plain(backend.tabs)  # NaN cells too: equal by type and repr


def _first_sync_here(seed: int) -> tuple[dict, object]:
    second_core.enabled = False
    try:
        return _sync_written(_workbook(seed))
    finally:
        second_core.enabled = True


def _hang() -> None:
    time.sleep(600)


def _raise() -> None:
    raise RuntimeError("the child failed")


@pytest.mark.parametrize("hook", ["exit", "kill", "raise", "hang"])
def test_whatever_the_child_does_the_sync_is_the_same(hook, monkeypatch):
    """The child exits, is killed, raises or hangs: this process reads the texts itself,
    without waiting for it, and the sync writes exactly what it writes without a child;
    the child is reaped (the fixture checks: no zombie)."""
    hooks = {"exit": lambda: os._exit(3), "kill": lambda: os.kill(os.getpid(), signal.SIGKILL),
             "raise": _raise, "hang": _hang}
    monkeypatch.setattr(second_core, "child_hook", hooks[hook])
    expected = _first_sync_here(5)
    fallbacks, forked = second_core.stats["fallbacks"], second_core.stats["forked"]
    t0 = time.perf_counter()
    assert _sync_written(_workbook(5)) == expected
    assert second_core.stats["forked"] == forked + 1 and second_core.stats["fallbacks"] == fallbacks + 1
    assert time.perf_counter() - t0 < 30  # a hanging child is not waited for


@pytest.mark.parametrize("who", ["race", "child first"])
def test_a_sync_with_a_child_writes_what_one_without_writes(who, monkeypatch):
    if who == "child first":
        _child_first(monkeypatch)
    expected = _first_sync_here(8)
    used, fallbacks = second_core.stats["used"], second_core.stats["fallbacks"]
    assert _sync_written(_workbook(8)) == expected
    got = (second_core.stats["used"] - used, second_core.stats["fallbacks"] - fallbacks)
    assert got == (1, 0) if who == "child first" else got in ((1, 0), (0, 1))


def _inherited_fd_open(fd: int) -> None:
    try:
        os.fstat(fd)
    except OSError:
        os.kill(os.getpid(), signal.SIGINT)  # ignored: the child goes on and its readings are used
        return
    os._exit(9)  # the descriptor reached the child: no readings, the test sees a fallback


def test_the_child_keeps_no_descriptor_and_ignores_ctrl_c(tmp_path, monkeypatch, child_first):
    """An inherited descriptor (the workbook, a log file, the lock) is closed in the child
    before it does anything, and Ctrl-C is not the child's to handle."""
    with open(tmp_path / "a.log", "w") as log:
        monkeypatch.setattr(second_core, "child_hook", lambda: _inherited_fd_open(log.fileno()))
        used, fallbacks = second_core.stats["used"], second_core.stats["fallbacks"]
        _sync_written(_workbook(2))
        assert (second_core.stats["used"], second_core.stats["fallbacks"]) == (used + 1, fallbacks)
    assert (tmp_path / "a.log").read_text() == ""


def test_ctrl_c_while_the_two_read_stops_the_sync_and_the_child(monkeypatch):
    # Ctrl-C from a timer signal, not a timer thread: with another thread alive no child is forked
    monkeypatch.setattr(second_core, "child_hook", _hang)
    _slowed_here(monkeypatch, 0.05)  # the sync reads its texts for longer than the timer's second
    before = signal.signal(signal.SIGALRM, lambda *_: os.kill(os.getpid(), signal.SIGINT))
    signal.setitimer(signal.ITIMER_REAL, 1.0, 0.5)  # again every 0.5 s: one may land where it is lost (a gc callback); a forked child inherits no timer
    try:
        with pytest.raises(KeyboardInterrupt):
            _sync_written(_workbook(3))
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, before)
    # the fixture checks the child is gone and reaped


def _opened(files: contextlib.ExitStack, fd: int, mode: str):
    """A file on ``fd`` (a pipe's end), closed by ``files`` once the busy thread is done with it."""
    kind = {"buffering": 0} if "b" in mode else {"encoding": "utf-8"}
    return files.enter_context(open(fd, mode, **kind))


def _blocked_writer(kind: str, monkeypatch, files: contextlib.ExitStack) -> tuple[object, object, object]:
    """sys.stdout, or a logger's stream, on a pipe nobody reads: a thread writing 300 KB
    to it blocks inside the write, holding the stream's buffer lock (and the handler's)."""
    r, w = os.pipe()
    stream = _opened(files, w, "w")
    if kind == "prints":
        monkeypatch.setattr(sys, "stdout", stream)
        say = print
    else:
        log = logging.getLogger("sheetcrm.tests.busy")
        monkeypatch.setattr(log, "propagate", False)
        monkeypatch.setattr(log, "handlers", [logging.StreamHandler(stream)])
        say = log.warning

    def busy() -> None:
        with contextlib.suppress(OSError):
            say("x" * 300_000)

    def release() -> None:
        os.close(r)  # the writer gets EPIPE and gives up

    def close() -> None:
        with contextlib.suppress(OSError):  # what it had not written: EPIPE again
            stream.close()
    files.callback(close)
    return busy, (lambda: say("a line from the child")), release


def _busy_thread(kind: str, monkeypatch, tmp_path: Path, files: contextlib.ExitStack) -> tuple[object, object, object]:
    """(what a thread does, the same thing done in the child or None, what ends it); the
    pipes they use are closed by ``files``, once the thread is done."""
    if kind == "reads stdin":  # multiprocessing closes stdin first thing in the child
        r, w = os.pipe()
        stdin, writer = _opened(files, r, "r"), _opened(files, w, "wb")
        monkeypatch.setattr(sys, "stdin", stdin)
        return stdin.readline, None, lambda: writer.write(b"a line\n")
    if kind == "imports":  # a module whose import waits on a pipe: its import lock is held
        gate_r, gate_w = (_opened(files, fd, mode) for fd, mode in zip(os.pipe(), ("rb", "wb")))
        (tmp_path / "sheetcrm_slow_import.py").write_text(f"import os\nos.read({gate_r.fileno()}, 1)\n")
        monkeypatch.syspath_prepend(str(tmp_path))
        monkeypatch.delitem(sys.modules, "sheetcrm_slow_import", raising=False)

        def load() -> None:
            importlib.import_module("sheetcrm_slow_import")
        return load, load, lambda: gate_w.write(b"x")
    return _blocked_writer(kind, monkeypatch, files)


@pytest.mark.parametrize("kind", ["reads stdin", "prints", "logs", "imports"])
def test_a_thread_holding_a_lock_does_not_stall_the_sync(kind, monkeypatch, tmp_path):
    """Another thread of this process is inside a read of stdin, a print or a log call to
    a pipe nobody reads, or an import, while a sync would fork: the child would be born
    with that thread's lock held and hang on it (multiprocessing closes stdin first thing;
    a child that prints, logs or imports, the hook here, needs the others), and with
    stdout held this process hung too (multiprocessing flushes it before forking). No
    child is forked while another thread runs, so the sync never waits on a stuck one."""
    expected = _first_sync_here(6)
    files = contextlib.ExitStack()
    busy, in_child, release = _busy_thread(kind, monkeypatch, tmp_path, files)
    monkeypatch.setattr(second_core, "child_hook", in_child)
    released = threading.Event()

    def release_once() -> None:
        if not released.is_set():
            released.set()
            release()
    thread = threading.Thread(target=busy, daemon=True)
    watchdog = threading.Timer(20.0, release_once)  # a sync stuck behind the lock ends, and fails below
    thread.start()
    watchdog.start()
    try:
        time.sleep(0.2)  # let it block, lock held
        assert thread.is_alive()
        forked, fallbacks = second_core.stats["forked"], second_core.stats["fallbacks"]
        t0 = time.perf_counter()
        assert _sync_written(_workbook(6)) == expected
        assert time.perf_counter() - t0 < 15 and not released.is_set()
        assert (second_core.stats["forked"], second_core.stats["fallbacks"]) == (forked, fallbacks)
    finally:
        watchdog.cancel()
        release_once()
        thread.join(10)
        files.close()
    assert not thread.is_alive()


def _rows_and_texts(backend: MemoryBackend) -> tuple[int, int]:
    snap = backend.read()
    frames = sheet.to_frames(snap, sheet.locate(snap, SETTINGS))
    cells = pd.unique(np.concatenate([frames[k][c].to_numpy(dtype=object) for k, c in second_core.TEXT_COLUMNS
                                      if k in frames and c in frames[k]]))
    return sum(len(f) for f in frames.values()), len(cells)


@pytest.mark.parametrize("bound", ["rows", "texts"])
def test_the_child_is_forked_from_the_bounds_up_and_not_below(bound, monkeypatch):
    """The rule (second_core.pays), at a sync: a child at exactly MIN_ROWS rows and
    MIN_TEXTS distinct texts, none with one row or one text fewer."""
    monkeypatch.setattr(analysis_memo, "enabled", False)  # the second sync of the same cells analyses too
    rows, texts = _rows_and_texts(_workbook(9))
    limits = {"rows": ("MIN_ROWS", rows), "texts": ("MIN_TEXTS", texts)}
    name, at = limits[bound]
    for limit, children in ((at + 1, 0), (at, 1)):
        monkeypatch.setattr(second_core, name, limit)
        monkeypatch.setattr(second_core, "MIN_ROWS" if bound == "texts" else "MIN_TEXTS", 0)
        forked = second_core.stats["forked"]
        sync.sync(_workbook(9), SETTINGS, TODAY, now=NOW)
        assert second_core.stats["forked"] == forked + children


def test_the_rule_at_the_measured_sizes(monkeypatch):
    """The bench's generated workbooks (rows, distinct texts) where the A/Bs were made: from
    10,000 candidates on the second core (the two read towards each other: see the module
    doc), not below 40,000 rows; nor with few texts (the compiles alone)."""
    monkeypatch.undo()  # the module's own bounds, not the fixture's
    assert second_core.pays(40_200, 3_545) and second_core.pays(80_200, 4_425)
    assert second_core.pays(120_200, 4_746) and second_core.pays(400_200, 5_000)
    assert not second_core.pays(39_999, 3_545)
    assert not second_core.pays(400_200, 999)  # a big sheet of few texts: the compiles alone


@pytest.mark.parametrize("why", ["few texts", "few rows", "switched off", "one cpu", "no idle core", "memo reused",
                                 "unhashable cell"])
def test_no_child_where_it_does_not_pay(why, monkeypatch):
    """No fork where it cannot pay or cannot be done; a cell pandas cannot hash (no backend
    reads one, yet) fails nothing here: validation says what it is, as without a child."""
    backend = _workbook(4)
    if why == "unhashable cell":
        grid = backend.tabs[SETTINGS.tab_title(schema.PIPELINE)]
        grid[2][grid[0].index("rejection_reason")] = ["a list"]
    elif why == "few texts":
        monkeypatch.setattr(second_core, "MIN_TEXTS", 10_000)
    elif why == "few rows":
        monkeypatch.setattr(second_core, "MIN_ROWS", 100_000)
    elif why == "switched off":
        monkeypatch.setattr(second_core, "enabled", False)
    elif why == "one cpu":
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0})
    elif why == "no idle core":  # a busy machine: the child would read little (second_core's module doc)
        monkeypatch.setattr(second_core.cores, "idle_core", real_idle_core)  # the fixture's replaced
        monkeypatch.setattr(os, "getloadavg", lambda: (7.0, 7.0, 7.0))
        monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1})
    else:
        monkeypatch.setattr(analysis_memo, "enabled", True)
        sync.sync(backend, SETTINGS, TODAY, now=NOW)  # the first sync (a child) writes; the next reuses it
    forked = second_core.stats["forked"]
    sync.sync(backend, SETTINGS, TODAY, now=NOW)
    assert second_core.stats["forked"] == forked



def _sync_in_a_pool_worker() -> int:
    """In a multiprocessing pool's worker (daemonic: it may start no process): children forked."""
    forked = second_core.stats["forked"]
    sync.sync(_workbook(4), SETTINGS, TODAY, now=NOW)
    return second_core.stats["forked"] - forked


def test_a_sync_inside_a_pool_worker_reads_the_texts_itself():
    """sheetcrm used as a library in a pool's worker: multiprocessing refuses a daemonic
    process a child (AssertionError); the sync reads the texts itself instead of failing."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        assert pool.apply(_sync_in_a_pool_worker) == 0


LOCK_HOLDER = textwrap.dedent("""
    import datetime as dt, sys, time
    from pathlib import Path
    from sheetcrm.config import Settings
    from sheetcrm.demo import demo_data
    from sheetcrm.workbook import second_core, sync
    from sheetcrm.workbook.backends.xlsx import XlsxBackend
    from sheetcrm.workbook.layout import workbook_layout
    settings, path = Settings(), Path(sys.argv[1])
    book = XlsxBackend(path)
    book.create(workbook_layout(settings, demo_data(40, dt.date(2026, 11, 22), 3)))
    second_core.MIN_TEXTS = second_core.MIN_ROWS = 0
    second_core.cores.idle_core = lambda: True  # whatever else runs on the machine meanwhile
    second_core.child_hook = lambda: time.sleep(120)
    read = second_core._Side.readings  # the sync stays in analyse, its child alive, until killed
    second_core._Side.readings = lambda side: time.sleep(120) or read(side)
    sync.sync(book, settings, dt.date(2026, 11, 22))
""")


def test_the_lock_dies_with_its_holder_not_with_the_child(tmp_path):
    """A sync killed while its child reads: the workbook's lock is free at once, as
    before (the child, still running, holds no descriptor of the lock file)."""
    import filelock

    from sheetcrm.workbook.write_lock import lock_file

    book = tmp_path / "w.xlsx"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[1]), *sys.path])}
    holder = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(book)], env=env)
    child = None
    try:
        deadline = time.monotonic() + 60
        while child is None and time.monotonic() < deadline and holder.poll() is None:
            found = Path(f"/proc/{holder.pid}/task/{holder.pid}/children").read_text().split()
            child = int(found[0]) if found else None
            time.sleep(0.05)
        assert child is not None, "the sync forked no child"
        holder.kill()
        holder.wait()
        lock = filelock.FileLock(str(lock_file(book)))
        lock.acquire(timeout=0)  # free while the orphaned child still sleeps
        lock.release()
        assert Path(f"/proc/{child}").exists()
    finally:
        holder.kill()
        holder.wait()
        if child is not None:
            try:
                os.kill(child, signal.SIGKILL)  # the orphan this test made (init reaps it)
            except ProcessLookupError:
                pass


def test_read_distinct_reads_the_texts_as_typed_and_as_validation_types_them():
    """A padded or numeric cell is read as typed (how a row left out for an error is read)
    and as cell_text types it (what classify_pipeline reads from the clean frame)."""
    cells = np.array(["  salary too low ", "salary too low", 3.0, None, "", "  ", float("nan"), "moved abroad"],
                     dtype=object)
    read = reasons.read_distinct(cells, RULES)
    assert sorted(read) == ["  salary too low ", "3", "3.0", "moved abroad", "salary too low"]
    assert all(read[t] == reasons.classify_text(t, RULES) for t in read)


def test_the_texts_are_read_while_the_phones_wait_in_a_full_pipe(monkeypatch):
    """The phones' message (megabytes at 100,000 candidates) blocks until the parent takes it,
    which it does only with the readings when it read the phones itself: the child must read
    the texts meanwhile, not after (hostile review of 7a28529: the parent then waited ~1.5 s)."""
    order: list[str] = []
    taken = threading.Event()

    class FullPipe:
        def send(self, message):
            if message[0] == "phones":
                taken.wait(10)  # the parent takes it only when it asks for the readings
            order.append(f"sent {message[0]}")

    class Asked:
        def poll(self, timeout):
            return True

    def classify_text(text, rules):
        order.append("text read")
        taken.set()  # the parent asks for the readings (and takes the phones) only now
        return text

    monkeypatch.setattr(second_core.reasons, "classify_text", classify_text)
    second_core._serve(FullPipe(), Asked(), ["a note"], None, ["+44 7700 900123"], "GB")
    assert order == ["text read", "sent phones", "sent read", "sent done"]


def test_nothing_is_sent_before_it_is_asked_for_then_every_chunk(monkeypatch):
    """A full pipe would stall the child's reading: it sends nothing until this process asks,
    then what it has read, then every CHUNK texts, and the rest at the end; in text order."""
    sent: list[tuple] = []
    asked_after = 2 * second_core.CHUNK + 3  # texts read when this process asks

    class Pipe:
        def send(self, message):
            sent.append(message)

    class Asked:
        def poll(self, timeout):
            return len(read) >= asked_after

    read: list[str] = []
    monkeypatch.setattr(second_core.reasons, "classify_text", lambda text, rules: read.append(text) or text.upper())
    texts = [f"note {i}" for i in range(5 * second_core.CHUNK + 5)]
    second_core._serve(Pipe(), Asked(), texts, None, [], "GB")
    parts = [m[1] for m in sent if m[0] == "read"]
    assert sent[0][0] == "phones" and sent[-1][0] == "done"
    assert [r for part in parts for r in part] == [t.upper() for t in texts]
    assert len(parts[0]) == 3 * second_core.CHUNK  # the first look once asked: what it had read
    assert all(len(p) == second_core.CHUNK for p in parts[1:-1]) and len(parts[-1]) < second_core.CHUNK


def _side(texts: list[str]) -> second_core._Side:
    return second_core._Side(texts, RULES, [], "GB")


@pytest.mark.parametrize("seed", range(4))
def test_the_readings_are_read_distincts_wherever_the_two_meet(seed, monkeypatch):
    """The new way against the old: the readings this process takes (the child's from the
    first text, its own from the last one back) are exactly reasons.read_distinct of the
    cells, whether the child is first, late, slow or never answers; and this process read
    only the texts at the end that the child had not sent."""
    rnd = random.Random(seed)
    cells = np.array([_messy(rnd, rnd.choice(LABELLED)) for _ in range(300)], dtype=object)
    expected = reasons.read_distinct(cells, RULES)
    texts = sorted(reasons.distinct_texts(cells))
    assert sorted(texts) == sorted(expected)
    for how in ("child first", "late child", "slow here", "hung child"):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(second_core, "child_hook", {"late child": lambda: time.sleep(rnd.uniform(0, 0.3)),
                                                   "hung child": _hang}.get(how))
            if how == "child first":
                _child_first(mp)
            elif how == "slow here":
                _slowed_here(mp, 0.003)
            side = _side(texts)
            try:
                t0 = time.perf_counter()
                got = side.readings()
                took = time.perf_counter() - t0
            finally:
                side.close()
        assert got == expected, how
        here = second_core.stats["read_here"]
        assert {"child first": here == 0, "hung child": here == len(texts)}.get(how, True), (how, here)
        if how == "hung child":
            assert took < 20  # never waited for


def test_a_child_that_sends_what_it_does_not_send_leaves_the_rest_here(monkeypatch):
    """A broken message mid-way (it never sends one): what came before it is used, the rest
    is read here, and the readings are still read_distinct's."""
    rnd = random.Random(5)
    cells = np.array([rnd.choice(LABELLED) for _ in range(200)], dtype=object)
    texts = sorted(reasons.distinct_texts(cells))

    def serve(conn, asked, texts, rules, phones, region):
        conn.send(("phones", {}))
        conn.send(("read", [reasons.classify_text(t, rules) for t in texts[:10]]))
        conn.send(("something else", None))
        conn.send(("read", [None] * len(texts)))  # never taken: the child is not listened to any more
        time.sleep(600)
    monkeypatch.setattr(second_core, "_serve", serve)
    _child_first_sent(monkeypatch)
    side = _side(texts)
    try:
        got = side.readings()
    finally:
        side.close()
    assert got == reasons.read_distinct(cells, RULES)
    assert second_core.stats["read_here"] == len(texts) - 10


def _child_first_sent(monkeypatch) -> None:
    """This process asks once the child has sent its messages (a test's child that then sleeps)."""
    real = second_core._Side.readings

    def after_a_while(side):
        time.sleep(1.0)
        return real(side)
    monkeypatch.setattr(second_core._Side, "readings", after_a_while)


def test_the_child_yields_the_cpu_to_this_process(monkeypatch):
    """On a busy machine the child reads with what this process leaves of the CPUs (nice
    NICE): the sync's own work goes first, and it never waits for the child."""
    monkeypatch.setattr(second_core, "child_hook", _hang)
    side = _side(["a note"])
    try:
        pid = side._process.pid
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0):
            time.sleep(0.02)
        assert os.getpriority(os.PRIO_PROCESS, pid) == os.getpriority(os.PRIO_PROCESS, 0) + second_core.NICE
    finally:
        side.close()
