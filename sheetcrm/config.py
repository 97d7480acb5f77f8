"""Settings: built-in defaults < config file < environment (SHEETCRM_*) < flags.

Everything lands in one frozen :class:`Settings`. A bad value gets one clear line
naming the key (``ConfigError``).
"""
from __future__ import annotations

import dataclasses
import os
import re
import tomllib
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from . import schema
from .errors import ConfigError
from .values import is_blank, parse_bool, parse_duration

DEFAULT_CONFIG_PATH = Path("config/sheetcrm.toml")
BUILTIN_REASONS = Path(__file__).parent / "defaults" / "reasons.toml"
# Built-in rules in more languages, read after the English file (same format).
BUILTIN_REASONS_LANGUAGES = tuple(Path(__file__).parent / "defaults" / f"reasons.{code}.toml"
                                  for code in ("de", "fr", "es", "nl"))
# Labelled notes (text, category): a note no rule reads is read like the ones it resembles.
BUILTIN_REASON_EXAMPLES = Path(__file__).parent / "defaults" / "reasons_examples.csv"

DEFAULT_COOL_OFF_DAYS = {
    "salary": 180,
    "availability": 90,
    "location": 180,
    "experience": 365,
    "skills": 365,
    "declined_role": 180,
    "sponsor_rejected": 90,
    "ghosted": 180,
}


# Skill names that mean the same thing (DESIGN §2): other name -> the name we compare by.
# An agency adds its own under [skills.synonyms]; theirs win over these.
DEFAULT_SKILL_SYNONYMS = {
    "k8s": "kubernetes", "kube": "kubernetes", "js": "javascript", "ecmascript": "javascript",
    "ts": "typescript", "golang": "go", "postgres": "postgresql", "psql": "postgresql",
    "py": "python", "python3": "python", "reactjs": "react", "react.js": "react",
    "nodejs": "node.js", "node": "node.js", "vuejs": "vue", "vue.js": "vue",
    "csharp": "c#", "c sharp": "c#", "dotnet": ".net", "amazon web services": "aws",
    "google cloud": "gcp", "google cloud platform": "gcp", "ml": "machine learning",
    "mongo": "mongodb", "k8": "kubernetes", "sklearn": "scikit-learn",
}


def _frozen(d: Mapping) -> Mapping:
    return MappingProxyType(dict(d))


@dataclasses.dataclass(frozen=True)
class Settings:
    backend: str = "xlsx"  # xlsx | gsheets | memory
    workbook: Path = Path("sheetcrm-demo.xlsx")
    sheet_key: str = ""
    credentials: str = ""  # path to a service-account JSON or an OAuth client secret
    credentials_type: str = "service_account"  # service_account | oauth | adc (Application Default Credentials)
    currency: str = "EUR"
    date_order: str = "dmy"  # dmy | mdy: how an ambiguous 03/04/2025 is read
    phone_region: str = "GB"  # for phone numbers typed without +country code
    default_contact_every_days: int = 90
    grace_days: int = 30  # due -> overdue after this many days
    upcoming_days: int = 30  # Circle-backs tab also lists the next N days
    calls_per_day: int = 10  # per owner: waiting calls are laid over working days, this many a day
    match_min_skill_coverage: float = 0.5
    skill_synonyms: Mapping[str, str] = dataclasses.field(default_factory=lambda: _frozen(DEFAULT_SKILL_SYNONYMS))
    overqualified_cool_off_days: int = 90  # "too senior": circle back sooner, for a more senior role
    availability_horizon_days: int = 90  # available later than this: listed, not counted as due
    stale_after_days: int = 60  # an open Pipeline row with no news for this long gets a warning
    future_date_limit_days: int = 366  # dates later than today + this are suspicious
    reasons_file: Path | None = None  # agency rules, added to the built-in ones
    builtin_reasons: bool = True
    suppression_salt: str = ""
    lock_wait_seconds: float = 15.0  # a second writer of a workbook waits this long for the first, then stops
    tabs: Mapping[str, str] = dataclasses.field(default_factory=lambda: _frozen(schema.DEFAULT_TAB_TITLES))
    # logical tab -> {their header (normalised) -> canonical column}
    header_aliases: Mapping[str, Mapping[str, str]] = dataclasses.field(default_factory=lambda: _frozen({}))
    cool_off_days: Mapping[str, int] = dataclasses.field(default_factory=lambda: _frozen(DEFAULT_COOL_OFF_DAYS))
    schedule_every_minutes: int = 15
    schedule_daily_at: str = ""  # "HH:MM", optional
    schedule_timezone: str = "UTC"
    log_format: str = "text"  # text | json
    log_file: Path | None = None  # run.py also appends its log here (stderr always)
    config_path: Path | None = None

    def tab_title(self, key: str) -> str:
        return self.tabs[key]

    @property
    def reasons_files(self) -> list[Path]:
        files = [BUILTIN_REASONS, *BUILTIN_REASONS_LANGUAGES] if self.builtin_reasons else []
        if self.reasons_file is not None:
            files.append(self.reasons_file)
        return files

    @property
    def reason_examples_files(self) -> list[Path]:
        return [BUILTIN_REASON_EXAMPLES] if self.builtin_reasons else []

    def replace(self, **changes: Any) -> "Settings":
        return dataclasses.replace(self, **changes)


