"""Personal data handling: salted hashes of emails and phones for the Suppressed tab.

A forgotten person leaves only ``person_hash(kind, value, salt)`` behind, so a
re-added row with the same email or phone is recognised without storing them.
"""
from __future__ import annotations

import hashlib

import phonenumbers

# What a forgotten person's name cell reads after `sheetcrm forget`; validation
# treats it as a legitimately blank person, not as a missing name.
FORGOTTEN_NAME = "(forgotten)"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def normalise_phone(phone: str, region: str = "GB") -> str | None:
    """E.164 (`+447700900123`), or None when it is not a phone number."""
    try:
        parsed = phonenumbers.parse(str(phone), region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def person_hash(kind: str, normalised_value: str, salt: str) -> str:
    """``kind`` is 'email' or 'phone'; the value must already be normalised."""
    digest = hashlib.sha256(f"{salt}\x1f{kind}\x1f{normalised_value}".encode()).hexdigest()
    return f"{kind}:{digest[:32]}"
