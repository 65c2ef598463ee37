"""Staff roles are Django groups with Polish names and the permissions each role needs."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import Client
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
)

from operations.residents import services
from operations.residents.roles import STAFF_GROUP_NAMES, StaffRole
from operations.residents.services import staff_groups_ensure
from tests.factories.residents import UserFactory

pytestmark = pytest.mark.django_db


def user_with(role: StaffRole):
    user = UserFactory(username=f"staff.{role.value}")
    services.staff_role_assign(user=user, role=role)
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def test_groups_exist_after_migrate():
    assert set(Group.objects.filter(name__in=STAFF_GROUP_NAMES.values()).values_list("name", flat=True)) == {
        "Redaktorzy",
        "Dyspozytorzy",
        "Administratorzy",
        "Księgowość",
        "Zarząd",
    }


def test_ensure_is_idempotent_and_keeps_manual_grants():
    administrators = Group.objects.get(name="Administratorzy")
    extra = Permission.objects.get(content_type__app_label="wagtailcore", codename="add_collection")
    administrators.permissions.add(extra)
    counts = (
        Group.objects.count(),
        Permission.objects.filter(group__isnull=False).count(),
        GroupPagePermission.objects.count(),
    )
    staff_groups_ensure()
    staff_groups_ensure()
    assert (
        Group.objects.count(),
        Permission.objects.filter(group__isnull=False).count(),
        GroupPagePermission.objects.count(),
    ) == counts
    assert administrators.permissions.filter(pk=extra.pk).exists()


def test_ensure_restores_a_deleted_group():
    Group.objects.get(name="Księgowość").delete()
    staff_groups_ensure()
    assert Group.objects.get(name="Księgowość").permissions.filter(codename="access_admin").exists()


@pytest.mark.parametrize("role", list(StaffRole))
def test_every_role_may_enter_the_admin(role):
    user = user_with(role)
    assert user.has_perm("wagtailadmin.access_admin")
    client = Client()
    client.force_login(user)
    assert client.get("/admin/").status_code == 200


def test_editors_edit_and_publish_pages_and_media():
    editors = Group.objects.get(name="Redaktorzy")
    root = Page.get_first_root_node()
    page_codes = set(
        GroupPagePermission.objects.filter(group=editors, page=root).values_list("permission__codename", flat=True)
    )
    assert {"add_page", "change_page", "publish_page"} <= page_codes
    collection_codes = set(
        GroupCollectionPermission.objects.filter(
            group=editors, collection=Collection.get_first_root_node()
        ).values_list("permission__codename", flat=True)
    )
    assert {"add_document", "change_document", "add_image", "choose_image"} <= collection_codes

    editor = user_with(StaffRole.EDITOR)
    home = Page.objects.get(slug="home")
    permissions = home.permissions_for_user(editor)
    assert permissions.can_edit() and permissions.can_publish() and permissions.can_set_view_restrictions()


def test_administrators_manage_residents_but_dispatchers_only_read():
    administrator = user_with(StaffRole.ADMINISTRATOR)
    dispatcher = user_with(StaffRole.DISPATCHER)
    assert administrator.has_perms(
        ["residents.change_unit", "residents.change_membership", "residents.view_signinattempt"]
    )
    assert dispatcher.has_perm("residents.view_unit")
    assert not dispatcher.has_perm("residents.change_membership")
    assert not dispatcher.has_perm("residents.view_signinattempt")


def test_residents_are_not_staff(person):
    assert not person.has_perm("wagtailadmin.access_admin")
