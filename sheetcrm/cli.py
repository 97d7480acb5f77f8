"""Thin click layer: parse options, call one library function, print its result.

Errors from the library (``SheetCRMError``) become one line on stderr and exit 1,
here and only here; click's usage errors exit 2.
"""
from __future__ import annotations

import datetime as dt
import functools
import sys

import click

from . import api, output
from .config import Settings, load_settings
from .errors import SheetCRMError


class SheetCRMGroup(click.Group):
    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SheetCRMError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written.", err=True)
            ctx.exit(130)


def _today(ctx, param, value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use YYYY-MM-DD, e.g. 2026-11-22") from None


today_option = click.option("--today", callback=_today, metavar="YYYY-MM-DD",
                            help="Pretend today is this date (default: today).")
format_option = click.option("--format", "fmt", type=click.Choice(output.FORMATS), default="table",
                             show_default=True, help="Output format; json is for scripts.")


def settings_from(ctx: click.Context) -> Settings:
    """Settings load lazily, so a bad config is reported as one line by the group."""
    obj = ctx.find_root().obj
    if obj.get("settings") is None:
        obj["settings"] = load_settings(obj["config"], overrides=obj["overrides"])
    return obj["settings"]


def pass_settings(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(settings_from(click.get_current_context()), *args, **kwargs)
    return wrapper


@click.group(cls=SheetCRMGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="SHEETCRM_CONFIG",
              help="Config file (default: config/sheetcrm.toml if present).")
@click.option("--workbook", type=click.Path(dir_okay=False), help="Use the local .xlsx workbook at this path.")
@click.option("--sheet", "sheet_key", help="Use the Google Sheet with this key.")
@click.version_option(package_name="sheetcrm")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, workbook: str | None, sheet_key: str | None) -> None:
    """sheetcrm: a spreadsheet as the candidate database of a recruiting agency.

    \b
    Example:
      sheetcrm init --demo 200 && sheetcrm sync
    """
    overrides: dict = {}
    if workbook:
        overrides.update(backend="xlsx", workbook=workbook)
    if sheet_key:
        overrides.update(backend="gsheets", sheet_key=sheet_key)
    ctx.obj = {"config": config_path, "overrides": overrides, "settings": None}


@cli.command()
@click.option("--demo", type=click.IntRange(1, 1_000_000), metavar="N", help="Fill N synthetic candidates.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed for --demo.")
@click.option("--force", is_flag=True, help="Replace an existing workbook.")
@today_option
@pass_settings
def init(settings: Settings, demo: int | None, seed: int, force: bool, today: dt.date) -> None:
    """Create the workbook: tabs, headers, dropdowns and highlighting.

    \b
    Example:
      sheetcrm --workbook agency.xlsx init --demo 500
    """
    result = api.init_workbook(settings, today, demo=demo, force=force, seed=seed)
    click.echo(f"created {result.where}: {result.candidates} candidates, {result.positions} positions, "
               f"{result.pipeline} pipeline rows")


@cli.command()
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@today_option
@pass_settings
def sync(settings: Settings, dry_run: bool, today: dt.date) -> None:
    """Validate, classify, compute and flag; write owned columns and tabs.

    \b
    Example:
      sheetcrm --workbook agency.xlsx sync --dry-run
    """
    report = api.sync_workbook(settings, today, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)


@cli.command()
@format_option
@today_option
@pass_settings
def validate(settings: Settings, fmt: str, today: dt.date) -> None:
    """List every problem in the workbook; exit 1 when any is an error.

    \b
    Example:
      sheetcrm validate --format csv > problems.csv
    """
    issues = api.validate_workbook(settings, today)
    click.echo(output.render(issues, fmt))
    if (issues["severity"] == "error").any():
        sys.exit(1)



@cli.group(cls=SheetCRMGroup)
def report() -> None:
    """Reports: pipeline figures, circle-backs, rejection reasons, talent.

    \b
    Example:
      sheetcrm report pipeline --format json
    """


def main() -> None:  # console script
    cli(prog_name="sheetcrm")
