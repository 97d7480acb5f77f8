"""Synthetic demo data: realistic, seeded, reproducible, and never real people.

The mix exercises every feature: soft-no reasons of every category written as
recruiters write them, hard-no cases, ghosting, open and hired rows, several
contact paces, blank ids for sheetcrm to assign, and a few typing mistakes for
validation to find. Emails use the reserved `example.com` / `example.org` domains
and phones Ofcom's drama ranges (+44 7700 900xxx and others), so none can reach a person.
"""
from __future__ import annotations

import datetime as dt
import random
from typing import Any

from . import schema

FIRST = ["Ada", "Bram", "Chiara", "Dmitri", "Elif", "Farid", "Greta", "Hugo", "Ines", "Jonas", "Kaito", "Lena",
         "Mateo", "Nadia", "Oskar", "Priya", "Quinn", "Rosa", "Soren", "Tariq", "Uma", "Viktor", "Wen", "Ximena",
         "Yusuf", "Zofia", "Amir", "Birgit", "Caio", "Dalia", "Emeka", "Fleur", "Goran", "Hana", "Ivo", "Jana"]
LAST = ["Abara", "Brandt", "Castell", "Dorsey", "Ekberg", "Falk", "Grieve", "Hollis", "Ibarra", "Jansen", "Kovac",
        "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rahman", "Sato", "Tamm", "Ueda", "Varga",
        "Wolff", "Xu", "Yilmaz", "Zeller", "Achterberg", "Bellamy", "Cortez", "Draper"]
PLACES = ["Berlin, Germany", "Munich, Germany", "London, UK", "Manchester, UK", "Amsterdam, Netherlands",
          "Lisbon, Portugal", "Warsaw, Poland", "Madrid, Spain", "Paris, France", "Dublin, Ireland", "Remote"]
SKILLS = ["python", "java", "kotlin", "go", "typescript", "react", "aws", "gcp", "azure", "kubernetes", "terraform",
          "sql", "postgresql", "spark", "django", "spring", "node.js", "c#", ".net", "rust", "swift", "scala",
          "data engineering", "machine learning"]
ROLES = [("Backend Engineer", ["python", "django", "postgresql", "aws"]),
         ("Platform Engineer", ["kubernetes", "terraform", "aws", "go"]),
         ("Frontend Developer", ["typescript", "react", "node.js"]),
         ("Data Engineer", ["python", "spark", "sql", "data engineering"]),
         ("Java Developer", ["java", "spring", "sql"]),
         ("ML Engineer", ["python", "machine learning", "gcp"]),
         (".NET Developer", ["c#", ".net", "azure", "sql"]),
         ("Mobile Engineer", ["swift", "kotlin"]),
         ("Cloud Architect", ["aws", "azure", "terraform", "kubernetes"]),
         ("Scala Engineer", ["scala", "spark", "kubernetes"])]
CLIENTS = ["Northwind Logistics", "Bluefin Bank", "Helio Health", "Orbit Retail", "Kestrel Games", "Tundra Energy"]
PACES = ["", "", "", "2 weeks", "biweekly", "monthly", "quarterly", "6 months", "90 days", "45 days", "yearly"]

SOFT_REASONS = {
    "salary": ["Salary negotiations failed", "asking 20k above budget", "day rate too high for the client",
               "comp expectations way off", "wanted 95k, max was 80k", "couldn't agree on the rate"],
    "availability": ["6-month notice period", "only available after current contract ends",
                     "availability didn't match project duration", "can't start before Q3"],
    "location": ["doesn't want to relocate", "remote only, role is onsite", "Location mismatch",
                 "no work permit for the UK", "commute too long"],
    "experience": ["too junior at the time", "2 years experience, needs senior", "not enough experience yet",
                   "lacks leadership experience", "overqualified for the role", "too senior for this team"],
    "skills": ["Irrelevant skillset", "Java dev, we needed Python", "missing required cloud skills",
               "no k8s experience"],
    "declined_role": ["declined - not challenging enough", "turned the offer down, wants bigger scope",
                      "candidate declined, fears underemployment", "decided to stay with current employer"],
    "sponsor_rejected": ["client picked someone else", "HM rejected after panel",
                         "met all requirements but sponsor said no", "hiring manager went with internal candidate"],
    "ghosted": ["stopped answering calls", "no-show at final interview", "no reply after offer"],
}
HARD_REASONS = {
    "career_change": ["left tech to become a nurse", "permanent move into teaching"],
    "false_information": ["fake reference", "degree on CV turned out to be false"],
    "unavailable_permanently": ["emigrated permanently", "withdrawn from the job market"],
    "conduct": ["code of conduct violation at client site", "harassment complaint upheld"],
    "client_complaint": ["client complaint confirmed after due diligence"],
    "do_not_contact": ["asked us never to contact him again", "asked to be removed from our list"],
}
UNCLEAR_REASONS = ["see email thread", "other", "long story, ask Sam"]
# Ofcom's numbers reserved for drama, 1,000 in each range: they can never ring anyone.
DRAMA_PHONE_RANGES = ["+44 7700 900", "+44 20 7946 0", "+44 113 496 0", "+44 114 496 0", "+44 115 496 0",
                      "+44 116 496 0", "+44 117 496 0", "+44 118 496 0", "+44 121 496 0", "+44 131 496 0",
                      "+44 141 496 0", "+44 151 496 0", "+44 161 496 0"]


