"""Pure: rejection reason text (+ outcome) -> class, category, and the rule that decided.

STUB (issue #4 replaces it): only the outcome `ghosted` with no text is classified.
"""
from __future__ import annotations

import dataclasses

import pandas as pd

from . import schema
from .config import Settings


@dataclasses.dataclass(frozen=True)
class Classification:
    cls: str
    category: str
    rule: str


@dataclasses.dataclass(frozen=True)
class RuleSet:
    rules: tuple = ()


def load_rules(settings: Settings) -> RuleSet:
    return RuleSet()


def classify(text: str | None, outcome: str | None, rules: RuleSet) -> Classification:
    if outcome == "ghosted" and not (text or "").strip():
        return Classification(schema.SOFT_NO, "ghosted", "outcome ghosted")
    return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED, "")


def classify_pipeline(pipeline: pd.DataFrame, rules: RuleSet) -> pd.DataFrame:
    """Adds rejection_class, rejection_category, rejection_rule to rejected,
    declined and ghosted rows (None elsewhere). Each distinct text once."""
    out = pipeline.copy()
    decided = out["outcome"].isin(["rejected", "declined", "ghosted"])
    cls, cat, rule = [], [], []
    for is_no, text, outcome in zip(decided, out["rejection_reason"], out["outcome"]):
        if not is_no:
            cls.append(None); cat.append(None); rule.append(None)
            continue
        c = classify(text, outcome, rules)
        cls.append(c.cls); cat.append(c.category); rule.append(c.rule)
    out["rejection_class"] = pd.Series(cls, index=out.index, dtype=object)
    out["rejection_category"] = pd.Series(cat, index=out.index, dtype=object)
    out["rejection_rule"] = pd.Series(rule, index=out.index, dtype=object)
    return out


def candidate_classes(pipeline: pd.DataFrame, candidates: pd.DataFrame) -> pd.Series:
    """Per candidate_id: hard_no if any row or do_not_contact says so, else
    soft_no if any row is soft-no, else None (DESIGN §4)."""
    out = pd.Series(None, index=pd.Index(candidates["candidate_id"].dropna().unique()), dtype=object)
    cls = pipeline.dropna(subset=["rejection_class"])
    soft = set(cls.loc[cls["rejection_class"] == schema.SOFT_NO, "candidate_id"])
    hard = set(cls.loc[cls["rejection_class"] == schema.HARD_NO, "candidate_id"])
    hard |= set(candidates.loc[candidates["do_not_contact"], "candidate_id"].dropna())
    out[out.index.isin(list(soft))] = schema.SOFT_NO
    out[out.index.isin(list(hard))] = schema.HARD_NO
    return out
