"""The full-sync measurements (one per backend): a first sync, then one with nothing
new to say, timed phase by phase (:class:`Phases`) without changing sheetcrm's code.

On the Google path the time spent waiting on HTTP (sending, the stand-in's work,
receiving) is timed too, per phase (``read.http``, ``write.http``), by wrapping the
``send`` of the requests session the backend's gspread client uses: what is left of
the write phase is the client's own work (building the requests, parsing answers).
"""
from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import generate
from bench.measure import MIB, NOW, TODAY, Peak, cpu_now, grids_for, log, row, timed
from sheetcrm.config import Settings
from sheetcrm.core import (
    alerts,
    circleback,
    intake_guard,
    matching,
    never_call,
    pipeline,
    pipeline_groups,
    reasons,
)
from sheetcrm.core import analysis as core_analysis
from sheetcrm.core.reason_examples import ExampleIndex
from sheetcrm.core.reason_index import LazyPattern
from sheetcrm.rules import RulesAhead
from sheetcrm.workbook import analysis_memo, second_core
from sheetcrm.workbook import sync as sync_mod


class Phases:
    """Times the phases of sheetcrm.workbook.sync.sync by wrapping what it calls, so the
    real entry point runs unchanged: read, frames (locate + to_frames + the compaction
    the analysis memo does for a fresh analysis), rules
    (the wait for the rules, compiled on a thread during the read: RulesAhead.get), analyse (and inside it: validate, classify,
    unclassified, figures, circle_backs, tabs, owned_columns, never_call, intake_guard, groups,
    issues, memo), plan, write; with ``http_session``, also the time spent waiting on HTTP per
    phase (``read.http``, ``write.http``). A name that no longer exists is not timed and is
    listed in ``missing`` (tests/test_bench.py: none on a sync of the memory backend).

    The four named domain phases (validate, classify, figures, circle_backs) wrap the
    same functions the bench's ``domain`` step chains, so the two can be compared; what
    a reasons child reads on the second core is classify's too (its wait and its CPU).
    Inside classify, what a process pays once is shown apart (``analyse.classify.examples_index``,
    ``analyse.classify.rule_compiles``)."""

    def __init__(self, backend: Any, http_session: Any = None):
        from sheetcrm.core import validate as validate_mod

        self.seconds: dict[str, float] = {}
        # CPU seconds per phase: this process's and its children reaped in the phase (the
        # reasons child of analyse: bench.measure.cpu_now), not the stand-in's (reaped after)
        self.cpu: dict[str, float] = {}
        self._changes: list[Any] = []  # counted after the timed sync: the count is the bench's work
        self.write_result: Any = None
        self._active: dict[str, int] = {}
        self._undo: list[tuple[Any, str, Any]] = []
        self.missing: list[str] = []  # names not found, so not timed (tests: none for the memory backend)
        targets = [
            (backend, "read", "read"), (sync_mod, "locate", "frames"), (sync_mod, "to_frames", "frames"),
            # analyse through the analysis memo (its lookup counts; wrapping sync's analyse
            # itself would make it another function each step, and the memo compares it)
            (analysis_memo, "analysed", "analyse"),
            (validate_mod, "validate", "analyse.validate"),
            (reasons, "classify_pipeline", "analyse.classify"), (reasons, "candidate_classes", "analyse.classify"),
            (reasons, "unclassified_issues", "analyse.unclassified"),
            (pipeline, "position_figures", "analyse.figures"),
            (circleback, "circle_backs", "analyse.circle_backs"), (matching, "backpocket_counts", "analyse.circle_backs"),
            (pipeline, "summary_rows", "analyse.tabs"), (circleback, "circle_backs_rows", "analyse.tabs"),
            (core_analysis, "issues_rows", "analyse.tabs"), (core_analysis, "readable", "analyse.tabs"),
            (alerts, "top_matches_rows", "analyse.tabs"), (alerts, "new_role_lines", "analyse.tabs"),
            (core_analysis, "_owned_columns", "analyse.owned_columns"),
            # The rest of analyse, named so that no second of it goes unexplained (issue 20: ~1.1 s
            # of the 100k sync's analyse was in no phase, as two names above had moved to core):
            # who may never be called, people re-added after asking to be forgotten, the
            # Summary's groups, the issues merged, the memo's key of what was analysed.
            (never_call, "left_out_rows", "analyse.never_call"), (never_call, "touchpoint_never", "analyse.never_call"),
            (never_call, "classes_with_left_out", "analyse.never_call"), (never_call, "decide", "analyse.never_call"),
            (intake_guard, "re_added_people", "analyse.intake_guard"),
            (pipeline, "figure_flags", "analyse.groups"), (pipeline_groups, "group_figures", "analyse.groups"),
            (core_analysis, "assign_ids", "analyse.issues"), (core_analysis, "_merged", "analyse.issues"),
            (analysis_memo, "_key_or_none", "analyse.memo"), (analysis_memo, "_ids_in", "analyse.memo"),
            (sync_mod, "plan_changes", "plan"),
            # The frames' texts copied together (sheet.compacted): to_frames' work, which a
            # sync hands to the analysis memo (it is not needed when the memo answers), so
            # it runs inside analysed(). It is booked to frames and taken out of analyse, as
            # analyse() alone (measure.analyse_inputs) is handed frames compacted untimed.
            (sync_mod, "compacted", "frames", "analyse"),
            # The reasons child reads what classify would (second_core): the wait for its
            # readings and its CPU (counted when close() reaps it) are classify's, so the
            # named phases are compared with the domain steps' classify, child included.
            (second_core._Side, "readings", "analyse.classify"), (second_core._Side, "close", "analyse.classify"),
            # Inside classify, what a process pays once (issue 20: the cold sync against a warm
            # analyse() alone): the labelled examples' index, built the first time a note no
            # rule reads needs it, and the rules' patterns compiled the first time a text
            # reaches them. Shown, not compared: they stay in classify and analyse too.
            (ExampleIndex, "_build", "analyse.classify.examples_index"),
            (LazyPattern, "_compiled", "analyse.classify.rule_compiles"),
        ]
        for owner, name, phase, *outside in targets:
            self._wrap(owner, name, phase, outside=outside[0] if outside else None)
        self._wrap(backend, "write", "write", on_call=self._count)
        # The rules compile on a thread during the read (sheetcrm.rules.RulesAhead): the
        # phase is the sync's wait for them; their thread's CPU is booked to it (_rules_cpu).
        self._wrap(RulesAhead, "get", "rules", on_call=self._rules_cpu)
        if http_session is not None:
            self._time_http(http_session)

    def _time_http(self, session: Any) -> None:
        """Time inside the requests session's ``send`` (the request on the wire, the
        server's work, the answer read back), booked to the phase that sent it. Building
        the request (JSON encoding) happens before ``send``, parsing the answer after it:
        both stay client-side work."""
        original, active, seconds = session.send, self._active, self.seconds

        def send(*args: Any, **kwargs: Any) -> Any:
            phase = next((p for p in ("write", "read") if active.get(p)), "other")
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                seconds[f"{phase}.http"] = seconds.get(f"{phase}.http", 0.0) + time.perf_counter() - t0

        self._undo.append((session, "send", vars(session).get("send")))
        session.send = send

    def _rules_cpu(self, args: tuple, result: Any) -> None:
        """The rules' thread ran while the sync read (process CPU, booked to read): what
        it spent before the wait (its CPU less what the wait booked) moves from read to
        rules. Conservative: had it run on past the read (into frames), read is left
        with less CPU than it had, and the CPU ratio against it only looks worse."""
        before_wait = max(getattr(args[0], "cpu_seconds", 0.0) - self.cpu.get("rules", 0.0), 0.0)
        self.cpu["rules"] = self.cpu.get("rules", 0.0) + before_wait
        self.cpu["read"] = self.cpu.get("read", 0.0) - before_wait

    def _count(self, args: tuple, result: Any) -> None:
        self._changes.append(args[1] if len(args) > 1 else None)
        self.write_result = result

    @property
    def cells_written(self) -> int:
        """Cells the sync's writes carried; ask after the timed sync (it walks every cell)."""
        return sum(getattr(changes, "cells_written", 0) or 0 for changes in self._changes)

    def _wrap(self, owner: Any, name: str, phase: str, on_call: Callable | None = None,
              outside: str | None = None) -> None:
        """Time ``owner.name`` as ``phase``; with ``outside``, the time it spends inside
        that phase is taken out of it (booked to ``phase`` only)."""
        original = getattr(owner, name, None)
        if original is None:
            self.missing.append(f"{getattr(owner, '__name__', type(owner).__name__)}.{name}")
            return
        active = self._active

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            outer = not active.get(phase)  # a phase calling itself is counted once
            inside = outside if outside and active.get(outside) else None
            active[phase] = active.get(phase, 0) + 1
            t0, c0 = time.perf_counter(), cpu_now()
            try:
                result = original(*args, **kwargs)
            finally:
                active[phase] -= 1
                if outer:
                    seconds, cpu = time.perf_counter() - t0, cpu_now() - c0
                    for booked, sign in ((phase, 1), (inside, -1)) if inside else ((phase, 1),):
                        self.seconds[booked] = self.seconds.get(booked, 0.0) + sign * seconds
                        self.cpu[booked] = self.cpu.get(booked, 0.0) + sign * cpu
            if on_call:
                on_call(args, result)
            return result

        self._undo.append((owner, name, vars(owner).get(name)))
        setattr(owner, name, wrapper)

    def restore(self) -> None:
        for owner, name, before in reversed(self._undo):
            if before is None:
                delattr(owner, name)  # it was a method on the class: drop the instance override
            else:
                setattr(owner, name, before)
        self._undo.clear()