# TOML layout: [sheetcrm] scalars, [tabs], [headers.<tab>], [cool_off_days], [schedule]
_SCALARS = {
    "backend": str, "workbook": Path, "sheet_key": str, "credentials": str,
    "credentials_type": str, "currency": str, "date_order": str, "phone_region": str,
    "default_contact_every": "duration", "grace_days": int, "upcoming_days": int, "calls_per_day": int,
    "match_min_skill_coverage": float, "future_date_limit_days": int,
    "overqualified_cool_off_days": int, "availability_horizon_days": int, "stale_after_days": int,
    "reasons_file": Path, "builtin_reasons": bool, "suppression_salt": str, "log_format": str,
    "log_file": Path, "lock_wait_seconds": float,
}
_SCHEDULE = {"every_minutes": int, "daily_at": str, "timezone": str}
_CHOICES = {
    "backend": ("xlsx", "gsheets", "memory"),
    "date_order": ("dmy", "mdy"),
    "credentials_type": ("service_account", "oauth", "adc"),
    "log_format": ("text", "json"),
}


def _convert(key: str, kind: Any, value: Any) -> Any:
    try:
        if kind == "duration":
            return parse_duration(value)
        if kind is bool:
            if is_blank(value):  # an empty SHEETCRM_… variable must not switch a setting off
                raise ValueError("expected true or false")
            return parse_bool(value)  # the cells' yes/no words (true/yes/y/on/1 …): one parser for both
        if kind is int:
            if isinstance(value, bool) or (isinstance(value, float) and value != int(value)):
                raise ValueError("expected a whole number")
            try:
                out = int(value)
            except ValueError:
                raise ValueError("expected a whole number") from None
            if out < 0:
                raise ValueError("expected a number ≥ 0")
            return out
        if kind is float:
            if isinstance(value, bool):
                raise ValueError("expected a number")
            try:
                return float(value)
            except ValueError:
                raise ValueError("expected a number") from None
        if kind is Path:
            if not str(value).strip():  # Path("") is the current folder: never what an empty setting meant
                raise ValueError("expected a file path, got an empty text")
            return Path(str(value)).expanduser()
        if not isinstance(value, str):
            raise ValueError("expected text")
        return value
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"config key '{key}': {exc} (got {value!r})") from None


# A spreadsheet's address as people copy it from the browser's address bar.
_SHEET_URL = re.compile(r"^\s*https?://docs\.google\.com/spreadsheets/(?:u/\d+/)?d/([A-Za-z0-9_-]+)")


def sheet_key_from(text: str) -> str:
    """The spreadsheet key from a key or a full Google Sheets URL
    (``https://docs.google.com/spreadsheets/d/KEY/edit#gid=0`` -> ``KEY``)."""
    found = _SHEET_URL.match(text)
    if found:
        return found.group(1)
    if "://" in text or "/" in text:
        raise ConfigError("the sheet must be a spreadsheet key or its URL "
                          "https://docs.google.com/spreadsheets/d/KEY/...")
    return text.strip()


def _apply_scalar(out: dict, key: str, value: Any) -> None:
    if key not in _SCALARS:
        raise ConfigError(f"config key '{key}' is unknown; known keys: {', '.join(sorted(_SCALARS))}")
    converted = _convert(key, _SCALARS[key], value)
    if key in _CHOICES and converted not in _CHOICES[key]:
        raise ConfigError(f"config key '{key}': expected one of {', '.join(_CHOICES[key])} (got {value!r})")
    if key == "sheet_key":
        out[key] = sheet_key_from(converted)
    elif key == "default_contact_every":
        out["default_contact_every_days"] = converted
    else:
        out[key] = converted


