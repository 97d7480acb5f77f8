"""The honest figure for reading notes like labelled examples (README, "Notes no rule reads").

Default: for each blind set that later became tuning material, the rules as they were when the
set landed (before anyone tuned on it) read it; then the notes those rules left with "no rule
matched" are read like the labelled notes that existed without that set, with today's
``reason_examples``. Prints per set: right before, right after, fixed, broken, wrong class.

``--loso``: leave one set out. For each set that was once blind, the examples are the other
labelled sets of a pool (``POOLS``: "previous", the sets the built-in examples file held before
its last growth; "file", the sets it holds now), and the set is read by today's rules with those
examples (``--old-rules``: by the rules of the day it landed, where known, as in the default
mode); summed over the sets, for a grid of NEAREST / MIN_SIMILARITY / MIN_SHARE. A hard-no read
as soft-no is counted apart: it must stay 0.

``--write-examples``: write ``sheetcrm/defaults/reasons_examples.csv`` from the "file" pool (each
text once, the first label it was given).

    python bench/reasons_examples_experiment.py [--loso [--old-rules]] [--write-examples]

The blind sets v5 and v6 (never tuning material) and the held-out v13 are never read: any path
naming them is refused, whatever asks for it.
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

# "v13" anywhere: the held-out set of issue 19 (tests/conftest.HELD_OUT_SET), never opened here
BLIND = re.compile(r"v13|v(?:5|6)(?!\d)")
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
    tally_examples(rows, index, t)
    t["after"] = t["before"] + t["fixed"] - t["broken"]
    return t


def tally_examples(rows: list[dict], index: ExampleIndex, t: collections.Counter) -> None:
    """Add to ``t`` what the examples reader does with the notes the rules left to it: those
    no rule read, and those with an ask-a-person word (the rest of the note must resemble
    the labelled notes, and only a hard-no is taken from it)."""
    for r in rows:
        if r["rule"] != "no rule matched" and not r["asked"]:
            continue
        got = read_like_examples(r["rest"] if r["asked"] else normalise(r["text"]), index,
                                 lambda category, ok=r["hard_ok"]: category in ok)
        if got is None or (r["asked"] and got.cls != "hard_no"):  # an ask-a-person word: hard-no or a person
            continue
        t["answered"] += 1
        t["fixed"] += got.category == r["category"] != r["got"]
        t["broken"] += r["got"] == r["category"] != got.category
        t["wrong class"] += got.cls != r["class"]
        t["hard-no read soft"] += r["class"] == "hard_no" and got.cls == "soft_no"
        t["class fixed"] += (got.cls == r["class"]) - (r["got_cls"] == r["class"])


# ---------------------------------------------------------------- leave one set out

# the sets that were blind once, each read with examples from all the other labelled sets
ONCE_BLIND = ["reasons_heldout", "reasons_heldout_fresh", "reasons_heldout_v4", "reasons_blind_train",
              "reasons_blind_train2", "reasons_heldout_v7", "reasons_blind_train3", "reasons_blind_train4",
              "reasons_blind_train5", "reasons_heldout_v8", "reasons_heldout_v9", "reasons_heldout_v10",
              "reasons_blind_train6", "reasons_blind_train7"]
V4_SETS = ["reasons_labelled", "reasons_blind_train", "reasons_blind_train2", "reasons_heldout",
           "reasons_heldout_fresh", "reasons_heldout_v4"]  # the sets the examples file held before v7
V9_SETS = [*V4_SETS, "reasons_heldout_v7", "reasons_blind_train3", "reasons_blind_train4",
           "reasons_blind_train5", "reasons_heldout_v8", "reasons_heldout_v9"]  # ... before v10
V10_SETS = [*V9_SETS, "reasons_heldout_v10"]  # ... before train6 and train7
FILE_SETS = [*V10_SETS, "reasons_blind_train6", "reasons_blind_train7"]  # the built-in examples file's, in its order
POOLS = {"previous": V10_SETS, "file": FILE_SETS}
# the rules of the day each set landed (before anyone tuned on it), for --old-rules
RULES_AT = {"reasons_blind_train2": "6f3f758", "reasons_blind_train": "5814195", "reasons_heldout_v4": "c422084",
            "reasons_heldout_fresh": "21819c5", "reasons_heldout_v7": "8ac3fec", "reasons_blind_train3": "d70a349",
            "reasons_blind_train4": "4429644", "reasons_blind_train5": "729c883", "reasons_heldout_v8": "627a7f9",
            "reasons_heldout_v9": "df873c7", "reasons_heldout_v10": "ca1e47a",
            "reasons_blind_train6": "df258e6", "reasons_blind_train7": "7a03939"}
GRID = [(k, sim, share) for k in (4, 5, 6) for sim in (0.1, 0.15, 0.2) for share in (0.5, 0.6, 0.7)]
DEFAULT = GRID.index((5, 0.2, 0.6))


def rows_now(name: str) -> list[dict]:
    path = ROOT / "tests" / "data" / f"{name}.csv"
    if BLIND.search(path.name):
        raise SystemExit(f"refusing a blind set: {path.name}")
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def pool(sets: list[str], leave_out: str | None) -> list[tuple[str, str]]:
    """(text, category) of these sets without the one left out (nor any text it holds), first seen first."""
    seen, out = {r["text"] for r in rows_now(leave_out)} if leave_out else set(), []
    for name in sets:
        for row in rows_now(name) if name != leave_out else ():
            if row["text"] not in seen:
                seen.add(row["text"])
                out.append((row["text"], row["category"]))
    return out


def set_constants(k: int, sim: float, share: float) -> None:
    from sheetcrm.core import reason_examples
    reason_examples.NEAREST, reason_examples.MIN_SIMILARITY, reason_examples.MIN_SHARE = k, sim, share
    reason_examples.ExampleIndex.nearest.__defaults__ = (k,)


def loso_today(sets: list[str]) -> dict:
    """Per (set, grid point): counts with today's rules and examples from `sets` minus that set."""
    from sheetcrm.config import Settings
    from sheetcrm.core import reasons
    from sheetcrm.rules import load_rule_files
    paths, out = Settings().reasons_files, {}
    bare = load_rule_files(paths)
    with tempfile.TemporaryDirectory() as tmp:
        for name in ONCE_BLIND:
            rows = rows_now(name)
            first = [reasons.classify_text(r["text"], bare) for r in rows]
            ask = [i for i, c in enumerate(first) if c.cls == "unclassified"]  # only these consult the examples
            csv_path = Path(tmp) / f"{name}.csv"
            with csv_path.open("w", newline="", encoding="utf-8") as fh:
                csv.writer(fh).writerows([("text", "category"), *pool(sets, name)])
            rules = load_rule_files(paths, [csv_path])
            for point in GRID:
                set_constants(*point)
                got = list(first)
                for i in ask:
                    got[i] = reasons.classify_text(rows[i]["text"], rules)
                t = collections.Counter(notes=len(rows))
                for r, g, f in zip(rows, got, first):
                    t["right"] += g.category == r["category"]
                    t["class right"] += g.cls == r["class"]
                    t["hard-no read soft"] += r["class"] == "hard_no" and g.cls == "soft_no"
                    t["answered"] += g != f
                    t["fixed"] += g.category == r["category"] != f.category
                    t["broken"] += f.category == r["category"] != g.category
                    t["wrong class"] += g != f and g.cls != r["class"]
                out[name, point] = t
    set_constants(*GRID[DEFAULT])
    return out


