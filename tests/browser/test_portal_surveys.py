"""The resident portal's "Ankiety i głosowania" in a real browser, on the demo data
(demo_cooperative/surveys.py): an open satisfaction survey with an NPS question that
resident.a answered and resident.b has not, a closed anonymous survey with results, an
open resolution of building B by shares (8/2026) where resident.b (owner of B/5) has not
voted, a closed adopted resolution of building A (6/2026) where resident.a voted.

The hub is shared by every browser test: the tests that change data (resident.b's answer,
resident.b's vote) run once, at 360 px, each with its own person and its own item, and
no other test relies on resident.b's answer or vote being absent or present. Every
screen is checked with axe-core and for sideways scrolling; screenshots land in
test-artifacts/portal/."""

from __future__ import annotations

import re

from tests.browser.conftest import (
    HubApi,
    no_serious_violations,
    no_sideways_scrolling,
    opened_page,
    screenshot,
    tab_to,
)
from tests.browser.conftest import sign_in as _sign_in

OPEN_SURVEY = "Jak oceniasz utrzymanie osiedla w 2026 roku?"
CLOSED_SURVEY = "Ocena pracy administracji osiedla (II kwartał)"
OPEN_RESOLUTION = "Wymiana instalacji domofonowej w budynku B"
CLOSED_RESOLUTION = "Docieplenie stropodachu budynku A"

SURVEYS = """query { surveys(first: 20) { edges { node { id title } } } }"""
SURVEY = """query($id: ID!) { survey(id: $id) { answered canAnswer results {
  responses questions { text kind answered nps choices { label count } distribution { value count } } } } }"""
RESOLUTIONS = """query { resolutions(first: 20) { edges { node { id number title canVote
  mySeats { label voted byMe myChoice } } } } }"""


def sign_in(page, username: str) -> None:
    """conftest's sign-in, once the first page has set its CSRF cookie (as the account tests do)."""
    page.goto("/")
    page.wait_for_function("document.cookie.includes('csrftoken=')")
    _sign_in(page, username)


def _checked(page, name: str, width: int) -> None:
    no_sideways_scrolling(page)
    no_serious_violations(page)
    screenshot(page, name, width)


def _survey_id(hub: str, username: str, title: str) -> str:
    edges = HubApi(hub, username).run(SURVEYS)["surveys"]["edges"]
    return next(edge["node"]["id"] for edge in edges if edge["node"]["title"] == title)


def _resolutions(hub: str, username: str) -> dict[str, dict]:
    edges = HubApi(hub, username).run(RESOLUTIONS)["resolutions"]["edges"]
    return {edge["node"]["number"]: edge["node"] for edge in edges}


def _open_list(page):
    page.get_by_role("navigation", name="Menu główne").get_by_role("link", name="Ankiety i głosowania").click()
    page.get_by_role("heading", name="Ankiety i głosowania", level=1).wait_for()
    page.get_by_role("heading", name="Czekają na Ciebie", level=2).wait_for()
    return {
        "open": page.get_by_role("region", name="Czekają na Ciebie"),
        "done": page.get_by_role("region", name="Już odpowiedziane i oddane głosy"),
        "closed": page.get_by_role("region", name="Zakończone – wyniki"),
    }


def _focused_text(page) -> str:
    return page.evaluate("document.activeElement.textContent.trim()")


def _question(page, number: int, text: str) -> None:
    """The screen of question `number` of 5: its progress, its heading focused."""
    page.get_by_text(f"Pytanie {number} z 5", exact=True).wait_for()
    heading = page.get_by_role("heading", name=text, level=2)
    heading.wait_for()
    page.wait_for_function("document.activeElement && document.activeElement.tagName === 'H2'")
    assert _focused_text(page) == text


# --- The survey flow --------------------------------------------------------------------------


