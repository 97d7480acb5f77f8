"""Pure: rejection reason text (+ outcome, + a person's label) -> class, category, and the rule that decided.

The rules are data, not code (``sheetcrm/defaults/reasons*.toml``, then the
agency's ``config/reasons.toml``), read by :mod:`sheetcrm.rules` and compiled by
:mod:`.reason_compile`; this module only reads texts with them.

How a text is decided (the costly mistake is calling someone who is a hard-no, so
every doubt leans away from soft-no):

* any hard-no match that is not negated wins. Several: the more specific one is
  shown (``HARD_PRECEDENCE``: do_not_contact, conduct, false_information,
  client_complaint, career_change, unavailable_permanently — "now a chef, left
  software for good" is career_change, not the generic "for good");
* a hard-no match that is doubted ("alleged …", "… pending") or lacks its
  ``requires`` word ("client complaint" without "confirmed"), or a rule of
  category ``unclassified`` ("blacklisted", "never again"), makes the text
  unclassified: a person decides, and nobody is circled back meanwhile;
* else the decisive soft-no (``decisive_soft``): negated ones left out ("no
  experience issues, just salary" is salary), with the words inside them ("coding" in
  "coding test passed"); words of ``weak`` rules
  ("interview", "experience") only when nothing more specific is there; then
  money beats "declined" ("offer declined – money" is salary); experience beats a
  skill word in the same clause ("k8s: not enough hands-on experience"); else the
  one mentioned first;
* a hard-no match that was explicitly negated counts for nothing, but then only
  soft-no matches read without typo tolerance may decide.

Phrases are found as typed, as word forms (stems in the rule's language:
"falsified" is a form of "falsify") and with typo tolerance (unknown words read as
the closest rule word). Forms and typos only ever add readings: every match found
in the text as typed still counts, so they can never turn a hard-no into a soft-no.
"""
from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .. import schema
from ..config import Settings
from ..values import is_blank
from .columns import cell_text
from .reason_compile import compile_rules  # noqa: F401  (the public way to build rules from parsed files)
from .reason_corrections import read_corrected
from .reason_examples import Reading, read_like_examples
from .reason_rules import UNASKED, Negation, Rule, RuleSet, negation_template, normalise, phrase_regex, words_of  # noqa: F401
from .reason_slips import slips_in_doubt
from .reason_words import WORDS, accented_in_english, accented_words, named_words
from .validate import issues_frame

# Among several hard-no reasons in one text, the one shown is the most specific, and
# among those the one a recruiter most needs to see before picking up the phone.
HARD_PRECEDENCE = ("do_not_contact", "conduct", "false_information", "client_complaint",
                   "career_change", "unavailable_permanently")
NO_RULE = "no rule matched"
NO_TEXT = "no reason given"
UNRECOGNISED_MESSAGE = "rejection reason not recognised; label it or add a phrase to config/reasons.toml"
LABEL_RULE = "reason_label"

_NEGATE, _DOUBT, _UNCONFIRMED, _OK = "negate", "doubt", "unconfirmed", "ok"
_CLAUSE_END = re.compile(r"[,;.!?()]|\s[-–—]\s|\b(?:but|and|then|so|because)\b")


@dataclasses.dataclass(frozen=True)
class Classification:
    cls: str
    category: str
    rule: str
    direction: str = ""  # experience only: "under" / "over", as the deciding rule says


class _Hit(NamedTuple):
    """One match of a rule and how it reads (a named tuple: made for every match of every
    text, it costs a third of a frozen dataclass)."""
    rule: Rule
    start: int
    end: int
    text: str
    status: str
    why: str  # the template or the missing word behind a status other than ok
    typo: bool  # found only in the typo-tolerant reading
    form_of: str = ""  # found as a word form of this rule phrase

    @property
    def category(self) -> str:
        return self.rule.category


def _status(rule: Rule, rules: RuleSet, text: str, start: int, end: int) -> tuple[str, str]:
    if rule.negation:
        # "ask a person" words are negated like hard-no ones ("no red flags")
        neg = rules.negation_at(schema.SOFT_NO if rule.cls == schema.SOFT_NO else schema.HARD_NO, text, start, end)
        if neg is not None and neg.effect == _DOUBT and not rule.confirmed(text) and rule.denied(text):
            return _NEGATE, f"{neg.template}, not confirmed"  # "alleged …; we checked, nothing confirmed"
        if neg is not None:
            return neg.effect, neg.template
    elif rule.cls == schema.HARD_NO:
        # its phrases carry their own "not", but a request said not to have been made is none:
        # "he did not ask to be taken off our list" (templates with applies_to = "unasked")
        neg = rules.negation_at(UNASKED, text, start, end)
        if neg is not None:
            return neg.effect, neg.template
    if not rule.confirmed(text):
        # denied in so many words anywhere in the note: no hard-no, the other reasons decide
        return (_NEGATE, "not confirmed") if rule.denied(text) else (_UNCONFIRMED, "not confirmed")
    return _OK, ""


