"""E-mail through Django's configured mail backend (SMTP in production, console or file
by default, locmem in tests)."""

from __future__ import annotations

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from .base import OutgoingMessage, PermanentFailure, Provider, TemporaryFailure


class DjangoEmailProvider(Provider):
    name = "email"

    def __init__(self, *, rate_per_second: float | None = None, **options):
        super().__init__(**options)
        self.rate_per_second = rate_per_second

    def send(self, message: OutgoingMessage) -> str:
        headers = dict(message.headers)
        # A fixed Message-ID per delivery: if a crash makes us hand the same delivery to
        # the server twice, mail clients show it once.
        if message.idempotency_key:
            domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
            headers["Message-ID"] = f"<{message.idempotency_key}@{domain}>"
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.text,
            to=[message.address],
            headers=headers,
            connection=get_connection(fail_silently=False),
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        try:
            email.send()
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"address refused: {error.recipients}", bounced=True) from error
        except smtplib.SMTPResponseException as error:
            reason = f"SMTP {error.smtp_code}: {error.smtp_error!r}"
            if 500 <= error.smtp_code < 600:
                raise PermanentFailure(reason) from error
            raise TemporaryFailure(reason) from error
        except (smtplib.SMTPException, OSError) as error:
            raise TemporaryFailure(f"mail server unreachable: {error}") from error
        return headers.get("Message-ID", "")
