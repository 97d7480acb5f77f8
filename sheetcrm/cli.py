"""Thin click layer: parse options, call one library function, print its result.

Errors from the library (``SheetCRMError``) become one line on stderr and exit 1,
here and only here; click's usage errors exit 2.
"""
from __future__ import annotations

import datetime as dt
import functools
import sys
from collections.abc import Callable

import click

from . import api, output
from .config import Settings, load_settings
from .errors import SheetCRMError


def day_callback(default: Callable[[], dt.date | None]) -> Callable[..., dt.date | None]:
    """A `--today YYYY-MM-DD` option's reader; without the option, ``default()``."""
    def read(ctx, param, value: str | None) -> dt.date | None:
        if value is None:
            return default()
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise click.BadParameter("use YYYY-MM-DD, e.g. 2026-11-22") from None
    return read


today_option = click.option("--today", callback=day_callback(lambda: dt.date.today()), metavar="YYYY-MM-DD",
                            help="Pretend today is this date (default: today).")
owner_option = click.option("--owner", metavar="NAME", help="Only this owner's people (`team`: people with no owner).")
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


# The global options, shared with run.py (the scheduled sync) so both read settings the same way.
config_option = click.option("--config", "config_path", type=click.Path(dir_okay=False), envvar="SHEETCRM_CONFIG",
                             help="Config file (default: config/sheetcrm.toml if present).")
workbook_option = click.option("--workbook", type=click.Path(),  # a folder: one line from the backend, exit 1
                               help="Use the local .xlsx workbook at this path.")
sheet_option = click.option("--sheet", "sheet_key", metavar="KEY|URL",
                            help="Use the Google Sheet with this key or URL (https://docs.google.com/spreadsheets/d/KEY/...).")


def global_overrides(workbook: str | None, sheet_key: str | None) -> dict:
    """--workbook / --sheet as settings overrides (they also pick the backend)."""
    overrides: dict = {}
    if workbook:
        overrides.update(backend="xlsx", workbook=workbook)
    if sheet_key:
        overrides.update(backend="gsheets", sheet_key=sheet_key)
    return overrides


