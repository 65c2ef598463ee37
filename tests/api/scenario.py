"""A small cooperative with every kind of restricted content, for the API visibility tests.

Residents, memberships, staff roles and contractor staff are written through the hub's
services (`operations.residents.services`, `cms.contractors.services`), so the audience
groups are exactly what real use leaves behind. Content is Wagtail's: pages in the tree,
`PageViewRestriction` and `CollectionViewRestriction` rows naming the audience groups.

Every item has a short *key* (its slug for pages, its title for documents and images):
the tests compare sets of keys, so a failure reads as "resident_b also saw building_a".

Viewers
    anonymous   nobody signed in
    pending     signed in, asked for a unit in building A, not verified yet
    resident_a  verified owner in building A
    resident_b  verified owner in building B
    tenant_a    verified tenant in building A
    contractor  works for the plumbing firm "plumber"
    staff       dispatcher (a staff role)
    superuser   passes every group restriction, but never a password, draft or schedule
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from wagtail.models import Collection, Page

from cms.contractors import services as contractor_services
from cms.contractors.models import ContractorPage
from cms.investments.models import InvestmentGalleryImage, InvestmentIndexPage, InvestmentPage
from cms.news.models import NewsPage
from operations.residents import services as residents
from operations.residents.models import Audience, Membership
from operations.residents.roles import StaffRole
from tests.factories import content as f

User = get_user_model()

PASSWORD = "Sekretne-hasło-42"

VIEWERS = ("anonymous", "pending", "resident_a", "resident_b", "tenant_a", "contractor", "staff", "superuser")

# --- What each viewer may see --------------------------------------------------------------

PUBLIC_NEWS = {"public", "alert-current", "alert-expired"}
# Never served by the API, whoever asks.
HIDDEN_NEWS = {"password", "draft", "unpublished", "scheduled"}
NEWS = {
    "anonymous": PUBLIC_NEWS,
    # An unverified person sees public content only: the hub's "login" restriction admits
    # signed-in users the cooperative recognises (an audience member), not any account.
    "pending": PUBLIC_NEWS,
    "resident_a": PUBLIC_NEWS | {"login", "building-a", "owners", "estate", "a-or-contractors"},
    "resident_b": PUBLIC_NEWS | {"login", "building-b", "alert-b", "owners", "estate"},
    "tenant_a": PUBLIC_NEWS | {"login", "building-a", "estate", "a-or-contractors"},
    "contractor": PUBLIC_NEWS | {"login", "a-or-contractors"},
    "staff": PUBLIC_NEWS | {"login", "staff"},
    "superuser": PUBLIC_NEWS
    | {"login", "building-a", "building-b", "alert-b", "owners", "estate", "staff", "a-or-contractors"},
}

PUBLIC_DOCUMENTS = {"public", "form", "form-archive"}
HIDDEN_DOCUMENTS = {"password"}
DOCUMENTS = {
    "anonymous": PUBLIC_DOCUMENTS,
    "pending": PUBLIC_DOCUMENTS,
    "resident_a": PUBLIC_DOCUMENTS | {"login", "owners", "building-a", "building-a-inspections"},
    "resident_b": PUBLIC_DOCUMENTS | {"login", "owners"},
    "tenant_a": PUBLIC_DOCUMENTS | {"login", "building-a", "building-a-inspections"},
    "contractor": PUBLIC_DOCUMENTS | {"login"},
    "staff": PUBLIC_DOCUMENTS | {"login", "staff-minutes"},
    "superuser": PUBLIC_DOCUMENTS | {"login", "owners", "building-a", "building-a-inspections", "staff-minutes"},
}

HIDDEN_INVESTMENTS = {"inv-draft", "inv-password", "inv-password-child"}
INVESTMENTS = {
    "anonymous": {"inv-public"},
    "pending": {"inv-public"},
    "resident_a": {"inv-public", "inv-building-a", "inv-owners"},
    "resident_b": {"inv-public", "inv-owners", "inv-owners-b"},
    "tenant_a": {"inv-public", "inv-building-a"},
    "contractor": {"inv-public"},
    "staff": {"inv-public"},
    "superuser": {"inv-public", "inv-building-a", "inv-owners", "inv-owners-b"},
}

PUBLIC_CONTRACTORS = {"plumber", "plumber-2", "electrician"}
HIDDEN_CONTRACTORS = {"firm-draft"}
CONTRACTORS = {
    "anonymous": PUBLIC_CONTRACTORS,
    "pending": PUBLIC_CONTRACTORS,
    "resident_a": PUBLIC_CONTRACTORS | {"electrician-login"},
    "resident_b": PUBLIC_CONTRACTORS | {"electrician-login"},
    "tenant_a": PUBLIC_CONTRACTORS | {"electrician-login"},
    "contractor": PUBLIC_CONTRACTORS | {"electrician-login"},
    "staff": PUBLIC_CONTRACTORS | {"electrician-login", "plumber-staff"},
    "superuser": PUBLIC_CONTRACTORS | {"electrician-login", "plumber-staff"},
}
PLUMBERS = {"plumber", "plumber-2", "plumber-staff", "firm-draft"}

# Images: who may see each image's collection.
IMAGES = {
    "anonymous": {"img-public"},
    "pending": {"img-public"},
    "resident_a": {"img-public", "img-a"},
    "resident_b": {"img-public"},
    "tenant_a": {"img-public", "img-a"},
    "contractor": {"img-public"},
    "staff": {"img-public", "img-staff-deep"},
    "superuser": {"img-public", "img-a", "img-staff-deep"},
}

# Section pages (not list items) that `page(urlPath:)` must also serve or guard.
SECTION_KEYS = ("home", "news", "documents", "investments", "contractors")
OWNERS_SECTION_VIEWERS = {"resident_a", "resident_b", "superuser"}


def visible_pages(viewer: str) -> set[str]:
    """Slugs of every page `viewer` may read through `page(urlPath:)`."""
    pages = set(SECTION_KEYS) | NEWS[viewer] | INVESTMENTS[viewer] | CONTRACTORS[viewer]
    if viewer in OWNERS_SECTION_VIEWERS:
        pages = pages | {"inv-owners-section"}
    return pages


# --- The scenario ---------------------------------------------------------------------------


@dataclass
class Scenario:
    tree: f.SiteTree
    estate: object
    building_a: object
    building_b: object
    users: dict[str, object] = field(default_factory=dict)  # viewer name -> User (no anonymous)
    groups: dict[str, object] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)  # slug -> page
    documents: dict[str, object] = field(default_factory=dict)  # key (= title) -> document
    collections: dict[str, Collection] = field(default_factory=dict)
    images: dict[str, object] = field(default_factory=dict)  # key (= title) -> image
    trades: dict[str, object] = field(default_factory=dict)

    def user(self, viewer: str):
        return None if viewer == "anonymous" else self.users[viewer]

    def page(self, key: str) -> Page:
        """A page by key: a section name (home, news, documents, ...) or an item's slug."""
        if key in SECTION_KEYS:
            return getattr(self.tree, key)
        return self.pages[key]

    def path(self, key: str) -> str:
        """The page's path within the site, as `page(urlPath:)` takes it."""
        root = self.tree.home.url_path
        return "/" + self.page(key).url_path[len(root) :]

    def served_path(self, key: str) -> str:
        """Where Wagtail's own page serving answers for the page (under /strony/: the
        site root is the resident portal's)."""
        return reverse("wagtail_serve", args=[self.path(key).lstrip("/")])


