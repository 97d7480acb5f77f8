"""run.py as people run it: a real process, real signals, a real workbook."""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from sheetcrm import schema, scheduler
from sheetcrm.config import Settings

ROOT = Path(__file__).resolve().parents[1]
RUN_PY = ROOT / "run.py"
RUN_PAUSED = Path(__file__).resolve().parent / "data" / "run_paused.py"  # run.py pausing in a read or save
sys.path.insert(0, str(ROOT))
import run  # noqa: E402  (run.py at the repository root)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHEETCRM_")}
    env.update(extra)
    return env


def run_py(*args: str, cwd: Path, timeout: float = 120, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(RUN_PY), *args], cwd=cwd, env=clean_env(**env),
                          capture_output=True, text=True, timeout=timeout)


class Running:
    """run.py in the background, its stderr read line by line."""

    def __init__(self, *args: str, cwd: Path, pause: str | None = None, **env: str):
        command = [str(RUN_PAUSED), pause] if pause else [str(RUN_PY)]
        self.proc = subprocess.Popen([sys.executable, *command, *args], cwd=cwd, env=clean_env(**env),
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._q: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stderr:
            self._q.put(line.rstrip("\n"))
        self._q.put(None)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._q.get(timeout=0.1)
            except queue.Empty:
                continue
            if line is None:
                raise AssertionError(f"run.py ended before saying {text!r}:\n" + "\n".join(self.lines))
            self.lines.append(line)
            if text in line:
                return line
        raise AssertionError(f"run.py did not say {text!r} within {timeout} s:\n" + "\n".join(self.lines))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout)
        while True:
            try:
                line = self._q.get(timeout=5)
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


@pytest.fixture
def running():
    started: list[Running] = []

    def start(*args: str, cwd: Path, pause: str | None = None, **env: str) -> Running:
        r = Running(*args, cwd=cwd, pause=pause, **env)
        started.append(r)
        return r

    yield start
    for r in started:
        r.kill()


def grid(path: Path) -> dict[str, list[list[object]]]:
    wb = openpyxl.load_workbook(path)  # it opens: the file is whole
    try:
        return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}
    finally:
        wb.close()


def assert_people_cells_unchanged(before: dict, after: dict, settings: Settings) -> None:
    """Every cell people own is as it was; sheetcrm may only have filled owned
    columns and blank candidate ids (DESIGN §3)."""
    for key in schema.INPUT_TABS:
        title = settings.tab_title(key)
        owned = {c.name for c in schema.INPUT_TAB_SCHEMAS[key].owned_columns}
        header = [schema.normalise_header(h) if h else None for h in before[title][0]]
        assert len(after[title]) == len(before[title]), title
        for r, row in enumerate(before[title]):
            for c, value in enumerate(row):
                name = header[c]
                if r == 0 or name not in owned:
                    if key == schema.CANDIDATES and name == "candidate_id" and value is None and r:
                        continue
                    assert after[title][r][c] == value, (title, r + 1, name)


def owned_values(g: dict, settings: Settings, column: str = "circle_back_status") -> list[object]:
    rows = g[settings.tab_title(schema.CANDIDATES)]
    col = [schema.normalise_header(h) if h else None for h in rows[0]].index(column)
    return [r[col] for r in rows[1:]]


def leftovers(path: Path) -> list[str]:
    return sorted(p.name for p in path.parent.iterdir() if "tmp" in p.name)


# -- options and exit codes ----------------------------------------------------------

def test_help_shows_the_options_and_an_example():
    result = CliRunner().invoke(run.main, ["--help"], prog_name="run.py")
    assert result.exit_code == 0
    for option in ("--config", "--workbook", "--sheet", "--once", "--dry-run", "--log-format", "--today"):
        assert option in result.output
    assert "Example:" in result.output and "python run.py --workbook agency.xlsx --once" in result.output


@pytest.mark.parametrize("args, message", [
    (["--log-format", "xml"], "'xml' is not one of 'text', 'json'"),
    (["--today", "22/11/2026", "--once"], "use YYYY-MM-DD"),
    (["--frequency", "5"], "No such option"),
])
def test_usage_errors_exit_2(args, message):
    result = CliRunner().invoke(run.main, args, prog_name="run.py")
    assert result.exit_code == 2 and message in result.output


