"""Every read of billing that depends on who asks, and the ledger's figures.

Who sees an account (docs/architecture.md: operational data is scoped by relation):
- a resident, the accounts of the units they hold a live membership of (verified, not
  ended): a HOUSEHOLD account as owner or board member, and as tenant only when the
  cooperative allows it (`BILLING_TENANTS_SEE_ACCOUNTS`, off by default: a tenant does not
  see what the owner owes); a NAMED account only when named on it, in any role;
- staff with `billing.view_billingaccount` (accountants, the board), every account;
- nobody else: not a contractor's workers (even given the permission by mistake), not a
  pending or ended membership, not a membership of another unit.

`ledger` holds the figures (balance, turnover, aged debt, the payment calendar, open
items), each one aggregate query in the database, summed in whole grosze; `interest`
the interest note; `reminders` the debts due a payment reminder on a day. Callers import
this package.
"""

from __future__ import annotations

from datetime import date, datetime, time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from cms.contractors.models import ContractorStaff
from operations.residents.models import Membership

from ..models import BillingAccount, BillingAccountMember, LedgerEntry
from .documents import documents_visible_to, electronic_recipients
from .interest import InterestNote, interest_note
from .ledger import (
    AgedDebt,
    Balance,
    CalendarDay,
    Turnover,
    account_aged_debt,
    account_balance,
    account_turnover,
    debts_outstanding,
    grosze,
    kept_credits,
    open_debts,
    payment_calendar,
)

User = get_user_model()

# Whoever asks: an account, the anonymous visitor, or nobody.
Person = AbstractBaseUser | AnonymousUser | None


def _signed_in(person: Person) -> bool:
    return bool(person and person.is_authenticated and person.is_active)


def is_contractor_worker(person: Person) -> bool:
    return _signed_in(person) and ContractorStaff.objects.filter(user=person).exists()


def is_billing_staff(person: Person) -> bool:
    """Staff who read every account: `billing.view_billingaccount`, never a firm's worker."""
    return _signed_in(person) and person.has_perm("billing.view_billingaccount") and not is_contractor_worker(person)


def can_manage_accounts(person: Person) -> bool:
    return _signed_in(person) and person.has_perm("billing.manage_billingaccount")


def can_post_entries(person: Person) -> bool:
    return _signed_in(person) and person.has_perm("billing.post_ledgerentry")


def household_roles() -> list[str]:
    """The membership roles that see a unit's HOUSEHOLD accounts."""
    roles = [Membership.Role.OWNER, Membership.Role.BOARD]
    if getattr(settings, "BILLING_TENANTS_SEE_ACCOUNTS", False):
        roles.append(Membership.Role.TENANT)
    return roles


def resident_condition(person: Person) -> Q:
    """The accounts a person sees as a resident (one condition, a few subqueries).

    Two refinements (review): a HOUSEHOLD account that replaced an account the person was
    named on (they saw the previous owner's account when it closed) is not theirs, even
    while the office has not yet ended their membership, unless the owner change named
    them as staying (`services.account_owner_change(staying=...)`); and a closed account, which
    names those who saw it then, is seen in the roles that see a household's accounts now,
    so switching tenants off hides the closed ones from tenants too."""
    live = Membership.objects.live().filter(user=person)
    household_units = live.filter(role__in=household_roles()).values("unit_id")
    named_on = BillingAccountMember.objects.filter(person=person).values("account_id")
    household = Q(audience=BillingAccount.Audience.HOUSEHOLD, unit__in=household_units) & (
        ~Q(replaces__in=named_on) | Q(pk__in=named_on)  # the previous household, unless staying
    )
    named_open = Q(
        audience=BillingAccount.Audience.NAMED, closed_on__isnull=True, unit__in=live.values("unit_id"), pk__in=named_on
    )
    named_closed = Q(
        audience=BillingAccount.Audience.NAMED, closed_on__isnull=False, unit__in=household_units, pk__in=named_on
    )
    return household | named_open | named_closed


def accounts_visible_to(person: Person) -> QuerySet[BillingAccount]:
    if not _signed_in(person):
        return BillingAccount.objects.none()
    if is_billing_staff(person):
        return BillingAccount.objects.all()
    return BillingAccount.objects.filter(resident_condition(person))


def entries_visible_to(person: Person) -> QuerySet[LedgerEntry]:
    """The ledger entries of the accounts the person sees."""
    return LedgerEntry.objects.filter(account__in=accounts_visible_to(person).values("pk"))


def viewers_now(account: BillingAccount, *, verified_before: date | None = None) -> list:
    """The people who see `account` as residents now, or only those whose membership was
    verified before the day `verified_before` (what closing an account freezes: whoever
    took the unit over on the closing day or later is not among them)."""
    live = Membership.objects.live().filter(unit_id=account.unit_id)
    if verified_before is not None:
        start = timezone.make_aware(datetime.combine(verified_before, time.min))
        live = live.filter(decided_at__lt=start)
    if account.audience == BillingAccount.Audience.HOUSEHOLD:
        live = live.filter(role__in=household_roles())
    else:
        live = live.filter(user__in=BillingAccountMember.objects.filter(account=account).values("person_id"))
    return list(User.objects.filter(pk__in=live.values("user_id")).order_by("pk"))


__all__ = [
    "AgedDebt",
    "Balance",
    "CalendarDay",
    "InterestNote",
    "Person",
    "Turnover",
    "account_aged_debt",
    "account_balance",
    "account_turnover",
    "accounts_visible_to",
    "can_manage_accounts",
    "can_post_entries",
    "debts_outstanding",
    "documents_visible_to",
    "electronic_recipients",
    "entries_visible_to",
    "grosze",
    "household_roles",
    "interest_note",
    "is_billing_staff",
    "is_contractor_worker",
    "kept_credits",
    "open_debts",
    "payment_calendar",
    "resident_condition",
    "viewers_now",
]
