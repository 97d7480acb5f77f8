"""Pure: the words of a check's verdict in a note ("confirmed", "not yet verified", "unfounded"), for the
`requires` of a hard-no rule (:meth:`.reason_rules.Rule.confirmed` / ``denied``)."""
from __future__ import annotations

import re

# "confirmed" does not confirm when it is itself negated: "complaint not yet verified"
_NEGATED_WORD = re.compile(r"(?:\b(?:not|never|no|nothing|nicht|nichts|noch|kein\w*|pas|non|rien|aucun\w*|niet|niets|nog|geen|sin|nada|ningun\w*|yet|jamais|nunca)\s+)"
                           r"(?:\w+\s+)?$")
# a negated "confirmed" that is only pending ("not yet verified", "noch nicht bestätigt"), not a verdict
_PENDING = re.compile(r"\b(?:yet|noch|nog|still|todavia|aun|encore)\b")
# the check's "no" in a word of its own, anywhere in the note ("we looked into it and it was baseless",
# "our checks did not confirm it"; "unbegründet", "infondée", "infundada", "ongegrond")
_DENIAL = re.compile(r"\b(?:unfounded|baseless|groundless|unsubstantiated|(?:did|does|could) not (?:confirm|verify|back) it"
                     r"|not borne out|unbegrundet|haltlos|nicht haltbar|infonde\w*|sans fondement|non fonde\w*"
                     r"|infundad\w*|sin fundamento|no se confirm\w*|ongegrond\w*|ongefundeerd\w*|niet gegrond"
                     # the check's finding said as "nothing …" (blind_train8/9): "we checked, nothing substantiated"
                     r"|nothing (?:was )?(?:substantiated|confirmed|proven|backed up)|not substantiated"
                     r"|nichts (?:bestatigt|belegt|nachweisbar)|belegt ist (?:davon )?nichts|nicht belegt"
                     r"|rien de (?:fonde|confirme|prouve|avere)|rien n.a ete (?:confirme|prouve|etabli)"
                     r"|nada (?:confirmado|comprobado|probado)|no se (?:pudo )?(?:comprobar|probar|demostrar) nada"
                     r"|klopte niet|klopt niet|niets (?:kunnen )?(?:staven|bevestigen|aantonen)|niets bevestigd|niet te staven)\b")
_CHECK_NOT_VERDICT = re.compile(r"investigat|check|gepruft|nachgepruft|uberpruft|nagegaan|gecontroleerd|follow|revisad|nagekeken|onderzocht"
                                r"|comprob|verificamos|nagetrokken|nachgefragt")


def _denials(text: str) -> list[re.Match]:
    """The check's no said in a word of its own, unless that word is itself negated: "complaint not
    unfounded", "nicht unbegründet", "pas infondée" say the check did NOT say no (a person decides)."""
    return [d for d in _DENIAL.finditer(text) if not _NEGATED_WORD.search(text, 0, d.start())]


def _pending_around(text: str, start: int, end: int) -> bool:
    """A "yet"/"noch"/"still" in the same clause as the check's no ("nothing confirmed yet",
    "noch nichts bestätigt"): the check is not over, so it said no to nothing yet (a person
    decides). The clause ends at , ; . ! ? ("nothing substantiated. Client still said no")."""
    before = re.split(r"[,;.!?]", text[max(0, start - 30):start])[-1]
    after = re.split(r"[,;.!?]", text[end:end + 30])[0]
    return _PENDING.search(before) is not None or _PENDING.search(after) is not None
