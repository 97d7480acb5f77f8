"""The recruiter's day, as click commands on the one `sheetcrm` entry point
(cli.py imports this module so its commands are registered there): drafts, match."""
from __future__ import annotations

import datetime as dt

import click

from . import api, output
from .cli import cli, format_option, owner_option, pass_settings, today_option
from .config import Settings


@cli.command()
@owner_option
@click.option("--within", type=click.IntRange(0, 3650), metavar="DAYS",
              help="Also people scheduled in the next DAYS days (default: due and overdue only).")
@click.option("--eml", type=click.Path(file_okay=False), metavar="DIR",
              help="Also write one .eml draft per person (opens as a draft in Outlook, Thunderbird, Apple Mail).")
@format_option
@today_option
@pass_settings
def drafts(settings: Settings, owner: str | None, within: int | None, eml: str | None, fmt: str,
           today: dt.date) -> None:
    """A first message for each person due a call: to, subject, body. It names the
    open role(s) that fit them, says what changed since last time, at their pace and
    without pressure; someone with no email gets a call script line instead. Nobody who
    must not be contacted ever gets one. Templates: config/messages.toml.

    \b
    Example:
      sheetcrm drafts --owner AB --eml drafts/
      sheetcrm drafts --format json > drafts.json
    """
    result = api.drafts_report(settings, today, owner=owner, within=within, eml=eml)
    if fmt == "table":  # a message reads best as a message
        for rec in output.records(result.rows):
            click.echo(f"== {rec['candidate_id']} ({rec['owner'] or 'team'}) to: {rec['to'] or '-'}")
            if rec["subject"]:
                click.echo(f"Subject: {rec['subject']}")
            click.echo(f"{rec['body']}\n")
        if result.rows.empty:
            click.echo("(none)")
    else:
        click.echo(output.render(result.frame(fmt), fmt))
    if eml:
        click.echo(f"wrote {result.calendar_events} drafts to {eml}", err=True)


@cli.command()
@click.argument("position_id")
@click.option("--shortlist", type=click.Path(dir_okay=False), metavar="FILE.csv",
              help="Also write a shortlist for the hiring manager (no email or phone unless --with-contact).")
@click.option("--with-contact", is_flag=True, help="Put email and phone in the shortlist.")
@format_option
@today_option
@pass_settings
def match(settings: Settings, position_id: str, shortlist: str | None, with_contact: bool, fmt: str,
          today: dt.date) -> None:
    """Who in our backpocket fits this position: circle-back-eligible candidates
    by skill coverage, with why (skills covered, location, salary).

    \b
    Example:
      sheetcrm match P-007 --format json
      sheetcrm match P-007 --shortlist p007-shortlist.csv
    """
    result = api.match_report(settings, position_id.strip(), today, shortlist=shortlist, with_contact=with_contact)
    click.echo(output.render(result.frame(fmt), fmt))
    if shortlist:
        click.echo(f"wrote {result.calendar_events} people to {shortlist}", err=True)
