"""Every kind of viewer a policy is asked about, made once for the policy tests of every app.

`make_viewers(home=unit, other=unit)` returns them by name: nobody (no user at all), the
anonymous user, a resident of `home`, a resident of `other`, a tenant of `home`, a
contractor's worker, each staff role, Django staff without a role, a superuser and a
disabled administrator. People are made through the services (tests.factories.tickets),
so their groups and permissions are production's. A policy test asks every rule of the
names it is about (`EVERYONE`, or `SIGNED_IN` and the like) and says which are allowed.
A test that needs other people around the same staff (the residents admin's holders) starts
from `staff_viewers()`. `refusal_code` and `refused_by_service` compare a policy's answer
with what the service refuses.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from cms.core.exceptions import ServiceError
from operations.residents.models import Membership
from operations.residents.roles import StaffRole
from tests.factories.residents import SuperUserFactory, UserFactory
from tests.factories.tickets import firm, fresh, resident, staff, worker

STAFF_ROLES = [role.value for role in StaffRole]
# People signed in with an active account.
SIGNED_IN = ["resident", "other_resident", "tenant", "contractor", *STAFF_ROLES, "django_staff", "superuser"]
# Every viewer `make_viewers` makes.
EVERYONE = ["nobody", "anonymous", *SIGNED_IN, "disabled_administrator"]


def make_viewers(*, home, other) -> dict[str, object]:
    """Every kind of viewer, by name (see the module's docstring); `home` and `other` are units."""
    return {
        "nobody": None,
        "anonymous": AnonymousUser(),
        "resident": resident(home),
        "other_resident": resident(other),
        "tenant": resident(home, role=Membership.Role.TENANT),
        "contractor": worker(firm()),
        **staff_viewers(),
    }


def staff_viewers() -> dict[str, object]:
    """Django staff without a role, a superuser, each staff role and a disabled
    administrator, by name (made in that order)."""
    viewers: dict[str, object] = {"django_staff": UserFactory(is_staff=True), "superuser": SuperUserFactory()}
    for role in STAFF_ROLES:
        viewers[role] = staff(role)
    disabled = staff("administrator")
    disabled.is_active = False
    disabled.save(update_fields=["is_active"])
    viewers["disabled_administrator"] = fresh(disabled)
    return viewers


def refusal_code(refusal) -> str | None:
    """A policy's refusal as the code a service raises (None: allowed)."""
    return None if refusal is None else refusal.code


def refused_by_service(call) -> str | None:
    """The code a service refuses with, or None; whatever it wrote is rolled back."""
    try:
        with transaction.atomic():
            call()
            transaction.set_rollback(True)
    except ServiceError as error:
        return error.code
    return None
