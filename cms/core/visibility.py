"""Who may see a page, a collection's documents and images: Wagtail's view restrictions, as sets.

Wagtail's own `accept_request` decides one restriction for one request. The API, search
and download paths need the same answer for many items at once, so this module makes it
a condition of the query: a row is left out when a restriction the viewer does *not*
pass sits on its page (collection) or an ancestor, found by joining the restrictions on
the prefixes of the row's tree path (`Denial`). The cost per row is a few index probes,
whatever the number of restrictions in the site. The semantics follow Wagtail's, except
where said:

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
what a viewer may read (`restrict_pages`, `restrict_by_collection`, `Denial`) and who may read one
page (`page_readers`, a condition on users, for the people a message about the page may
reach).
"""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import (
    CharField,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Substr
from wagtail.models import BaseViewRestriction, Collection, CollectionViewRestriction, Page, PageViewRestriction

from cms.core import content_version
from cms.core.memo import BoundedMemo


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


def viewer_group_ids(user) -> tuple[int, ...]:
    """The ids of the groups `user` belongs to (none when anonymous), sorted: what every
    visibility decision of a request is made from (`Denial`), and what the response cache
    keys shared answers by, read once so that both agree."""
    if user is None or not user.is_authenticated:
        return ()
    return tuple(sorted(Group.objects.filter(user=user).values_list("pk", flat=True)))


def _not_passed(restrictions: QuerySet, user, group_ids: tuple[int, ...] | QuerySet) -> QuerySet:
    """The restrictions of `restrictions` that `user`, a member of `group_ids`, does not pass."""
    if user is not None and user.is_authenticated:
        if user.is_superuser:
            restrictions = restrictions.exclude(
                restriction_type__in=[BaseViewRestriction.LOGIN, BaseViewRestriction.GROUPS]
            )
        elif not isinstance(group_ids, tuple) or group_ids:  # in no group: passes nothing
            recognised = Exists(Group.objects.filter(pk__in=group_ids, audience__isnull=False))
            restrictions = restrictions.exclude(Q(restriction_type=BaseViewRestriction.LOGIN) & recognised)
            through = restrictions.model.groups.through
            owner_field = restrictions.model._meta.model_name + "_id"
            shares_a_group = Exists(through.objects.filter(**{owner_field: OuterRef("pk")}, group_id__in=group_ids))
            restrictions = restrictions.exclude(Q(restriction_type=BaseViewRestriction.GROUPS) & shares_a_group)
    return restrictions


def tree_ancestry(path: str, steplen: int = Page.steplen) -> set[str]:
    """The tree paths of the node at `path` and of all its ancestors (prefixes of `path`):
    pages by default, collections with `Collection.steplen`."""
    return {path[:end] for end in range(steplen, len(path) + 1, steplen)}


def _prefixes(path: Expression, depth: int, steplen: int) -> list[Substr]:
    """The paths of a row's node and its ancestors, as SQL: its path cut after each step.

    Past the row's own depth the cut is the whole path again, so `depth` only needs to
    reach the deepest node of the tree; `path IN (these)` then finds the row's ancestry
    through the path's unique index, one probe per level."""
    return [Substr(path, 1, steplen * level) for level in range(1, depth + 1)]


def _depth_field(path_field: str) -> str:
    """The tree-depth field beside a tree-path field (`path` -> `depth`)."""
    return path_field.removesuffix("path") + "depth"


def _full_depth(model) -> int:
    return model._meta.get_field("path").max_length // model.steplen


class Denial:
    """What one viewer may not read, pages and collections, as conditions the database
    evaluates. Worked out once per request (`denial_for_request`) and shared by every
    list, rich text field and image of the response.

    A page (a collection) is hidden when a restriction the viewer does not pass sits on
    it or on one of its ancestors, or, for pages, when one of its ancestors (itself
    included) is an alias that shows hidden content. The restrictions are joined on the
    path's prefixes (an ancestor's path is a prefix of its descendants'), so the cost is
    a few index probes per row whatever the number of restrictions in the site: a
    thousand news items each restricted to a building cost what ten do, and no query
    grows with them. Only aliases are worked out beforehand, in Python: they are few
    (editors make them by hand), and an alias's source is not a prefix of the alias.
    """

    def __init__(
        self,
        user,
        *,
        group_ids: tuple[int, ...] | QuerySet,
        page_depth: int,
        collection_depth: int,
        hidden_alias_ids: frozenset[int],
    ):
        self.user = user
        self.group_ids = group_ids
        self.page_depth = page_depth
        self.collection_depth = collection_depth
        self.hidden_alias_ids = hidden_alias_ids

    def pages_hidden(self, path: str = "path") -> Q:
        """The condition "the page whose tree path is in field `path` is hidden".

        A page deeper than the tree was when the depth was read (made since, in this
        request's lifetime) is hidden too: its ancestry would not be searched whole."""
        ancestry = _prefixes(OuterRef(path), self.page_depth, Page.steplen)
        not_passed = _not_passed(PageViewRestriction.objects.all(), self.user, self.group_ids)
        condition = Q(Exists(not_passed.filter(page__path__in=ancestry)))
        condition |= Q(**{_depth_field(path) + "__gt": self.page_depth})
        if self.hidden_alias_ids:
            condition |= Q(Exists(Page.objects.filter(pk__in=self.hidden_alias_ids, path__in=ancestry)))
        return condition

    def collections_hidden(self, path: str = "path") -> Q:
        """The condition "the collection whose tree path is in field `path` is hidden"
        (`collection__path` for documents and images); deeper than the tree was when its
        depth was read counts as hidden, as for pages."""
        ancestry = _prefixes(OuterRef(path), self.collection_depth, Collection.steplen)
        not_passed = _not_passed(CollectionViewRestriction.objects.all(), self.user, self.group_ids)
        condition = Q(Exists(not_passed.filter(collection__path__in=ancestry)))
        return condition | Q(**{_depth_field(path) + "__gt": self.collection_depth})

    @cached_property
    def readable_collection_paths(self) -> frozenset[str]:
        """The collections the viewer may read, listed (one query, on first use): for
        answers made in Python, such as an image's collection. Collections are few, unlike
        pages. Listed as readable, not hidden, so that a collection made after the list
        was read is refused, never let through."""
        readable = Collection.objects.exclude(self.collections_hidden("path"))
        return frozenset(readable.values_list("path", flat=True))

    def may_read_collection(self, path: str) -> bool:
        return path in self.readable_collection_paths


def denial_of(user, *, group_ids: tuple[int, ...] | QuerySet | None = None) -> Denial:
    """The viewer's `Denial`, in one query: the depth of each tree and, beside them, every
    alias in the site with its source's path and whether a restriction the viewer does
    not pass sits above that source. An alias whose source is hidden shows hidden
    content, so it is hidden too, and so on through aliases of aliases until nothing
    changes (Wagtail's "an alias among the ancestors" rule, as a set)."""
    if group_ids is None:
        # Outside a request: the groups as a subquery of the one query below.
        signed_in = user is not None and user.is_authenticated
        group_ids = Group.objects.filter(user=user).values("pk") if signed_in else ()
    not_passed = _not_passed(PageViewRestriction.objects.all(), user, group_ids)
    source_ancestry = _prefixes(OuterRef("alias_of__path"), _full_depth(Page), Page.steplen)
    source_restricted = Cast(Exists(not_passed.filter(page__path__in=source_ancestry)), IntegerField())
    aliases = Page.objects.filter(alias_of__isnull=False).order_by()
    rows = aliases.values_list(Value("alias"), "pk", "path", "alias_of__path", source_restricted)
    no_number, no_text = Value(None, output_field=IntegerField()), Value(None, output_field=CharField())
    for tree, model in (("pages", Page), ("collections", Collection)):
        # MAX as a plain function, not Django's aggregate, which would group by every column.
        deepest = model.objects.order_by().values_list(Func(F("depth"), function="MAX"))
        roots = model.objects.filter(depth=1).order_by()
        rows = rows.union(roots.values_list(Value(tree), no_number, no_text, no_text, Subquery(deepest)), all=True)
    depths = {"pages": 1, "collections": 1}
    sources: dict[int, tuple[str, str]] = {}
    hidden: set[int] = set()
    for kind, pk, path, source, number in rows:
        if kind == "alias":
            sources[pk] = (path, source)
            if number:
                hidden.add(pk)
        else:
            depths[kind] = max(depths[kind], number or 1)
    while True:
        hidden_paths = {sources[pk][0] for pk in hidden}
        newly = {pk for pk, (_, source) in sources.items() if pk not in hidden and tree_ancestry(source) & hidden_paths}
        if not newly:
            break
        hidden |= newly
    return Denial(
        user,
        group_ids=group_ids,
        page_depth=depths["pages"],
        collection_depth=depths["collections"],
        hidden_alias_ids=frozenset(hidden),
    )


def page_restrictions(page) -> QuerySet:
    """The restrictions that decide who may read `page`, by the module's rule: those on
    the page and its ancestors and, for each alias among them, those on its source page
    and the source's ancestors, and so on. One query for the page's ancestry and one more
    per alias followed: for one page (a broadcast's news item), never for lists, which
    use `Denial`."""
    paths: set[str] = set()
    pending = [page.path]
    while pending:
        new = tree_ancestry(pending.pop()) - paths
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
    `Denial`. An unrestricted page gives `Q()`, which admits everyone.

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


def restrict_pages(queryset: QuerySet, user, *, denial: Denial | None = None, within: str | None = None) -> QuerySet:
    """Pages of `queryset` that `user` may read: live, not expired, restrictions passed,
    and, given `within` (a site's root path), in that site only."""
    denial = denial or denial_of(user)
    if within:
        queryset = queryset.filter(path__startswith=within)
    return queryset.filter(live=True, expired=False).exclude(denial.pages_hidden("path"))


def restrict_by_collection(queryset: QuerySet, user, *, denial: Denial | None = None) -> QuerySet:
    """Documents or images of `queryset` whose collection `user` may read."""
    denial = denial or denial_of(user)
    return queryset.exclude(denial.collections_hidden("collection__path"))


def page_is_visible(page, user) -> bool:
    return restrict_pages(type(page).objects.filter(pk=page.pk), user).exists()


def collection_is_visible(collection, user) -> bool:
    hidden = Collection.objects.filter(denial_of(user).collections_hidden("path"))
    return not hidden.filter(pk=collection.pk).exists()


def group_ids_for_request(request) -> tuple[int, ...]:
    """`viewer_group_ids` of the request's user, read once per request."""
    if "_hub_group_ids" not in request.__dict__:
        request._hub_group_ids = viewer_group_ids(request.user)
    return request._hub_group_ids


# What `denial_of` finds beside the user (the trees' depths and the hidden aliases), by
# content version and the viewer's standing: a pure function of them.
_denial_facts = BoundedMemo(kept=1024)


def denial_for_request(request) -> Denial:
    """The request's user's `Denial`, worked out once per request however many resolvers,
    rich text fields and images ask, from the same groups the response cache keyed the
    request by.

    What it finds depends only on the content and on whether the viewer is signed in, a
    superuser, and in which groups; every change to the content (restrictions, their
    groups, pages, aliases, collections, audiences) raises the content version. So a
    process remembers it by version and standing (the response cache's key), and a
    request that finds it there makes no query for it."""
    if "_hub_denial" not in request.__dict__:
        user = request.user
        group_ids = group_ids_for_request(request)
        standing = (content_version.of_request(request), user.is_authenticated, user.is_superuser, group_ids)
        facts = _denial_facts.get(standing)
        if facts is None:
            found = denial_of(user, group_ids=group_ids)
            facts = (found.page_depth, found.collection_depth, found.hidden_alias_ids)
            _denial_facts.put(standing, facts)
        page_depth, collection_depth, hidden_alias_ids = facts
        request._hub_denial = Denial(
            user,
            group_ids=group_ids,
            page_depth=page_depth,
            collection_depth=collection_depth,
            hidden_alias_ids=hidden_alias_ids,
        )
    return request._hub_denial


def forget_denials() -> None:
    _denial_facts.clear()
