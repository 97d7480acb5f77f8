"""contacts: phones read ahead (read_phones, the reasons child of a sync) check as phones read here."""
from __future__ import annotations

import random

import pandas as pd
import pytest

from sheetcrm.config import Settings
from sheetcrm.core import contacts
from sheetcrm.core.columns import cell_text
from sheetcrm.core.issues import IssueLog

SETTINGS = Settings()
# As people type phones: national and international forms, padded, notes, extensions,
# too short, too long, numbers as numbers, blanks.
_PHONES = ["+44 7700 900123", "07700 900124", "  07700900125 ", "+1 415 555 0100", "+49 30 1234567", "0044 20 7946 0958",
           "call after 6pm", "+44 12", "07700 900123 ext 12", "tel: 07700 900126", "(020) 7946 0959",
           "+44 7700 900123" + " 1" * 60, 7700900127, 447700900128.0, "", "   ", None, float("nan"), "+٤٤ ٧٧٠٠ ٩٠٠١٢٩"]


def _cands(rnd: random.Random) -> pd.DataFrame:
    """A typed Candidates frame's phone column (validation types it as stripped text)."""
    raw = [rnd.choice(_PHONES) for _ in range(rnd.randint(0, 30))]
    typed = pd.Series([cell_text(v) for v in raw], index=pd.RangeIndex(2, 2 + len(raw)), dtype=object)
    return pd.DataFrame({"phone": typed}), raw


def _checked(cands: pd.DataFrame, known) -> tuple[list, list]:
    log = IssueLog(SETTINGS)
    contacts.check_phones(log, cands, SETTINGS, known)
    return log.rows, [(type(v), v) for v in cands["phone_e164"].tolist()]


@pytest.mark.parametrize("seed", range(200))
def test_phones_read_ahead_check_as_phones_read_here(seed):
    """Every raw cell read ahead, only some of them (the rest read here), or none: the same
    warnings and the same phone_e164 cells as reading them all here."""
    rnd = random.Random(seed)
    cands, raw = _cands(rnd)
    want = _checked(cands.copy(), None)
    ahead = contacts.read_phones(raw, SETTINGS.phone_region)
    assert _checked(cands.copy(), ahead) == want
    some = dict(rnd.sample(sorted(ahead.items()), len(ahead) // 2))
    assert _checked(cands.copy(), some) == want
    assert _checked(cands.copy(), {}) == want


def test_read_ahead_phones_are_what_is_used():
    """The readings given are the ones used (so the child's work is not done twice)."""
    cands = pd.DataFrame({"phone": pd.Series(["07700 900123", "call me"], index=[2, 3], dtype=object)})
    log = IssueLog(SETTINGS)
    contacts.check_phones(log, cands, SETTINGS, {"07700 900123": "+440000", "call me": "+441111"})
    assert cands["phone_e164"].tolist() == ["+440000", "+441111"] and log.rows == []


def test_read_phones_reads_each_text_as_validation_types_it():
    got = contacts.read_phones(["  07700 900123 ", "07700 900123", 7700900127, None, "", "call me"], "GB")
    assert got == {"07700 900123": "+447700900123", "7700900127": contacts.phone_e164("7700900127", "GB"),
                   "call me": None}
