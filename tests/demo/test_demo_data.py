"""The demo data command: accounts, audiences and the restrictions the issue asks for.

The demo is loaded once for the module inside a transaction that is rolled back at the
end (loading takes a few seconds); each test runs in its own savepoint within it.
"""

from __future__ import annotations

import re
import zlib
from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Sum
from django.test.utils import override_settings
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import (
    APIToken,
    BaseViewRestriction,
    Collection,
    CollectionViewRestriction,
    PageViewRestriction,
    WorkflowState,
)

from cms.contractors.models import ContractorPage, ContractorStaff, Trade
from cms.core.visibility import restrict_by_collection, restrict_pages
from cms.home.models import CooperativeContact
from cms.investments.models import InvestmentPage
from cms.news.models import NewsPage
from demo_cooperative import data
from operations.broadcasts.models import Broadcast
from operations.residents.models import Audience, Building, Membership, SignInAttempt, Unit
from operations.residents.roles import StaffRole, staff_group_name
from operations.tickets.models import Ticket, TicketComment, TicketEvent, TicketPhoto

User = get_user_model()
DEMO_ACCOUNTS = ["admin", "editor", "dispatcher", "resident.a", "resident.b", "tenant.a", "contractor.plumber"]


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, tmp_path_factory):
    media = tmp_path_factory.mktemp("demo-media")
    messages = tmp_path_factory.mktemp("demo-messages")  # the SMS the build sends
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media, MESSAGING_FILE_DIR=messages),
        transaction.atomic(),
    ):
        out = StringIO()
        call_command("load_demo_data", stdout=out)
        yield out.getvalue(), media
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db, settings):
    output, media = demo_output
    settings.MEDIA_ROOT = media  # where the module's files are (conftest isolates media per test)
    return output


def building(code: str) -> Building:
    return Building.objects.get(estate__slug=data.ESTATE_SLUG, code=code)


def group_of(*, building_code: str | None = None, role: str | None = None):
    if building_code:
        return Audience.objects.get(building=building(building_code)).group
    return Audience.objects.get(role=role).group


def news(slug: str) -> NewsPage:
    return NewsPage.objects.get(slug=slug)


def restriction_groups(page) -> set:
    restriction = PageViewRestriction.objects.get(page=page)
    assert restriction.restriction_type == BaseViewRestriction.GROUPS
    return set(restriction.groups.all())


# --- accounts ---------------------------------------------------------------------------


def test_prints_accounts_password_and_urls(demo):
    assert data.DEMO_PASSWORD in demo
    for username in DEMO_ACCOUNTS:
        assert username in demo
    assert "/admin/" in demo
    assert "/graphql" in demo
    assert f"tickets: {len(data.TICKETS)}" in demo


def test_demo_accounts_share_the_printed_password(demo):
    for username in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.is_active
        assert user.check_password(data.DEMO_PASSWORD), username


def test_staff_accounts(demo):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    editor = User.objects.get(username="editor")
    assert editor.groups.filter(name=staff_group_name(StaffRole.EDITOR)).exists()
    assert editor.has_perm("wagtailadmin.access_admin")
    dispatcher = User.objects.get(username="dispatcher")
    assert dispatcher.groups.filter(name=staff_group_name(StaffRole.DISPATCHER)).exists()
    assert dispatcher.groups.filter(pk=group_of(role=Audience.Role.STAFF).pk).exists()


@pytest.mark.parametrize(
    "username, code, role",
    [
        ("resident.a", "A", Membership.Role.OWNER),
        ("resident.b", "B", Membership.Role.OWNER),
        ("tenant.a", "A", Membership.Role.TENANT),
    ],
)
def test_residents_hold_verified_memberships_and_audiences(demo, username, code, role):
    user = User.objects.get(username=username)
    memberships = Membership.objects.filter(user=user, status=Membership.Status.VERIFIED)
    assert [(m.unit.building.code, m.role) for m in memberships] == [(code, role)]
    groups = set(user.groups.all())
    assert group_of(building_code=code) in groups
    other = "B" if code == "A" else "A"
    assert group_of(building_code=other) not in groups
    role_audience = Audience.Role.OWNERS if role == Membership.Role.OWNER else Audience.Role.TENANTS
    assert group_of(role=role_audience) in groups
    assert not user.is_staff