def _hits(text: str, rules: RuleSet, typo: bool, readings: dict | None = None) -> list[_Hit]:
    out = []
    for rule, parts in rules.candidates(words_of(text), readings, text):
        reading = readings.get(rule.language) if readings else None
        for f in rule.found(text, reading, parts):
            status, why = _status(rule, rules, text, f.start, f.end)
            out.append(_Hit(rule, f.start, f.end, f.text, status, why, typo, f.form_of))
    return out


def all_hits(norm: str, rules: RuleSet, accented: frozenset[str] = frozenset(),
             names: frozenset[str] = frozenset()) -> list[_Hit]:
    """Every match in the normalised text: as typed, as word forms, then as typos
    (`accented`: the words typed with accents, see ``RuleSet.form_readings``; `names`: words
    typed Capitalised inside a sentence, never read as typos, see ``named_words``)."""
    hits = _hits(norm, rules, typo=False, readings=rules.form_readings(norm, accented))
    reading = rules.typo_reading(norm)
    if reading != norm:
        seen = {(h.rule.id, h.status) for h in hits}
        hits += _names_in_doubt([h for h in _hits(reading, rules, typo=True) if (h.rule.id, h.status) not in seen], norm, rules, names)
    return hits + slips_in_doubt(norm, reading, hits, rules, _hits)


def _names_in_doubt(typo_hits: list[_Hit], norm: str, rules: RuleSet, names: frozenset[str]) -> list[_Hit]:
    """A hard-no found only by reading a name as a typo ("Lumen's CTO" as German "lügen", "lives
    in Leuven" as Dutch "leugen") is in doubt: a person decides, as with "alleged". Never dropped:
    a German noun is Capitalised too, and a slip in one must not make a hard-no soft."""
    if not names or not any(h.rule.cls == schema.HARD_NO for h in typo_hits):
        return typo_hits
    named = rules.typo_reading(norm, names)
    kept = {h.rule.id for h in _hits(named, rules, typo=True)} if named != norm else set()
    return [h._replace(status=_DOUBT, why="a name read as a typo")
            if h.rule.cls == schema.HARD_NO and h.status == _OK and h.rule.id not in kept else h for h in typo_hits]


def _label(hit: _Hit) -> str:
    form = f' (a form of "{hit.form_of}")' if hit.form_of else ""
    return f'{hit.rule.id}: "{hit.text}"' + form + (" (read as a typo)" if hit.typo else "")


def _also(chosen: _Hit, hits: Sequence[_Hit]) -> str:
    others = []
    for h in hits:
        if h.status == _OK and h.category not in (chosen.category, schema.UNCLASSIFIED) and h.category not in others:
            others.append(h.category)
    return f"; also {', '.join(others)}" if others else ""


def _hard_rank(h: _Hit) -> tuple:
    order = HARD_PRECEDENCE.index(h.category) if h.category in HARD_PRECEDENCE else len(HARD_PRECEDENCE)
    return (h.rule.weak, order, h.typo, bool(h.form_of), h.start)


def _decisive_hard(confirmed: Sequence[_Hit]) -> _Hit:
    """The hard-no shown: by HARD_PRECEDENCE, except that a confirmed client complaint
    said before the conduct or the falsehood it is about ("client complained about his
    aggressive behaviour; confirmed", "client complaint substantiated: false status
    reports") is the client's complaint: that is what the note records."""
    chosen = min(confirmed, key=_hard_rank)
    if chosen.category in ("conduct", "false_information"):
        complaint = [h for h in confirmed if h.category == "client_complaint" and not h.rule.weak]
        if complaint and min(h.start for h in complaint) < chosen.start:
            return min(complaint, key=_hard_rank)
    return chosen


def _same_clause(text: str, a: _Hit, b: _Hit) -> bool:
    lo, hi = min(a.start, b.start), max(a.end, b.end)
    return _CLAUSE_END.search(text, lo, hi) is None or (a.start <= b.start < a.end or b.start <= a.start < b.end)


