"""Helpers for tests that drive the Wagtail admin through the test client: a signed-in
member of staff, and the values a browser would submit from a form on a page."""

from __future__ import annotations

from bs4 import BeautifulSoup
from django.test import Client
from wagtail.test.utils.form_data import querydict_from_html

from operations.residents import services as residents
from operations.residents.roles import StaffRole
from tests.factories.residents import UserFactory


def staff_client(role: StaffRole, username: str | None = None) -> Client:
    """A client signed in as a new member of staff with `role`; its user is `client.user`."""
    user = UserFactory(username=username or f"staff.{role.value}", first_name="Dorota", last_name="Biuro")
    residents.staff_role_assign(user=user, role=role)
    return signed_in_client(user)


def signed_in_client(user) -> Client:
    """A client signed in as `user`, who is `client.user`."""
    client = Client()
    client.force_login(user)
    client.user = user
    return client


def html_form(response, form_id: str) -> dict:
    """The values a browser would submit from a form on the page, as the test client takes them."""
    html = response.content.decode()
    data = querydict_from_html(html, form_id=form_id)
    # Wagtail's helper picks the first option of a select with nothing selected; a browser
    # sends nothing for a multiple select left empty.
    form = BeautifulSoup(html, "html.parser").find("form", id=form_id)
    for select in form.find_all("select", multiple=True):
        if not select.find_all("option", selected=True):
            data.pop(select["name"], None)
    return {key: values if len(values) > 1 else values[0] for key, values in data.lists()}