def test_resident_b_answers_the_open_survey_one_question_per_screen(browser, hub):
    survey_id = _survey_id(hub, "resident.b", OPEN_SURVEY)
    before = HubApi(hub, "resident.b").run(SURVEY, id=survey_id)["survey"]
    assert before["canAnswer"] and not before["answered"], "the demo leaves resident.b to answer"
    width = 360
    with opened_page(browser, hub, width) as page:
        sign_in(page, "resident.b")
        # The home page says something awaits him.
        glance = page.get_by_role("region", name="Ankiety i głosowania")
        glance.get_by_text(re.compile(r"^Czeka")).wait_for()
        _checked(page, "surveys-home", width)

        groups = _open_list(page)
        groups["open"].get_by_role("link", name=OPEN_SURVEY).wait_for()
        assert "Czeka na Twoją odpowiedź" in groups["open"].inner_text()
        _checked(page, "surveys-list", width)

        groups["open"].get_by_role("link", name=OPEN_SURVEY).click()
        page.get_by_role("heading", name=OPEN_SURVEY, level=1).wait_for()
        page.get_by_text("Ankieta ma 5 pytań.", exact=False).wait_for()
        _checked(page, "survey-intro", width)
        page.get_by_role("button", name="Rozpocznij ankietę").click()

        # 1: a scale, required: refused when skipped, with the message at the top and by the field.
        _question(page, 1, "Jak oceniasz czystość klatek schodowych?")
        assert page.get_by_role("button", name="Wstecz").count() == 0
        _checked(page, "survey-question", width)
        page.get_by_role("button", name="Dalej").click()
        message = "Wybierz odpowiedź, zanim przejdziesz dalej – to pytanie jest wymagane."
        page.locator(".error-summary").get_by_text(message).wait_for()
        page.locator(".field__error").get_by_text(message).wait_for()
        assert page.get_by_text("Pytanie 1 z 5", exact=True).is_visible()
        _checked(page, "survey-required", width)
        group = page.get_by_role("group", name="Jak oceniasz czystość klatek schodowych?")
        group.get_by_role("radio", name="4", exact=True).check()
        assert page.locator(".error-summary").count() == 0
        page.get_by_role("button", name="Dalej").click()

        # 2: NPS, 0 to 10; back and next keep the answers.
        _question(page, 2, "Jak bardzo polecił(a)byś nasze osiedle znajomym? (0 – wcale, 10 – bardzo)")
        nps = page.get_by_role("group", name=re.compile("Jak bardzo polecił"))
        assert nps.get_by_role("radio").count() == 11
        _checked(page, "survey-nps", width)
        nps.get_by_role("radio", name="9", exact=True).check()
        page.get_by_role("button", name="Wstecz").click()
        _question(page, 1, "Jak oceniasz czystość klatek schodowych?")
        assert page.get_by_role("radio", name="4", exact=True).is_checked()
        page.get_by_role("button", name="Dalej").click()
        _question(page, 2, "Jak bardzo polecił(a)byś nasze osiedle znajomym? (0 – wcale, 10 – bardzo)")
        assert page.get_by_role("radio", name="9", exact=True).is_checked()
        page.get_by_role("button", name="Dalej").click()

        # 3: one choice; 4: several, optional (skipped); 5: text, optional.
        # Question 3 with the keyboard alone: from the focused heading to the choices, an
        # arrow to the second one, on to "Dalej", Enter.
        _question(page, 3, "Co powinno być priorytetem w przyszłym roku?")
        tab_to(page, "element.type === 'radio'")
        page.keyboard.press("ArrowDown")
        assert page.get_by_role("radio", name="Nowe place zabaw").is_checked()
        tab_to(page, "element.textContent.trim() === 'Dalej'")
        page.keyboard.press("Enter")
        _question(page, 4, "Z czego korzystasz?")
        assert page.get_by_text("To pytanie możesz pominąć.").is_visible()
        page.get_by_role("button", name="Dalej").click()
        _question(page, 5, "Co jeszcze chcesz nam przekazać?")
        page.get_by_label("Co jeszcze chcesz nam przekazać?").fill("Więcej ławek przy placu zabaw.")
        _checked(page, "survey-text", width)
        page.get_by_role("button", name="Dalej – sprawdź odpowiedzi").click()

        # The summary, with a change made from it.
        page.get_by_role("heading", name="Sprawdź odpowiedzi przed wysłaniem", level=2).wait_for()
        summary = page.locator("dl.summary")
        text = summary.inner_text()
        for expected in ["Pytanie 1 z 5", "Nowe place zabaw", "Bez odpowiedzi", "Więcej ławek przy placu zabaw."]:
            assert expected in text, text
        _checked(page, "survey-summary", width)
        page.get_by_role("button", name="Zmień – Jak oceniasz czystość klatek schodowych?").click()
        _question(page, 1, "Jak oceniasz czystość klatek schodowych?")
        page.get_by_role("radio", name="5", exact=True).check()
        for _ in range(4):
            page.get_by_role("button", name="Dalej", exact=True).click()
        page.get_by_role("button", name="Dalej – sprawdź odpowiedzi").click()
        page.get_by_role("heading", name="Sprawdź odpowiedzi przed wysłaniem", level=2).wait_for()
        page.get_by_role("button", name="Wyślij odpowiedzi").click()

        # The confirmation of what was sent.
        page.get_by_role("heading", name="Odpowiedzi zostały wysłane", level=2).wait_for()
        sent = page.locator("dl.summary").inner_text()
        for expected in ["Jak oceniasz czystość klatek schodowych?\n5", "9", "Nowe place zabaw", "Więcej ławek"]:
            assert expected in sent, sent
        _checked(page, "survey-sent", width)

        after = HubApi(hub, "resident.b").run(SURVEY, id=survey_id)["survey"]
        assert after["answered"] and not after["canAnswer"]

        # Now it shows as answered, in the list and on its page.
        page.get_by_role("link", name="Wróć do listy ankiet i głosowań").last.click()
        page.get_by_role("heading", name="Ankiety i głosowania", level=1).wait_for()
        done = page.get_by_role("region", name="Już odpowiedziane i oddane głosy")
        done.get_by_role("link", name=OPEN_SURVEY).wait_for()
        assert page.get_by_role("region", name="Czekają na Ciebie").get_by_role("link", name=OPEN_SURVEY).count() == 0
        done.get_by_role("link", name=OPEN_SURVEY).click()
        page.get_by_text("Odpowiedziałeś(-aś) już na tę ankietę.").wait_for()
        assert page.get_by_role("button", name="Rozpocznij ankietę").count() == 0