def _inside_another(h: _Hit, hits: Sequence[_Hit]) -> bool:
    """The hit is part of a longer phrase of another category ("declined" in "client
    declined", "raise" in "stayed after a raise"): that phrase is what was meant."""
    return any(o.category != h.category and o.start <= h.start and h.end <= o.end and o.end - o.start > h.end - h.start
               for o in hits)


def _inside_ruled_out(h: _Hit, hits: Sequence[_Hit]) -> bool:
    """The hit is a word of a longer soft-no phrase that was ruled out ("coding" in "coding test
    passed"): it goes with that phrase."""
    return any(o.rule.cls == schema.SOFT_NO and o.status == _NEGATE and o.start <= h.start and h.end <= o.end
               and o.end - o.start > h.end - h.start for o in hits)


def _about_negated_hard(h: _Hit, hits: Sequence[_Hit], text: str) -> bool:
    """The hit says what a negated hard-no was about, in its clause ("client grumbled about his
    attitude (not substantiated)", "plainte du client sur son attitude, infondée"): it goes with it."""
    return any(o.rule.cls == schema.HARD_NO and o.status == _NEGATE and o.end <= h.start and _same_clause(text, o, h)
               for o in hits)


def _alone_in_clause(text: str, h: _Hit) -> bool:
    """Nothing but the phrase in its clause ("withdrew - notice period issue"): it says
    what happened, the next clause says why."""
    before = _CLAUSE_END.split(text[:h.start])[-1] if text[:h.start] else ""
    after = _CLAUSE_END.split(text[h.end:])[0] if text[h.end:] else ""
    return len(re.findall(r"\w+", before + " " + after)) <= 1


def decisive_soft(soft: Sequence[_Hit], text: str) -> _Hit:
    """The soft-no that decides among several (the order is documented in the README):
    strong before weak (a phrase inside a longer one of another category does not count);
    then money beats "declined" (and so do location and availability in the same clause:
    "refused to relocate", or anywhere when the declining clause says nothing else: "not
    keen, wanted remote"; a reason in the declining clause beats one in another);
    experience beats a skill word (in the same clause, or anywhere when it is said as
    experience: "knows Terraform on paper, no hands-on experience"); else the one
    mentioned first (as typed before word forms and typo readings)."""
    strong = [h for h in soft if not h.rule.weak and not _inside_another(h, soft)] or list(soft)
    # at one place, a phrase as typed beats a word form of another rule's phrase ("travel" is
    # location as typed, availability only as a form of "travelling")
    chosen = min(strong, key=lambda h: (h.typo, h.start, -(h.end - h.start), bool(h.form_of)))
    if chosen.category == "declined_role":
        declined = [h for h in strong if h.category == "declined_role"]
        bare = _alone_in_clause(text, chosen)
        # money inside a "declined" phrase is not why ("stayed after a raise" is declined_role)
        why = [h for h in strong if (h.category == "salary" and not any(d.start <= h.start and h.end <= d.end
                                                                           for d in declined))
               or (h.category in ("location", "availability") and (bare or _same_clause(text, h, chosen)))]
        if why:
            # the reason in the declining clause first ("not keen on the commute and pay was low")
            return min(why, key=lambda h: (not _same_clause(text, h, chosen), h.category != "salary", h.typo, h.start))
    if chosen.category == "skills":
        exp = [h for h in strong if h.category == "experience" and (_same_clause(text, h, chosen) or h.rule.direction == "under")]
        if exp:
            return min(exp, key=lambda h: (h.typo, h.start))
    return chosen


def _review(hits: Sequence[_Hit]) -> Classification | None:
    # an ask-a-person word that a negated hard-no already read ("complaint" in "a complaint,
    # nothing substantiated") is not asked again
    negated = [h for h in hits if h.rule.cls == schema.HARD_NO and h.status == _NEGATE]
    review = [h for h in hits if (h.rule.cls == schema.HARD_NO and h.status in (_DOUBT, _UNCONFIRMED))
              or (h.rule.cls == schema.UNCLASSIFIED and h.status in (_OK, _DOUBT)
                  and not any(n.start <= h.start and h.end <= n.end for n in negated))]
    if not review:
        return None
    h = min(review, key=lambda h: (h.typo, h.start))
    why = ("is not confirmed" if h.status == _UNCONFIRMED else f'is in doubt ("{h.why}")'
           if h.status == _DOUBT else "calls for a person")
    return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED,
                          f"{_label(h)} {why}; a person decides hard-no or soft-no")


