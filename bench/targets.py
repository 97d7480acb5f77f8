"""The targets the benchmark checks, read from its rows: issue 9 (the domain steps,
the Google request count, the 10,000-candidate xlsx sync), issue 12 (a report is
faster than `sync --dry-run`) and issue 20 (a whole sync at 100,000 candidates).

A check gives (verdict, target, figure): PASS, FAIL, n/a (a figure it needs was not
measured: never a PASS) or info (a figure without a target). Issue 20's figures are
ratios against figures of the same run (the sync's own read phase, the steps
measured alone), so a loaded machine inflates both sides alike; its two absolute
targets (memory sync <= 6 s, resync <= 3 s) print the load average beside them.
"""
from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

Row = dict[str, Any]
Verdict = tuple[str, str, str]
GIB = 1024.0
DOMAIN_STEPS = ("validate", "classify", "figures", "circle_backs")
BACKENDS = ("memory", "xlsx", "gsheets")

# Issue 9.
DOMAIN_SECONDS_AT_100K = 5.0
DOMAIN_PEAK_MIB = GIB
DOMAIN_SPEEDUP = 20.0
GROWTH_PER_10X = 12.0
GOOGLE_REQUEST_RATIO_AT_1K = 100.0
XLSX_SYNC_SECONDS_AT_10K = 15.0

# Issue 20 (at BIG candidates; growth from SMALL to BIG).
SMALL, BIG = 10_000, 100_000
XLSX_SYNC_PER_READ = 3.0
XLSX_RESYNC_PER_READ = 1.5
XLSX_PEAK_MIB = 1.5 * GIB
MEMORY_SYNC_SECONDS = 6.0
MEMORY_RESYNC_SECONDS = 3.0
GOOGLE_CLIENT_PER_MEMORY = 1.3
ANALYSE_IN_SYNC_PER_ALONE = 1.3
GROWTH_20 = 11.0
NAMED_PHASES = tuple(f"analyse.{s}" for s in DOMAIN_STEPS)


class Checks(list):
    """The verdicts, in the order they were checked."""

    def add(self, ok: bool | None, target: str, figure: str) -> None:
        self.append(("n/a" if ok is None else "PASS" if ok else "FAIL", target, figure))

    def info(self, target: str, figure: str) -> None:
        self.append(("info", target, figure))

    def at_most(self, value: float | None, limit: float, target: str, figure: str) -> None:
        """PASS when ``value <= limit``; n/a when the value was not measured."""
        self.add(None if value is None else value <= limit, target, figure)


def find(rows: list[Row], size: int, backend: str, step: str) -> Row | None:
    return next((r for r in rows if r["size"] == size and r["backend"] == backend and r["step"] == step), None)


def seconds_of(r: Row | None) -> float | None:
    return None if r is None else r.get("seconds")


def phase(r: Row | None, name: str) -> float | None:
    return None if r is None else (r.get("phases") or {}).get(name)


def ratio(a: float | None, b: float | None) -> float | None:
    return a / b if a is not None and b else None


def cpu(r: Row | None, name: str | None = None) -> float | None:
    """CPU seconds of the measuring process: the whole step, or one of its phases."""
    if r is None:
        return None
    return r.get("cpu_seconds") if name is None else (r.get("phases_cpu") or {}).get(name)


def cpu_note(a: float | None, b: float | None) -> str:
    """The same ratio in CPU seconds (what other processes on a busy machine barely
    change), in brackets; empty when a CPU figure is missing."""
    return f" (CPU {a:.2f} s vs {b:.2f} s = {a / b:.2f}x)" if a is not None and b else ""


def missing(r: Row | None, what: str) -> str:
    """The figure of an n/a: what was not measured, and the row's own note if any."""
    note = (r or {}).get("note")
    return f"{what} not measured" + (f" ({note})" if note else "")


