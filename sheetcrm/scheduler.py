"""The scheduled sync behind ``run.py``: a loop an agency can leave running for months.

It keeps the sheet's owned columns and tabs fresh while people work in it
(DESIGN §7, ``python run.py``). What it promises:

* **It keeps going.** Each run reloads the settings (a config edit takes effect at
  the next run; a broken edit is one failed run, not a dead loop), opens the
  workbook or sheet, and calls :func:`sheetcrm.api.sync_workbook`. A failed run is
  logged with its reason and retried after 1, 2, 4 … minutes (at most an hour
  apart); scheduled runs that fall inside that back-off are skipped. One success
  resets it.
* **One run at a time.** Runs never overlap inside the process (a guard, and the
  ticks of the interval and the daily schedule that fall together make one run),
  and two run.py never serve the same workbook or sheet: :class:`ProcessLock` is
  held for the life of the process (the second is told who holds it and stops);
  each run takes the workbook's write lock like any other writer.
* **It stops cleanly.** On SIGINT/SIGTERM a run that is still reading or computing
  is abandoned (nothing was written yet); a run that is saving finishes its save
  first (the signal is deferred until the save returns), so the workbook is never
  half-written. Then the process exits 0.
* **One log line per run**, text or JSON (one object per line), with duration,
  rows read, cells written, issues found and circle-backs due; never a name, an
  email or a phone number (unexpected errors log their type and place, and the
  message and traceback only at debug level).

The clock is a seam: :class:`Clock` is real time; tests pass a fake one (and point
the ``schedule`` module's ``datetime`` at it), so nothing sleeps in tests.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import math
import os
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TextIO
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import schedule

from . import api, wakeup
from .config import Settings, load_settings
from .errors import ConfigError, SheetCRMError
from .process_lock import ProcessLock, lock_target  # noqa: F401  (re-exported: run.py's lock)
from .run_log import (  # noqa: F401
    LOG_FORMATS,
    JsonFormatter,
    TextFormatter,
    run_fields,
    run_line,
    setup_logging,
    where,
)
from .workbook.backends import Backend, open_backend
from .workbook.sync import SyncReport

LOG = logging.getLogger("sheetcrm.run")

BACKOFF_FIRST_SECONDS = 60.0
BACKOFF_MAX_SECONDS = 3600.0
# The loop wakes at least this often to re-read the wall clock (suspend, NTP jumps).
MAX_NAP_SECONDS = 60.0


class StopRequested(BaseException):
    """SIGINT/SIGTERM while nothing is being saved: unwind and stop.

    A BaseException so that the loop's ``except Exception`` (which keeps it alive
    through bad runs) cannot swallow it."""


# -- the schedule -------------------------------------------------------------

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


@dataclasses.dataclass(frozen=True)
class Plan:
    """When to sync, from ``schedule_every_minutes`` / ``schedule_daily_at`` /
    ``schedule_timezone``."""

    every_minutes: int
    daily_at: dt.time | None
    timezone: ZoneInfo

    @classmethod
    def from_settings(cls, settings: Settings) -> "Plan":
        at = settings.schedule_daily_at.strip()
        daily: dt.time | None = None
        if at:
            m = _HHMM.match(at)
            if not m:
                raise ConfigError(f"config key 'schedule.daily_at': expected HH:MM, e.g. 07:30 (got {at!r})")
            daily = dt.time(int(m[1]), int(m[2]))
        name = settings.schedule_timezone.strip() or "UTC"
        try:
            tz = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError(f"config key 'schedule.timezone': unknown time zone {name!r}; "
                              "use a name like Europe/Berlin or UTC") from None
        return cls(settings.schedule_every_minutes, daily, tz)

    @property
    def empty(self) -> bool:
        return not self.every_minutes and self.daily_at is None

    def describe(self) -> str:
        parts = []
        if self.every_minutes:
            parts.append("every minute" if self.every_minutes == 1 else f"every {self.every_minutes} minutes")
        if self.daily_at is not None:
            parts.append(f"daily at {self.daily_at:%H:%M} {self.timezone.key}")
        return " and ".join(parts) or "nothing scheduled"


def next_daily(at: dt.time, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """The next moment after ``now`` (aware) when clocks in ``tz`` show ``at``."""
    local = now.astimezone(tz)
    day = local.date()
    while True:
        moment = dt.datetime.combine(day, at, tzinfo=tz)
        if moment.astimezone(dt.timezone.utc) > now.astimezone(dt.timezone.utc):
            return moment
        day += dt.timedelta(days=1)


class Clock:
    """Real time. ``now()`` is naive local wall time, as the ``schedule`` package
    compares it; ``tz`` None means the system's time zone. Tests pass a fake."""

    tz: dt.tzinfo | None = None

    def now(self) -> dt.datetime:
        return dt.datetime.now()

    def sleep(self, seconds: float) -> None:
        wakeup.nap(seconds)  # not time.sleep: a signal just before it would not end it


