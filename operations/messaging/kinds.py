"""What the hub sends, by kind, and which channels each kind uses unless the person says otherwise.

A kind is what a resident chooses channels for ("outage alerts by SMS, yes; balance
reminders by e-mail only"). The list is code, not data: every kind has callers in the
code (tickets, billing, surveys) and defaults that decide what a person receives before
they ever open their settings.

- `default_channels`: on until the person turns them off. SMS costs money and wakes
  people up, so it is never on by default: a person allows it per kind.
- `locked_channels`: cannot be turned off (account matters reach the person's e-mail,
  or they could never learn their membership was refused).
- `needs_consent`: marketing-like messages are never sent on any channel without the
  person's explicit "yes", so every channel starts off and stays off until they say so.
- `broadcastable`: staff may compose broadcasts of this kind in the admin.

The in-app inbox is not a channel a person chooses: every message lands there, except
account e-mails that carry a link setting the password (`message_send(inbox=False)`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    PUSH = "push", _("mobile app notification")


class MessageKind(models.TextChoices):
    ACCOUNT = "account", _("account and membership")
    OUTAGE_ALERT = "outage_alert", _("outage alerts")
    ANNOUNCEMENT = "announcement", _("announcements")
    TICKET_UPDATE = "ticket_update", _("fault reports")
    BALANCE_REMINDER = "balance_reminder", _("balance and payment reminders")
    METER_READING_REMINDER = "meter_reading_reminder", _("meter reading reminders")
    SURVEY_REMINDER = "survey_reminder", _("surveys and votes")
    OFFERS = "offers", _("offers and newsletter")


@dataclass(frozen=True)
class KindRules:
    kind: MessageKind
    description: str | Promise
    default_channels: frozenset[Channel]
    locked_channels: frozenset[Channel] = frozenset()
    needs_consent: bool = False
    broadcastable: bool = False

    @property
    def label(self) -> str:
        return self.kind.label

    def default_for(self, channel: Channel | str) -> bool:
        if self.needs_consent:
            return False
        return Channel(channel) in self.default_channels or Channel(channel) in self.locked_channels

    def is_locked(self, channel: Channel | str) -> bool:
        return Channel(channel) in self.locked_channels


E, S, P = Channel.EMAIL, Channel.SMS, Channel.PUSH

KIND_RULES: dict[MessageKind, KindRules] = {
    rules.kind: rules
    for rules in [
        KindRules(
            MessageKind.ACCOUNT,
            _("Decisions about your access to units, and the security of your account."),
            default_channels=frozenset({E}),
            locked_channels=frozenset({E}),
        ),
        KindRules(
            MessageKind.OUTAGE_ALERT,
            _("Water, heating or power cuts and other failures in your building."),
            default_channels=frozenset({E, P}),
            broadcastable=True,
        ),
        KindRules(
            MessageKind.ANNOUNCEMENT,
            _("News and notices from the cooperative."),
            default_channels=frozenset({E, P}),
            broadcastable=True,
        ),
        KindRules(
            MessageKind.TICKET_UPDATE,
            _("Progress of the faults and requests you reported."),
            default_channels=frozenset({E, P}),
        ),
        KindRules(
            MessageKind.BALANCE_REMINDER,
            _("Charges, payment due dates and arrears."),
            default_channels=frozenset({E}),
        ),
        KindRules(
            MessageKind.METER_READING_REMINDER,
            _("When to submit water and heat meter readings."),
            default_channels=frozenset({E, P}),
        ),
        KindRules(
            MessageKind.SURVEY_REMINDER,
            _("Surveys, votes and general meetings you can take part in."),
            default_channels=frozenset({E, P}),
            broadcastable=True,
        ),
        KindRules(
            MessageKind.OFFERS,
            _("Offers of the cooperative's partners and the newsletter; only with your consent."),
            default_channels=frozenset(),
            needs_consent=True,
            broadcastable=True,
        ),
    ]
}


def rules_for(kind: MessageKind | str) -> KindRules:
    return KIND_RULES[MessageKind(kind)]


BROADCAST_KINDS = [rules.kind for rules in KIND_RULES.values() if rules.broadcastable]

# The hub's own account e-mails whose link activates an account (default_templates.py):
# the only messages `message_send(for_account_activation=True)` accepts, as they are the
# only ones that reach an account that is not active yet.
ACCOUNT_ACTIVATION_TEMPLATES = frozenset({"account-confirm"})