def _requests(backend: Any, report: Any) -> int | None:
    n = getattr(report, "requests", None)
    return n if n is not None else getattr(backend, "requests", None)


# "resync" reads what "sync" wrote (ids, owned cells): the kept analysis answers
# (sheetcrm.workbook.analysis_memo: what sheetcrm wrote is no person's change); "idle"
# reads the sheet exactly as "resync" did: run.py's loop while nobody edits.
STEPS = ("sync", "resync")
WITH_IDLE = (*STEPS, "idle")


def measure_sync(size: int, name: str, backend: Any, settings: Settings,
                 request_counter: Callable[[], int] | None = None, http_session: Any = None,
                 steps: tuple[str, ...] = STEPS) -> list[dict[str, Any]]:
    """A first sync (everything to write), then a second one with nothing new to say
    (and with ``WITH_IDLE``, a third that finds the sheet as the second did)."""
    out = []
    for step in steps:
        before = request_counter() if request_counter else None
        phases = Phases(backend, http_session)
        try:
            log(f"{name}: {step}")
            children: dict[str, Any] = {}
            seconds, peak, delta, report, cpu = timed(
                lambda: sync_mod.sync(backend, settings, TODAY, now=NOW), repeat=1, children=children)
        finally:
            phases.restore()
        # Requests as the server saw them, when we can ask it; else the backend's own count.
        requests = (request_counter() - before) if request_counter else _requests(backend, report)
        out.append(row(size, name, step, seconds, peak, requests=requests, backend_requests=_requests(backend, report),
                       peak_delta_mib=delta,
                       memory_method=Peak.method, cells_written=phases.cells_written,
                       cells_changed=getattr(report, "cells_changed", None),
                       tabs_rewritten=len(getattr(report, "tabs_rewritten", []) or []),
                       phases={k: round(v, 4) for k, v in phases.seconds.items()}, cpu_seconds=round(cpu, 4),
                       phases_cpu={k: round(v, 4) for k, v in phases.cpu.items()}, **children))
        for phase, s in phases.seconds.items():
            out.append(row(size, name, f"{step}:{phase}", s, None, phase_of=step))
    return out