def test_contractor_plumber_works_for_a_plumbing_firm(demo):
    staff = ContractorStaff.objects.select_related("firm__trade").get(user__username="contractor.plumber")
    assert staff.firm.trade.slug == "hydraulik"
    assert staff.user.groups.filter(pk=group_of(role=Audience.Role.CONTRACTORS).pk).exists()
    assert not Membership.objects.filter(user=staff.user).exists()


# --- estate -----------------------------------------------------------------------------


def test_estate_buildings_and_units(demo):
    buildings = Building.objects.filter(estate__slug=data.ESTATE_SLUG)
    assert sorted(b.code for b in buildings) == ["A", "B", "C"]
    for b in buildings:
        assert re.fullmatch(r"\d{2}-\d{3}", b.postal_code)
        assert b.units.aggregate(total=Sum("share"))["total"] == Decimal(1)
    units = Unit.objects.filter(building__in=buildings)
    assert 55 <= units.count() <= 65
    assert units.values("floor").distinct().count() >= 4
    for unit in units:
        assert unit.access_code
        assert unit.land_register_number or unit.member_number
        if unit.land_register_number:
            assert re.fullmatch(r"WA1M/\d{8}/\d", unit.land_register_number)
    verified = Membership.objects.filter(unit__in=units, status=Membership.Status.VERIFIED)
    assert verified.count() >= 50
    assert Membership.objects.filter(unit__in=units, status=Membership.Status.PENDING).exists()


def test_a_flat_held_jointly_by_spouses(demo):
    """A/1 is marked as held by spouses, both its owners: two members of the cooperative."""
    flagged = Unit.objects.filter(building__estate__slug=data.ESTATE_SLUG, held_by_spouses=True)
    assert [str(unit) for unit in flagged] == ["A/1"]
    (unit,) = flagged
    assert unit.member_number
    owners = Membership.objects.live().filter(unit=unit, role=Membership.Role.OWNER)
    assert sorted(m.user.get_full_name() for m in owners) == ["Jan Kowalski", "Maria Kowalska"]


def test_land_register_check_digit_is_computed():
    # Weights 1, 3, 7 over the court code and number; letters valued from X=10, A=11...
    court, number = "WA1M", "00012345"
    expected = (31 * 1 + 11 * 3 + 1 * 7 + 23 * 1 + 0 + 0 + 0 + 1 * 3 + 2 * 7 + 3 * 1 + 4 * 3 + 5 * 7) % 10
    assert data.land_register_check_digit(court, number) == expected


def test_contact_card(demo):
    contact = CooperativeContact.objects.get()
    assert contact.name and contact.street and contact.office_hours
    assert re.fullmatch(r"\d{2}-\d{3}", contact.postal_code)
    assert re.fullmatch(r"PL\d{2}( \d{4}){6}", contact.bank_account)
    digits = contact.bank_account.replace(" ", "")
    rearranged = digits[4:] + "2521" + digits[2:4]  # P=25, L=21
    assert int(rearranged) % 97 == 1
    assert contact.emergency_gas and contact.emergency_water and contact.emergency_lifts
    assert contact.emergency_electricity
    assert contact.departments.count() >= 4
    assert all(d.phone and d.email for d in contact.departments.all())


# --- news -------------------------------------------------------------------------------


def test_news_restricted_to_buildings_and_roles(demo):
    assert restriction_groups(news("budynek-a-wymiana-domofonow")) == {group_of(building_code="A")}
    assert restriction_groups(news("budynek-b-przeglad-instalacji-gazowej")) == {group_of(building_code="B")}
    assert restriction_groups(news("projekty-uchwal-walne-zgromadzenie")) == {group_of(role=Audience.Role.OWNERS)}
    assert restriction_groups(news("grafik-dyzurow-dyspozytorskich")) == {group_of(role=Audience.Role.STAFF)}
    for slug in ("zbiorka-odpadow-wielkogabarytowych", "awaria-wodociagowa-budynki-a-b"):
        assert not PageViewRestriction.objects.filter(page=news(slug)).exists()


def test_outage_alerts_current_and_expired(demo):
    current = set(NewsPage.objects.live().current_alerts().values_list("slug", flat=True))
    assert "awaria-wodociagowa-budynki-a-b" in current
    assert "przerwa-w-dostawie-pradu-budynek-c" not in current
    expired = news("przerwa-w-dostawie-pradu-budynek-c")
    assert expired.live and expired.kind == NewsPage.Kind.OUTAGE and expired.valid_until < timezone.now()
    assert {b.code for b in news("awaria-wodociagowa-budynki-a-b").affected_buildings.all()} == {"A", "B"}