def test_resident_a_sees_her_answer_and_the_closed_survey_results_as_charts(page, width, hub):
    survey_id = _survey_id(hub, "resident.a", CLOSED_SURVEY)
    results = HubApi(hub, "resident.a").run(SURVEY, id=survey_id)["survey"]["results"]
    assert results and results["responses"] > 0

    sign_in(page, "resident.a")
    groups = _open_list(page)
    groups["done"].get_by_role("link", name=OPEN_SURVEY).wait_for()
    assert "Odpowiedziano" in groups["done"].inner_text()
    groups["done"].get_by_role("link", name=OPEN_SURVEY).click()
    page.get_by_role("heading", name=OPEN_SURVEY, level=1).wait_for()
    page.get_by_text("Odpowiedziałeś(-aś) już na tę ankietę.").wait_for()
    assert page.get_by_role("button", name="Rozpocznij ankietę").count() == 0
    _checked(page, "survey-answered", width)

    page.get_by_role("link", name="Wróć do listy ankiet i głosowań").click()
    closed = page.get_by_role("region", name="Zakończone – wyniki")
    closed.get_by_role("link", name=CLOSED_SURVEY).click()
    page.get_by_role("heading", name=CLOSED_SURVEY, level=1).wait_for()
    page.get_by_role("heading", name="Wyniki", level=2).wait_for()
    assert page.get_by_text("Ankieta · anonimowa").is_visible()
    # Only this survey's questions (not the open survey's).
    shown = page.locator(".result h3").all_inner_texts()
    assert shown == [
        "Jak oceniasz szybkość reakcji na zgłoszenia?",
        "Czy wiesz, jak skontaktować się z administratorem budynku?",
        "Co możemy poprawić?",
    ], shown
    page.get_by_text(re.compile(r"^Średnia ocena: \d")).wait_for()
    for question in results["questions"]:
        rows = question["choices"] or question["distribution"]
        if not rows:
            continue
        table = page.get_by_role("table", name=f"Odpowiedzi na pytanie: {question['text']}")
        body = table.locator("tbody tr")
        assert body.count() == len(rows)
        for index, row in enumerate(rows):
            cells = body.nth(index).locator("td")
            assert cells.first.inner_text() == str(row["count"])
            if question["kind"] == "YES_NO":
                assert body.nth(index).locator("th").inner_text().strip() == ("Tak" if row["value"] == 1 else "Nie")
        # The bars are for the eye only: the numbers are the table's text.
        assert table.locator(".chart__bar[aria-hidden='true']").count() == len(rows)
    _checked(page, "survey-results", width)


