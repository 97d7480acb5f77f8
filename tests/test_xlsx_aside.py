"""The biggest worksheet edit of a write done by a forked child on a second core
(xlsx_aside, issue 20): the very file this process writes when it edits every part
itself, and whatever goes wrong in the child, this process edits the part as before."""
from __future__ import annotations

import datetime as dt
import os
import random
import shutil
import threading
import time
import zipfile
from pathlib import Path

import pytest

from sheetcrm import api
from sheetcrm.config import Settings
from sheetcrm.workbook import cores
from sheetcrm.workbook.backends import xlsx_aside, xlsx_patch
from sheetcrm.workbook.backends.base import CellUpdate, Changes
from sheetcrm.workbook.backends.xlsx import XlsxBackend


def _can_fork() -> bool:
    from sheetcrm.workbook.second_core import can_fork
    return can_fork()


needs_fork = pytest.mark.skipif(not _can_fork(), reason="no fork or one CPU here: nothing is edited aside")


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("aside") / "w.xlsx"
    api.init_workbook(Settings().replace(workbook=path), dt.date(2026, 11, 22), demo=40, seed=5,
                      backend=XlsxBackend(path))
    return path


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _write(src: Path, folder: Path, changes, aside: bool) -> tuple[dict[str, bytes], dict]:
    """The changes written to a copy of ``src``, the biggest tab's edit forked (``aside``)
    or not; the parts of the file written, and what xlsx_aside counted meanwhile."""
    path = folder / ("aside.xlsx" if aside else "here.xlsx")
    shutil.copy(src, path)
    before = dict(xlsx_aside.stats)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_aside, "MIN_ROWS", 1 if aside else 10**9)
        mp.setattr(cores, "idle_core", lambda: True)  # whatever else runs on the machine meanwhile
        mp.setattr(xlsx_patch, "patch", _patch_or_fail)
        backend = XlsxBackend(path)
        snap = backend.read()
        backend.write(snap, changes(snap))
    return _parts(path), {k: v - before[k] for k, v in xlsx_aside.stats.items() if isinstance(v, int)}


_real_patch = xlsx_patch.patch


def _patch_or_fail(*args, **kwargs):
    """The patcher, never openpyxl: a refusal would hide a difference."""
    try:
        return _real_patch(*args, **kwargs)
    except xlsx_patch._Unpatchable as exc:
        raise AssertionError(f"the patcher refused: {exc}") from None


_PLAIN = ["soft_no", "a & b", "<x>", "", None, 7, -2.5, 1e20, True, False, "=1+1", "line\nbreak", "é€"]


def _random_changes(seed: int, dates: bool = False):
    """Updates of many rows of Candidates and Pipeline, some in the columns people
    fill (among a row's own cells: the tree edits those rows), some to rows below the
    last, one maybe a date."""
    rnd = random.Random(seed)

    def make(snap) -> Changes:
        cells = []
        for tab in ("Candidates", "Pipeline"):
            height = len(snap.tabs[tab].values)
            width = len(snap.tabs[tab].values[0])
            for row in sorted(rnd.sample(range(2, height + 4), rnd.randint(1, height))):
                cols = rnd.sample(range(1, width + 4), rnd.randint(1, 3)) if rnd.random() < 0.2 else \
                    sorted(rnd.sample(range(width - 3, width + 4), rnd.randint(1, 2)))
                cells += [CellUpdate(tab, row, col, rnd.choice(_PLAIN)) for col in cols]
        if dates:
            cells.append(CellUpdate("Pipeline", 3, 40, dt.date(2026, 1, 2)))
        return Changes(cells=cells)
    return make


@needs_fork
@pytest.mark.parametrize("seed", range(12))
def test_a_part_edited_aside_is_the_part_edited_here(seed, book, tmp_path):
    """Random updates: the file written with the biggest tab's edit forked is the file
    written with every part edited here, part for part; the child's part taken or,
    where it met what it may not write alone, edited here after all."""
    here, _ = _write(book, tmp_path, _random_changes(seed), aside=False)
    aside, counted = _write(book, tmp_path, _random_changes(seed), aside=True)
    assert aside == here
    assert counted["forked"] == 1 and counted["used"] + counted["fallbacks"] == 1


@needs_fork
def test_a_plain_first_sync_s_biggest_part_is_taken_from_the_child(book, tmp_path):
    """The usual first-sync rows (new cells right of a row's own): the child's part is used."""
    def changes(snap) -> Changes:
        width = len(snap.tabs["Pipeline"].values[0])
        return Changes(cells=[CellUpdate("Pipeline", r, width + 1, f"class {r % 3}")
                              for r in range(2, len(snap.tabs["Pipeline"].values) + 1)])
    here, _ = _write(book, tmp_path, changes, aside=False)
    aside, counted = _write(book, tmp_path, changes, aside=True)
    assert aside == here and counted == {"forked": 1, "used": 1, "fallbacks": 0}


@needs_fork
def test_a_date_keeps_the_edit_here_as_its_style_is_this_process_to_add(book, tmp_path):
    here, _ = _write(book, tmp_path, _random_changes(3, dates=True), aside=False)
    aside, counted = _write(book, tmp_path, _random_changes(3, dates=True), aside=True)
    assert aside == here and counted["forked"] == 0


