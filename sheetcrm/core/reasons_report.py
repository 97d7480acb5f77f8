"""Pure: what the rejection reasons add up to — the `report reasons` counts, the
`classify --evaluate` accuracy of the rules against labelled texts, and the
`reasons suggest` rules drawn from a person's reason_label."""
from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence

import pandas as pd

from .. import schema
from ..values import is_blank
from .reason_compile import Document, compile_rules
from .reason_rules import LETTERS, RuleSet, normalise
from .reasons import classify, classify_text

@dataclasses.dataclass
class ReasonsReport:
    counts: pd.DataFrame  # position_id, rejection_class, rejection_category, rows, class_rows, share
    unclassified: pd.DataFrame  # text, rows, positions, rule

    def rows(self) -> pd.DataFrame:
        """Both parts as one flat table (section = counts | unclassified), for JSON and CSV."""
        counts = self.counts.assign(section="counts", text=None)
        uncl = self.unclassified.assign(section="unclassified", position_id="ALL",
                                        rejection_class=schema.UNCLASSIFIED,
                                        rejection_category=schema.UNCLASSIFIED, share=None, class_rows=None)
        cols = ["section", "position_id", "rejection_class", "rejection_category", "text", "rows", "class_rows",
                "share"]
        return pd.concat([counts[cols], uncl[cols]], ignore_index=True)


def reasons_report(pipeline: pd.DataFrame) -> ReasonsReport:
    """Counts of classes and categories per position and overall (position_id ALL),
    and the unclassified texts with how often each occurs."""
    decided = pipeline.dropna(subset=["rejection_class"])
    parts = [decided.assign(position_id=decided["position_id"].astype(str)),
             decided.assign(position_id="ALL")]
    both = pd.concat(parts, ignore_index=True)
    keys = ["position_id", "rejection_class", "rejection_category"]
    counts = both.groupby(keys, sort=False).size().rename("rows").reset_index()
    totals = counts.groupby("position_id")["rows"].transform("sum")
    counts["class_rows"] = counts.groupby(["position_id", "rejection_class"])["rows"].transform("sum").astype("int64")
    counts["share"] = (counts["rows"] / totals).round(3)
    class_order = {c: i for i, c in enumerate(schema.REJECTION_CLASSES)}
    counts = counts.assign(_all=counts["position_id"] == "ALL", _cls=counts["rejection_class"].map(class_order))
    counts = counts.sort_values(["_all", "position_id", "_cls", "rows", "rejection_category"],
                                ascending=[True, True, True, False, True], kind="stable")
    counts = counts.drop(columns=["_all", "_cls"]).reset_index(drop=True)
    counts = counts[["position_id", "rejection_class", "rejection_category", "rows", "class_rows", "share"]]
    counts["rows"] = counts["rows"].astype("int64")

    uncl = decided[decided["rejection_class"] == schema.UNCLASSIFIED]
    if len(uncl):
        texts = uncl["rejection_reason"].map(lambda t: "" if is_blank(t) else str(t))
        grouped = uncl.assign(text=texts).groupby("text", sort=False)
        table = pd.DataFrame({
            "rows": grouped.size(),
            "positions": grouped["position_id"].agg(lambda s: ", ".join(sorted(set(map(str, s))))),
            "rule": grouped["rejection_rule"].first(),
        }).reset_index()
        table = table.sort_values(["rows", "text"], ascending=[False, True], kind="stable").reset_index(drop=True)
        table["rows"] = table["rows"].astype("int64")
    else:
        table = pd.DataFrame({"text": [], "rows": pd.Series([], dtype="int64"), "positions": [], "rule": []})
    return ReasonsReport(counts, table[["text", "rows", "positions", "rule"]])




# ---------------------------------------------------------------- evaluate

EVALUATION_COLUMNS = ["category", "rows", "correct", "accuracy", "class_correct"]


@dataclasses.dataclass
class Evaluation:
    per_category: pd.DataFrame  # category, rows, correct, accuracy, class_correct (+ a row ALL)
    confusion: pd.DataFrame  # one row per expected category, one column per category read
    hard_read_as_soft: pd.DataFrame  # text, category, read: the costly error, should stay empty

    def rows(self) -> pd.DataFrame:
        """Both tables as one flat list (section = accuracy | confusion), for JSON and CSV."""
        acc = self.per_category.assign(section="accuracy")
        conf = self.confusion.reset_index().melt(id_vars="expected", var_name="read", value_name="rows")
        conf = conf[conf["rows"] > 0].assign(section="confusion", category=lambda d: d["expected"])
        return pd.concat([acc, conf[["section", "category", "read", "rows"]]], ignore_index=True)


