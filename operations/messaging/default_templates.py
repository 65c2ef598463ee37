"""The texts the hub starts with for its own messages, in Polish and English.

`services.templates_ensure()` (after every migrate) creates those that are missing; staff
edit them in the admin afterwards and a deploy never overwrites their edits. Later apps
(tickets, billing, surveys) add theirs here. Variables: `recipient` (first_name,
last_name, name, email), `cooperative`, and the values each caller passes.
"""

DEFAULT_TEMPLATES = [
    {
        "key": "membership-verified",
        "language": "pl",
        "kind": "account",
        "name": "Potwierdzenie dostępu do lokalu",
        "subject": "Potwierdziliśmy Twój dostęp do lokalu {{ unit }}",
        "body_text": (
            "Dzień dobry {{ recipient.name }},\n\n"
            "spółdzielnia potwierdziła Cię jako {{ role }} lokalu {{ unit }} ({{ address }}). "
            "Po zalogowaniu zobaczysz ogłoszenia, dokumenty i sprawy swojego budynku.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "{{ cooperative }}: potwierdzilismy Twoj dostep do lokalu {{ unit }}.",
    },
    {
        "key": "membership-verified",
        "language": "en",
        "kind": "account",
        "name": "Access to a unit confirmed",
        "subject": "Your access to unit {{ unit }} has been confirmed",
        "body_text": (
            "Hello {{ recipient.name }},\n\n"
            "the cooperative has confirmed you as {{ role }} of unit {{ unit }} ({{ address }}). "
            "After signing in you will now see the announcements, documents and matters of your building.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "{{ cooperative }}: your access to unit {{ unit }} has been confirmed.",
    },
    {
        "key": "membership-rejected",
        "language": "pl",
        "kind": "account",
        "name": "Odmowa dostępu do lokalu",
        "subject": "Nie potwierdziliśmy Twojego wniosku o lokal {{ unit }}",
        "body_text": (
            "Dzień dobry {{ recipient.name }},\n\n"
            "spółdzielnia nie mogła potwierdzić Cię jako {{ role }} lokalu {{ unit }} ({{ address }}).\n"
            "Powód: {{ reason }}\n\n"
            "Możesz złożyć nowy wniosek z innym potwierdzeniem albo skontaktować się z biurem.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "membership-rejected",
        "language": "en",
        "kind": "account",
        "name": "Access to a unit refused",
        "subject": "Your request for unit {{ unit }} has been refused",
        "body_text": (
            "Hello {{ recipient.name }},\n\n"
            "the cooperative could not confirm you as {{ role }} of unit {{ unit }} ({{ address }}).\n"
            "Reason: {{ reason }}\n\n"
            "You can send a new request with a different proof or contact the office.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
]