@needs_fork
@pytest.mark.parametrize("how", ["exits", "raises", "hangs"])
def test_whatever_happens_to_the_child_the_part_is_edited_here(how, book, tmp_path, monkeypatch):
    hooks = {"exits": lambda: os._exit(3), "raises": lambda: 1 / 0, "hangs": lambda: time.sleep(60)}
    here, _ = _write(book, tmp_path, _random_changes(1), aside=False)
    monkeypatch.setattr(xlsx_aside, "child_hook", hooks[how])
    monkeypatch.setattr(xlsx_aside, "TIMEOUT_SECONDS", 2.0)
    started = time.monotonic()
    aside, counted = _write(book, tmp_path, _random_changes(1), aside=True)
    assert aside == here and counted == {"forked": 1, "used": 0, "fallbacks": 1}
    assert time.monotonic() - started < 30  # the hung child was killed, not waited for
    assert threading.active_count() == 1


def test_no_child_is_forked_while_another_thread_runs(book, tmp_path):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        here, _ = _write(book, tmp_path, _random_changes(2), aside=False)
        aside, counted = _write(book, tmp_path, _random_changes(2), aside=True)
    finally:
        stop.set()
        other.join()
    assert aside == here and counted["forked"] == 0


@needs_fork
def test_no_child_is_forked_when_the_load_leaves_no_core_idle(book, tmp_path, monkeypatch):
    """The fork pays only with a core free: at a load of the CPUs there are, none."""
    cpus = len(os.sched_getaffinity(0))
    monkeypatch.setattr(os, "getloadavg", lambda: (cpus - 0.2, 0.0, 0.0))
    assert not cores.idle_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (cpus - 0.3, 9.0, 9.0))
    assert cores.idle_core()
    monkeypatch.setattr(os, "getloadavg", lambda: (cpus - 0.2, 0.0, 0.0))
    here, _ = _write(book, tmp_path, _random_changes(4), aside=False)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_aside, "MIN_ROWS", 1)
        path = tmp_path / "busy.xlsx"
        shutil.copy(book, path)
        before = xlsx_aside.stats["forked"]
        backend = XlsxBackend(path)
        snap = backend.read()
        backend.write(snap, _random_changes(4)(snap))
    assert xlsx_aside.stats["forked"] == before and _parts(path) == here


@needs_fork
def test_ctrl_c_while_waiting_for_the_child_stops_and_reaps_it(book, tmp_path, monkeypatch):
    """Ctrl-C while this process waits for the child's part: the write stops with it
    (nothing written), and no child is left running."""
    import multiprocessing

    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(xlsx_aside.Aside, "_message", interrupted)
    monkeypatch.setattr(xlsx_aside, "child_hook", lambda: time.sleep(60))
    before = _parts(book)
    path = tmp_path / "stopped.xlsx"
    shutil.copy(book, path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(xlsx_aside, "MIN_ROWS", 1)
        mp.setattr(cores, "idle_core", lambda: True)
        backend = XlsxBackend(path)
        snap = backend.read()
        with pytest.raises(KeyboardInterrupt):
            backend.write(snap, _random_changes(5)(snap))
    assert _parts(path) == before and not multiprocessing.active_children()


@needs_fork
def test_a_first_sync_of_a_workbook_without_the_owned_tabs_takes_the_child_s_part(book, tmp_path):
    """Summary, Circle-backs and Issues missing: this process adds them before the fork,
    which is no edit of the child's; the child's part is used (it refused every time, and
    the biggest part was edited twice), and the file is the one written here."""
    import openpyxl

    bare = tmp_path / "bare.xlsx"
    wb = openpyxl.load_workbook(book)
    for name in ("Summary", "Circle-backs", "Issues"):
        del wb[name]
    wb.save(bare)
    files, counted = {}, {}
    for aside in (False, True):
        path = tmp_path / f"{aside}.xlsx"
        shutil.copy(bare, path)
        before = dict(xlsx_aside.stats)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(xlsx_aside, "MIN_ROWS", 1 if aside else 10**9)
            mp.setattr(cores, "idle_core", lambda: True)
            mp.setattr(xlsx_patch, "patch", _patch_or_fail)
            api.sync_workbook(Settings().replace(workbook=path), dt.date(2026, 11, 23),
                              now=dt.datetime(2026, 11, 23, 9), backend=XlsxBackend(path))
        files[aside] = _parts(path)
        counted[aside] = {k: v - before[k] for k, v in xlsx_aside.stats.items() if isinstance(v, int)}
    assert files[True] == files[False]
    assert counted[True] == {"forked": 1, "used": 1, "fallbacks": 0}


@needs_fork
def test_the_write_s_child_holds_no_descriptor_of_the_workbook_s_lock(book, tmp_path, monkeypatch):
    """Issue 20's rule for children, tried: if the parent is killed while its child edits,
    the orphan must not keep the workbook locked. The child lists what it holds open after
    detaching: its pipe, the workbook it reads, the file it writes, /dev/null; never the lock
    file, which this process holds meanwhile (child.detach closes it; the lock library also
    drops it in a forked child: either alone keeps this test green)."""
    from sheetcrm.workbook.write_lock import lock_file

    seen = tmp_path / "child-fds.txt"

    def record() -> None:
        targets = []
        for fd in os.listdir("/proc/self/fd"):
            try:
                targets.append(os.readlink(f"/proc/self/fd/{fd}"))
            except OSError:
                pass  # the listing's own descriptor, closed meanwhile
        seen.write_text("\n".join(targets), encoding="utf-8")

    monkeypatch.setattr(xlsx_aside, "child_hook", record)
    _aside, counted = _write(book, tmp_path, _random_changes(3), aside=True)
    assert counted["forked"] == 1
    held = seen.read_text(encoding="utf-8").splitlines()
    lock = str(lock_file((tmp_path / "aside.xlsx").resolve()))
    assert not [t for t in held if t == lock or t.endswith(".lock")], held
    assert str((tmp_path / "aside.xlsx").resolve()) in held  # not vacuous: it did list its descriptors
