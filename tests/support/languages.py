"""The people and the words of a crisis walked through in Spanish and in Italian (tests/test_languages_walkthrough.py,
tests/support/screens.py)."""

from __future__ import annotations

LOCALES = {"es": "es-ES", "it": "it-IT"}
PEOPLE = ("U0ALICE", "U0BOB", "U0CARLA", "U0DAN")

SCRIPT = {
    "es": {
        "open": "/crisis abrir --lang es alta Vídeo viral: dicen que nuestro sérum quema la piel",
        "role": "/crisis rol portavoz <@U0BOB|bob>",
        "origin": "/crisis informe origen: Un TikTok de 2 minutos de una influencer con 1,2 M de seguidores",
        "caused": "/crisis informe causa: no se sabe",
        "sitrep": "/crisis informe",
        "reduction": "/crisis fase reduccion Anuncios y publicaciones programadas en pausa",
        "response": "/crisis fase respuesta Declaración de espera publicada en TikTok e Instagram",
        "note": "/crisis nota El País pide declaraciones",
        "status": "/crisis estado",
        "help": "/crisis ayuda",
        "close": "/crisis cerrar",
        "outcome": "La influencer publicó los resultados del laboratorio",
        "learnings": "Tener lista una declaración de espera sobre seguridad del producto",
    },
    "it": {
        "open": "/crisis aprire --lang it alta Video virale: dicono che il nostro siero brucia la pelle",
        "role": "/crisis ruolo portavoce <@U0BOB|bob>",
        "origin": "/crisis rapporto origine: Un TikTok di 2 minuti di un'influencer con 1,2 M di follower",
        "caused": "/crisis rapporto causa: non si sa",
        "sitrep": "/crisis rapporto",
        "reduction": "/crisis fase riduzione Annunci e post programmati in pausa",
        "response": "/crisis fase risposta Dichiarazione di attesa pubblicata su TikTok e Instagram",
        "note": "/crisis nota Il Corriere chiede una dichiarazione",
        "status": "/crisis stato",
        "help": "/crisis aiuto",
        "close": "/crisis chiudere",
        "outcome": "L'influencer ha pubblicato i risultati del laboratorio",
        "learnings": "Tenere pronta una dichiarazione di attesa sulla sicurezza del prodotto",
    },
}
