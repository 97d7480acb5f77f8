"""One measurement, in a process of its own: ``python bench/measure.py SPEC.json OUT.json``.

``bench/run.py`` starts one of these per (size, backend, step group), so the peak
memory of one step never includes what an earlier step left behind, and a crash or
timeout costs one row, not the run.

Peak memory is the process's peak resident set size (VmHWM) while the step runs:
the high-water mark is reset just before the step (``/proc/self/clear_refs``,
Linux >= 4.0), so it is the most RAM the process needed while it held the inputs
and did the step (interpreter, pandas and the input frames included). Where the
reset is not possible the figure falls back to the process's lifetime peak
(``resource.getrusage``) and says so.
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

if __package__ in (None, ""):  # run as a script: import from the project root, not from bench/
    sys.path[0] = str(Path(__file__).resolve().parents[1])

import pandas as pd

from bench import baseline, generate
from sheetcrm.core import circleback, pipeline, reasons
from sheetcrm.rules import load_rules
from sheetcrm import schema
from sheetcrm.workbook import sheet
from sheetcrm.workbook import sync as sync_mod
from sheetcrm.workbook.backends.base import Sheet, Snapshot
from sheetcrm.config import Settings
from sheetcrm.core import matching

TODAY = generate.TODAY
MIB = 1024 * 1024
MAX_REPEAT_SECONDS = 10.0  # repeat a pure step (best of 3) only while that stays cheap


def log(msg: str) -> None:
    print(f"    {msg}", file=sys.stderr, flush=True)


# -- memory -----------------------------------------------------------------
def _status_kib(field: str) -> int | None:
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


class Peak:
    """Peak RSS while the block runs, in MiB."""

    method = "peak RSS (VmHWM reset before the step)"

    def __enter__(self) -> "Peak":
        gc.collect()
        self.reset = _reset_peak()
        self.start_kib = _status_kib("VmRSS") or 0
        return self

    def __exit__(self, *exc: Any) -> None:
        hwm = _status_kib("VmHWM") if self.reset else None
        if hwm is None:
            import resource

            hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
            Peak.method = "peak RSS over the process lifetime (getrusage; reset not available)"
        self.peak_mib = hwm / 1024
        self.delta_mib = max(0.0, (hwm - self.start_kib) / 1024)


def timed(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, float, Any]:
    """(best seconds, peak MiB, peak growth MiB, last result). A pure step is run up
    to 3 times (best time: the machine is shared and noisy) while that stays cheap."""
    best, peak, delta, result, spent = float("inf"), 0.0, 0.0, None, 0.0
    for _ in range(max(1, repeat)):
        result = None
        with Peak() as p:
            t0 = time.perf_counter()
            result = fn()
            seconds = time.perf_counter() - t0
        best, peak, delta, spent = min(best, seconds), max(peak, p.peak_mib), max(delta, p.delta_mib), spent + seconds
        if spent > MAX_REPEAT_SECONDS:
            break
    return best, peak, delta, result


# -- inputs -----------------------------------------------------------------
def grids_for(n: int, spec: dict[str, Any], settings: Settings) -> dict[str, list[list[Any]]]:
    return generate.workbook_grids(n, settings, seed=spec.get("seed", 7), positions=spec.get("positions", 200))


def raw_frames(grids: dict[str, list[list[Any]]], settings: Settings):
    snap = Snapshot({t: Sheet(t, rows) for t, rows in grids.items()})
    return sheet.to_frames(snap, sheet.locate(snap, settings))


class Domain:
    """The inputs each domain step needs, computed by the real modules (untimed).

    Within one benchmark run, validated and classified frames are kept in the work
    directory (pickles), so the classify / figures / circle_backs subprocesses of a
    size do not each validate 100,000 candidates again before measuring."""

    def __init__(self, frames, settings: Settings, cache: Path | None = None):
        self.frames, self.settings, self.cache = frames, settings, cache
        self._clean = self._issues = self._rules = self._classified = self._cand_class = None

    def _load(self, what: str) -> Any:
        path = self.cache and self.cache.with_name(f"{self.cache.name}-{what}.pkl")
        if path and path.exists():
            with contextlib.suppress(Exception):
                return pd.read_pickle(path)
        return None

    def keep(self, what: str, value: Any) -> None:
        if self.cache is not None:
            with contextlib.suppress(Exception):
                pd.to_pickle(value, self.cache.with_name(f"{self.cache.name}-{what}.pkl"))

    @property
    def rules(self):
        if self._rules is None:
            self._rules = load_rules(self.settings)
        return self._rules

    @property
    def clean(self):
        if self._clean is None:
            got = self._load("validated")
            if got is None:
                got = validate(self.frames, self.settings)
                self.keep("validated", got)
            self._clean, self._issues = got
        return self._clean

    @property
    def classified(self):
        if self._classified is None:
            got = self._load("classified")
            if got is None:
                pipe = reasons.classify_pipeline(self.clean[schema.PIPELINE], self.rules)
                got = (pipe, reasons.candidate_classes(pipe, self.clean[schema.CANDIDATES]))
                self.keep("classified", got)
            self._classified, self._cand_class = got
        return self._classified

    @property
    def cand_class(self):
        _ = self.classified
        return self._cand_class


def domain_for(n: int, spec: dict[str, Any], settings: Settings) -> Domain:
    cache = None
    if spec.get("workdir"):
        cache = Path(spec["workdir"]) / f"domain-{n}-{spec.get('seed', 7)}-{spec.get('positions', 200)}"
    return Domain(raw_frames(grids_for(n, spec, settings), settings), settings, cache)


def validate(frames, settings: Settings):
    from sheetcrm.core import validate as validate_mod

    return validate_mod.validate(frames, settings, TODAY)


def step_fn(step: str, d: Domain) -> Callable[[], Any]:
    s = d.settings
    if step == "validate":
        return lambda: validate(d.frames, s)
    if step == "classify":
        pipe, cands, rules = d.clean[schema.PIPELINE], d.clean[schema.CANDIDATES], d.rules

        def classify():
            out = reasons.classify_pipeline(pipe, rules)
            return out, reasons.candidate_classes(out, cands)
        return classify
    if step == "figures":
        pipe = d.classified
        return lambda: pipeline.position_figures(pipe)
    if step == "circle_backs":
        c, pipe, pos, cc = d.clean[schema.CANDIDATES], d.classified, d.clean[schema.POSITIONS], d.cand_class

        def circle():
            out = circleback.circle_backs(c, pipe, pos, cc, s, TODAY)
            return out, matching.backpocket_counts(out, pos)
        return circle
    if step == "domain":
        frames, rules = d.frames, d.rules

        def domain():  # the four steps as analyse() chains them
            clean, _issues = validate(frames, s)
            pipe = reasons.classify_pipeline(clean[schema.PIPELINE], rules)
            cc = reasons.candidate_classes(pipe, clean[schema.CANDIDATES])
            figures = pipeline.position_figures(pipe)
            circle = circleback.circle_backs(clean[schema.CANDIDATES], pipe, clean[schema.POSITIONS], cc, s, TODAY)
            return figures, matching.backpocket_counts(circle, clean[schema.POSITIONS])
        return domain
    raise ValueError(f"unknown domain step {step!r}")


def baseline_fn(step: str, d: Domain) -> Callable[[], Any]:
    s = d.settings
    if step == "validate":
        return lambda: baseline.validate_naive(d.frames, s, TODAY)
    if step == "figures":
        return lambda: baseline.figures_naive(d.classified)
    if step == "circle_backs":
        cc = {k: v for k, v in d.cand_class.items()}
        return lambda: baseline.circle_backs_naive(d.clean[schema.CANDIDATES], d.classified,
                                                   d.clean[schema.POSITIONS], cc, s, TODAY)
    raise ValueError(step)


def naive_classify_seconds(pipe: pd.DataFrame, rules: Any, budget: float) -> tuple[float, str]:
    """Row-by-row classification of ``pipe``, within a time budget: past it, the
    rows done so far are timed and the rest scaled linearly."""
    t0 = time.perf_counter()
    done = len(baseline.classify_naive(pipe, rules, budget))
    seconds = time.perf_counter() - t0
    if done >= len(pipe) or done == 0:
        return seconds, ""
    return seconds * len(pipe) / done, f"row-by-row classify timed on {done:,} of {len(pipe):,} rows, scaled linearly"


DOMAIN_STEPS = ("validate", "classify", "figures", "circle_backs")


def row(size: int, backend: str, step: str, seconds: float | None, peak: float | None, **extra: Any) -> dict[str, Any]:
    out = {"size": size, "backend": backend, "step": step, "seconds": seconds, "peak_mib": peak, "requests": None,
           "baseline_seconds": None, "baseline_requests": None, "speedup": None}
    out.update(extra)
    return out


def run_domain(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    n, step = spec["size"], spec["step"]
    log(f"generating {n:,} candidates")
    d = domain_for(n, spec, settings)
    fn = step_fn(step, d)
    if step in ("figures", "circle_backs"):
        _ = d.classified
    elif step == "classify":
        _ = d.clean
    log(f"measuring {step}")
    seconds, peak, delta, result = timed(fn, spec.get("repeat", 3))
    if step == "validate":
        d.keep("validated", result)  # what the next steps of this size start from
    elif step == "classify":
        d.keep("classified", result)
    del result
    out = row(n, "memory", step, seconds, peak, peak_delta_mib=delta, memory_method=Peak.method,
              rows={k: len(v) for k, v in d.frames.items()})
    if spec.get("baseline") and step in DOMAIN_STEPS:
        out.update(_baseline(spec, settings, step, d))
    return [out]


def _baseline(spec: dict[str, Any], settings: Settings, step: str, d: Domain) -> dict[str, Any]:
    n, cap = spec["size"], spec.get("baseline_max") or spec["size"]
    notes = []
    if n > cap:
        log(f"baseline {step} on a sample workbook of {cap:,} candidates")
        sample = domain_for(cap, spec, settings)
        notes.append(f"baseline timed on {cap:,} candidates and scaled linearly x{n / cap:g}")
    else:
        log(f"baseline {step}")
        sample = d
    if step == "classify":
        pipe, cands, classified = sample.clean[schema.PIPELINE], sample.clean[schema.CANDIDATES], sample.classified
        seconds, note = naive_classify_seconds(pipe, sample.rules, spec.get("baseline_budget", 20.0))
        t0 = time.perf_counter()
        baseline.candidate_classes_naive(classified, cands)
        seconds += time.perf_counter() - t0
        notes += [note] if note else []
    else:
        fn = baseline_fn(step, sample)
        if step != "validate":
            _ = sample.classified
        t0 = time.perf_counter()
        fn()
        seconds = time.perf_counter() - t0
    extra: dict[str, Any] = {"baseline_seconds": seconds * n / min(n, cap)}
    if notes:
        extra["baseline_note"] = "; ".join(notes)
    return extra


def run_classify_1m(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    rows, distinct = spec.get("rows", 1_000_000), spec.get("distinct", 5000)
    log(f"building a {rows:,}-row Pipeline frame with {distinct:,} distinct reasons")
    template = domain_for(10_000, spec, settings).clean[schema.PIPELINE]
    frame = generate.classify_frame(template, rows, distinct)
    del template
    rules = load_rules(settings)
    log("measuring classify_pipeline on it")
    seconds, peak, delta, result = timed(lambda: reasons.classify_pipeline(frame, rules), repeat=1)
    counts = result["rejection_class"].value_counts(dropna=True).to_dict()
    out = row(rows, "memory", "classify_1m", seconds, peak, peak_delta_mib=delta, memory_method=Peak.method,
              distinct_texts=int(frame["rejection_reason"].nunique()), classes={str(k): int(v) for k, v in counts.items()})
    if spec.get("baseline"):
        log("baseline: row-by-row classify (time-boxed, scaled linearly)")
        seconds, note = naive_classify_seconds(frame, rules, spec.get("baseline_budget", 20.0))
        out["baseline_seconds"] = seconds
        if note:
            out["baseline_note"] = note
    return [out]


# -- full sync --------------------------------------------------------------
class Phases:
    """Times the phases of sheetcrm.workbook.sync.sync by wrapping what it calls, so the
    real entry point runs unchanged: read, frames (locate + to_frames), analyse
    (load_rules, and inside analyse: validate, classify, figures, circle_backs, tabs,
    owned_columns), plan, write. A name that no longer exists is simply not timed."""

    def __init__(self, backend: Any):
        from sheetcrm.core import validate as validate_mod

        self.seconds: dict[str, float] = {}
        self.cells_written = 0
        self.write_result: Any = None
        self._active: dict[str, int] = {}
        self._undo: list[tuple[Any, str, Any]] = []
        targets = [
            (backend, "read", "read"), (sync_mod, "locate", "frames"), (sync_mod, "to_frames", "frames"),
            (sync_mod, "analyse", "analyse"),
            (sync_mod, "load_rules", "analyse.load_rules"), (validate_mod, "validate", "analyse.validate"),
            (reasons, "classify_pipeline", "analyse.classify"), (reasons, "candidate_classes", "analyse.classify"),
            (reasons, "unclassified_issues", "analyse.classify"),
            (pipeline, "position_figures", "analyse.figures"),
            (circleback, "circle_backs", "analyse.circle_backs"), (circleback, "backpocket_counts", "analyse.circle_backs"),
            (pipeline, "summary_rows", "analyse.tabs"), (circleback, "circle_backs_rows", "analyse.tabs"),
            (sync_mod, "issues_rows", "analyse.tabs"), (sync_mod, "_owned_columns", "analyse.owned_columns"),
            (sync_mod, "plan_changes", "plan"),
        ]
        for owner, name, phase in targets:
            self._wrap(owner, name, phase)
        self._wrap(backend, "write", "write", on_call=self._count)

    def _count(self, args: tuple, result: Any) -> None:
        changes = args[1] if len(args) > 1 else None
        self.cells_written += getattr(changes, "cells_written", 0) or 0
        self.write_result = result

    def _wrap(self, owner: Any, name: str, phase: str, on_call: Callable | None = None) -> None:
        original = getattr(owner, name, None)
        if original is None:
            return
        active = self._active

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            outer = not active.get(phase)  # a phase calling itself is counted once
            active[phase] = active.get(phase, 0) + 1
            t0 = time.perf_counter()
            try:
                result = original(*args, **kwargs)
            finally:
                active[phase] -= 1
                if outer:
                    self.seconds[phase] = self.seconds.get(phase, 0.0) + time.perf_counter() - t0
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


def measure_sync(size: int, name: str, backend: Any, settings: Settings,
                 request_counter: Callable[[], int] | None = None) -> list[dict[str, Any]]:
    """A first sync (everything to write), then a second one with nothing new to say."""
    out = []
    for step in ("sync", "resync"):
        before = request_counter() if request_counter else None
        phases = Phases(backend)
        try:
            log(f"{name}: {step}")
            seconds, peak, delta, report = timed(
                lambda: sync_mod.sync(backend, settings, TODAY, now=dt.datetime(2026, 11, 22, 9, 0)), repeat=1)
        finally:
            phases.restore()
        # Requests as the server saw them, when we can ask it; else the backend's own count.
        requests = (request_counter() - before) if request_counter else _requests(backend, report)
        out.append(row(size, name, step, seconds, peak, requests=requests, backend_requests=_requests(backend, report),
                       peak_delta_mib=delta,
                       memory_method=Peak.method, cells_written=phases.cells_written,
                       cells_changed=getattr(report, "cells_changed", None),
                       tabs_rewritten=len(getattr(report, "tabs_rewritten", []) or []),
                       phases={k: round(v, 4) for k, v in phases.seconds.items()}))
        for phase, s in phases.seconds.items():
            out.append(row(size, name, f"{step}:{phase}", s, None, phase_of=step))
    return out


def run_sync_memory(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    from sheetcrm.workbook.backends.memory import MemoryBackend

    n = spec["size"]
    log(f"generating {n:,} candidates")
    backend = MemoryBackend()
    backend.tabs = grids_for(n, spec, settings)  # the grids are fresh: no need for the constructor's copy
    return measure_sync(n, "memory", backend, settings)


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
    rows = measure_sync(n, "xlsx", XlsxBackend(path), settings)
    rows[0]["file_mib"] = round(pristine.stat().st_size / MIB, 2)
    if made is not None:
        rows[0]["generate_seconds"] = round(made, 2)
    path.unlink(missing_ok=True)
    return rows


def run_sync_gsheets(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    from bench import google_path as google

    n = spec["size"]
    try:
        with google.standin(spec) as stand:
            log(f"stand-in Sheets API up at {stand.url} with {n:,} candidates")
            rows = measure_sync(n, "gsheets", stand.backend(settings), settings, request_counter=stand.request_count)
            rows[0]["request_kinds_sync_and_resync"] = stand.request_kinds()
            if spec.get("baseline"):
                log("baseline: the naive per-cell gspread sync")
                stand.load()
                rows[0].update(google.naive_sync_cost(stand, settings, rows[0], spec.get("gspread_sample", 300)))
    except google.NotAvailable as exc:
        return [row(n, "gsheets", step, None, None, note=f"not measured: {exc}") for step in ("sync", "resync")]
    return rows


RUNNERS = {
    ("memory", "sync"): run_sync_memory,
    ("xlsx", "sync"): run_sync_xlsx,
    ("gsheets", "sync"): run_sync_gsheets,
    ("memory", "classify_1m"): run_classify_1m,
}


def measure_spec(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one measurement (what ``bench/run.py`` planned)."""
    settings = Settings()  # built-in defaults: no config file or environment changes the figures
    if spec["step"] == "reports":
        from bench.reports import run_reports_xlsx

        return run_reports_xlsx(spec, settings)
    runner = RUNNERS.get((spec["backend"], spec["step"]), run_domain)
    return runner(spec, settings)


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    rows = measure_spec(spec)
    Path(argv[1]).write_text(json.dumps(rows, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
