"""The honest figure for reading notes like labelled examples (README, "Notes no rule reads").

For each blind set that later became tuning material: the rules as they were when the set
landed (before anyone tuned on it) read it; then the notes those rules left with "no rule
matched" are read like the labelled notes that existed without that set, with today's
``reason_examples``. Prints per set: right before, right after, fixed, broken, wrong class.

    python bench/reasons_examples_experiment.py

The blind sets v5, v6 and v7 are never read (any path naming them is refused).
"""
from __future__ import annotations

import collections
import csv
import io
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sheetcrm.core.reason_examples import ExampleIndex, read_like_examples
from sheetcrm.core.reason_words import Stemmers, normalise

BLIND = re.compile(r"v[567]")
# set -> (commit whose rules read it: the last before its tuning, commit whose labelled sets
# are the examples: the last without it, the sets used as examples)
EXPERIMENTS = {
    "reasons_blind_train2": ("6f3f758", "6f3f758", ["reasons_labelled", "reasons_blind_train", "reasons_heldout",
                                                    "reasons_heldout_fresh", "reasons_heldout_v4"]),
    "reasons_blind_train": ("5814195", "63f08ea", ["reasons_labelled", "reasons_heldout", "reasons_heldout_fresh",
                                                   "reasons_heldout_v4"]),
    "reasons_heldout_v4": ("c422084", "c422084", ["reasons_labelled", "reasons_heldout", "reasons_heldout_fresh"]),
    "reasons_heldout_fresh": ("21819c5", "21819c5", ["reasons_labelled", "reasons_heldout"]),
}
# Run inside the old tree: its own rules read the set; also which hard-no categories a note
# may take (no doubt template holds, and the verdict the category's rules require is there).
OLD_READER = r'''
import csv, json, re, sys
from sheetcrm.config import BUILTIN_REASONS, BUILTIN_REASONS_LANGUAGES
from sheetcrm.rules import load_rule_files
from sheetcrm.core.reasons import all_hits, classify, normalise
rules = load_rule_files([BUILTIN_REASONS, *BUILTIN_REASONS_LANGUAGES])
hard = sorted({r.category for r in rules.rules if r.cls == "hard_no"})
for row in csv.DictReader(sys.stdin):
    c, norm = classify(row["text"], None, rules), normalise(row["text"])
    doubt = any((n := rules.negation_at("hard_no", norm, m.start(), m.end())) is not None and n.effect == "doubt"
                for m in re.finditer(r"[^\W_]+", norm))
    ok = [k for k in hard if not doubt and (not (v := [r for r in rules.rules if r.category == k and r.requires])
                                            or any(r.confirmed(norm) for r in v))]
    hits = all_hits(norm, rules)  # as the reader of that day found them (accents aside)
    asked = bool(hits) and all(h.rule.cls == "unclassified" and h.status == "ok" for h in hits)
    rest = norm
    for h in sorted(hits, key=lambda h: -h.start) if asked else ():
        rest = rest[:h.start] + " " * (h.end - h.start) + rest[h.end:]
    print(json.dumps({**row, "got_cls": c.cls, "got": c.category, "rule": c.rule, "hard_ok": ok,
                      "asked": asked and c.cls == "unclassified", "rest": rest}))
'''


def git_show(commit: str, path: str) -> str:
    if BLIND.search(path):
        raise SystemExit(f"refusing a blind set: {path}")
    return subprocess.run(["git", "-C", str(ROOT), "show", f"{commit}:{path}"], capture_output=True, text=True,
                          check=True).stdout


def old_readings(commit: str, name: str) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "sheetcrm"], capture_output=True,
                                 check=True).stdout
        with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
            tar.extractall(tmp)
        out = subprocess.run([sys.executable, "-c", OLD_READER], input=git_show(commit, f"tests/data/{name}.csv"),
                             capture_output=True, text=True, check=True, cwd=tmp, env={"PYTHONPATH": tmp})
    return [json.loads(line) for line in out.stdout.splitlines()]


def examples(commit: str, sets: list[str], leave_out: set[str]) -> list[tuple[str, str]]:
    seen, out = set(leave_out), []
    for name in sets:
        for row in csv.DictReader(io.StringIO(git_show(commit, f"tests/data/{name}.csv"))):
            if row["text"] not in seen:
                seen.add(row["text"])
                out.append((row["text"], row["category"]))
    return out


def measure(name: str) -> collections.Counter:
    rules_at, examples_at, sets = EXPERIMENTS[name]
    rows = old_readings(rules_at, name)
    index = ExampleIndex(examples(examples_at, sets, {r["text"] for r in rows}), Stemmers(), ["en", "de", "fr", "es", "nl"])
    t = collections.Counter(notes=len(rows), before=sum(r["got"] == r["category"] for r in rows))
    for r in rows:
        if r["rule"] != "no rule matched" and not r["asked"]:
            continue
        # an ask-a-person word: the rest of the note must resemble the labelled notes
        got = read_like_examples(r["rest"] if r["asked"] else normalise(r["text"]), index,
                                 lambda category, ok=r["hard_ok"]: category in ok)
        if got is None or (r["asked"] and got.cls != "hard_no"):  # an ask-a-person word: hard-no or a person
            continue
        t["answered"] += 1
        t["fixed"] += got.category == r["category"] != r["got"]
        t["broken"] += r["got"] == r["category"] != got.category
        t["wrong class"] += got.cls != r["class"]
        t["hard-no read soft"] += r["class"] == "hard_no" and got.cls == "soft_no"
    t["after"] = t["before"] + t["fixed"] - t["broken"]
    return t


def main() -> None:
    total: collections.Counter = collections.Counter()
    for name in EXPERIMENTS:
        t = measure(name)
        total.update(t)
        print(f"{name}: {t['before']}/{t['notes']} -> {t['after']}/{t['notes']}  "
              + ", ".join(f"{k} {t[k]}" for k in ("answered", "fixed", "broken", "wrong class", "hard-no read soft")))
    print(f"all: {total['before']}/{total['notes']} ({100 * total['before'] / total['notes']:.1f} %) -> "
          f"{total['after']}/{total['notes']} ({100 * total['after'] / total['notes']:.1f} %), fixed {total['fixed']}, "
          f"broken {total['broken']}, wrong class {total['wrong class']}, hard-no read soft {total['hard-no read soft']}")


if __name__ == "__main__":
    main()
