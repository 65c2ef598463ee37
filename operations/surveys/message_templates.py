"""Texts of the messages about resolutions, in Polish and English (created after
`migrate`, then edited by staff in the admin: Messages → Message templates).

Variables: number (5/2026), title, result (adopted / not adopted), challenge_until (the
last day an owner may challenge the resolution in court).
"""

_FOOTER = "\n\n{{ cooperative }}"

RESOLUTION_TEMPLATES = [
    {
        "key": "resolution-result",
        "language": "pl",
        "kind": "survey_reminder",
        "name": "Wynik głosowania nad uchwałą",
        "subject": "Uchwała nr {{ number }}: {{ result }}",
        "body_text": "Dzień dobry {{ recipient.name }},\n\ngłosowanie nad uchwałą nr {{ number }} "
        "„{{ title }}” zakończyło się. Wynik: {{ result }}.\n\nKażdy właściciel może zaskarżyć uchwałę do "
        "sądu w terminie sześciu tygodni od tego powiadomienia, czyli do {{ challenge_until }} "
        "(art. 25 ustawy o własności lokali)." + _FOOTER,
        "sms_text": "Uchwala {{ number }}: {{ result }}. Szczegoly w portalu.",
    },
    {
        "key": "resolution-result",
        "language": "en",
        "kind": "survey_reminder",
        "name": "Result of the vote on a resolution",
        "subject": "Resolution no. {{ number }}: {{ result }}",
        "body_text": "Hello {{ recipient.name }},\n\nthe vote on resolution no. {{ number }} "
        "“{{ title }}” has ended. Result: {{ result }}.\n\nAny owner may challenge the resolution in court "
        "within six weeks of this notice, that is until {{ challenge_until }} "
        "(art. 25 of the Act on Ownership of Premises)." + _FOOTER,
        "sms_text": "Resolution {{ number }}: {{ result }}. Details in the portal.",
    },
]
