"""Issue 19, safety: a negator that belongs to another verb must not negate a hard-no, and
the hard-nos such notes hide are read (embezzlement was read by no rule)."""
from __future__ import annotations

import pytest

from sheetcrm.config import Settings
from sheetcrm.core import reasons
from sheetcrm.rules import load_rules


@pytest.fixture(scope="module")
def rules() -> reasons.RuleSet:
    return load_rules(Settings())


def read(rules: reasons.RuleSet, text: str) -> reasons.Classification:
    return reasons.classify(text, None, rules)


# Money of the employer or a client taken for oneself is conduct in every language; before,
# no rule read "embezzled" ("never asked for a raise he embezzled funds" read salary).
@pytest.mark.parametrize("text", [
    "never asked for a raise he embezzled funds",
    "embezzlement at his previous company, salary expectations also high",
    "misappropriated client money",
    "siphoned off funds from the charity",
    "hat beim letzten Arbeitgeber Gelder veruntreut",
    "Veruntreuung beim Vorgänger, Gehalt zu hoch",
    "nie nach Gehalt gefragt veruntreute Gelder",
    "a détourné des fonds chez son ancien employeur",
    "détournement de fonds, salaire trop élevé",
    "malversación de fondos en su anterior empresa",
    "desvió fondos del cliente",
    "heeft geld verduisterd bij zijn vorige werkgever",
    "nooit om opslag gevraagd verduisterde geld",
])
def test_embezzlement_is_conduct_in_every_language(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "conduct"), (text, got)


@pytest.mark.parametrize("text", [
    "no embezzlement, salary too high",
    "keine Veruntreuung, Gehalt zu hoch",
    "pas de détournement de fonds, salaire trop élevé",
    "sin malversación, salario demasiado alto",
    "geen verduistering, salaris te hoog",
])
def test_embezzlement_said_not_to_be_leaves_the_soft_reason(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "salary"), (text, got)