def test_an_open_surveys_results_stay_hidden_from_residents(page, width, hub):
    """resident.a answered the open survey: its page says so, offers no second answer
    (the demo's survey keeps first answers) and shows no results before the close."""
    sign_in(page, "resident.a")
    survey_id = _survey_id(hub, "resident.a", OPEN_SURVEY)
    page.goto(f"/ankiety/{survey_id}")
    page.get_by_role("heading", name=OPEN_SURVEY, level=1).wait_for()
    page.get_by_text("Odpowiedziałeś(-aś) już na tę ankietę.").wait_for()
    assert page.get_by_role("heading", name="Wyniki").count() == 0


CHANGEABLE_SURVEY = "Termin sprzątania piwnic"
CHANGEABLE_SETUP = """
from datetime import timedelta
from django.contrib.auth import get_user_model
from django.utils import timezone
from operations.residents.models import Membership
from operations.residents.services import audience_group
from operations.surveys import services
from operations.surveys.models import Choice, Question, Survey
person = get_user_model().objects.get(username="resident.a")
building = Membership.objects.live().filter(user=person).first().unit.building
now = timezone.now()
survey = Survey.objects.create(
    title="Termin sprzątania piwnic", opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=6),
    is_published=True, audience_everyone=False, allow_changes=True,
)
survey.audiences.set([audience_group(building=building)])
day = Question.objects.create(survey=survey, position=0, kind=Question.Kind.SINGLE, text="Który dzień Ci pasuje?")
saturday = Choice.objects.create(question=day, position=0, label="Sobota")
sunday = Choice.objects.create(question=day, position=1, label="Niedziela")
help = Question.objects.create(
    survey=survey, position=1, kind=Question.Kind.YES_NO, text="Czy pomożesz przy sprzątaniu?"
)
services.survey_respond(survey=survey, person=person, answers={day.pk: sunday.pk, help.pk: False})
"""  # titled CHANGEABLE_SURVEY
CHANGEABLE_TEARDOWN = """
from operations.surveys.models import Survey
Survey.objects.filter(title="Termin sprzątania piwnic").delete()
"""
MY_ANSWERS = """query($id: ID!) { survey(id: $id) { canChangeAnswer myAnswers { choiceIds yes } } }"""


