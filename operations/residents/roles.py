"""Staff roles (editor, dispatcher, administrator, accountant, board) as Django groups.

A role is nothing more than membership of a Django group with a fixed Polish name and a
set of permissions, so that Wagtail's own group editor shows and changes it and every
permission check in Wagtail and Django just works. `services.staff_groups_ensure()`
creates the groups and grants the permissions listed here; it only ever adds, so
permissions an administrator granted by hand in the admin survive a deploy.

Later apps (tickets, billing, surveys) add their permissions to `ROLE_PERMISSIONS`.
"""

from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import models
from django.utils.translation import gettext_lazy as _


class StaffRole(models.TextChoices):
    EDITOR = "editor", _("editor")
    DISPATCHER = "dispatcher", _("dispatcher")
    ADMINISTRATOR = "administrator", _("administrator")
    ACCOUNTANT = "accountant", _("accountant")
    BOARD = "board", _("board")


# Group names are data shown to the cooperative's staff in the admin, hence Polish and
# fixed: they identify the role, so they must not change with the viewer's language.
STAFF_GROUP_NAMES: dict[StaffRole, str] = {
    StaffRole.EDITOR: "Redaktorzy",
    StaffRole.DISPATCHER: "Dyspozytorzy",
    StaffRole.ADMINISTRATOR: "Administratorzy",
    StaffRole.ACCOUNTANT: "Księgowość",
    StaffRole.BOARD: "Zarząd",
}

ADMIN_ACCESS = "wagtailadmin.access_admin"

_RESIDENTS_READ = [
    "residents.view_estate",
    "residents.view_building",
    "residents.view_unit",
    "residents.view_membership",
]

# Composing, sending and following broadcasts, and reading the delivery log.
_BROADCASTING = [
    "broadcasts.add_broadcast",
    "broadcasts.change_broadcast",
    "broadcasts.view_broadcast",
    "broadcasts.send_broadcast",
    "messaging.view_delivery",
]
_MESSAGE_TEMPLATES = ["messaging.change_messagetemplate", "messaging.view_messagetemplate"]

# Working tickets through: seeing all, assigning, changing status and deadlines.
_DISPATCHING = [
    "tickets.view_ticket",
    "tickets.change_ticket",
    "tickets.dispatch_ticket",
    "tickets.view_ticket_statistics",
    "tickets.view_category",
]
_TICKETS_READ = ["tickets.view_ticket", "tickets.view_ticket_statistics"]

# Units' accounts and their ledger (operations/billing/policy.py names the same sets).
_BILLING_READ = [
    "billing.view_billingaccount",
    "billing.view_ledgerentry",
    "billing.view_allocation",
    "billing.view_interestrate",
    "billing.view_billingdocument",
    "billing.view_paymentreminder",
]
_BILLING_KEEPING = [
    *_BILLING_READ,
    "billing.manage_billingaccount",
    "billing.post_ledgerentry",
    "billing.add_interestrate",
    "billing.change_interestrate",
    # Statements, demands and interest notes as PDF (operations/billing/admin/documents.py).
    "billing.issue_billingdocument",
    # Bank statements: reading them and their lines, importing them and settling the
    # unmatched-payments queue (operations/billing/admin/statements.py, queue.py).
    "billing.view_bankstatement",
    "billing.view_banktransaction",
    "billing.import_bankstatement",
    # Charges and opening balances from the accounting system (operations/billing/admin/imports.py).
    "billing.add_chargeimportprofile",
    "billing.change_chargeimportprofile",
    "billing.view_chargeimportprofile",
    "billing.view_chargeimportbatch",
    "billing.import_charges",
]

# Surveys and votes on resolutions (operations/surveys/policy.py): seeing every survey and its
# live results, following resolutions and entering paper ballots and proxies.
_SURVEYS_READ = ["surveys.view_survey", "surveys.view_survey_results"]
_SURVEYS_BUILDING = [*_SURVEYS_READ, "surveys.add_survey", "surveys.change_survey"]
_RESOLUTIONS_PAPER = ["surveys.view_resolution", "surveys.record_paper_vote"]

# Model permissions ("app_label.codename") per role; every role can enter the admin.
ROLE_PERMISSIONS: dict[StaffRole, list[str]] = {
    StaffRole.EDITOR: [
        ADMIN_ACCESS,
        "contractors.add_trade",
        "contractors.change_trade",
        "contractors.delete_trade",
        *_BROADCASTING,
        *_MESSAGE_TEMPLATES,
    ],
    StaffRole.DISPATCHER: [ADMIN_ACCESS, *_RESIDENTS_READ, *_BROADCASTING, *_DISPATCHING],
    StaffRole.ADMINISTRATOR: [
        ADMIN_ACCESS,
        *_RESIDENTS_READ,
        *_BROADCASTING,
        *_MESSAGE_TEMPLATES,
        *_DISPATCHING,
        "tickets.add_category",
        "tickets.change_category",
        "residents.add_estate",
        "residents.change_estate",
        "residents.add_building",
        "residents.change_building",
        "residents.add_unit",
        "residents.change_unit",
        # Deciding on memberships (verify, reject, end) is "changing" them.
        "residents.change_membership",
        "residents.view_signinattempt",
        *_SURVEYS_BUILDING,
        *_RESOLUTIONS_PAPER,
        # The directory search's index: its state, a rebuild, a reconciliation (search/admin).
        "directory_search.manage_search_index",
    ],
    StaffRole.ACCOUNTANT: [ADMIN_ACCESS, *_RESIDENTS_READ, "broadcasts.view_broadcast", *_BILLING_KEEPING],
    StaffRole.BOARD: [
        ADMIN_ACCESS,
        *_RESIDENTS_READ,
        "broadcasts.view_broadcast",
        *_TICKETS_READ,
        *_BILLING_READ,
        *_SURVEYS_READ,
        *_RESOLUTIONS_PAPER,
        "surveys.change_resolution",
    ],
}

# Editors work on the whole page tree and in every collection (documents, images).
EDITOR_PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page", "lock_page", "unlock_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.delete_document",
    "wagtaildocs.choose_document",
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.delete_image",
    "wagtailimages.choose_image",
]


def staff_group_name(role: StaffRole | str) -> str:
    return STAFF_GROUP_NAMES[StaffRole(role)]


def staff_roles_from_group_names(names) -> list[StaffRole]:
    """The roles that a set of group names amounts to, in the order roles are declared."""
    names = set(names)
    return [role for role, name in STAFF_GROUP_NAMES.items() if name in names]


def permissions_named(dotted: list[str]) -> list[Permission]:
    """The permissions named "app_label.codename" that exist (those of an app not migrated yet do not)."""
    wanted = {tuple(name.split(".", 1)) for name in dotted}
    found = list(
        Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted}, codename__in={code for _, code in wanted}
        ).select_related("content_type")
    )
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]
