"""Builds (and removes) the demo cooperative described in `data`.

Residents, memberships, staff roles and contractor staff are written through the hub's
services, so the audience groups end up exactly as real use would leave them. Content is
written through Wagtail's own API: pages are added to the tree, restricted (Wagtail view
restrictions naming the audience groups) and only then published, so anything that
reacts to publishing sees the final restriction. Scheduled publishing is Wagtail's
(`go_live_at` + an approved revision); documents and images are Wagtail's, in collections
that carry Wagtail collection view restrictions.

Where no service exists yet the build still writes the ORM, and says so: user accounts
(`_user`: made or taken over with the demo password), and in `remove_demo` the deletion of
users, memberships, tickets with their messages, broadcasts and trades. The services stamp
the present; moving what they wrote into the past is demo data preparation, not a hub
write, and is done in one place for each kind of thing: a ticket's story
(`_ticket_shift`), a sent broadcast with its messages and deliveries (`_broadcast_shift`),
and the moments of membership requests, sign-ins and app tokens (`_moved`).

What the demo cannot hold through the services it leaves out: a broadcast "being sent"
(its deliveries are sent once the build commits, by the eager tasks or the workers, so
it is always sent by the time anyone looks).
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.core.files.images import ImageFile
from django.db import transaction
from django.db.models import DateTimeField, F
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    APIToken,
    BaseViewRestriction,
    Collection,
    CollectionViewRestriction,
    Page,
    PageViewRestriction,
    Site,
)

from cms.contractors.models import ContractorIndexPage, ContractorPage, Trade
from cms.core.exceptions import ServiceError
from cms.documents.models import DocumentIndexPage
from cms.home.models import CooperativeContact, Department, HomePage
from cms.investments.models import InvestmentGalleryImage, InvestmentIndexPage, InvestmentPage
from cms.news.models import NewsIndexPage, NewsPage
from operations.residents.models import Audience, Building, Estate, Membership, SignInAttempt, Unit
from operations.tickets.models import Ticket

from . import data, media
from .billing import BillingDemo, remove_billing
from .surveys import build_surveys, remove_surveys

Log = Callable[[str], None]

# The providers the demo sends through while it builds: e-mail to the build's dummy backend,
# SMS and push to files (the embedded default), whatever the installation configured.
DEMO_PROVIDERS = {
    "email": {"BACKEND": "operations.messaging.providers.email.DjangoEmailProvider"},
    "sms": {"BACKEND": "operations.messaging.providers.sms.FileSmsProvider"},
    "push": {"BACKEND": "operations.messaging.providers.push.FilePushProvider"},
}

SECTION_MODELS = {
    "news": NewsIndexPage,
    "documents": DocumentIndexPage,
    "investments": InvestmentIndexPage,
    "contractors": ContractorIndexPage,
}


@dataclass
class AccountLine:
    username: str
    description: str


@dataclass
class Summary:
    """What the command prints at the end."""

    created: bool
    accounts: list[AccountLine] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


@contextmanager
def demo_settings(**values) -> Iterator[None]:
    """Run the build with these settings, and put the previous values back afterwards.

    For settings the hub reads each time it needs them (the mail backend, the anonymous
    report limits), so plain attributes suffice: no `setting_changed` signal is sent, and
    the swap is for the one thread a management command runs in."""
    missing = object()
    previous = {name: getattr(settings, name, missing) for name in values}
    for name, value in values.items():
        setattr(settings, name, value)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is missing:
                delattr(settings, name)
            else:
                setattr(settings, name, value)


def demo_is_loaded() -> bool:
    return Estate.objects.filter(slug=data.ESTATE_SLUG).exists()


def all_demo_usernames() -> list[str]:
    names = [a.username for a in data.STAFF_ACCOUNTS]
    names += [r.username for r in data.NAMED_RESIDENTS]
    names += [c[0] for c in data.CONTRACTOR_ACCOUNTS]
    people = list(data.RESIDENT_NAMES) + [data.BOARD_MEMBER[:2]]
    people += [(first, last) for _, _, first, last in data.CO_OWNERS + data.TENANTS]
    people += [(p[2], p[3]) for p in data.PENDING_REQUESTS]
    names += [data.username_for(first, last) for first, last in people]
    return names


def account_lines() -> list[AccountLine]:
    lines = [AccountLine(a.username, a.description) for a in data.STAFF_ACCOUNTS]
    lines += [AccountLine(r.username, r.description) for r in data.NAMED_RESIDENTS]
    lines += [AccountLine(c[0], c[5]) for c in data.CONTRACTOR_ACCOUNTS]
    board = data.BOARD_MEMBER
    lines.append(
        AccountLine(
            data.username_for(board[0], board[1]),
            f"członek rady osiedla, właściciel lokalu {board[2]}/{board[3]}",
        )
    )
    return lines


class DemoBuilder:
    """Loads the demo cooperative into an empty (or demo-free) database."""

    def __init__(self, *, log: Log | None = None, now: datetime | None = None):
        from operations.residents import roles, services

        self.roles = roles
        self.services = services
        self.log = log or (lambda message: None)
        self.now = now or timezone.now()
        self.today = timezone.localdate(self.now)
        self.rng = random.Random(2026)
        self.User = get_user_model()
        self.password_hash = make_password(data.DEMO_PASSWORD)  # hashed once: hashing is slow on purpose
        self.users: dict[str, object] = {}
        self.buildings: dict[str, Building] = {}
        self.units: dict[tuple[str, str], Unit] = {}
        self.images: dict[str, object] = {}
        self.collections: dict[str, Collection] = {}
        self.sections: dict[str, Page] = {}
        self.trades: dict[str, Trade] = {}
        self.firms: dict[str, ContractorPage] = {}
        self.people: dict[str, object] = {}  # _person's
        self.planned: dict[str, str] = {}  # news key -> "w czwartek 10.12 w godz. 8:00–14:00"

    # --- entry points ------------------------------------------------------------------

    def build(self) -> Summary:
        # The demo people live at made-up addresses: the "your membership was confirmed"
        # mails that verifying them sends (on commit) go nowhere rather than to the console.
        with demo_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"), transaction.atomic():
            self.services.staff_groups_ensure()
            self.services.audiences_ensure()
            self._staff_accounts()
            self._estate()
            self._residents()
            self._activity()
            self._contact_card()
            self._sections()
            self._collections()
            self._images()
            self._documents()
            self._contractors()
            self._contractor_accounts()
            self._news()
            self._investments()
            self._editorial()
            self._messaging()
            self._broadcasts()
            self._tickets()
            self._billing()
            self._surveys()
        return Summary(created=True, accounts=account_lines(), counts=self.counts())

    def counts(self) -> dict[str, int]:
        estate = Estate.objects.filter(slug=data.ESTATE_SLUG).first()
        return {
            "buildings": Building.objects.filter(estate=estate).count(),
            "units": Unit.objects.filter(building__estate=estate).count(),
            "verified memberships": Membership.objects.filter(
                unit__building__estate=estate, status=Membership.Status.VERIFIED
            ).count(),
            "pending memberships": Membership.objects.filter(
                unit__building__estate=estate, status=Membership.Status.PENDING
            ).count(),
            "news": NewsPage.objects.count(),
            "documents": get_document_model().objects.count(),
            "investments": InvestmentPage.objects.count(),
            "contractors": ContractorPage.objects.count(),
            "trades": Trade.objects.count(),
            "tickets": Ticket.objects.filter(building__estate=estate).count(),
        }

    # --- people ----------------------------------------------------------------------

    def _user(self, username: str, first: str, last: str, *, email: str | None = None, **extra):
        """Create the user, or take over an existing one of that name (its password becomes the demo one)."""
        user = self.User.objects.filter(username=username).first() or self.User(username=username)
        user.first_name = first
        user.last_name = last
        user.email = email or f"{username}@{data.RESIDENT_EMAIL_DOMAIN}"
        user.password = self.password_hash
        user.is_active = True
        for key, value in extra.items():
            setattr(user, key, value)
        user.save()
        self.users[username] = user
        return user

    def _staff_accounts(self) -> None:
        for account in data.STAFF_ACCOUNTS:
            user = self._user(
                account.username,
                account.first_name,
                account.last_name,
                email=f"{account.username}@{data.EMAIL_DOMAIN}",
                is_staff=True,
                is_superuser=account.superuser,
            )
            if account.staff_role:
                self.services.staff_role_assign(user=user, role=self.roles.StaffRole(account.staff_role))
        self.log(f"  staff accounts: {len(data.STAFF_ACCOUNTS)}")

    def _estate(self) -> None:
        estate = self.services.estate_create(name=data.ESTATE_NAME, slug=data.ESTATE_SLUG)
        self.estate = estate
        for spec in data.BUILDINGS:
            building = self.services.building_create(
                estate=estate,
                code=spec.code,
                street=spec.street,
                number=spec.number,
                postal_code=spec.postal_code,
                city=spec.city,
            )
            self.buildings[spec.code] = building
            for unit in data.units_for(spec, self.rng):
                self.units[(spec.code, unit.number)] = self.services.unit_create(
                    building=building,
                    number=unit.number,
                    floor=unit.floor,
                    area=unit.area,
                    share=unit.share,
                    kind=unit.kind,
                    land_register_number=unit.land_register_number,
                    member_number=unit.member_number,
                    held_by_spouses=(spec.code, unit.number) in data.SPOUSES_UNITS,
                    access_code=unit.access_code,
                )
        self.log(f"  estate {data.ESTATE_NAME}: {len(self.buildings)} buildings, {len(self.units)} units")

    @staticmethod
    def _proof_value(unit: Unit, proof_kind: str) -> tuple[str, str]:
        """The proof a resident would give; falls back to what the unit actually has."""
        available = {
            Membership.ProofKind.LAND_REGISTER: unit.land_register_number,
            Membership.ProofKind.MEMBER_NUMBER: unit.member_number,
            Membership.ProofKind.ACCESS_CODE: unit.access_code,
        }
        if available.get(proof_kind):
            return proof_kind, available[proof_kind]
        for kind, value in available.items():
            if value:
                return kind, value
        raise ValueError(f"unit {unit} has no proof to offer")

    def _join(self, user, unit: Unit, role: str, proof_kind: str, *, verify: bool = True, proof_ok: bool = True):
        kind, value = self._proof_value(unit, proof_kind)
        if not proof_ok:
            # A typo in the land-register number: the admin shows that the proof does not match.
            value = value[:-1] + str((int(value[-1]) + 3) % 10) if value[-1].isdigit() else value + "X"
        membership = self.services.membership_request(
            user=user, unit=unit, role=Membership.Role(role), proof_kind=Membership.ProofKind(kind), proof_value=value
        )
        if verify:
            membership = self.services.membership_verify(
                membership=membership,
                decided_by=self.users["administrator"],
                note="Zgodność sprawdzona z ewidencją lokali.",
            )
        return membership

    def _residents(self) -> None:
        named = {(r.building, r.unit): r for r in data.NAMED_RESIDENTS if r.role == "owner"}
        board_unit = (data.BOARD_MEMBER[2], data.BOARD_MEMBER[3])
        fillers = iter(data.RESIDENT_NAMES)
        verified = 0
        for key, unit in self.units.items():
            if key in data.VACANT_UNITS:
                continue
            if key in named:
                r = named[key]
                user = self._user(r.username, r.first_name, r.last_name)
                proof = r.proof
            elif key == board_unit:
                first, last = data.BOARD_MEMBER[:2]
                user = self._user(data.username_for(first, last), first, last)
                proof = "member_number"
            else:
                first, last = next(fillers)
                user = self._user(data.username_for(first, last), first, last)
                proof = "land_register" if unit.land_register_number else "member_number"
            self._join(user, unit, "owner", proof)
            verified += 1
            if key == board_unit:
                self._join(user, unit, "board", "member_number")
                verified += 1

        for building, number, first, last in data.CO_OWNERS:
            user = self._user(data.username_for(first, last), first, last)
            self._join(user, self.units[(building, number)], "owner", "land_register")
            verified += 1

        tenants = [
            (r.building, r.unit, r.first_name, r.last_name, r.username)
            for r in data.NAMED_RESIDENTS
            if r.role == "tenant"
        ]
        tenants += [(b, n, f, s, data.username_for(f, s)) for b, n, f, s in data.TENANTS]
        for building, number, first, last, username in tenants:
            user = self._user(username, first, last)
            self._join(user, self.units[(building, number)], "tenant", "access_code")
            verified += 1

        for building, number, first, last, role, proof, proof_ok, hours in data.PENDING_REQUESTS:
            user = self._user(data.username_for(first, last), first, last)
            request = self._join(user, self.units[(building, number)], role, proof, verify=False, proof_ok=proof_ok)
            self._moved(Membership, request.pk, requested_at=self.now - timedelta(hours=hours))
        self.log(f"  residents: {verified} verified memberships, {len(data.PENDING_REQUESTS)} awaiting verification")

    def _activity(self) -> None:
        """Who of the residents uses the portal and the app, as the adoption table counts it
        (`operations.residents.selectors.adoption_by_building`): in each building the share
        of `data.PORTAL_ACTIVITY` signed in within the last 30 days (some of them in the
        app, with a token they used lately), some only longer ago, the rest never. Sign-ins
        are recorded by the residents' service and app tokens issued and used by theirs,
        then moved to their moments (local days and hours of the calendar, before today)."""
        rng = random.Random(f"{data.ESTATE_SLUG}:activity")  # its own: the units' numbers stay as they were
        named = {r.username for r in data.NAMED_RESIDENTS}
        people: dict[int, tuple[object, str]] = {}
        live = (
            Membership.objects.live()
            .filter(unit__building__estate=self.estate)
            .select_related("user", "unit__building")
        )
        for membership in live.order_by("unit__building__code", "unit_id", "pk"):
            people.setdefault(membership.user_id, (membership.user, membership.unit.building.code))
        counts = {"portal": 0, "app": 0, "lapsed": 0, "never": 0}
        for user, code in people.values():
            active, lapsed = data.PORTAL_ACTIVITY[code]
            draw = rng.random()
            if user.username in named:
                kind = "portal"
            elif draw < active:
                kind = "app" if rng.random() < data.APP_SHARE else "portal"
            elif draw < active + lapsed:
                kind = "lapsed"
            else:
                kind = "never"
            counts[kind] += 1
            address = f"203.0.113.{rng.randint(2, 254)}"  # documentation addresses (RFC 5737)
            if kind == "app":
                # Signed in once in the app (its token lives API_TOKEN_TTL_DAYS) and used it lately.
                signed_in = self._calendar(rng.randint(3, 25), rng.uniform(7, 22))
                attempt = self.services.sign_in_attempt_record(
                    username=user.username,
                    channel=SignInAttempt.Channel.TOKEN,
                    outcome=SignInAttempt.Outcome.SUCCESS,
                    user=user,
                    ip_address=address,
                    user_agent=data.APP_AGENT,
                )
                self._moved(SignInAttempt, attempt.pk, created_at=signed_in)
                self.services.api_token_issue(user=user, client_name=data.APP_CLIENT_NAME)
                token = APIToken.objects.filter(user=user).latest("pk")
                self.services.api_token_use(token=token)
                used = self._calendar(rng.randint(1, 2), rng.uniform(7, 22))
                self._moved(APIToken, token.pk, created=signed_in, last_used_at=max(used, signed_in))
                continue
            if kind == "never":
                continue
            days = sorted(
                (rng.randint(35, 85),) if kind == "lapsed" else rng.sample(range(1, 30), rng.randint(1, 3)),
                reverse=True,
            )
            agent = rng.choice(data.BROWSERS)
            for day in days:
                attempt = self.services.sign_in_attempt_record(
                    username=user.username,
                    channel=SignInAttempt.Channel.SESSION,
                    outcome=SignInAttempt.Outcome.SUCCESS,
                    user=user,
                    ip_address=address,
                    user_agent=agent,
                )
                self._moved(SignInAttempt, attempt.pk, created_at=self._calendar(day, rng.uniform(7, 22)))
        self.log(
            "  portal use: {portal} in the portal and {app} in the app lately, {lapsed} longer ago, "
            "{never} never".format(**counts)
        )

    @staticmethod
    def _moved(model, pk: int, **moments: datetime) -> None:
        """Put the moments a service stamped with the present (a request, a sign-in, a
        token's use) where the demo data says they happened: demo data preparation."""
        model.objects.filter(pk=pk).update(**moments)

    def _calendar(self, days: int, hour: float) -> datetime:
        """That local hour (fractions are minutes) of the local day `days` before today."""
        day = self.today - timedelta(days=days)
        return timezone.make_aware(datetime.combine(day, time(int(hour), int(round(hour % 1 * 60)) % 60)))

    # --- the contact card and the page tree --------------------------------------------

    def _contact_card(self) -> None:
        site = Site.objects.filter(is_default_site=True).first() or Site.objects.first()
        self.site = site
        contact = CooperativeContact.for_site(site)
        for name, value in data.CONTACT.items():
            setattr(contact, name, value)
        contact.departments = [Department(sort_order=i, **d) for i, d in enumerate(data.DEPARTMENTS)]
        contact.save()

    def _publish(self, page: Page, *, user=None, clean: bool = False):
        # Pages were validated when added to the tree (Page.save cleans), hence clean=False here.
        revision = page.save_revision(user=user or self.users["editor"], log_action=True, clean=clean)
        revision.publish(user=user or self.users["editor"])
        return revision

    def _add(self, parent: Page, page: Page, *, audience: str = "public") -> Page:
        """Add a page as a draft, restrict it, and only then publish (or schedule) it."""
        page.live = False
        page.owner = self.users["editor"]
        parent.add_child(instance=page)
        self._restrict(PageViewRestriction, audience, page=page)
        self._publish(page)
        return page

    def _sections(self) -> None:
        home = self.site.root_page.specific if self.site else HomePage.objects.first()
        if isinstance(home, HomePage):
            home.intro = data.HOME_INTRO
            self._publish(home, clean=True)
        for key, (title, slug, intro) in data.SECTIONS.items():
            model = SECTION_MODELS[key]
            existing = model.objects.child_of(home).first()
            if existing is None:
                existing = self._add(home, model(title=title, slug=slug, intro=intro))
            self.sections[key] = existing

    # --- audiences and restrictions ----------------------------------------------------

    def _audience_groups(self, audience: str) -> list[Group]:
        if audience == "estate":
            return [self.services.audience_group(estate=self.estate)]
        kind, _, value = audience.partition(":")
        if kind == "building":
            return [self.services.audience_group(building=self.buildings[value])]
        if kind == "role":
            return [self.services.audience_group(role=Audience.Role(value))]
        raise ValueError(f"unknown audience {audience!r}")

    def _restrict(self, restriction_model: type[BaseViewRestriction], audience: str, **target) -> None:
        """Wagtail's view restriction for `audience` on `target` (page=... for a
        PageViewRestriction, collection=... for a CollectionViewRestriction): none for
        "public", signed-in people for "login", otherwise the audience's groups."""
        if audience == "public":
            return
        if audience == "login":
            restriction_model.objects.create(restriction_type=BaseViewRestriction.LOGIN, **target)
            return
        restriction = restriction_model.objects.create(restriction_type=BaseViewRestriction.GROUPS, **target)
        restriction.groups.set(self._audience_groups(audience))

    # --- collections, images and documents ---------------------------------------------

    def _collections(self) -> None:
        root = Collection.get_first_root_node()
        for spec in data.COLLECTIONS:
            parent = self.collections[spec.parent] if spec.parent else root
            collection = parent.get_children().filter(name=spec.name).first()
            if collection is None:
                collection = parent.add_child(name=spec.name)
                self._restrict(CollectionViewRestriction, spec.audience, collection=collection)
            self.collections[spec.key] = collection

    def _images(self) -> None:
        Image = get_image_model()
        for seed, (key, (title, top, bottom)) in enumerate(data.IMAGES.items()):
            content = media.picture_jpeg(title, top, bottom, seed=seed)
            image = Image(
                title=title,
                description=title,
                collection=self.collections["images"],
                uploaded_by_user=self.users["editor"],
            )
            image.file = ImageFile(ContentFile(content), name=f"{key}.jpg")
            image._set_image_file_metadata()
            image.save()
            self.images[key] = image
        self.log(f"  images: {len(self.images)}")

    def _documents(self) -> None:
        Document = get_document_model()
        footer = (
            f"{data.CONTACT['name']}, {data.CONTACT['street']}, {data.CONTACT['postal_code']} {data.CONTACT['city']}"
        )
        for spec in data.DOCUMENTS:
            content = media.document_pdf(spec.title, spec.paragraphs, footer=footer)
            document = Document(
                title=spec.title,
                collection=self.collections[spec.collection],
                category=spec.category,
                year=self.today.year - spec.years_ago,
                description=spec.description,
                building=self.buildings[spec.building] if spec.building else None,
                uploaded_by_user=self.users["editor"],
            )
            document.file = ContentFile(content, name=spec.filename)
            document._set_document_file_metadata()
            document.save()
        self.log(f"  documents: {len(data.DOCUMENTS)}")

    # --- the contractor directory -------------------------------------------------------

    def _contractors(self) -> None:
        from cms.contractors import services as contractor_services

        for order, (slug, name) in enumerate(data.TRADES, start=1):
            trade = Trade.objects.filter(slug=slug).first()
            if trade is None:
                trade = contractor_services.trade_create(name=name, slug=slug, sort_order=order * 10)
            self.trades[slug] = trade
        directory = self.sections["contractors"]
        for firm in data.FIRMS:
            page = ContractorPage(
                title=firm.name,
                slug=firm.slug,
                trade=self.trades[firm.trade],
                services=firm.services,
                area_served=firm.area_served,
                phone=firm.phone,
                email=firm.email,
                website=firm.website,
                opening_hours=firm.opening_hours,
                notes=firm.notes,
            )
            self.firms[firm.slug] = self._add(directory, page)
        self.log(f"  contractor directory: {len(self.firms)} firms in {len(self.trades)} trades")

    def _contractor_accounts(self) -> None:
        from cms.contractors import services as contractor_services

        for username, first, last, firm_slug, is_manager, _description in data.CONTRACTOR_ACCOUNTS:
            firm = self.firms[firm_slug]
            domain = firm.email.split("@", 1)[1] if firm.email else data.RESIDENT_EMAIL_DOMAIN
            user = self._user(username, first, last, email=f"{data.ascii_fold(first).lower()}@{domain}")
            contractor_services.contractor_staff_add(user=user, firm=firm, is_manager=is_manager)

    # --- news and investments -----------------------------------------------------------

    def _at(self, day, hour: int) -> datetime:
        return timezone.make_aware(datetime.combine(day, time(hour, 0)))

    def _news(self) -> None:
        index = self.sections["news"]
        for spec in data.NEWS:
            day = self.today - timedelta(days=spec.days_ago)
            valid_from = (
                self.now + timedelta(hours=spec.valid_from_hours) if spec.valid_from_hours is not None else None
            )
            valid_until = (
                self.now + timedelta(hours=spec.valid_until_hours) if spec.valid_until_hours is not None else None
            )
            lead, body = spec.lead, spec.body
            if spec.planned_in_days is not None:
                # A planned outage: on a working day, between working hours.
                planned = self.today + timedelta(days=spec.planned_in_days)
                while planned.weekday() >= 5:
                    planned += timedelta(days=1)
                start, end = spec.planned_hours
                valid_from, valid_until = self._at(planned, start), self._at(planned, end)
                when = f"{data.WEEKDAYS_ON[planned.weekday()]} {planned:%d.%m} w godz. {start}:00–{end}:00"
                self.planned[spec.key] = when
                lead, body = lead.replace("{when}", when), body.replace("{when}", when)
                lead = lead[:1].upper() + lead[1:]
            page = NewsPage(
                title=spec.title,
                slug=spec.slug,
                kind=spec.kind,
                priority=spec.priority,
                date=day,
                lead=lead,
                body=body,
                lead_image=self.images.get(spec.image) if spec.image else None,
                valid_from=valid_from,
                valid_until=valid_until,
            )
            if spec.scheduled_in_days is not None:
                page.go_live_at = self._at(self.today + timedelta(days=spec.scheduled_in_days), 8)
            elif spec.days_ago > 0:
                page.first_published_at = self._at(day, 9)
            page.affected_buildings.set([self.buildings[code] for code in spec.affected])
            # With go_live_at in the future Wagtail's publish schedules instead of publishing.
            self._add(index, page, audience=spec.audience)
        self.log(f"  news: {len(data.NEWS)}")

    def _investments(self) -> None:
        index = self.sections["investments"]
        for spec in data.INVESTMENTS:
            page = InvestmentPage(
                title=spec.title,
                slug=spec.slug,
                status=spec.status,
                summary=spec.summary,
                body=spec.body,
                budget=Decimal(spec.budget),
                start_date=self.today + timedelta(days=spec.start_days),
                end_date=self.today + timedelta(days=spec.end_days),
                progress=spec.progress,
                lead_image=self.images[spec.gallery[0][0]],
            )
            page.gallery_images = [
                InvestmentGalleryImage(image=self.images[key], caption=caption, sort_order=i)
                for i, (key, caption) in enumerate(spec.gallery)
            ]
            page.buildings.set([self.buildings[code] for code in spec.buildings])
            self._add(index, page)
        self.log(f"  investments: {len(data.INVESTMENTS)}")

    def _editorial(self) -> None:
        """Work the editor left in progress, as the editors' panel counts it: a change to a
        live investment page saved and not published (Wagtail's "live + draft"), and a news
        item never published, submitted to the workflow that applies to it (Wagtail's
        default "Moderators approval") and waiting for a moderator. The scheduled page is
        `_news`'s (a news item published with a go-live moment ahead)."""
        editor = self.users["editor"]
        slug, changes = data.INVESTMENT_DRAFT
        page = InvestmentPage.objects.get(slug=slug)
        for name, value in changes.items():
            setattr(page, name, value)
        page.save_revision(user=editor, log_action=True)

        spec = data.NEWS_IN_MODERATION
        page = NewsPage(
            title=spec.title,
            slug=spec.slug,
            kind=spec.kind,
            priority=spec.priority,
            date=self.today,
            lead=spec.lead,
            body=spec.body,
            live=False,
            owner=editor,
        )
        self.sections["news"].add_child(instance=page)
        self._restrict(PageViewRestriction, spec.audience, page=page)
        page.save_revision(user=editor, log_action=True)
        workflow = page.get_workflow()
        if workflow is None:  # an installation that switched moderation off: the draft stays a draft
            self.log(f"  no workflow applies to news; left as a draft: {spec.title}")
            return
        workflow.start(page, editor)

    # --- messaging ---------------------------------------------------------------------

    def _messaging(self) -> None:
        """Resident A takes SMS for outage alerts and has the app; so do a few residents of
        building C (`data.SMS_SUBSCRIBERS`)."""
        from operations.messaging import services

        resident = self.users["resident.a"]
        services.notification_settings_update(user=resident, language="pl", phone="+48 600 100 200")
        services.notification_preferences_update(user=resident, choices=[("outage_alert", "sms", True)])
        services.push_device_register(user=resident, token=data.DEMO_PUSH_TOKEN, name="Telefon Anny")
        for building, number, phone in data.SMS_SUBSCRIBERS:
            person = self._person(f"{building}/{number}")
            services.notification_settings_update(user=person, phone=phone)
            services.notification_preferences_update(user=person, choices=[("outage_alert", "sms", True)])

    # --- broadcasts ------------------------------------------------------------------------

    def _broadcasts(self) -> None:
        """The current outage was broadcast to the affected buildings, a meeting reminder
        waits for next week and a draft waits for its sender. The planned outage in
        building C was announced two days ago by e-mail and SMS, and one SMS never reached
        its phone (`_broadcast_sent`)."""
        from operations.broadcasts import services
        from operations.broadcasts.models import Broadcast

        dispatcher = self.users["dispatcher"]
        news = {spec.key: spec for spec in data.NEWS}
        for spec in data.BROADCASTS:
            page = NewsPage.objects.get(slug=news[spec["news"]].slug) if spec.get("news") else None
            when = self.planned.get(spec.get("news"), "")
            broadcast = Broadcast(
                title=spec["title"],
                kind=spec["kind"],
                subject=spec["subject"],
                body=spec["body"].replace("{when}", when),
                sms_text=spec["sms_text"].replace("{when}", data.ascii_fold(when).replace("–", "-")),
                channels=spec["channels"],
                roles=spec.get("roles", []),
                news_page=page,
                link=(page.full_url or "") if page else "",
            )
            broadcast = services.broadcast_draft_save(
                broadcast=broadcast,
                user=dispatcher,
                buildings=[self.buildings[code] for code in spec.get("buildings", [])],
            )
            if spec["send_in_days"] is not None:
                send_at = (
                    self._at(self.today + timedelta(days=spec["send_in_days"]), 9) if spec["send_in_days"] else None
                )
                services.broadcast_schedule(broadcast=broadcast, user=dispatcher, send_at=send_at)
            if spec.get("sent"):
                self._broadcast_sent(broadcast, spec["sent"])
        self.log(f"  broadcasts: {len(data.BROADCASTS)}")

    def _broadcast_sent(self, broadcast, sent: tuple[int, float]) -> None:
        """Send a broadcast now, as the workers would once the build commits (queued into
        the outbox, each channel's deliveries sent), let the SMS operator report the SMS to
        `data.SMS_UNDELIVERED` undelivered (as its callback does), and move the whole of
        it to `sent` (days ago, local hour). Sending goes through the providers the demo
        chooses, whatever the installation configured: e-mail to the build's dummy backend,
        SMS and push to files (the embedded default), so no made-up number is ever texted.
        E-mail sends the outbox's other queued e-mails too (the memberships' confirmations),
        which the workers would send after the build anyway, to the same dummy backend."""
        from operations.broadcasts import services as broadcasts
        from operations.messaging import services as messaging
        from operations.messaging.models import Delivery
        from operations.messaging.webhooks import SMSAPI_UNDELIVERED

        broadcasts.broadcast_queue(broadcast_id=broadcast.pk)
        with demo_settings(MESSAGING_PROVIDERS=DEMO_PROVIDERS):
            for channel in broadcast.channels:
                messaging.deliveries_send(channel=channel)
        undelivered = [self._person(f"{building}/{number}") for building, number in sorted(data.SMS_UNDELIVERED)]
        sms = Delivery.objects.filter(
            broadcast_id=broadcast.pk, channel="sms", state=Delivery.State.SENT, message__recipient__in=undelivered
        )
        for delivery in sms:
            messaging.delivery_report_record(
                channel="sms",
                provider_id=delivery.provider_id,
                idempotency_key=delivery.idempotency_key,
                delivered=False,
                reason=SMSAPI_UNDELIVERED[405],
            )
        broadcast.refresh_from_db()
        self._broadcast_shift(broadcast.pk, self._calendar(*sent) - broadcast.queued_at)

    @staticmethod
    def _broadcast_shift(pk: int, delta: timedelta) -> None:
        """Move a broadcast's every moment, and those of its messages and deliveries, by
        `delta`: demo data preparation, as `_ticket_shift` is for a ticket's story."""
        from operations.broadcasts.models import Broadcast
        from operations.messaging.models import Delivery, Message

        for model, rows in (
            (Broadcast, Broadcast.objects.filter(pk=pk)),
            (Message, Message.objects.filter(broadcast_id=pk)),
            (Delivery, Delivery.objects.filter(broadcast_id=pk)),
        ):
            moments = [f.name for f in model._meta.concrete_fields if isinstance(f, DateTimeField)]
            rows.update(**{name: F(name) + delta for name in moments})

    # --- tickets ---------------------------------------------------------------------------

    def _tickets(self) -> None:
        """The tickets of `data.TICKETS`, each reported and then worked through step by step
        by the tickets services, as real use would leave them (history, comments, photos,
        notifications and deadlines). The services stamp everything with the present, so
        before each step the ticket's past so far is moved back by the time until that step
        (`_ticket_shift`): every step then sees the ticket as it was at its moment (the
        reopening window, for one), and the last shift puts the whole story where the data
        says. Finally the periodic escalation runs, as Celery beat would (over every ticket
        in the database), and marks what is overdue or nearly so."""
        from operations.tickets import services
        from operations.tickets.models import Category

        categories = {category.slug: category for category in Category.objects.filter(is_active=True)}
        # The assign form offers a category's trade first; a trade an installation chose stays.
        for slug, trade_slug in data.CATEGORY_TRADES.items():
            category = categories.get(slug)
            if category is not None and category.trade_id is None and trade_slug in self.trades:
                services.category_trade_set(category=category, trade=self.trades[trade_slug])
        # Reloaded: the pages in self.firms were drafts when added and were published as copies.
        self.live_firms = {page.slug: page for page in ContractorPage.objects.live().filter(slug__in=self.firms)}
        photos: dict[str, object] = {}
        made = 0
        # Oldest first, so that reference numbers grow with time as they would.
        for spec in sorted(data.TICKETS, key=lambda spec: self._ticket_moments(spec)[0]):
            category = categories.get(spec.category)
            if category is None:  # renamed or switched off in this installation
                self.log(f"  ticket skipped, no active category {spec.category!r}: {spec.title}")
                continue
            for key in [spec.photo] + [step.photo for step in spec.steps]:
                if key and key not in photos:
                    caption, scene = data.TICKET_PHOTOS[key]
                    photos[key] = services.photos_process([media.fault_photo_jpeg(caption, scene)])[0]
            try:
                with transaction.atomic():
                    self._ticket(services, spec, category, photos)
            except ServiceError as error:
                # An installation whose categories or firms differ from the defaults (a
                # category handing its tickets to a firm at once, say) skips what its
                # workflow refuses rather than failing the whole demo.
                self.log(f"  ticket skipped ({error}): {spec.title}")
                continue
            made += 1
        escalated = services.tickets_escalate(now=self.now)
        self.log(f"  tickets: {made}; escalated: {escalated}")

    def _billing(self) -> None:
        BillingDemo(self).build()

    def _surveys(self) -> None:
        build_surveys(self)

    def _person(self, name: str):
        """A demo person by user name, or the first verified owner of a unit given as "B/14".
        Loaded afresh the first time (Django caches permissions on the user object, and
        roles came after `_user`), then kept: no role changes after the people are made."""
        if name not in self.people:
            self.people[name] = self._person_loaded(name)
        return self.people[name]

    def _person_loaded(self, name: str):
        if "/" in name:
            code, number = name.split("/", 1)
            membership = (
                Membership.objects.filter(
                    unit=self.units[(code, number)], role=Membership.Role.OWNER, status=Membership.Status.VERIFIED
                )
                .order_by("pk")
                .first()
            )
            return self.User.objects.get(pk=membership.user_id)
        return self.User.objects.get(pk=self.users[name].pk)

    def _ticket(self, services, spec: data.TicketSpec, category, photos: dict) -> Ticket:
        building = self.buildings[spec.building]
        photo = [photos[spec.photo]] if spec.photo else []
        if not spec.reporter:
            # Several demo loads within the hour must not trip the public form's flood limit.
            with demo_settings(TICKET_ANONYMOUS_LIMIT_PER_CONTACT=10**6):
                ticket = services.ticket_anonymous_create(
                    category=category,
                    building=building,
                    title=spec.title,
                    description=spec.description,
                    location=spec.location,
                    contact_name=spec.contact_name,
                    contact_phone=spec.contact_phone,
                )
            reporter = None
        else:
            reporter = self._person(spec.reporter)
            recorded_by = self._person(spec.recorded_by) if spec.recorded_by else None
            contact_name = spec.contact_name or (reporter.get_full_name() if recorded_by else "")
            ticket = services.ticket_create(
                reporter=reporter,
                category=category,
                title=spec.title,
                description=spec.description,
                unit=self.units[(spec.building, spec.unit)] if spec.unit else None,
                building=building,
                location=spec.location,
                preferred_date=self.today + timedelta(days=spec.preferred_in_days)
                if spec.preferred_in_days is not None
                else None,
                preferred_window=spec.preferred_window,
                entry_permitted=spec.entry_permitted,
                source=spec.source,
                recorded_by=recorded_by,
                contact_name=contact_name,
                contact_phone=spec.contact_phone,
                photos=photo,
            )
        # When each step happened; never later than the next one, nor than now.
        moments = [*self._ticket_moments(spec), self.now]
        for i in range(len(moments) - 2, -1, -1):
            moments[i] = min(moments[i], moments[i + 1])
        # Only what the story has so far moves (a ticket without photos has none to move).
        has = {"comments": False, "photos": bool(spec.photo)}
        for step, previous, moment in zip(spec.steps, moments, moments[1:], strict=False):
            self._ticket_shift(ticket.pk, previous - moment, **has)
            actor = reporter if step.by == "reporter" else self._person(step.by)
            self._ticket_step(services, ticket, step, actor, [photos[step.photo]] if step.photo else [])
            has["comments"] = has["comments"] or step.action in {"comment", "internal"} or bool(step.photo)
            has["photos"] = has["photos"] or bool(step.photo)
        # The services stamped the last step with the present (the wall clock), which the
        # story so far has been shifted to follow: the last shift is measured from it, so
        # that the whole story ends up where the data puts it relative to `self.now`.
        self._ticket_shift(ticket.pk, moments[-2] - timezone.now(), **has)
        return ticket

    def _ticket_moments(self, spec: data.TicketSpec) -> list[datetime]:
        """When the ticket was reported and when each of its steps happened: fixed offsets
        from `self.now` (`_ticket_moment`), or for the history (`spec.calendar`) local days
        and hours of the calendar, a report on a weekend moved to a working day unless
        `spec.weekend_ok` (see `data.TICKET_CLOCK_HOUR`)."""
        ats = [spec.at, *(step.at for step in spec.steps)]
        if not spec.calendar:
            return [self._ticket_moment(at) for at in ats]
        if not all(isinstance(at, tuple) and at[0] >= 1 for at in ats) or spec.status not in {"closed", "rejected"}:
            raise ValueError(f"a calendar ticket is finished and every step of it before today: {spec.key}")
        days = [at[0] for at in ats]
        weekday = (self.today - timedelta(days=days[0])).weekday()
        earlier = 0  # days the whole story moves back (negative: forward)
        if weekday >= 5 and not spec.weekend_ok:
            earlier = -1 if weekday == 6 and min(days) >= 2 else weekday - 4  # Monday after, or Friday before
        return [self._calendar(day + earlier, hour) for day, hour in ats]

    def _ticket_moment(self, at: float | tuple[int, float]) -> datetime:
        """`at` of the demo data: hours ago, or (days ago, hour of that day) read as if the
        demo were built at `data.TICKET_CLOCK_HOUR`. Either way a fixed offset from
        `self.now`: which tickets are overdue or nearing their deadline (what
        `tickets_escalate` marks) does not depend on the time of day of the build."""
        if isinstance(at, tuple):
            days, hour = at
            return self.now - timedelta(days=days, hours=data.TICKET_CLOCK_HOUR - hour)
        return self.now - timedelta(hours=at)

    def _ticket_step(self, services, ticket: Ticket, step: data.TicketStep, actor, photos: list) -> None:
        S = Ticket.Status
        transitions = {
            "accept": S.ACCEPTED,
            "reject": S.REJECTED,
            "start": S.IN_PROGRESS,
            "wait": S.WAITING,
            "done": S.DONE,
            "close": S.CLOSED,
        }
        action = step.action
        if action in transitions:
            services.ticket_transition(
                ticket=ticket, actor=actor, to_status=transitions[action], note=step.text, photos=photos
            )
        elif action == "assign":
            services.ticket_assign(
                ticket=ticket,
                actor=actor,
                contractor=self.live_firms[step.firm],
                worker=self._person(step.worker) if step.worker else None,
                note=step.text,
            )
        elif action == "contractor_accept":
            services.ticket_contractor_accept(ticket=ticket, actor=actor)
        elif action in {"comment", "internal"}:
            services.ticket_comment_add(
                ticket=ticket, author=actor, body=step.text, internal=action == "internal", photos=photos
            )
        elif action == "rate":
            services.ticket_rate(ticket=ticket, actor=actor, rating=step.rating, comment=step.text)
        elif action == "reopen":
            services.ticket_reopen(ticket=ticket, actor=actor, reason=step.text)
        elif action == "deadline":
            due_at = timezone.now() + timedelta(hours=step.due_hours)
            services.ticket_deadline_change(ticket=ticket, actor=actor, due_at=due_at, reason=step.text)
        elif action == "autoclose":
            # The periodic task, at this step's moment: it closes what nobody confirmed in time.
            services.tickets_close_unconfirmed(now=timezone.now())
        else:
            raise ValueError(f"unknown ticket step {action!r}")

    @staticmethod
    def _ticket_shift(pk: int, delta: timedelta, *, comments: bool = True, photos: bool = True) -> None:
        """Move a ticket's whole story so far (its times, history, comments, photos and the
        messages it sent) by `delta`: demo data preparation, not something the hub does (the
        services stamp the present; this puts what they wrote at the moment the demo data
        names). `comments` and `photos` say whether the story has any yet."""
        if not delta:
            return
        from operations.messaging.models import Message
        from operations.tickets.models import TicketComment, TicketEvent, TicketPhoto

        # Every moment of the ticket, its deadlines and escalation marks included.
        moments = [field.name for field in Ticket._meta.concrete_fields if isinstance(field, DateTimeField)]
        Ticket.objects.filter(pk=pk).update(**{name: F(name) + delta for name in moments})
        TicketEvent.objects.filter(ticket_id=pk).update(at=F("at") + delta)
        if comments:
            TicketComment.objects.filter(ticket_id=pk).update(created_at=F("created_at") + delta)
        if photos:
            TicketPhoto.objects.filter(ticket_id=pk).update(created_at=F("created_at") + delta)
        Message.objects.filter(dedupe_key__startswith=f"ticket:{pk}:").update(created_at=F("created_at") + delta)


# --- removing the demo -------------------------------------------------------------------


def remove_demo(*, log: Log | None = None) -> None:
    """Delete what `DemoBuilder.build` made: its tickets, sections, collections, people and estate.

    The whole news, documents, investments and contractor sections under the site's
    home page go, with every page in them. The home page, the site, the role audiences
    and staff groups stay (they exist in every installation); the contact card is
    overwritten by the next build. There are no services for deleting pages, users,
    memberships or tickets, so those go through Wagtail and the ORM; units, buildings and
    the estate (with their audience groups) go through the residents services. The
    ticket categories stay: they come with every installation.
    """
    from operations.residents import services

    log = log or (lambda message: None)
    Document = get_document_model()
    Image = get_image_model()
    with transaction.atomic():
        _remove_tickets()
        remove_billing(data.ESTATE_SLUG)  # accounts protect their units
        remove_surveys()  # paper votes name who recorded them
        site = Site.objects.filter(is_default_site=True).first()
        home = site.root_page if site else None
        if home is not None:
            for model in SECTION_MODELS.values():
                for page in model.objects.child_of(home):
                    page.delete()

        root = Collection.get_first_root_node()
        demo_roots = root.get_children().filter(
            name__in=[spec.name for spec in data.COLLECTIONS if spec.parent is None]
        )
        for collection in demo_roots:
            subtree = Collection.objects.filter(path__startswith=collection.path)
            for document in Document.objects.filter(collection__in=subtree):
                document.delete()  # Wagtail removes the file once the transaction commits
            for image in Image.objects.filter(collection__in=subtree):
                image.delete()
            collection.delete()

        Trade.objects.filter(slug__in=[slug for slug, _ in data.TRADES], contractors__isnull=True).delete()

        from operations.broadcasts.models import Broadcast
        from operations.messaging import services as messaging_services

        # Their messages and deliveries go with them; nobody else received a demo broadcast.
        # (No service deletes a broadcast: broadcast_cancel only stops one.)
        Broadcast.objects.filter(title__in=[spec["title"] for spec in data.BROADCASTS]).delete()
        resident = get_user_model().objects.filter(username="resident.a").first()
        if resident is not None:
            messaging_services.push_device_unregister(user=resident, token=data.DEMO_PUSH_TOKEN)

        # Users first: their memberships go with them (and with them the audience memberships).
        get_user_model().objects.filter(username__in=all_demo_usernames()).delete()
        estate = Estate.objects.filter(slug=data.ESTATE_SLUG).first()
        if estate is not None:
            # Requests other people made for demo units meanwhile.
            Membership.objects.filter(unit__building__estate=estate).delete()
            for building in estate.buildings.all():
                for unit in building.units.all():
                    services.unit_delete(unit=unit)
                services.building_delete(building=building)
            services.estate_delete(estate=estate)
    log("Removed the previous demo data.")


def _remove_tickets() -> None:
    """The tickets of the demo buildings, with their history, comments, photos (and the
    photo files, once the transaction commits) and the messages they sent. First, because
    tickets protect their building, unit and contractor firm."""
    from django.core.files.storage import default_storage

    from operations.messaging.models import Message
    from operations.tickets.models import TicketPhoto

    tickets = Ticket.objects.filter(building__estate__slug=data.ESTATE_SLUG)
    pks = list(tickets.values_list("pk", flat=True))
    if not pks:
        return
    files = [
        name
        for pair in TicketPhoto.objects.filter(ticket_id__in=pks).values_list("file", "thumbnail")
        for name in pair
        if name
    ]
    for pk in pks:
        Message.objects.filter(dedupe_key__startswith=f"ticket:{pk}:").delete()
    Ticket.objects.filter(pk__in=pks).delete()

    def delete_files() -> None:
        for name in files:
            default_storage.delete(name)

    transaction.on_commit(delete_files)
