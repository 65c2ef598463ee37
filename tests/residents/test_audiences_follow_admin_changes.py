"""Access given by a staff role or a contractor link ends when that role or link ends,
whichever path ends it: our services, Wagtail's user editor, deleting a firm's page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms.contractors import services as contractor_services
from operations.residents import services
from operations.residents.models import Audience
from operations.residents.roles import StaffRole, staff_group_name
from operations.residents.services import staff_groups_ensure
from tests.factories import content as f
from tests.factories.residents import SuperUserFactory, UserFactory

pytestmark = pytest.mark.django_db


def _audience_roles(user) -> set[str]:
    return set(user.groups.filter(audience__kind=Audience.Kind.ROLE).values_list("audience__role", flat=True))


@pytest.fixture
def dispatcher():
    staff_groups_ensure()
    user = UserFactory(username="dyspozytor")
    services.staff_role_assign(user=user, role=StaffRole.DISPATCHER)
    assert _audience_roles(user) == {Audience.Role.STAFF}
    return user


def test_removing_the_role_in_wagtails_user_editor_removes_staff_access(client, dispatcher):
    client.force_login(SuperUserFactory())
    form = client.get(reverse("wagtailusers_users:edit", args=[dispatcher.pk])).context["form"]
    data = {name: field.value() for name, field in ((n, form[n]) for n in form.fields) if field.value() is not None}
    data.pop("password1", None)
    data.pop("password2", None)
    # The editor unticks the role and leaves the rest as it was (the staff audience ticked).
    data["groups"] = [services.audience_group(role=Audience.Role.STAFF).pk]
    response = client.post(reverse("wagtailusers_users:edit", args=[dispatcher.pk]), data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert not dispatcher.groups.filter(name=staff_group_name(StaffRole.DISPATCHER)).exists()
    assert _audience_roles(dispatcher) == set()


def test_removing_a_member_from_the_staff_group_itself(dispatcher):
    Group.objects.get(name=staff_group_name(StaffRole.DISPATCHER)).user_set.remove(dispatcher)
    assert _audience_roles(dispatcher) == set()


def test_adding_a_role_in_the_group_editor_gives_staff_access():
    staff_groups_ensure()
    user = UserFactory()
    Group.objects.get(name=staff_group_name(StaffRole.ACCOUNTANT)).user_set.add(user)
    assert _audience_roles(user) == {Audience.Role.STAFF}


def test_deleting_the_firms_page_removes_contractor_access(site_tree):
    firm = f.make_contractor(site_tree.contractors, title="Hydro-Tech")
    worker = UserFactory()
    contractor_services.contractor_staff_add(user=worker, firm=firm)
    assert _audience_roles(worker) == {Audience.Role.CONTRACTORS}
    firm.delete()
    assert _audience_roles(worker) == set()