def test_changing_an_answer_starts_from_the_previous_one(browser, hub, hub_shell):
    """A survey that allows changes until the close (issue 15): resident.a answered
    "Niedziela" and "Nie"; "Zmień odpowiedzi" opens the flow with them selected, and a
    change sent replaces them."""
    hub_shell(CHANGEABLE_SETUP)
    # The hub is shared by the session's tests: what this test adds, it takes away again,
    # so that lists and counts elsewhere see the demo alone.
    try:
        survey_id = _survey_id(hub, "resident.a", CHANGEABLE_SURVEY)
        before = HubApi(hub, "resident.a").run(MY_ANSWERS, id=survey_id)["survey"]
        assert before["canChangeAnswer"] and len(before["myAnswers"]) == 2
        width = 360
        with opened_page(browser, hub, width) as page:
            sign_in(page, "resident.a")
            page.goto(f"/ankiety/{survey_id}")
            page.get_by_role("heading", name=CHANGEABLE_SURVEY, level=1).wait_for()
            page.get_by_text("Odpowiedziałeś(-aś) już na tę ankietę.").wait_for()
            page.get_by_role("button", name="Zmień odpowiedzi").click()

            page.get_by_text("Pytanie 1 z 2", exact=True).wait_for()
            day = page.get_by_role("group", name="Który dzień Ci pasuje?")
            assert day.get_by_role("radio", name="Niedziela").is_checked()
            assert not day.get_by_role("radio", name="Sobota").is_checked()
            _checked(page, "survey-change", width)
            day.get_by_role("radio", name="Sobota").check()
            page.get_by_role("button", name="Dalej", exact=True).click()
            page.get_by_text("Pytanie 2 z 2", exact=True).wait_for()
            assert page.get_by_role("radio", name="Nie", exact=True).is_checked()
            page.get_by_role("button", name="Dalej – sprawdź odpowiedzi").click()

            page.get_by_role("heading", name="Sprawdź odpowiedzi przed wysłaniem", level=2).wait_for()
            summary = page.locator("dl.summary").inner_text()
            assert "Sobota" in summary and "Nie" in summary and "Bez odpowiedzi" not in summary, summary
            page.get_by_role("button", name="Wyślij odpowiedzi").click()
            page.get_by_role("heading", name="Odpowiedzi zostały wysłane", level=2).wait_for()

        after = HubApi(hub, "resident.a").run(MY_ANSWERS, id=survey_id)["survey"]["myAnswers"]
        assert after[0]["choiceIds"] != before["myAnswers"][0]["choiceIds"] and after[1]["yes"] is False
    finally:
        hub_shell(CHANGEABLE_TEARDOWN)


# --- Resolutions ------------------------------------------------------------------------------


def test_resident_b_votes_on_the_open_resolution_with_a_confirmation_step(browser, hub):
    resolution = _resolutions(hub, "resident.b")["8/2026"]
    assert resolution["canVote"], "the demo leaves resident.b to vote on 8/2026"
    width = 360
    with opened_page(browser, hub, width) as page:
        sign_in(page, "resident.b")
        groups = _open_list(page)
        groups["open"].get_by_role("link", name=OPEN_RESOLUTION).wait_for()
        assert "Uchwała nr 8/2026" in groups["open"].inner_text()
        assert "Głosowanie trwa do" in groups["open"].inner_text()
        groups["open"].get_by_role("link", name=OPEN_RESOLUTION).click()

        page.get_by_role("heading", name=OPEN_RESOLUTION, level=1).wait_for()
        page.get_by_role("heading", name="Treść uchwały", level=2).wait_for()
        rule = page.get_by_role("region", name="Jak liczone są głosy").inner_text()
        assert "udział" in rule and "ponad połowę wszystkich" in rule, rule
        seats = page.get_by_role("region", name="Twoje głosy").inner_text()
        assert "Lokal B/5" in seats and "Głos jeszcze nie oddany." in seats and "Głosowanie trwa od" in seats, seats
        assert page.get_by_role("heading", name="Wynik głosowania").count() == 0
        _checked(page, "resolution-open", width)

        # No choice: refused with a message; then FOR, and a confirmation step.
        page.get_by_role("button", name="Dalej").click()
        page.locator(".error-summary").get_by_text("Wybierz, jak głosujesz.").wait_for()
        vote = page.get_by_role("group", name="Twój głos")
        assert vote.get_by_role("radio").count() == 3
        vote.get_by_role("radio", name="Za", exact=True).check()
        page.get_by_role("button", name="Dalej").click()
        page.get_by_role("heading", name="Potwierdź swój głos", level=2).wait_for()
        page.get_by_text("Oddajesz głos ZA uchwałą nr 8/2026 za lokal B/5.").wait_for()
        page.wait_for_function("document.activeElement && document.activeElement.tagName === 'H2'")
        _checked(page, "resolution-confirm", width)
        # Back changes nothing: the choice stays, the vote is not cast.
        page.get_by_role("button", name="Wstecz").click()
        assert page.get_by_role("radio", name="Za", exact=True).is_checked()
        assert _resolutions(hub, "resident.b")["8/2026"]["canVote"]
        page.get_by_role("button", name="Dalej").click()
        page.get_by_role("button", name="Potwierdzam i oddaję głos").click()

        page.get_by_role("heading", name="Twój głos został zapisany", level=2).wait_for()
        page.get_by_text(re.compile(r"Zapisano głos ZA uchwałą nr 8/2026 za lokal B/5")).wait_for()
        _checked(page, "resolution-cast", width)

        after = _resolutions(hub, "resident.b")["8/2026"]
        assert not after["canVote"]
        assert after["mySeats"][0]["byMe"] and after["mySeats"][0]["myChoice"] == "FOR"

        # Opened again: his vote recorded, no way to vote again.
        page.reload()
        page.get_by_role("heading", name=OPEN_RESOLUTION, level=1).wait_for()
        page.get_by_text(re.compile(r"Twój głos: ZA, oddany")).wait_for()
        page.get_by_text("Twój głos w tej sprawie jest już zapisany.").wait_for()
        assert page.get_by_role("group", name="Twój głos").count() == 0
        assert page.get_by_role("button", name="Potwierdzam i oddaję głos").count() == 0
        page.get_by_role("link", name="Wróć do listy ankiet i głosowań").click()
        done = page.get_by_role("region", name="Już odpowiedziane i oddane głosy")
        done.get_by_role("link", name=OPEN_RESOLUTION).wait_for()
        assert "Głos oddany" in done.inner_text()


