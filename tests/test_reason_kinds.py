"""Issue 19, the kinds behind the misses of the sets tuned on in this stop (v8, blind_train4,
blind_train5), each as a case table of probe notes in other words than the set's, in all five
languages: each case fails without its rule (the set's own notes are not repeated here)."""
from __future__ import annotations

import pytest

from sheetcrm.config import Settings
from sheetcrm.core import reasons
from sheetcrm.rules import load_rule_files


def read(rules: reasons.RuleSet, text: str) -> reasons.Classification:
    return reasons.classify(text, None, rules)


# A reason said in passing before the one named as what decided ("X too, but the real blocker
# is Y"), and the second of two reasons ruled out ("it wasn't X or Y, it was Z"): Y / Z decides.
@pytest.mark.parametrize("category, text", [
    ("availability", "Rate a little high as well, but the main reason is she can't start before April"),
    ("location", "Some gaps in Terraform, but the real issue is the daily commute to Slough"),
    ("availability", "It was not the commute or the pay, simply the notice period"),
    ("availability", "Gehalt etwas hoch, aber der eigentliche Grund ist die Kündigungsfrist von 6 Monaten"),
    ("availability", "Es lag nicht an der Anfahrt oder am Gehalt, sondern an der Kündigungsfrist"),
    ("location", "Un peu juste en Java, mais le vrai problème c'est le trajet"),
    ("location", "El sueldo algo alto, pero el verdadero problema es que no quiere mudarse"),
    ("availability", "Salaris iets te hoog, maar het echte probleem is de opzegtermijn van drie maanden"),
])
def test_the_reason_named_as_the_real_one_decides(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Moving abroad for good, the "for good" a few words after the move ("moved permanently back to
# Lagos"), or emigration called "a permanent move": unavailable_permanently (DESIGN §4, permanent
# relocation), not a career change and not a doubt. A German "gezogen" (moved) is no "gelogen".
@pytest.mark.parametrize("text", [
    "Went back permanently to Lagos, bought a flat there",
    "Moving back home to Porto permanently once the contract ends",
    "emigrating to NZ next spring, a permanent move",
    "Ist endgültig nach Spanien gezogen, Haus gekauft",
    "S'est installé pour toujours au Maroc",
    "Rentrée au Sénégal pour toujours",
    "Woont nu blijvend in Portugal, komt niet terug",
])
def test_moving_abroad_for_good_is_unavailable_permanently(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "unavailable_permanently"), (text, got)


@pytest.mark.parametrize("text, category", [
    ("Made a permanent move into nursing", "career_change"),
    ("Moving to remote work permanently, the role is onsite", "unclassified"),
])
def test_a_permanent_move_into_a_trade_or_to_remote_work_is_not_emigration(rules, text, category):
    assert read(rules, text).category == category


# The hard-no kinds behind blind_train5's hard-nos read as soft-no, in other words and every
# language: work copied from someone else and passed off as one's own; refusing "any IT
# recruiters" (two words before the recruiters; "personal reasons" is no "personality");
# withdrawn from working life, where "zurückgezogen" / "teruggetrokken" is the withdrawal.
@pytest.mark.parametrize("category, text", [
    ("false_information", "Client noticed the case study was lifted from a blog, copied off someone"),
    ("false_information", "Portfolio von jemand anderem kopiert, nicht seine eigene Arbeit"),
    ("false_information", "Projets du portfolio copiés sur quelqu'un d'autre"),
    ("false_information", "El portafolio estaba copiado de otra persona, no era suyo"),
    ("false_information", "Portfolio gekopieerd van iemand anders, niet zijn eigen werk"),
    ("unavailable_permanently", "Says he will not work with any tech recruiters, personal reasons"),
    ("unavailable_permanently", "Hat sich aus dem Berufsleben zurückgezogen"),
    ("unavailable_permanently", "Heeft zich definitief teruggetrokken uit het arbeidsproces"),
])
def test_blind_train5_hard_kinds_read_hard_in_every_language(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


# A confirmed complaint whose verdict word is inflected ("Bestätigte Beschwerde", "bevestigde
# klacht"): the verdict is there, so it is hard-no, not a doubt.
@pytest.mark.parametrize("text", [
    "Bestätigte Beschwerde des Kunden über Unpünktlichkeit",
    "Kundenbeschwerde, berechtigte Vorwürfe laut Teamleitung",
    "Bevestigde klacht van de klant over zijn houding",
])
def test_an_inflected_verdict_word_confirms_a_complaint(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "client_complaint"), (text, got)


# Too little time in the role or with the tool, said as time ("only 8 months hands-on", "erst 6
# Monate mit", "que 10 mois dessus", "apenas lleva 8 meses con", "pas 8 maanden mee"), or just out
# of university: experience, and it beats the skill word it is about. A project's length said the
# same way stays the project's ("Projekt nur 3 Monate").
@pytest.mark.parametrize("category, text", [
    ("experience", "Kubernetes fine on paper, but only 8 months hands on, they want years"),
    ("experience", "Knows the stack but hasn't had enough time running it in production"),
    ("experience", "Fresh out of uni, client wants 3 years"),
    ("experience", "Nur 9 Monate Erfahrung mit Kafka, gesucht sind 3 Jahre"),
    ("experience", "Frisch von der Uni, Kunde will mindestens 3 Jahre"),
    ("experience", "Bon niveau en React mais que 10 mois dessus"),
    ("experience", "Tout juste diplômé, le client veut 5 ans"),
    ("experience", "Domina Python pero apenas lleva 8 meses con él"),
    ("experience", "Recién titulado, piden 3 años"),
    ("experience", "Kent Azure, maar werkt er pas 8 maanden mee"),
    ("experience", "Net van de universiteit, klant wil 3 jaar"),
    ("availability", "Opdracht maar 2 maanden met optie op verlenging"),
])
def test_too_little_time_in_the_role_is_experience(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


def test_personality_is_still_read_as_typed(rules):
    assert read(rules, "HM didn't like his personality").category == "sponsor_rejected"


# The assignment's length against the one the person wants (DESIGN §4: availability is "timing or
# duration"), in every language; wanting a permanent job alone stays their own no (declined_role).
@pytest.mark.parametrize("category, text", [
    ("availability", "Six-week engagement, he wants something longer"),
    ("availability", "Short-term contract (3 months), she's after a long-term role"),
    ("availability", "wants a permanent position only, this is a 9-month project"),
    ("availability", "Projekt nur 10 Wochen, er sucht etwas Längeres"),
    ("availability", "Mission courte (6 semaines), elle cherche du long terme"),
    ("availability", "Contrato de 6 semanas, quiere algo más largo"),
    ("availability", "Klus van 6 weken, hij zoekt iets voor de lange termijn"),
    ("declined_role", "wants perm not contract"),
])
def test_the_assignments_length_against_the_wanted_one_is_availability(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Fewer hours or days than the role needs, a leave with an end, still on an assignment until a
# quarter or the end of a month: availability in every language; days at the office stay location.
@pytest.mark.parametrize("category, text", [
    ("availability", "Kann nur 24 Std., Kunde braucht 40"),
    ("availability", "Ne peut faire que 3j/semaine, le client veut un temps plein"),
    ("availability", "Sigue en un proyecto hasta finales de marzo"),
    ("availability", "Baja por paternidad hasta el verano"),
    ("availability", "Alleen 24 uur per week, klant wil fulltime"),
    ("availability", "Zit nog in een opdracht tot eind Q2"),
    ("location", "Nur 2 Tage im Büro möglich, Kunde will 4"),
    ("location", "Max 2 jours sur site, le client en veut 4"),
    ("location", "wil max 2 dagen op kantoor, klant wil 4"),
    ("skills", "Kann nur Java"),
])
def test_fewer_hours_or_a_dated_absence_is_availability(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# The request not to be contacted in the person's own words, or as asking for no contact at all.
@pytest.mark.parametrize("text", [
    "Asks for no contact from us, ever",
    "Hören Sie auf, mich anzurufen",
    "\"Arrêtez de m'écrire\" - à respecter",
    "\"Dejad de escribirme\"",
    "No me volváis a llamar",
    "Stop met mij te bellen, zei ze",
    "Wil geen enkel contact meer met ons",
])
def test_a_request_for_no_contact_in_own_words_is_do_not_contact(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "do_not_contact"), (text, got)


# Where or when to call (not at work, on the mobile, after 6pm) is no request never to call: the
# reason beside it decides. "Mobile" there is the phone, not the platform.
@pytest.mark.parametrize("category, text", [
    ("availability", "Pls don't call him at work, only on his mobile in the evening. Notice 3 months"),
    ("availability", "Do not call her on her work phone; 2 month notice"),
    ("availability", "Nicht im Büro anrufen, nur privat. Kündigungsfrist 3 Monate"),
    ("availability", "Ne pas l'appeler au bureau, préavis de 3 mois"),
    ("availability", "No llamar al trabajo, preaviso de 2 meses"),
    ("do_not_contact", "Ne pas l'appeler, jamais"),
    ("skills", "Mobile dev only, no backend"),
])
def test_where_or_when_to_call_is_no_do_not_contact(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Another trade for good, said with the career verb first, as no longer being a candidate of the
# trade the agency serves, as having joined the police, or (Dutch) as "de IT uit", a school for
# another trade, or the trade "geworden". A switch to contracting is no other trade.
@pytest.mark.parametrize("category, text", [
    ("career_change", "Switched permanently to landscaping, not coming back"),
    ("career_change", "No longer an IT candidate, runs a bike shop now"),
    ("career_change", "Ist zur Polizei gegangen, endgültig"),
    ("career_change", "Endgültig in die Landwirtschaft gewechselt"),
    ("career_change", "Reconverti définitivement dans la boulangerie"),
    ("career_change", "Se ha pasado definitivamente a la hostelería"),
    ("career_change", "Blijvend andere branche, werkt in de zorg"),
    ("career_change", "Definitief de ICT uit"),
    ("career_change", "Zit nu op de lerarenopleiding"),
    ("career_change", "Is hovenier geworden"),
    ("unclassified", "Switched permanently to contracting"),
])
def test_another_trade_for_good_is_career_change_in_every_language(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Not wanting to leave the current team or employer, or the role too operational: the person's
# own no (declined_role), in every language.
@pytest.mark.parametrize("text", [
    "Doesn't want to leave his manager and team",
    "Will sein Team nicht verlassen",
    "Die Rolle ist ihr zu operativ, abgesagt",
    "Ne veut pas quitter son équipe actuelle",
    "Le poste est trop opérationnel pour elle",
    "No quiere dejar a su equipo actual",
    "El puesto es demasiado operativo para él",
    "Rol is hem te operationeel",
])
def test_not_leaving_the_current_team_is_declined_role(rules, text):
    got = read(rules, text)
    assert got.category == "declined_role", (text, got)


# The person gone without a word ("ne donne plus signe de vie", "verschwunden", "verdwenen", "geen
# teken van leven"): ghosted, in every language; a role that vanished is not the person.
@pytest.mark.parametrize("category, text", [
    ("ghosted", "Ne donne plus signe de vie depuis l'entretien"),
    ("ghosted", "Nach dem Angebot verschwunden"),
    ("ghosted", "Geeft geen teken van leven meer"),
    ("ghosted", "Na het aanbod verdwenen"),
    ("ghosted", "Desapareció después de la oferta"),
    ("ghosted", "Vanished after the offer"),
    ("unclassified", "Die Stelle ist verschwunden"),
])
def test_gone_without_a_word_is_ghosted_in_every_language(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A test passed or a panel that went well, then someone on the client side said no: the client's no
# (sponsor_rejected), in every language; a word of the phrase ruled out ("coding" in "coding test
# passed") goes with it; a missing "precise" feedback is no silence. A failed test is still skills.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Coding test passed, then the VP said no"),
    ("sponsor_rejected", "Tech interview was positive but the director vetoed it"),
    ("sponsor_rejected", "Programmiertest bestanden, aber der Bereichsleiter hat nein gesagt"),
    ("sponsor_rejected", "Test technique réussi, mais le DSI a dit non"),
    ("sponsor_rejected", "Le comité a dit non. Pas de retour précis."),
    ("sponsor_rejected", "Prueba técnica superada, pero el director dijo que no"),
    ("sponsor_rejected", "Technische test gehaald, maar de manager heeft nee gezegd"),
    ("skills", "Failed the coding test"),
    ("ghosted", "Pas de retour depuis l'entretien"),
])
def test_the_client_sides_no_after_a_passed_test_is_sponsor_rejected(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# The client's or employer's code put on a public or private repo: conduct, in every language.
# One's own code samples on one's own GitHub are not.
@pytest.mark.parametrize("text", [
    "Uploaded the client's source code to his public GitHub",
    "Hat Quellcode des Kunden in ein öffentliches Repo gestellt",
    "A publié le code source du client sur un dépôt public",
    "Subió código del cliente a un repositorio público",
    "Heeft broncode van de klant op een publieke repo gezet",
])
def test_the_clients_code_on_a_public_repo_is_conduct(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "conduct"), (text, got)


@pytest.mark.parametrize("text", ["Has a public GitHub with good code samples; client wanted more Java",
                                  "Zeigt Code auf seinem eigenen GitHub, Gehalt zu hoch"])
def test_own_code_on_own_github_is_no_conduct(rules, text):
    assert read(rules, text).cls == "soft_no"


# Lives here, the role is there: location, in every language (English "lives in" was read already).
@pytest.mark.parametrize("text", [
    "Lives in Leeds, role is in Bristol",
    "Wohnt in Köln, Stelle in Hamburg",
    "Habite à Lille, poste à Lyon",
    "Vive en Sevilla, el puesto es en Madrid",
    "Woont in Den Bosch, de functie is in Amsterdam",
])
def test_living_here_with_the_role_there_is_location(rules, text):
    got = read(rules, text)
    assert got.category == "location", (text, got)


# Staying after a promotion is the person's own no, not money: ES "le han subido de categoría"
# ("subido" was read as a slip of "subida", a raise), NL "promotie gekregen"; and ES "conocer" (to
# meet) is no word form of "conocimientos" (skills).
@pytest.mark.parametrize("category, text", [
    ("declined_role", "Le han subido de categoría y se queda"),
    ("declined_role", "Blijft, want hij heeft promotie gekregen"),
    ("declined_role", "Tras conocer al jefe, no le convenció el puesto"),
    ("skills", "Poco conocimiento de AWS"),
])
def test_a_promotion_to_stay_is_declined_role_and_conocer_is_no_skill(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A reason said to have been agreed ("rate was agreed"), or one that might have been but never came
# to it ("might have balked at his rate … but we never got that far"): the reason after it decides.
@pytest.mark.parametrize("category, text", [
    ("ghosted", "Day rate was agreed, then he stopped answering"),
    ("ghosted", "The HM might have questioned his salary ask but we never got that far - he went silent"),
    ("ghosted", "Gehalt war vereinbart, dann keine Antwort mehr"),
    ("ghosted", "Le salaire était validé, puis plus de nouvelles"),
    ("ghosted", "El sueldo estaba acordado, luego desapareció"),
    ("ghosted", "Salaris was afgesproken, daarna geen reactie meer"),
    ("salary", "Salary ask too high"),
])
def test_an_agreed_or_hypothetical_reason_does_not_decide(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A confirmed client complaint said before the falsehood it is about is the complaint (as it was
# already before the conduct it is about); a falsehood said first stays false_information.
@pytest.mark.parametrize("category, text", [
    ("client_complaint", "Client complaint upheld after review: he lied to the client about test coverage"),
    ("client_complaint", "Beschwerde des Kunden bestätigt: falsche Stundenzettel"),
    ("false_information", "Lied on his CV about a degree; the client complaint was confirmed too"),
])
def test_a_confirmed_complaint_said_before_the_falsehood_is_the_complaint(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


@pytest.mark.parametrize("text", ["Do not call him at work or at home, ever",
                                  "Don't call her at work and don't email her either"])
def test_not_at_work_and_not_elsewhere_is_still_do_not_contact(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "do_not_contact"), (text, got)


# Things said to be fine in a list ("happy with the project, the team and the location", "pas de souci
# sur le poste ni la localisation", "team, stack and commute all fine"): no item of it is the reason,
# the one outside the list decides (v9). A comma alone may start a new clause: no list without a
# joining word, nor when a negation or "but" stands between.
@pytest.mark.parametrize("category, text", [
    ("salary", "Fine with the role, the team and the office location, but the pay was the problem"),
    ("salary", "Team, stack and commute all fine, the day rate is the blocker"),
    ("salary", "Kein Thema mit Team, Projekt oder Standort, aber das Gehalt passt nicht"),
    ("salary", "Aucun souci avec l'équipe, le projet ni le trajet, c'est la rémunération qui coince"),
    ("salary", "Sin problema con el equipo, el proyecto y la ubicación; lo que falla es el sueldo"),
    ("salary", "Le gustan la empresa, el equipo y la ubicación, pero el sueldo se queda corto"),
    ("salary", "Geen probleem met het team, de klant en de reistijd, maar het salaris is te laag"),
    ("location", "Happy with the team, location too far"),
    ("location", "Salary fine, location and notice period are the problem"),
    ("location", "Happy with the team, not the location"),
])
def test_things_said_to_be_fine_in_a_list_do_not_decide(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A complaint the check found baseless, said in a word of its own anywhere in the note ("we looked
# into it and it was baseless", "our checks did not confirm it"; "unbegründet", "infondée",
# "infundada", "ongegrond"): no hard-no and no person needed, the other reason decides (v9, train4).
# A confirmed complaint stays one; one not yet checked still goes to a person.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Client complained about his manners; we looked into it and it was baseless. HM went with another candidate"),
    ("salary", "Client raised a complaint about his tone but the references did not confirm it; salary ask too high anyway"),
    ("sponsor_rejected", "Beschwerde des Kunden über sein Auftreten, nach Rücksprache unbegründet; Kunde hat sich trotzdem für jemand anderen entschieden"),
    ("sponsor_rejected", "Queja del cliente sobre su actitud, tras revisarlo resultó infundada; al final eligieron a otro candidato"),
    ("sponsor_rejected", "Klacht van de klant over zijn houding bleek na navraag ongegrond; klant koos toch iemand anders"),
    ("salary", "Plainte du client concernant ses horaires ; après vérification auprès de l'équipe, c'était infondé. Le TJM reste trop élevé"),
    ("client_complaint", "Client complaint confirmed; his claim that it was unfounded did not hold"),
    ("unclassified", "Client complaint about his conduct, not yet verified"),
])
def test_a_complaint_the_check_found_baseless_does_not_decide(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# What a complaint that was not confirmed was about, in its clause ("client grumbled about his
# attitude (not substantiated)"), is no reason of its own: the reason after it decides (train5).
# Alone it still reads as before.
@pytest.mark.parametrize("category, text", [
    ("salary", "Client moaned about his attitude in the panel, nothing substantiated; the real issue is he wants 20% above the band"),
    ("salary", "Beschwerde des Kunden über seine Deutschkenntnisse, nicht bestätigt; Gehaltsvorstellung zu hoch"),
    ("availability", "Plainte du client sur son attitude en entretien, non confirmée ; il ne peut pas démarrer avant juin"),
    ("salary", "Queja del cliente sobre sus conocimientos de Java, no confirmada; pide demasiado dinero"),
    ("salary", "Klacht van de klant over zijn technische kennis, niet bevestigd; salaris te hoog"),
    ("sponsor_rejected", "Complaint about his attitude not confirmed"),
])
def test_what_an_unconfirmed_complaint_was_about_does_not_decide(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Money in slang ("la pasta no cuadra", "de centen niet", "die Kohle stimmt nicht", "le fric ne suit
# pas", "the dosh"): salary (v9). Written as patterns, so the slang words never become typo targets.
@pytest.mark.parametrize("category, text", [
    ("salary", "Liked everything about the role except the dosh"),
    ("salary", "Projekt super, aber die Kohle stimmt nicht"),
    ("salary", "Le projet lui plaît mais le fric ne suit pas"),
    ("salary", "No fue el horario, fue la plata: la oferta quedaba corta"),
    ("salary", "Mooi project, maar de poen klopt niet"),
    ("unclassified", "Kein Platz mehr im Team"),
])
def test_money_in_slang_is_salary(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# The earliest start said as "not before" / "no earlier than" / the start date itself, in every
# language (ES "la fecha de inicio", "como pronto en marzo"; NL "kan niet eerder dan in mei"; FR
# "pas libre avant"): availability by rule, not only through the labelled examples (train3, train4).
@pytest.mark.parametrize("category, text", [
    ("availability", "Not free before Q3 and the client could not wait"),
    ("availability", "Kann nicht vor dem Sommer anfangen, Kunde wollte sofort jemanden"),
    ("availability", "Pas libre avant la rentrée, le client voulait quelqu'un tout de suite"),
    ("availability", "La fecha de inicio no encajaba: como pronto en marzo"),
    ("availability", "Kan niet eerder dan in mei starten, de klant wilde sneller"),
    ("unclassified", "Not free for a chat this week, call back Monday"),
])
def test_the_earliest_start_is_availability_in_every_language(category, text):
    bare = load_rule_files(Settings().reasons_files)  # the rules alone, without the labelled examples
    got = reasons.classify_text(text, bare)
    assert got.category == category, (text, got)


# A CV or a statement said to be untrue in so many words ("cv not truthful", "untruthful about his
# notice period"; DE "sagte die Unwahrheit", FR "CV pas véridique", ES "el CV no es veraz", NL "niet
# naar waarheid ingevuld"): false_information, a hard-no, whatever soft word follows (train5). At
# main three of these read as soft-no. "His CV is truthful" stays what else the note says.
@pytest.mark.parametrize("category, text", [
    ("false_information", "Untruthful about his notice period, CV dates shifted too"),
    ("false_information", "Sagte die Unwahrheit über seine Kündigungsfrist"),
    ("false_information", "CV pas véridique sur les diplômes, salaire trop élevé de toute façon"),
    ("false_information", "El CV no es veraz: dice que lidera equipos y nunca lo ha hecho"),
    ("false_information", "Cv niet naar waarheid ingevuld over zijn opzegtermijn"),
    ("availability", "His CV is truthful, the notice period is the problem"),
])
def test_a_cv_said_to_be_untrue_is_false_information(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)
    assert got.cls == ("hard_no" if category == "false_information" else "soft_no"), got


# Silence since a missed meeting or call, said with "since" ("hasn't answered since", DE "antwortet
# seitdem nicht"): ghosted, as FR "ne répond plus depuis", ES "no contesta desde entonces" and NL
# "reageert sindsdien niet" already were (v9).
@pytest.mark.parametrize("text", [
    "Missed the video call, hasn't answered since",
    "Has not answered since Friday's offer call, the rate was fine",
    "Hat den Termin platzen lassen und antwortet seitdem nicht",
    "N'est pas venu à l'appel vidéo et ne répond plus depuis",
    "Faltó a la videollamada y no contesta desde entonces",
    "Heeft het videogesprek gemist en reageert sindsdien niet",
])
def test_silence_since_is_ghosted_in_every_language(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "ghosted"), (text, got)


# Who on the client side said no, in the passive and with a CIO / DSI ("refusé par le manager", "Refus
# du DSI", "rechazado por el director de sistemas", "afgewezen door de CIO", "vom CIO … abgelehnt"):
# sponsor_rejected, not the candidate's own "refus"/"rechazado" (v9). The candidate's own stays his.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Rejected by the CIO after the final round although the profile matched"),
    ("sponsor_rejected", "Vom CIO nach dem letzten Gespräch abgelehnt, obwohl das Profil passte"),
    ("sponsor_rejected", "Profil présenté, puis écarté par la DSI sans autre explication"),
    ("sponsor_rejected", "Refus de la DSI malgré un très bon entretien"),
    ("sponsor_rejected", "Rechazado por el director de sistemas tras la entrevista final, aunque el perfil encajaba"),
    ("sponsor_rejected", "Afgewezen door de CIO na het laatste gesprek, hoewel het profiel klopte"),
    ("declined_role", "Rechazado por el candidato: no le interesa"),
])
def test_the_client_sides_no_in_the_passive_is_sponsor_rejected(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A kind of experience that is missing, said with "keine/ohne" and a German compound ("keine
# disziplinarische Führungserfahrung", "ohne Projekterfahrung"): experience, not who decided ("Head
# of …") (v9). "keine Erfahrung mit Kubernetes" names a tool and stays skills; EN/FR/ES/NL were read.
@pytest.mark.parametrize("category, text", [
    ("experience", "Keine disziplinarische Führungserfahrung, Rolle ist Head of Development"),
    ("experience", "Ohne Projekterfahrung im Bankenumfeld, Kunde wollte jemanden mit Praxis"),
    ("experience", "No people management experience, the role is Head of Engineering"),
    ("experience", "Aucune expérience de management d'équipe, le poste est Head of Data"),
    ("experience", "Sin experiencia gestionando equipos, el puesto es Head of Engineering"),
    ("experience", "Geen leidinggevende ervaring, de rol is Head of Development"),
    ("skills", "keine Erfahrung mit Kubernetes"),
])
def test_a_missing_kind_of_experience_is_experience(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A test "score" is no slip of "scope" (declined_role: "scope of the role"): a failed test with its
# score is skills in every language (v9: "Tech assessment niet gehaald (score 42/100)" was declined_role).
@pytest.mark.parametrize("category, text", [
    ("skills", "Tech assessment niet gehaald (score 42/100)"),
    ("skills", "Coding test score 38/100, below the bar"),
    ("skills", "Technischer Test nicht bestanden, Score 40 von 100"),
    ("skills", "Test technique raté, score de 35/100"),
    ("skills", "Prueba técnica suspendida, score 30 sobre 100"),
    ("declined_role", "Scope of the role too narrow for him"),
])
def test_a_test_score_is_no_scope(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)
    assert category == "declined_role" or "declined_role" not in got.rule, (text, got)  # not even "also"


# Spanish "falsear" in every form ("fechas falseadas", "falseó"): false_information, as "falsified",
# "gefälscht", "falsifiées", "vervalst" are (v9: "fechas falseadas en el curriculum" went to a person).
@pytest.mark.parametrize("text", [
    "Fechas falseadas en el currículum para tapar un hueco",
    "Títulos falseados, según la universidad",
    "Employment dates falsified to hide a gap",
    "Beschäftigungsdaten gefälscht, um eine Lücke zu verbergen",
    "Dates d'emploi falsifiées pour cacher un trou",
    "Data op het cv vervalst om een gat te verbergen",
])
def test_falsified_in_every_form_is_false_information(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "false_information"), (text, got)


# Dates or tenure made longer on the CV than they were ("employment dates padded by a year", DE
# "gestreckt", FR "gonflées/étirées", ES "estiradas", NL "opgerekt"): false_information, and a hard-no
# read even when the note opens with silence (v10: "ghosted after the offer … dates padded" was ghosted).
@pytest.mark.parametrize("text", [
    "Went quiet after the offer; the background check then found his tenure at the last firm was padded by a year",
    "Reference check: start dates at her previous employer stretched by eighteen months",
    "Meldet sich nicht mehr; Betriebszugehörigkeit beim letzten Arbeitgeber um zwei Jahre gestreckt",
    "Ne donne plus signe de vie ; la vérification montre une durée chez son dernier employeur étirée de deux ans",
    "Ya no contesta; la antigüedad en su último empleo estaba estirada dos años según la vida laboral",
    "Reageert niet meer; dienstjaren bij zijn laatste werkgever met twee jaar opgerekt",
])
def test_padded_dates_are_false_information_even_after_silence(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "false_information"), (text, got)


# Asking to receive no more calls or mails from us is a never (do_not_contact) in every language; the
# same request with an end ("until March", "avant janvier") is a pause, never a hard-no (v10: a
# Spanish "no recibir más llamadas ni correos" was read as ghosted by its nearest examples).
@pytest.mark.parametrize("category, text", [
    ("do_not_contact", "Wants to receive no further emails or calls from the agency"),
    ("do_not_contact", "Asked us to stop sending him job offers by mail"),
    ("do_not_contact", "Bittet darum, keine Nachrichten und Anrufe mehr von uns zu bekommen"),
    ("do_not_contact", "Souhaite ne plus recevoir d'appels ni de courriels du cabinet"),
    ("do_not_contact", "Nos pidió no recibir más mensajes ni llamadas de la consultora"),
    ("do_not_contact", "Wil geen belletjes of mailtjes meer van het bureau krijgen"),
    ("availability", "Prefiere no recibir más llamadas hasta marzo"),
    ("availability", "Demande à ne plus recevoir d'appels avant janvier"),
])
def test_asking_for_no_more_calls_or_mails_is_do_not_contact(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Getting out of IT altogether, said with an adverb between the verb and the trade (DE "steigt
# komplett aus der IT aus", EN "quitting the IT industry for good"): career_change, a hard-no, as FR,
# ES and NL already were (v10: "steigt komplett aus der IT aus" went to a person).
@pytest.mark.parametrize("category, text", [
    ("career_change", "Er steigt komplett aus der IT aus, macht eine Schreinerlehre"),
    ("career_change", "Sie steigt endgültig aus der IT-Branche aus"),
    ("career_change", "Quitting the IT industry for good, retraining as a nurse"),
    ("career_change", "Quitte définitivement l'informatique pour ouvrir une boulangerie"),
    ("career_change", "Deja la informática por completo para llevar el negocio familiar"),
    ("career_change", "Stapt helemaal uit de IT om de boerderij van zijn ouders over te nemen"),
])
def test_leaving_it_altogether_is_career_change(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


# Leaving to live abroad for good, said with a noun ("expatriation définitive"): unavailable_permanently,
# as the verb ("s'expatrie définitivement") and emigration in every language already were (v10: the
# ask-a-person word "définitive" sent "Expatriation définitive …" to a person).
@pytest.mark.parametrize("text", [
    "Expatriation définitive à Montréal avec ses enfants",
    "Permanent emigration to Canada with his family",
    "Endgültige Auswanderung nach Neuseeland mit der Familie",
    "Emigración definitiva a México con su pareja",
    "Definitieve emigratie naar Canada met het gezin",
])
def test_a_move_abroad_for_good_is_unavailable_permanently(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "unavailable_permanently"), (text, got)


# A contact ban or a request to be removed that the note says was NOT made ("no contact ban",
# "did not ask to be taken off our list") is no do_not_contact, but no soft-no either: a person
# decides (the "unasked" templates doubt, they never negate). They once negated, and the hostile
# review showed "~" reaching past them into a real request in unpunctuated notes ("he did not
# request a callback do not call him again he is happy where he is" read declined_role).
@pytest.mark.parametrize("category, text", [
    ("declined_role", "She never asked to be taken off the list; she simply declined the role."),
    ("declined_role", "Not a contact ban, he turned down the offer and wants a call in a year."),
    ("declined_role", "Kein Kontaktverbot – sie hat sich einfach gegen das Angebot entschieden."),
    ("declined_role", "Keine Kontaktsperre – er hat sich gegen die Rolle entschieden, im Sommer wieder melden."),
    ("declined_role", "Hat nicht darum gebeten, aus der Kartei genommen zu werden; sie hat das Angebot ausgeschlagen."),
    ("declined_role", "Il n'a pas demandé à être retiré de la base, il a juste décliné le poste."),
    ("declined_role", "Pas d'interdiction de contact : elle a juste refusé le poste."),
    ("declined_role", "No pidió darse de baja, simplemente rechazó el puesto."),
    ("declined_role", "Sin prohibición de contacto: solo ha rechazado el puesto."),
    ("declined_role", "Ze heeft niet gevraagd haar gegevens te verwijderen; ze heeft het aanbod afgewezen."),
])
def test_a_contact_ban_said_not_to_be_goes_to_a_person(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("unclassified", "unclassified"), (text, category, got)


# The hostile review's notes (ddd4db0's "unasked" templates and ban nouns negated from words
# away): each was hard_no at e3c73c5 and read soft_no after ddd4db0. A request said not to have
# been made may send a note to a person; a real request beside it never reads soft.
@pytest.mark.parametrize("text", [
    "he did not request a callback do not call him again he is happy where he is",
    "never requested it stop contacting him happy in current role",
    "salary too low and he did not ask twice stop calling him",
    "took another offer did not ask us simply opted out",
    "relocating to Spain he did not ask he demanded do not contact him",
    "commute too long never asked anyone just unsubscribed",
    "did not ask nicely never contact him again he wants more money",
    "salario bajo no pidió simplemente exigió no volver a llamarle",
    "te laag salaris niet gevraagd hij eiste nooit meer bellen",
    "neemt niet op nooit meer bellen heeft hij gevraagd",
    "did not ask to be removed at first, but on 3/11 asked to be removed from our database",
])
def test_a_request_said_not_made_never_makes_a_real_one_soft(rules, text):
    got = read(rules, text)
    assert got.cls != "soft_no", (text, got)


# A ban noun is reached only by a negator right before it ("keine Kontaktsperre"), never by one
# two words away that belongs to something else ("kein Interesse, Kontaktsperre").
@pytest.mark.parametrize("text", [
    "kein interesse kontaktsperre",
    "nicht interessiert kontaktsperre verhängt",
    "nicht interessiert um Kontaktsperre gebeten",
    "not interested contact ban requested",
    "niet geinteresseerd contactverbod",
    "pas intéressé, interdiction de contact",
    "no le interesa, prohibición de contacto",
])
def test_a_ban_noun_is_not_negated_by_a_word_that_belongs_elsewhere(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "do_not_contact"), (text, got)


# Soft notes the hostile review found read hard: a principle or intermediaries that are not the
# person's refusal of agencies, a ban said to be lifted.
@pytest.mark.parametrize("text", [
    "Declined on principle, the recruiter says the client fee was too high",
    "No more intermediaries on this project: client hired direct. Candidate still keen on us.",
    "Salary too low. Contact ban lifted in March, fine to call.",
    "Gehalt zu niedrig. Kontaktsperre seit März aufgehoben, darf angerufen werden.",
])
def test_a_principle_or_a_lifted_ban_is_no_hard_no(rules, text):
    got = read(rules, text)
    assert got.cls != "hard_no", (text, got)


@pytest.mark.parametrize("text", [
    "Contact ban requested by the candidate himself",
    "He asked to be removed from our database.",
    "Kontaktsperre auf eigenen Wunsch",
    "Hat um Löschung seiner Daten gebeten, nicht mehr anrufen",
    "Interdiction de contact à sa demande",
    "Prohibición de contacto, lo pidió ella",
    "Contactverbod op eigen verzoek",
    "Keine Angebote mehr, Kontaktsperre erbeten",
])
def test_a_contact_ban_said_to_be_stays_do_not_contact(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "do_not_contact"), (text, got)


# The hard-no kinds behind blind_train6's hard-nos read as soft-no (its first reading: 4), each in
# other words and in every language: agencies refused on principle or only direct with employers
# (unavailable_permanently); an NDA breach said noun first, or the client's confidential material
# put on a public repo (conduct); certificates said not to exist or not on record
# (false_information); IT left behind or called a thing of the past (career_change).
@pytest.mark.parametrize("category, text", [
    ("unavailable_permanently", "Refuses recruitment agencies on principle, only ever applies direct now."),
    ("unavailable_permanently", "Only works directly with end clients these days"),
    ("unavailable_permanently", "Lehnt Headhunter aus Prinzip ab, bewirbt sich nur noch direkt bei Firmen."),
    ("unavailable_permanently", "Refuse par principe les agences, ne travaille plus qu'en direct."),
    ("unavailable_permanently", "Solo trabaja ya directamente con clientes finales, nada de intermediarios."),
    ("unavailable_permanently", "Werkt uit principe niet met recruiters, alleen nog rechtstreeks met werkgevers."),
    ("conduct", "Committed confidential client diagrams to an open repository."),
    ("conduct", "NDA violation during the trial week, the role needed Kotlin anyway"),
    ("conduct", "Verletzung der Geheimhaltungsvereinbarung, Java-Kenntnisse waren ohnehin dünn"),
    ("conduct", "Violation de la clause de confidentialité, en plus trop cher"),
    ("conduct", "Subió documentación confidencial del cliente a un repositorio público; le falta Java."),
    ("conduct", "Geheimhoudingsplicht geschonden, bovendien te duur"),
    ("false_information", "The Azure certificates on his CV do not exist in Microsoft's register under his name."),
    ("false_information", "Certs she listed are not on record with the issuing body."),
    ("false_information", "Die angegebenen Zertifikate existieren laut Aussteller nicht, Java ok"),
    ("false_information", "Les certifications indiquées n'existent pas à son nom, vérifié auprès de l'organisme."),
    ("false_information", "Los títulos que menciona no constan, y pide demasiado."),
    ("false_information", "De opgegeven certificaten bestaan niet op haar naam, nagevraagd bij de uitgever."),
    ("career_change", "Software is a thing of the past for her, full-time potter now."),
    ("career_change", "Die IT ist für ihn Vergangenheit, Vollzeit in der Landwirtschaft."),
    ("career_change", "L'informatique, c'est du passé pour lui, il bosse à plein temps en cuisine."),
    ("career_change", "La programación es cosa del pasado para él, jornada completa en el taller."),
    ("career_change", "Software is voor hem verleden tijd, werkt fulltime in de bouw."),
])
def test_blind_train6_hard_kinds_read_hard_in_every_language(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


@pytest.mark.parametrize("text", [
    "She reports directly to the CTO and only works directly with the founders; pay too low",
    "Pushed his own side project to his public GitHub, the role needs Go",
    "Certifications fine, but the position does not exist anymore after the reorg",
    "Hat NDA unterschrieben, Gehalt zu niedrig",
    "The interview is in the past, she took another offer",
])
def test_near_the_blind_train6_kinds_soft_stays_soft(rules, text):
    assert read(rules, text).cls != "hard_no", text


# The hard-no kind behind blind_train7's hard-no read as soft-no (its first reading: 1): the
# client's complaint given in the client's own words, then checked and found true, with no
# complaint word at all, is client_complaint in every language (a weak hard-no: a false CV or
# conduct the quote names is shown instead, as a complaint said first already was not).
@pytest.mark.parametrize("text", [
    "Customer said: 'He shared our admin passwords in a group chat.' We verified it with their IT lead.",
    "Client feedback: \"kept skipping the security checklist\". Went over it with their PM, it checks out. Rate too high too.",
    "Der Kunde sagte wörtlich: 'Sie hat Zugangsdaten offen im Teamkanal gepostet.' Haben wir geprüft, es stimmt.",
    "Le client, textuellement : « Il ne respectait pas les consignes de sécurité sur site. » Vérifié avec son manager, c'est confirmé.",
    "El cliente: 'Dejaba el servidor de producción abierto a todos.' Lo comprobamos con su responsable y es cierto.",
    "De klant: 'Zij liet wachtwoorden rondslingeren in een open kanaal.' Nagevraagd bij hun security officer, het klopt.",
])
def test_the_clients_complaint_in_its_own_words_checked_is_client_complaint(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "client_complaint"), (text, got)


@pytest.mark.parametrize("text, category", [
    ("Client's words: 'Solid, but too junior for the lead role.' Confirmed by the HM, too junior.", "experience"),
    ("Client said: 'He was rude to reception.' We checked and it could not be verified; too pricey anyway.", "salary"),
    ("Le client : « trop junior ». Confirmé par le manager.", "experience"),
    ("El cliente: 'demasiado caro'. Confirmado por RRHH.", "salary"),
    ("Client's words: 'His CV lists projects another firm delivered.' Checked, it is true: fake CV.", "false_information"),
])
def test_a_client_quote_without_a_checked_complaint_is_what_it_says(rules, text, category):
    assert read(rules, text).category == category, text


# French words that are spelled like an English soft-no word are not that word: "ai" (have:
# "j'ai relancé", "je lui ai transmis") is no AI, and "raté" (missed), typed with its accent, is no
# "rate" (an English soft-no word matched on a word typed with accents does not count; hard-no
# words always do). The English words still read in notes of every language.
@pytest.mark.parametrize("category, text", [
    ("ghosted", "J'ai relancé trois fois par mail, aucune réponse depuis."),
    ("location", "Je lui ai présenté le poste ; trop loin de chez elle, elle ne veut pas déménager."),
    ("declined_role", "Il a raté le premier rendez-vous puis a refusé l'offre."),
    ("salary", "Her rate is well above the budget for this AI role"),
    ("salary", "Rate zu hoch für den Kunden"),
    ("salary", "Rate demasiado alto para el cliente"),
    ("salary", "Rate te hoog voor de klant"),
    ("skills", "Pas d'expérience en AI, le poste est très ML"),
])
def test_french_ai_and_rate_are_no_english_words(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# No plans to return to tech, said as plans or intention (EN "zero plans to return to tech", "no
# plans of coming back"; NL "niet van plan terug te keren naar de IT"; ES "sin planes de volver a la
# informática"; FR without its "ne", and IT as Québec's "TI": "il revient pas en TI") is
# career_change, not the "full time" of the new trade beside it (availability).
@pytest.mark.parametrize("text", [
    "Manages the family vineyard full time, zero plans to return to tech.",
    "Full time on the farm, no plans of coming back to tech.",
    "Keine Pläne, in die IT zurückzukehren, arbeitet Vollzeit als Koch.",
    "Il revient pas en TI, c'est fini pour lui, vendeur à temps plein.",
    "Sin planes de volver al sector tecnológico, trabaja a jornada completa en su bar.",
    "Is niet van plan terug te keren naar de IT, werkt fulltime in de zorg.",
    "Heeft geen plannen om terug te keren naar de IT.",
])
def test_no_plans_to_return_to_tech_is_career_change(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "career_change"), (text, got)


@pytest.mark.parametrize("text", ["No plans to return to the office, wants remote",
                                  "Only part time for now, plans to return to full time in May"])
def test_no_plans_to_return_elsewhere_stays_soft(rules, text):
    assert read(rules, text).cls == "soft_no", text


# "Leave me alone" and "take me out of your system" in the person's own words are do_not_contact in
# every language (EN read already): NL "laat me met rust" (not the Rust language), "haal me uit jullie
# systeem"; DE "lasst mich in Ruhe"; FR "laissez-moi tranquille"; ES "déjenme en paz". With an end
# ("tot na de zomer") it is a pause.
@pytest.mark.parametrize("text", [
    "Just leave me alone from now on, he wrote.",
    "Lasst mich ab jetzt in Ruhe, sagte er am Telefon.",
    "Nehmen Sie mich aus Ihrem System, bitte.",
    "Laissez-moi tranquille désormais, m'a-t-elle écrit.",
    "Retirez-moi de votre système.",
    "Déjenme en paz de una vez, dijo.",
    "Sáquenme de su sistema, por favor.",
    "Laat me voortaan met rust, zei ze.",
    "Haal mij uit jullie systeem.",
])
def test_leave_me_alone_in_own_words_is_do_not_contact(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "do_not_contact"), (text, got)


@pytest.mark.parametrize("text", ["Laat me met rust tot na de zomer, dan praten we verder",
                                  "Lasst mich bis März in Ruhe, dann gerne wieder"])
def test_leave_me_alone_until_a_date_is_no_do_not_contact(rules, text):
    assert read(rules, text).cls != "hard_no", text


# Declared permanently unfit for work is unavailable_permanently in every language (it read as a
# soft burn-out pause or went to a person); unfit for a while stays availability.
@pytest.mark.parametrize("text", [
    "Declared permanently unfit for work after the accident.",
    "On permanent disability since 2025.",
    "Nach dem Burn-out dauerhaft erwerbsunfähig.",
    "Reconnu en invalidité permanente après son burn-out.",
    "Déclaré inapte définitivement à tout travail.",
    "Incapacidad permanente absoluta tras el accidente.",
    "Blijvend arbeidsongeschikt verklaard na haar burn-out.",
    "Volledig en duurzaam arbeidsongeschikt (WIA).",
])
def test_permanently_unfit_for_work_is_unavailable_permanently(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "unavailable_permanently"), (text, got)


@pytest.mark.parametrize("text", ["Tijdelijk arbeidsongeschikt tot april, daarna weer bellen",
                                  "Incapacidad temporal hasta mayo", "Burn-out, off sick until March, call after"])
def test_unfit_for_a_while_stays_availability(rules, text):
    assert read(rules, text).category == "availability", text


# The company's or client's card used for private spending, or an integrity breach said in so many
# words, is conduct in every language (NL "zakelijke creditcard voor privé-uitgaven" read as salary);
# a company card wanted as a perk stays what else the note says.
@pytest.mark.parametrize("text", [
    "Charged personal expenses to the company card.",
    "Integrity breach at his last client, let go.",
    "Hat die Firmenkreditkarte des Kunden privat genutzt.",
    "A utilisé la carte bancaire de l'entreprise à des fins personnelles.",
    "Usó la tarjeta corporativa del cliente para gastos personales.",
    "Gebruikte de zakelijke creditcard voor privé-uitgaven.",
    "Integriteitsschending bij de vorige opdracht.",
])
def test_the_company_card_for_private_spending_is_conduct(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "conduct"), (text, got)


@pytest.mark.parametrize("text", ["Wants a company card and a car, salary too low",
                                  "Wil een leaseauto en zakelijke creditcard, salaris te laag"])
def test_a_company_card_as_a_perk_is_no_conduct(rules, text):
    assert read(rules, text).category == "salary", text


# Met every requirement and still no, with no other reason given, is the client side's no
# (sponsor_rejected, a weak rule: a reason the note names decides instead), in every language and
# both German and Dutch word orders.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Ticked every box, the hiring manager went with an internal candidate."),
    ("availability", "Met all the requirements but the notice period of 3 months was too long."),
    ("sponsor_rejected", "Erfüllte alle Anforderungen, der Bereichsleiter wollte trotzdem jemand anderen."),
    ("sponsor_rejected", "Der Kunde entschied sich anders, obwohl sie alle Anforderungen erfüllte."),
    ("sponsor_rejected", "Cumplía todos los requisitos, pero el director eligió a otra persona."),
    ("sponsor_rejected", "Voldeed aan alle eisen, de manager koos toch iemand anders."),
    ("sponsor_rejected", "De directeur zei nee, hoewel ze aan alle eisen voldeed."),
    ("sponsor_rejected", "Het hoofd IT wilde iemand uit zijn netwerk, terwijl hij aan alle eisen voldeed."),
    ("sponsor_rejected", "Le DSI voulait quelqu'un de son réseau ; le nôtre remplissait tous les critères."),
    ("sponsor_rejected", "Der Bereichsleiter wollte jemanden aus seinem Netzwerk, obwohl sie alle Anforderungen erfüllte."),
])
def test_met_every_requirement_and_still_no_is_sponsor_rejected(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A certificate whose number or ID is said not to exist is false_information (the English rule took
# only "the certificate does not exist"; Dutch spells it "certificaat").
@pytest.mark.parametrize("text", [
    "Claimed an Oracle cert, the cert number does not exist.",
    "Says he holds the PMP; the certificate ID does not exist in PMI's registry.",
    "Die Zertifikatsnummer existiert laut Hersteller nicht.",
    "Le numéro de certificat n'existe pas chez l'éditeur.",
    "El número de certificado no existe según el emisor.",
    "Het certificaatnummer bestaat niet bij de uitgever.",
])
def test_a_certificate_number_that_does_not_exist_is_false_information(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "false_information"), (text, got)


# Pay said to fit ("was in range", DE "wäre machbar gewesen", FR "le salaire collait", ES "el sueldo
# encajaba", NL "het salaris klopte / was haalbaar") does not decide: the reason after it does.
@pytest.mark.parametrize("category, text", [
    ("availability", "Pay was in range for him; the issue is he can't start before June."),
    ("availability", "Gehalt wäre machbar gewesen, aber die Kündigungsfrist beträgt 6 Monate."),
    ("availability", "Le salaire collait, mais il ne peut pas démarrer avant septembre."),
    ("availability", "El sueldo encajaba, pero no puede incorporarse hasta octubre."),
    ("availability", "Salaris was haalbaar, maar hij kan pas in juni beginnen."),
    ("availability", "Het salaris klopte, maar hij zit nog tot eind mei vast aan zijn project."),
    ("salary", "Happy with the team and the location, just not the salary"),
    ("salary", "Salary too high, not the commute"),
])
def test_pay_said_to_fit_does_not_decide(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# No chemistry ("it didn't click", DE "hat menschlich nicht gepasst", FR "le courant n'est pas passé",
# ES "no hubo química", NL "het klikte niet") is the client side's no when nothing else is said
# (sponsor_rejected, weak); the person's own no beside it decides.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "The client said it just didn't click with him."),
    ("sponsor_rejected", "Laut Kunde hat die Chemie nicht gestimmt."),
    ("sponsor_rejected", "Beim Kunden hat es einfach nicht gepasst, menschlich."),
    ("sponsor_rejected", "Le client trouve que le courant n'est pas passé."),
    ("sponsor_rejected", "Según el cliente, no hubo química."),
    ("sponsor_rejected", "Volgens de klant was er geen klik."),
    ("declined_role", "He said it didn't click with the team, he'll stay where he is"),
    ("salary", "Gehalt hat nicht gepasst"),
])
def test_no_chemistry_is_the_client_sides_no(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Not wanting the client's industry (gambling, defence, …) is the person's own no (declined_role),
# not a place ("doesn't want to work in gambling" read as location); a city stays location.
@pytest.mark.parametrize("category, text", [
    ("declined_role", "Doesn't want to work in defence."),
    ("declined_role", "Will nicht in der Glücksspielbranche arbeiten."),
    ("declined_role", "Ne veut pas travailler dans les jeux d'argent."),
    ("declined_role", "No quiere trabajar en el sector de apuestas."),
    ("declined_role", "Wil niet in de gokindustrie werken."),
    ("location", "Doesn't want to work in Manchester."),
    ("skills", "Heeft niet genoeg cryptografie kennis"),
])
def test_an_industry_not_wanted_is_declined_role(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A certificate or credential put on the CV that does not exist, is in no register, or that the person
# admits never having obtained: false_information, a hard-no (blind_train8: read as the skill the
# certificate is about, a soft-no). A certificate the client asks for and the person lacks is a skill.
@pytest.mark.parametrize("category, text", [
    ("false_information", "Put a PMP on the CV but the cert number doesn't exist; admitted he never passed the exam."),
    ("false_information", "The certification ID he gave is not in the vendor's registry."),
    ("false_information", "Das angegebene Zertifikat ist im offiziellen Register nicht zu finden."),
    ("false_information", "Gab ein Scrum-Zertifikat an; hat zugegeben, es nie abgelegt zu haben."),
    ("false_information", "La certification déclarée ne figure pas dans le registre de l'organisme."),
    ("false_information", "Le diplôme mentionné n'existe pas, l'école n'en a aucune trace."),
    ("false_information", "El certificado que declaró no consta en el registro oficial."),
    ("false_information", "Het certificaatnummer staat niet in het officiële register."),
    ("false_information", "Noemde een ITIL-certificaat op zijn cv; gaf toe dat hij het nooit heeft behaald."),
    ("skills", "La certificación AWS que pide el cliente no figura en su CV."),
    ("skills", "La certification demandée ne figure pas sur son CV."),
])
def test_a_certificate_that_does_not_exist_is_false_information(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Who at the client said no or took someone else (the budget holder, the head of a department, the DSI,
# the "jefa de ingeniería"), or the client "going in a different direction": sponsor_rejected, even
# where the budget holder's "budget" or a skill is named (blind_train8/9: read as salary, or by no rule).
# The candidate's own preference for another job stays declined_role.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Met every requirement, but the budget holder went with an agency contractor he had used before."),
    ("sponsor_rejected", "The budget owner signed off on an internal transfer instead."),
    ("sponsor_rejected", "Kunde hört von einem alten Konflikt und winkt ab."),
    ("sponsor_rejected", "Le DSI a préféré quelqu'un de son ancienne équipe."),
    ("sponsor_rejected", "La jefa de ingeniería de la aseguradora dijo que no tras la última entrevista."),
    ("sponsor_rejected", "Teamlead bij de klant koos uiteindelijk een bekende uit haar netwerk."),
    ("declined_role", "Elle a préféré un autre poste plus proche de chez elle."),
    ("declined_role", "Koos voor een andere baan dichter bij huis."),
])
def test_who_at_the_client_said_no_is_sponsor_rejected(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A skill or a technical round praised ("despite top marks in the coding rounds", "glowing feedback on the
# design round", "fully qualified", DE "fachlich überzeugend/gleichwertig", FR "meilleure note au test
# technique", ES "la mejor nota en la prueba técnica", NL "hoogst op de technische test") is not why the
# client said no: the client's no decides (blind_train8/9: the praised skill word read as the reason).
# A skill said to be missing still decides.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "The VP turned her down after the final chat, despite the best marks of all in the coding rounds."),
    ("sponsor_rejected", "Glowing feedback on the system design round, then the CPO vetoed it."),
    ("sponsor_rejected", "Fully qualified Java developer; the head of engineering said no after meeting him."),
    ("salary", "The technical interview was excellent; a 20% gap on the day rate killed it."),
    ("sponsor_rejected", "Fachlich absolut überzeugend, trotzdem Absage vom Kunden nach dem Kennenlernen."),
    ("sponsor_rejected", "Fachlich gleichwertig mit der Konkurrenz; der Kunde hat nach dem zweiten Gespräch abgelehnt."),
    ("sponsor_rejected", "Meilleure note au test technique, et pourtant le client a dit non."),
    ("sponsor_rejected", "Sacó la mejor nota en la prueba técnica y aun así el cliente dijo que no."),
    ("sponsor_rejected", "Scoorde het hoogst op de technische test, toch zei de opdrachtgever nee."),
    ("skills", "Lacks Kubernetes despite the CKA; failed the live test."),
    ("salary", "Fachlich überzeugend, Gehalt aber deutlich zu hoch."),
])
def test_a_praised_skill_is_not_why_the_client_said_no(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# A complaint heard of, checked by the agency and found to be nothing ("we checked, nothing
# substantiated", DE "nachgefragt, nichts belegt", ES "lo comprobamos y no se pudo comprobar nada", NL
# "nagetrokken, het klopte niet"), after which the client said no anyway: sponsor_rejected, not a
# confirmed complaint (the check word alone is no verdict when the note says what it found) and not a
# doubt for a person (the check settled the "alleged"). A confirmed complaint stays a hard-no whatever
# else the note denies; an alleged one still being looked into goes to a person.
@pytest.mark.parametrize("cls, category, text", [
    ("soft_no", "sponsor_rejected", "An alleged complaint from her last client; we asked around, nothing substantiated. The client still passed."),
    ("soft_no", "sponsor_rejected", "Angebliche Beschwerde aus dem letzten Projekt; wir haben nachgefragt, nichts belegt. Der Kunde hat trotzdem abgesagt."),
    ("soft_no", "sponsor_rejected", "Una supuesta queja del cliente anterior; lo comprobamos y no se pudo comprobar nada. Aun así el cliente dijo que no."),
    ("soft_no", "sponsor_rejected", "Klant had gehoord van een klacht; wij hebben het nagetrokken, het klopte niet. Toch zei de klant nee."),
    ("soft_no", "sponsor_rejected", "Une supposée plainte d'un ancien client ; vérification faite, rien de fondé. Le client a quand même refusé."),
    ("unclassified", "unclassified", "Alleged complaint from the client, still being looked into."),
    ("hard_no", "client_complaint", "Complaint from the client about his attitude, checked and confirmed by the account manager."),
    ("hard_no", "client_complaint", "Beschwerde des Kunden bestätigt. Nichts belegt an seinen Gegenvorwürfen."),
    ("hard_no", "client_complaint", "Klacht van de klant over zijn houding, nagetrokken en het klopt."),
])
def test_a_complaint_checked_and_found_to_be_nothing_leaves_the_clients_no(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# The kinds behind reasons_heldout_v11's hard-nos read as soft-no (v11 is tuning material since v12),
# each in other words than the note, in all five languages: years of experience claimed that turned
# out to be months; an employer on the CV that never existed; moving abroad and not coming back. A
# shortfall the client names, a firm that no longer exists and a move with an end stay what they were.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "false_information", "Claimed six years in backend work, in reality seven months per the employment record."),
    ("hard_no", "false_information", "Sechs Jahre bei der Bank angegeben, tatsächlich waren es neun Monate."),
    ("hard_no", "false_information", "Cinq ans annoncés chez l'éditeur, en réalité sept mois."),
    ("hard_no", "false_information", "Dijo tener seis años de experiencia en la aseguradora y en realidad fueron nueve meses."),
    ("hard_no", "false_information", "Zei zes jaar bij de verzekeraar te hebben gewerkt, in werkelijkheid negen maanden."),
    ("hard_no", "false_information", "Reference check: the startup he lists for 2020 never existed, no registration anywhere."),
    ("hard_no", "false_information", "Den Arbeitgeber aus 2019 im Lebenslauf hat es nie gegeben."),
    ("hard_no", "false_information", "La société listée pour 2020 sur son CV n'a jamais existé."),
    ("hard_no", "false_information", "La consultora que figura en su CV para 2020 nunca existió."),
    ("hard_no", "false_information", "De werkgever die hij voor 2020 opgeeft, heeft nooit bestaan."),
    ("hard_no", "unavailable_permanently", "Relocating to Perth with her family, no plans to return."),
    ("hard_no", "unavailable_permanently", "perm. move to Chile with the kids"),
    ("hard_no", "unavailable_permanently", "Geht mit ihrem Mann nach Chile und kommt nicht zurück."),
    ("hard_no", "unavailable_permanently", "Départ définitif pour Montréal avec sa famille."),
    ("hard_no", "unavailable_permanently", "Mudanza definitiva a Uruguay con su pareja."),
    ("hard_no", "unavailable_permanently", "Vertrekt met haar man naar Chili en keert niet terug."),
    ("soft_no", "skills", "Client wants five years of Kotlin, he has nine months."),
    ("soft_no", "location", "Relocating to Lisbon for a year, not returning until 2027."),
    ("unclassified", "unclassified", "The start-up he worked for no longer exists; client wanted more Go."),
])
def test_v11_hard_no_kinds_read_hard_in_every_language(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# The kinds behind reasons_heldout_v12's hard-nos read as soft-no (v12 is tuning material since its
# one reading), each in other words than the note, in all five languages: an interview filmed or
# recorded in secret, or conduct "against our charter"; no interest left in IT at all (with a word
# such as "enkele"/"keinerlei"/"aucun" inside the phrase); leaving the country or continent
# "definitively". Applying in secret, leaving a project "definitely" stay what they were.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "conduct", "Hat das Interview heimlich mitgeschnitten, Gehalt war ohnehin zu niedrig"),
    ("hard_no", "conduct", "Grabó la videollamada a escondidas, además pedía demasiado salario"),
    ("hard_no", "conduct", "Heeft de call stiekem opgenomen, salaris was ook te laag"),
    ("hard_no", "conduct", "a filmé l'entretien en cachette, salaire trop bas"),
    ("hard_no", "conduct", "Comportement contraire à notre charte, salaire trop bas de toute façon"),
    ("hard_no", "career_change", "Werkt fulltime en heeft geen enkele interesse meer in IT"),
    ("hard_no", "career_change", "Keinerlei Interesse mehr an IT, arbeitet Vollzeit"),
    ("hard_no", "career_change", "Works full time now, no interest left in tech"),
    ("hard_no", "career_change", "Travaille à plein temps, plus aucun intérêt pour l'informatique"),
    ("hard_no", "career_change", "Trabaja a tiempo completo, ya no tiene ningún interés en la informática"),
    ("hard_no", "unavailable_permanently", "Relocation to Leeds is not the problem: she leaves the UK definitively, to Sydney"),
    ("hard_no", "unavailable_permanently", "Relocation is not the issue, he leaves Europe definitively"),
    ("soft_no", "salary", "applied to us secretly while employed, salary too low"),
    ("soft_no", "experience", "wants to leave the project definitely, too junior"),
    ("soft_no", "salary", "a postulé en cachette de son manager, salaire trop bas"),
])
def test_v12_hard_no_kinds_read_hard_in_every_language(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# A complaint whose check is not over ("nothing confirmed YET", "noch nichts bestätigt") is no
# denial: the doubt stays and a person decides (943fd42 read such notes by their soft reason).
# A finding in a clause of its own stays one ("nothing substantiated. Client still said no").
@pytest.mark.parametrize("text", [
    "Alleged complaint from the client about his conduct, we checked, nothing confirmed yet, salary also too high",
    "Angebliche Beschwerde des Kunden, nachgefragt, noch nichts bestätigt, Gehalt zu hoch",
    "Klacht van de klant zou over gedrag gaan, nagetrokken, nog niets bevestigd, tarief te hoog",
])
def test_a_complaint_still_being_checked_goes_to_a_person(rules, text):
    got = read(rules, text)
    assert got.cls == "unclassified", (text, got)


# A common word one letter away from a hard-no word is that word, not a typo of the hard-no one
# ("Er schrieb" is no "schrie", conduct): a soft note stays soft. A letter changed inside a word
# makes another real word far more often than a slip, so a hard-no word is read only from slips
# that keep the letters; real words those still reach are in each language's [fuzzy] keep.
@pytest.mark.parametrize("category, text", [
    ("location", "Er schrieb uns, die Stelle sei ihm zu weit weg"),
    ("salary", "Hat geschrieben, dass ihm das Gehalt zu niedrig ist"),
    ("location", "Aus privater Sicht ist der Umzug nicht möglich"),
    ("salary", "Gehalt besprochen, lag aber deutlich über dem Budget"),
    ("location", "Forced to stay in Leeds for family, can't relocate"),
    ("salary", "Salary expectations created a gap we could not close"),
    ("availability", "Stalled on the notice period, three months"),
    ("salary", "Client too cheap for her, wants 20k more"),
    ("salary", "Lined up another offer with better pay"),
    ("declined_role", "Retrait de candidature, il préfère rester chez son employeur"),
    ("salary", "Le volet salaire ne convient pas, 10k d'écart"),
    ("salary", "Ha intentado negociar el sueldo pero no llegamos"),
    ("salary", "Tiene en mente otra oferta con mejor sueldo"),
    ("experience", "Hij zou het CV verzonden hebben, maar de rol is te junior voor hem"),
    ("location", "Wil niet verhuizen, de kinderen zitten hier op scholen"),
])
def test_a_common_word_a_letter_from_a_hard_no_word_is_read_as_typed(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# A trade that is "fully qualified" now is a career change like "newly qualified": blind_train9's
# note of the kind was hard only because "physiotherapist" was read as a typo of German
# "Physiotherapeut", with letters changed inside the word.
@pytest.mark.parametrize("text", [
    "Now a fully qualified carpenter, since the spring",
    "SRE for years, now a fully qualified electrician",
])
def test_a_fully_qualified_trade_now_is_a_career_change(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", "career_change"), (text, got)


@pytest.mark.parametrize("category, text", [
    ("false_information", "Fabricted two employers on the CV"),          # a letter dropped
    ("conduct", "Harrasment of a team member at the client"),           # a letter doubled
    ("false_information", "Hat im Lebenslauf gelogn"),                   # a letter dropped
    ("false_information", "Diploma vervalsd, bevestigd door de school"),  # the last letter
])
def test_a_slip_that_keeps_the_letters_still_reads_hard(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("hard_no", category), (text, got)


@pytest.mark.parametrize("typed, word, changed", [
    ("forced", "forged", True), ("created", "cheated", True), ("verzonden", "verzonnen", True),
    ("salray", "salary", False), ("changd", "changed", False), ("harrasment", "harasment", False),
    ("vervalsd", "vervalst", False), ("schrieb", "schrie", False), ("ab", "ba", False),
])
def test_changes_a_letter_tells_a_changed_letter_from_a_slip(typed, word, changed):
    from sheetcrm.core.reason_words import changes_a_letter
    assert changes_a_letter(typed, word) is changed


# An id typed as a reason ("C-00017", "duplicate of C-00042") is no money: a number that starts
# with 0 or follows a lone letter (the id's prefix) is never a salary; money stays money.
@pytest.mark.parametrize("cls, category, text", [
    ("unclassified", "unclassified", "C-00017"),
    ("unclassified", "unclassified", "Duplicate of C-00042, see there"),
    ("unclassified", "unclassified", "Dublette von C-00042, siehe dort"),
    ("unclassified", "unclassified", "Doublon de C-00042, voir là-bas"),
    ("unclassified", "unclassified", "Duplicado de C-00042, ver allí"),
    ("unclassified", "unclassified", "Dubbel met C-00042, zie daar"),
    ("soft_no", "sponsor_rejected", "P-00310 closed before any interview"),
    ("soft_no", "salary", "a 95000 package was too low"),
    ("soft_no", "salary", "wanted 95,000 base"),
])
def test_the_digits_of_an_id_are_no_money(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# A firm that no longer exists (gone bust: "existiert nicht mehr", "ya no existe", "n'existe
# plus") is no false information (DESIGN §4: resume details found false); only one that never
# existed is. The rest of the note decides.
@pytest.mark.parametrize("cls, category, text", [
    ("soft_no", "skills", "His previous employer went bust, and the client wanted more Kotlin"),
    ("soft_no", "skills", "Sein letzter Arbeitgeber existiert nicht mehr, und dem Kunden fehlte Kotlin"),
    ("soft_no", "salary", "Die Agentur von damals gibt es nicht mehr; Gehalt zu hoch"),
    ("soft_no", "salary", "L'ancienne boîte n'existe plus, et le salaire demandé est trop haut"),
    ("soft_no", "salary", "Su antigua empresa ya no existe; pide demasiado sueldo"),
    ("soft_no", "experience", "La consultora no existe ya, y le falta experiencia"),
    ("soft_no", "salary", "Zijn vorige werkgever bestaat niet meer, en het salaris is te hoog"),
    ("hard_no", "false_information", "Den Arbeitgeber von 2019 gibt es nicht, nie gegeben"),
])
def test_a_firm_gone_bust_is_no_false_information(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# Rejected BY THE CANDIDATE ("Abgelehnt vom Kandidaten selbst", "refusé par la candidate") is the
# candidate's own no, declined_role, not the client's (sponsor_rejected).
@pytest.mark.parametrize("text", [
    "Rejected by the candidate, the client was keen",
    "Abgelehnt von der Kandidatin selbst, nicht vom Kunden",
    "Vom Bewerber abgelehnt, Kunde wollte ihn",
    "Refusé par la candidate, le client était partant",
    "Rechazado por el propio candidato, el cliente lo quería",
    "Afgewezen door de kandidaat zelf, klant wilde hem wel",
])
def test_rejected_by_the_candidate_is_declined_role(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "declined_role"), (text, got)


# To be called again at a later time ("call again in March", "nach dem Sommer wieder anrufen",
# "à recontacter à la rentrée", "bellen in het najaar") is a timing, availability; short ones
# resembled "do not call again" notes and the examples reader made them a ban (hard-no).
@pytest.mark.parametrize("text", [
    "call again in March",
    "ring him again in the new year",
    "Ring her again after the summer",
    "Nach dem Sommer wieder anrufen, gerade voll eingespannt",
    "À recontacter à la rentrée, trop pris en ce moment",
    "Volver a llamar después del verano",
    "Bellen in het najaar, druk met een project",
])
def test_to_be_called_again_later_is_availability(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "availability"), (text, got)


# A skill word that is also a common word is a skill only in a skill's company: "spring" the
# season and Dutch "met rust laten" (leave alone) are no Spring framework or Rust; "Java/Spring",
# "Spring Boot", "client needs Rust", "kein Spring", "piden Rust", "ervaring met Rust" still are.
@pytest.mark.parametrize("category, text", [
    ("availability", "Wil met rust gelaten worden tot na de zomer"),
    ("availability", "Laat hem even met rust, bellen in het voorjaar"),
    ("availability", "Will think about it over the spring, re-approach in April"),
    ("availability", "Rappeler au printemps, il est en mission"),
    ("availability", "Im Frühling wieder anrufen"),
    ("skills", "Client needs Rust, he only knows PHP"),
    ("skills", "Role is Java/Spring, she is a .NET dev"),
    ("skills", "Kein Spring Boot, nur Jakarta EE"),
    ("skills", "Piden Rust y él viene de Python"),
    ("skills", "Geen ervaring met Rust, alleen C#"),
])
def test_a_skill_that_is_a_common_word_needs_a_skills_company(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# The kinds behind blind_train10's hard-nos read as soft-no (and its one note a typo reading had
# sent to a person), each in other words and in every language it was missing from: the trade
# said to be behind them; quitting the trade entirely; a credential never issued; someone else's
# work passed off as one's own; private spending charged as business expenses; "in Pension" (retired).
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "career_change", "Says tech is behind her now, no more contracts"),
    ("hard_no", "career_change", "Quitting dev work entirely, starts pilot training in May"),
    ("hard_no", "career_change", "Deja por completo el desarrollo de software, se va al campo"),
    ("hard_no", "career_change", "Stopt helemaal met software ontwikkelen, neemt de boerderij over"),
    ("hard_no", "false_information", "The Azure certificates on her CV were never issued, checked with Microsoft"),
    ("hard_no", "false_information", "Les certifications de son CV n'ont jamais été délivrées"),
    ("hard_no", "false_information", "Los certificados de su CV nunca se emitieron"),
    ("hard_no", "false_information", "De certificaten op zijn cv zijn nooit uitgegeven"),
    ("hard_no", "false_information", "The case study he presented was someone else's work"),
    ("hard_no", "false_information", "Die Fallstudie, die er präsentiert hat, war die Arbeit von jemand anderem"),
    ("hard_no", "false_information", "L'étude de cas présentée était le travail de quelqu'un d'autre"),
    ("hard_no", "false_information", "El caso que presentó era el trabajo de otra persona"),
    ("hard_no", "false_information", "De case die hij presenteerde was het werk van iemand anders"),
    ("hard_no", "conduct", "Expensed private dinners as client entertainment, confirmed by finance"),
    ("hard_no", "conduct", "Private Reisen als Dienstreisen abgerechnet, von der Buchhaltung bestätigt"),
    ("hard_no", "conduct", "A fait passer des vacances personnelles en notes de frais, confirmé par la compta"),
    ("hard_no", "conduct", "Pasó viajes personales como gastos de empresa, confirmado por contabilidad"),
    ("hard_no", "conduct", "Privé-etentjes als zakelijke kosten gedeclareerd, bevestigd door finance"),
    ("hard_no", "unavailable_permanently", "Geht im Sommer in Pension, nimmt nichts mehr an"),
    ("hard_no", "unavailable_permanently", "Ist seit März in Pension"),
    ("soft_no", "salary", "Tech is not behind her at all, just too expensive"),
    ("soft_no", "salary", "His expense claims were all in order; rate too high"),
])
def test_blind_train10_hard_no_kinds_read_hard_in_every_language(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# A reason said to have been solved or to have fit ("the notice period issue got solved",
# "Start im Juni hätte gepasst", "tout collait : dispo en juin", "habría encajado", "geen probleem
# met X of Y") does not decide: the one that failed does (blind_train10's largest soft confusion,
# salary read as availability).
@pytest.mark.parametrize("category, text", [
    ("salary", "The notice period issue got solved, then the rate talks fell apart"),
    ("salary", "Relocation got sorted, but the salary gap was too big"),
    ("salary", "Start im Juni hätte gepasst, am Ende scheiterte es am Gehalt"),
    ("salary", "Tout collait : dispo en juin, mais le salaire demandé est trop haut"),
    ("salary", "La incorporación habría encajado, falló la tarifa"),
    ("salary", "Geen probleem met de reistijd of de opzegtermijn, het was het salaris"),
    ("availability", "Notice period of three months, the salary was fine"),
])
def test_a_reason_solved_or_that_would_have_fit_does_not_decide(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# A skill praised is not why ("Technisch stark, aber es fehlt die Erfahrung", "sehr stark im
# Backend, aber zu teuer"; German "stark" was read as a typo of the skill "Spark"): the reason
# said against them decides, in every language.
@pytest.mark.parametrize("category, text", [
    ("experience", "Technisch stark, aber es fehlt die Erfahrung in großen Projekten"),
    ("salary", "Im Backend sehr stark, aber zu teuer"),
    ("salary", "Kotlin stark, aber Gehalt zu hoch"),
    ("experience", "Techniquement solide, mais pas assez d'expérience en lead"),
    ("experience", "Técnicamente sólido, pero le falta experiencia liderando"),
    ("experience", "Technisch sterk, maar te weinig ervaring met teams"),
    ("skills", "Le client l'a refusé : pas assez solide en Java"),
    ("skills", "Niet sterk in Java, de rol is puur backend"),
])
def test_a_praised_skill_is_not_why_in_every_language(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# A no that came from the client side ("vom Kunden kam ein Nein", "del cliente llegó un no") is
# sponsor_rejected also in a long note (the examples reader found only the short ones).
@pytest.mark.parametrize("text", [
    "Nach dem Pitch vor dem Vorstand kam vom Kunden ein Nein, schade, sie war richtig gut",
    "Ein Nein vom Kunden nach dem Workshop, Begründung keine",
    "Del cliente llegó un no tras la presentación, sin más explicación",
])
def test_a_no_from_the_client_side_is_sponsor_rejected(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "sponsor_rejected"), (text, got)


# The client side as the one who declines ("Kunde sagt ab", "HM pas convaincu", "refus sponsor",
# "el cliente no quedó convencido", "weigering van de klant"): sponsor_rejected, not the candidate's
# declined_role; the candidate declining stays declined_role.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Kunde sagt nach dem Interview ab, obwohl alles passt"),
    ("sponsor_rejected", "HM pas convaincu après l'entretien technique"),
    ("sponsor_rejected", "Refus sponsor après le 2e entretien"),
    ("sponsor_rejected", "El cliente no quedó convencido tras la entrevista final"),
    ("sponsor_rejected", "Weigering van de klant na de tweede ronde"),
    ("declined_role", "Kandidat sagt ab, Kunde wollte ihn"),
    ("declined_role", "Il n'est pas convaincu par le poste"),
    ("skills", "Kunde hat abgesagt: kein Terraform-Wissen"),
])
def test_the_client_side_declining_is_sponsor_rejected(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# Travel the role demands ("viel Reisetätigkeit", "viajar a Madrid cada semana") and how many days
# there ("maximaal één dag per week naar Utrecht") are location, as the commute is (blind_train10's
# location notes read by nothing).
@pytest.mark.parametrize("text", [
    "Die Stelle verlangt viel Reisetätigkeit, das macht sie nicht",
    "Hoher Reiseanteil zu Kunden in der Schweiz, kommt für ihn nicht in Frage",
    "El puesto exige viajar a Madrid cada semana, no puede",
    "Wil maximaal één dag per week naar Utrecht komen, de klant vraagt vier",
    "Role needs 40% travel to the Hamburg office, he can't with small kids",
    "Le poste implique des déplacements chaque semaine à Lyon, impossible pour lui",
])
def test_travel_and_days_on_site_are_location(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "location"), (text, got)


# blind_train10/11's hard-nos that went to a person, by kind: refusing every recruiter (FR, ES, NL;
# EN and DE read it), a reference who is a relative by marriage (Flemish "schoonbroer"), a portfolio
# or app that was someone else's; taking over a colleague's project is none of these.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "unavailable_permanently", "Ne veut travailler avec aucun recruteur, il cherche seul"),
    ("hard_no", "unavailable_permanently", "No quiere trabajar con ningún reclutador, busca por su cuenta"),
    ("hard_no", "unavailable_permanently", "Wil met geen enkele recruiter meer werken, zoekt zelf"),
    ("hard_no", "false_information", "Zijn referentie bleek zijn schoonbroer te zijn"),
    ("hard_no", "false_information", "El portfolio que enseñó era de otra persona"),
    ("hard_no", "false_information", "Le portfolio présenté était celui de quelqu'un d'autre"),
    ("hard_no", "false_information", "Das Portfolio war von jemand anderem"),
    ("hard_no", "false_information", "Zijn 'eigen' app bleek van het bureau waar hij stage liep"),
    ("unclassified", "unclassified", "Het project was van een collega overgenomen, hij leidde het verder"),
    ("soft_no", "salary", "El proyecto era de otra empresa, el sueldo no llega"),
])
def test_blind_train10_11_hard_nos_sent_to_a_person_read_hard(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# A soft reason ruled out in so many words ("not a money thing", "Geld spielte keine Rolle", "pas une
# question d'argent", "no es por dinero", "het ging niet om het geld") does not decide: the reason
# that is left does (misses in v6, v10-v12, train7-9: written by six writers).
@pytest.mark.parametrize("category, text", [
    ("location", "Not a money thing - the commute to Reading is too long for him"),
    ("availability", "Not a skills issue, the notice period is four months"),
    ("location", "Loved the pay, hated the commute to Slough"),
    ("availability", "Geld spielte keine Rolle, sie kann erst im Mai anfangen"),
    ("availability", "Gehalt und Standort wären okay gewesen, nur die Kündigungsfrist ist zu lang"),
    ("location", "Es ging nicht ums Gehalt, sie will nicht nach Köln umziehen"),
    ("location", "Ce n'est pas une question de salaire : il ne veut pas déménager à Lille"),
    ("availability", "Pas une question d'argent, le préavis de trois mois bloque"),
    ("location", "Le salaire convient, mais le trajet est trop long pour elle"),
    ("availability", "No es por el dinero, es que no puede empezar hasta junio"),
    ("location", "No es cuestión de sueldo: no quiere mudarse a Bilbao"),
    ("location", "Het ging niet om het geld, hij wil niet verhuizen naar Groningen"),
    ("availability", "Geen kwestie van salaris, de opzegtermijn is te lang"),
])
def test_a_reason_ruled_out_in_words_does_not_decide(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# Choosing another person, the other finalist or an internal hire is the client side's no, whoever
# writes it ("wir haben uns für eine andere Kandidatin entschieden", "hemos optado por otra persona"):
# a candidate never chooses another candidate (misses in v5, v6, v11, v12, train6, train8, train12,
# train13). The candidate's own choice of another job stays declined_role.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "We've chosen to proceed with the other finalist. Kind regards, Jo"),
    ("sponsor_rejected", "Feedback vom HM: man habe sich für jemand anderen entschieden"),
    ("sponsor_rejected", "Abteilungsleiterin hat sich am Ende für eine interne Besetzung entschieden"),
    ("sponsor_rejected", "Nous avons finalement choisi un autre profil pour ce poste, merci"),
    ("sponsor_rejected", "Ils ont pris quelqu'un d'autre, rien à redire"),
    ("sponsor_rejected", "Hemos optado por otra persona, gracias por el perfil"),
    ("sponsor_rejected", "Al final se quedaron con otra candidata"),
    ("sponsor_rejected", "We hebben uiteindelijk voor iemand anders gekozen, bedankt"),
    ("declined_role", "Sie hat sich für eine andere Stelle entschieden"),
    ("declined_role", "Il a choisi un autre poste, mieux payé"),
    ("declined_role", "Eligió otra oferta más cerca de casa"),
    ("declined_role", "Heeft voor een ander aanbod gekozen"),
    ("declined_role", "She chose another role in the end"),
])
def test_another_person_chosen_is_the_client_side(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# blind_train13/14's hard-nos read soft, by kind (probes in other words). The CV said in so many
# words not to be true ("his CV was not accurate", "der Lebenslauf stimmt nicht", "dat zijn cv niet
# klopte", "son CV n'était pas vrai"): false_information, in every word order; the CV not fitting
# the role ("stimmt nicht mit dem Profil überein", "klopt niet met de vacature") stays soft.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "false_information", "salary too high. Correction: the real reason is that his CV was not accurate"),
    ("hard_no", "false_information", "rate too high; update: her resume was not true, nobody there knew her"),
    ("hard_no", "false_information", "Gehalt zu hoch. Korrektur: der Lebenslauf stimmt nicht, er war nie dort"),
    ("hard_no", "false_information", "Gehalt zu hoch, eigentlich weil sein Lebenslauf nicht stimmte"),
    ("hard_no", "false_information", "salaire trop élevé. Correction : son CV n'était pas vrai"),
    ("hard_no", "false_information", "salaire trop haut, en fait le CV était pas exact"),
    ("hard_no", "false_information", "salario alto. Corrección: su CV no era cierto"),
    ("hard_no", "false_information", "salaris te hoog. Correctie: de echte reden is dat haar cv niet klopte"),
    ("hard_no", "false_information", "salaris te hoog, eigenlijk klopte zijn cv niet"),
    ("soft_no", "experience", "Lebenslauf stimmt nicht mit dem Profil überein, zu wenig Erfahrung"),
    ("soft_no", "experience", "zijn cv klopt niet met de vacature, te weinig ervaring"),
    ("soft_no", "experience", "his CV was not accurate for the role, too junior"),
    ("soft_no", "experience", "le CV n'est pas exact pour ce poste, pas assez d'expérience"),
])
def test_a_cv_said_not_to_be_true_is_false_information(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# A stay that was months, not the years the CV claimed ("6 months, not 4 years as on her CV"), or
# "not 3 years but 8 months" with the check that says so: false_information, not the "withdrawn"
# beside it. Months against years asked for (no CV, no check) stay a shortfall of experience.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "false_information", "Withdrawn by us. Reference check: she was at Brightwell for 6 months, not 4 years as on her CV."),
    ("hard_no", "false_information", "withdrawn; referee says 10 months, not two years like he claimed"),
    ("hard_no", "false_information", "withdrawn: not 3 years but only 8 months, HR at Corran confirmed"),
    ("hard_no", "false_information", "Zurückgezogen. Referenz: er war acht Monate bei der Firma, nicht drei Jahre wie im Lebenslauf"),
    ("hard_no", "false_information", "zurückgezogen, er war nicht drei Jahre dort sondern nur vier Monate, wie die Referenz bestätigt"),
    ("hard_no", "false_information", "Retiré par nous : il est resté huit mois chez Alpha, pas trois ans comme sur son CV"),
    ("hard_no", "false_information", "retiré, pas trois ans mais six mois selon son ancien employeur"),
    ("hard_no", "false_information", "Retirado por nosotros: estuvo ocho meses en la empresa, no tres años como ponía en el CV"),
    ("hard_no", "false_information", "retirado, no fueron tres años sino ocho meses según la referencia"),
    ("hard_no", "false_information", "Teruggetrokken: hij zat acht maanden bij het bedrijf, niet drie jaar zoals op zijn cv"),
    ("hard_no", "false_information", "teruggetrokken, niet drie jaar maar acht maanden volgens de referentie"),
    ("soft_no", "experience", "only 8 months of React, not 3 years as the profile requires"),
    ("soft_no", "experience", "nur acht Monate Erfahrung, nicht drei Jahre wie gefordert"),
    ("soft_no", "experience", "huit mois d'expérience, pas trois ans comme demandé"),
    ("soft_no", "experience", "ocho meses de experiencia, no tres años como pide el cliente"),
    ("soft_no", "experience", "acht maanden ervaring, niet drie jaar zoals gevraagd"),
])
def test_months_not_the_years_the_cv_claimed_is_false_information(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# Retiring said with the age after it ("geht in Pension mit 63", Austrian German for retiring): the
# rule left out "Pension mit …" for a guesthouse ("Pension mit Frühstück") and the English salary word
# "pension" decided. An age after "mit" is retirement; a guesthouse stays what it was.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "unavailable_permanently", "sie geht in Pension mit 63, Gehalt zu niedrig"),
    ("hard_no", "unavailable_permanently", "ist schon in Pension mit fünfundsechzig, kein Interesse"),
    ("hard_no", "unavailable_permanently", "sie geht in Rente mit dreiundsechzig, Gehalt zu niedrig"),
    ("hard_no", "unavailable_permanently", "he retires at sixty-three, salary was too low anyway"),
    ("hard_no", "unavailable_permanently", "elle part en retraite à soixante-trois ans, salaire trop bas"),
    ("hard_no", "unavailable_permanently", "se jubila con sesenta y tres, salario bajo"),
    ("hard_no", "unavailable_permanently", "hij gaat op zijn drieënzestigste met pensioen, salaris te laag"),
    ("soft_no", "salary", "wohnt in Pension mit Frühstück, Anfahrt zu weit"),
])
def test_retiring_with_the_age_said_after_it_is_unavailable_permanently(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# A degree or a school on the CV said not to exist ("the master's he listed from Delford university
# doesn't exist"): false_information (the English "university" alone read availability). A role,
# a course or a team that does not exist any more is no falsehood.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "false_information", "the university on her CV does not exist, salary too low"),
    ("hard_no", "false_information", "the bachelor's she claims from Westmoor college doesn't exist"),
    ("hard_no", "false_information", "die Universität aus seinem Lebenslauf existiert nicht, Gehalt zu hoch"),
    ("hard_no", "false_information", "le master qu'il cite de l'université de Rennesby n'existe pas, salaire trop bas"),
    ("hard_no", "false_information", "l'école de son CV existe pas, salaire trop bas"),
    ("hard_no", "false_information", "la universidad de su CV no existe, salario bajo"),
    ("hard_no", "false_information", "die hogeschool op zijn cv bestaat niet, salaris te laag"),
    ("soft_no", "salary", "the role he applied for does not exist anymore, salary too low"),
    ("soft_no", "salary", "la formation n'existe plus, salaire trop bas"),
    ("soft_no", "salary", "de opleiding bestaat niet meer, salaris te laag"),
])
def test_a_degree_or_school_that_does_not_exist_is_false_information(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)


# Not coming back to a sector named ("not coming back to accounting", "kommt nicht mehr zurück in die
# Buchhaltung", "ne retournera plus dans la logistique"): career_change, as for the tech fields. A
# team, a client or the office is no sector.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "career_change", "salary - wanted 70k. Update: she has gone into physiotherapy, not coming back to accounting"),
    ("hard_no", "career_change", "salary too low; update: he is not going back to logistics"),
    ("hard_no", "career_change", "Gehalt zu hoch. Nachtrag: sie kommt nicht mehr zurück in die Buchhaltung"),
    ("hard_no", "career_change", "Gehalt zu hoch; er kehrt nicht in die Logistik zurück"),
    ("hard_no", "career_change", "salaire trop élevé, il ne retournera plus dans la logistique"),
    ("hard_no", "career_change", "salario alto. Actualización: no vuelve a la contabilidad"),
    ("hard_no", "career_change", "salario alto, no piensa volver a la logística"),
    ("hard_no", "career_change", "salaris te hoog. Update: ze komt niet meer terug in de boekhouding"),
    ("hard_no", "career_change", "salaris te hoog, hij gaat niet terug naar de logistiek"),
    ("soft_no", "salary", "not going back to the sales team, salary too low"),
    ("soft_no", "location", "kommt nicht mehr zurück ins Büro, will remote"),
    ("soft_no", "location", "no vuelve a la oficina, quiere remoto"),
    ("soft_no", "salary", "gaat niet terug naar de logistiek afdeling, salaris te laag"),
])
def test_not_coming_back_to_a_sector_named_is_career_change(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)

# A note that corrects itself: an ATS correction line ("Correction 02/03 (JS): …", "Korrektur (AB,
# 03.04.): …", "Corrigé le …", "Corrección (…)", "Correctie (…)") or a dictated one ("no wait", "nein
# Moment", "non attends", "nee wacht", "no espera"): the words after it decide (train13's corrections,
# train14's dictation, in all five languages). Not a correction: "el cliente no espera", German "fix".
@pytest.mark.parametrize("category, text", [
    ("salary", "notice period\nCorrection 02/03 (JS): no, notice was fine - the rate was the problem, he wanted 20 % more"),
    ("location", "Gehalt zu hoch\nKorrektur (AB, 03.04.): stimmt nicht, sie will nicht nach München pendeln"),
    ("availability", "compétences\nCorrigé le 02/05 (MB) : c'est le préavis de trois mois qui bloquait"),
    ("salary", "ubicación\nCorrección (LM, 12/01): era el sueldo, pedía 10k más"),
    ("location", "salaris\nCorrectie (JV 14/06): het was de reistijd naar Utrecht, anderhalf uur enkele reis"),
    ("location", "I think it was the rate no wait it was the commute to Slough, two hours each way"),
    ("availability", "also das Gehalt nein Moment es war die Kündigungsfrist von sechs Monaten"),
    ("location", "euh le salaire non attends c'était le trajet jusqu'à Lyon tous les jours"),
    ("availability", "het salaris nee wacht het was de opzegtermijn van drie maanden"),
    ("location", "el sueldo no espera fue la ubicación, no quiere mudarse a Bilbao"),
])
def test_the_words_after_a_correction_decide(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# A correction never drops a hard-no: a hard-no before it and a soft-no after it go to a person; a
# hard-no after it is read; a hard-no with a correction after it is never soft, whatever the marker
# and the soft words (every combination below).
_HARD_BEFORE = ["harassed the receptionist", "Betrug bei der Spesenabrechnung", "a falsifié son diplôme",
                "pidió que no le volvamos a llamar nunca", "Wil nooit meer gebeld worden", "left IT for good, now a baker"]
_MARKERS = ["\nCorrection 04/05 (KL): ", "\nKorrektur (XY, 01.02.): ", "\nCorrigé le 03/04 (AB) : ", " no wait ", " nee wacht ",
            "\n(correction 30/01 EW: ", " nein Moment "]
_SOFT_AFTER = ["salary was the issue", "Gehalt zu hoch", "le trajet était trop long", "no puede empezar hasta junio",
               "de opzegtermijn is drie maanden"]


def test_a_correction_never_makes_a_hard_no_soft(rules):
    for hard in _HARD_BEFORE:
        assert read(rules, hard).cls == "hard_no", hard
        for marker in _MARKERS:
            for soft in _SOFT_AFTER:
                text = hard + marker + soft
                assert read(rules, text).cls != "soft_no", text
    got = read(rules, "the rate\nCorrection (AB): he asked us never to contact him again")
    assert (got.cls, got.category) == ("hard_no", "do_not_contact")
    assert read(rules, "harassed the receptionist\nCorrection 04/05 (KL): salary was the issue").cls == "unclassified"


# A language the role needs and the person does not speak well enough is skills, in every language
# ("doesn't speak German, which is mandatory", "Englisch nicht auf Verhandlungsniveau", "son néerlandais
# n'est pas suffisant", "spreekt geen Nederlands": train10, train12, train13, three writers).
@pytest.mark.parametrize("text", [
    "Doesn't speak Dutch, which the client requires for the helpdesk",
    "Her German is not good enough for the workshops with the client",
    "Spricht kein Französisch, für die Stelle Pflicht",
    "Englisch zu schwach für die Rolle",
    "Französisch nicht auf Verhandlungsniveau, im Job zwingend",
    "Ne parle pas néerlandais, obligatoire pour le poste",
    "Son allemand n'est pas suffisant pour ce client",
    "Nivel de inglés insuficiente para la posición",
    "Su inglés no es suficiente para reuniones con el cliente",
    "Spreekt geen Frans, vereist voor de rol",
    "Zijn Duits is te zwak voor de functie",
])
def test_a_language_not_spoken_well_enough_is_skills(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "skills"), (text, got)


# A test or round said to have gone well, in more words than "passed", is not why the client said no
# ("did great on the technical test", "Fachlich passt alles", "mit Bestnote bestanden", "a réussi le test
# technique haut la main", "pasó la prueba técnica con nota", "slaagde glansrijk voor de technische test":
# train7, train10, train13, train14, v5). A test failed stays skills.
@pytest.mark.parametrize("category, text", [
    ("sponsor_rejected", "Did great on the technical test, but the director vetoed the hire"),
    ("sponsor_rejected", "Fachlich passt alles, der Kunde hat trotzdem abgelehnt"),
    ("sponsor_rejected", "Hat den Coding-Test mit Bestnote bestanden, der CTO hat trotzdem abgelehnt"),
    ("sponsor_rejected", "A réussi le test technique haut la main, mais le DSI a dit non"),
    ("sponsor_rejected", "Pasó la prueba técnica con nota, pero el director dijo que no"),
    ("sponsor_rejected", "Superó la prueba técnica sin problemas y aun así el cliente lo rechazó"),
    ("sponsor_rejected", "Slaagde glansrijk voor de technische test, maar de manager zei nee"),
    ("sponsor_rejected", "Technische test ruim gehaald, maar de manager zei nee"),
    ("skills", "No pasó la prueba técnica, le falta Java"),
    ("skills", "Fachlich passt es nicht, kein SAP"),
    ("skills", "N'a pas réussi le test technique"),
    ("skills", "Slaagde niet voor de technische test"),
    ("skills", "Coding-Test nicht bestanden"),
])
def test_a_test_that_went_well_is_not_why(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# Staying with the current employer in the person's own words or an infinitive, as a pasted reply
# writes it ("ich habe mich entschieden, bei meinem jetzigen Arbeitgeber zu bleiben", "he decidido
# quedarme en mi empresa actual", "prefirió no moverse": train9, train13): declined_role.
@pytest.mark.parametrize("text", [
    "Thanks Tom, I'll stay where I am for now. Best, Anna",
    "Ich habe mich entschieden, bei meinem jetzigen Arbeitgeber zu bleiben. Danke, Jan",
    "Je reste dans mon entreprise actuelle, merci",
    "Me quedo donde estoy, me han ofrecido un ascenso",
    "Prefiere no moverse, le da miedo el cambio",
    "Hij blijft waar hij zit, zijn baas heeft hem opgeslagen gegeven",
])
def test_staying_with_the_current_employer_in_own_words_is_declined_role(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "declined_role"), (text, got)


# The role would be a step back or too little challenge for the person (DESIGN §4: "not challenging,
# underemployment"): declined_role in every language ("trop peu de challenge", "sería un paso atrás en
# su carrera": v12, two of its five voices). The client stepping back from a budget is no such step.
@pytest.mark.parametrize("category, text", [
    ("declined_role", "Sees the role as a backwards step"),
    ("declined_role", "Die Rolle wäre ein klarer Rückschritt, sagt er"),
    ("declined_role", "Ce serait un pas en arrière pour elle"),
    ("declined_role", "Trop peu de challenge à son goût"),
    ("declined_role", "Sería un paso atrás en su carrera"),
    ("declined_role", "Demasiado poco reto para él"),
    ("declined_role", "Functie is een stap achteruit qua verantwoordelijkheid"),
    ("salary", "El cliente dio un paso atrás con el presupuesto"),
    ("salary", "Kein Rückschritt, aber das Gehalt passt nicht"),
])
def test_a_step_back_or_too_little_challenge_is_declined_role(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# A tool known but never used in production or professionally is experience missing at the time, not
# the wrong skillset ("nog nooit met Kafka in productie gewerkt", "n'a jamais travaillé sur un système en
# production", "mist productie-ervaring", "only from side projects": train7, train9, v11). A tool never
# used at all stays skills.
@pytest.mark.parametrize("category, text", [
    ("experience", "Knows Kafka well, but never ran it in production"),
    ("experience", "Only used React in side projects, never professionally"),
    ("experience", "Hat noch nie mit Kafka in Produktion gearbeitet"),
    ("experience", "Connaît Kafka mais n'a jamais travaillé en production"),
    ("experience", "Sabe Kubernetes, pero nunca lo ha usado en producción"),
    ("experience", "Kent Kafka, maar heeft er nog nooit in productie mee gewerkt"),
    ("experience", "Mist productie-ervaring met Azure"),
    ("skills", "Never used Go at all, the role is Go-only"),
    ("skills", "Hat nie mit SAP gearbeitet, die Rolle ist reines SAP FI"),
])
def test_a_tool_never_used_in_production_is_experience(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# Money in spoken and regional words: an amount said in words as dictation writes it ("il veut septante-
# cinq mille", "will achtzigtausend"), Lohn/Salär/loon in compounds ("Lohnvorstellung", "Salärvorstellung",
# "loonpakket"), the variable part, "piasses", "de lo que paga el cliente", a base named alone (train8,
# train9, train12, train13, train14, v12).
@pytest.mark.parametrize("text", [
    "He wants ninety thousand, the client offers eighty",
    "On that base he will not move",
    "Salärvorstellung zu hoch für den Kunden",
    "Er verlangt neunzigtausend, das zahlt keiner",
    "Il veut septante-cinq mille, le client offre soixante-cinq",
    "La part variable est trop faible pour lui",
    "Pide bastante más de lo que paga el cliente",
    "Het loonpakket is niet goed genoeg",
    "Hij wil zestigduizend, de klant biedt vijftig",
])
def test_money_in_spoken_and_regional_words_is_salary(rules, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", "salary"), (text, got)


# A status with a pointer to where the reason is ("Outcome: rejected - see email thread", "Descartado - ver
# hilo de correo", "rejected will fill in later") or set by mistake gives no reason: a person reads the
# thread (six writers label such notes unclassified: train10, train12, train13, train14, v4, v12). A reason
# written next to the pointer still decides.
@pytest.mark.parametrize("category, text", [
    ("unclassified", "Outcome: rejected - see email thread."),
    ("unclassified", "rejected will fill in later"),
    ("unclassified", "Moved to rejected by mistake, check with Sam"),
    ("unclassified", "Vom Kunden abgelehnt - siehe Mail"),
    ("unclassified", "Refusé par le client - voir mail"),
    ("unclassified", "Descartado - ver hilo de correo"),
    ("unclassified", "Afgewezen door de klant - zie mail"),
    ("salary", "Rejected on salary, see email thread"),
])
def test_a_status_that_points_elsewhere_goes_to_a_person(rules, category, text):
    got = read(rules, text)
    assert got.category == category, (text, got)


# Just out of a bootcamp or studies is experience missing at the time, not a course that blocks the start
# ("fresh out of a bootcamp", "frisch aus dem Bootcamp", "recién salido del bootcamp", "nog maar acht
# maanden aan de slag na zijn studies": train10, train14, v10, v12). A bootcamp still running stays
# availability.
@pytest.mark.parametrize("category, text", [
    ("experience", "Fresh out of a coding bootcamp, not enough experience yet"),
    ("experience", "Frisch aus dem Bootcamp, ein halbes Jahr Praxis"),
    ("experience", "Gerade aus dem Studium, der Kunde will einen erfahrenen Entwickler"),
    ("experience", "Tout juste sorti d'un bootcamp, trop tôt pour ce poste"),
    ("experience", "Recién salida del bootcamp, sin experiencia real todavía"),
    ("experience", "Net van de bootcamp, nog te groen voor deze opdracht"),
    ("availability", "Doing a bootcamp until March, can't start before April"),
])
def test_just_out_of_a_bootcamp_is_experience(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# A meeting at a place says where something happened, not why: a no-show at an onsite interview is
# ghosted, not location ("Onsite-Termin bestätigt, dann nicht aufgetaucht", "entretien sur site confirmé,
# personne ne s'est présenté", "didn't like the vibe at the onsite": train8, train10, train12, labelled).
# A no-show before the word "interview" stays ghosted; a place the person will not work at stays location.
@pytest.mark.parametrize("category, text", [
    ("ghosted", "Was due at the Leeds office at 9, never showed up and has not answered since"),
    ("ghosted", "Onsite interview booked, she never turned up, no reply since"),
    ("ghosted", "Vor-Ort-Termin bestätigt, dann nicht erschienen, seither Funkstille"),
    ("declined_role", "Beim Besuch vor Ort gefiel ihr die Teamkultur nicht, sie hat abgesagt"),
    ("ghosted", "Entretien sur site confirmé, personne ne s'est présenté, silence radio depuis"),
    ("ghosted", "Entrevista presencial confirmada, no se presentó y no contesta"),
    ("ghosted", "Gesprek op kantoor gepland, kwam niet opdagen, reageert niet meer"),
    ("ghosted", "NO SHOW - interview 10:30 Tue, no call no email"),
    ("location", "Wants to work from the office only two days, client wants five"),
])
def test_a_meeting_at_a_place_is_where_not_why(rules, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == ("soft_no", category), (text, got)


# The review's leftover c: money taken without a rule word, a blow, the truth not told read the
# soft reason beside them; conduct / false_information now (DESIGN §4), in five languages. Pocket
# money, and a project that takes up time ("le roba mucho tiempo"), stay soft.
@pytest.mark.parametrize("cls, category, text", [
    ("hard_no", "conduct", "pocketed the client's money, salary too low"),
    ("hard_no", "conduct", "slapped the hiring manager, salary too low"),
    ("hard_no", "false_information", "did not tell the truth about his degree, salary too low"),
    ("hard_no", "conduct", "hat Geld vom Kunden eingesteckt, Gehalt zu niedrig"),
    ("hard_no", "conduct", "hat den Teamleiter geohrfeigt, Gehalt zu niedrig"),
    ("hard_no", "false_information", "hat nicht die Wahrheit gesagt, Gehalt zu niedrig"),
    ("hard_no", "conduct", "a empoché l'argent du client, salaire trop bas"),
    ("hard_no", "conduct", "a giflé le manager, salaire trop bas"),
    ("hard_no", "false_information", "n'a pas dit la vérité sur son diplôme, salaire trop bas"),
    ("hard_no", "conduct", "se embolsó el dinero del cliente, salario bajo"),
    ("hard_no", "conduct", "ha robado al cliente, salario bajo"),
    ("hard_no", "conduct", "roba material de la oficina, salario bajo"),
    ("hard_no", "conduct", "abofeteó al jefe de equipo, salario bajo"),
    ("hard_no", "false_information", "no dijo la verdad sobre su título, salario bajo"),
    ("hard_no", "conduct", "heeft geld van de klant in eigen zak gestoken, salaris te laag"),
    ("hard_no", "conduct", "hij stal van de klant, salaris te laag"),
    ("hard_no", "conduct", "gaf de manager een klap, salaris te laag"),
    ("hard_no", "false_information", "heeft niet de waarheid verteld, salaris te laag"),
    ("soft_no", "salary", "pocket money too low, salary too low"),
    ("soft_no", "salary", "el proyecto le roba mucho tiempo, salario bajo"),
])
def test_money_taken_a_blow_or_the_truth_not_told_read_hard(rules, cls, category, text):
    got = read(rules, text)
    assert (got.cls, got.category) == (cls, category), (text, got)
