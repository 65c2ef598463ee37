"""Who may see a page, a collection's documents and images: Wagtail's view restrictions, as sets.

Wagtail's own `accept_request` decides one restriction for one request. The API, search
and download paths need the same answer for many items at once, so this module asks the
database once for the restrictions the viewer does *not* pass and excludes everything
under their paths. The semantics follow Wagtail's, except where said:

- `login`: any signed-in user *the cooperative recognises* passes: one who belongs to an
  audience (a verified resident, staff, a contractor) or a superuser. This is stricter
  than Wagtail's "any signed-in user" on purpose: anyone may register an account, and
  the issue asks that unverified users see only public content. Wagtail's page serving
  and document downloads apply the same rule through hooks (cms/core/wagtail_hooks.py);
- `groups`: members of any listed group pass, superusers always;
- `password`: never passes here; password-protected content is only served by Wagtail's
  own page serving after the password form, never by the API, search or listings;
- a restriction covers its page (collection) and every descendant, because a
  descendant's path starts with its ancestor's path;
- aliases, as Wagtail's `Page.get_view_restrictions` resolves them: for a page and each
  of its ancestors that is an alias, Wagtail takes the restrictions of the alias's
  source page instead (following an alias of an alias to the end). So a restriction on
  a page covers, besides its own subtree, every alias of that page (of any chain length)
  *and everything under those aliases*: a page published under an alias of a restricted
  section is restricted, though neither it nor its `alias_of` lies in that section.

Where the hub is stricter than Wagtail about aliases (kept on purpose, never looser):
Wagtail ignores a restriction stored on an alias page itself (it looks at the source
instead; `create_alias` copies the source's own restrictions onto the alias), and it does
not cover an alias by restrictions on its *source's ancestors*, so an alias of a page
inside a restricted section, placed in a public one, is served to everyone by Wagtail.
Here both still deny: an alias shows its source's content, and the content of a
restricted section must not come out through a copy of it.

In one rule: a page is hidden when it, or any page it shows through aliases (its
ancestors, and for each alias among them, the source and the source's ancestors, and so
on), lies under a restriction the viewer does not pass.

The module answers both directions of that rule, so that no other app keeps a copy:
what a viewer may read (`restrict_pages`, `denied_page_paths`, ...) and who may read one
page (`page_readers`, a condition on users, for the people a message about the page may
reach).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import CharField, Exists, OuterRef, Q, QuerySet, Value
from wagtail.models import BaseViewRestriction, CollectionViewRestriction, Page, PageViewRestriction


def _audience_groups_of(user) -> QuerySet:
    return Group.objects.filter(user=user, audience__isnull=False)


def is_recognised(user) -> bool:
    """Whether `user` passes `login` restrictions: a superuser or a member of an audience."""
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or _audience_groups_of(user).exists()


def recognised_users() -> Q:
    """`is_recognised` as a condition on users, for sets of people (a message's readers).

    A subquery rather than a join through `groups`, so that a person in several audience
    groups is still one row and the condition can be combined with any other."""
    in_an_audience = get_user_model().objects.filter(groups__audience__isnull=False).values("pk")
    return Q(is_superuser=True) | Q(pk__in=in_an_audience)


def _not_passed(restrictions: QuerySet, user) -> QuerySet:
    """The restrictions of `restrictions` that `user` does not pass."""
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
    return restrictions


def _outermost(paths) -> list[str]:
    """`paths` without those inside another one's subtree: they add nothing to an exclusion."""
    kept: list[str] = []
    for path in sorted(set(paths)):
        if not kept or not path.startswith(kept[-1]):
            kept.append(path)
    return kept


def _ancestry(path: str) -> set[str]:
    """The tree paths of the page at `path` and of all its ancestors (prefixes of `path`)."""
    return {path[:end] for end in range(Page.steplen, len(path) + 1, Page.steplen)}


def _exclude_subtrees(queryset: QuerySet, path_fields: tuple[str, ...], denied: list[str]) -> QuerySet:
    if not denied:
        return queryset
    condition = Q()
    for path in denied:
        for field in path_fields:
            condition |= Q(**{f"{field}__startswith": path})
    return queryset.exclude(condition)


def denied_page_paths(user) -> list[str]:
    """Tree paths of the subtrees `user` may not read (see the module's rule), in one query.

    The query returns the pages of the restrictions `user` does not pass and, beside
    them, every alias in the site with its source's path (aliases are few: editors make
    them by hand). An alias whose source lies in a denied subtree shows that content, so
    its own subtree is denied too, and so on through aliases of aliases until nothing
    changes. Pages under an alias are then denied by its path like any other descendant:
    Wagtail's "an alias among the ancestors" rule, as a set.
    """
    no_source = Value(None, output_field=CharField())
    restricted = _not_passed(PageViewRestriction.objects.all(), user).values_list("page__path", no_source)
    every_alias = Page.objects.filter(alias_of__isnull=False).values_list("path", "alias_of__path")
    rows = list(restricted.order_by().union(every_alias.order_by(), all=True))
    denied = {path for path, source in rows if source is None}
    aliases = [(path, source) for path, source in rows if source is not None]
    while denied:
        newly_denied = {path for path, source in aliases if path not in denied and _ancestry(source) & denied}
        if not newly_denied:
            break
        denied |= newly_denied
    return _outermost(denied)


def denied_collection_paths(user) -> list[str]:
    restrictions = _not_passed(CollectionViewRestriction.objects.all(), user)
    return _outermost(restrictions.values_list("collection__path", flat=True))


def page_restrictions(page) -> QuerySet:
    """The restrictions that decide who may read `page`, by the module's rule: those on
    the page and its ancestors and, for each alias among them, those on its source page
    and the source's ancestors, and so on. One query for the page's ancestry and one more
    per alias followed: for one page (a broadcast's news item), never for lists, which
    use `denied_page_paths`."""
    paths: set[str] = set()
    pending = [page.path]
    while pending:
        new = _ancestry(pending.pop()) - paths
        if not new:
            continue  # already examined: an alias of a page seen before (or a cycle)
        paths |= new
        pending.extend(
            Page.objects.filter(path__in=new, alias_of__isnull=False).values_list("alias_of__path", flat=True)
        )
    return PageViewRestriction.objects.filter(page__path__in=paths)


def page_readers(page) -> Q:
    """Who may read `page`, as a condition on users: the reverse of `restrict_pages`.

    The same restrictions as every other path (`page_restrictions`: the page's ancestors
    and everything it shows through aliases), each with the module's semantics: `groups`
    admits members of a listed group and superusers, `login` admits recognised people
    (`recognised_users`), `password` admits nobody, because nothing but Wagtail's own
    page serving can ask for the password. A reader must pass every restriction, as in
    `denied_page_paths`. An unrestricted page gives `Q()`, which admits everyone.

    Two queries and one more per alias followed (the restrictions with their groups): for
    one page at a time, such as the news item a broadcast announces.
    """
    users = get_user_model().objects
    condition = Q()
    for restriction in page_restrictions(page).prefetch_related("groups"):
        if restriction.restriction_type == BaseViewRestriction.PASSWORD:
            return Q(pk__in=[])
        if restriction.restriction_type == BaseViewRestriction.GROUPS:
            admitted = Q(groups__in=list(restriction.groups.all())) | Q(is_superuser=True)
        elif restriction.restriction_type == BaseViewRestriction.LOGIN:
            admitted = recognised_users()
        else:
            continue
        # Each restriction as its own subquery: a `groups` join per restriction, ANDed in
        # one query, would ask one group row to be in every list at once.
        condition &= Q(pk__in=users.filter(admitted).values("pk"))
    return condition


def restrict_pages(
    queryset: QuerySet, user, *, denied: list[str] | None = None, within: str | None = None
) -> QuerySet:
    """Pages of `queryset` that `user` may read: live, not expired, restrictions passed,
    and, given `within` (a site's root path), in that site only."""
    if denied is None:
        denied = denied_page_paths(user)
    if within:
        queryset = queryset.filter(path__startswith=within)
    # Aliases need no lookup of their own here: `denied` already holds the path of every
    # alias that shows denied content, so the alias and all pages under it match by path.
    return _exclude_subtrees(queryset.filter(live=True, expired=False), ("path",), denied)


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
