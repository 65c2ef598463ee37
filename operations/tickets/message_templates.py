"""Texts of the messages about tickets, in Polish and English (created after `migrate`,
then edited by staff in the admin: Messages → Message templates).

Variables: reference (ZG/2026/123), title, category, place (A/12 or A), address, status,
due (deadline), response_due (time to the first reaction), and per message note, comment
or contractor.
"""

_FOOTER_PL = "\n\n{{ cooperative }}"
_FOOTER_EN = "\n\n{{ cooperative }}"


def _pair(key, kind, pl, en):
    return [
        {"key": key, "language": "pl", "kind": kind, **pl, "body_text": pl["body_text"] + _FOOTER_PL},
        {"key": key, "language": "en", "kind": kind, **en, "body_text": en["body_text"] + _FOOTER_EN},
    ]


TICKET_TEMPLATES = [
    *_pair(
        "ticket-received",
        "ticket_update",
        {
            "name": "Zgłoszenie przyjęte",
            "subject": "Przyjęliśmy zgłoszenie {{ reference }}: {{ title }}",
            "body_text": "Dzień dobry {{ recipient.name }},\n\nprzyjęliśmy Twoje zgłoszenie {{ reference }} "
            "({{ category }}, {{ place }}). Termin realizacji: {{ due }}. Będziemy informować o postępach.",
            "sms_text": "Zgloszenie {{ reference }} przyjete. Termin: {{ due }}.",
        },
        {
            "name": "Ticket received",
            "subject": "We have received your report {{ reference }}: {{ title }}",
            "body_text": "Hello {{ recipient.name }},\n\nwe have received your report {{ reference }} "
            "({{ category }}, {{ place }}). Deadline: {{ due }}. We will keep you informed.",
            "sms_text": "Report {{ reference }} received. Deadline: {{ due }}.",
        },
    ),
    *_pair(
        "ticket-new",
        "ticket_update",
        {
            "name": "Nowe zgłoszenie do rozdzielenia",
            "subject": "Nowe zgłoszenie {{ reference }}: {{ title }} ({{ place }})",
            "body_text": "Nowe zgłoszenie {{ reference }} czeka na przydzielenie.\n\n{{ category }}, {{ place }}, "
            "{{ address }}\nTermin realizacji: {{ due }}",
            "sms_text": "Nowe zgloszenie {{ reference }} ({{ place }}) czeka na przydzielenie.",
        },
        {
            "name": "New ticket to dispatch",
            "subject": "New ticket {{ reference }}: {{ title }} ({{ place }})",
            "body_text": "New ticket {{ reference }} is waiting to be assigned.\n\n{{ category }}, {{ place }}, "
            "{{ address }}\nDeadline: {{ due }}",
            "sms_text": "New ticket {{ reference }} ({{ place }}) waiting to be assigned.",
        },
    ),
    *_pair(
        "ticket-status",
        "ticket_update",
        {
            "name": "Zmiana statusu zgłoszenia",
            "subject": "Zgłoszenie {{ reference }}: {{ status }}",
            "body_text": "Dzień dobry {{ recipient.name }},\n\nTwoje zgłoszenie {{ reference }} ({{ title }}) "
            "ma teraz status: {{ status }}.{% if note %}\n\n{{ note }}{% endif %}",
            "sms_text": "Zgloszenie {{ reference }}: {{ status }}.",
        },
        {
            "name": "Ticket status changed",
            "subject": "Ticket {{ reference }}: {{ status }}",
            "body_text": "Hello {{ recipient.name }},\n\nyour ticket {{ reference }} ({{ title }}) "
            "is now: {{ status }}.{% if note %}\n\n{{ note }}{% endif %}",
            "sms_text": "Ticket {{ reference }}: {{ status }}.",
        },
    ),
    *_pair(
        "ticket-assigned",
        "ticket_update",
        {
            "name": "Nowe zlecenie dla wykonawcy",
            "subject": "Zlecenie {{ reference }}: {{ title }} ({{ place }})",
            "body_text": "Przekazujemy zgłoszenie {{ reference }} firmie {{ contractor }}.\n\n{{ category }}, "
            "{{ place }}, {{ address }}\nTermin realizacji: {{ due }}"
            "{% if note %}\n\nOd dyspozytora: {{ note }}{% endif %}",
            "sms_text": "Zlecenie {{ reference }}: {{ place }}, termin {{ due }}.",
        },
        {
            "name": "New job for a contractor",
            "subject": "Job {{ reference }}: {{ title }} ({{ place }})",
            "body_text": "Ticket {{ reference }} is assigned to {{ contractor }}.\n\n{{ category }}, {{ place }}, "
            "{{ address }}\nDeadline: {{ due }}{% if note %}\n\nFrom the dispatcher: {{ note }}{% endif %}",
            "sms_text": "Job {{ reference }}: {{ place }}, deadline {{ due }}.",
        },
    ),
    *_pair(
        "ticket-comment",
        "ticket_update",
        {
            "name": "Nowy komentarz do zgłoszenia",
            "subject": "Nowy komentarz: zgłoszenie {{ reference }}",
            "body_text": "Nowy komentarz do zgłoszenia {{ reference }} ({{ title }}):\n\n{{ comment }}",
            "sms_text": "",
        },
        {
            "name": "New comment on a ticket",
            "subject": "New comment: ticket {{ reference }}",
            "body_text": "New comment on ticket {{ reference }} ({{ title }}):\n\n{{ comment }}",
            "sms_text": "",
        },
    ),
    *_pair(
        "ticket-reopened",
        "ticket_update",
        {
            "name": "Zgłoszenie wznowione",
            "subject": "Zgłoszenie {{ reference }} wznowione",
            "body_text": "Mieszkaniec wznowił zgłoszenie {{ reference }} ({{ title }}, {{ place }}).\n\n"
            "{{ note }}\n\nNowy termin realizacji: {{ due }}",
            "sms_text": "Zgloszenie {{ reference }} wznowione, termin {{ due }}.",
        },
        {
            "name": "Ticket reopened",
            "subject": "Ticket {{ reference }} reopened",
            "body_text": "The resident reopened ticket {{ reference }} ({{ title }}, {{ place }}).\n\n"
            "{{ note }}\n\nNew deadline: {{ due }}",
            "sms_text": "Ticket {{ reference }} reopened, deadline {{ due }}.",
        },
    ),
    *_pair(
        "ticket-deadline-warning",
        "ticket_update",
        {
            "name": "Zbliża się termin zgłoszenia",
            "subject": "Zbliża się termin: zgłoszenie {{ reference }} ({{ place }})",
            "body_text": "Zgłoszenie {{ reference }} ({{ title }}, {{ place }}) ma status „{{ status }}”, "
            "a termin realizacji mija {{ due }}.",
            "sms_text": "Termin zgloszenia {{ reference }} mija {{ due }}.",
        },
        {
            "name": "Ticket nearing its deadline",
            "subject": "Deadline approaching: ticket {{ reference }} ({{ place }})",
            "body_text": "Ticket {{ reference }} ({{ title }}, {{ place }}) is “{{ status }}” and its deadline "
            "is {{ due }}.",
            "sms_text": "Ticket {{ reference }} deadline {{ due }}.",
        },
    ),
    *_pair(
        "ticket-overdue",
        "ticket_update",
        {
            "name": "Zgłoszenie po terminie",
            "subject": "Po terminie: zgłoszenie {{ reference }} ({{ place }})",
            "body_text": "Zgłoszenie {{ reference }} ({{ title }}, {{ place }}) nie zostało zrealizowane "
            "w terminie ({{ due }}). Status: {{ status }}.",
            "sms_text": "Zgloszenie {{ reference }} po terminie ({{ due }}).",
        },
        {
            "name": "Ticket overdue",
            "subject": "Overdue: ticket {{ reference }} ({{ place }})",
            "body_text": "Ticket {{ reference }} ({{ title }}, {{ place }}) was not done by its deadline "
            "({{ due }}). Status: {{ status }}.",
            "sms_text": "Ticket {{ reference }} overdue ({{ due }}).",
        },
    ),
    *_pair(
        "ticket-response-overdue",
        "ticket_update",
        {
            "name": "Brak reakcji na zgłoszenie",
            "subject": "Brak reakcji: zgłoszenie {{ reference }} ({{ place }})",
            "body_text": "Nikt jeszcze nie zareagował na zgłoszenie {{ reference }} ({{ title }}, {{ place }}), "
            "a czas na reakcję minął {{ response_due }}. Status: {{ status }}.",
            "sms_text": "Brak reakcji na zgloszenie {{ reference }} ({{ place }}).",
        },
        {
            "name": "No response to a ticket",
            "subject": "No response: ticket {{ reference }} ({{ place }})",
            "body_text": "Nobody has responded to ticket {{ reference }} ({{ title }}, {{ place }}) and the "
            "response time ended {{ response_due }}. Status: {{ status }}.",
            "sms_text": "No response to ticket {{ reference }} ({{ place }}).",
        },
    ),
    *_pair(
        "ticket-deadline-changed",
        "ticket_update",
        {
            "name": "Nowy termin zgłoszenia",
            "subject": "Nowy termin: zgłoszenie {{ reference }}",
            "body_text": "Dzień dobry {{ recipient.name }},\n\nzgłoszenie {{ reference }} ({{ title }}, {{ place }}) "
            "ma nowy termin realizacji: {{ due }}.{% if note %}\n\n{{ note }}{% endif %}",
            "sms_text": "Zgloszenie {{ reference }}: nowy termin {{ due }}.",
        },
        {
            "name": "Ticket deadline changed",
            "subject": "New deadline: ticket {{ reference }}",
            "body_text": "Hello {{ recipient.name }},\n\nticket {{ reference }} ({{ title }}, {{ place }}) "
            "has a new deadline: {{ due }}.{% if note %}\n\n{{ note }}{% endif %}",
            "sms_text": "Ticket {{ reference }}: new deadline {{ due }}.",
        },
    ),
]