def _aware(clock: Clock, naive: dt.datetime) -> dt.datetime:
    return naive.replace(tzinfo=clock.tz) if clock.tz is not None else naive.astimezone()


def _naive_local(clock: Clock, moment: dt.datetime) -> dt.datetime:
    local = moment.astimezone(clock.tz) if clock.tz is not None else moment.astimezone()
    return local.replace(tzinfo=None)


# -- the loop -----------------------------------------------------------------

@dataclasses.dataclass
class Outcome:
    """How one run went."""

    ok: bool
    report: SyncReport | None = None
    reason: str = ""
    seconds: float = 0.0


class _Guarded:
    """The real backend, with its write marked as the section a signal must wait for.
    Not a Backend subclass: everything else (including methods the interface may
    gain later) is delegated as it is."""

    def __init__(self, inner: Backend, loop: "SyncLoop"):
        self._inner, self._loop = inner, loop

    def read(self):
        return self._inner.read()

    def write(self, snapshot, changes):
        with self._loop._saving():
            return self._inner.write(snapshot, changes)

    def create(self, layout, force: bool = False) -> None:
        with self._loop._saving():
            self._inner.create(layout, force=force)

    def __getattr__(self, name: str) -> Any:  # describe(), ``requests`` for the report, ...
        if name.startswith("__") or name in ("_inner", "_loop"):
            raise AttributeError(name)
        return getattr(self._inner, name)


