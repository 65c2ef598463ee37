"""Audience groups follow verified memberships, staff roles and contractor links, in the
same transaction as the change that justifies them."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import transaction

from cms.contractors.models import ContractorIndexPage, ContractorPage
from cms.contractors.services import (
    contractor_staff_add,
    contractor_staff_remove,
    trade_create,
)
from cms.home.models import HomePage
from operations.residents import errors as residents_errors
from operations.residents import services
from operations.residents.models import Audience, Membership
from operations.residents.roles import StaffRole
from tests.factories.residents import (
    BuildingFactory,
    EstateFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def audience_names(user) -> set[str]:
    return set(Group.objects.filter(user=user, audience__isnull=False).values_list("name", flat=True))


def test_role_audiences_exist_after_migrate():
    names = set(Audience.objects.filter(kind=Audience.Kind.ROLE).values_list("group__name", flat=True))
    assert names == {"Właściciele", "Najemcy", "Zarząd (członkowie)", "Pracownicy", "Wykonawcy"}


def test_estate_and_building_get_their_groups(building_a):
    assert building_a.estate.audience.group.name == "Osiedle: Zielone Wzgórze"
    assert building_a.audience.group.name == "Budynek A (ul. Lipowa 1)"


def test_audiences_ensure_is_idempotent_and_repairs(building_a):
    building_a.audience.group.delete()  # as if restored from an old backup
    services.audiences_ensure()
    groups_before = Group.objects.count()
    services.audiences_ensure()
    assert Group.objects.count() == groups_before
    assert Audience.objects.get(building=building_a).group.name == "Budynek A (ul. Lipowa 1)"


def test_same_building_code_in_two_estates_gets_distinct_group_names():
    first = BuildingFactory(
        estate=EstateFactory(name="Północ", slug="polnoc"), code="A", street="ul. Długa", number="5"
    )
    second = BuildingFactory(
        estate=EstateFactory(name="Południe", slug="poludnie"), code="A", street="ul. Długa", number="5"
    )
    assert first.audience.group.name == "Budynek A (ul. Długa 5)"
    assert second.audience.group.name == "Budynek A (ul. Długa 5) – Południe"


def test_renaming_an_estate_renames_its_group(estate):
    services.estate_update(estate=estate, name="Zielone Wzgórze II", slug=estate.slug)
    assert Audience.objects.get(estate=estate).group.name == "Osiedle: Zielone Wzgórze II"


def test_pending_request_gives_nothing(person, unit_a1):
    MembershipFactory(user=person, unit=unit_a1)
    assert audience_names(person) == set()


def test_verify_grants_estate_building_and_role(person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1, role=Membership.Role.TENANT)
    services.membership_verify(membership=membership, decided_by=superuser)
    assert audience_names(person) == {"Osiedle: Zielone Wzgórze", "Budynek A (ul. Lipowa 1)", "Najemcy"}


def test_reject_grants_nothing(person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1)
    result = services.membership_reject(membership=membership, decided_by=superuser, reason="Brak w ewidencji")
    assert result.status == Membership.Status.REJECTED
    assert audience_names(person) == set()


def test_ending_one_of_two_units_keeps_what_the_other_gives(person, unit_a1, unit_b1, superuser):
    in_a = MembershipFactory(user=person, unit=unit_a1, role=Membership.Role.OWNER, verified=True)
    MembershipFactory(user=person, unit=unit_b1, role=Membership.Role.TENANT, verified=True)
    assert audience_names(person) == {
        "Osiedle: Zielone Wzgórze",
        "Budynek A (ul. Lipowa 1)",
        "Budynek B (ul. Lipowa 3)",
        "Właściciele",
        "Najemcy",
    }

    services.membership_end(membership=in_a, ended_by=superuser)

    # Building A and the owners' group went with the membership; the estate stays through B.
    assert audience_names(person) == {"Osiedle: Zielone Wzgórze", "Budynek B (ul. Lipowa 3)", "Najemcy"}
    in_a.refresh_from_db()
    assert in_a.status == Membership.Status.ENDED and in_a.ended_by == superuser


def test_two_units_in_one_building_end_one(person, unit_a1, unit_a2, superuser):
    first = MembershipFactory(user=person, unit=unit_a1, verified=True)
    MembershipFactory(user=person, unit=unit_a2, verified=True)
    services.membership_end(membership=first, ended_by=superuser)
    assert audience_names(person) == {"Osiedle: Zielone Wzgórze", "Budynek A (ul. Lipowa 1)", "Właściciele"}


def test_ending_the_last_membership_removes_everything_but_other_groups(person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1, verified=True)
    moderators = Group.objects.get(name="Moderators")  # Wagtail's own group, not an audience
    person.groups.add(moderators)
    services.membership_end(membership=membership, ended_by=person)  # a person may end their own
    assert audience_names(person) == set()
    assert person.groups.filter(pk=moderators.pk).exists()


def test_a_failure_after_verify_rolls_back_the_groups(person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1)
    with pytest.raises(RuntimeError), transaction.atomic():
        services.membership_verify(membership=membership, decided_by=superuser)
        assert "Właściciele" in audience_names(person)  # granted inside the transaction...
        raise RuntimeError("the caller's next step failed")
    assert audience_names(person) == set()  # ...and gone with it
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_decision_mail_is_sent_only_after_commit(
    person, unit_a1, superuser, mailoutbox, django_capture_on_commit_callbacks
):
    membership = MembershipFactory(user=person, unit=unit_a1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.membership_verify(membership=membership, decided_by=superuser)
    assert mailoutbox == []  # nothing is sent while the decision may still roll back
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == [person.email]
    assert "A/1" in mailoutbox[0].subject


def test_rejection_mail_carries_the_reason(person, unit_a1, superuser, mailoutbox, django_capture_on_commit_callbacks):
    membership = MembershipFactory(user=person, unit=unit_a1)
    with django_capture_on_commit_callbacks(execute=True):
        services.membership_reject(membership=membership, decided_by=superuser, reason="Numer KW nie zgadza się.")
    assert len(mailoutbox) == 1
    assert "Numer KW nie zgadza się." in mailoutbox[0].body


def test_rolled_back_decision_sends_no_mail(person, unit_a1, superuser, mailoutbox, django_capture_on_commit_callbacks):
    membership = MembershipFactory(user=person, unit=unit_a1)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.membership_verify(membership=membership, decided_by=superuser)
        raise RuntimeError
    assert mailoutbox == []


def test_decisions_need_permission_and_a_pending_request(person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1)
    resident = UserFactory()
    with pytest.raises(services.ServiceError) as refused:
        services.membership_verify(membership=membership, decided_by=resident)
    assert refused.value.code == residents_errors.MembershipErrorCode.PERMISSION_DENIED

    services.membership_verify(membership=membership, decided_by=superuser)
    with pytest.raises(services.ServiceError) as again:
        services.membership_reject(membership=membership, decided_by=superuser, reason="x")
    assert again.value.code == residents_errors.MembershipErrorCode.NOT_PENDING


def test_reject_needs_a_reason(person, unit_a1, superuser):
    membership = MembershipFactory(user=person, unit=unit_a1)
    with pytest.raises(services.ServiceError) as refused:
        services.membership_reject(membership=membership, decided_by=superuser, reason="  ")
    assert refused.value.code == residents_errors.MembershipErrorCode.REASON_REQUIRED
    assert refused.value.field == "reason"


def test_administrator_role_may_decide(person, unit_a1):
    administrator = UserFactory()
    services.staff_role_assign(user=administrator, role=StaffRole.ADMINISTRATOR)
    membership = MembershipFactory(user=person, unit=unit_a1)
    services.membership_verify(membership=membership, decided_by=administrator)
    assert "Właściciele" in audience_names(person)


def test_staff_role_keeps_staff_audience_in_step(person, unit_a1):
    MembershipFactory(user=person, unit=unit_a1, verified=True)
    services.staff_role_assign(user=person, role=StaffRole.DISPATCHER)
    services.staff_role_assign(user=person, role=StaffRole.ACCOUNTANT)
    assert "Pracownicy" in audience_names(person)
    services.staff_role_remove(user=person, role=StaffRole.DISPATCHER)
    assert "Pracownicy" in audience_names(person)  # still an accountant
    services.staff_role_remove(user=person, role=StaffRole.ACCOUNTANT)
    assert audience_names(person) == {"Osiedle: Zielone Wzgórze", "Budynek A (ul. Lipowa 1)", "Właściciele"}


def test_contractor_link_gives_the_contractors_audience():
    home = HomePage.objects.get(slug="home")
    directory = home.add_child(instance=ContractorIndexPage(title="Wykonawcy", slug="wykonawcy"))
    trade = trade_create(name="Hydraulik", slug="hydraulik")
    firm = directory.add_child(instance=ContractorPage(title="Hydro-Serwis", slug="hydro-serwis", trade=trade))
    plumber = UserFactory(username="contractor.plumber")

    staff = contractor_staff_add(user=plumber, firm=firm, is_manager=True)
    assert staff.firm == firm and staff.is_manager
    assert audience_names(plumber) == {"Wykonawcy"}

    contractor_staff_remove(user=plumber)
    assert audience_names(plumber) == set()


def test_moving_a_building_to_another_estate_moves_its_residents(person, unit_a1, building_a):
    MembershipFactory(user=person, unit=unit_a1, verified=True)
    other = EstateFactory(name="Nowe Osiedle", slug="nowe-osiedle")
    services.building_update(
        building=building_a,
        estate=other,
        code="A",
        street=building_a.street,
        number=building_a.number,
        postal_code=building_a.postal_code,
        city=building_a.city,
    )
    assert "Osiedle: Nowe Osiedle" in audience_names(person)
    assert "Osiedle: Zielone Wzgórze" not in audience_names(person)


def test_unit_with_memberships_cannot_be_deleted(person, unit_a1):
    MembershipFactory(user=person, unit=unit_a1)
    with pytest.raises(services.ServiceError) as refused:
        services.unit_delete(unit=unit_a1)
    assert refused.value.code == residents_errors.PropertyErrorCode.IN_USE


def test_invalid_postal_code_is_refused(estate):
    with pytest.raises(services.ServiceError) as refused:
        services.building_create(
            estate=estate, code="Z", street="ul. Krótka", number="1", postal_code="00950", city="Kraków"
        )
    assert refused.value.field == "postal_code"
