"""The counting rules the law gives today, each with its legal basis (version 1). A change
in the law is a new version added by a later migration or by staff; resolutions keep the
version they opened with."""

from datetime import date

from django.db import migrations

RULES = [
    {
        "code": "wspolnota-udzialy",
        "name": "Wspólnota mieszkaniowa: większość udziałów",
        "legal_basis": (
            "Art. 23 ust. 1 i 2 ustawy z dnia 24 czerwca 1994 r. o własności lokali: uchwała podjęta w drodze "
            "indywidualnego zbierania głosów; o jej przyjęciu decyduje większość głosów właścicieli lokali "
            "liczona według wielkości udziałów w nieruchomości wspólnej, liczona od wszystkich właścicieli, "
            "nie tylko od głosujących."
        ),
        "method": "shares",
        "base": "all",
        "effective_from": date(1995, 1, 1),
    },
    {
        "code": "wspolnota-jeden-glos",
        "name": "Wspólnota mieszkaniowa: jeden właściciel – jeden głos",
        "legal_basis": (
            "Art. 23 ust. 2 ustawy z dnia 24 czerwca 1994 r. o własności lokali: na każdego właściciela przypada "
            "jeden głos, gdy tak postanowiono w umowie lub uchwale albo gdy zażądają tego właściciele lokali, "
            "których udziały wynoszą co najmniej 1/5 udziałów w nieruchomości wspólnej; większość liczona od "
            "wszystkich właścicieli."
        ),
        "method": "owners",
        "base": "all",
        "effective_from": date(1995, 1, 1),
    },
    {
        "code": "spoldzielnia-czlonek",
        "name": "Spółdzielnia: jeden członek – jeden głos",
        "legal_basis": (
            "Art. 36 § 1 ustawy z dnia 16 września 1982 r. – Prawo spółdzielcze: członek ma jeden głos bez "
            "względu na liczbę posiadanych udziałów; art. 35 § 4: uchwały zapadają zwykłą większością głosów "
            "oddanych (więcej głosów „za” niż „przeciw”)."
        ),
        "method": "members",
        "base": "cast",
        "effective_from": date(1983, 1, 1),
    },
]


def seed(apps, schema_editor):
    CountingRule = apps.get_model("surveys", "CountingRule")
    for rule in RULES:
        CountingRule.objects.get_or_create(code=rule["code"], version=1, defaults=rule)


def unseed(apps, schema_editor):
    CountingRule = apps.get_model("surveys", "CountingRule")
    CountingRule.objects.filter(code__in=[rule["code"] for rule in RULES], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("surveys", "0002_resolutions")]

    operations = [migrations.RunPython(seed, unseed)]
