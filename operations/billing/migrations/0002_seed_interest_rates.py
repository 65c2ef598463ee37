"""The statutory late-payment interest rates in force when billing started: the NBP
reference rate plus 5.5 percentage points (art. 481 § 2 of the Civil Code). Staff add
later ones in the admin."""

from datetime import date
from decimal import Decimal

from django.db import migrations

RATES = [
    (date(2025, 12, 4), Decimal("9.50"), Decimal("4.00")),
    (date(2026, 3, 5), Decimal("9.25"), Decimal("3.75")),
]


def seed(apps, schema_editor):
    InterestRate = apps.get_model("billing", "InterestRate")
    for effective_from, rate, reference_rate in RATES:
        InterestRate.objects.get_or_create(
            effective_from=effective_from,
            defaults={
                "rate": rate,
                "reference_rate": reference_rate,
                "note": "Odsetki ustawowe za opóźnienie: stopa referencyjna NBP + 5,5 p.p.",
            },
        )


def unseed(apps, schema_editor):
    InterestRate = apps.get_model("billing", "InterestRate")
    InterestRate.objects.filter(effective_from__in=[row[0] for row in RATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("billing", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
