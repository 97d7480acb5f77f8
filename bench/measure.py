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

A sync may read its reason texts in a forked child on the second core
(``sheetcrm.workbook.second_core``). Its CPU counts: every CPU figure here is this
process's and its reaped children's (``getrusage``). Its memory is reported beside
the parent's: ``children_peak_mib`` (the children's largest peak RSS over the
process's life, ``RUSAGE_CHILDREN``; it counts the pages the child shares with the
parent, so it overstates what the child added) and ``child_private_mib`` (the pages
only the child held at its end: what the fork added to the machine's RAM, which the
xlsx peak target adds to the parent's peak). An xlsx write may edit its biggest part
in a forked child too (``sheetcrm.workbook.backends.xlsx_aside``): its CPU counts the
same way, its private pages are ``write_child_private_mib`` (the two children never
live at once: the reasons child is reaped before analyse returns).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]

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
NOW = dt.datetime(2026, 11, 22, 9, 0)  # stamps the Summary title in every measured sync and analyse
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


def _rusage_cpu(who: int) -> float:
    """User + system CPU seconds of ``who`` (RUSAGE_SELF / RUSAGE_CHILDREN), to the
    microsecond. ``os.times`` counts in clock ticks (10 ms on Linux): a phase of a
    10,000-candidate resync takes 0.03-0.05 s, which it rounded by up to a third."""
    got = resource.getrusage(who)
    return got.ru_utime + got.ru_stime


def cpu_now() -> float:
    """CPU seconds so far of this process (all its threads) and of its children that
    have ended (a sync's reasons child is reaped before the sync returns)."""
    if resource is None:  # no getrusage (Windows): clock ticks
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system
    return _rusage_cpu(resource.RUSAGE_SELF) + _rusage_cpu(resource.RUSAGE_CHILDREN)


def children_now() -> tuple[float, int, float | None, int, float | None]:
    """(children's CPU seconds so far, how many reasons children were forked, the last one's
    private MiB, how many write children were forked, the last one's private MiB)."""
    from sheetcrm.workbook import second_core
    from sheetcrm.workbook.backends import xlsx_aside

    if resource is None:
        t = os.times()
        spent = t.children_user + t.children_system
    else:
        spent = _rusage_cpu(resource.RUSAGE_CHILDREN)
    return (spent, second_core.stats["forked"], second_core.stats["child_private_mib"], xlsx_aside.stats["forked"],
            xlsx_aside.stats["child_private_mib"])


def _children_peak_mib() -> float | None:
    try:
        import resource
    except ImportError:
        return None
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    return round(kib / 1024, 1) if kib else None


def timed(fn: Callable[[], Any], repeat: int = 3,
          children: dict[str, Any] | None = None) -> tuple[float, float, float, Any, float]:
    """(best seconds, peak MiB, peak growth MiB, last result, CPU seconds of the best run).
    A pure step is run up to 3 times (best time: the machine is shared and noisy) while
    that stays cheap. CPU seconds are this process's own (all its threads) and its
    ended children's: other processes on a busy machine inflate the wall time far more
    than them. ``children``, if given, gets the children's share of the best run (see
    the module doc)."""
    best, peak, delta, result, spent, cpu = float("inf"), 0.0, 0.0, None, 0.0, 0.0
    for _ in range(max(1, repeat)):
        result = None
        with Peak() as p:
            before = children_now()
            t0, c0 = time.perf_counter(), cpu_now()
            result = fn()
            seconds, used = time.perf_counter() - t0, cpu_now() - c0
            after = children_now()
        if seconds < best:
            best, cpu = seconds, used
            if children is not None:
                forked = after[1] - before[1]
                writes = after[3] - before[3]
                children.update(children_cpu_seconds=round(after[0] - before[0], 4), children_forked=forked,
                                children_peak_mib=_children_peak_mib() if forked or writes else None,
                                child_private_mib=after[2] if forked else None,
                                write_children_forked=writes, write_child_private_mib=after[4] if writes else None)
        peak, delta, spent = max(peak, p.peak_mib), max(delta, p.delta_mib), spent + seconds
        if spent > MAX_REPEAT_SECONDS:
            break
    return best, peak, delta, result, cpu


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


