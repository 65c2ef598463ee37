"""Texts of the payment reminders, in Polish and English (created after `migrate` and
before each reminder run when missing, then edited by staff in the admin: Messages →
Message templates). Their kind is `balance_reminder`, which each person may turn off per
channel in their messaging preferences; the reminders also go only to those who chose
them on the account (`BillingConsent.reminders`).

Variables: unit (A/7), address, title (the charge as the books name it), period
(03.2026), pay_by (10.03.2026, the day paying is on time), days (until that day, or
since it), amount_pl / amount_en (what is still to pay: "1 234,56 zł" / "PLN 1,234.56"),
account_number (as printed), payer.
"""

_FOOTER = "\n\n{{ cooperative }}"

BEFORE = "billing-reminder-before"
OVERDUE = "billing-reminder-overdue"


def _pair(key, pl, en):
    return [
        {"key": key, "language": "pl", "kind": "balance_reminder", **pl, "body_text": pl["body_text"] + _FOOTER},
        {"key": key, "language": "en", "kind": "balance_reminder", **en, "body_text": en["body_text"] + _FOOTER},
    ]


REMINDER_TEMPLATES = [
    *_pair(
        BEFORE,
        {
            "name": "Przypomnienie o zbliżającym się terminie płatności",
            "subject": "Termin płatności {{ pay_by }}: {{ amount_pl }} za lokal {{ unit }}",
            "body_text": "Dzień dobry {{ recipient.name }},\n\n"
            "przypominamy, że do {{ pay_by }} należy zapłacić {{ amount_pl }} ({{ title }}, okres {{ period }}) "
            "za lokal {{ unit }}, {{ address }}.\n\n"
            "Numer rachunku do wpłat: {{ account_number }}\n\n"
            "Jeśli już zapłacono, prosimy uznać tę wiadomość za nieaktualną. "
            "Przypomnienia można wyłączyć w portalu, w zakładce Moje opłaty.",
            "sms_text": "{{ cooperative }}: do {{ pay_by }} prosimy o wplate {{ amount_pl }} za lokal {{ unit }}.",
        },
        {
            "name": "Payment due soon",
            "subject": "Payment due {{ pay_by }}: {{ amount_en }} for unit {{ unit }}",
            "body_text": "Hello {{ recipient.name }},\n\n"
            "this is a reminder that {{ amount_en }} ({{ title }}, period {{ period }}) for unit {{ unit }}, "
            "{{ address }}, is payable by {{ pay_by }}.\n\n"
            "Account number for transfers: {{ account_number }}\n\n"
            "If you have already paid, please disregard this message. "
            "You can turn reminders off in the portal, under My payments.",
            "sms_text": "{{ cooperative }}: please pay {{ amount_en }} for unit {{ unit }} by {{ pay_by }}.",
        },
    ),
    *_pair(
        OVERDUE,
        {
            "name": "Przypomnienie o zaległej płatności",
            "subject": "Zaległa płatność za lokal {{ unit }}: {{ amount_pl }}",
            "body_text": "Dzień dobry {{ recipient.name }},\n\n"
            "termin zapłaty {{ title }} (okres {{ period }}) za lokal {{ unit }}, {{ address }}, minął "
            "{{ pay_by }}. Do zapłaty pozostało {{ amount_pl }}.\n\n"
            "Numer rachunku do wpłat: {{ account_number }}\n\n"
            "Od zaległej kwoty naliczane są odsetki ustawowe za opóźnienie. Jeśli już zapłacono, prosimy "
            "uznać tę wiadomość za nieaktualną. W razie trudności można w portalu poprosić o rozłożenie "
            "należności na raty.",
            "sms_text": "{{ cooperative }}: zalegla platnosc {{ amount_pl }} za lokal {{ unit }} "
            "(termin {{ pay_by }}).",
        },
        {
            "name": "Payment overdue",
            "subject": "Overdue payment for unit {{ unit }}: {{ amount_en }}",
            "body_text": "Hello {{ recipient.name }},\n\n"
            "the payment of {{ title }} (period {{ period }}) for unit {{ unit }}, {{ address }}, was due on "
            "{{ pay_by }}. {{ amount_en }} is still to pay.\n\n"
            "Account number for transfers: {{ account_number }}\n\n"
            "Statutory late-payment interest accrues on the amount overdue. If you have already paid, please "
            "disregard this message. If paying is difficult, you can ask for an installment agreement in the "
            "portal.",
            "sms_text": "{{ cooperative }}: overdue payment of {{ amount_en }} for unit {{ unit }} (due {{ pay_by }}).",
        },
    ),
]