class _Jobs:
    """The schedule of a :class:`SyncLoop`: interval, daily and retry jobs, and the
    ticks they fire (one run per round of the scheduler at most)."""

    def apply_plan(self, plan: Plan) -> None:
        """(Re)build the jobs when the plan changed (it is re-read every run)."""
        if plan == self.plan:
            return
        changed = self.plan is not None
        self.plan = plan
        self.scheduler.clear("interval")
        self.scheduler.clear("daily")
        self._daily_job = None
        if plan.every_minutes:
            self.scheduler.every(plan.every_minutes).minutes.do(self.tick, "interval").tag("interval")
        if plan.daily_at is not None:
            self._add_daily()
        self.log.info("%s: sync %s; next run at %s", "schedule changed" if changed else "schedule",
                      plan.describe(), self._next_text(), extra={"fields": {"event": "schedule",
                                                                            "plan": plan.describe()}})

    def _add_daily(self) -> None:
        plan = self.plan
        assert plan is not None and plan.daily_at is not None
        # schedule's own .at(time, tz) needs pytz; the zone is converted here with
        # zoneinfo instead, to the naive local time schedule compares with. The job
        # is one-shot and re-added after each run, so DST changes are followed.
        target = _naive_local(self.clock, next_daily(plan.daily_at, plan.timezone, _aware(self.clock, self.clock.now())))
        job = self.scheduler.every().day.at(target.strftime("%H:%M:%S")).do(self._daily).tag("daily")
        job.next_run = target  # the exact moment, also on the odd day a DST change makes .at() guess wrong
        self._daily_job = job

    def _daily(self) -> type[schedule.CancelJob]:
        current = self._daily_job
        self.tick("daily")
        # A changed plan (reloaded during the run) has already replaced this job.
        if self._daily_job is current and self.plan is not None and self.plan.daily_at is not None:
            self._add_daily()
        return schedule.CancelJob

    def _retry(self) -> type[schedule.CancelJob]:
        self.tick("retry")
        return schedule.CancelJob

    def _next_text(self) -> str:
        nxt = self.scheduler.next_run
        return f"{nxt:%Y-%m-%d %H:%M:%S}" if nxt else "never"

    def tick(self, source: str = "manual") -> Outcome | None:
        """A scheduled moment: run unless stopping, backing off, already run this
        round, or a run is still going."""
        if self.stop_requested:
            return None
        if self._in_round and self._ran_this_round:
            return None  # the interval and the daily time fell together: one run is enough
        now = self.clock.now()
        if self.retry_at is not None and now < self.retry_at and source != "retry":
            self.ticks_skipped += 1
            self.log.info("skipped the %s run: backing off after %d failed runs, next try at %s", source,
                          self.failures, f"{self.retry_at:%H:%M:%S}",
                          extra={"fields": {"event": "sync", "status": "skipped", "source": source,
                                            "failures": self.failures}})
            return None
        if not self._busy.acquire(blocking=False):
            self.ticks_skipped += 1
            self.log.warning("skipped the %s run: the previous run is still going", source,
                             extra={"fields": {"event": "sync", "status": "skipped", "source": source,
                                               "reason": "previous run still going"}})
            return None
        try:
            self._ran_this_round = True
            return self.run_once(source)
        finally:
            self._busy.release()

    def run_pending(self) -> None:
        """One round of the scheduler: whatever is due runs, as one run at most."""
        self._in_round, self._ran_this_round = True, False
        try:
            self.scheduler.run_pending()
        finally:
            self._in_round, self._ran_this_round = False, False


class _Outcomes:
    """How a :class:`SyncLoop` run ends: logged, counted, and after a failure the
    back-off (1, 2, 4 … minutes, at most an hour)."""

    def _succeeded(self, report: SyncReport, started: float, source: str) -> Outcome:
        seconds = time.perf_counter() - started
        if self.failures:
            self.log.info("recovered after %d failed runs", self.failures)
        self.failures = 0
        self.retry_at = None
        self.scheduler.clear("retry")
        self.runs_ok += 1
        fields = {"event": "sync", "status": "ok", "source": source, "seconds": round(seconds, 3),
                  **run_fields(report)}
        self.log.info(run_line(fields), extra={"fields": fields})
        self.last = Outcome(True, report, "", seconds)
        return self.last

    def _failed(self, reason: str, kind: str, started: float, source: str) -> Outcome:
        seconds = time.perf_counter() - started
        self.failures += 1
        self.runs_failed += 1
        delay = min(BACKOFF_FIRST_SECONDS * 2 ** (self.failures - 1), BACKOFF_MAX_SECONDS)
        self.retry_at = self.clock.now() + dt.timedelta(seconds=delay)
        self.scheduler.clear("retry")
        if source != "once":
            self.scheduler.every(math.ceil(delay)).seconds.do(self._retry).tag("retry")
        fields = {"event": "sync", "status": "failed", "source": source, "seconds": round(seconds, 3),
                  "error": reason, "error_type": kind, "failures": self.failures,
                  "next_try": self.retry_at.isoformat(timespec="seconds") if source != "once" else None}
        tail = f"; failed runs in a row: {self.failures}, next try at {self.retry_at:%H:%M:%S}" if source != "once" else ""
        self.log.error("sync failed after %.2f s: %s%s", seconds, reason, tail, extra={"fields": fields})
        self.last = Outcome(False, None, reason, seconds)
        return self.last


