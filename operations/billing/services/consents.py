"""A resident's own choices for an account they hold: documents electronically,
reminders of due dates, and a request for an installment agreement.

Only a person who sees the account as a resident (`policy.consents_refusal`: they hold
its unit now) sets their own row; staff who see every account choose for nobody, and a
refusal to anyone else is "not found". A value left out (None) stays as it was, so a
client may change one switch without knowing the others. The first change makes the row
(`BillingConsent`: no row means paper documents and no reminders).

The installment request: `request_installment=True` asks for an agreement (the time of
the first request is kept while it stands, a note may be added or replaced), `False`
withdraws it and clears the note. A note with no request standing or being made is
refused (INSTALLMENT_NOT_REQUESTED), and so is one over 2000 characters. The office
answers the request outside the hub; staff see the requests in the admin's consents.
"""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cms.core.exceptions import raise_if_any

from .. import policy
from ..errors import BillingErrorCode
from ..models import BillingAccount, BillingConsent
from ._common import _locked, _refuse

MAX_INSTALLMENT_NOTE = 2000


def _clean_note(note: str) -> str:
    # Lines kept, trailing spaces and the control characters a textarea never sends dropped.
    lines = [
        "".join(char for char in line if char.isprintable() or char == "\t").rstrip() for line in note.splitlines()
    ]
    return "\n".join(lines).strip()


@transaction.atomic
def consents_update(
    *,
    account: BillingAccount,
    person: AbstractBaseUser,
    electronic_documents: bool | None = None,
    reminders: bool | None = None,
    request_installment: bool | None = None,
    installment_note: str | None = None,
) -> BillingConsent:
    """Set `person`'s own consents on `account`; what is None stays as it was. Returns the
    row as saved. Refuses with NOT_AUTHENTICATED, NOT_FOUND, FORBIDDEN,
    INSTALLMENT_NOT_REQUESTED or NOTE_TOO_LONG, and then changes nothing."""
    if refusal := policy.consents_refusal(person, account):
        raise refusal
    # One person's changes to one account happen one after another (two tabs, a retry).
    account = _locked(account)
    consent = BillingConsent.objects.filter(account=account, person=person).first()
    if consent is None:
        consent = BillingConsent(account=account, person=person)

    note = None if installment_note is None else _clean_note(installment_note)
    problems = []
    if note is not None and len(note) > MAX_INSTALLMENT_NOTE:
        problems.append(
            _refuse(
                BillingErrorCode.NOTE_TOO_LONG,
                gettext("Write at most %(count)d characters.") % {"count": MAX_INSTALLMENT_NOTE},
                "installment_note",
            )
        )
    standing = consent.installment_requested_at is not None
    if note and (request_installment is False or (request_installment is None and not standing)):
        problems.append(
            _refuse(
                BillingErrorCode.INSTALLMENT_NOT_REQUESTED,
                gettext("A note goes with a request for an installment agreement."),
                "installment_note",
            )
        )
    raise_if_any(problems)

    now = timezone.now()
    if electronic_documents is not None:
        consent.electronic_documents = electronic_documents
    if reminders is not None:
        consent.reminders = reminders
    if request_installment is True and not standing:
        consent.installment_requested_at = now
    if request_installment is False:
        consent.installment_requested_at = None
        consent.installment_note = ""
    elif note is not None and (standing or request_installment):
        consent.installment_note = note
    consent.updated_at = now
    consent.save()
    return consent
