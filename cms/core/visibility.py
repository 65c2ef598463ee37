"""Who may see a page, a collection's documents and images: Wagtail's view restrictions, as sets.

Wagtail's own `accept_request` decides one restriction for one request. The API, search
and download paths need the same answer for many items at once, so this module asks the
database once for the restrictions the viewer does *not* pass and excludes everything
under their paths. The semantics follow Wagtail exactly:

- `login`: any signed-in user *the cooperative recognises* passes: one who belongs to an
  audience (a verified resident, staff, a contractor) or a superuser. This is stricter
  than Wagtail's "any signed-in user" on purpose: anyone may register an account, and
  the issue asks that unverified users see only public content. Wagtail's page serving
  and document downloads apply the same rule through hooks (cms/core/wagtail_hooks.py);
- `groups`: members of any listed group pass, superusers always;
- `password`: never passes here; password-protected content is only served by Wagtail's
  own page serving after the password form, never by the API, search or listings;
- a restriction covers its page (collection) and every descendant, because a
  descendant's path starts with its ancestor's path; an alias page is covered by the
  restrictions of its source page, as in Wagtail.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Q, QuerySet
from wagtail.models import BaseViewRestriction, CollectionViewRestriction, PageViewRestriction


def _audience_groups_of(user) -> QuerySet:
    return Group.objects.filter(user=user, audience__isnull=False)


def is_recognised(user) -> bool:
    """Whether `user` passes `login` restrictions: a superuser or a member of an audience."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or _audience_groups_of(user).exists()


def _denied_paths(restrictions: QuerySet, path_lookup: str, user) -> list[str]:
    """Tree paths of the restrictions `user` does not pass, ancestors only."""
    if user is not None and user.is_authenticated:
        if user.is_superuser:
            restrictions = restrictions.exclude(
                restriction_type__in=[BaseViewRestriction.LOGIN, BaseViewRestriction.GROUPS]
            )
        else:
            restrictions = restrictions.exclude(
                Q(restriction_type=BaseViewRestriction.LOGIN) & Exists(_audience_groups_of(user))
            )
            through = restrictions.model.groups.through
            owner_field = restrictions.model._meta.model_name + "_id"
            shares_a_group = Exists(
                through.objects.filter(**{owner_field: OuterRef("pk")}, group__user=user)
            )
            restrictions = restrictions.exclude(
                Q(restriction_type=BaseViewRestriction.GROUPS) & shares_a_group
            )
    paths = sorted(set(restrictions.values_list(path_lookup, flat=True)))
    # A restriction inside an already denied subtree adds nothing to the exclusion.
    kept: list[str] = []
    for path in paths:
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def _exclude_subtrees(queryset: QuerySet, path_fields: tuple[str, ...], denied: list[str]) -> QuerySet:
    if not denied:
        return queryset
    condition = Q()
    for path in denied:
        for field in path_fields:
            condition |= Q(**{f"{field}__startswith": path})
    return queryset.exclude(condition)


def denied_page_paths(user) -> list[str]:
    return _denied_paths(PageViewRestriction.objects.all(), "page__path", user)


def denied_collection_paths(user) -> list[str]:
    return _denied_paths(CollectionViewRestriction.objects.all(), "collection__path", user)


def restrict_pages(
    queryset: QuerySet, user, *, denied: list[str] | None = None, within: str | None = None
) -> QuerySet:
    """Pages of `queryset` that `user` may read: live, not expired, restrictions passed,
    and, given `within` (a site's root path), in that site only."""
    if denied is None:
        denied = denied_page_paths(user)
    if within:
        queryset = queryset.filter(path__startswith=within)
    # An alias shows its source page's content, so the source's restrictions (and those of
    # the source's ancestors) cover the alias too, wherever in the tree the alias stands.
    return _exclude_subtrees(queryset.filter(live=True, expired=False), ("path", "alias_of__path"), denied)


def restrict_by_collection(queryset: QuerySet, user, *, denied: list[str] | None = None) -> QuerySet:
    """Documents or images of `queryset` whose collection `user` may read."""
    if denied is None:
        denied = denied_collection_paths(user)
    return _exclude_subtrees(queryset, ("collection__path",), denied)


def page_is_visible(page, user) -> bool:
    return restrict_pages(type(page).objects.filter(pk=page.pk), user).exists()


def is_under(path: str, denied: list[str]) -> bool:
    """Whether a tree `path` lies in one of the `denied` subtrees."""
    return any(path.startswith(prefix) for prefix in denied)


def collection_is_visible(collection, user) -> bool:
    return not is_under(collection.path, denied_collection_paths(user))


def denied_paths_for_request(request, kind: str) -> list[str]:
    """`denied_page_paths` ("pages") or `denied_collection_paths` ("collections") for the
    request's user, computed once per request however many resolvers and rich text
    fields ask."""
    memo = request.__dict__.setdefault("_hub_denied_paths", {})
    if kind not in memo:
        compute = denied_page_paths if kind == "pages" else denied_collection_paths
        memo[kind] = compute(request.user)
    return memo[kind]
