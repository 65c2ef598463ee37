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


# Reminders (services/reminders.py): when a survey or a vote opens, and once before it
# closes, to those who have not answered or voted. Variables: title, closes_at (the local
# time it closes, 05.12.2026 18:00), and for resolutions number.
REMINDER_TEMPLATES = [
    {
        "key": "survey-reminder-opening",
        "language": "pl",
        "kind": "survey_reminder",
        "name": "Nowa ankieta",
        "subject": "Ankieta: {{ title }}",
        "body_text": "Dzień dobry {{ recipient.name }},\n\nzapraszamy do udziału w ankiecie „{{ title }}”. "
        "Odpowiedzi można udzielić w portalu mieszkańca do {{ closes_at }}." + _FOOTER,
        "sms_text": "Nowa ankieta w portalu: {{ title }}. Odpowiedzi do {{ closes_at }}.",
    },
    {
        "key": "survey-reminder-opening",
        "language": "en",
        "kind": "survey_reminder",
        "name": "New survey",
        "subject": "Survey: {{ title }}",
        "body_text": "Hello {{ recipient.name }},\n\nplease take part in the survey “{{ title }}”. "
        "You can answer in the residents' portal until {{ closes_at }}." + _FOOTER,
        "sms_text": "New survey in the portal: {{ title }}. Answers until {{ closes_at }}.",
    },
    {
        "key": "survey-reminder-closing",
        "language": "pl",
        "kind": "survey_reminder",
        "name": "Ankieta wkrótce się zamyka",
        "subject": "Przypomnienie: ankieta „{{ title }}” do {{ closes_at }}",
        "body_text": "Dzień dobry {{ recipient.name }},\n\nankieta „{{ title }}” zamyka się {{ closes_at }}. "
        "Jeśli chcesz, aby Twoja odpowiedź została uwzględniona, wypełnij ją w portalu mieszkańca." + _FOOTER,
        "sms_text": "Ankieta {{ title }} zamyka sie {{ closes_at }}. Zapraszamy do portalu.",
    },
    {
        "key": "survey-reminder-closing",
        "language": "en",
        "kind": "survey_reminder",
        "name": "Survey closing soon",
        "subject": "Reminder: survey “{{ title }}” until {{ closes_at }}",
        "body_text": "Hello {{ recipient.name }},\n\nthe survey “{{ title }}” closes on {{ closes_at }}. "
        "To have your answer counted, please fill it in in the residents' portal." + _FOOTER,
        "sms_text": "Survey {{ title }} closes {{ closes_at }}. See the portal.",
    },
    {
        "key": "resolution-reminder-opening",
        "language": "pl",
        "kind": "survey_reminder",
        "name": "Głosowanie nad uchwałą otwarte",
        "subject": "Głosowanie nad uchwałą nr {{ number }}",
        "body_text": "Dzień dobry {{ recipient.name }},\n\ntrwa głosowanie nad uchwałą nr {{ number }} "
        "„{{ title }}”. Głos można oddać w portalu mieszkańca albo na karcie do głosowania do {{ closes_at }}."
        + _FOOTER,
        "sms_text": "Glosowanie nad uchwala {{ number }} trwa do {{ closes_at }}. Szczegoly w portalu.",
    },
    {
        "key": "resolution-reminder-opening",
        "language": "en",
        "kind": "survey_reminder",
        "name": "Vote on a resolution open",
        "subject": "Vote on resolution no. {{ number }}",
        "body_text": "Hello {{ recipient.name }},\n\nthe vote on resolution no. {{ number }} “{{ title }}” is open. "
        "You can vote in the residents' portal or on a paper ballot until {{ closes_at }}." + _FOOTER,
        "sms_text": "Vote on resolution {{ number }} open until {{ closes_at }}. Details in the portal.",
    },
    {
        "key": "resolution-reminder-closing",
        "language": "pl",
        "kind": "survey_reminder",
        "name": "Głosowanie nad uchwałą wkrótce się kończy",
        "subject": "Przypomnienie: głosowanie nad uchwałą nr {{ number }} do {{ closes_at }}",
        "body_text": "Dzień dobry {{ recipient.name }},\n\ngłosowanie nad uchwałą nr {{ number }} „{{ title }}” "
        "kończy się {{ closes_at }}, a Twój głos nie został jeszcze oddany." + _FOOTER,
        "sms_text": "Glosowanie nad uchwala {{ number }} konczy sie {{ closes_at }}.",
    },
    {
        "key": "resolution-reminder-closing",
        "language": "en",
        "kind": "survey_reminder",
        "name": "Vote on a resolution closing soon",
        "subject": "Reminder: vote on resolution no. {{ number }} until {{ closes_at }}",
        "body_text": "Hello {{ recipient.name }},\n\nthe vote on resolution no. {{ number }} “{{ title }}” "
        "ends on {{ closes_at }}, and your vote has not been cast yet." + _FOOTER,
        "sms_text": "Vote on resolution {{ number }} ends {{ closes_at }}.",
    },
]

# apps.py ensures RESOLUTION_TEMPLATES after `migrate`: the reminders' texts go with them.
RESOLUTION_TEMPLATES.extend(REMINDER_TEMPLATES)
