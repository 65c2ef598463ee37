"""policy.py: who may compose, edit, send and cancel a broadcast, export its deliveries and
broadcast a news item, answered once for the services and the admin's buttons.

Every rule is asked of every kind of viewer (tests/factories/viewers.py): the anonymous
user, a resident, a resident of another building, a tenant, a contractor's worker, each
staff role, Django staff without a role, a superuser and a disabled administrator. The
rules whose refusals a service raises are checked against the service too.
"""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group

from operations.broadcasts import policy, services
from operations.broadcasts.errors import BroadcastErrorCode
from operations.broadcasts.models import Broadcast
from tests.factories.broadcasts import make_broadcast
from tests.factories.content import make_news, restrict_page
from tests.factories.viewers import SIGNED_IN, make_viewers, refusal_code, refused_by_service

B = Broadcast.Status
EVERYONE = ["anonymous", *SIGNED_IN, "disabled_administrator"]
# The staff roles' permissions (roles.py): broadcasting, and reading the delivery log that
# exports a broadcast's deliveries, are the editors', dispatchers' and administrators'.
BROADCASTERS = {"editor", "dispatcher", "administrator", "superuser"}


@pytest.fixture
def viewers(unit_a1, unit_b1):
    return make_viewers(home=unit_a1, other=unit_b1)


def broadcast_in(status: str) -> Broadcast:
    return Broadcast(status=status)


@pytest.mark.django_db
@pytest.mark.parametrize("status", B.values)
def test_broadcast_actions_follow_the_permissions_and_the_status(viewers, status):
    subject = broadcast_in(status)
    editable = status in {B.DRAFT, B.SCHEDULED}
    cancellable = status in {B.DRAFT, B.SCHEDULED, B.SENDING}
    assert refusal_code(policy.broadcast_edit_refusal(subject)) == (None if editable else "BROADCAST_NOT_EDITABLE")
    assert refusal_code(policy.broadcast_cancel_refusal(subject)) == (
        None if cancellable else "BROADCAST_NOT_CANCELLABLE"
    )
    for name in EVERYONE:
        viewer = viewers[name]
        broadcasts = name in BROADCASTERS
        assert policy.may_compose_broadcast(viewer) == broadcasts, name
        assert policy.broadcast_actions_open(viewer, subject) == policy.BroadcastActions(
            edit=broadcasts and editable,
            send=broadcasts and editable,
            cancel=broadcasts and cancellable,
            export=broadcasts,
        ), name


@pytest.mark.django_db
def test_news_is_broadcast_by_broadcasters_who_may_read_or_edit_it(viewers, site_tree, building_a):
    public = make_news(site_tree.news, title="Przerwa w dostawie wody")
    board_only = make_news(site_tree.news, title="Dla zarządu")
    restrict_page(board_only, groups=[Group.objects.get(name="Zarząd")])
    for name in EVERYONE:
        viewer = viewers[name]
        assert policy.may_broadcast_news(viewer, public) == (name in BROADCASTERS), name
        # Editors edit every page; the others must be able to read it.
        may_reach = name in {"editor", "superuser"}
        assert policy.may_broadcast_news(viewer, board_only) == (name in BROADCASTERS and may_reach), name


@pytest.mark.django_db
@pytest.mark.parametrize("status", B.values)
def test_the_services_refuse_exactly_what_the_policy_refuses(viewers, unit_a1, status):
    subject = make_broadcast(units=[unit_a1])
    Broadcast.objects.filter(pk=subject.pk).update(status=status)
    subject.refresh_from_db()
    administrator = viewers["administrator"]
    cancelled = refused_by_service(lambda: services.broadcast_cancel(broadcast=subject, user=administrator))
    assert cancelled == refusal_code(policy.broadcast_cancel_refusal(subject))
    saved = refused_by_service(lambda: services.broadcast_draft_save(broadcast=subject, user=administrator))
    assert saved == refusal_code(policy.broadcast_edit_refusal(subject))
    if policy.broadcast_edit_refusal(subject):
        scheduled = refused_by_service(lambda: services.broadcast_schedule(broadcast=subject, user=administrator))
        assert scheduled == BroadcastErrorCode.BROADCAST_NOT_EDITABLE
    gone = Broadcast(pk=subject.pk + 1000, status=B.DRAFT)
    assert refused_by_service(lambda: services.broadcast_draft_save(broadcast=gone)) == "BROADCAST_NOT_EDITABLE"
    assert refusal_code(policy.broadcast_edit_refusal(None)) == BroadcastErrorCode.BROADCAST_NOT_EDITABLE