def load_text(r: Row | None) -> str:
    load = (r or {}).get("load_avg")
    return "load average " + " / ".join(f"{x:.1f}" for x in load) if load else "load average not recorded"


def fmt(v: Any, spec: str = "") -> str:
    if v is None:
        return "-"
    if isinstance(v, float):
        return format(v, spec or ".3f")
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


# -- issues 9 and 12 -----------------------------------------------------------------
def checks(rows: list[Row], sizes: list[int]) -> list[Verdict]:
    """Issue 9's and issue 12's targets."""
    out = Checks()
    _domain_at_100k(rows, sizes, out)
    _domain_growth(rows, sizes, out)
    _google_requests(rows, out)
    x = find(rows, 10_000, "xlsx", "sync")
    if seconds_of(x) is not None:
        phases = ", ".join(f"{k} {v:.1f} s" for k, v in (x.get("phases") or {}).items() if "." not in k)
        out.add(x["seconds"] < XLSX_SYNC_SECONDS_AT_10K, "xlsx full sync of 10,000 candidates under 15 s",
                f"{x['seconds']:.1f} s ({phases})")
    else:
        out.add(None, "xlsx full sync of 10,000 candidates under 15 s", "10,000 on xlsx not measured")
    _reports(rows, out)
    c = next((r for r in rows if r["step"] == "classify_1m" and r.get("seconds") is not None), None)
    if c:
        out.info(f"classify {c['size']:,} rows with {c.get('distinct_texts', '?')} distinct texts",
                 f"{c['seconds']:.2f} s, {fmt(c['peak_mib'], '.0f')} MiB"
                 + (f", {c['speedup']:.0f}x the row-by-row baseline" if c.get("speedup") else ""))
    return list(out)


def _domain_at_100k(rows: list[Row], sizes: list[int], out: Checks) -> None:
    dom = find(rows, 100_000, "memory", "domain")
    if seconds_of(dom) is None:
        out.add(None, "domain steps at 100,000 candidates: < 5 s, < 1 GiB, >= 20x baseline", "100,000 not measured")
    else:
        out.add(dom["seconds"] < DOMAIN_SECONDS_AT_100K, "domain steps at 100,000 candidates under 5 s",
                f"{dom['seconds']:.2f} s")
        out.add(dom["peak_mib"] is not None and dom["peak_mib"] < DOMAIN_PEAK_MIB,
                "domain steps at 100,000 candidates under 1 GiB peak", f"{fmt(dom['peak_mib'], '.0f')} MiB peak RSS")
        sp = dom.get("speedup")
        out.add(None if sp is None else sp >= DOMAIN_SPEEDUP, "domain steps >= 20x the row-by-row baseline",
                "no baseline" if sp is None else f"{sp:.1f}x ({dom.get('baseline_note', '')})")
    for n in sizes:
        d = find(rows, n, "memory", "domain")
        if d and d.get("speedup") is not None and n != 100_000:
            out.info(f"domain speedup at {n:,}", f"{d['speedup']:.1f}x")


def _domain_growth(rows: list[Row], sizes: list[int], out: Checks) -> None:
    for small, big in itertools.pairwise(sorted(sizes)):
        for step in ("domain", *DOMAIN_STEPS):
            a, b = seconds_of(find(rows, small, "memory", step)), seconds_of(find(rows, big, "memory", step))
            if not (a and b):
                continue
            factor = big / small
            allowed = GROWTH_PER_10X * factor / 10
            label = f"growth of {step}: {factor:g}x rows -> at most ~{allowed:g}x time"
            figure = f"{b / a:.1f}x ({small:,} -> {big:,})"
            if step == "domain":
                out.add(b / a <= allowed, label, figure)
            else:
                out.info(label, figure)


