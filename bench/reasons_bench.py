"""Classifying rejection reasons at scale: 1,000,000 Pipeline rows, 5,000 distinct texts.

    python bench/reasons_bench.py [--rows 1000000] [--distinct 5000]

Real sheets repeat the same reasons thousands of times, so `classify_pipeline`
reads each distinct text once; this prints how long that takes end to end
(loading the rules, the classification, and the per-row columns).
"""
from __future__ import annotations

import argparse
import csv
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd

from sheetcrm.core import reasons
from sheetcrm.config import Settings
from sheetcrm.rules import load_rules
from sheetcrm.demo import HARD_REASONS, SOFT_REASONS, UNCLEAR_REASONS

HERE = Path(__file__).resolve().parent


def distinct_texts(n: int, seed: int = 1) -> list[str]:
    """n different reason texts in the style of the labelled examples."""
    base = [t for d in (SOFT_REASONS, HARD_REASONS) for texts in d.values() for t in texts] + UNCLEAR_REASONS
    labelled = HERE.parent / "tests" / "data" / "reasons_labelled.csv"
    if labelled.exists():
        with labelled.open(newline="", encoding="utf-8") as fh:
            base += [r["text"] for r in csv.DictReader(fh)]
    rnd = random.Random(seed)
    tails = ["", " (per call)", " - see email", ", will revisit", " again", " tbh", " per HM", " fyi", "!!"]
    out: set[str] = set(base)
    while len(out) < n:
        a, b = rnd.choice(base), rnd.choice(base)
        text = a if rnd.random() < 0.6 else f"{a}; {b}"
        out.add(f"{text}{rnd.choice(tails)} #{rnd.randint(1, 99)}")
    return sorted(out)[:n]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--distinct", type=int, default=5_000)
    args = ap.parse_args()
    texts = np.array(distinct_texts(args.distinct), dtype=object)
    rnd = np.random.default_rng(7)
    outcomes = np.array(["rejected", "declined", "ghosted", "open", "hired"], dtype=object)
    pipe = pd.DataFrame({
        "candidate_id": [f"C-{i:07d}" for i in range(args.rows)],
        "position_id": rnd.choice(np.array([f"P-{i:03d}" for i in range(60)], dtype=object), args.rows),
        "outcome": rnd.choice(outcomes, args.rows, p=[0.45, 0.2, 0.1, 0.15, 0.1]),
        "rejection_reason": texts[rnd.integers(0, len(texts), args.rows)],
    })
    t0, c0 = time.perf_counter(), time.process_time()
    rules = load_rules(Settings())
    t1, c1 = time.perf_counter(), time.process_time()
    out = reasons.classify_pipeline(pipe, rules)
    t2, c2 = time.perf_counter(), time.process_time()
    counts = out["rejection_class"].value_counts()
    print(f"rows {args.rows:,}, distinct texts {len(texts):,}")
    # CPU time too: on a shared machine the wall clock also measures the neighbours
    print(f"load rules        {t1 - t0:6.3f} s wall, {c1 - c0:6.3f} s CPU")
    print(f"classify_pipeline {t2 - t1:6.3f} s wall, {c2 - c1:6.3f} s CPU  ({args.rows / (t2 - t1):,.0f} rows/s wall)")
    print("classes: " + ", ".join(f"{k} {v:,}" for k, v in counts.items()))


if __name__ == "__main__":
    main()
