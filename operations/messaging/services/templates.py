"""The texts of the hub's own messages: reading them for sending, and the defaults."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction

from cms.core.exceptions import ServiceError

from ..errors import MessagingErrorCode
from ..models import MessageTemplate
from ..rendering import CompiledTexts


def template_texts(key: str) -> dict[str, CompiledTexts]:
    templates = list(MessageTemplate.objects.filter(key=key))
    if not templates:
        raise ServiceError(MessagingErrorCode.TEMPLATE_MISSING, f"No message template with key {key!r}.")
    return {
        template.language: CompiledTexts.compile(
            subject=template.subject,
            body_text=template.body_text,
            body_html=template.body_html,
            sms_text=template.sms_text,
        )
        for template in templates
    }


@transaction.atomic
def templates_ensure(templates: Iterable[dict] | None = None) -> int:
    """Create the default texts of the hub's own messages; never overwrites staff's edits.

    Other apps pass their own lists (tickets: `operations/tickets/message_templates.py`).
    """
    from ..default_templates import DEFAULT_TEMPLATES

    created = 0
    for template in DEFAULT_TEMPLATES if templates is None else templates:
        _obj, was_created = MessageTemplate.objects.get_or_create(
            key=template["key"], language=template["language"], defaults=template
        )
        created += was_created
    return created