def _only_asked(hits: Sequence[_Hit]) -> bool:
    """The text holds ask-a-person words and nothing else the rules read (no hard-no phrase,
    negated or not; no soft-no one; no doubt)."""
    return bool(hits) and all(h.rule.cls == schema.UNCLASSIFIED and h.status == _OK for h in hits)


def _without(norm: str, hits: Sequence[_Hit]) -> str:
    """The text without the words of these hits: what resembles a labelled note must be the
    rest of it ("never again" alone is no more a do-not-contact than the rules say it is)."""
    for h in sorted(hits, key=lambda h: -h.start):
        norm = norm[:h.start] + " " * (h.end - h.start) + norm[h.end:]
    return norm


def _like_examples(norm: str, rules: RuleSet, hard_only: bool) -> Reading | None:
    """What the labelled notes the text resembles say (reason_examples), if they agree."""
    if rules.examples is None:
        return None
    like = read_like_examples(norm, rules.examples, lambda category: _may_be_hard(norm, category, rules))
    return None if like is None or (hard_only and like.cls != schema.HARD_NO) else like


def _may_be_hard(norm: str, category: str, rules: RuleSet) -> bool:
    """Whether a note no rule reads may take a hard-no category from the notes it resembles:
    not when a rule of that category would want a verdict the note lacks ("Klant meldt lekken
    van info" is no confirmed complaint), nor when a hard-no doubt template holds around some
    word ("alleged …", "… wordt onderzocht"): a person decides."""
    verdicts = [r for r in rules.rules if r.category == category and r.requires is not None]
    if verdicts and not any(r.confirmed(norm) for r in verdicts):
        return False
    for m in WORDS.finditer(norm):
        neg = rules.negation_at(schema.HARD_NO, norm, m.start(), m.end())
        if neg is not None and neg.effect == _DOUBT and not neg.wide:
            return False
    return True


def classify_text(text: str, rules: RuleSet) -> Classification:
    """One non-blank reason text (the outcome does not change a written reason); a note that
    corrects itself is read as :mod:`.reason_corrections` says."""
    return read_corrected(text, lambda t: _read_text(t, rules))


def _read_text(text: str, rules: RuleSet) -> Classification:
    norm = normalise(text)
    accented = accented_words(text)
    hits = all_hits(norm, rules, accented, named_words(text))
    hard = [h for h in hits if h.rule.cls == schema.HARD_NO]
    confirmed = [h for h in hard if h.status == _OK]
    if confirmed:
        chosen = _decisive_hard(confirmed)
        return Classification(schema.HARD_NO, chosen.category, _label(chosen) + _also(chosen, hits))
    review = _review(hits)
    if review is not None:
        # only an ask-a-person word ("for good", "nie wieder"), no hard-no phrase at all: the
        # labelled notes may say which hard-no it is (never a soft-no: the word stays a doubt)
        like = _like_examples(_without(norm, hits), rules, hard_only=True) if _only_asked(hits) else None
        if like is not None:
            return Classification(like.cls, like.category, f"{like.rule}; {review.rule.split(' calls for')[0]} alone "
                                                           "calls for a person")
        return review
    negated_hard = [h for h in hard if h.status == _NEGATE]
    soft = [h for h in hits if h.rule.cls == schema.SOFT_NO and h.status == _OK
            and not (negated_hard and h.typo) and not _inside_ruled_out(h, hits)
            and not accented_in_english(h.rule.language, h.text, accented)]
    if len({h.category for h in soft}) > 1:  # which reason decides: not one a list around it rules out,
        # nor what a negated hard-no was about
        soft = [h for h in soft if not (negated_hard and _about_negated_hard(h, negated_hard, norm))
                and not rules.list_ruled_out(norm, h.start, h.end)] or soft
    if soft:
        chosen = decisive_soft(soft, norm)
        note = f'; ignored {negated_hard[0].rule.id} ("{negated_hard[0].why}")' if negated_hard else ""
        return Classification(schema.SOFT_NO, chosen.category, _label(chosen) + _also(chosen, hits) + note,
                              chosen.rule.direction)
    if negated_hard:
        h = negated_hard[0]
        return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED,
                              f'{_label(h)} negated ("{h.why}") and nothing else recognised')
    # no phrase of any rule, hard-no or not, negated or not: the labelled notes it resembles
    like = _like_examples(norm, rules, hard_only=False) if not hard else None
    if like is not None:
        return Classification(like.cls, like.category, f"{like.rule}; {NO_RULE}")
    return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED, NO_RULE)