def run_sync_memory(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    from sheetcrm.workbook.backends.memory import MemoryBackend

    n = spec["size"]
    log(f"generating {n:,} candidates")
    backend = MemoryBackend()
    backend.tabs = grids_for(n, spec, settings)  # the grids are fresh: no need for the constructor's copy
    return measure_sync(n, "memory", backend, settings, steps=WITH_IDLE)


def run_sync_xlsx(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    from sheetcrm.workbook.backends.xlsx import XlsxBackend

    n = spec["size"]
    work = Path(spec["workdir"])
    pristine = work / f"bench-{n}.xlsx"
    made = None
    if not pristine.exists():
        log(f"generating {n:,} candidates and saving them as .xlsx")
        t0 = time.perf_counter()
        generate.write_xlsx(grids_for(n, spec, settings), pristine)
        made = time.perf_counter() - t0
        gc.collect()
    path = work / f"sync-{n}.xlsx"
    shutil.copyfile(pristine, path)
    rows = measure_sync(n, "xlsx", XlsxBackend(path), settings, steps=WITH_IDLE)
    rows[0]["file_mib"] = round(pristine.stat().st_size / MIB, 2)
    if made is not None:
        rows[0]["generate_seconds"] = round(made, 2)
    path.replace(synced_xlsx(work, n))  # what the reports step of this size starts from
    return rows


def synced_xlsx(work: Path, n: int) -> Path:
    """The workbook the xlsx sync step left behind (synced twice: ids and owned tabs in place)."""
    return work / f"synced-{n}.xlsx"


def _session_of(backend: Any) -> Any:
    """The requests session under the backend's gspread client (bench only: it reaches
    into GSheetsBackend's ``_http``); None if that changed, and then no HTTP split."""
    try:
        return backend._http.session
    except AttributeError:
        return None


def run_sync_gsheets(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    from bench import google_path as google

    n = spec["size"]
    try:
        with google.standin(spec) as stand:
            log(f"stand-in Sheets API up at {stand.url} with {n:,} candidates")
            backend = stand.backend(settings)
            rows = measure_sync(n, "gsheets", backend, settings, request_counter=stand.request_count,
                                http_session=_session_of(backend))
            rows[0]["request_kinds_sync_and_resync"] = stand.request_kinds()
            if spec.get("baseline"):
                log("baseline: the naive per-cell gspread sync")
                stand.load()
                rows[0].update(google.naive_sync_cost(stand, settings, rows[0], spec.get("gspread_sample", 300)))
    except google.NotAvailable as exc:
        return [row(n, "gsheets", step, None, None, note=f"not measured: {exc}") for step in ("sync", "resync")]
    return rows


