"""Reading the rejection-reason rule files (I/O; the rules are compiled in core).

The built-in files in ``sheetcrm/defaults/`` (``reasons.toml`` in English and one
``reasons.<language>.toml`` per other language), then the agency's own
``config/reasons.toml``: :func:`load_rules` reads them and hands the parsed
documents to :func:`sheetcrm.core.reason_compile.compile_rules`.
"""
from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .config import Settings, read_toml
from .core.reason_compile import compile_rules
from .core.reason_rules import RuleSet


def read_rule_files(paths: Iterable[Path]) -> list[tuple[str, dict]]:
    """Each file parsed, with its path as the source name (one clear line if one is bad)."""
    return [(str(path), read_toml(Path(path), "reasons file")) for path in paths]


def load_rule_files(paths: Iterable[Path]) -> RuleSet:
    """Read rule files in order: a later rule with the same id replaces (or, with
    ``enabled = false``, removes) the earlier one; negations add up.

    Compiling costs about half a second (five languages, stems, typo vocabulary) and
    every sync and report needs the rules: the compiled set is kept per exact file
    contents, so an edited file is compiled afresh and an unchanged one is not."""
    paths = [Path(p) for p in paths]
    try:
        key = tuple((str(p), p.read_bytes()) for p in paths)
    except OSError:  # missing or unreadable: read_rule_files says which, in one line
        return compile_rules(read_rule_files(paths))
    if key not in _COMPILED:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        _COMPILED[key] = compile_rules(read_rule_files(paths))
    return _COMPILED[key]


_COMPILED: dict[tuple, RuleSet] = {}


def load_rules(settings: Settings) -> RuleSet:
    """The built-in rules, then the agency's reasons file (``Settings.reasons_files``)."""
    return load_rule_files(settings.reasons_files)