def evaluate(labelled: pd.DataFrame, rules: RuleSet) -> Evaluation:
    """How the rules read labelled texts (columns text, class, category): accuracy per
    expected category and overall, and which category each was read as."""
    texts = labelled["text"].map(lambda t: "" if is_blank(t) else str(t))
    read = [classify(t, None, rules) for t in texts]
    frame = pd.DataFrame({"text": texts, "expected": labelled["category"].astype(str).str.strip(),
                          "expected_class": labelled["class"].astype(str).str.strip(),
                          "read": [c.category for c in read], "read_class": [c.cls for c in read]})
    frame["correct"] = frame["expected"] == frame["read"]
    frame["class_correct"] = frame["expected_class"] == frame["read_class"]
    order = [c for c in schema.CATEGORY_CLASS if c in set(frame["expected"]) | set(frame["read"])]
    order += sorted(set(frame["expected"]) - set(order))
    per = frame.groupby("expected", sort=False).agg(rows=("correct", "size"), correct=("correct", "sum"),
                                                     class_correct=("class_correct", "sum"))
    per = per.reindex([c for c in order if c in per.index])
    per.loc["ALL"] = [len(frame), int(frame["correct"].sum()), int(frame["class_correct"].sum())]
    per["accuracy"] = (per["correct"] / per["rows"]).round(3)
    per = per.rename_axis("category").reset_index()[EVALUATION_COLUMNS]
    confusion = pd.crosstab(frame["expected"], frame["read"]).reindex(
        index=[c for c in order if c in set(frame["expected"])], columns=order, fill_value=0)
    confusion.index.name, confusion.columns.name = "expected", None
    bad = frame[(frame["expected_class"] == schema.HARD_NO) & (frame["read_class"] == schema.SOFT_NO)]
    return Evaluation(per, confusion, bad[["text", "expected", "read"]].reset_index(drop=True))


# ---------------------------------------------------------------- suggest

_CLAUSES = re.compile(r"[,;.!?()]|\s[-–—]\s|:")


@dataclasses.dataclass
class Suggestions:
    toml: str  # ready to paste into config/reasons.toml
    rows: pd.DataFrame  # row, label, read, phrase (blank: no phrase found), note


def _candidate_phrases(text: str) -> list[str]:
    """Phrases from the text, most telling first: each clause's words (at most 5),
    then the whole text's first words."""
    out = []
    for clause in _CLAUSES.split(normalise(text)):
        words = LETTERS.findall(clause)
        if words:
            out.append(" ".join(words[:5]))
    return list(dict.fromkeys(out))


def _labelled_misreads(pipeline: pd.DataFrame, rules: RuleSet) -> list[tuple[int, str, str, str]]:
    """(row, text, label, category read) for labelled rows the rules read otherwise."""
    if "reason_label" not in pipeline:
        return []
    out, seen = [], set()
    for row, text, label in zip(pipeline.index, pipeline["rejection_reason"], pipeline["reason_label"]):
        if is_blank(text) or is_blank(label) or str(label).strip() not in schema.CATEGORY_CLASS:
            continue
        key = (str(text), str(label).strip())
        if key in seen:
            continue
        seen.add(key)
        read = classify_text(key[0], rules)
        if read.category != key[1]:
            out.append((int(row), key[0], key[1], read.category))
    return out


def _toml(chosen: dict[str, list[tuple[str, int]]], skipped: int) -> str:
    lines = ["# Rules drawn from reason_label (sheetcrm reasons suggest): paste into config/reasons.toml.",
             "# Each phrase was checked: with it, the row's text reads as its label."]
    if skipped:
        lines.append(f"# {skipped} labelled row(s) had no phrase that would do it; see the table.")
    for category, phrases in chosen.items():
        lines += ["", "[[rule]]", f'id = "{category}.from_labels"', f'category = "{category}"', "phrases = ["]
        lines += [f"    {json.dumps(p, ensure_ascii=False)},  # Pipeline row {row}" for p, row in phrases]
        lines.append("]")
    return "\n".join(lines) + "\n"


def suggest_rules(pipeline: pd.DataFrame, documents: Sequence[Document]) -> Suggestions:
    """Phrases that make labelled rows read as their label, as [[rule]] blocks.

    A soft-no label on a text that reads hard-no is never suggested (the label is
    overruled there anyway). Each candidate phrase is tried with the rules it would
    join; the first one that makes the text read as its label is kept."""
    rules = compile_rules(documents)
    misreads = _labelled_misreads(pipeline, rules)
    table, todo = [], []
    for row, text, label, read in misreads:
        if (schema.CATEGORY_CLASS.get(read) == schema.HARD_NO and schema.CATEGORY_CLASS[label] == schema.SOFT_NO):
            table.append((row, label, read, "", "text reads hard-no: a soft-no label is overruled"))
        else:
            todo.append((row, text, label, read, _candidate_phrases(text)))
    chosen: dict[str, list[tuple[str, int]]] = {}
    for attempt in range(3):
        if not todo:
            break
        trial = {**{c: list(p) for c, p in chosen.items()}}
        for row, _text, label, _read, cands in todo:
            if attempt < len(cands):
                trial.setdefault(label, []).append((cands[attempt], row))
        got = compile_rules([*documents, ("suggested", _as_doc(trial))])
        still = []
        for item in todo:
            row, text, label, read, cands = item
            ok = attempt < len(cands) and classify_text(text, got).category == label
            if ok:
                chosen.setdefault(label, []).append((cands[attempt], row))
                table.append((row, label, read, cands[attempt], ""))
            else:
                still.append(item)
        todo = still
    table += [(row, label, read, "", "no phrase from the text makes it read so") for row, _t, label, read, _c in todo]
    frame = pd.DataFrame(table, columns=["row", "label", "read", "phrase", "note"]).sort_values("row", kind="stable")
    return Suggestions(_toml(chosen, len(todo)) if chosen else "# nothing to suggest\n", frame.reset_index(drop=True))


def _as_doc(chosen: dict[str, list[tuple[str, int]]]) -> dict:
    return {"rule": [{"id": f"{c}.from_labels", "category": c, "phrases": [p for p, _row in ps]}
                     for c, ps in chosen.items() if ps]}