def drama_phone(i: int) -> str | None:
    """The i-th fictional phone number, None once they run out (never a repeat)."""
    block = i // 1000
    return f"{DRAMA_PHONE_RANGES[block]}{i % 1000:03d}" if block < len(DRAMA_PHONE_RANGES) else None


# the agency works mostly around Berlin, London and Amsterdam, and for remote teams
PLACE_WEIGHTS = [6, 3, 5, 1, 3, 1, 1, 1, 1, 1, 4]
OWNERS = ["Sam Keller", "Jo Brandt", "Ravi Patel"]  # the agency's recruiters
# where people came from (DESIGN §2 suggested list), weighted as a small agency's mix
SOURCE_WEIGHTS = {"linkedin": 30, "job_board": 15, "referral": 15, "database": 10, "competitor": 8, "vendor": 5,
                  "university": 6, "event": 5, "other_industry": 4, "other": 2}
# how people type some skills: sheetcrm's synonym table reads them as the role's names
SPELLINGS = {"kubernetes": "k8s", "go": "golang", "postgresql": "postgres", "typescript": "ts", "node.js": "nodejs"}
MANAGERS = ["Alex Morgan", "Kim Lee", "Pat Novak", "Robin Diaz"]


def demo_data(n: int, today: dt.date, seed: int = 7) -> dict[str, list[list[Any]]]:
    """Rows (no header) for the three input tabs, in schema column order."""
    rnd = random.Random(seed)
    positions = _positions(rnd, today, max(6, min(60, n // 20)))
    candidates: list[list[Any]] = []
    pipeline: list[list[Any]] = []
    ids: list[str] = []
    used_names: set[str] = set()
    for i in range(1, n + 1):
        row, profile = _candidate(rnd, i, today, used_names, ids)
        candidates.append(row)
        if row[0] is None:
            continue
        ids.append(row[0])
        pipeline += _history(rnd, row, profile, positions, today)

    _sprinkle_mistakes(rnd, candidates, pipeline)
    touch = touchpoints(random.Random(seed + 17), candidates, positions, today)  # own stream: the rest stays as it was
    return {schema.CANDIDATES: candidates, schema.POSITIONS: positions, schema.PIPELINE: pipeline,
            schema.TOUCHPOINTS: touch}


TOUCH_OUTCOMES = {"reached": 4, "no_answer": 3, "left_message": 3, "replied": 2, "call_back_later": 1.5,
                  "not_interested": 0.6, "do_not_contact": 0.3}
TOUCH_NOTES = {
    "reached": ["happy where she is for now", "open to a chat about remote roles", "wants a bigger scope next time",
                "asked about salary ranges", None],
    "no_answer": [None, "no voicemail set up"], "left_message": ["left voicemail", "left a message with the role"],
    "replied": ["replied by email, will think about it", "sent an updated CV"],
    "call_back_later": ["busy with a release, call after it", "on parental leave until spring"],
    "not_interested": ["not looking this year", "just started a new job"],
    "do_not_contact": ["asked us never to call again"],
}


def touchpoints(rnd: random.Random, candidates: list[list[Any]], positions: list[list[Any]],
                today: dt.date) -> list[list[Any]]:
    """The call log: about a third of the people have 1-3 logged contacts, by their
    owner (initials), a few with a date they asked to be called back on."""
    out: list[list[Any]] = []
    for cand in candidates:
        cid, owner = cand[0], cand[14]
        if cid is None or rnd.random() > 0.35:
            continue
        for back in sorted((rnd.randint(2, 200) for _ in range(rnd.choice([1, 1, 2, 3]))), reverse=True):
            outcome = rnd.choices(list(TOUCH_OUTCOMES), list(TOUCH_OUTCOMES.values()))[0]
            date = today - dt.timedelta(days=back)
            follow = date + dt.timedelta(days=rnd.randint(7, 90)) if outcome == "call_back_later" else None
            by = "".join(w[0] for w in owner.split()) if owner else rnd.choice(["SK", "JB", "RP"])
            pos = rnd.choice(positions)[0] if rnd.random() < 0.3 else None
            out.append([date, cid, pos, by, rnd.choice(["call", "call", "email", "message", "meeting"]), outcome,
                        follow, rnd.choice(TOUCH_NOTES[outcome])] + [None])
    return out


def _positions(rnd: random.Random, today: dt.date, count: int) -> list[list[Any]]:
    """Roles with a seniority, work mode, must-haves and a hiring manager."""
    out = []
    for i in range(1, count + 1):
        title, skills = ROLES[(i - 1) % len(ROLES)]
        senior = rnd.random() < 0.35
        skills = list(skills)
        if rnd.random() < 0.4:
            skills[0] = "!" + skills[0]  # a must-have
        status = rnd.choices(["open", "on_hold", "filled", "closed"], [5, 1, 2, 1])[0]
        place = rnd.choices(PLACES, PLACE_WEIGHTS)[0]
        mode = "remote" if place == "Remote" else rnd.choice(["onsite", "hybrid", "hybrid", "remote", None])
        out.append([
            f"P-{i:03d}", ("Senior " if senior else "") + title, rnd.choice(CLIENTS), ", ".join(skills),
            place, rnd.choice([None, 60000, 75000, 90000, 110000]) if not senior else rnd.choice([None, 110000, 130000]),
            status, day_before(rnd, today, 10, 400), rnd.choice([6, 8]) if senior else rnd.choice([None, None, 2, 3]),
            mode, rnd.choice(MANAGERS),
        ] + [None] * len(schema.POSITIONS_TAB.owned_columns))
    return out


def day_before(rnd: random.Random, today: dt.date, low: int, high: int) -> dt.date:
    return today - dt.timedelta(days=rnd.randint(low, high))


def _candidate(rnd: random.Random, i: int, today: dt.date, used_names: set[str],
               earlier: list[str]) -> tuple[list[Any], set[str]]:
    """One person built around a specialty (one of the roles), so their skills read
    like a real profile; the specialty's skills are returned for picking roles."""
    name = f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
    if name in used_names:
        name = f"{name[0]}. {name}"  # keep demo duplicates deliberate, below
    used_names.add(name)
    handle = name.lower().replace(" ", ".").replace("..", ".")
    email = f"{handle}{i}@{rnd.choice(['example.com', 'example.org'])}"
    phone = drama_phone(i) if rnd.random() < 0.7 else None
    cid = f"C-{i:05d}" if rnd.random() > 0.03 else None  # a few blank ids for sync to assign
    _, specialty = rnd.choice(ROLES)
    skills = rnd.sample(specialty, min(len(specialty), rnd.randint(2, 4))) + \
        rnd.sample(SKILLS, rnd.randint(0, 2))
    shown = [SPELLINGS.get(s, s) if rnd.random() < 0.3 else s for s in dict.fromkeys(skills)]
    years = rnd.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 15, 20])
    salary = rnd.choice([None, 45000, 55000, 65000, 70000, 80000, 95000, 120000])
    dnc = "yes" if rnd.random() < 0.03 else None
    available = day_before(rnd, today, -200, 30) if rnd.random() < 0.2 else None
    last = day_before(rnd, today, 5, 300) if rnd.random() < 0.6 else None
    place = rnd.choices(PLACES, PLACE_WEIGHTS)[0]
    if place != "Remote" and rnd.random() < 0.1:
        place = place.split(", ")[1]  # only a country
    source = rnd.choices(list(SOURCE_WEIGHTS), list(SOURCE_WEIGHTS.values()))[0] if rnd.random() < 0.85 else None
    referred = None
    if source == "referral":
        referred = rnd.choice(earlier) if earlier and rnd.random() < 0.7 else f"{rnd.choice(FIRST)} {rnd.choice(LAST)}"
    row = [
        cid, name, email, phone, place, ", ".join(shown), years,
        rnd.choice(["active", "passive", "passive", None]), salary, available, rnd.choice(PACES), last, dnc,
        None, rnd.choice(OWNERS + [None]), source, referred, "yes" if rnd.random() < 0.25 else None,
    ] + [None] * len(schema.CANDIDATES_TAB.owned_columns)
    return row, set(specialty)


def _history(rnd: random.Random, cand: list[Any], specialty: set[str], positions: list[list[Any]],
             today: dt.date) -> list[list[Any]]:
    """0-3 Pipeline rows, oldest first, mostly on roles that suit the person's skills.
    A person turned down (soft-no) earlier is sometimes hired later: a backpocket hire."""
    suits = [p for p in positions if specialty & {s.lstrip("!") for s in p[3].split(", ")}] or positions
    count = rnd.choices([0, 1, 2, 3], [2, 5, 3, 1])[0]
    starts = sorted(rnd.randint(3, 500) for _ in range(count))[::-1]  # days ago, oldest first
    rows: list[list[Any]] = []
    for k, back in enumerate(starts):
        pos = rnd.choice(suits) if rnd.random() < 0.85 else rnd.choice(positions)
        row = _pipeline_row(rnd, cand[0], pos[0], today, back, pos[6])
        if k and rows[-1][6] in ("rejected", "declined") and rnd.random() < 0.3 and row[8] is None:
            row[6], row[7], row[8] = "hired", None, min(today, row[2] + dt.timedelta(days=rnd.randint(10, 40)))
        rows.append(row)
    return rows


def _pipeline_row(rnd: random.Random, cid: str, pid: str, today: dt.date, back: int = 100,
                  status: str = "open") -> list[Any]:
    """One row first contacted ``back`` days ago. Roles that are filled or closed have
    almost all their rows decided (a few are left open, as people forget); open roles
    keep a share open, some of them with no news for months (stale)."""
    first = today - dt.timedelta(days=back)
    attempts = rnd.choices([1, 2, 3, 4, 5], [4, 3, 2, 1, 1])[0]
    responded = rnd.randint(1, attempts) if rnd.random() < 0.7 else None
    interest = None
    if responded:
        interest = rnd.choices(["interested", "not_interested", None], [5, 3, 1])[0]
    gone = status in ("filled", "closed")
    weights = [0.3 if gone else 1 if status == "on_hold" else 4 if back < 120 else 1.5, 1, 6, 2, 1,
               0.1 if gone else 1]
    outcome = rnd.choices(["open", "hired", "rejected", "declined", "ghosted", None], weights)[0]
    reason = None
    decided = None
    if outcome in ("rejected", "declined", "ghosted", "hired"):
        decided = min(today, first + dt.timedelta(days=rnd.randint(3, 60)))
    if outcome in ("rejected", "declined"):
        reason = _reason(rnd, outcome)
    elif outcome == "ghosted" and rnd.random() < 0.5:
        reason = rnd.choice(SOFT_REASONS["ghosted"])
    return [cid, pid, first, attempts, responded, interest, outcome, reason, decided, None] + \
        [None] * len(schema.PIPELINE_TAB.owned_columns)


def _reason(rnd: random.Random, outcome: str) -> str:
    roll = rnd.random()
    if roll < 0.12:
        return rnd.choice(rnd.choice(list(HARD_REASONS.values())))
    if roll < 0.16:
        return rnd.choice(UNCLEAR_REASONS)
    cats = ["declined_role"] if outcome == "declined" else list(SOFT_REASONS)
    return rnd.choice(SOFT_REASONS[rnd.choice(cats)])


def _sprinkle_mistakes(rnd: random.Random, candidates: list[list[Any]], pipeline: list[list[Any]]) -> None:
    """A handful of the mistakes people make, so validation has something to say."""
    if len(candidates) >= 20:
        candidates[4][2] = "no-at-sign.example.com"  # bad email
        candidates[9][10] = "every now and then"  # unreadable pace
        candidates[14][6] = 75  # years of experience out of range
        twin = list(candidates[2])  # the same person entered twice
        twin[0] = None
        candidates.append(twin)
    if len(pipeline) >= 10:
        pipeline[3][5] = "intrested"  # typo with an obvious fix
        pipeline[7][2] = pipeline[7][2].strftime("%d/%m/%Y") if pipeline[7][2] else None  # date as text
