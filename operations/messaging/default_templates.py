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
    # Account e-mails (operations/residents/services.py). They carry links that let the
    # reader choose a password, so they go by e-mail only, have no SMS text and never
    # appear in the inbox. They greet nobody by name: the names of an account waiting for
    # confirmation are whatever the person who registered the address typed, perhaps a
    # stranger, so `recipient`'s names are empty here. Variables: link, username (the
    # sign-in name), valid_until (when the link stops working) and, for password-changed,
    # changed_at.
    {
        "key": "account-confirm",
        "language": "pl",
        "kind": "account",
        "name": "Potwierdzenie adresu e-mail nowego konta",
        "subject": "Potwierdź adres e-mail i ustaw hasło",
        "body_text": (
            "Dzień dobry,\n\n"
            "ktoś (zapewne Ty) poprosił o konto w portalu mieszkańca dla tego adresu e-mail. "
            "Aby potwierdzić adres i ustawić hasło, otwórz link:\n\n"
            "{{ link }}\n\n"
            "Link działa do {{ valid_until }}. Twoja nazwa użytkownika to: {{ username }}.\n\n"
            "Jeśli prośba nie pochodzi od Ciebie, zignoruj tę wiadomość: bez potwierdzenia konto "
            "nie zostanie aktywowane.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "account-confirm",
        "language": "en",
        "kind": "account",
        "name": "Confirmation of a new account's e-mail address",
        "subject": "Confirm your e-mail address and choose a password",
        "body_text": (
            "Hello,\n\n"
            "someone (probably you) asked for an account in the resident portal for this e-mail address. "
            "To confirm the address and choose your password, open the link:\n\n"
            "{{ link }}\n\n"
            "The link works until {{ valid_until }}. Your user name is: {{ username }}.\n\n"
            "If you did not ask for it, ignore this message: without confirmation the account is "
            "never activated.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "account-exists",
        "language": "pl",
        "kind": "account",
        "name": "Prośba o konto dla adresu, który ma już konto",
        "subject": "Masz już konto w portalu mieszkańca",
        "body_text": (
            "Dzień dobry,\n\n"
            "ktoś poprosił o założenie konta w portalu mieszkańca dla tego adresu e-mail. "
            "Masz już u nas konto; Twoja nazwa użytkownika to: {{ username }}.\n\n"
            "Jeśli nie pamiętasz hasła, ustaw nowe pod tym linkiem (działa do {{ valid_until }}):\n\n"
            "{{ link }}\n\n"
            "Jeśli prośba nie pochodzi od Ciebie, zignoruj tę wiadomość: na koncie nic się nie zmieniło.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "account-exists",
        "language": "en",
        "kind": "account",
        "name": "Account requested for an address that has one",
        "subject": "You already have an account in the resident portal",
        "body_text": (
            "Hello,\n\n"
            "someone asked to create an account in the resident portal for this e-mail address. "
            "You already have one; your user name is: {{ username }}.\n\n"
            "If you forgot your password, set a new one with this link (it works until {{ valid_until }}):\n\n"
            "{{ link }}\n\n"
            "If you did not ask for it, ignore this message: nothing has changed in your account.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "password-reset",
        "language": "pl",
        "kind": "account",
        "name": "Link do ustawienia nowego hasła",
        "subject": "Ustaw nowe hasło",
        "body_text": (
            "Dzień dobry,\n\n"
            "otrzymaliśmy prośbę o nowe hasło do Twojego konta (nazwa użytkownika: {{ username }}). "
            "Aby je ustawić, otwórz link (działa do {{ valid_until }}):\n\n"
            "{{ link }}\n\n"
            "Po zmianie hasła wszystkie inne urządzenia i aplikacje zostaną wylogowane.\n\n"
            "Jeśli prośba nie pochodzi od Ciebie, zignoruj tę wiadomość: dotychczasowe hasło nadal "
            "działa.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "password-reset",
        "language": "en",
        "kind": "account",
        "name": "Link to set a new password",
        "subject": "Set a new password",
        "body_text": (
            "Hello,\n\n"
            "we received a request for a new password for your account (user name: {{ username }}). "
            "To set it, open the link (it works until {{ valid_until }}):\n\n"
            "{{ link }}\n\n"
            "Once the password is changed, every other device and app is signed out.\n\n"
            "If you did not ask for it, ignore this message: your current password still works.\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "password-changed",
        "language": "pl",
        "kind": "account",
        "name": "Powiadomienie o zmianie hasła",
        "subject": "Hasło do Twojego konta zostało zmienione",
        "body_text": (
            "Dzień dobry,\n\n"
            "{{ changed_at }} zmieniono hasło do Twojego konta (nazwa użytkownika: {{ username }}). "
            "Wszystkie inne urządzenia i aplikacje zostały wylogowane.\n\n"
            "Jeśli to nie Ty, od razu ustaw nowe hasło pod tym linkiem (działa do {{ valid_until }}) "
            "i powiadom biuro spółdzielni:\n\n"
            "{{ link }}\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
    {
        "key": "password-changed",
        "language": "en",
        "kind": "account",
        "name": "Notice of a password change",
        "subject": "The password of your account has been changed",
        "body_text": (
            "Hello,\n\n"
            "the password of your account (user name: {{ username }}) was changed on {{ changed_at }}. "
            "Every other device and app has been signed out.\n\n"
            "If this was not you, set a new password at once with this link (it works until "
            "{{ valid_until }}) and tell the cooperative's office:\n\n"
            "{{ link }}\n\n"
            "{{ cooperative }}"
        ),
        "sms_text": "",
    },
]