def load_average() -> list[float] | None:
    """The machine's 1, 5 and 15-minute load averages now (None where the OS has none)."""
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def row(size: int, backend: str, step: str, seconds: float | None, peak: float | None, **extra: Any) -> dict[str, Any]:
    """One result; ``load_avg`` is taken as the row is made, right after its measurement
    (its 1-minute figure covers the measurement itself)."""
    out = {"size": size, "backend": backend, "step": step, "seconds": seconds, "peak_mib": peak, "requests": None,
           "baseline_seconds": None, "baseline_requests": None, "speedup": None, "load_avg": load_average()}
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
    seconds, peak, delta, result, cpu = timed(fn, spec.get("repeat", 3))
    if step == "validate":
        d.keep("validated", result)  # what the next steps of this size start from
    elif step == "classify":
        d.keep("classified", result)
    del result
    out = row(n, "memory", step, seconds, peak, cpu_seconds=round(cpu, 4), peak_delta_mib=delta,
              memory_method=Peak.method,
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


def analyse_inputs(n: int, spec: dict[str, Any], settings: Settings):
    """What the first sync of this generated workbook hands to analyse() on the memory
    backend: its raw frames and its Suppressed list."""
    snap = Snapshot({t: Sheet(t, rows) for t, rows in grids_for(n, spec, settings).items()})
    frames = sync_mod.to_frames(snap, sync_mod.locate(snap, settings))
    return frames, sync_mod.read_suppressed(snap, settings)


def run_analyse(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    """sheetcrm.core.analysis.analyse() alone (issue 20), best of up to `repeat` runs, on
    the frames a first memory sync of the same workbook analyses; the rules are loaded
    before the timing, as sync loads them before it calls analyse()."""
    from sheetcrm.core import analysis

    n = spec["size"]
    log(f"generating {n:,} candidates")
    frames, suppressed = analyse_inputs(n, spec, settings)
    rules = load_rules(settings)
    log("measuring analyse()")

    def run() -> Any:
        return analysis.analyse(frames, settings, TODAY, NOW, rules=rules, suppressed=suppressed)

    # The first run is cold, as the one analyse() of a sync is: kept beside the best.
    seconds, peak, delta, _, cpu = timed(run, 1)
    first, first_cpu = seconds, cpu
    if spec.get("repeat", 3) > 1 and seconds < MAX_REPEAT_SECONDS:
        again = timed(run, spec.get("repeat", 3) - 1)
        if again[0] < seconds:
            seconds, cpu = again[0], again[4]
        peak, delta = max(peak, again[1]), max(delta, again[2])
    return [row(n, "memory", "analyse", seconds, peak, cpu_seconds=round(cpu, 4), first_seconds=round(first, 4),
                first_cpu_seconds=round(first_cpu, 4), peak_delta_mib=delta, memory_method=Peak.method,
                rows={k: len(v) for k, v in frames.items()})]


def run_classify_1m(spec: dict[str, Any], settings: Settings) -> list[dict[str, Any]]:
    rows, distinct = spec.get("rows", 1_000_000), spec.get("distinct", 5000)
    log(f"building a {rows:,}-row Pipeline frame with {distinct:,} distinct reasons")
    template = domain_for(10_000, spec, settings).clean[schema.PIPELINE]
    frame = generate.classify_frame(template, rows, distinct)
    del template
    rules = load_rules(settings)
    log("measuring classify_pipeline on it")
    seconds, peak, delta, result, _cpu = timed(lambda: reasons.classify_pipeline(frame, rules), repeat=1)
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


def measure_spec(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of one measurement (what ``bench/run.py`` planned)."""
    from bench import sync_measure
    from bench.reports import run_reports_xlsx

    settings = Settings()  # built-in defaults: no config file or environment changes the figures
    runners = {
        ("memory", "sync"): sync_measure.run_sync_memory,
        ("xlsx", "sync"): sync_measure.run_sync_xlsx,
        ("gsheets", "sync"): sync_measure.run_sync_gsheets,
        ("memory", "classify_1m"): run_classify_1m,
        ("memory", "analyse"): run_analyse,
        ("xlsx", "reports"): run_reports_xlsx,
    }
    runner = runners.get((spec["backend"], spec["step"]), run_domain)
    return runner(spec, settings)


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[0]).read_text())
    rows = measure_spec(spec)
    Path(argv[1]).write_text(json.dumps(rows, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