def test_scheduled_news_is_not_live_yet(demo):
    page = news("mycie-okien-na-klatkach")
    assert not page.live
    assert timezone.now() + timedelta(days=5) < page.go_live_at < timezone.now() + timedelta(days=9)
    assert page.latest_revision.approved_go_live_at == page.go_live_at


def test_news_visible_to_each_viewer(demo):
    def visible(username):
        user = User.objects.get(username=username) if username else AnonymousUser()
        return set(restrict_pages(NewsPage.objects.all(), user).values_list("slug", flat=True))

    anonymous = visible(None)
    assert "zbiorka-odpadow-wielkogabarytowych" in anonymous
    assert "budynek-a-wymiana-domofonow" not in anonymous
    assert "mycie-okien-na-klatkach" not in visible("admin")
    assert "budynek-a-wymiana-domofonow" in visible("resident.a")
    assert "budynek-a-wymiana-domofonow" in visible("tenant.a")
    assert "budynek-a-wymiana-domofonow" not in visible("resident.b")
    assert "budynek-b-przeglad-instalacji-gazowej" in visible("resident.b")
    assert "projekty-uchwal-walne-zgromadzenie" in visible("resident.a")
    assert "projekty-uchwal-walne-zgromadzenie" not in visible("tenant.a")
    assert "grafik-dyzurow-dyspozytorskich" in visible("dispatcher")
    assert "grafik-dyzurow-dyspozytorskich" not in visible("contractor.plumber")


def test_news_have_lead_images(demo):
    with_images = NewsPage.objects.filter(lead_image__isnull=False)
    assert with_images.count() >= 5
    image = with_images.first().lead_image
    with image.open_file() as f:
        picture = PILImage.open(f)
        assert picture.format == "JPEG" and picture.width >= 300


# --- documents ----------------------------------------------------------------------------


def test_documents_public_and_restricted(demo):
    Document = get_document_model()
    public = Document.objects.get(title__startswith="Statut")
    assert not CollectionViewRestriction.objects.filter(
        collection__in=public.collection.get_ancestors(inclusive=True)
    ).exists()

    plan_a = Document.objects.get(title="Plan remontów budynku A")
    restriction = CollectionViewRestriction.objects.get(collection=plan_a.collection)
    assert set(restriction.groups.all()) == {group_of(building_code="A")}
    assert plan_a.building.code == "A"


def test_document_in_sub_collection_of_a_restricted_collection(demo):
    Document = get_document_model()
    document = Document.objects.get(title__startswith="Protokół z rocznego przeglądu budynku A")
    collection = document.collection
    parent = collection.get_parent()
    assert parent.depth > 1 and parent != Collection.get_first_root_node()
    assert not CollectionViewRestriction.objects.filter(collection=collection).exists()
    restriction = CollectionViewRestriction.objects.get(collection=parent)
    assert set(restriction.groups.all()) == {group_of(building_code="A")}

    def sees(username):
        user = User.objects.get(username=username) if username else AnonymousUser()
        return restrict_by_collection(Document.objects.filter(pk=document.pk), user).exists()

    assert sees("resident.a") and sees("tenant.a") and sees("admin")
    assert not sees("resident.b") and not sees(None) and not sees("contractor.plumber")


def test_documents_are_real_pdfs(demo):
    for document in get_document_model().objects.all():
        with document.open_file() as f:
            content = f.read()
        assert content.startswith(b"%PDF-1.4") and content.rstrip().endswith(b"%%EOF")
        offset = int(re.search(rb"startxref\n(\d+)", content).group(1))
        assert content[offset:].startswith(b"xref")
        for number, position in enumerate(re.findall(rb"(\d{10}) 00000 n", content), start=1):
            assert content[int(position) :].startswith(b"%d 0 obj" % number)
        start = content.index(b"stream\n") + len(b"stream\n")
        text = zlib.decompress(content[start : content.index(b"\nendstream")]).decode("cp1250")
        assert "Tj" in text
        assert document.file_size == len(content) and document.file_hash


# --- investments and contractors --------------------------------------------------------


