import dataclasses
from pathlib import Path

import pytest

from sheetcrm.config import DEFAULT_COOL_OFF_DAYS, Settings, load_settings
from sheetcrm.errors import ConfigError

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path, text: str) -> Path:
    path = tmp_path / "sheetcrm.toml"
    path.write_text(text)
    return path


def test_builtin_defaults_without_a_config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config/sheetcrm.toml here: built-in defaults
    s = load_settings(env={})
    assert s.config_path is None
    assert s.default_contact_every_days == 90
    assert s.cool_off_days["experience"] == 365
    assert s.tab_title("circle_backs") == "Circle-backs"


def test_shipped_config_file_documents_the_builtin_defaults():
    """config/sheetcrm.toml lists the defaults: loading it changes nothing but paths."""
    loaded = load_settings(ROOT / "config" / "sheetcrm.toml", env={})
    default = Settings()
    for field in dataclasses.fields(Settings):
        if field.name in ("workbook", "reasons_file", "config_path"):
            continue
        assert getattr(loaded, field.name) == getattr(default, field.name), field.name
    assert loaded.workbook == ROOT / "sheetcrm-demo.xlsx"
    assert loaded.reasons_file == ROOT / "config" / "reasons.toml"


def test_precedence_flag_over_env_over_file_over_default(tmp_path):
    path = write(tmp_path, '[sheetcrm]\ngrace_days = 10\nupcoming_days = 5\ncurrency = "GBP"\n')
    env = {"SHEETCRM_GRACE_DAYS": "20", "SHEETCRM_UPCOMING_DAYS": "7"}
    s = load_settings(path, overrides={"grace_days": 40}, env=env)
    assert s.grace_days == 40  # flag
    assert s.upcoming_days == 7  # env
    assert s.currency == "GBP"  # file
    assert s.date_order == "dmy"  # default


def test_sections_tabs_headers_cool_off_schedule(tmp_path):
    path = write(tmp_path, """
[tabs]
candidates = "Kandidaten"
[headers.candidates]
"Full Name" = "name"
[cool_off_days]
salary = 30
[schedule]
every_minutes = 5
daily_at = "07:30"
""")
    s = load_settings(path, env={})
    assert s.tab_title("candidates") == "Kandidaten"
    assert s.header_aliases["candidates"]["full_name"] == "name"
    assert s.cool_off_days["salary"] == 30 and s.cool_off_days["skills"] == DEFAULT_COOL_OFF_DAYS["skills"]
    assert (s.schedule_every_minutes, s.schedule_daily_at) == (5, "07:30")


def test_env_cool_off_and_sheet_key(tmp_path):
    s = load_settings(write(tmp_path, ""), env={"SHEETCRM_COOL_OFF_DAYS__GHOSTED": "60", "SHEETCRM_SHEET": "abc"})
    assert s.cool_off_days["ghosted"] == 60
    assert s.sheet_key == "abc"


def test_settings_are_frozen():
    s = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.grace_days = 1  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.cool_off_days["salary"] = 1  # type: ignore[index]


@pytest.mark.parametrize("text, key", [
    ("[sheetcrm]\ngrace_days = \"soon\"\n", "grace_days"),
    ("[sheetcrm]\ngrace_dayz = 3\n", "grace_dayz"),
    ("[sheetcrm]\nbackend = \"postgres\"\n", "backend"),
    ("[sheetcrm]\ndefault_contact_every = \"now and then\"\n", "default_contact_every"),
    ("[cool_off_days]\nconduct = 3\n", "cool_off_days.conduct"),
    ("[headers.candidates]\n\"Mail\" = \"e_mail\"\n", "headers.candidates"),
    ("[tabs]\nsummery = \"S\"\n", "tabs.summery"),
    ("[schedule]\nevery_minutes = -5\n", "schedule.every_minutes"),
    ("[nonsense]\nx = 1\n", "[nonsense]"),
    ("[sheetcrm\n", "not valid TOML"),
])
def test_bad_config_names_the_key(tmp_path, text, key):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, text), env={})
    assert key in str(info.value)
    assert "\n" not in str(info.value).strip()


def test_missing_explicit_config_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.toml", env={})


def test_missing_reasons_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="reasons_file"):
        load_settings(write(tmp_path, '[sheetcrm]\nreasons_file = "mine.toml"\n'), env={})


# Case 7 of issue 14: config mistakes that destroyed tabs are one line, exit 1.
@pytest.mark.parametrize("tabs, keys", [
    ('summary = "Candidates"', "'tabs.candidates' and 'tabs.summary'"),
    ('issues = "Pipeline"', "'tabs.pipeline' and 'tabs.issues'"),
    ('suppressed = "Candidates"', "'tabs.candidates' and 'tabs.suppressed'"),
    ('suppressed = " candidates "', "'tabs.candidates' and 'tabs.suppressed'"),
    ('candidates = "People"\ncircle_backs = "people"', "'tabs.candidates' and 'tabs.circle_backs'"),
    ('summary = "Issues"', "'tabs.summary' and 'tabs.issues'"),
])
def test_tab_titles_must_be_distinct(tmp_path, tabs, keys):
    with pytest.raises(ConfigError) as info:
        load_settings(write(tmp_path, f"[tabs]\n{tabs}\n"), env={})
    assert keys in str(info.value) and "\n" not in str(info.value)


def test_tab_titles_given_as_overrides_are_checked_too():
    with pytest.raises(ConfigError, match="name the same tab"):
        load_settings(None, overrides={"tabs": {**Settings().tabs, "summary": "Pipeline"}}, env={})


@pytest.mark.parametrize("line", ['"notes" = "row_issues"', '"Status" = "circle_back_status"',
                                  '"row_issues" = "notes"', '"Next call" = "next_circle_back"'])
def test_header_aliases_never_point_at_owned_columns(tmp_path, line):
    with pytest.raises(ConfigError, match="one of sheetcrm's own columns"):
        load_settings(write(tmp_path, f"[headers.candidates]\n{line}\n"), env={})


def test_config_mistake_is_one_line_exit_1(tmp_path):
    from click.testing import CliRunner

    from sheetcrm.cli import cli
    path = write(tmp_path, '[tabs]\nsummary = "Candidates"\n')
    result = CliRunner().invoke(cli, ["--config", str(path), "validate", "--workbook", str(tmp_path / "x.xlsx")])
    assert result.exit_code == 1, result.output
    assert "name the same tab" in result.output and "Traceback" not in result.output


@pytest.mark.parametrize("value, expected", [("yes", True), ("on", True), ("1", True), ("y", True),
                                             ("off", False), ("No", False), ("0", False)])
def test_a_yes_no_setting_reads_the_same_words_as_a_cell(value, expected):
    assert load_settings(None, env={"SHEETCRM_BUILTIN_REASONS": value}).builtin_reasons is expected


@pytest.mark.parametrize("value", ["", "  ", "maybe"])
def test_an_empty_or_unclear_yes_no_setting_is_refused(value):
    with pytest.raises(ConfigError, match="builtin_reasons"):
        load_settings(None, env={"SHEETCRM_BUILTIN_REASONS": value})
