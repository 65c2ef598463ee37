"""The page an e-mail's unsubscribe link opens: no sign-in, the signed link is the key.

GET never changes anything (mail scanners and link previews follow links); the person
confirms with a button. A POST with `List-Unsubscribe=One-Click` is RFC 8058's one-click
unsubscribe that mail clients send on the person's behalf. The view is CSRF-exempt
because the link's signature, not a cookie, is what authorises the change: a forged
page cannot make a browser send a token it does not know.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from cms.core.exceptions import ServiceError

from . import selectors, services
from .kinds import Channel


def _email_choices(user) -> list[dict]:
    return [
        {
            "kind": preferences.rules.kind.value,
            "label": preferences.rules.label,
            "description": preferences.rules.description,
            "enabled": choice.enabled,
            "locked": choice.locked,
            "needs_consent": preferences.rules.needs_consent,
        }
        for preferences in selectors.preferences_of(user)
        for choice in preferences.channels
        if choice.channel == Channel.EMAIL
    ]


def masked_email(email: str) -> str:
    """a***@example.pl: enough for the person to recognise, little for whoever else holds the link."""
    name, _at, domain = (email or "").partition("@")
    return f"{name[:1]}***@{domain}" if domain else ""


@csrf_exempt
@require_http_methods(["GET", "POST"])
def email_preferences(request, token: str):
    try:
        user, kind = services.email_preferences_token_read(token)
    except ServiceError as error:
        return render(request, "messaging/email_preferences.html", {"error": error.message}, status=404)

    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        if kind:
            services.email_unsubscribe(user=user, kind=kind)
        return HttpResponse(status=200)

    with translation.override(selectors.settings_of(user).language):
        done = ""
        action = request.POST.get("action") if request.method == "POST" else None
        if action == "unsubscribe" and kind:
            done = "unsubscribed" if services.email_unsubscribe(user=user, kind=kind) else "locked"
        elif action == "save":
            wanted = set(request.POST.getlist("kinds"))
            # Consent (offers) is given signed in, never by whoever holds a forwarded link;
            # the link can only withdraw it.
            choices = [
                (item["kind"], Channel.EMAIL.value, item["kind"] in wanted and not item["needs_consent"])
                for item in _email_choices(user)
                if not item["locked"] and (item["enabled"] or not item["needs_consent"])
            ]
            services.notification_preferences_update(user=user, choices=choices)
            done = "saved"
        context = {
            "kind": kind,
            "kind_label": dict((item["kind"], item["label"]) for item in _email_choices(user)).get(kind, ""),
            "choices": _email_choices(user),
            "done": done,
            "email": masked_email(user.email),
        }
        return render(request, "messaging/email_preferences.html", context)