def _global_after_command(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """A global option given after the command name means what it means before it."""
    if value is None:
        return
    obj = ctx.find_root().obj
    if param.name == "config_path":
        obj["config"] = value
    else:
        obj["overrides"].update(global_overrides(**{"workbook": None, "sheet_key": None, param.name: value}))
    obj["settings"] = None


def _global_params() -> list[click.Option]:
    def again(decorator) -> click.Option:
        option = decorator(lambda: None).__click_params__[0]
        option.envvar = None  # read once, by the group
        option.callback, option.expose_value = _global_after_command, False
        return option
    return [again(config_option), again(workbook_option), again(sheet_option)]


class GlobalOptionsCommand(click.Command):
    """Every command also accepts --config, --workbook and --sheet after its name."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.params.extend(_global_params())


class SheetCRMGroup(click.Group):
    command_class = GlobalOptionsCommand

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except SheetCRMError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(exc.exit_code)
        except KeyboardInterrupt:
            click.echo("Interrupted; nothing half-written.", err=True)
            ctx.exit(130)


@click.group(cls=SheetCRMGroup, context_settings={"help_option_names": ["-h", "--help"]})
@config_option
@workbook_option
@sheet_option
@click.version_option(package_name="sheetcrm")
@click.pass_context
def cli(ctx: click.Context, config_path: str | None, workbook: str | None, sheet_key: str | None) -> None:
    """sheetcrm: a spreadsheet as the candidate database of a recruiting agency.

    \b
    Example:
      sheetcrm init --demo 200 && sheetcrm sync
    """
    ctx.obj = {"config": config_path, "overrides": global_overrides(workbook, sheet_key), "settings": None}


@cli.command()
@click.option("--demo", type=click.IntRange(1, 1_000_000), metavar="N", help="Fill N synthetic candidates.")
@click.option("--seed", type=int, default=7, show_default=True, help="Random seed for --demo.")
@click.option("--force", is_flag=True, help="Replace an existing workbook.")
@click.option("--upgrade", is_flag=True,
              help="Add what is missing to an existing workbook (tabs, columns, dropdowns, formats, highlighting); "
                   "changes no person's cell.")
@today_option
@pass_settings
def init(settings: Settings, demo: int | None, seed: int, force: bool, upgrade: bool, today: dt.date) -> None:
    """Create the workbook: tabs, headers, dropdowns and highlighting.

    \b
    Example:
      sheetcrm --workbook agency.xlsx init --demo 500
      sheetcrm init --upgrade --workbook the-sheet-we-already-keep.xlsx
      sheetcrm --sheet KEY init --upgrade
    """
    if upgrade:
        if demo or force:
            raise click.UsageError("--upgrade keeps the workbook: it cannot be combined with --demo or --force")
        for line in api.upgrade_workbook(settings).lines():
            click.echo(line)
        return
    result = api.init_workbook(settings, today, demo=demo, force=force, seed=seed)
    if result.waited:
        click.echo(result.waited)
    click.echo(f"created {result.where}: {result.candidates} candidates, {result.positions} positions, "
               f"{result.pipeline} pipeline rows, {result.touchpoints} touchpoints")


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
    now = dt.datetime.combine(today, dt.datetime.now().time().replace(microsecond=0))  # the Summary title's time
    report = api.sync_workbook(settings, today, now=now, dry_run=dry_run)
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


@report.command("pipeline")
@click.option("--position", "position_id", metavar="ID", help="Only this position (or ALL).")
@click.option("--by", type=click.Choice(["source", "owner", "quarter"]),
              help="Group by the candidate's source or owner, or the quarter of first contact, instead of position.")
@click.option("--plot", type=click.Path(dir_okay=False), metavar="FILE.png",
              help="Also draw the funnel (contacted, responded, interested, hired; hard-no / soft-no) as a PNG.")
@format_option
@today_option
@pass_settings
def report_pipeline(settings: Settings, position_id: str | None, by: str | None, plot: str | None, fmt: str,
                    today: dt.date) -> None:
    """Pipeline figures per position (or per source, owner, quarter) and for ALL:
    contacted, responses per call, interest, hard-no / soft-no, hired, their rates
    (empty when undefined), and hires from the backpocket.

    \b
    Example:
      sheetcrm report pipeline --position P-004 --plot p004.png
      sheetcrm report pipeline --by source --format json
    """
    if by and position_id:
        raise click.UsageError("use --position or --by, not both")
    figures = api.pipeline_report(settings, today, position=position_id, plot=plot, by=by)
    click.echo(output.render(figures, fmt))
    if plot:
        click.echo(f"wrote {plot}", err=True)


@report.command("talent")
@click.option("--by", type=click.Choice(["skill", "experience", "location", "referrer"]),
              help="One grouping only (default: the active/passive split, then skill, experience, location); "
                   "referrer: people referred and hired per referrer.")
@format_option
@today_option
@pass_settings
def report_talent(settings: Settings, by: str | None, fmt: str, today: dt.date) -> None:
    """Talent counts by skill, experience band or location, each with its
    active / passive split and passive share; or referrals per referrer.

    \b
    Example:
      sheetcrm report talent --by skill --format csv > skills.csv
      sheetcrm report talent --by referrer
    """
    click.echo(output.render(api.talent_report(settings, today, by=by), fmt))


@report.command("circle-backs")
@click.option("--within", type=click.IntRange(0, 3650), metavar="DAYS",
              help="Also list circle-backs scheduled in the next DAYS days (default: config upcoming_days, 30).")
@click.option("--ics", type=click.Path(dir_okay=False), metavar="FILE.ics",
              help="Also write them as a calendar file (Google Calendar, Outlook).")
@click.option("--ics-dir", type=click.Path(file_okay=False), metavar="DIR", help="One calendar file per owner.")
@owner_option
@format_option
@today_option
@pass_settings
def report_circle_backs(settings: Settings, within: int | None, ics: str | None, ics_dir: str | None,
                        owner: str | None, fmt: str, today: dt.date) -> None:
    """Who to call now (due, overdue) and soon, by owner, about which role, at their
    pace; call_on spreads a pile of waiting calls over working days. Hard-no and
    do-not-contact candidates are never listed.

    \b
    Example:
      sheetcrm report circle-backs --owner AB --within 14 --ics my-calls.ics
      sheetcrm report circle-backs --ics-dir calendars/
    """
    result = api.circle_back_report(settings, today, within=within, ics=ics, owner=owner, ics_dir=ics_dir)
    click.echo(output.render(result.frame(fmt), fmt))
    if ics:
        click.echo(f"wrote {result.calendar_events} events to {ics}", err=True)
    for path, events in result.calendar_files.items():
        click.echo(f"wrote {events} events to {path}", err=True)


@report.command("reasons")
@format_option
@today_option
@pass_settings
def report_reasons(settings: Settings, fmt: str, today: dt.date) -> None:
    """Rejection reasons: hard-no / soft-no and categories per position and ALL,
    then the texts no rule recognised, most frequent first, for a person to label.

    \b
    Example:
      sheetcrm report reasons
      sheetcrm report reasons --format json > reasons.json
    """
    result = api.reasons_report(settings, today)
    if fmt != "table":  # one flat list, with a `section` column, for scripts
        click.echo(output.render(result.rows(), fmt))
        return
    click.echo(output.render(result.counts, fmt))
    click.echo(f"\nUnclassified reasons ({len(result.unclassified)}): label them or add phrases to config/reasons.toml")
    click.echo(output.render(result.unclassified, fmt))


@cli.command()
@click.argument("texts", nargs=-1, metavar="TEXT... | -")
@click.option("--outcome", type=click.Choice(["rejected", "declined", "ghosted"]),
              help="The Pipeline outcome (only matters for a blank text: ghosted = soft-no).")
@click.option("--evaluate", "evaluate_csv", type=click.Path(dir_okay=False), metavar="FILE.csv",
              help="Instead: read labelled texts (columns text, class, category) and print the "
                   "accuracy per category and a confusion table.")
@format_option
@pass_settings
def classify(settings: Settings, texts: tuple[str, ...], outcome: str | None, evaluate_csv: str | None,
             fmt: str) -> None:
    """Classify rejection reasons: hard-no or soft-no, the category, and the rule
    that decided. `-` reads one text per line from standard input (blank lines
    are skipped). Uses the built-in rules and your config/reasons.toml.

    \b
    Example:
      sheetcrm classify "comp too low" "asked us not to call again"
      cut -d, -f1 reasons.csv | sheetcrm classify - --format csv
      sheetcrm classify --evaluate labelled.csv
    """
    if evaluate_csv:
        click.echo(output_evaluation(api.evaluate_reasons(settings, evaluate_csv), fmt))
        return
    if not texts:
        raise click.UsageError("give TEXT... or - (stdin), or --evaluate FILE.csv")
    if "-" in texts:
        lines = [line.rstrip("\r\n") for line in click.get_text_stream("stdin")]
        texts = tuple(t for arg in texts for t in ([ln for ln in lines if ln.strip()] if arg == "-" else [arg]))
    click.echo(output.render(api.classify_reasons(settings, list(texts), outcome), fmt))


def output_evaluation(result, fmt: str) -> str:
    if fmt != "table":  # one flat list with a `section` column, for scripts
        return output.render(result.rows(), fmt)
    parts = [output.render(result.per_category, fmt), "", "Confusion (rows: labelled category, columns: read as):",
             output.render(result.confusion.reset_index(), fmt)]
    if len(result.hard_read_as_soft):
        parts += ["", f"Hard-no texts read as soft-no ({len(result.hard_read_as_soft)}):",
                  output.render(result.hard_read_as_soft, fmt)]
    return "\n".join(parts)


@cli.group()
def reasons() -> None:
    """Rejection-reason rules: suggestions drawn from your own reason_label column.

    \b
    Example:
      sheetcrm reasons suggest >> config/reasons.toml
    """


@reasons.command("suggest")
@format_option
@today_option
@pass_settings
def reasons_suggest(settings: Settings, fmt: str, today: dt.date) -> None:
    """Print ready-to-paste config/reasons.toml rules, drawn from Pipeline rows whose
    reason_label the rules do not read from their text (phrases taken from those
    texts, each checked to make its row read as labelled). --format table/json/csv
    lists the rows instead of the TOML.

    \b
    Example:
      sheetcrm reasons suggest >> config/reasons.toml
    """
    result = api.suggest_reason_rules(settings, today)
    if fmt == "table":
        click.echo(result.toml, nl=False)
    else:
        click.echo(output.render(result.rows, fmt))


@cli.command()
@click.option("--email", help="The person's email.")
@click.option("--phone", help="The person's phone number.")
@click.option("--candidate-id", "candidate_id", metavar="ID", help="The person's candidate_id.")
@click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation (scripts).")
@today_option
@pass_settings
def forget(settings: Settings, email: str | None, phone: str | None, candidate_id: str | None, yes: bool,
           today: dt.date) -> None:
    """Erase a person (GDPR right to erasure): blank their personal cells in every
    tab and their comments, links and unused strings, keep their candidate_id for
    the counts, mark them do-not-contact, and remember only a salted hash of their
    email/phone (Suppressed tab). Asks first unless --yes; needs suppression_salt.

    \b
    Example:
      sheetcrm --workbook agency.xlsx forget --candidate-id C-00042
    """
    if sum(v is not None for v in (email, phone, candidate_id)) != 1:
        raise click.UsageError("give exactly one of --email, --phone or --candidate-id")
    confirm = None if yes else (lambda question: click.confirm(question, abort=True))
    for line in api.forget_person(settings, today, email=email, phone=phone, candidate_id=candidate_id,
                                  confirm=confirm).lines():
        click.echo(line)


@cli.command()
@format_option
@pass_settings
def doctor(settings: Settings, fmt: str) -> None:
    """Check a workbook or sheet and its setup, one finding a line (ok, note, warning,
    blocker): tabs, headers and how they map, sheetcrm's own tabs, formats, filters,
    protections, locale, room, credentials. Exit 1 when something blocks a sync.

    \b
    Example:
      sheetcrm doctor --workbook agency.xlsx
      sheetcrm doctor --sheet https://docs.google.com/spreadsheets/d/KEY/edit --format json
    """
    import pandas as pd

    report = api.doctor(settings)
    if fmt == "table":
        click.echo(f"sheetcrm doctor: {report.where}")
        for line in report.lines():
            click.echo(line)
    else:
        click.echo(output.render(pd.DataFrame(report.rows(), columns=["level", "check", "where", "message"]), fmt))
    if report.blocks_sync:
        sys.exit(1)


@cli.group(cls=SheetCRMGroup)
def auth() -> None:
    """Google Sheets credentials: check them, or sign in again.

    \b
    Example:
      sheetcrm --sheet 1AbC...xyz auth check
      sheetcrm auth login
    """


@auth.command("check")
@pass_settings
def auth_check(settings: Settings) -> None:
    """Say whether the Google credentials work and the sheet (--sheet KEY) is
    reachable and writable, or, in one line, what to do: enable the API, sign in
    again (`sheetcrm auth login`), share the sheet as Editor... Changes no cell.

    \b
    Example:
      SHEETCRM_CREDENTIALS=key.json sheetcrm --sheet 1AbC...xyz auth check
    """
    for line in api.auth_check(settings).lines():
        click.echo(line)


@auth.command("login")
@pass_settings
def auth_login(settings: Settings) -> None:
    """Sign in to Google in the browser (credentials_type = "oauth") and save the
    sign-in beside the OAuth client secret, readable only by you. Run it the first
    time, and again when sheetcrm says the sign-in expired or lacks access to Sheets.

    \b
    Example:
      SHEETCRM_CREDENTIALS=client_secret.json sheetcrm auth login
    """
    for line in api.auth_login(settings).lines():
        click.echo(line)


def main() -> None:  # console script
    cli(prog_name="sheetcrm")


from . import cli_day  # noqa: E402,F401  (registers the day's commands: drafts)
