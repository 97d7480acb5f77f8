#!/usr/bin/env python3
"""The scheduled sync: keeps the sheet fresh while people work in it (DESIGN §7).

The loop, the lock, the back-off and the signal handling live in
:mod:`sheetcrm.scheduler`; this file only parses options.
"""
from __future__ import annotations

import datetime as dt
import sys

import click

from sheetcrm import scheduler
from sheetcrm.cli import config_option, day_callback, global_overrides, sheet_option, workbook_option
from sheetcrm.errors import SheetCRMError


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@config_option
@workbook_option
@sheet_option
@click.option("--once", is_flag=True, help="Sync once and exit (for cron); exit 1 if the run failed.")
@click.option("--dry-run", is_flag=True, help="Work out what would change; write nothing.")
@click.option("--log-format", type=click.Choice(scheduler.LOG_FORMATS),
              help="Log lines as text or one JSON object per line (default: log_format in the config, else text).")
@click.option("-v", "--verbose", is_flag=True, help="Debug logging, with the traceback of unexpected errors.")
@click.option("--today", callback=day_callback(lambda: None),  # None: each run takes its own day in the schedule time zone
              metavar="YYYY-MM-DD", help="Pretend today is this date (tests).")
def main(config_path: str | None, workbook: str | None, sheet_key: str | None, once: bool, dry_run: bool,
         log_format: str | None, verbose: bool, today: dt.date | None) -> None:
    """Sync on the schedule from the config (every N minutes and/or daily at
    HH:MM) until stopped with Ctrl-C or SIGTERM; --once for one run. Logs go
    to stderr (and to log_file from the config), one line per run.

    \b
    Example:
      python run.py --workbook agency.xlsx --once
      python run.py --config /etc/sheetcrm/sheetcrm.toml --log-format json
    """
    try:
        result = scheduler.run(config_path, global_overrides(workbook, sheet_key), once=once, dry_run=dry_run,
                               today=today, log_format=log_format, verbose=verbose)
    except SheetCRMError as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(exc.exit_code)
    if once and result.report is not None:
        for line in result.report.lines():
            click.echo(line)
    sys.exit(result.exit_code)


if __name__ == "__main__":
    main(prog_name="run.py")