def _add(parent, page, *, state="live", restrict=None):
    """Add `page` under `parent` in the given state, restricted as `restrict` says."""
    if state == "live":
        page = f.publish(parent, page)
    elif state == "draft":
        page = f.draft(parent, page)
    elif state == "unpublished":
        page = f.publish(parent, page)
        page.unpublish()
        page.refresh_from_db()
    elif state == "scheduled":
        page = f.schedule(parent, page, timezone.now() + timedelta(days=7))
    else:  # pragma: no cover
        raise ValueError(state)
    if restrict is not None:
        f.restrict_page(page, **restrict)
    return page


def _people(s: Scenario) -> None:
    s.estate = residents.estate_create(name="Osiedle Testowe", slug="osiedle-testowe")
    s.building_a = residents.building_create(
        estate=s.estate, code="A", street="Lipowa", number="1", postal_code="00-950", city="Warszawa"
    )
    s.building_b = residents.building_create(
        estate=s.estate, code="B", street="Lipowa", number="3", postal_code="00-950", city="Warszawa"
    )
    units = {}
    for building in (s.building_a, s.building_b):
        for number in ("1", "2", "3"):
            units[(building.code, number)] = residents.unit_create(
                building=building,
                number=number,
                floor=int(number),
                area=Decimal("48.50"),
                share=Decimal("0.010000"),
                access_code=f"KOD-{building.code}{number}",
            )

    def person(username, **extra):
        user = User.objects.create_user(
            username, email=f"{username}@example.com", password=PASSWORD, first_name=username, **extra
        )
        s.users[username] = user
        return user

    office = person("office")
    residents.staff_role_assign(user=office, role=StaffRole.ADMINISTRATOR)

    def resident(username, unit_key, role):
        user = person(username)
        membership = residents.membership_request(
            user=user,
            unit=units[unit_key],
            role=role,
            proof_kind=Membership.ProofKind.ACCESS_CODE,
            proof_value=f"KOD-{unit_key[0]}{unit_key[1]}",
        )
        return user, membership

    for username, unit_key, role in (
        ("resident_a", ("A", "1"), Membership.Role.OWNER),
        ("resident_b", ("B", "1"), Membership.Role.OWNER),
        ("tenant_a", ("A", "2"), Membership.Role.TENANT),
    ):
        _user, membership = resident(username, unit_key, role)
        residents.membership_verify(membership=membership, decided_by=office)
    # Asked for an owner's place in building A; nobody has decided yet.
    resident("pending", ("A", "3"), Membership.Role.OWNER)

    staff = person("staff")
    residents.staff_role_assign(user=staff, role=StaffRole.DISPATCHER)
    person("contractor")  # linked to the plumbing firm once it exists
    s.users["superuser"] = User.objects.create_superuser("root", "root@example.com", PASSWORD)

    s.groups = {
        "building_a": residents.audience_group(building=s.building_a),
        "building_b": residents.audience_group(building=s.building_b),
        "estate": residents.audience_group(estate=s.estate),
        "owners": residents.audience_group(role=Audience.Role.OWNERS),
        "tenants": residents.audience_group(role=Audience.Role.TENANTS),
        "staff": residents.audience_group(role=Audience.Role.STAFF),
        "contractors": residents.audience_group(role=Audience.Role.CONTRACTORS),
    }


