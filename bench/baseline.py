"""The naive way, for ratios: the same rules, written row by row.

This is how the domain steps look when written the obvious way: ``iterrows`` and
a per-row function for every rule, each cell parsed every time it appears
(no "parse each distinct value once"), each reason text classified every time
(no cache). It uses the project's own scalar parsers and per-text classifier,
so the difference measured is the vectorised / deduplicated structure, not a
cheaper rule set. Results are built but not compared with the real modules:
this is a cost reference, not a second implementation to keep in step.
"""
from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pandas as pd

from sheetcrm.core import reasons

from sheetcrm import schema, values
from sheetcrm.config import Settings

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def _blank(v: Any) -> bool:
    if v is None:
        return True
    try:
        if pd.isna(v):
            return True
    except (TypeError, ValueError):
        pass
    return isinstance(v, str) and not v.strip()


def _email_ok(text: str) -> bool:
    try:
        from email_validator import EmailNotValidError, validate_email
    except ImportError:  # pragma: no cover
        return bool(_EMAIL.match(text))
    try:
        validate_email(text, check_deliverability=False)
        return True
    except EmailNotValidError:
        return False


def _parse(column: schema.Column, v: Any, settings: Settings) -> Any:
    kind = column.kind
    if _blank(v):
        return False if kind == schema.BOOL else None
    if kind == schema.DATE:
        return values.parse_date(v, settings.date_order)
    if kind == schema.NUMBER:
        return values.parse_number(v)
    if kind == schema.INTEGER:
        return values.parse_integer(v)
    if kind == schema.BOOL:
        return values.parse_bool(v)
    if kind == schema.DURATION:
        return values.parse_duration(v)
    if kind == schema.ENUM:
        norm = schema.normalise_header(v)
        if norm not in column.choices:
            raise ValueError(f"{column.name} must be one of {', '.join(column.choices)}")
        return norm
    if kind == schema.LIST:
        return tuple(s.strip().lower() for s in re.split(r"[,;/\n|]+", str(v)) if s.strip())
    return str(v).strip()


def validate_naive(frames: dict[str, pd.DataFrame], settings: Settings, today: dt.date):
    """Row by row: type every cell, then the per-row and cross-row rules."""
    issues: list[tuple] = []
    typed, bad = _typed_naive(frames, settings, today, issues)
    candidate_ids = _candidates_naive(typed, bad, settings, issues)
    _pipeline_naive(typed, bad, candidate_ids, _positions_naive(typed, bad, issues), issues)
    clean = {key: pd.DataFrame.from_dict({r: o for r, o in rows.items() if r not in bad[key]}, orient="index")
             for key, rows in typed.items()}
    return clean, pd.DataFrame(issues, columns=["tab", "row", "column", "value", "severity", "message"])


def _typed_naive(frames: dict[str, pd.DataFrame], settings: Settings, today: dt.date, issues: list[tuple]):
    """Every cell typed, row by row: (typed rows per tab, bad rows per tab)."""
    typed: dict[str, dict[int, dict[str, Any]]] = {}
    bad: dict[str, set[int]] = {}
    limit = today + dt.timedelta(days=settings.future_date_limit_days)
    for key in schema.INPUT_TABS:
        tab = schema.INPUT_TAB_SCHEMAS[key]
        typed[key], bad[key] = {}, set()
        for row, rec in frames[key].iterrows():
            out: dict[str, Any] = {}
            for column in tab.input_columns:
                v = rec[column.name]
                try:
                    out[column.name] = _parse(column, v, settings)
                except (ValueError, TypeError, OverflowError) as exc:
                    issues.append((key, row, column.name, v, "error", str(exc)))
                    bad[key].add(row)
                    out[column.name] = None
                if column.required and _blank(v):
                    issues.append((key, row, column.name, v, "error", f"{column.name} is required"))
                    bad[key].add(row)
                if column.kind == schema.DATE and isinstance(out[column.name], dt.date) and out[column.name] > limit:
                    issues.append((key, row, column.name, v, "warning", "date far in the future"))
            typed[key][row] = out
    return typed, bad


def _candidates_naive(typed: dict, bad: dict, settings: Settings, issues: list[tuple]) -> dict[str, int]:
    from sheetcrm.privacy import normalise_phone

    seen_ids: dict[str, int] = {}
    seen_email: dict[str, str] = {}
    seen_phone: dict[str, str] = {}
    seen_name: dict[tuple, str] = {}
    for row, out in typed[schema.CANDIDATES].items():
        cid = out.get("candidate_id")
        if cid in seen_ids:
            issues.append((schema.CANDIDATES, row, "candidate_id", cid, "error", "duplicate candidate_id"))
            bad[schema.CANDIDATES].add(row)
        seen_ids.setdefault(cid, row)
        email, phone = out.get("email"), out.get("phone")
        if email is None and phone is None:
            issues.append((schema.CANDIDATES, row, "email", None, "error", "email or phone required"))
        if email is not None and not _email_ok(email):
            issues.append((schema.CANDIDATES, row, "email", email, "error", "not an email"))
            bad[schema.CANDIDATES].add(row)
        e164 = normalise_phone(phone, settings.phone_region) if phone is not None else None
        years = out.get("years_experience")
        if years is not None and not 0 <= years <= 60:
            issues.append((schema.CANDIDATES, row, "years_experience", years, "error", "0-60"))
            bad[schema.CANDIDATES].add(row)
        for k, store in ((email.lower() if email else None, seen_email), (e164, seen_phone),
                         ((" ".join(str(out.get("name") or "").lower().split()), out.get("location")), seen_name)):
            if k is not None and k in store:
                issues.append((schema.CANDIDATES, row, "name", None, "warning", f"possible duplicate of {store[k]}"))
            elif k is not None:
                store[k] = cid
    return seen_ids


