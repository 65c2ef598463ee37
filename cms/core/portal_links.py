"""Where the links residents get lead: the portal's addresses and the hub's own, in one place.

The resident portal (`frontend-templates/portal`) is served at `PORTAL_URL` (the site
root by default) with real paths, not hash routes. Its addresses, which the hub's
messages and refusals use and the portal resolves:

    /                                   home
    /zaloguj?next=<path>                sign in (PORTAL_SIGN_IN_PATH), then open <path>: a
                                        path on the hub, a portal address or one the hub
                                        serves itself (a document download)
    /niedostepne                        "not available to you"
    /zgloszenia                         the viewer's tickets
    /zgloszenia/<id>                    one ticket; <id> is the API's `Ticket.id`, exactly
                                        what `ticket(id:)` takes
    /oplaty                             the viewer's balances, payments and billing documents
                                        ("Moje opłaty"; payment reminders link here)
    /ankiety                            surveys and votes waiting for the viewer, and results
    /ankiety/<id>                       one survey (<id>: the API's `Survey.id`)
    /glosowania/<id>                    one resolution (<id>: the API's `Resolution.id`); the
                                        result notices and vote reminders link here
    /konto/potwierdz/<uid>/<token>/     confirm an account (account e-mails)
    /konto/nowe-haslo/<uid>/<token>/    set a new password (account e-mails)
    /druk/<page path>                   a news item or alert to print for the staircase
                                        (the admin's "print" button)
    /podglad?token=<token>              an editor's preview of a draft (cms.preview)
    any other path                      a page of the site, read with `page(urlPath:)`: the
                                        page's Wagtail URL path relative to its site's
                                        root, e.g. /aktualnosci/<slug>/

Served by the hub itself at BASE_URL (`WAGTAILADMIN_BASE_URL`), never by the portal:
document downloads (/documents/<id>/<file>, collection restrictions checked), image
files, e-mail preferences and unsubscribing (/messages/...), ticket photos, billing
documents (/billing/documents/<id>/pdf/, to the account's viewers), the API
(/graphql), the staff admin (/admin/) and Wagtail's own server-rendered pages (under
the prefix cms/urls.py gives them, for previews and password forms).

Every link a resident receives is built here: never from the Wagtail Site's host (its
`root_url` has no port and is not where residents go) and never to the admin.
"""

from __future__ import annotations

import base64
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from wagtail.models import Site

SIGN_IN_PATH = "/zaloguj"
TICKETS_PATH = "/zgloszenia"
BILLING_PATH = "/oplaty"
SURVEYS_PATH = "/ankiety"
RESOLUTIONS_PATH = "/glosowania"
# Paths on a hub host that the hub serves itself; any other path there is a page's.
HUB_PATH_PREFIXES = (
    "/documents/",
    "/media/",
    "/messages/",
    "/tickets/",
    "/billing/",
    "/surveys/",
    "/admin/",
    "/graphql",
    "/static/",
)


