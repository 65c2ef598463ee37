"""GraphQL for the site itself: `site` (the contact card) and `page(urlPath:)`."""

from __future__ import annotations

import strawberry
import strawberry_django
from strawberry import Info
from wagtail.rich_text import expand_db_html

from cms.contractors.models import ContractorIndexPage
from cms.core.graphql.content import PageInterface, site_root_url_path
from cms.core.graphql.context import denial, request_of, site_root_path, viewer_of
from cms.core.graphql.fields import model_type
from cms.documents.models import DocumentIndexPage
from cms.home import selectors
from cms.home.models import HomePage
from cms.investments.models import InvestmentIndexPage
from cms.news.models import NewsIndexPage


def _intro_page_type(model, name: str):
    @model_type(model, name=name)
    class IntroPage(PageInterface):
        @strawberry_django.field(only=["intro"], description="Introduction as HTML.")
        def intro(self) -> str:
            return expand_db_html(self.intro)

    return IntroPage


# Section pages: a title and an introduction; their items come from the lists.
HomePageType = _intro_page_type(HomePage, "HomePage")
NewsIndexType = _intro_page_type(NewsIndexPage, "NewsIndexPage")
DocumentIndexType = _intro_page_type(DocumentIndexPage, "DocumentIndexPage")
InvestmentIndexType = _intro_page_type(InvestmentIndexPage, "InvestmentIndexPage")
ContractorIndexType = _intro_page_type(ContractorIndexPage, "ContractorIndexPage")


@strawberry.type(description="A department of the cooperative's office.")
class Department:
    name: str
    phone: str
    email: str
    hours: str


@strawberry.type(description="Numbers to call in an emergency.")
class EmergencyNumbers:
    gas: str
    water: str
    lifts: str
    electricity: str


@strawberry.type(name="Site", description="The cooperative and its contact card.")
class SiteInfo:
    name: str
    street: str
    postal_code: str
    city: str
    office_hours: str
    phone: str
    email: str
    bank_name: str
    bank_account: str
    departments: list[Department]
    emergency_numbers: EmergencyNumbers


@strawberry.type
class Query:
    @strawberry.field(description="The cooperative's contact card.")
    def site(self, info: Info) -> SiteInfo:
        contact = selectors.cooperative_contact(request_of(info))
        return SiteInfo(
            name=contact.name,
            street=contact.street,
            postal_code=contact.postal_code,
            city=contact.city,
            office_hours=contact.office_hours,
            phone=contact.phone,
            email=contact.email,
            bank_name=contact.bank_name,
            bank_account=contact.bank_account,
            departments=[
                Department(name=d.name, phone=d.phone, email=d.email, hours=d.hours) for d in contact.departments.all()
            ],
            emergency_numbers=EmergencyNumbers(
                gas=contact.emergency_gas,
                water=contact.emergency_water,
                lifts=contact.emergency_lifts,
                electricity=contact.emergency_electricity,
            ),
        )

    @strawberry.field(description="The page at a path within the site, if the viewer may read it.")
    def page(self, info: Info, url_path: str) -> PageInterface | None:
        if "\x00" in url_path:  # no page has one; PostgreSQL refuses it in a query
            return None
        relative = url_path.strip("/")
        full_path = site_root_url_path(info) + (relative + "/" if relative else "")
        page = selectors.pages_visible_to(
            viewer_of(info), url_path=full_path, denial=denial(info), within=site_root_path(info)
        ).first()
        return page.specific if page is not None else None