def _positions_naive(typed: dict, bad: dict, issues: list[tuple]) -> set[str]:
    position_ids: set[str] = set()
    for row, out in typed[schema.POSITIONS].items():
        pid = out.get("position_id")
        if pid in position_ids:
            issues.append((schema.POSITIONS, row, "position_id", pid, "error", "duplicate position_id"))
            bad[schema.POSITIONS].add(row)
        position_ids.add(pid)
    return position_ids


def _pipeline_naive(typed: dict, bad: dict, seen_ids: dict[str, int], position_ids: set[str],
                    issues: list[tuple]) -> None:
    for row, out in typed[schema.PIPELINE].items():
        if out.get("candidate_id") not in seen_ids:
            issues.append((schema.PIPELINE, row, "candidate_id", out.get("candidate_id"), "error", "unknown candidate"))
            bad[schema.PIPELINE].add(row)
        if out.get("position_id") not in position_ids:
            issues.append((schema.PIPELINE, row, "position_id", out.get("position_id"), "error", "unknown position"))
            bad[schema.PIPELINE].add(row)
        attempts, responded = out.get("attempts"), out.get("responded_on_attempt")
        if attempts is None:
            out["attempts"] = attempts = 1 if out.get("first_contacted") else 0
        if responded is not None and responded > attempts:
            issues.append((schema.PIPELINE, row, "responded_on_attempt", responded, "error", "more than attempts"))
            bad[schema.PIPELINE].add(row)
        outcome = out.get("outcome") or "open"
        out["outcome"] = outcome
        if outcome in ("rejected", "declined") and not out.get("rejection_reason"):
            issues.append((schema.PIPELINE, row, "rejection_reason", None, "error", "required"))
            bad[schema.PIPELINE].add(row)
        if outcome != "open" and out.get("decided_on") is None:
            issues.append((schema.PIPELINE, row, "decided_on", None, "error", "required"))
            bad[schema.PIPELINE].add(row)
        first, decided = out.get("first_contacted"), out.get("decided_on")
        if first and decided and decided < first:
            issues.append((schema.PIPELINE, row, "decided_on", decided, "error", "before first_contacted"))
            bad[schema.PIPELINE].add(row)


def _classifier():
    fn = reasons.classify
    return getattr(fn, "__wrapped__", fn)  # no lru_cache: the naive way classifies every row


def classify_naive(pipeline: pd.DataFrame, rules: Any, budget_seconds: float | None = None) -> list[tuple]:
    """Every rejected / declined / ghosted row classified on its own. With a
    budget, stops once it is spent: ``len(result)`` says how many rows were done,
    so the caller can scale the time linearly (each row costs the same here)."""
    classify = _classifier()
    out: list[tuple] = []
    deadline = None if budget_seconds is None else time.perf_counter() + budget_seconds
    for _row, rec in pipeline.iterrows():
        if deadline is not None and len(out) % 256 == 0 and out and time.perf_counter() > deadline:
            break
        outcome = rec.get("outcome")
        if outcome in ("rejected", "declined", "ghosted"):
            text = rec.get("rejection_reason")
            c = classify(None if _blank(text) else text, outcome, rules)
            out.append((getattr(c, "cls", None), getattr(c, "category", None)))
        else:
            out.append((None, None))
    return out


def candidate_classes_naive(pipeline: pd.DataFrame, candidates: pd.DataFrame) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for _row, rec in candidates.iterrows():
        out[rec["candidate_id"]] = schema.HARD_NO if rec.get("do_not_contact") is True else None
    for _row, rec in pipeline.iterrows():
        cls, cid = rec.get("rejection_class"), rec.get("candidate_id")
        if cls == schema.HARD_NO:
            out[cid] = schema.HARD_NO
        elif cls == schema.SOFT_NO and out.get(cid) != schema.HARD_NO:
            out[cid] = schema.SOFT_NO
    return out


def _ratio(a: int, b: int) -> float | None:
    return a / b if b else None


