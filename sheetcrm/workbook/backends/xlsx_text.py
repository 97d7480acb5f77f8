"""Text as an .xlsx cell can hold it (issue 13 item 6).

XML 1.0 cannot hold most control characters (U+0000-U+001F except tab, newline and
carriage return, and U+FFFE/U+FFFF). Excel stores them escaped as ``_x0007_``;
python-calamine and openpyxl hand them back decoded, so a name read from a person's
tab can carry one into the Circle-backs or Issues tab, where writing it raised
``IllegalCharacterError`` on every sync. And text that spells such an escape
(``_x0041_``) would be decoded by the next reader into another character.

So every text sheetcrm writes into a workbook passes :func:`legal_text` first:
each character XML cannot hold becomes U+FFFD (the replacement character, shown as
a question mark in a diamond), and in text spelling an escape ``_xHHHH_`` the first
underscore becomes U+FFFD, so no reader turns it into something else. Both stay
visible: a person sees that something was replaced, and where.
"""
from __future__ import annotations

import re

REPLACEMENT = "\ufffd"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPE = re.compile(r"_(x[0-9A-Fa-f]{4}_)")


def legal_text(text: str) -> str:
    """``text`` with what XML cannot hold, and Excel escapes, replaced visibly."""
    if "_x" in text:  # an escape spells _xHHHH_ (lower-case x)
        text = _ESCAPE.sub(REPLACEMENT + r"\1", text)
    if text.isascii() and text.isprintable():
        return text  # most text: printable ASCII holds nothing to replace (checked without a regex)
    return _ILLEGAL.sub(REPLACEMENT, text)
