"""Reports made without an account were recorded as coming through the resident portal:
record them as ANONYMOUS, the channel they really came through.

Which ones: no reporter and nobody who recorded them for someone, no unit (the public
form reports common areas only) and a contact to call back on (the form requires one).
A resident's report whose account was later deleted also has no reporter, but keeps its
unit or has no contact; it stays a portal report.
"""

from django.db import migrations
from django.db.models import Q


def anonymous_reports(Ticket):
    return Ticket.objects.filter(
        Q(contact_phone__gt="") | Q(contact_email__gt=""),
        source="portal",
        reporter__isnull=True,
        recorded_by__isnull=True,
        unit__isnull=True,
    )


def mark_anonymous(apps, schema_editor):
    anonymous_reports(apps.get_model("tickets", "Ticket")).update(source="anonymous")


def mark_portal(apps, schema_editor):
    apps.get_model("tickets", "Ticket").objects.filter(source="anonymous").update(source="portal")


class Migration(migrations.Migration):
    dependencies = [
        ("tickets", "0004_channel_and_category_trade"),
    ]

    operations = [migrations.RunPython(mark_anonymous, mark_portal)]
