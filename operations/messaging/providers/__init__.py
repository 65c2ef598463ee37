"""Senders per channel: e-mail through Django's mail backends, SMS and push through providers.

`provider_for(channel)` builds the configured provider; see base.py for the contract.
"""

from .base import OutgoingMessage, PermanentFailure, Provider, TemporaryFailure, provider_for

__all__ = ["OutgoingMessage", "PermanentFailure", "Provider", "TemporaryFailure", "provider_for"]
