"""Estates, buildings, units and the people who hold them.

An estate (osiedle) groups buildings; a building holds units (lokale). A person becomes
a resident of a unit through a Membership that staff verify against a proof the
cooperative can check. Verified memberships are mirrored into audience groups (Django
groups, one per estate, building and role): those groups are what Wagtail's view
restrictions name, so "who may see this" is answered by one mechanism everywhere.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cms.core.loading import LeanLoading


class Estate(models.Model):
    """A group of buildings managed together (osiedle)."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    slug = models.SlugField(_("slug"), max_length=120, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("estate")
        verbose_name_plural = _("estates")

    def __str__(self) -> str:
        return self.name


class Building(LeanLoading, models.Model):
    """One address within an estate (budynek); audience group per building."""

    estate = models.ForeignKey(Estate, on_delete=models.PROTECT, related_name="buildings", verbose_name=_("estate"))
    code = models.CharField(_("code"), max_length=20, help_text=_("Short name used by residents, e.g. A."))
    street = models.CharField(_("street"), max_length=120)
    number = models.CharField(_("house number"), max_length=20)
    postal_code = models.CharField(_("postal code"), max_length=6, help_text=_("Format 00-950."))
    city = models.CharField(_("city"), max_length=80)

    class Meta:
        ordering = ["estate__name", "code"]
        constraints = [models.UniqueConstraint(fields=["estate", "code"], name="unique_building_code_per_estate")]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")

    def __str__(self) -> str:
        return f"{self.code} – {self.address}"

    @property
    def address(self) -> str:
        return f"{self.street} {self.number}, {self.postal_code} {self.city}"


class Unit(LeanLoading, models.Model):
    """A flat or commercial premises (lokal) in a building."""

    class Kind(models.TextChoices):
        RESIDENTIAL = "residential", _("residential")
        COMMERCIAL = "commercial", _("commercial")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building"))
    number = models.CharField(_("unit number"), max_length=20)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.RESIDENTIAL)
    floor = models.SmallIntegerField(_("floor"), default=0)
    area = models.DecimalField(_("area (m²)"), max_digits=7, decimal_places=2, validators=[MinValueValidator(0)])
    share = models.DecimalField(
        _("share"),
        max_digits=9,
        decimal_places=6,
        default=0,
        validators=[MinValueValidator(0)],
        help_text=_("Share of the common property, the weight of this unit's vote (e.g. 0.012345)."),
    )
    land_register_number = models.CharField(
        _("land-register number"), max_length=20, blank=True, help_text=_("Księga wieczysta, e.g. WA1M/00012345/6.")
    )
    member_number = models.CharField(_("member number"), max_length=30, blank=True)
    # Co-holders of a cooperative right are one member, unless they are spouses holding it
    # jointly: then both are members, and a resolution counted one vote per member gives
    # each a vote (operations/surveys/selectors/resolutions.py).
    held_by_spouses = models.BooleanField(
        _("held jointly by spouses"),
        default=False,
        help_text=_(
            "Both spouses are members of the cooperative and each has a vote (art. 3 of the Act on Housing "
            "Cooperatives)."
        ),
    )
    access_code = models.CharField(
        _("access code"),
        max_length=32,
        blank=True,
        help_text=_("Code printed by the cooperative and handed to the unit's residents for registration."),
    )

    class Meta:
        ordering = ["building__code", "number"]
        constraints = [models.UniqueConstraint(fields=["building", "number"], name="unique_unit_number_per_building")]
        verbose_name = _("unit")
        verbose_name_plural = _("units")

    def __str__(self) -> str:
        return f"{self.building.code}/{self.number}"


class MembershipQuerySet(models.QuerySet):
    def live(self):
        """Memberships that give access now: verified and not ended. The one spelling of
        that rule; every read that decides access starts from it."""
        return self.filter(status=Membership.Status.VERIFIED, ended_at__isnull=True)


