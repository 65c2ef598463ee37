"""Staff roles: membership of the fixed staff groups (roles.py), and the groups themselves."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.db import transaction

from ..roles import (
    EDITOR_COLLECTION_PERMISSIONS,
    EDITOR_PAGE_PERMISSIONS,
    ROLE_PERMISSIONS,
    STAFF_GROUP_NAMES,
    StaffRole,
    permissions_named,
    staff_group_name,
)
from .audiences import user_audiences_sync

if TYPE_CHECKING:  # annotations only: the user model is whatever AUTH_USER_MODEL names
    from django.contrib.auth.models import AbstractUser


@transaction.atomic
def staff_groups_ensure() -> dict[StaffRole, Group]:
    """Create the staff groups and grant their permissions; safe to run any number of times.

    Runs after every `migrate` (see signals.py). It only ever adds, so permissions an
    administrator granted by hand in the admin survive a deploy. Permissions that do not
    exist yet (an app not migrated) are skipped rather than failing, and appear on the
    next run.
    """
    from wagtail.models import (
        Collection,
        GroupCollectionPermission,
        GroupPagePermission,
        Page,
    )

    groups: dict[StaffRole, Group] = {}
    for role, name in STAFF_GROUP_NAMES.items():
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions_named(ROLE_PERMISSIONS[role]))
        groups[role] = group

    editors = groups[StaffRole.EDITOR]
    root_page = Page.get_first_root_node()
    if root_page is not None:
        for permission in permissions_named([f"wagtailcore.{code}" for code in EDITOR_PAGE_PERMISSIONS]):
            GroupPagePermission.objects.get_or_create(group=editors, page=root_page, permission=permission)
    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for permission in permissions_named(EDITOR_COLLECTION_PERMISSIONS):
            GroupCollectionPermission.objects.get_or_create(
                group=editors, collection=root_collection, permission=permission
            )
    return groups


def _staff_group(role: str) -> Group:
    group = Group.objects.filter(name=staff_group_name(role)).first()
    return group if group is not None else staff_groups_ensure()[StaffRole(role)]


@transaction.atomic
def staff_role_assign(*, user: AbstractUser, role: str) -> None:
    user.groups.add(_staff_group(role))
    user_audiences_sync(user=user)


@transaction.atomic
def staff_role_remove(*, user: AbstractUser, role: str) -> None:
    user.groups.remove(_staff_group(role))
    user_audiences_sync(user=user)