def read_toml(path: Path, what: str = "config file") -> dict:
    """A TOML file, or one ConfigError line saying what is wrong with it."""
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{what} {path} does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{what} {path} is not valid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{what} {path} cannot be read: {exc.strerror}") from None


def _from_toml(data: dict, path: Path, out: dict) -> None:
    base = path.parent
    for section, body in data.items():
        if section == "sheetcrm":
            if not isinstance(body, dict):
                raise ConfigError(f"config {path}: [sheetcrm] must be a table")
            for key, value in body.items():
                _apply_scalar(out, key, value)
        elif section == "tabs":
            tabs = dict(out.get("tabs", schema.DEFAULT_TAB_TITLES))
            for key, value in body.items():
                if key not in schema.DEFAULT_TAB_TITLES:
                    raise ConfigError(f"config key 'tabs.{key}' is unknown; known tabs: {', '.join(schema.DEFAULT_TAB_TITLES)}")
                if not isinstance(value, str) or not value.strip():
                    raise ConfigError(f"config key 'tabs.{key}': expected a tab title (got {value!r})")
                tabs[key] = value.strip()
            out["tabs"] = tabs
        elif section == "headers":
            aliases: dict[str, dict[str, str]] = {k: dict(v) for k, v in out.get("header_aliases", {}).items()}
            for tab, mapping in body.items():
                if tab not in schema.INPUT_TAB_SCHEMAS:
                    raise ConfigError(f"config key 'headers.{tab}' is unknown; use one of {', '.join(schema.INPUT_TABS)}")
                names = schema.INPUT_TAB_SCHEMAS[tab].names
                owned = {c.name for c in schema.INPUT_TAB_SCHEMAS[tab].owned_columns}
                for theirs, ours in mapping.items():
                    where = f"config key 'headers.{tab}.\"{theirs}\"'"
                    if ours not in names:
                        raise ConfigError(f"{where}: '{ours}' is not a {tab} column")
                    if ours in owned or schema.normalise_header(theirs) in owned:
                        # sheetcrm overwrites its own columns: an alias would hand it a person's column.
                        raise ConfigError(f"{where}: '{ours if ours in owned else theirs}' is one of sheetcrm's own "
                                          f"columns, which are found only by their own header; map it to a column "
                                          f"people fill in")
                    aliases.setdefault(tab, {})[schema.normalise_header(theirs)] = ours
            out["header_aliases"] = aliases
        elif section == "cool_off_days":
            cool = dict(out.get("cool_off_days", DEFAULT_COOL_OFF_DAYS))
            for key, value in body.items():
                if key not in schema.SOFT_NO_CATEGORIES:
                    raise ConfigError(f"config key 'cool_off_days.{key}' is unknown; soft-no categories: {', '.join(schema.SOFT_NO_CATEGORIES)}")
                cool[key] = _convert(f"cool_off_days.{key}", int, value)
            out["cool_off_days"] = cool
        elif section == "skills":
            out["skill_synonyms"] = _synonyms(body, dict(out.get("skill_synonyms", DEFAULT_SKILL_SYNONYMS)))
        elif section == "schedule":
            for key, value in body.items():
                if key not in _SCHEDULE:
                    raise ConfigError(f"config key 'schedule.{key}' is unknown; known: {', '.join(_SCHEDULE)}")
                out[f"schedule_{key}"] = _convert(f"schedule.{key}", _SCHEDULE[key], value)
        else:
            raise ConfigError(f"config section [{section}] is unknown in {path}")
    # Paths in the file are relative to the file, so the config works from any directory.
    for key in ("reasons_file", "workbook", "log_file"):
        if key in out and isinstance(out[key], Path) and not out[key].is_absolute() and key in _keys_in(data):
            out[key] = Path(os.path.normpath(base / out[key]))


def _check_tab_titles(tabs: Mapping[str, str]) -> None:
    """Every tab its own title: sheetcrm rewrites Summary, Circle-backs and Issues
    whole and `forget` rewrites Suppressed, so a title shared with another tab
    (``summary = "Candidates"``) would replace the people's tab."""
    seen: dict[str, str] = {}
    for key in schema.DEFAULT_TAB_TITLES:
        title = tabs.get(key, schema.DEFAULT_TAB_TITLES[key])
        folded = " ".join(str(title).split()).casefold()
        if folded in seen:
            raise ConfigError(f"config keys 'tabs.{seen[folded]}' and 'tabs.{key}' name the same tab '{title}'; "
                              f"every tab needs its own title")
        seen[folded] = key