def test_investments_in_every_status_with_galleries(demo):
    statuses = set(InvestmentPage.objects.live().values_list("status", flat=True))
    assert statuses == {"planned", "ongoing", "finished"}
    for page in InvestmentPage.objects.all():
        assert page.gallery_images.count() >= 1
        assert page.buildings.exists()
        assert 0 <= page.progress <= 100
    assert get_image_model().objects.count() >= 10


def test_contractor_directory(demo):
    firms = ContractorPage.objects.live()
    assert 25 <= firms.count() <= 35
    trades = set(Trade.objects.filter(contractors__in=firms).values_list("slug", flat=True))
    assert {"hydraulik", "elektryk", "konserwator-dzwigow", "firma-sprzatajaca"} <= trades
    assert len(trades) >= 8
    assert all(firm.phone and firm.services for firm in firms)
    assert not PageViewRestriction.objects.filter(page__in=firms).exists()


# --- running again, and production --------------------------------------------------------


def counts() -> tuple[int, ...]:
    models = [
        User,
        NewsPage,
        ContractorPage,
        get_document_model(),
        get_image_model(),
        Unit,
        Membership,
        Collection,
        PageViewRestriction,
        CollectionViewRestriction,
        Audience,
        Trade,
        Ticket,
        TicketEvent,
        TicketComment,
        TicketPhoto,
        SignInAttempt,
        APIToken,
        WorkflowState,
        Broadcast,
    ]
    return tuple(model.objects.count() for model in models)


def test_running_twice_changes_nothing(demo):
    before = counts()
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    assert "already loaded" in out.getvalue()
    assert data.DEMO_PASSWORD in out.getvalue()
    assert counts() == before


def test_reset_rebuilds_without_duplicates(demo):
    before = counts()
    out = StringIO()
    call_command("load_demo_data", "--reset", "--quiet", stdout=out)
    assert out.getvalue() == ""
    assert counts() == before
    assert restriction_groups(news("budynek-a-wymiana-domofonow")) == {group_of(building_code="A")}
    assert User.objects.get(username="resident.a").check_password(data.DEMO_PASSWORD)
    tickets = Ticket.objects.filter(building__estate__slug=data.ESTATE_SLUG)
    assert sorted(tickets.values_list("status", flat=True)) == sorted(spec.status for spec in data.TICKETS)


@pytest.mark.django_db
def test_refuses_in_production():
    users, buildings = User.objects.count(), Building.objects.count()
    with override_settings(IS_PRODUCTION=True), pytest.raises(CommandError, match="IS_PRODUCTION"):
        call_command("load_demo_data", stdout=StringIO())
    assert (User.objects.count(), Building.objects.count()) == (users, buildings)
    assert getattr(settings, "IS_PRODUCTION", False) is False


def test_demo_outage_broadcast_reaches_buildings_a_and_b_and_the_meeting_reminder_waits(demo, mailoutbox, settings):
    from operations.broadcasts.models import Broadcast
    from operations.broadcasts.tasks import broadcasts_sweep
    from operations.messaging.models import Delivery
    from operations.messaging.tasks import outbox_sweep

    # The demo's own transaction never commits here, so the sweeps play the workers' part.
    broadcasts_sweep()
    outbox_sweep()

    outage = Broadcast.objects.get(title=data.BROADCASTS[0]["title"])
    assert outage.status == Broadcast.Status.SENT
    reached = set(outage.messages.values_list("recipient_id", flat=True))
    residents_a_b = set(
        Membership.objects.filter(
            status=Membership.Status.VERIFIED, unit__building__in=[building("A"), building("B")]
        ).values_list("user_id", flat=True)
    )
    assert reached == residents_a_b
    resident = User.objects.get(username="resident.a")
    deliveries = Delivery.objects.filter(message__broadcast=outage, message__recipient=resident)
    channels = set(deliveries.values_list("channel", flat=True))
    assert channels == {"email", "sms", "push"}
    assert (settings.MESSAGING_FILE_DIR / "sms").exists()
    outage_mails = [mail for mail in mailoutbox if mail.subject == outage.subject]
    assert len(outage_mails) == outage.deliveries.filter(channel="email", state="sent").count() > 0

    reminder = Broadcast.objects.get(title=data.BROADCASTS[1]["title"])
    assert reminder.status == Broadcast.Status.SCHEDULED
    assert reminder.send_at > timezone.now() + timedelta(days=6)
    assert Broadcast.objects.get(title=data.BROADCASTS[2]["title"]).status == Broadcast.Status.DRAFT