def _collections_documents_images(s: Scenario) -> None:
    g = s.groups
    c = s.collections
    c["forms"] = f.make_collection("Formularze")
    c["forms-archive"] = f.make_collection("Archiwum", parent=c["forms"])
    c["forms-owners"] = f.make_collection("Dla właścicieli", parent=c["forms"])
    f.restrict_collection(c["forms-owners"], groups=[g["owners"]])
    c["building-a"] = f.make_collection("Budynek A")
    f.restrict_collection(c["building-a"], groups=[g["building_a"]])
    c["building-a-inspections"] = f.make_collection("Przeglądy", parent=c["building-a"])
    c["staff"] = f.make_collection("Administracja")
    f.restrict_collection(c["staff"], groups=[g["staff"]])
    c["staff-minutes"] = f.make_collection("Protokoły", parent=c["staff"])
    c["staff-minutes-2024"] = f.make_collection("2024", parent=c["staff-minutes"])
    c["login"] = f.make_collection("Dla zalogowanych")
    f.restrict_collection(c["login"], login=True)
    c["password"] = f.make_collection("Na hasło")
    f.restrict_collection(c["password"], password="tajne")

    docs = (
        # key, collection, category, year, building
        ("public", None, "statute", 2025, None),
        ("form", c["forms"], "form", 2026, None),
        ("form-archive", c["forms-archive"], "form", 2024, None),
        ("owners", c["forms-owners"], "minutes", 2026, None),
        ("building-a", c["building-a"], "technical", 2026, s.building_a),
        ("building-a-inspections", c["building-a-inspections"], "technical", 2025, s.building_a),
        ("staff-minutes", c["staff-minutes-2024"], "minutes", 2024, None),
        ("login", c["login"], "regulations", 2026, None),
        ("password", c["password"], "financial", 2026, None),
    )
    for key, collection, category, year, building in docs:
        s.documents[key] = f.make_document(
            title=key, collection=collection, category=category, year=year, building=building
        )

    s.images["img-public"] = f.make_image(title="img-public")
    s.images["img-a"] = f.make_image(title="img-a", collection=c["building-a"])
    # Two levels below the restricted collection.
    s.images["img-staff-deep"] = f.make_image(title="img-staff-deep", collection=c["staff-minutes-2024"])


