"""Writes regex_reading_729c883.json: what the rule engine read from each built-in regex
with re's own parser (``re._parser``), before our reader (``core/reason_regex.py``)
replaced it. Run once, at commit 729c883 (the last one with the old reader):

    git worktree add /tmp/old 729c883 && cd /tmp/old && PYTHONPATH=. python \
        /path/to/tests/data/make_regex_reading.py [rule files ...] > regex_reading_729c883.json

(rule files: default the built-in ones of that checkout; give a newer checkout's
``sheetcrm/defaults/reasons*.toml`` to record patterns added since, still read the old way).
tests/test_reason_regex.py checks that our reader reads every recorded pattern the same.
"""
from __future__ import annotations

import hashlib
import json
import sys

from sheetcrm.config import Settings
from sheetcrm.core.reason_compile import compile_rules
from sheetcrm.core.reason_index import literals_needed
from sheetcrm.core.reason_words import pattern_prefixes
from sheetcrm.rules import read_rule_files


def _listed(texts: object) -> list[str] | None:
    return None if texts is None else sorted(texts)


def key(pattern: str) -> str:
    """A regex's entry: its text's SHA-256, short (the texts are long: 150 kB more)."""
    return hashlib.sha256(pattern.encode("utf-8")).hexdigest()[:16]


def main(paths: list[str]) -> None:
    documents = read_rule_files(paths or Settings().reasons_files)
    rules = compile_rules(documents)
    parts = sorted({p for _source, data in documents for spec in data.get("rule", []) for p in spec.get("patterns", [])})
    joined = {i: r for i, r in enumerate(rules.rules) if r.patterns is not None}
    needs = rules._index["needs"]._r_texts  # what the second index used for each rule's joined patterns
    pieces = sorted({p.pattern for n in rules.negations for p in (n.before, n.after) if p is not None})
    sections = {
        "patterns": {key(p): {"needs": _listed(literals_needed(p)), "prefixes": pattern_prefixes([p])} for p in parts},
        "joined": {key(r.patterns.pattern): {"needs": _listed(needs[i]), "prefixes": r.pattern_prefixes}
                   for i, r in joined.items()},
        "templates": {key(p): _listed(literals_needed(p)) for p in pieces},
    }
    # one regex a line: a diff of the file shows which readings changed
    lines = [f"{json.dumps(k)}: {{\n" + ",\n".join(f"{json.dumps(h)}: {json.dumps(v, ensure_ascii=False)}"
                                                  for h, v in sorted(entries.items())) + "\n}"
             for k, entries in sections.items()]
    sys.stdout.write("{\n" + ",\n".join(lines) + "\n}\n")


if __name__ == "__main__":
    main(sys.argv[1:])
