"""Every kind of viewer a policy is asked about, made once for the policy tests of every app.

`make_viewers(home=unit, other=unit)` returns them by name: nobody (no user at all), the
anonymous user, a resident of `home`, a resident of `other`, a tenant of `home`, a
contractor's worker, each staff role, Django staff without a role, a superuser and a
disabled administrator. People are made through the services (tests.factories.tickets),
so their groups and permissions are production's. A policy test asks every rule of the
names it is about (`EVERYONE`, or `SIGNED_IN` and the like) and says which are allowed.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

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
    viewers: dict[str, object] = {
        "nobody": None,
        "anonymous": AnonymousUser(),
        "resident": resident(home),
        "other_resident": resident(other),
        "tenant": resident(home, role=Membership.Role.TENANT),
        "contractor": worker(firm()),
        "django_staff": UserFactory(is_staff=True),
        "superuser": SuperUserFactory(),
    }
    for role in STAFF_ROLES:
        viewers[role] = staff(role)
    disabled = staff("administrator")
    disabled.is_active = False
    disabled.save(update_fields=["is_active"])
    viewers["disabled_administrator"] = fresh(disabled)
    return viewers