def _news(s: Scenario) -> None:
    g = s.groups
    parent = s.tree.news
    now = timezone.now()
    a, b = s.building_a, s.building_b
    alert = dict(kind=NewsPage.Kind.OUTAGE, priority=NewsPage.Priority.URGENT)
    current = dict(valid_from=now - timedelta(hours=1), valid_until=now + timedelta(days=1))
    specs = [
        # slug, state, restriction, buildings, fields
        ("public", "live", None, (), dict(lead_image=s.images["img-a"])),
        ("alert-current", "live", None, (a,), dict(lead_image=s.images["img-public"], **alert, **current)),
        (
            "alert-expired",
            "live",
            None,
            (a,),
            dict(valid_from=now - timedelta(days=3), valid_until=now - timedelta(days=1), **alert),
        ),
        ("login", "live", dict(login=True), (), {}),
        ("building-a", "live", dict(groups=[g["building_a"]]), (a,), {}),
        ("building-b", "live", dict(groups=[g["building_b"]]), (b,), {}),
        ("alert-b", "live", dict(groups=[g["building_b"]]), (b,), dict(**alert, **current)),
        ("owners", "live", dict(groups=[g["owners"]]), (), {}),
        ("estate", "live", dict(groups=[g["estate"]]), (a, b), {}),
        ("staff", "live", dict(groups=[g["staff"]]), (), {}),
        ("a-or-contractors", "live", dict(groups=[g["building_a"], g["contractors"]]), (a,), {}),
        ("password", "live", dict(password="tajne"), (a,), dict(**alert, **current)),
        ("draft", "draft", None, (a,), dict(**alert, **current)),
        ("unpublished", "unpublished", None, (a,), dict(**alert, **current)),
        ("scheduled", "scheduled", None, (a,), dict(**alert, **current)),
    ]
    for slug, state, restrict, buildings, fields in specs:
        page = NewsPage(title=f"Komunikat {slug}", slug=slug, lead=f"lead of {slug}", **fields)
        if buildings:
            page.affected_buildings.set(buildings)
        s.pages[slug] = _add(parent, page, state=state, restrict=restrict)

    # A newer, unpublished revision of a public item: its text must not reach anyone.
    public = s.pages["public"]
    public.title = "SEKRET wersja robocza"
    public.lead = "SEKRET wersja robocza"
    public.save_revision()
    public.refresh_from_db()