def loso_old(sets: list[str]) -> dict:
    """Per (set, grid point): counts with the rules of the day each set landed (RULES_AT)."""
    out = {}
    for name, commit in RULES_AT.items():
        rows = old_readings(commit, name)
        index = ExampleIndex(pool(sets, name), Stemmers(), ["en", "de", "fr", "es", "nl"])
        for point in GRID:
            set_constants(*point)
            t = collections.Counter(notes=len(rows), right=sum(r["got"] == r["category"] for r in rows),
                                    **{"class right": sum(r["got_cls"] == r["class"] for r in rows)})
            tally_examples(rows, index, t)
            t["right"] += t["fixed"] - t["broken"]
            t["class right"] += t.pop("class fixed", 0)
            out[name, point] = t
    set_constants(*GRID[DEFAULT])
    return out


def loso(old_rules: bool) -> None:
    keys = ("answered", "fixed", "broken", "wrong class", "hard-no read soft")
    for label, sets in POOLS.items():
        got = (loso_old if old_rules else loso_today)(sets)
        names = [n for n in ONCE_BLIND if (n, GRID[DEFAULT]) in got]
        for name in names:
            t = got[name, GRID[DEFAULT]]
            print(f"{label} {name}: {t['right']}/{t['notes']} (class {t['class right']})  " + ", ".join(f"{k} {t[k]}" for k in keys))
        for point in GRID:
            total: collections.Counter = collections.Counter()
            for name in names:
                total.update(got[name, point])
            print(f"{label} NEAREST={point[0]} MIN_SIMILARITY={point[1]} MIN_SHARE={point[2]}: "
                  f"{total['right']}/{total['notes']} ({100 * total['right'] / total['notes']:.2f} %, "
                  f"class {total['class right']})  "
                  + ", ".join(f"{k} {total[k]}" for k in keys))


def write_examples() -> None:
    """The built-in examples file from the "file" pool (tests/test_reason_examples.py checks it)."""
    path = ROOT / "sheetcrm" / "defaults" / "reasons_examples.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([("text", "category"), *pool(FILE_SETS, None)])


def main() -> None:
    if "--write-examples" in sys.argv:
        write_examples()
    if "--loso" in sys.argv:
        loso("--old-rules" in sys.argv)
    if "--write-examples" in sys.argv or "--loso" in sys.argv:
        return
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
