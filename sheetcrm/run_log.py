"""The log of the scheduled sync: one line per run, text or JSON, never a person's data."""
from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .errors import ConfigError

if TYPE_CHECKING:
    from .workbook.sync import SyncReport

LOG_FORMATS = ("text", "json")


def _stamp(record: logging.LogRecord) -> str:
    return dt.datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="seconds")


class TextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = f"{_stamp(record)} {record.levelname} {record.getMessage()}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class JsonFormatter(logging.Formatter):
    """One JSON object per line for log collectors: time, level, message, and the
    record's ``fields`` (the run figures) as top-level keys."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {"time": _stamp(record), "level": record.levelname.lower(),
                               "logger": record.name, "message": record.getMessage()}
        out.update(getattr(record, "fields", None) or {})
        if record.exc_info:
            out["traceback"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


def setup_logging(fmt: str = "text", log_file: Path | None = None, verbose: bool = False,
                  stream: TextIO | None = None) -> logging.Logger:
    """Log the ``sheetcrm`` package to stderr (and append to ``log_file``). Calling
    it again replaces what an earlier call set up."""
    if fmt not in LOG_FORMATS:
        raise ConfigError(f"config key 'log_format': expected one of {', '.join(LOG_FORMATS)} (got {fmt!r})")
    logger = logging.getLogger("sheetcrm")
    for h in [h for h in logger.handlers if getattr(h, "_sheetcrm_run", False)]:
        logger.removeHandler(h)
        h.close()
    formatter = JsonFormatter() if fmt == "json" else TextFormatter()
    handlers: list[logging.Handler] = [logging.StreamHandler(stream or sys.stderr)]
    if log_file is not None:
        try:
            Path(log_file).parent.mkdir(parents=True, exist_ok=True)
            # Watched: logrotate may move the file; we reopen it instead of writing into the moved one.
            handlers.append(logging.handlers.WatchedFileHandler(log_file, encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"config key 'log_file': cannot write {log_file} ({exc.strerror})") from None
    for h in handlers:
        h.setFormatter(formatter)
        h._sheetcrm_run = True  # type: ignore[attr-defined]
        logger.addHandler(h)
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False
    return logger


def where(exc: BaseException) -> str:
    """file:line of the innermost frame: enough to report a bug, and unlike the
    message it cannot carry a candidate's data."""
    frames = traceback.extract_tb(exc.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{Path(last.filename).name}:{last.lineno}"


def run_fields(report: SyncReport) -> dict[str, Any]:
    """The figures of one run, for the log line."""
    written = report.cells_changed if report.written else 0
    return {
        "rows_read": dict(report.rows_read),
        "rows_read_total": sum(report.rows_read.values()),
        "cells_written": written,
        "cells_to_write": report.cells_changed if report.dry_run else written,
        "tabs_rewritten": len(report.tabs_rewritten) if report.written else 0,
        "rows_skipped": report.skipped_rows,
        "issues": report.errors + report.warnings,
        "errors": report.errors,
        "warnings": report.warnings,
        "ids_assigned": report.ids_assigned,
        "circle_backs_due": report.circle_backs_due,
        "circle_backs_overdue": report.circle_backs_overdue,
        "dry_run": report.dry_run,
        "waited": report.waited,  # another writer held the workbook's write lock first
    }


def run_line(f: dict[str, Any]) -> str:
    read = ", ".join(f"{n} {k}" for k, n in f["rows_read"].items())
    if f["dry_run"]:
        wrote = f"would write {f['cells_to_write']} cells (dry run)"
    else:
        wrote = f"wrote {f['cells_written']} cells, rewrote {f['tabs_rewritten']} tabs"
        if f["rows_skipped"]:
            wrote += f", left {f['rows_skipped']} moved rows for the next run"
    return (f"sync ok in {f['seconds']:.2f} s: read {read}; {wrote}; "
            f"{f['issues']} issues ({f['errors']} errors, {f['warnings']} warnings); "
            f"circle-backs {f['circle_backs_due']} due, {f['circle_backs_overdue']} overdue"
            + (f"; {f['waited']}" if f.get("waited") else ""))