# Texts already read with the rules at hand (text -> its classify_text), e.g. by
# read_distinct in another process: a text found here is not read again.
Known = Mapping[str, "Classification"]


def classify(text: str | None, outcome: str | None, rules: RuleSet, known: Known | None = None) -> Classification:
    """Class, category and the rule that decided, for one reason text (+ outcome)."""
    if is_blank(text):
        if outcome == "ghosted":
            return Classification(schema.SOFT_NO, "ghosted", "outcome ghosted")
        return Classification(schema.UNCLASSIFIED, schema.UNCLASSIFIED, NO_TEXT)
    text = str(text)
    if known is not None and text in known:
        return known[text]
    return classify_text(text, rules)


def with_label(read: Classification, label: Any) -> Classification:
    """A person's reason_label decides, except that a soft-no label never overrides
    a text that reads hard-no (un-negated): the row stays hard-no (DESIGN §4)."""
    if is_blank(label) or str(label).strip() not in schema.CATEGORY_CLASS:
        return read
    label = str(label).strip()
    if read.cls == schema.HARD_NO and schema.CATEGORY_CLASS[label] == schema.SOFT_NO:
        return Classification(read.cls, read.category, f"{read.rule}; {LABEL_RULE} {label} overruled")
    # the label says experience and the text said which way: keep the direction
    direction = read.direction if read.category == label else ""
    return Classification(schema.CATEGORY_CLASS[label], label, f"{LABEL_RULE} {label} (text read: {read.category})",
                          direction)


# ---------------------------------------------------------------- Pipeline

def read_distinct(cells: Iterable[Any], rules: RuleSet) -> dict[str, Classification]:
    """Every text analyse may read from these raw cells, read once (:func:`distinct_texts`):
    computed ahead of analyse, e.g. in another process, it is analyse's ``known``."""
    return {t: classify_text(t, rules) for t in distinct_texts(cells)}


def distinct_texts(cells: Iterable[Any]) -> list[str]:
    """Every text analyse may read from these raw cells (a reason, a call note), once: the cell
    as validation types it (``cell_text``: what classify_pipeline and the clean Touchpoints read)
    and as it is (``str``: how a row left out for an error is read)."""
    texts = {t for cell in cells if not is_blank(cell) for t in (str(cell), cell_text(cell))}
    texts.discard(None)
    return list(texts)


def _classify_distinct(texts: np.ndarray, outcomes: np.ndarray, rules: RuleSet,
                       known: Known | None = None) -> dict[str, np.ndarray]:
    """cls/category/rule per row, each distinct text read once (or found in ``known``)."""
    codes, uniques = pd.factorize(texts)
    results = [classify(t, None, rules, known) if not is_blank(t) else None for t in uniques]
    blank_code = np.array([r is None for r in results] + [True])
    table = {f: np.array([getattr(r, f, None) for r in results] + [None], dtype=object)
             for f in ("cls", "category", "rule", "direction")}
    codes = np.where(codes < 0, len(results), codes)
    got = {f: t[codes] for f, t in table.items()}
    blank = blank_code[codes]
    for outcome in pd.unique(outcomes[blank]):
        r = classify(None, outcome, rules)
        mask = blank & (outcomes == outcome)
        got["cls"][mask], got["category"][mask], got["rule"][mask] = r.cls, r.category, r.rule
        got["direction"][mask] = r.direction
    return got


def _apply_labels(got: dict[str, np.ndarray], labels: np.ndarray) -> None:
    """A person's reason_label on top of the reading (only rows with a label; few)."""
    present = np.flatnonzero(pd.notna(labels))  # a vector test first: a million rows, few labels
    for i in (j for j in present if not is_blank(labels[j])):
        read = Classification(got["cls"][i], got["category"][i], got["rule"][i], got["direction"][i] or "")
        c = with_label(read, labels[i])
        got["cls"][i], got["category"][i], got["rule"][i], got["direction"][i] = c.cls, c.category, c.rule, c.direction


