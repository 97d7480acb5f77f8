"""bench/RESULTS.md: the figures of one benchmark run, the machine it ran on and the
code it measured, written by ``python bench/run.py ... --results FILE``.

The commit and the working tree's state are read when the run starts (the code the
measurements ran); the load average at the start and at the end of the run say how
busy the machine was (each sync row also keeps the load of its own measurement).
"""
from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The one command that regenerates bench/RESULTS.md (issue 20's Done-when, plus --results).
COMMAND = "python bench/run.py --sizes 10000,100000 --xlsx-max 100000 --results bench/RESULTS.md"
MAX_DIRTY_LISTED = 8


def load_average() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _proc_field(path: str, field: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if line.split(":", 1)[0].strip() == field:
                    return line.split(":", 1)[1].strip()
    except OSError:
        return None
    return None


def machine() -> dict[str, Any]:
    """CPU model and count, RAM, OS, Python and pandas versions, load average now."""
    import pandas

    mem_kib = _proc_field("/proc/meminfo", "MemTotal")
    return {
        "cpu": _proc_field("/proc/cpuinfo", "model name") or platform.processor() or "unknown CPU",
        "cpus": os.cpu_count(),
        "ram_gib": round(int(mem_kib.split()[0]) / 1024 / 1024, 1) if mem_kib else None,
        "os": f"{platform.system()} {platform.release()} {platform.machine()}",
        "python": platform.python_version(),
        "pandas": pandas.__version__,
        "load_avg": load_average(),
    }


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, timeout=30, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def git_state(ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    """The commit measured and the files that differ from it (``ignore``: the files this
    run writes itself, e.g. the results file)."""
    head = _git("log", "-1", "--format=%H%x00%cI%x00%s")
    if head is None:
        return {"commit": None, "dirty": None, "changed": []}
    commit, date, subject = (head.strip().split("\0") + ["", ""])[:3]
    ignored = {Path(p).resolve() for p in ignore}
    changed = [line[3:].strip() for line in (_git("status", "--porcelain") or "").splitlines() if line.strip()]
    changed = [c for c in changed if (ROOT / c).resolve() not in ignored]
    return {"commit": commit, "date": date, "subject": subject, "dirty": bool(changed), "changed": changed}


def _short(subject: str, most: int = 72) -> str:
    return subject if len(subject) <= most else subject[: most - 3].rstrip() + "..."


def _load(load: list[float] | None) -> str:
    return " / ".join(f"{x:.2f}" for x in load) if load else "not available"


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _verdict_table(verdicts: list[tuple[str, str, str]]) -> list[str]:
    if not verdicts:
        return ["(nothing measured)"]
    lines = ["| verdict | target | figure |", "|---|---|---|"]
    lines += [f"| **{v}** | {_cell(t)} | {_cell(f)} |" if v in ("PASS", "FAIL") else f"| {v} | {_cell(t)} | {_cell(f)} |"
              for v, t, f in verdicts]
    return lines


def header(run: dict[str, Any]) -> list[str]:
    """Title, how to regenerate, the code, the machine."""
    m, g, cpus = run["machine"], run["git"], run["machine"]["cpus"] or 1
    tree = ("clean" if not g.get("dirty") else
            f"DIRTY ({len(g['changed'])} changed: {', '.join(g['changed'][:MAX_DIRTY_LISTED])}"
            + (", ..." if len(g["changed"]) > MAX_DIRTY_LISTED else "") + ")")
    out = ["# sheetcrm benchmark results", "",
           "Regenerate this file with one command (it runs every step, baselines included; "
           "see the README's Benchmarks section):", "", "```sh", COMMAND, "```", "",
           f"- Written by `{run['command']}`, started {run['started']} UTC, {run['elapsed'] / 60:.1f} min.",
           f"- Code: commit `{g.get('commit') or 'unknown'}` ({_cell(_short(g.get('subject') or ''))}); "
           f"working tree {tree}.",
           f"- Machine: {m['cpu']}, {m['cpus']} CPUs, {m['ram_gib']} GiB RAM, {m['os']}.",
           f"- Load average (1 / 5 / 15 min): {_load(run['load_start'])} at the start, "
           f"{_load(run['load_end'])} at the end.",
           f"- Python {m['python']}, pandas {m['pandas']}."]
    busiest = max((run["load_start"] or [0])[0], (run["load_end"] or [0])[0])
    if busiest > cpus:
        out += ["", f"> The machine was busy (load {busiest:.1f} on {cpus} CPUs): the seconds are inflated. "
                "The ratios compare figures of the same run; regenerate on a quiet machine for final figures."]
    if not run.get("full"):
        out += ["", "> Not the full command above (fewer sizes, steps or backends): some targets are n/a."]
    return out


def render(run: dict[str, Any]) -> str:
    """The whole file. ``run``: command, full (the full command's sizes, steps and
    backends?), started, elapsed, machine, git, load_start, load_end, issue20 and issue9
    (verdicts), table and phases (text)."""
    out = header(run)
    out += ["", "## Targets (issue 20)", "", *_verdict_table(run["issue20"])]
    out += ["", "## Targets (issues 9 and 12)", "", *_verdict_table(run["issue9"])]
    out += ["", "## Figures", "",
            "seconds: wall time (pure steps: best of up to 3 runs); peak MiB: peak RSS of the measuring process "
            "during the step; requests: HTTP requests per sync as the stand-in counted them; baseline: naive "
            "row-by-row Python or per-cell gspread calls.", "", "```text", run["table"], "```"]
    if run.get("phases"):
        out += ["", "## Where the time of a sync goes (seconds)", "", "```text", run["phases"], "```"]
    out += durations(run.get("rows") or [], run["elapsed"])
    return "\n".join(out) + "\n"


def durations(rows: list[dict[str, Any]], elapsed: float) -> list[str]:
    """How long each measurement subprocess took, all in (inputs, baselines, both syncs):
    what the run's duration is made of."""
    timed = [r for r in rows if r.get("wall_seconds") is not None]
    if not timed:
        return []
    out = ["", f"## What the run's {elapsed / 60:.1f} minutes are made of", "",
           "| size | backend | step | minutes | share |", "|---|---|---|---|---|"]
    out += [f"| {r['size']:,} | {r['backend']} | {r['step']} | {r['wall_seconds'] / 60:.1f} | "
            f"{r['wall_seconds'] / elapsed:.0%} |" for r in timed]
    return out


def write(path: str, run: dict[str, Any]) -> None:
    Path(path).write_text(render(run), encoding="utf-8")