def figures_naive(pipeline: pd.DataFrame) -> list[dict[str, Any]]:
    """DESIGN §5 per position and ALL, one row at a time."""
    acc: dict[str, dict[str, int]] = {}
    keys = ("considered", "contacted", "responded", "responded_1", "responded_2", "responded_3", "responded_4plus",
            "interested", "not_interested", "hard_no", "soft_no", "unclassified", "hired")
    for _row, rec in pipeline.iterrows():
        for pid in (rec["position_id"], "ALL"):
            f = acc.setdefault(pid, dict.fromkeys(keys, 0))
            f["considered"] += 1
            attempts = rec.get("attempts")
            if not _blank(rec.get("first_contacted")) or (not _blank(attempts) and attempts >= 1):
                f["contacted"] += 1
            resp = rec.get("responded_on_attempt")
            if not _blank(resp):
                f["responded"] += 1
                f["responded_1" if resp == 1 else "responded_2" if resp == 2 else "responded_3" if resp == 3
                  else "responded_4plus"] += 1
            if rec.get("interest") in ("interested", "not_interested"):
                f[rec["interest"]] += 1
            if rec.get("rejection_class") in ("hard_no", "soft_no", "unclassified"):
                f[rec["rejection_class"]] += 1
            if rec.get("outcome") == "hired":
                f["hired"] += 1
    rows = []
    for pid in sorted(k for k in acc if k != "ALL") + ["ALL"]:
        f = dict(acc[pid], position_id=pid)
        f["response_rate"] = _ratio(f["responded"], f["contacted"])
        f["interest_ratio"] = _ratio(f["interested"], f["not_interested"])
        f["success_rate"] = _ratio(f["hired"], f["contacted"])
        rows.append(f)
    return rows


def _day(v: Any) -> dt.date | None:
    if _blank(v):
        return None
    return v.date() if isinstance(v, (pd.Timestamp, dt.datetime)) else v


def circle_backs_naive(candidates: pd.DataFrame, pipeline: pd.DataFrame, positions: pd.DataFrame,
                       candidate_class: dict[str, Any], settings: Settings, today: dt.date) -> list[dict[str, Any]]:
    """DESIGN §6, candidate by candidate, then matching against every open position."""
    by_candidate: dict[str, list[dict[str, Any]]] = {}
    for _row, rec in pipeline.iterrows():
        by_candidate.setdefault(rec["candidate_id"], []).append(rec.to_dict())
    open_positions = [rec.to_dict() for _row, rec in positions.iterrows() if rec.get("status") == "open"]
    grace = dt.timedelta(days=settings.grace_days)
    out = []
    for _row, cand in candidates.iterrows():
        cid = cand["candidate_id"]
        rows = by_candidate.get(cid, [])
        status, nxt, category = "", None, None
        if cand.get("do_not_contact") is True or candidate_class.get(cid) == schema.HARD_NO:
            status = "never"
        elif rows and not any(r.get("outcome") in ("open", "hired") for r in rows):
            decided = [r for r in rows if _day(r.get("decided_on"))]
            if decided:
                latest = max(decided, key=lambda r: _day(r["decided_on"]))
                if latest.get("rejection_class") == schema.UNCLASSIFIED:
                    status = "review"
                elif latest.get("rejection_class") == schema.SOFT_NO:
                    category = latest.get("rejection_category")
                    days = settings.cool_off_days.get(category, 180)
                    candidates_dates = [_day(latest["decided_on"]) + dt.timedelta(days=days)]
                    contacts = [d for d in [_day(cand.get("last_contacted"))] +
                                [_day(r.get("first_contacted")) for r in rows] if d]
                    if contacts:
                        every = cand.get("contact_every_days")
                        every = settings.default_contact_every_days if _blank(every) else int(every)
                        candidates_dates.append(max(contacts) + dt.timedelta(days=every))
                    if category == "availability" and _day(cand.get("available_from")):
                        candidates_dates.append(_day(cand.get("available_from")))
                    nxt = max(candidates_dates)
                    status = "scheduled" if today < nxt else "due" if today <= nxt + grace else "overdue"
        suggested = []
        if status in ("due", "overdue", "scheduled"):
            turned_down = {r["position_id"] for r in rows}
            skills = set(cand.get("skills") or ())
            for pos in open_positions:
                if pos["position_id"] in turned_down:
                    continue
                need = set(pos.get("skills") or ())
                coverage = len(skills & need) / len(need) if need else 0.0
                if coverage < settings.match_min_skill_coverage:
                    continue
                if not (pos.get("remote") or (pos.get("city") and pos.get("city") == cand.get("city"))
                        or (pos.get("country") and pos.get("country") == cand.get("country"))):
                    continue
                cap, want = pos.get("salary_max"), cand.get("salary_expectation")
                if not _blank(cap) and not _blank(want) and want > cap:
                    continue
                suggested.append((coverage, pos["position_id"]))
            suggested.sort(key=lambda t: (-t[0], t[1]))
        out.append({"candidate_id": cid, "name": cand.get("name"), "rejection_category": category,
                    "next_circle_back": nxt, "circle_back_status": status,
                    "suggested_positions": [p for _c, p in suggested]})
    return out