class Membership(models.Model):
    """A person's claim to a unit, as owner, tenant or board member, and its verification.

    Only verified, not ended memberships give access (`Membership.objects.live()`);
    services keep the audience groups in step with them in the same transaction.
    """

    class Role(models.TextChoices):
        OWNER = "owner", _("owner")
        TENANT = "tenant", _("tenant")
        BOARD = "board", _("board member")

    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting verification")
        VERIFIED = "verified", _("verified")
        REJECTED = "rejected", _("rejected")
        ENDED = "ended", _("ended")

    class ProofKind(models.TextChoices):
        LAND_REGISTER = "land_register", _("land-register number")
        MEMBER_NUMBER = "member_number", _("member number")
        ACCESS_CODE = "access_code", _("access code")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("unit"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    proof_kind = models.CharField(_("proof"), max_length=20, choices=ProofKind.choices)
    proof_value = models.CharField(_("proof value"), max_length=64)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decision_note = models.TextField(_("decision note"), blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        constraints = [
            # One live claim per person, unit and role; ended and rejected ones stay as history.
            models.UniqueConstraint(
                fields=["user", "unit", "role"],
                condition=models.Q(status__in=["pending", "verified"]),
                name="one_live_membership_per_role",
            )
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} – {self.unit} ({self.get_role_display()}, {self.get_status_display()})"

    @property
    def proof_matches(self) -> bool:
        """Whether the proof given equals what the cooperative holds for the unit (a hint for staff)."""
        expected = {
            self.ProofKind.LAND_REGISTER: self.unit.land_register_number,
            self.ProofKind.MEMBER_NUMBER: self.unit.member_number,
            self.ProofKind.ACCESS_CODE: self.unit.access_code,
        }.get(self.proof_kind, "")
        return bool(expected) and expected.strip().upper() == self.proof_value.strip().upper()


class Audience(models.Model):
    """What a Django group stands for: an estate, a building or a role.

    Editors pick these groups in Wagtail's "private" dialog; the hub owns their members.
    """

    class Kind(models.TextChoices):
        ESTATE = "estate", _("estate")
        BUILDING = "building", _("building")
        ROLE = "role", _("role")

    class Role(models.TextChoices):
        OWNERS = "owners", _("owners")
        TENANTS = "tenants", _("tenants")
        BOARD = "board", _("board")
        STAFF = "staff", _("staff")
        CONTRACTORS = "contractors", _("contractors")

    group = models.OneToOneField(Group, on_delete=models.CASCADE, related_name="audience")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    estate = models.OneToOneField(Estate, on_delete=models.CASCADE, null=True, blank=True, related_name="audience")
    building = models.OneToOneField(Building, on_delete=models.CASCADE, null=True, blank=True, related_name="audience")
    role = models.CharField(max_length=20, choices=Role.choices, blank=True, unique=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role"], condition=~models.Q(role=""), name="one_audience_per_role")
        ]
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")

    def __str__(self) -> str:
        return self.group.name


class SignInAttempt(models.Model):
    """Every sign-in attempt, for the user's own history and for throttling."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", _("signed in")
        FAILURE = "failure", _("wrong user name or password")
        THROTTLED = "throttled", _("refused: too many attempts")
        INACTIVE = "inactive", _("refused: account disabled")

    class Channel(models.TextChoices):
        SESSION = "session", _("web (session)")
        TOKEN = "token", _("mobile app (token)")
        ADMIN = "admin", _("admin panel")
        # Account confirmation and password reset: a link only the mailbox's owner has.
        EMAIL_LINK = "email_link", _("link from an e-mail")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    username = models.CharField(max_length=150, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="sign_in_attempts"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    # What the limits count as one address (throttling.address_key): the address for
    # IPv4, its /64 network for IPv6; "" when the address is unknown.
    network = models.CharField(max_length=50, blank=True, default="")
    user_agent = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        indexes = [models.Index(fields=["network", "created_at"], name="signin_network_created")]
        ordering = ["-created_at"]
        verbose_name = _("sign-in attempt")
        verbose_name_plural = _("sign-in attempts")

    def __str__(self) -> str:
        return f"{self.username}: {self.get_outcome_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class AccountConfirmation(models.Model):
    """An account made by registration, and whether its e-mail address is confirmed yet.

    Registration creates the account inactive, with no usable password, and this row;
    whoever holds the mailbox confirms it by the link sent there, choosing the password
    at that moment (so nobody can prepare an account on someone else's address with a
    password they know). Until then `confirmed_at` is empty. An inactive account without
    such a pending row is one staff disabled; accounts staff create have no row at all.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="account_confirmation",
        verbose_name=_("person"),
    )
    requested_at = models.DateTimeField(_("registered at"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("e-mail confirmed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("account confirmation")
        verbose_name_plural = _("account confirmations")

    def __str__(self) -> str:
        return f"{self.user}: {self.confirmed_at or '-'}"

    @property
    def is_pending(self) -> bool:
        return self.confirmed_at is None


class AccountEmailRequest(models.Model):
    """A sign-up or a request for a new-password link, waiting to be acted on (an outbox).

    userRegister and passwordResetRequest only check the input's shape and the limits per
    network, write this row and queue a task after commit: the same work whatever the
    address, so neither the answer nor its timing tells a stranger whether it has an
    account. The task (or, if the broker lost it, the periodic sweep) looks the address up,
    applies the limit per mailbox, sends the account e-mail through messaging and marks
    the row processed, in one transaction. Rows are deleted a day after they were made
    (they hold an e-mail address and names: personal data).
    """

    class Purpose(models.TextChoices):
        REGISTER = "register", _("sign-up")
        RESET = "reset", _("new password")

    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    email = models.EmailField(_("e-mail address"))
    # Only for a sign-up, and only used for an account it creates: never for one that exists.
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now, db_index=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["processed_at", "created_at"], name="account_email_requests_due")]
        verbose_name = _("account e-mail request")
        verbose_name_plural = _("account e-mail requests")

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} ({self.created_at:%Y-%m-%d %H:%M})"
