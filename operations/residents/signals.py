"""Signal receivers: audiences and staff groups after `migrate`, and admin sign-ins.

Sign-ins through `services.user_sign_in` (GraphQL; the admin too when
WAGTAILADMIN_USER_LOGIN_FORM is `operations.residents.admin.forms.AdminLoginForm`) record
themselves and mark the request, and Django's auth signals for those same sign-ins are
ignored here. What remains is a sign-in on an admin login page that did not go through
the service (Wagtail's stock login form, Django's admin): it is recorded as channel
"admin", so the person's history and the throttling counters still see it.
"""

from __future__ import annotations

from django.apps import apps as global_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db import DEFAULT_DB_ALIAS

from . import services, throttling
from .models import SignInAttempt
from .roles import STAFF_GROUP_NAMES

User = get_user_model()

# wagtailcore_login: Wagtail's front-end sign-in, which the hub routes to the portal's
# (cms/urls.py); listed in case a deployment serves Wagtail's own.
ADMIN_LOGIN_VIEWS = {"wagtailadmin_login", "admin:login", "wagtailcore_login"}


def ensure_groups_after_migrate(sender, using=DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Create the staff groups and audiences once every app is migrated.

    Connected for this app only, and this app's post_migrate comes before Wagtail's,
    whose page permissions are created in its own post_migrate; so the permissions of
    every app are created here first (Django's own idempotent routine).
    """
    if using != DEFAULT_DB_ALIAS:
        return
    for app_config in global_apps.get_app_configs():
        create_permissions(app_config, verbosity=0, using=using, apps=global_apps)
    services.staff_groups_ensure()
    services.audiences_ensure()


def _is_unrecorded_admin_sign_in(request) -> bool:
    if request is None or getattr(request, services.RECORDED_MARKER, False):
        return False
    match = getattr(request, "resolver_match", None)
    return match is not None and match.view_name in ADMIN_LOGIN_VIEWS


def record_admin_sign_in(sender, request=None, user=None, **kwargs) -> None:
    if not _is_unrecorded_admin_sign_in(request):
        return
    setattr(request, services.RECORDED_MARKER, True)
    services.sign_in_attempt_record(
        username=user.get_username(),
        user=user,
        channel=SignInAttempt.Channel.ADMIN,
        outcome=SignInAttempt.Outcome.SUCCESS,
        ip_address=throttling.client_ip(request),
        user_agent=throttling.client_user_agent(request),
    )


def record_admin_sign_in_failure(sender, credentials=None, request=None, **kwargs) -> None:
    if not _is_unrecorded_admin_sign_in(request):
        return
    # Django has already replaced the password in `credentials` with stars.
    username = str((credentials or {}).get("username", ""))
    services.sign_in_attempt_record(
        username=username,
        user=services.user_by_username(username=username),
        channel=SignInAttempt.Channel.ADMIN,
        outcome=SignInAttempt.Outcome.FAILURE,
        ip_address=throttling.client_ip(request),
        user_agent=throttling.client_user_agent(request),
    )


def _staff_group_ids(group_ids) -> set[int]:
    return set(Group.objects.filter(pk__in=group_ids, name__in=STAFF_GROUP_NAMES.values()).values_list("pk", flat=True))


def sync_audiences_when_staff_groups_change(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """Keep the staff audience in step when staff roles change outside our services.

    Wagtail's user and group editors change `user.groups` directly. Without this, a
    dispatcher whose role was taken away in the admin would keep the staff audience and
    go on reading staff-only content. Only changes that touch a staff group react, so the
    audience groups that the sync itself adds or removes do not call it again.
    """
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if not reverse:  # instance is a user; pk_set are group ids (None after clear)
        if action == "post_clear" or _staff_group_ids(pk_set):
            services.user_audiences_sync(user=instance)
        return
    # instance is a group; pk_set are user ids (None after clear: members unknown, resync all)
    if instance.name not in STAFF_GROUP_NAMES.values():
        return
    users = User.objects.filter(pk__in=pk_set) if pk_set else User.objects.filter(groups__audience__role="staff")
    for user in users:
        services.user_audiences_sync(user=user)


def sync_audiences_when_contractor_link_changes(sender, instance, **kwargs) -> None:
    """A worker linked to a firm gains the contractors audience; unlinked by any path (a
    firm's page deleted too), loses it. The contractors app knows nothing of audiences."""
    user = User.objects.filter(pk=instance.user_id).first()
    if user is not None:
        services.user_audiences_sync(user=user)


def revoke_tokens_when_password_changes(sender, instance, **kwargs) -> None:
    """A new password ends every mobile sign-in, as it would end a stolen session elsewhere."""
    update_fields = kwargs.get("update_fields")
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        services.api_tokens_revoke_all(user=instance)


def connect(app_config) -> None:
    from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_save

    from cms.contractors.models import ContractorStaff

    pre_save.connect(revoke_tokens_when_password_changes, sender=User, dispatch_uid="residents_password_tokens")
    m2m_changed.connect(
        sync_audiences_when_staff_groups_change, sender=User.groups.through, dispatch_uid="residents_staff_groups"
    )
    post_save.connect(
        sync_audiences_when_contractor_link_changes, sender=ContractorStaff, dispatch_uid="residents_contractor_linked"
    )
    post_delete.connect(
        sync_audiences_when_contractor_link_changes, sender=ContractorStaff, dispatch_uid="residents_contractor_link"
    )

    post_migrate.connect(ensure_groups_after_migrate, sender=app_config, dispatch_uid="residents_groups_ensure")
    user_logged_in.connect(record_admin_sign_in, dispatch_uid="residents_admin_sign_in")
    user_login_failed.connect(record_admin_sign_in_failure, dispatch_uid="residents_admin_sign_in_failure")
