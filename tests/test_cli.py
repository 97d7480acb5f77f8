"""The command line: help with examples, exit codes, one-line errors."""
import click
import pytest
from click.testing import CliRunner

from sheetcrm.cli import cli


def all_commands(group: click.Group, prefix=()):
    for name, cmd in sorted(group.commands.items()):
        yield (*prefix, name), cmd
        if isinstance(cmd, click.Group):
            yield from all_commands(cmd, (*prefix, name))


COMMANDS = [path for path, _ in all_commands(cli)]


@pytest.mark.parametrize("path", [(), *COMMANDS], ids=lambda p: " ".join(p) or "sheetcrm")
def test_every_help_has_a_description_and_an_example(path):
    result = CliRunner().invoke(cli, [*path, "--help"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    description = lines[2].strip()  # after "Usage: ..." and a blank line
    assert description and not description.startswith("Options")
    assert "Example" in result.output and "sheetcrm " in result.output.split("Example", 1)[1]


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/sheetcrm.toml: built-in defaults
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    runner = CliRunner()
    return lambda *args, **kw: runner.invoke(cli, ["--workbook", str(tmp_path / "w.xlsx"), *args], **kw)


def test_init_sync_validate_round_trip(run):
    assert run("init", "--demo", "40", "--today", "2026-11-22").exit_code == 0
    first = run("sync", "--today", "2026-11-22")
    assert first.exit_code == 0 and "rewrote Summary" in first.output
    second = run("sync", "--today", "2026-11-22")
    assert second.exit_code == 0 and "no changes" in second.output
    assert run("validate", "--today", "2026-11-22").exit_code == 1  # the demo's deliberate mistakes
    assert run("validate", "--format", "json", "--today", "2026-11-22").output.lstrip().startswith("[")


@pytest.mark.parametrize("args, code, message", [
    (("sync",), 1, "does not exist; create it with"),
    (("init",), 0, "created"),
    (("sync", "--today", "22/11/2026"), 2, "YYYY-MM-DD"),
    (("validate", "--format", "xml"), 2, "Invalid value"),
    (("frobnicate",), 2, "No such command"),
])
def test_exit_codes(run, args, code, message):
    result = run(*args)
    assert result.exit_code == code, result.output
    assert message in result.output


def test_user_errors_are_one_line_without_traceback(run, tmp_path):
    run("init")
    result = run("init")
    assert result.exit_code == 1
    assert result.output.strip().startswith("Error: ") and "--force" in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_bad_config_is_one_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text("[sheetcrm]\ngrace_days = 'soon'\n")
    result = CliRunner().invoke(cli, ["--config", "c.toml", "sync"])
    assert result.exit_code == 1
    assert result.output.strip() == "Error: config key 'grace_days': expected a whole number (got 'soon')"


def test_missing_required_column_is_one_line(run, tmp_path):
    import openpyxl
    run("init")
    wb = openpyxl.load_workbook(tmp_path / "w.xlsx")
    wb["Pipeline"]["B1"] = "job"
    wb.save(tmp_path / "w.xlsx")
    result = run("sync")
    assert result.exit_code == 1
    assert "tab 'Pipeline': required column 'position_id' is missing" in result.output


# -- global options before or after the command; --sheet takes the URL people copy -----------------
@pytest.mark.parametrize("args", [
    ("--workbook", "{wb}", "init", "--demo", "50", "--force"),
    ("init", "--demo", "50", "--workbook", "{wb}", "--force"),
    ("init", "--workbook={wb}", "--demo", "50"),
    ("--workbook", "elsewhere.xlsx", "init", "--demo", "50", "--workbook", "{wb}"),  # the later one wins
    ("--config", "c.toml", "init", "--demo", "50", "--workbook", "{wb}"),
    ("init", "--demo", "50", "--config", "c.toml", "--workbook", "{wb}"),
])
def test_global_options_before_or_after_the_command(args, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    (tmp_path / "c.toml").write_text("[sheetcrm]\ngrace_days = 10\n")
    wb = tmp_path / "x.xlsx"
    result = CliRunner().invoke(cli, [a.format(wb=wb) for a in args])
    assert result.exit_code == 0, result.output
    assert f"created workbook {wb}: " in result.output
    assert not (tmp_path / "elsewhere.xlsx").exists()


def test_a_config_given_after_the_command_is_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.toml").write_text("[sheetcrm]\ngrace_days = 'soon'\n")
    result = CliRunner().invoke(cli, ["sync", "--config", "c.toml"])
    assert result.exit_code == 1 and "grace_days" in result.output


def test_report_subcommands_take_global_options_too(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    wb = str(tmp_path / "r.xlsx")
    assert CliRunner().invoke(cli, ["init", "--demo", "20", "--workbook", wb]).exit_code == 0
    result = CliRunner().invoke(cli, ["report", "pipeline", "--format", "json", "--workbook", wb])
    assert result.exit_code == 0 and result.output.lstrip().startswith("[")


@pytest.mark.parametrize("given, key", [
    ("1AbC-xyz_09", "1AbC-xyz_09"),
    ("https://docs.google.com/spreadsheets/d/1AbC-xyz_09/edit#gid=0", "1AbC-xyz_09"),
    ("https://docs.google.com/spreadsheets/d/1AbC-xyz_09", "1AbC-xyz_09"),
    ("https://docs.google.com/spreadsheets/d/1AbC-xyz_09/edit?usp=sharing", "1AbC-xyz_09"),
    ("https://docs.google.com/spreadsheets/u/1/d/1AbC-xyz_09/edit", "1AbC-xyz_09"),
    ("  1AbC-xyz_09 ", "1AbC-xyz_09"),
])
def test_sheet_key_from_a_key_or_url(given, key):
    from sheetcrm.config import load_settings

    settings = load_settings(overrides={"sheet_key": given}, env={})
    assert settings.sheet_key == key and settings.backend == "gsheets"


@pytest.mark.parametrize("given", ["https://example.com/spreadsheets/d/KEY", "docs.google.com/d/KEY/x"])
def test_a_url_that_is_not_a_google_sheet_is_one_line(given, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["sync", "--sheet", given])
    assert result.exit_code == 1 and "spreadsheet key or its URL" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_sync_with_the_sheet_url_against_the_stand_in(google, tmp_path, monkeypatch):
    from google.auth.credentials import AnonymousCredentials

    from sheetcrm.workbook.backends import gsheets

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SHEETCRM_CONFIG", raising=False)
    monkeypatch.setenv("SHEETCRM_GOOGLE_API_URL", google.url)
    monkeypatch.setattr(gsheets, "load_credentials", lambda settings, interactive=False: (AnonymousCredentials(), "t"))
    key = google.add_book()
    url = f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0"
    assert CliRunner().invoke(cli, ["init", "--demo", "10", "--sheet", url, "--force"]).exit_code == 0
    result = CliRunner().invoke(cli, ["sync", "--sheet", url, "--today", "2026-11-22"])
    assert result.exit_code == 0, result.output
    assert "rewrote Summary" in result.output
    assert google.cells(key, "Summary")