def classify_pipeline(pipeline: pd.DataFrame, rules: RuleSet, known: Known | None = None) -> pd.DataFrame:
    """Adds rejection_class, rejection_category, rejection_rule and
    rejection_direction (experience: under / over, else None) to rejected, declined
    and ghosted rows (None elsewhere), the reason_label deciding where a person set
    one (see ``with_label``). Each distinct text is read once, unless ``known`` has it."""
    out = pipeline.copy()
    n = len(out)
    cols = {f: np.full(n, None, dtype=object) for f in ("cls", "category", "rule", "direction")}
    decided = out["outcome"].isin(schema.TURNED_DOWN).to_numpy() if n else np.zeros(0, bool)
    if decided.any():
        where = np.flatnonzero(decided)
        got = _classify_distinct(out["rejection_reason"].to_numpy(dtype=object)[where],
                                 out["outcome"].to_numpy(dtype=object)[where], rules, known)
        if "reason_label" in out:
            _apply_labels(got, out["reason_label"].to_numpy(dtype=object)[where])
        for f in cols:
            cols[f][where] = got[f]
    out["rejection_class"] = pd.Series(cols["cls"], index=out.index, dtype=object)
    out["rejection_category"] = pd.Series(cols["category"], index=out.index, dtype=object)
    out["rejection_rule"] = pd.Series(cols["rule"], index=out.index, dtype=object)
    direction = cols["direction"]
    direction[direction == ""] = None
    out["rejection_direction"] = pd.Series(direction, index=out.index, dtype=object)
    return out


def candidate_classes(pipeline: pd.DataFrame, candidates: pd.DataFrame) -> pd.Series:
    """Per candidate_id: hard_no if any row or do_not_contact says so, else
    soft_no if any row is soft-no, else None (DESIGN §4)."""
    ids = pd.Index(candidates["candidate_id"].dropna().unique())
    cls = pipeline.dropna(subset=["rejection_class"])
    soft = cls.loc[cls["rejection_class"] == schema.SOFT_NO, "candidate_id"].unique()
    hard = cls.loc[cls["rejection_class"] == schema.HARD_NO, "candidate_id"].unique()
    dnc = candidates.loc[candidates["do_not_contact"].astype(bool), "candidate_id"].dropna().unique()
    values = np.full(len(ids), None, dtype=object)
    values[ids.isin(soft)] = schema.SOFT_NO
    values[ids.isin(hard) | ids.isin(dnc)] = schema.HARD_NO
    return pd.Series(values, index=ids, dtype=object)


def _shown(text: Any) -> str:
    shown = "" if is_blank(text) else str(text)
    return shown if len(shown) <= 80 else shown[:77] + "…"


def unclassified_issues(pipeline: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """One warning per Pipeline row whose reason no rule could decide, for a person
    to label, and one per row whose soft-no reason_label was overruled by a hard-no text."""
    if "rejection_class" not in pipeline or not len(pipeline):
        return issues_frame([])
    title = settings.tab_title(schema.PIPELINE)
    rows = []
    sub = pipeline[pipeline["rejection_class"] == schema.UNCLASSIFIED]
    for row, text, rule in zip(sub.index, sub["rejection_reason"], sub["rejection_rule"]):
        if rule in (NO_RULE, NO_TEXT, None):
            message = UNRECOGNISED_MESSAGE
        else:
            message = f"rejection reason needs a person: {rule}; label it or add a phrase to config/reasons.toml"
        rows.append((title, int(row), "rejection_reason", _shown(text), "warning", message, ""))
    if "reason_label" in pipeline:
        labels = pipeline["reason_label"].astype(object)
        soft_label = labels.isin(schema.SOFT_NO_CATEGORIES) & (pipeline["rejection_class"] == schema.HARD_NO)
        for row, label, category in zip(pipeline.index[soft_label], labels[soft_label],
                                        pipeline.loc[soft_label, "rejection_category"]):
            rows.append((title, int(row), "reason_label", str(label), "warning",
                         f"reason_label {label} (soft-no) overruled: the rejection_reason reads hard-no "
                         f"({category}); the row stays hard_no", "fix the label or the reason text"))
    return issues_frame(rows)


def classify_texts(texts: Sequence[Any], rules: RuleSet, outcome: str | None = None) -> pd.DataFrame:
    """Rows (text, class, category, rule) for the `classify` command."""
    seen: dict[Any, Classification] = {}
    out = []
    for text in texts:
        key = "" if is_blank(text) else str(text)
        if key not in seen:
            seen[key] = classify(key, outcome, rules)
        c = seen[key]
        out.append({"text": key, "class": c.cls, "category": c.category, "rule": c.rule})
    return pd.DataFrame(out, columns=["text", "class", "category", "rule"])