class _Stopping:
    """Running a :class:`SyncLoop` until stopped: a signal abandons a run that has
    written nothing, and waits for a save that is under way."""

    def run_forever(self, plan: Plan) -> None:
        """First run right away, then on the plan until :meth:`request_stop`."""
        try:
            self.tick("start")
            if self.plan is None:  # the first run could not read the settings: keep the startup plan
                self.apply_plan(plan)
            while not self.stop_requested:
                self.run_pending()
                if self.stop_requested:
                    break
                idle = self.scheduler.idle_seconds
                nap = MAX_NAP_SECONDS if idle is None else min(max(idle, 0.0), MAX_NAP_SECONDS)
                self._interruptible = True
                try:
                    if not self.stop_requested:
                        self.clock.sleep(nap)
                finally:
                    self._interruptible = False
        except StopRequested:
            pass
        self.log.info("stopped (%s) after %d runs, %d failed", self.stop_reason or "asked to",
                      self.runs_ok + self.runs_failed, self.runs_failed,
                      extra={"fields": {"event": "stop", "reason": self.stop_reason, "runs_ok": self.runs_ok,
                                        "runs_failed": self.runs_failed}})

    def request_stop(self, reason: str = "stop requested") -> None:
        """Stop after the current run (what the signal handler does when a save is under way)."""
        self.stop_requested = True
        self.stop_reason = self.stop_reason or reason

    def on_signal(self, signum: int, frame: Any = None) -> None:
        """SIGINT/SIGTERM: abandon a run that has written nothing; let a save finish."""
        name = signal.Signals(signum).name
        self.request_stop(name)
        if self._in_save:
            self.log.info("%s received while saving; stopping as soon as the save is done", name)
            return
        if self._interruptible:
            self._interruptible = False
            raise StopRequested(name)

    @contextlib.contextmanager
    def _saving(self) -> Iterator[None]:
        self._interruptible = False  # first, so a signal can never find both flags off mid-switch and raise
        self._in_save = True
        try:
            yield
        finally:
            self._in_save = False


class SyncLoop(_Jobs, _Outcomes, _Stopping):
    """Runs syncs on a ``schedule.Scheduler()`` of its own.

    ``load`` returns fresh settings (called before every run); ``sync`` has the
    signature of :func:`api.sync_workbook`; ``open_backend`` opens the backend for
    the settings. Tests replace any of them, and the clock."""

    def __init__(self, load: Callable[[], Settings], *, dry_run: bool = False, today: dt.date | None = None,
                 clock: Clock | None = None, sync: Callable[..., SyncReport] | None = None,
                 open_backend: Callable[[Settings], Backend] = open_backend, lock_key: Any = None,
                 log: logging.Logger = LOG):
        self._load = load
        self._sync = sync or api.sync_workbook
        self._open_backend = open_backend
        self.dry_run = dry_run
        self.today = today
        self.clock = clock or Clock()
        self.log = log
        self.lock_key = lock_key  # what this process holds the lock for; a reload may not switch it
        self.scheduler = schedule.Scheduler()
        self.plan: Plan | None = None
        self.failures = 0  # failed runs in a row
        self.retry_at: dt.datetime | None = None  # clock.now() terms
        self.runs_ok = 0
        self.runs_failed = 0
        self.ticks_skipped = 0
        self.last: Outcome | None = None
        self.stop_requested = False
        self.stop_reason = ""
        self._busy = threading.Lock()
        self._daily_job: schedule.Job | None = None
        self._in_round = False
        self._ran_this_round = False
        self._interruptible = False
        self._in_save = False

    def run_once(self, source: str = "once") -> Outcome:
        """One sync, whatever happens: the outcome is logged and returned, never
        raised (except StopRequested, which abandons the run and stops)."""
        started = time.perf_counter()
        plan: Plan | None = None
        try:
            settings = self._load()  # every run: a config edit takes effect without a restart
            plan = Plan.from_settings(settings)
            self._check_target(settings)
            aware_now = _aware(self.clock, self.clock.now()).astimezone(plan.timezone)
            today = self.today or aware_now.date()
            backend: Any = _Guarded(self._open_backend(settings), self)
            self._interruptible = True
            try:
                report = self._sync(settings, today, now=aware_now.replace(tzinfo=None), dry_run=self.dry_run,
                                    backend=backend)
            finally:
                self._interruptible = False
        except StopRequested:
            self.log.info("run abandoned on %s before anything was written", self.stop_reason,
                          extra={"fields": {"event": "sync", "status": "abandoned", "source": source,
                                            "seconds": round(time.perf_counter() - started, 3)}})
            raise
        except SheetCRMError as exc:
            return self._failed(str(exc), type(exc).__name__, started, source)
        except Exception as exc:  # the loop must outlive any one bad run
            self.log.debug("unexpected error in a run", exc_info=True)
            return self._failed(f"unexpected {type(exc).__name__} at {where(exc)} (run with --verbose for details)",
                                type(exc).__name__, started, source)
        finally:
            # After the run, so the next interval counts from its end.
            if plan is not None and source != "once" and not self.stop_requested:
                self.apply_plan(plan)
        return self._succeeded(report, started, source)

    def _check_target(self, settings: Settings) -> None:
        if self.lock_key is None:
            return
        target = lock_target(settings)
        if (target[0] if target else None) != self.lock_key:
            raise ConfigError(f"the settings now point to {target[0] if target else 'another backend'}, but this "
                              f"run.py holds the lock for {self.lock_key}; restart run.py to switch")


