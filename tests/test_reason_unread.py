"""Issue 19: notes the reader leaves to a person, or must leave to a person.

Each table is a kind, in all five languages, in other words than any labelled note (the
notes themselves are named in the commits, not repeated here). A wrong "call this person"
is worse than none, and a wrong never-call loses a person: a note that gives no reason
stays with a person, and an everyday word is never read as a slip of a hard-no word."""
from __future__ import annotations

import pytest

from sheetcrm.core import reasons


def read(rules: reasons.RuleSet, text: str) -> reasons.Classification:
    return reasons.classify(text, "rejected", rules)


# A note that points elsewhere or says it is to follow gives no reason: a person reads it.
# "wie besprochen" was a bribe ("bestochen", read as a slip) and so a never-call.
@pytest.mark.parametrize("text", [
    "see email thread", "waiting for colleague's notes", "tbd", "n/a", "see notes", "TBC",
    "notes to follow after Friday's debrief", "awaiting notes from Sam", "as discussed", "no reason given",
    "siehe Mail", "wie besprochen", "wie telefonisch besprochen", "siehe Gesprächsnotiz", "s. Mail vom Montag",
    "Details folgen", "wird nachgereicht", "k.A.", "Notizen von Kollegin abwarten", "Grund unbekannt",
    "Besprechung mit dem Kunden steht noch aus", "wir besprechen das nächste Woche",
    "voir mail", "voir échange de mails", "cf. mail", "à compléter", "en attente des notes de ma collègue",
    "comme discuté au téléphone", "raison inconnue", "sans motif",
    "ver correo", "ver nota", "por completar", "pendiente de las notas de mi compañera",
    "como hablamos por teléfono", "ver hilo de correo", "motivo desconocido", "sin motivo",
    "zie mail", "zie notitie", "volgt nog", "n.v.t.", "wacht op notities van collega", "zoals telefonisch besproken",
    "zie verslag", "reden onbekend",
])
def test_a_note_that_gives_no_reason_stays_with_a_person(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("unclassified", "unclassified"), (text, got)


# Everyday words one slip from a hard-no word are no slip: "Miete" is no "miente" (lies), "schrieb"
# no "schrie" (shouted), "gelegen" no "gelogen" (lied), "spreken" no "spieken" (cheated), "groep" no
# "grope", "value" no "valse", "cheap" no "cheat", "retrait" (de candidature) no "retraite". The note's
# own reason decides, or a person.
@pytest.mark.parametrize("category, text", [
    ("salary", "client too cheap, pays only 60k"),
    ("salary", "value of the package too low"),
    ("experience", "growing team but she is too junior"),
    ("salary", "he will forget about it, salary too low"),
    ("salary", "small gripe about the rate"),
    ("location", "rents a flat in town, the commute is too long"),
    ("skills", "lined up for the panel but lacks Kubernetes"),
    ("salary", "Miete in München zu hoch für das Gehalt"),
    ("location", "Büro ist sehr ungünstig gelegen, Anfahrt zu weit"),
    ("salary", "Druck im Team ok, aber Gehalt zu niedrig"),
    ("availability", "Kandidat schrieb, er könne erst im Oktober anfangen"),
    ("salary", "wie abgemacht nochmal gefragt: Gehaltsvorstellung zu hoch"),
    ("salary", "Betrag zu niedrig, sie will 80k"),
    ("salary", "retrait de candidature : salaire trop bas"),
    ("salary", "le candidat a avancé dans le process, mais le salaire ne suit pas"),
    ("salary", "on a avancé sur le salaire mais ça ne suffit pas"),
    ("salary", "la renta que pide es demasiado alta"),
    ("availability", "tiene gripe y no puede empezar hasta mayo"),
    ("location", "wil eerst met zijn vrouw spreken, maar verhuizen ziet hij niet zitten"),
    ("experience", "zit in een groep van vijf kandidaten, te weinig ervaring"),
    ("salary", "geslaagd voor de test, maar het salaris is te laag"),
    ("availability", "vervanging gezocht per direct, hij kan pas in juni"),
])
def test_an_everyday_word_is_no_slip_of_a_hard_no_word(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# The slip of a hard-no word itself is still read (the property): a keep word is no shield.
@pytest.mark.parametrize("text, category", [
    ("Lebenslauf gefälsht", "false_information"),
    ("hat im Gespräch gelogn", "false_information"),
    ("heeft de klant bedreigt", "conduct"),
    ("groped a colleague at the offsite", "conduct"),
])
def test_a_slip_of_a_hard_no_word_still_reads_hard(rules, text, category):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


# The CV and another source said to contradict each other: a CV that is not true, in every language
# (train9's Dutch note was hard-no only while "spreken" was read as a slip of "spieken").
@pytest.mark.parametrize("text", [
    "CV and LinkedIn contradict each other on his last two employers",
    "Lebenslauf und Referenzen widersprechen sich bei den Daten",
    "le CV et le profil LinkedIn se contredisent sur les dates",
    "el CV y el LinkedIn se contradicen en las fechas",
    "cv en LinkedIn spreken elkaar tegen over de functietitel",
])
def test_a_cv_and_another_source_contradicting_each_other_is_false_information(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "false_information"), (text, got)


# blind_train12's hard-no kinds read as soft-no, each in other words and every language: never employed
# where the CV says (with the CV or the check beside it: "never employed by a bank" alone is experience);
# a check that returned another history, a credential that belongs to someone else; contact kept up
# after being asked to stop (harassment); hours or days billed that were never worked.
@pytest.mark.parametrize("category, text", [
    ("false_information", "reference check: he was never employed by Orbis, yet the CV says two years"),
    ("false_information", "war nie bei der Firma Keller angestellt, obwohl der Lebenslauf drei Jahre nennt"),
    ("false_information", "Referenzen: hat bei Brandt nie gearbeitet, laut CV aber zwei Jahre"),
    ("false_information", "n'a jamais travaillé chez Orano, alors que le CV indique deux ans"),
    ("false_information", "nunca trabajó en Indra, aunque el CV dice tres años"),
    ("false_information", "heeft nooit bij Vanderlande gewerkt, volgens zijn cv wel twee jaar"),
    ("false_information", "the vetting revealed a different employment history than the one on his CV"),
    ("false_information", "the certificate number he gave resolves to another person"),
    ("false_information", "die Sicherheitsüberprüfung ergab einen anderen Werdegang als im Lebenslauf"),
    ("false_information", "la vérification a révélé un autre parcours que celui du CV"),
    ("false_information", "le numéro de certification renvoie à quelqu'un d'autre"),
    ("false_information", "la verificación mostró un historial laboral distinto al de su CV"),
    ("false_information", "el número de certificado corresponde a otra persona"),
    ("false_information", "de screening liet een andere werkgeschiedenis zien dan op zijn cv"),
    ("false_information", "het certificaatnummer hoort bij iemand anders"),
    ("conduct", "kept ringing our consultant on weekends even though she asked him to stop"),
    ("conduct", "rief die Recruiterin weiter nachts an, obwohl sie ihn gebeten hatte aufzuhören"),
    ("conduct", "a continué d'appeler la chargée de recrutement même après qu'elle lui a demandé d'arrêter"),
    ("conduct", "siguió llamando a la recruiter por la noche aunque ella le pidió que parara"),
    ("false_information", "charged the client for days he did not work"),
    ("false_information", "hat dem Kunden Stunden berechnet, die er nie gearbeitet hat"),
    ("false_information", "a facturé au client des heures jamais travaillées"),
    ("false_information", "facturó al cliente horas que nunca trabajó"),
    ("false_information", "heeft de klant uren gefactureerd die hij nooit gewerkt heeft"),
])
def test_blind_train12_hard_kinds_read_hard_in_every_language(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


# Without the CV or a check beside it, never having worked somewhere is no lie (a person, or experience).
@pytest.mark.parametrize("text", [
    "never employed by a bank, client wants 5 years in banking",
    "hat nie bei einem Konzern gearbeitet, Kunde will Konzernerfahrung",
    "n'a jamais travaillé dans la banque, le client veut 5 ans d'expérience",
    "nunca trabajó en una consultora grande, el cliente quiere esa experiencia",
    "nooit bij een bank gewerkt, klant wil vijf jaar ervaring in de sector",
])
def test_never_having_worked_somewhere_without_the_cv_is_no_lie(rules, text):
    got = read(rules, text)
    assert got.cls != "hard_no", (text, got)


# The trade itself refused for good: career_change in every language, not the skill word it names
# (blind_train12: "dev" read as skills) nor a person's call ("nie wieder", "nunca más", "nooit meer").
# An "officer" (first, police, compliance) is no word form of "office" (location).
@pytest.mark.parametrize("category, text", [
    ("career_change", "no interest in dev roles ever again"),
    ("career_change", "no interest in software jobs, ever, she is a nurse now"),
    ("career_change", "will nie wieder in der IT arbeiten"),
    ("career_change", "ne veut plus jamais travailler dans l'informatique"),
    ("career_change", "no quiere volver a trabajar en informática nunca más"),
    ("career_change", "wil nooit meer in de IT werken"),
    ("career_change", "flies for an airline now as a second officer, done with coding for good"),
    ("location", "office too far"),
])
def test_the_trade_refused_for_good_is_career_change(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


def test_an_officer_is_no_office(rules):
    got = read(rules, "compliance officer by training, lacks the Python the role needs")
    assert got.category != "location", got


# Leaving the trade or working life, said with "for good" where no rule phrase stood whole ("quitte
# définitivement le monde du travail", "se retira definitivamente del mundo laboral", "moved permanently
# into", "voorgoed X geworden"): the hard-no itself, not a person's call. Withdrawing from working life
# is no withdrawal from the process: "se retira de la vida laboral" and "trekt zich terug uit het
# arbeidsleven" were declined_role (soft). A withdrawal from the process stays the person's no.
@pytest.mark.parametrize("category, text", [
    ("unavailable_permanently", "steigt aus dem Berufsleben aus, pflegt die Mutter"),
    ("unavailable_permanently", "se retire du monde du travail"),
    ("unavailable_permanently", "quitte définitivement la vie active"),
    ("unavailable_permanently", "a tiré un trait définitif sur le travail"),
    ("unavailable_permanently", "se retira de la vida laboral"),
    ("unavailable_permanently", "se retira definitivamente del mercado laboral para cuidar a su madre"),
    ("unavailable_permanently", "trekt zich terug uit het arbeidsleven"),
    ("career_change", "permanent change of vocation, he is a chef now"),
    ("career_change", "moved permanently into viticulture"),
    ("career_change", "switched into landscape gardening last spring and says it's permanent"),
    ("career_change", "a quitté définitivement l'informatique"),
    ("career_change", "se pasó para siempre al sector hostelero"),
    ("career_change", "se ha cambiado al mundo de la enseñanza, de forma definitiva"),
    ("career_change", "vertelde dat ze voorgoed verpleegkundige is geworden"),
    ("career_change", "de ICT heeft hij definitief achter zich gelaten"),
    ("declined_role", "se retira del proceso, prefiere quedarse"),
    ("declined_role", "trekt zich terug uit de procedure"),
])
def test_leaving_the_trade_or_working_life_for_good_is_read(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Caring for family for good is leaving working life, not another trade; a move with an end stays a pause.
@pytest.mark.parametrize("text", [
    "se dedica para siempre a cuidar de sus padres",
    "moved into a new team last month, it's permanent; salary was the blocker",
])
def test_care_or_a_new_team_is_no_other_trade(rules, text):
    assert read(rules, text).category != "career_change"


# Notes that went to a person though they state a reason, by kind, in other words than the labelled ones:
# what the person did instead (signed elsewhere, withdrew the application: weak, any reason the note
# gives decides), silence said by its signs (read but never answered, a call dropped without a word,
# chased three times and nothing), English words inside DE/FR/ES/NL notes ("geghostet", "ghosté",
# "ghosteó"), abbreviations and symbols ("zu wenig BE", "Kdg.-frist", "€€€"), slang for not wanting it.
@pytest.mark.parametrize("category, text", [
    ("declined_role", "signed on with a competitor"),
    ("declined_role", "signed elsewhere on Monday"),
    ("declined_role", "a retiré sa candidature hier"),
    ("declined_role", "ha retirado su candidatura esta mañana"),
    ("declined_role", "Kandidat zieht seine Bewerbung zurück"),
    ("declined_role", "heeft haar sollicitatie ingetrokken"),
    ("declined_role", "zegt nee tegen deze opdracht"),
    ("salary", "a retiré sa candidature : salaire trop bas"),
    ("availability", "Extension signed with another client until June"),
    ("ghosted", "read receipts on, zero replies since the offer"),
    ("ghosted", "booked the screening call and dropped it without a word"),
    ("ghosted", "relancé quatre fois, aucun retour"),
    ("ghosted", "berichten op LinkedIn gelezen maar niet beantwoord"),
    ("ghosted", "no se conectó a la entrevista y no ha vuelto a escribir"),
    ("ghosted", "hat uns nach dem Angebot geghostet"),
    ("ghosted", "il nous a ghostés"),
    ("ghosted", "nos ghosteó"),
    ("ghosted", "heeft ons geghost na het tweede gesprek"),
    ("salary", "€€€ passt nicht"),
    ("salary", "£££ not there, sorry"),
    ("experience", "zu wenig BE im Bankenumfeld"),
    ("availability", "Kdg.-frist 6 Mon., Projekt startet sofort"),
    ("declined_role", "kein Bock auf Wartungsprojekte"),
    ("declined_role", "pas envie de faire de la TMA"),
    ("declined_role", "no le apetece un proyecto de mantenimiento"),
    ("declined_role", "geen zin in een beheerrol"),
    ("location", "kein Bock aufs Pendeln nach München"),
])
def test_a_reason_said_by_its_consequence_abbreviated_or_in_english_is_read(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Slang for not wanting it, or a withdrawal, is weak: beside a hard-no it is never read (the hard-no
# decides), and a note about leaving working life stays a hard-no.
@pytest.mark.parametrize("text", [
    "zieht sich ganz aus dem Arbeitsleben zurück, pflegt ihren Vater",
    "a retiré sa candidature après avoir insulté la recruteuse",
    "kein Bock mehr auf die IT, ist jetzt Tischler",
])
def test_a_withdrawal_or_slang_beside_a_hard_no_stays_hard(rules, text):
    assert read(rules, text).cls == "hard_no", text


# The request never to be contacted in the person's own words, quoted or reported ("« ne me recontactez
# plus »", "verlangt, dass wir sie weder anrufen noch anschreiben", "wil niet meer gecontacteerd worden",
# "neither call nor email"), and the CV said plainly to be untrue ("Angaben im Lebenslauf falsch", "el CV
# no es cierto", "cv klopt niet"): the hard-no, not a person's call. With an end it is a pause; a CV that
# does not fit the role is no lie.
@pytest.mark.parametrize("category, text", [
    ("do_not_contact", "asked that we neither phone nor email her"),
    ("do_not_contact", "Sie hat verlangt, dass wir sie künftig weder anrufen noch anschreiben"),
    ("do_not_contact", "m'a répondu sèchement : « ne me recontactez plus »"),
    ("do_not_contact", "ze wil echt niet meer door ons benaderd worden"),
    ("false_information", "Angaben im Lebenslauf falsch, die Teamleitung gab es nie"),
    ("false_information", "lo que pone en el CV no es cierto, nunca dirigió un equipo"),
    ("false_information", "zijn cv klopt niet: de data bij de vorige werkgever zijn verschoven"),
])
def test_the_request_or_the_lie_in_own_words_is_hard_no(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


@pytest.mark.parametrize("text", [
    "asked us to neither call nor email him until January",
    "bitte weder anrufen noch anschreiben bis März",
    "ne me relancez plus avant la rentrée",
    "zijn cv klopt niet met de vacature",
])
def test_a_pause_or_a_cv_that_does_not_fit_is_no_hard_no(rules, text):
    assert read(rules, text).cls != "hard_no", text


# Recorded the interview without permission, walked off with the client's equipment: conduct in every
# language. Before, the interview or the office the note names decided (soft: a hard-no read as soft-no).
# A demo recorded without asking is no misconduct; "Firma" is no slip of "Figma".
@pytest.mark.parametrize("text", [
    "filmed the video call without permission and shared clips",
    "took a laptop from the client's office without permission",
    "hat das Interview ohne Erlaubnis aufgezeichnet",
    "Notebook des Kunden mitgenommen und nicht zurückgegeben",
    "a enregistré l'appel sans autorisation",
    "a emporté le portable du client après la mission",
    "grabó la videollamada sin permiso",
    "se llevó el portátil de la empresa cliente",
    "heeft de laptop van de klant meegenomen",
])
def test_recorded_without_permission_or_equipment_taken_is_conduct(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "conduct"), (text, got)


@pytest.mark.parametrize("text, not_category", [
    ("recorded a demo video without asking, client loved it", "conduct"),
    ("took a laptop to the interview, client wants more Java", "conduct"),
    ("Firma zu klein, Kandidat will in einen Konzern", "skills"),
])
def test_a_demo_a_laptop_or_a_firm_is_no_conduct_nor_a_skill(rules, text, not_category):
    got = read(rules, text)
    assert got.category != not_category, (text, got)


# Offensive security is a field, not behaviour: "seguridad ofensiva" was a never-call (blind_train12).
# Offensive words toward people stay conduct.
@pytest.mark.parametrize("category, text", [
    ("skills", "el puesto es de seguridad ofensiva y ella viene de redes; no encaja"),
    ("conduct", "fue ofensivo con la recepcionista"),
    ("conduct", "comentarios ofensivos al equipo del cliente"),
])
def test_offensive_security_is_a_field_not_conduct(rules, category, text):
    assert read(rules, text).category == category, text


# A no-show said in forms no rule read ("n'est jamais venu au rendez-vous", "personne ne s'est présenté",
# "no apareció a la entrevista", "kwam gewoon niet opdagen"): ghosted. Spanish "no apareció" needs the
# appointment: "no apareció en el registro" is no no-show.
@pytest.mark.parametrize("category, text", [
    ("ghosted", "n'est jamais venu au rdv fixé avec le client"),
    ("ghosted", "Visio calée à 14h : personne ne s'est présenté"),
    ("ghosted", "no apareció a la videollamada del lunes"),
    ("ghosted", "kwam gewoon niet opdagen op de afspraak"),
])
def test_a_no_show_in_other_forms_is_ghosted(rules, category, text):
    assert read(rules, text).category == category, text


def test_not_appearing_in_a_register_is_no_no_show(rules):
    assert read(rules, "su título no apareció en el registro oficial").category != "ghosted"
