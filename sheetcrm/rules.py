"""Reading the rejection-reason rule files (I/O; the rules are compiled in core).

The built-in files in ``sheetcrm/defaults/`` (``reasons.toml`` in English and one
``reasons.<language>.toml`` per other language), then the agency's own
``config/reasons.toml``: :func:`load_rules` reads them and hands the parsed
documents to :func:`sheetcrm.core.reason_compile.compile_rules`, with the labelled
example notes of ``reasons_examples.csv`` (text, category) for notes no rule reads.
"""
from __future__ import annotations

import csv
import io
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from .config import Settings, read_toml
from .core.reason_compile import compile_rules
from .core.reason_rules import RuleSet
from .errors import ConfigError


def read_rule_files(paths: Iterable[Path]) -> list[tuple[str, dict]]:
    """Each file parsed, with its path as the source name (one clear line if one is bad)."""
    return [(str(path), read_toml(Path(path), "reasons file")) for path in paths]


def read_examples(files: Iterable[tuple[str, bytes]]) -> list[tuple[str, str]]:
    """(text, category) rows of labelled example files (CSV with columns text, category)."""
    out = []
    for name, data in files:
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        if not {"text", "category"} <= set(rows.fieldnames or ()):
            raise ConfigError(f"reason examples {name}: needs columns text and category")
        out += [(row["text"], row["category"].strip()) for row in rows if (row["text"] or "").strip()]
    return out


def load_rule_files(paths: Iterable[Path], examples: Iterable[Path] = ()) -> RuleSet:
    """Read rule files in order: a later rule with the same id replaces (or, with
    ``enabled = false``, removes) the earlier one; negations add up. `examples`: CSV
    files of labelled notes, read like this for notes no rule reads.

    Compiling costs about half a second (five languages, stems, typo vocabulary) and
    every sync and report needs the rules: the compiled set is kept per exact file
    contents, so an edited file is compiled afresh and an unchanged one is not."""
    paths, examples = [Path(p) for p in paths], [Path(p) for p in examples]
    try:
        key = tuple((str(p), p.read_bytes()) for p in paths)
        example_files = tuple((str(p), p.read_bytes()) for p in examples)
    except OSError:  # missing or unreadable: read_rule_files says which, in one line
        return compile_rules(read_rule_files(paths), examples=read_examples((str(p), p.read_bytes()) for p in examples))
    if (key, example_files) not in _COMPILED:
        if len(_COMPILED) >= 8:
            _COMPILED.clear()
        _COMPILED[key, example_files] = compile_rules(read_rule_files(paths), examples=read_examples(example_files))
    return _COMPILED[key, example_files]


_COMPILED: dict[tuple, RuleSet] = {}


def load_rules(settings: Settings) -> RuleSet:
    """The built-in rules, then the agency's reasons file (``Settings.reasons_files``),
    with the built-in labelled examples (``Settings.reason_examples_files``)."""
    return load_rule_files(settings.reasons_files, settings.reason_examples_files)


class RulesAhead:
    """:func:`load_rules` on a thread of its own, started now, for a sync to read the
    workbook meanwhile (issue 20): the first compile in a process costs ~0.4 s of
    Python, and an .xlsx read spends seconds in calamine's parser, which runs without
    the GIL, so the compile takes the second core and the sync does not wait for it.
    The same RuleSet as :func:`load_rules` (its cache), the same error if a file is
    bad, raised by :meth:`get`. ``thread=False`` (the caller found no core free:
    ``workbook.cores``): no thread, :meth:`get` loads them, as a sync did before. The thread is always over once :meth:`get` or
    :meth:`join` has returned (a fork after it sees no other thread)."""

    def __init__(self, settings: Settings, load: Callable[[Settings], RuleSet] | None = None, thread: bool = True):
        self._load_rules = load or load_rules  # a caller's own name for it (sync.load_rules, which tests replace)
        self._settings = settings
        self._rules: RuleSet | None = None
        self._error: BaseException | None = None
        self.cpu_seconds = 0.0  # the thread's CPU time, once it is over (the bench books it to the rules)
        # thread=False: loaded by get(), in this thread (no core free to compile on meanwhile)
        self._thread = threading.Thread(target=self._load, args=(settings,), name="sheetcrm-rules",
                                        daemon=True) if thread else None
        if self._thread is not None:
            self._thread.start()

    def _load(self, settings: Settings) -> None:
        started = time.thread_time()
        try:
            self._rules = self._load_rules(settings)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller of get(), raised there
            self._error = exc
        finally:
            self.cpu_seconds = time.thread_time() - started

    def join(self) -> None:
        if self._thread is not None:
            self._thread.join()

    def get(self) -> RuleSet:
        """The compiled rules, once the thread is done (its error raised here)."""
        if self._thread is None:
            return self._load_rules(self._settings)
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._rules is not None
        return self._rules
