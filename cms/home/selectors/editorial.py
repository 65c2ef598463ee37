"""Reads of the site's editorial work, for the editors' part of the situation centre and
the list it links to: what editors left unfinished, what waits for a moderator and what
will go live by itself, among the pages (of every type) a person may edit.

How Wagtail 8 keeps these, which the conditions below follow:

- moderation is a `WorkflowState` per page (or snippet): `in_progress` while a task
  waits for a reviewer, `needs_changes` once a reviewer sent it back; Wagtail's workflow
  report lists them (`/admin/reports/workflow/?status=...`);
- a scheduled publication is the revision approved with a go-live moment,
  `Revision.approved_go_live_at` (set when an editor publishes with a future "go live"
  date; at most one revision of a page holds it, and the beat task publishes it when
  due). `Page.go_live_at` is only the editor's form field: a draft may carry one without
  being scheduled, and scheduling a change to a live page does not write it to the page;
- unsaved work is `Page.has_unpublished_changes`: a draft never published, or changes to
  a live page not yet published (Wagtail's "draft" and "live + draft").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models import CharField, Count, Exists, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from wagtail.models import Page, Revision, WorkflowState, get_default_page_content_type
from wagtail.permissions import policy_registry
from wagtail.snippets.models import get_editable_models

# The states of the editors' own list (the others are Wagtail's workflow report).
UNPUBLISHED = "unpublished"
SCHEDULED = "scheduled"


def may_edit_pages(user) -> bool:
    """Whether `user` may edit some page (Wagtail's page permissions: editors, superusers)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return policy_registry.get_by_type(Page).user_has_permission(user, "change")


def pages_editable_by(user) -> QuerySet:
    """The pages `user` may edit (the tree's root, which nobody edits, left out)."""
    pages = policy_registry.get_by_type(Page).instances_user_has_permission_for(user, "change")
    return pages.filter(depth__gt=1)


def _page_id():
    # Revisions and workflow states name their object by a text id.
    return Cast(OuterRef("pk"), output_field=CharField())


def _approved_go_live():
    revisions = Revision.page_revisions.filter(object_id=_page_id(), approved_go_live_at__isnull=False)
    return revisions.order_by().values("approved_go_live_at")[:1]


def scheduled() -> Q:
    """A page with a revision approved to go live later (Wagtail's "scheduled")."""
    return Q(Exists(_approved_go_live()))


def in_moderation() -> Q:
    """A page in a workflow not finished: waiting for a reviewer or sent back for changes."""
    states = WorkflowState.objects.active().filter(
        base_content_type=get_default_page_content_type(), object_id=_page_id()
    )
    return Q(Exists(states))


def unpublished() -> Q:
    """Changes left unpublished that nothing will publish: not scheduled, not in moderation."""
    return Q(has_unpublished_changes=True) & ~scheduled() & ~in_moderation()


STATES = {UNPUBLISHED: unpublished, SCHEDULED: scheduled}


def pages_in_state(pages: QuerySet, state: str) -> QuerySet:
    """`pages` in `state`; by id, so that the admin's page search may filter by it too (its
    index filters on the page's id, not on revisions or workflows)."""
    return pages.filter(id__in=Page.objects.filter(STATES[state]()).values("id"))


def with_go_live(pages: QuerySet) -> QuerySet:
    """`pages`, each with `approved_go_live_at`: when its scheduled revision goes live (or None)."""
    return pages.annotate(approved_go_live_at=Subquery(_approved_go_live()))


def workflow_states_editable_by(user) -> QuerySet:
    """Workflow states of the pages and snippets `user` may edit: the rows Wagtail's workflow
    report lists (`wagtail.admin.views.reports.workflows.WorkflowView.get_queryset`)."""
    page_ids = policy_registry.get_by_type(Page).instances_user_has_permission_for(user, "change")
    pages = Q(
        base_content_type=get_default_page_content_type(),
        object_id__in=page_ids.values_list(Cast("id", output_field=CharField()), flat=True),
    )
    snippet_types = [kind.pk for kind in ContentType.objects.get_for_models(*get_editable_models(user)).values()]
    return WorkflowState.objects.filter(pages | Q(content_type_id__in=snippet_types))


@dataclass(frozen=True)
class EditorialSituation:
    awaiting_moderation: int
    needs_changes: int
    unpublished: int
    scheduled: int
    next_go_live: datetime | None


def editorial_situation(user) -> EditorialSituation:
    """The editors' figures for `user`, in two queries whatever the number of pages: the
    workflow states (as Wagtail's workflow report counts them), and the pages."""
    states = workflow_states_editable_by(user).aggregate(
        awaiting=Count("pk", filter=Q(status=WorkflowState.STATUS_IN_PROGRESS)),
        needs_changes=Count("pk", filter=Q(status=WorkflowState.STATUS_NEEDS_CHANGES)),
    )
    pages = pages_editable_by(user).aggregate(
        unpublished=Count("pk", filter=unpublished()),
        scheduled=Count("pk", filter=scheduled()),
        next_go_live=Min(Subquery(_approved_go_live())),
    )
    return EditorialSituation(
        awaiting_moderation=states["awaiting"],
        needs_changes=states["needs_changes"],
        unpublished=pages["unpublished"],
        scheduled=pages["scheduled"],
        next_go_live=pages["next_go_live"],
    )