def _google_requests(rows: list[Row], out: Checks) -> None:
    g = [r for r in rows if r["backend"] == "gsheets" and r["step"] == "sync" and r.get("requests") is not None]
    if not g:
        why = next((r.get("note") for r in rows if r["backend"] == "gsheets"), "gsheets backend not selected")
        out.add(None, "Google path: requests constant in rows, >= 100x fewer than per-cell at 1,000", why or "")
        return
    out.add(len({r["requests"] for r in g}) == 1, "Google path: requests per sync constant in rows",
            ", ".join(f"{r['size']:,}: {r['requests']}" for r in g))
    g1 = find(rows, 1000, "gsheets", "sync")
    if g1 and g1.get("baseline_requests"):
        times = g1["baseline_requests"] / max(g1["requests"], 1)
        out.add(times >= GOOGLE_REQUEST_RATIO_AT_1K, "Google path: >= 100x fewer requests than per-cell gspread at 1,000",
                f"{g1['requests']} vs {g1['baseline_requests']:,} ({times:,.0f}x fewer)")
        out.info("Google's quota of 60 requests per minute per user",
                 f"sheetcrm's sync fits in one minute; the per-cell way needs at least "
                 f"{g1['baseline_requests'] / 60:,.0f} minutes at 1,000 candidates")
    re_ = [r for r in rows if r["backend"] == "gsheets" and r["step"] == "resync" and r.get("requests") is not None]
    if re_:
        out.info("Google path: requests of a sync with nothing to change",
                 ", ".join(f"{r['size']:,}: {r['requests']}" for r in re_))


def _reports(rows: list[Row], out: Checks) -> None:
    """A report computes only what it shows: each report faster than sync --dry-run (issue 12)."""
    for dry in (r for r in rows if r["step"] == "sync --dry-run" and r.get("seconds")):
        reports = [r for r in rows if r["size"] == dry["size"] and r["backend"] == "xlsx"
                   and r["step"].startswith(("report ", "match ")) and r.get("seconds")]
        for r in reports:
            out.add(r["seconds"] < dry["seconds"], f"{r['step']} faster than sync --dry-run at {dry['size']:,} (xlsx)",
                    f"{r['seconds']:.2f} s vs {dry['seconds']:.2f} s")


# -- issue 20 ------------------------------------------------------------------------
def issue20(rows: list[Row], sizes: Iterable[int]) -> list[Verdict]:
    """Issue 20's targets, each a ratio against figures of the same run."""
    out = Checks()
    _xlsx_sync(rows, out)
    _memory_sync(rows, out)
    for n in sorted(set(sizes)):
        _google_client_work(rows, n, out)
    for n in sorted(set(sizes)):
        _analyse_in_sync(rows, n, out)
    _sync_growth(rows, out)
    return list(out)


def _xlsx_sync(rows: list[Row], out: Checks) -> None:
    for step, limit in (("sync", XLSX_SYNC_PER_READ), ("resync", XLSX_RESYNC_PER_READ)):
        r = find(rows, BIG, "xlsx", step)
        seconds, read = seconds_of(r), phase(r, "read")
        target = f"xlsx {'full sync' if step == 'sync' else 'resync'} of {BIG:,} <= {limit:g}x its read phase"
        figure = (missing(r, f"xlsx {step} at {BIG:,}") if ratio(seconds, read) is None else
                  f"{seconds:.1f} s = {seconds / read:.2f}x its read {read:.1f} s"
                  f"{cpu_note(cpu(r), cpu(r, 'read'))} ({load_text(r)})")
        out.at_most(ratio(seconds, read), limit, target, figure)
    r = find(rows, BIG, "xlsx", "sync")
    peak = None if r is None else r.get("peak_mib")
    # the reasons child's and the write child's own pages (bench.measure's module doc) are RAM
    # the sync needed too; they never live at once, so the larger is added
    reading, writing = ((r or {}).get(k) or 0.0 for k in ("child_private_mib", "write_child_private_mib"))
    child, whose = max((reading, "reasons"), (writing, "write"))
    out.at_most(None if peak is None else peak + child, XLSX_PEAK_MIB, f"xlsx full sync of {BIG:,} peak RSS <= 1.5 GiB",
                missing(r, f"xlsx sync peak at {BIG:,}") if peak is None else
                f"{peak + child:,.0f} MiB = {(peak + child) / XLSX_PEAK_MIB:.2f}x the 1,536 MiB allowed"
                + (f" ({peak:,.0f} MiB + the {whose} child's own {child:,.0f} MiB"
                   + (f"; the reasons child's {reading:,.0f} MiB" if whose == "write" and reading else "")
                   + (f"; the write child's {writing:,.0f} MiB" if whose == "reasons" and writing else "") + ")"
                   if child else ""))