@pytest.fixture
def in_process(monkeypatch, tmp_path):
    """run.py's command in this process (CliRunner), in tmp_path, with no
    SHEETCRM_* from the environment; the logging it sets up is undone after."""
    import logging

    for name in [k for k in os.environ if k.startswith("SHEETCRM_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    logger = logging.getLogger("sheetcrm")
    monkeypatch.setattr(logger, "handlers", list(logger.handlers))
    monkeypatch.setattr(logger, "propagate", logger.propagate)
    monkeypatch.setattr(logger, "level", logger.level)
    return lambda args, env=None: CliRunner().invoke(run.main, args, env=env, prog_name="run.py")


@pytest.mark.parametrize("args, env, message", [
    (["--workbook", "missing.xlsx", "--once"], {}, "workbook missing.xlsx does not exist"),
    (["--config", "nope.toml", "--once"], {}, "Error: config file nope.toml does not exist"),
    (["--workbook", "demo.xlsx"], {"SHEETCRM_SCHEDULE_EVERY_MINUTES": "0"}, "Error: nothing to schedule"),
    (["--workbook", "demo.xlsx"], {"SHEETCRM_SCHEDULE_DAILY_AT": "7am"}, "config key 'schedule.daily_at'"),
    (["--workbook", "demo.xlsx"], {"SHEETCRM_SCHEDULE_TIMEZONE": "Mars/Olympus"}, "unknown time zone"),
    (["--workbook", "demo.xlsx"], {"SHEETCRM_LOG_FORMAT": "xml"}, "config key 'log_format'"),
])
def test_problems_the_user_must_fix_exit_1_with_one_line(demo_xlsx, in_process, args, env, message):
    demo_xlsx(20)
    result = in_process(args, env)
    assert result.exit_code == 1, result.output
    assert message in result.output and "Traceback" not in result.output


# -- --once ----------------------------------------------------------------------

def test_once_syncs_prints_what_changed_and_logs_one_line(demo_xlsx, settings):
    path = demo_xlsx(60)
    before = grid(path)
    first = run_py("--workbook", path.name, "--once", "--today", "2026-11-22", cwd=path.parent)
    assert first.returncode == 0, first.stderr
    assert "changed" in first.stdout and "circle-backs:" in first.stdout
    runs = [line for line in first.stderr.splitlines() if " sync ok in " in line]
    assert len(runs) == 1 and "wrote " in runs[0]
    assert_people_cells_unchanged(before, grid(path), settings)
    second = run_py("--workbook", path.name, "--once", "--today", "2026-11-22", cwd=path.parent)
    assert second.returncode == 0 and "no changes" in second.stdout


def test_once_dry_run_writes_nothing(demo_xlsx):
    path = demo_xlsx(30)
    data = path.read_bytes()
    result = run_py("--workbook", str(path), "--once", "--dry-run", "--log-format", "json", cwd=path.parent)
    assert result.returncode == 0, result.stderr
    assert "would change" in result.stdout and path.read_bytes() == data
    records = [json.loads(line) for line in result.stderr.splitlines()]
    sync = [r for r in records if r.get("event") == "sync"]
    assert len(sync) == 1 and sync[0]["dry_run"] is True and sync[0]["cells_written"] == 0
    assert sync[0]["cells_to_write"] > 0


def test_once_reads_the_config_file_and_its_log_file(demo_xlsx, tmp_path):
    path = demo_xlsx(20)
    config = tmp_path / "conf" / "sheetcrm.toml"
    config.parent.mkdir()
    config.write_text(f'[sheetcrm]\nworkbook = "../{path.name}"\nlog_format = "json"\nlog_file = "../logs/run.log"\n')
    result = run_py("--config", str(config), "--once", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    logged = (tmp_path / "logs" / "run.log").read_text()
    assert logged == result.stderr and json.loads(logged.splitlines()[-1])["status"] == "ok"


def test_a_failed_once_run_exits_1(demo_xlsx):
    path = demo_xlsx(20)
    excel = path.with_name("~$" + path.name)
    excel.write_text("someone")  # the workbook is open in Excel
    result = run_py("--workbook", str(path), "--once", cwd=path.parent)
    assert result.returncode == 1
    assert "sync failed" in result.stderr and "open in Excel or LibreOffice" in result.stderr


# -- one process per workbook --------------------------------------------------------

def test_a_second_process_on_the_same_workbook_is_refused(demo_xlsx, running):
    path = demo_xlsx(30)
    first = running("--workbook", str(path), cwd=path.parent)
    first.wait_for("sync ok in")
    second = run_py("--workbook", path.name, "--once", cwd=path.parent)
    assert second.returncode == 1
    line = second.stderr.strip()
    assert line.startswith(f"Error: workbook {path.resolve()} is already being synced by pid {first.proc.pid} "
                           f"on host {socket.gethostname()} since ")
    assert "\n" not in line
    assert first.stop() == 0
    assert any("stopped (SIGTERM)" in line for line in first.lines)


def test_a_process_holding_the_lock_in_this_test_refuses_run_py(demo_xlsx, settings):
    path = demo_xlsx(20)
    with scheduler.ProcessLock(settings.replace(workbook=path)):
        result = run_py("--workbook", str(path), "--once", cwd=path.parent)
    assert result.returncode == 1 and f"pid {os.getpid()}" in result.stderr


# -- stopping -----------------------------------------------------------------------

@pytest.mark.parametrize("sig", [signal.SIGINT])  # SIGTERM: see the second-process test
def test_a_signal_while_waiting_stops_at_once_with_exit_0(demo_xlsx, running, sig):
    path = demo_xlsx(20)
    proc = running("--workbook", str(path), cwd=path.parent)
    proc.wait_for("sync ok in")
    started = time.monotonic()
    assert proc.stop(sig) == 0
    assert time.monotonic() - started < 10
    assert any(f"stopped ({signal.Signals(sig).name})" in line for line in proc.lines)
    assert not leftovers(path)


def test_sigterm_while_saving_lets_the_save_finish_and_leaves_a_whole_workbook(demo_xlsx, running, settings):
    path = demo_xlsx(60)
    before = grid(path)
    proc = running("--workbook", str(path), "--today", "2026-11-22", cwd=path.parent,
                   pause="write:2")
    proc.wait_for("test hook: pausing")  # inside the save section: the signal must wait for the save
    assert proc.stop() == 0
    log = "\n".join(proc.lines)
    assert "SIGTERM received while saving" in log and " sync ok in " in log and "stopped (SIGTERM)" in log
    after = grid(path)
    assert_people_cells_unchanged(before, after, settings)
    assert owned_values(after, settings) != owned_values(before, settings)  # the save happened, whole
    assert not leftovers(path)


def test_sigterm_while_reading_abandons_the_run_and_writes_nothing(demo_xlsx, running):
    path = demo_xlsx(60)
    data = path.read_bytes()
    proc = running("--workbook", str(path), cwd=path.parent, pause="read:30")
    proc.wait_for("test hook: pausing")
    started = time.monotonic()
    assert proc.stop() == 0
    assert time.monotonic() - started < 20  # it did not sit out the 30 s pause
    assert any("run abandoned on SIGTERM before anything was written" in line for line in proc.lines)
    assert path.read_bytes() == data and not leftovers(path)


@pytest.mark.parametrize("delay", [0.3, 0.8])
def test_sigterm_at_any_moment_of_a_run_never_leaves_a_half_written_workbook(demo_xlsx, running, settings, delay):
    path = demo_xlsx(400)
    before = grid(path)
    proc = running("--workbook", str(path), "--today", "2026-11-22", "--verbose", cwd=path.parent)
    proc.wait_for("run.py started")
    time.sleep(delay)
    assert proc.stop() == 0
    after = grid(path)
    assert_people_cells_unchanged(before, after, settings)
    assert not leftovers(path)


def test_an_error_line_never_quotes_a_persons_row(tmp_path, in_process):
    """Issue 14 case 10: row 1 of Candidates holds a person's row (the header row was deleted)."""
    import openpyxl

    path = tmp_path / "people.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Candidates"
    wb["Candidates"].append(["C-00007", "Hana Lindqvist", "hana.lindqvist@example.com", "+44 7700 900123"])
    wb.create_sheet("Positions").append(["position_id", "title", "status"])
    wb.create_sheet("Pipeline").append(["candidate_id", "position_id"])
    wb.save(path)
    result = in_process(["--workbook", str(path), "--once"])
    assert result.exit_code == 1 and "tab 'Candidates'" in result.output, result.output
    for secret in ("Hana", "Lindqvist", "example.com", "900123", "C-00007"):
        assert secret not in result.output