def _investments(s: Scenario) -> None:
    g = s.groups
    main = s.tree.investments
    home = s.tree.home

    def investment(slug, status, buildings=(), gallery=(), **fields):
        page = InvestmentPage(
            title=f"Inwestycja {slug}",
            slug=slug,
            status=status,
            summary=f"summary of {slug}",
            budget=Decimal("150000.00"),
            progress=40,
            **fields,
        )
        for index, image in enumerate(gallery):
            page.gallery_images.add(InvestmentGalleryImage(image=image, caption=f"{slug} photo {index + 1}"))
        if buildings:
            page.buildings.set(buildings)
        return page

    images = s.images
    s.pages["inv-public"] = _add(
        main,
        investment(
            "inv-public",
            InvestmentPage.Status.ONGOING,
            buildings=(s.building_a, s.building_b),
            gallery=(images["img-public"], images["img-a"], images["img-staff-deep"]),
            lead_image=images["img-staff-deep"],
        ),
    )
    s.pages["inv-building-a"] = _add(
        main,
        investment("inv-building-a", InvestmentPage.Status.PLANNED, buildings=(s.building_a,)),
        restrict=dict(groups=[g["building_a"]]),
    )
    s.pages["inv-draft"] = _add(main, investment("inv-draft", InvestmentPage.Status.PLANNED), state="draft")
    s.pages["inv-password"] = _add(
        main, investment("inv-password", InvestmentPage.Status.PLANNED), restrict=dict(password="tajne")
    )
    # Below a password-protected page: covered by its restriction, so never in the API either.
    s.pages["inv-password-child"] = _add(
        s.pages["inv-password"], investment("inv-password-child", InvestmentPage.Status.PLANNED)
    )
    # A whole section for owners: the restriction sits on the index, not on the items.
    section = _add(home, InvestmentIndexPage(title="Inwestycje właścicieli", slug="inv-owners-section"))
    f.restrict_page(section, groups=[g["owners"]])
    s.pages["inv-owners-section"] = section
    s.pages["inv-owners"] = _add(section, investment("inv-owners", InvestmentPage.Status.FINISHED))
    # Inside the owners' section and also restricted to building B: both must hold.
    s.pages["inv-owners-b"] = _add(
        section,
        investment("inv-owners-b", InvestmentPage.Status.FINISHED, buildings=(s.building_b,)),
        restrict=dict(groups=[g["building_b"]]),
    )


def _contractors(s: Scenario) -> None:
    g = s.groups
    parent = s.tree.contractors
    s.trades["hydraulik"] = contractor_services.trade_create(name="Hydraulik", slug="hydraulik", sort_order=1)
    s.trades["elektryk"] = contractor_services.trade_create(name="Elektryk", slug="elektryk", sort_order=2)
    s.trades["dekarz"] = contractor_services.trade_create(name="Dekarz", slug="dekarz", sort_order=3)

    def firm(slug, trade, **fields):
        return ContractorPage(
            title=f"Firma {slug}",
            slug=slug,
            trade=s.trades[trade],
            services="Naprawy\nPrzeglądy",
            phone="+48 600 100 200",
            **fields,
        )

    for slug, trade, state, restrict in (
        ("plumber", "hydraulik", "live", None),
        ("plumber-2", "hydraulik", "live", None),
        ("electrician", "elektryk", "live", None),
        ("plumber-staff", "hydraulik", "live", dict(groups=[g["staff"]])),
        ("electrician-login", "elektryk", "live", dict(login=True)),
        ("firm-draft", "hydraulik", "draft", None),
    ):
        s.pages[slug] = _add(parent, firm(slug, trade, notes=f"notes of {slug}"), state=state, restrict=restrict)

    contractor_services.contractor_staff_add(user=s.users["contractor"], firm=s.pages["plumber"])


def build_scenario() -> Scenario:
    tree = f.build_site_tree()
    s = Scenario(tree=tree, estate=None, building_a=None, building_b=None)
    _people(s)
    _collections_documents_images(s)
    _news(s)
    _investments(s)
    _contractors(s)
    for user in s.users.values():
        user.refresh_from_db()
    return s