def _memory_sync(rows: list[Row], out: Checks) -> None:
    for step, limit in (("sync", MEMORY_SYNC_SECONDS), ("resync", MEMORY_RESYNC_SECONDS)):
        r = find(rows, BIG, "memory", step)
        seconds, read = seconds_of(r), phase(r, "read")
        figure = missing(r, f"memory {step} at {BIG:,}")
        if seconds is not None:
            per_read = f" = {seconds / read:.1f}x its read {read:.2f} s" if read else ""
            used = f"; CPU {cpu(r):.2f} s" if cpu(r) is not None else ""
            figure = f"{seconds:.2f} s{per_read}, {seconds / limit:.2f}x the {limit:g} s allowed ({load_text(r)}{used})"
        out.at_most(seconds, limit, f"memory-backend {step} of {BIG:,} <= {limit:g} s", figure)


def client_work(r: Row | None, wire: bool) -> tuple[float | None, str]:
    """analyse + plan + write (minus the write phase's HTTP wait when ``wire``), and how
    it splits. A sync with nothing to change has no write phase (0 s); a Google write
    phase without its HTTP time is n/a (None)."""
    if r is None or r.get("seconds") is None or phase(r, "analyse") is None:
        return None, ""
    ph = r.get("phases") or {}
    analyse, plan, write = ph.get("analyse", 0.0), ph.get("plan", 0.0), ph.get("write", 0.0)
    http = ph.get("write.http", 0.0 if "write" not in ph else None) if wire else 0.0
    if http is None:
        return None, "the write phase's HTTP time was not measured"
    split = f"analyse {analyse:.2f} + plan {plan:.2f} + write {write:.2f}" + (f" - HTTP {http:.2f}" if wire else "")
    return analyse + plan + write - http, split


def client_cpu(r: Row | None) -> float | None:
    """analyse + plan + write in CPU seconds (waiting on HTTP costs this process none)."""
    got = [cpu(r, p) for p in ("analyse", "plan")]
    return None if None in got else sum(got) + (cpu(r, "write") or 0.0)


def _google_client_work(rows: list[Row], n: int, out: Checks) -> None:
    for step in ("sync", "resync"):
        g, m = find(rows, n, "gsheets", step), find(rows, n, "memory", step)
        (google, gsplit), (memory, msplit) = client_work(g, wire=True), client_work(m, wire=False)
        target = f"Google {step} of {n:,}: client-side work <= {GOOGLE_CLIENT_PER_MEMORY:g}x the memory backend's"
        if google is None:
            out.add(None, target, gsplit or missing(g, f"Google {step} at {n:,}"))
        elif memory is None:
            out.add(None, target, missing(m, f"memory {step} at {n:,}"))
        else:
            times = ratio(google, memory)
            out.at_most(times, GOOGLE_CLIENT_PER_MEMORY, target,
                        f"{google:.2f} s ({gsplit}; read {fmt(phase(g, 'read'), '.2f')} s, of which HTTP "
                        f"{fmt(phase(g, 'read.http'), '.2f')}) vs {memory:.2f} s ({msplit})"
                        + (f" = {times:.2f}x" if times is not None else ": the memory figure is 0 s")
                        + cpu_note(client_cpu(g), client_cpu(m)))