def test_resident_a_sees_the_closed_resolutions_result(page, width, hub):
    sign_in(page, "resident.a")
    groups = _open_list(page)
    groups["closed"].get_by_role("link", name=CLOSED_RESOLUTION).wait_for()
    assert "Uchwała podjęta" in groups["closed"].inner_text()
    groups["closed"].get_by_role("link", name=CLOSED_RESOLUTION).click()
    page.get_by_role("heading", name=CLOSED_RESOLUTION, level=1).wait_for()
    tally = page.get_by_role("region", name="Wynik głosowania")
    tally.wait_for()
    assert "Uchwała podjęta" in tally.inner_text()
    table = tally.get_by_role("table")
    rows = table.locator("tbody tr")
    assert [rows.nth(i).locator("th").inner_text().strip() for i in range(rows.count())] == [
        "Za", "Przeciw", "Wstrzymuję się", "Nie głosowali",
    ]  # fmt: skip
    assert re.search(r"\d", rows.first.locator("td").first.inner_text())
    seats = page.get_by_role("region", name="Twoje głosy").inner_text()
    assert "Twój głos:" in seats or "Głos" in seats, seats
    assert page.get_by_role("group", name="Twój głos").count() == 0
    _checked(page, "resolution-closed", width)


def test_a_tenant_has_no_resolution_to_vote_on(page, width):
    sign_in(page, "tenant.a")
    groups = _open_list(page)
    page.wait_for_function("!document.querySelector('.loading')")
    assert "Uchwała nr" not in groups["open"].inner_text()
    _checked(page, "surveys-tenant", width)


def test_surveys_and_votes_in_english(browser, hub):
    with opened_page(browser, hub, 360) as page:
        sign_in(page, "resident.a")
        page.get_by_role("button", name="English").click()
        page.get_by_role("navigation").get_by_role("link", name="Surveys and votes").click()
        page.get_by_role("heading", name="Surveys and votes", level=1).wait_for()
        closed = page.get_by_role("region", name="Closed – results")
        closed.get_by_role("link", name=CLOSED_SURVEY).click()
        page.get_by_role("heading", name="Results", level=2).wait_for()
        page.get_by_role("table", name=re.compile(r"^Answers to: ")).first.wait_for()
        assert page.get_by_role("columnheader", name="Count").count() > 0
        _checked(page, "survey-results-en", 360)
        page.get_by_role("link", name="Back to surveys and votes").click()
        page.get_by_role("region", name="Closed – results").get_by_role("link", name=CLOSED_RESOLUTION).click()
        page.get_by_role("heading", name="How the votes are counted", level=2).wait_for()
        page.get_by_role("region", name="Result of the vote").get_by_text("Resolution adopted").first.wait_for()
        _checked(page, "resolution-closed-en", 360)
        page.get_by_role("button", name="Polski").click()
        page.get_by_role("heading", name="Jak liczone są głosy", level=2).wait_for()