def _synonyms(body: Any, table: dict[str, str]) -> dict[str, str]:
    """[skills.synonyms]: `k8s = "kubernetes"` (one other name) or
    `kubernetes = ["k8s", "kube"]` (the name we compare by and its other names)."""
    if not isinstance(body, dict) or set(body) - {"synonyms"}:
        raise ConfigError("config section [skills] holds only [skills.synonyms]")
    for key, value in (body.get("synonyms") or {}).items():
        name = _skill_key(key)
        if isinstance(value, str) and value.strip():
            table[name] = _skill_key(value)
        elif isinstance(value, list) and value and all(isinstance(v, str) and v.strip() for v in value):
            for other in value:
                table[_skill_key(other)] = name
            table.pop(name, None)  # the name we compare by is nobody's other name
        else:
            raise ConfigError(f"config key 'skills.synonyms.{key}': expected a skill name or a list of "
                              f"skill names (got {value!r})")
    return {k: v for k, v in table.items() if k != v}


def _skill_key(name: str) -> str:
    """Skills are compared lowercase with single spaces, as the sheet's lists are read."""
    return " ".join(str(name).lower().split())


def _keys_in(data: dict) -> set[str]:
    return set(data.get("sheetcrm", {}) or {})


def _from_env(env: Mapping[str, str], out: dict) -> None:
    for name, value in env.items():
        if not name.startswith("SHEETCRM_") or name == "SHEETCRM_CONFIG":
            continue
        key = name[len("SHEETCRM_"):].lower()
        if key == "sheet":
            key = "sheet_key"
        if key.startswith("schedule_") and key[len("schedule_"):] in _SCHEDULE:
            sub = key[len("schedule_"):]
            out[key] = _convert(f"{name}", _SCHEDULE[sub], value)
        elif key.startswith("cool_off_days__"):
            cat = key.split("__", 1)[1]
            if cat not in schema.SOFT_NO_CATEGORIES:
                raise ConfigError(f"environment variable {name}: '{cat}' is not a soft-no category")
            cool = dict(out.get("cool_off_days", DEFAULT_COOL_OFF_DAYS))
            cool[cat] = _convert(name, int, value)
            out["cool_off_days"] = cool
        elif key in _SCALARS:
            _apply_scalar(out, key, value)
        # Unknown SHEETCRM_* variables are ignored: they may belong to a newer version.


def load_settings(
    config_path: str | Path | None = None,
    overrides: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
) -> Settings:
    """Build the settings. ``config_path`` None means ``$SHEETCRM_CONFIG`` or
    ``config/sheetcrm.toml`` if it exists (a missing default file is fine; a
    missing file that was asked for is an error)."""
    env = os.environ if env is None else env
    out: dict[str, Any] = {}
    explicit = config_path is not None or bool(env.get("SHEETCRM_CONFIG"))
    path = Path(config_path or env.get("SHEETCRM_CONFIG") or DEFAULT_CONFIG_PATH)
    if explicit or path.exists():
        _from_toml(read_toml(path), path, out)
        out["config_path"] = path
        reasons = out.get("reasons_file")
        if reasons is not None and not reasons.exists():
            raise ConfigError(f"config key 'reasons_file': {reasons} does not exist")
    _from_env(env, out)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key in _SCALARS:
            _apply_scalar(out, key, value)
        else:
            out[key] = value
    if out.get("sheet_key") and "backend" not in (overrides or {}) and out.get("backend") != "memory":
        # --sheet alone means: use Google Sheets.
        if (overrides or {}).get("sheet_key"):
            out["backend"] = "gsheets"
    _check_tab_titles(out.get("tabs", schema.DEFAULT_TAB_TITLES))
    for key in ("tabs", "header_aliases", "cool_off_days", "skill_synonyms"):
        if key in out:
            value = out[key]
            if key == "header_aliases":
                value = {k: _frozen(v) for k, v in value.items()}
            out[key] = _frozen(value)
    try:
        return Settings(**out)
    except TypeError as exc:  # pragma: no cover - guarded by the key checks above
        raise ConfigError(str(exc)) from None