# -- what run.py calls ----------------------------------------------------------

@dataclasses.dataclass
class RunResult:
    exit_code: int
    report: SyncReport | None = None


@contextlib.contextmanager
def _signals(loop: SyncLoop) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield  # signals can only be handled in the main thread; a caller elsewhere stops us with request_stop
        return
    with wakeup.signals_wake():  # before the handlers: every signal they catch ends a nap
        old = {s: signal.signal(s, loop.on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for s, handler in old.items():
                signal.signal(s, handler)


def run(config_path: str | Path | None = None, overrides: dict | None = None, *, once: bool = False,
        dry_run: bool = False, today: dt.date | None = None, log_format: str | None = None,
        verbose: bool = False, clock: Clock | None = None, log_stream: TextIO | None = None) -> RunResult:
    """The scheduled sync (``python run.py``): sync on the schedule from the
    settings until SIGINT/SIGTERM (exit code 0), or once with ``once``.

    Raises :class:`SheetCRMError` for what must be fixed before it can start (bad
    config, nothing scheduled, another process on the same workbook or sheet).
    A failed ``once`` run gives exit code 1."""
    def load() -> Settings:
        return load_settings(config_path, overrides=overrides)

    settings = load()
    setup_logging(log_format or settings.log_format, settings.log_file, verbose, log_stream)
    plan = Plan.from_settings(settings)
    if not once and plan.empty:
        raise ConfigError("nothing to schedule: set schedule.every_minutes and/or schedule.daily_at in the config "
                          "(or SHEETCRM_SCHEDULE_EVERY_MINUTES), or use --once")
    lock = ProcessLock(settings)
    loop = SyncLoop(load, dry_run=dry_run, today=today, clock=clock, lock_key=lock.what if lock.path else None)
    with lock, _signals(loop):
        LOG.info("sheetcrm run.py started for %s (pid %d)%s", lock.what, os.getpid(), " (dry run)" if dry_run else "",
                 extra={"fields": {"event": "start", "target": lock.what, "pid": os.getpid(), "dry_run": dry_run}})
        if once:
            try:
                outcome = loop.run_once("once")
            except StopRequested:
                return RunResult(0)
            return RunResult(0 if outcome.ok else 1, outcome.report)
        loop.run_forever(plan)
        return RunResult(0, loop.last.report if loop.last else None)