def _join(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")


def portal_url(path: str = "/") -> str:
    """The portal's address of `path` (a portal route, or a page's path within the site)."""
    return _join(settings.PORTAL_URL, path)


def hub_url(path: str) -> str:
    """The hub's own address of `path` (a download, an e-mail preferences page), on BASE_URL."""
    return _join(settings.WAGTAILADMIN_BASE_URL, path)


def sign_in_url(next_path: str | None = None) -> str:
    """The portal's sign-in, which opens `next_path` (a path on the hub) once signed in."""
    url = portal_url(getattr(settings, "PORTAL_SIGN_IN_PATH", SIGN_IN_PATH))
    if next_path and is_local_path(next_path):
        url += "?" + urlencode({"next": next_path})
    return url


def is_local_path(path: str) -> bool:
    """Whether `path` stays on the host it is opened on: a path, never "//host", and no
    backslash or control character (browsers read "/\\host" and "/<tab>/host" as a host)."""
    return (
        path.startswith("/")
        and not path.startswith("//")
        and "\\" not in path
        and not any(ord(character) < 32 or ord(character) == 127 for character in path)
    )


def page_portal_path(page) -> str:
    """`page`'s path within its site, as the API's `urlPath` gives it and `page(urlPath:)`
    takes it: its Wagtail URL path relative to the site root (`/aktualnosci/awaria/`)."""
    for root in Site.get_site_root_paths():
        if page.url_path.startswith(root.root_path):
            return "/" + page.url_path[len(root.root_path) :]
    return page.url_path


def page_portal_url(page) -> str:
    """Where a resident reads `page` (a news item, an investment...): in the portal."""
    return portal_url(page_portal_path(page))


def global_id(type_name: str, row_or_pk) -> str:
    """The API's id of a row (a Relay global id of the GraphQL type `type_name`)."""
    pk = getattr(row_or_pk, "pk", row_or_pk)
    return base64.b64encode(f"{type_name}:{pk}".encode()).decode()


def _portal_item_url(path: str, type_name: str, row_or_pk) -> str:
    # A base64 id may hold "/": quoted, and the portal decodes the path segment.
    return portal_url(f"{path}/{quote(global_id(type_name, row_or_pk), safe='=+')}")


def ticket_global_id(ticket_or_pk) -> str:
    """The API's id of a ticket (a Relay global id of type `Ticket`)."""
    return global_id("Ticket", ticket_or_pk)


def ticket_portal_url(ticket_or_pk) -> str:
    """Where a resident (or the ticket's firm) follows a ticket: in the portal."""
    return _portal_item_url(TICKETS_PATH, "Ticket", ticket_or_pk)


def survey_portal_url(survey_or_pk) -> str:
    """Where a resident answers a survey or sees its results: in the portal."""
    return _portal_item_url(SURVEYS_PATH, "Survey", survey_or_pk)


def resolution_portal_url(resolution_or_pk) -> str:
    """Where an owner reads a resolution, votes on it and sees its result: in the portal."""
    return _portal_item_url(RESOLUTIONS_PATH, "Resolution", resolution_or_pk)


def document_url(document) -> str:
    """A document's download address, on the hub (the download checks its collection)."""
    return hub_url(document.url)


def _hub_hosts() -> set[str]:
    hosts = {urlsplit(url).hostname for url in (settings.WAGTAILADMIN_BASE_URL, settings.PORTAL_URL)}
    hosts |= {hostname.lower() for hostname in Site.objects.values_list("hostname", flat=True)}
    return {host for host in hosts if host}


def _within(link: str, base: str) -> str | None:
    """The rest of `link` after `base` (a URL without a trailing slash), or None."""
    base = base.rstrip("/")
    if link == base:
        return "/"
    if link.startswith(base) and link[len(base)] in "/?#":
        return link[len(base) :] if link[len(base)] == "/" else "/" + link[len(base) :]
    return None


def resident_link(link: str) -> str:
    """`link` as a resident should get it, for links staff type (a broadcast's): a link
    into the hub's pages (on a Wagtail Site's host, BASE_URL's, the portal's, or a bare
    path; Wagtail's serving prefix dropped) leads to the page in the portal, and one to
    what the hub serves itself (a document) leads there on BASE_URL. Links to other
    websites, and empty ones, are kept as they are."""
    link = (link or "").strip()
    if not link:
        return ""
    path = _within(link, settings.PORTAL_URL)
    if path is None:
        parts = urlsplit(link)
        if parts.scheme or parts.netloc:
            if parts.scheme not in ("http", "https") or (parts.hostname or "") not in _hub_hosts():
                return link
        elif not link.startswith("/") or link.startswith("//"):
            return link
        path = urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
    if urlsplit(path).path.startswith(HUB_PATH_PREFIXES):
        return hub_url(path)
    # A page's address on Wagtail's own serving (page.full_url) has Wagtail's prefix;
    # the portal's address of the page is its path within the site.
    prefix = _wagtail_serving_prefix()
    if prefix != "/" and path.startswith(prefix):
        path = "/" + path[len(prefix) :]
    return portal_url(path)


def _wagtail_serving_prefix() -> str:
    """Where cms/urls.py mounts Wagtail's page serving ("/strony/"; "/" at the root)."""
    try:
        return reverse("wagtail_serve", args=[""])
    except NoReverseMatch:
        return "/"
