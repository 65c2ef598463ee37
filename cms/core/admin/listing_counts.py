"""The count under Wagtail's admin lists, in words that hold in Polish.

Wagtail writes it as the number followed by the model's plural name
(`WagtailPaginator.items_count_label`, an f-string no catalogue reaches): "9 zgłoszenia",
"61 lokale", "0 strony", where Polish needs the noun's form for the number (zgłoszeń,
lokali, stron), which a model's names do not carry. Named first and counted after
("Zgłoszenia: 9"), the plural name needs no other form, in every language. Applied once
when the apps are ready (`cms.core.apps`), to every list of the admin, Wagtail's own
included.
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext
from wagtail.admin.paginator import WagtailPaginator


def items_count_label(paginator: WagtailPaginator) -> str:
    return gettext("%(things)s: %(count)s") % {
        "things": capfirst(paginator.verbose_name_plural),
        "count": paginator.count,
    }


def apply() -> None:
    WagtailPaginator.items_count_label = property(items_count_label)