def _cold_to_cold(in_sync: float, in_sync_cpu: float | None, alone: Row) -> str:
    """analyse() alone's first run beside the figure: it pays what a process pays once (the
    examples' index, the patterns' compiles, the per-text caches), as the sync's one analyse
    does, so the sync against it is the two measured alike (the verdict stays against the
    best warm run)."""
    first, first_cpu = alone.get("first_seconds"), alone.get("first_cpu_seconds")
    if not first:
        return ""
    cold = f" (analyse() alone, first and cold run: {first:.2f} s; the sync's {in_sync / first:.2f}x it"
    if first_cpu and in_sync_cpu is not None:
        cold += f", CPU {in_sync_cpu:.2f} s vs {first_cpu:.2f} s = {in_sync_cpu / first_cpu:.2f}x"
    return cold + ")"


def _analyse_in_sync(rows: list[Row], n: int, out: Checks) -> None:
    s, alone, dom = (find(rows, n, "memory", step) for step in ("sync", "analyse", "domain"))
    limit = ANALYSE_IN_SYNC_PER_ALONE
    target = f"analyse inside the memory sync of {n:,} <= {limit:g}x analyse() alone"
    in_sync, by_itself = phase(s, "analyse"), seconds_of(alone)
    if in_sync is None or not by_itself:
        out.add(None, target, missing(s, f"memory sync at {n:,}") if in_sync is None
                else missing(alone, f"analyse step at {n:,}"))
    else:
        out.at_most(in_sync / by_itself, limit, target,
                    f"{in_sync:.2f} s vs {by_itself:.2f} s = {in_sync / by_itself:.2f}x"
                    + _cold_to_cold(in_sync, cpu(s, "analyse"), alone)
                    + cpu_note(cpu(s, "analyse"), cpu(alone)))

    named = [phase(s, p) for p in NAMED_PHASES]
    total, domain = (None if None in named else sum(named)), seconds_of(dom)
    target = (f"validate + classify + figures + circle_backs inside the memory sync of {n:,} "
              f"<= {limit:g}x the domain step alone")
    if total is None or not domain:
        out.add(None, target, missing(s, f"the named phases of the memory sync at {n:,}") if total is None
                else missing(dom, f"domain step at {n:,}"))
    else:
        parts = " + ".join(f"{x:.2f}" for x in named)
        named_cpu = [cpu(s, p) for p in NAMED_PHASES]
        out.at_most(total / domain, limit, target, f"{parts} = {total:.2f} s vs {domain:.2f} s = {total / domain:.2f}x"
                    + cpu_note(None if None in named_cpu else sum(named_cpu), cpu(dom)))


def _sync_growth(rows: list[Row], out: Checks) -> None:
    for backend, step, key in itertools.product(BACKENDS, ("sync", "resync"), ("seconds", "peak_mib")):
        a, b = find(rows, SMALL, backend, step), find(rows, BIG, backend, step)
        x, y = (a or {}).get(key), (b or {}).get(key)
        what = "time" if key == "seconds" else "peak RSS"
        target = f"growth {SMALL:,} -> {BIG:,} of the {backend} {step}'s {what} <= {GROWTH_20:g}x"
        if ratio(y, x) is None:
            out.add(None, target, missing(a if x is None else b, f"{backend} {step} at {SMALL if x is None else BIG:,}"))
            continue
        unit = (lambda v: f"{v:.2f} s") if key == "seconds" else (lambda v: f"{v:,.0f} MiB")
        ca, cb = cpu(a), cpu(b)
        note = f" (CPU {ca:.2f} s -> {cb:.2f} s = {cb / ca:.1f}x)" if key == "seconds" and ca and cb is not None else ""
        out.at_most(y / x, GROWTH_20, target, f"{unit(x)} -> {unit(y)} = {y / x:.1f}x{note}")
