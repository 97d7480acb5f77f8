"""Email identity for the never-call guards and suppression (README "Email identity")."""
import pytest

from sheetcrm import privacy


@pytest.mark.parametrize("typed, identity", [
    ("ann@example.com", "ann@example.com"),
    ("  Ann@Example.COM ", "ann@example.com"),  # trimmed, lower-case
    ("ann+jobs@example.com", "ann@example.com"),  # +tag on any domain
    ("ann+a+b@example.com", "ann@example.com"),
    ("ann.lee@example.com", "ann.lee@example.com"),  # dots matter outside Gmail
    ("ann.lee@gmail.com", "annlee@gmail.com"),  # Gmail ignores dots
    ("A.N.N.Lee+cv@GoogleMail.com", "annlee@gmail.com"),  # googlemail.com is gmail.com
    ("annlee@googlemail.com", "annlee@gmail.com"),
    ("ann\u200b@example.com", "ann@example.com"),  # a zero-width space pasted in
    ("mailto:Ann@example.com", "ann@example.com"),
    ("+tag@example.com", "+tag@example.com"),  # nothing before the tag: left as typed
    ("not an address", "not an address"),
])
def test_email_identity(typed, identity):
    assert privacy.email_identity(typed) == identity


def test_email_hashes_cover_identity_and_the_earlier_normalisation():
    hashes = privacy.email_hashes("Ann.Lee+x@gmail.com", "s")
    assert privacy.person_hash("email", "annlee@gmail.com", "s") in hashes
    assert privacy.person_hash("email", "ann.lee+x@gmail.com", "s") in hashes


from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402


def _email_identity_reference(email):
    e = privacy.normalise_email(str(email).translate(privacy._INVISIBLE))
    if e.startswith("mailto:"):
        e = e[len("mailto:"):].strip()
    local, at, domain = e.rpartition("@")
    if not at or not local:
        return e
    local = local.split("+", 1)[0] or local
    if domain in privacy.GMAIL_DOMAINS:
        local, domain = local.replace(".", "") or local, "gmail.com"
    return f"{local}@{domain}"


@hsettings(max_examples=500, deadline=None)
@given(email=st.lists(st.sampled_from(["a", "B", ".", "+", "@", " ", "gmail.com", "googlemail.com", "example.org",
                                       "mailto:", "MAILTO:", "\u200b", "é", "x+tag", "\t"]), max_size=8).map("".join))
def test_email_identity_fast_path_equals_the_full_rules(email):
    assert privacy.email_identity(email) == _email_identity_reference(email)


@hsettings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["ann@example.com", "Ann@example.com", "ann+x@example.com", "a.b@gmail.com",
                                           "a@googlemail.com", "mailto:a@example.com", " a@example.com", "a\x1c@x.org",
                                           "zoë@example.com", "gmail.com", ""]),
                          st.text(alphabet="aB@.+ \t\ngmailto:é", max_size=10)), max_size=10))
def test_addresses_not_listed_by_not_own_mailboxes_are_their_own_mailbox(addresses):
    listed = set(privacy.not_own_mailboxes(addresses))
    assert all(privacy.email_identity(a) == a for i, a in enumerate(addresses) if i not in listed)
