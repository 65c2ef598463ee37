"""The survey builder and the results screen in the Wagtail admin: who may use them, what
the builder refuses, the results and their CSV/XLSX exports (an anonymous survey's export
gives no way to tell who answered what), and list query counts that stay flat."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from operations.residents import services as residents_services
from operations.surveys import services
from operations.surveys.models import Choice, Question, Survey
from tests.surveys.admin_kit import (
    SURVEY_PERMISSIONS,
    SURVEYS,
    K,
    answers,
    grant,
    login,
    make_survey,
    survey_staff,
)

pytestmark = pytest.mark.django_db

MOMENT = "%Y-%m-%d %H:%M"


def refused(response) -> bool:
    return response.status_code in (302, 403, 404)


def builder_data(questions, **fields) -> dict:
    now = timezone.localtime()
    data = {
        "title": "Plac zabaw",
        "introduction": "Zapytanie o plac zabaw.",
        "audience_everyone": "on",
        "answer_by": "person",
        "results_to_residents": "on",
        "opens_at": (now + timedelta(days=1)).strftime(MOMENT),
        "closes_at": (now + timedelta(days=8)).strftime(MOMENT),
        "questions-TOTAL_FORMS": str(len(questions)),
        "questions-INITIAL_FORMS": str(sum(1 for q in questions if q.get("id"))),
        "questions-MIN_NUM_FORMS": "1",
        "questions-MAX_NUM_FORMS": "1000",
    }
    for index, question in enumerate(questions):
        prefix = f"questions-{index}-"
        data[prefix + "kind"] = question["kind"]
        data[prefix + "text"] = question["text"]
        data[prefix + "help_text"] = ""
        data[prefix + "choices_text"] = question.get("choices", "")
        data[prefix + "ORDER"] = str(index + 1)
        data[prefix + "DELETE"] = question.get("delete", "")
        data[prefix + "id"] = question.get("id", "")
        if question.get("required", True):
            data[prefix + "required"] = "on"
    for key, value in fields.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


QUESTIONS = [
    {"kind": K.SINGLE, "text": "Gdzie postawić plac zabaw?", "choices": "Przy bloku A\nPrzy bloku B\n"},
    {"kind": K.NPS, "text": "Czy polecił(a)byś osiedle?"},
]


def errors_of(response) -> str:
    return response.content.decode()


@pytest.fixture
def staff_client(db):
    return login(survey_staff())


# --- who may use the screens -------------------------------------------------------------------


def test_each_screen_for_survey_staff_and_refused_to_everyone_else(cast, staff_client):
    survey = make_survey()
    urls = [
        SURVEYS,
        f"{SURVEYS}new/",
        f"{SURVEYS}edit/{survey.pk}/",
        f"{SURVEYS}results/{survey.pk}/",
        f"{SURVEYS}results/{survey.pk}/csv/",
        f"{SURVEYS}results/{survey.pk}/xlsx/",
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 200, url
    worker = grant(cast.firm_worker, SURVEY_PERMISSIONS)  # given them by mistake
    without = grant(cast.dispatcher, [])  # in the admin, no surveys' permission
    for person in (cast.reporter, worker, without):
        client = login(person)
        for url in urls:
            assert refused(client.get(url)), (person.username, url)


def test_results_need_the_results_permission_too(db):
    survey = make_survey()
    client = login(survey_staff("bez-wynikow", [p for p in SURVEY_PERMISSIONS if p != "view_survey_results"]))
    assert client.get(f"{SURVEYS}edit/{survey.pk}/").status_code == 200
    assert refused(client.get(f"{SURVEYS}results/{survey.pk}/"))
    assert refused(client.get(f"{SURVEYS}results/{survey.pk}/csv/"))


# --- the builder -------------------------------------------------------------------------------------


def test_the_builder_creates_a_survey_with_its_questions_and_choices_in_order(staff_client):
    response = staff_client.post(f"{SURVEYS}new/", builder_data(QUESTIONS, is_published="on"))
    assert response.status_code == 302, errors_of(response)
    survey = Survey.objects.get(title="Plac zabaw")
    assert survey.is_published and survey.created_by == staff_client.user
    questions = list(survey.questions.all())
    assert [(q.position, q.kind) for q in questions] == [(0, K.SINGLE), (1, K.NPS)]
    assert list(questions[0].choices.values_list("position", "label")) == [(0, "Przy bloku A"), (1, "Przy bloku B")]
    assert not questions[1].choices.exists()


def test_the_builder_sets_audience_groups(cast, staff_client):
    group = residents_services.audience_group(building=cast.building)
    response = staff_client.post(
        f"{SURVEYS}new/", builder_data(QUESTIONS, audience_everyone=None, audiences=[str(group.pk)])
    )
    assert response.status_code == 302, errors_of(response)
    assert list(Survey.objects.get(title="Plac zabaw").audiences.all()) == [group]


@pytest.mark.parametrize(
    ("fields", "questions"),
    [
        ({"anonymous": "on", "allow_changes": "on"}, QUESTIONS),  # anonymous answers cannot be changed
        ({"closes_at": timezone.localtime().strftime(MOMENT)}, QUESTIONS),  # closes before it opens
        ({"audience_everyone": None}, QUESTIONS),  # nobody to ask
        ({}, [{"kind": K.SINGLE, "text": "Bez odpowiedzi", "choices": ""}]),  # a choice question without choices
        ({}, [{"kind": K.MULTIPLE, "text": "Jedna odpowiedź", "choices": "Tylko ta"}]),
        ({}, [{"kind": K.SCALE, "text": "Skala z wyborami", "choices": "a\nb"}]),
        ({}, []),  # no question at all
    ],
)
def test_the_builder_refuses_what_contradicts(staff_client, fields, questions):
    response = staff_client.post(f"{SURVEYS}new/", builder_data(questions, **fields))
    assert response.status_code == 200
    assert not Survey.objects.filter(title="Plac zabaw").exists()


def test_questions_are_edited_freely_until_anyone_answers(cast, staff_client):
    survey = make_survey(questions=[(K.SINGLE, "Kolor elewacji?", ["Szary", "Zielony"], True)])
    question = survey.questions.get()
    data = builder_data(
        [{"id": str(question.pk), "kind": K.SINGLE, "text": "Kolor elewacji?", "choices": "Szary\nBeżowy\nZielony"}],
        title=survey.title,
        is_published="on",
        opens_at=timezone.localtime(survey.opens_at).strftime(MOMENT),
        closes_at=timezone.localtime(survey.closes_at).strftime(MOMENT),
    )
    response = staff_client.post(f"{SURVEYS}edit/{survey.pk}/", data)
    assert response.status_code == 302, errors_of(response)
    assert list(question.choices.values_list("label", flat=True)) == ["Szary", "Beżowy", "Zielony"]

    choice = question.choices.get(label="Zielony")
    services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: choice.pk})
    page = staff_client.get(f"{SURVEYS}edit/{survey.pk}/")
    assert "Szary\nBeżowy\nZielony" in page.content.decode()  # the choices, one a line
    assert any("answered" in str(m) or "odpowiedzi" in str(m) for m in page.context["messages"])
    for changed in (
        [{"id": str(question.pk), "kind": K.SINGLE, "text": "Inne pytanie?", "choices": "Szary\nBeżowy\nZielony"}],
        [{"id": str(question.pk), "kind": K.SINGLE, "text": "Kolor elewacji?", "choices": "Szary\nZielony"}],
        [
            {"id": str(question.pk), "kind": K.SINGLE, "text": "Kolor elewacji?", "choices": "Szary\nBeżowy\nZielony"},
            {"kind": K.TEXT, "text": "Nowe pytanie", "required": False},
        ],
        [
            {
                "id": str(question.pk),
                "kind": K.SINGLE,
                "text": "Kolor elewacji?",
                "choices": "Szary\nBeżowy\nZielony",
                "delete": "1",
            }
        ],
    ):
        data = builder_data(
            changed,
            title=survey.title,
            is_published="on",
            opens_at=timezone.localtime(survey.opens_at).strftime(MOMENT),
            closes_at=timezone.localtime(survey.closes_at).strftime(MOMENT),
        )
        response = staff_client.post(f"{SURVEYS}edit/{survey.pk}/", data)
        assert response.status_code == 200, changed
    question.refresh_from_db()
    assert question.text == "Kolor elewacji?"
    assert list(question.choices.values_list("label", flat=True)) == ["Szary", "Beżowy", "Zielony"]
    assert survey.questions.count() == 1

    # The rest may still change: the title, the close.
    data = builder_data(
        [{"id": str(question.pk), "kind": K.SINGLE, "text": "Kolor elewacji?", "choices": "Szary\nBeżowy\nZielony"}],
        title="Kolor elewacji (przedłużona)",
        is_published="on",
        opens_at=timezone.localtime(survey.opens_at).strftime(MOMENT),
        closes_at=timezone.localtime(survey.closes_at + timedelta(days=3)).strftime(MOMENT),
    )
    response = staff_client.post(f"{SURVEYS}edit/{survey.pk}/", data)
    assert response.status_code == 302, errors_of(response)
    assert Survey.objects.get(pk=survey.pk).title == "Kolor elewacji (przedłużona)"
    assert Choice.objects.filter(question=question).count() == 3


def test_anonymity_and_who_answers_stay_once_answered(cast, staff_client):
    survey = make_survey(questions=[(K.YES_NO, "Czy?", [], True)])
    question = survey.questions.get()
    services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: True})
    data = builder_data(
        [{"id": str(question.pk), "kind": K.YES_NO, "text": "Czy?"}],
        title=survey.title,
        anonymous="on",
        answer_by="unit",
        is_published="on",
        opens_at=timezone.localtime(survey.opens_at).strftime(MOMENT),
        closes_at=timezone.localtime(survey.closes_at).strftime(MOMENT),
    )
    staff_client.post(f"{SURVEYS}edit/{survey.pk}/", data)
    survey.refresh_from_db()
    assert not survey.anonymous and survey.answer_by == Survey.AnswerBy.PERSON


def test_a_survey_with_answers_is_not_deleted(cast, staff_client):
    survey = make_survey(questions=[(K.YES_NO, "Czy?", [], True)])
    services.survey_respond(survey=survey, person=cast.reporter, answers={survey.questions.get().pk: True})
    staff_client.post(f"{SURVEYS}delete/{survey.pk}/")
    assert Survey.objects.filter(pk=survey.pk).exists()


# --- results and exports ----------------------------------------------------------------------------


def respond_all(cast, survey):
    services.survey_respond(
        survey=survey, person=cast.reporter, answers=answers(survey, single=0, nps=10, text="Ździebko")
    )
    services.survey_respond(survey=survey, person=cast.neighbour, answers=answers(survey, single=1, nps=3, text="Ala"))
    services.survey_respond(survey=survey, person=cast.stranger, answers=answers(survey, single=1, nps=9, yes=False))


def test_results_show_counts_charts_nps_and_rates_by_building(cast, staff_client):
    survey = make_survey()
    respond_all(cast, survey)
    response = staff_client.get(f"{SURVEYS}results/{survey.pk}/")
    html = response.content.decode()
    assert response.context["results"].responses == 3
    assert "NPS: 33" in html  # promoters 10 and 9, one detractor of 3: (2 - 1) / 3
    assert "<svg" in html
    assert cast.building.code in html and cast.other_building.code in html


def test_nps_shown_as_computed(cast, staff_client):
    survey = make_survey()
    respond_all(cast, survey)
    nps = staff_client.get(f"{SURVEYS}results/{survey.pk}/").context["results"].questions[3].nps
    assert nps == 33


def csv_rows(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def xlsx_rows(response, sheet=0) -> list[list]:
    book = load_workbook(io.BytesIO(response.content))
    return [list(row) for row in book.worksheets[sheet].iter_rows(values_only=True)]


def test_named_export_says_who_answered_what(cast, staff_client):
    survey = make_survey()
    respond_all(cast, survey)
    rows = csv_rows(staff_client.get(f"{SURVEYS}results/{survey.pk}/csv/"))
    assert len(rows[0]) == 4 + 6  # person, unit, answered, changed, then the six questions
    assert len(rows) == 4
    people = {row[0] for row in rows[1:]}
    assert "Anna Nowak" in people
    reporter_row = next(row for row in rows[1:] if row[0] == "Anna Nowak")
    assert "Za rzadko" in reporter_row and "Mycie okien, Windy" in reporter_row and "Ździebko" in reporter_row
    xlsx = xlsx_rows(staff_client.get(f"{SURVEYS}results/{survey.pk}/xlsx/"))
    assert len(xlsx) == 4 and any(row[0] == "Anna Nowak" for row in xlsx[1:])


def counted(survey):
    """An anonymous survey's answers wait sealed until a batch is counted; count them all."""
    seal = getattr(services, "anonymous_ballots_seal", None)
    if seal is not None:
        seal(now=survey.closes_at)


def test_anonymous_export_holds_answers_only_sorted_by_them(cast, staff_client):
    survey = make_survey(anonymous=True)
    respond_all(cast, survey)
    counted(survey)
    assert survey.responses.count() == 3
    csv_response = staff_client.get(f"{SURVEYS}results/{survey.pk}/csv/")
    rows = csv_rows(csv_response)
    assert rows[0] == [
        text for _kind, text, _choices, _required in [(q.kind, q.text, 0, 0) for q in survey.questions.all()]
    ]
    body = rows[1:]
    assert body == sorted(body)  # the order of answering is gone
    flat = ";".join(";".join(row) for row in rows)
    for person in (cast.reporter, cast.neighbour, cast.stranger):
        assert person.username not in flat and person.get_full_name() not in flat
    for response in survey.responses.all():
        assert str(response.pk) not in flat
    assert str(timezone.localdate().year) not in flat  # no dates, no times

    workbook = xlsx_rows(staff_client.get(f"{SURVEYS}results/{survey.pk}/xlsx/"))
    assert workbook[0] == rows[0]
    assert [list(map(lambda v: "" if v is None else str(v), row)) for row in workbook[1:]] == body


def test_an_answer_that_looks_like_a_formula_is_text_in_both_exports(cast, staff_client):
    survey = make_survey()
    services.survey_respond(survey=survey, person=cast.reporter, answers=answers(survey, text='=HYPERLINK("x")'))
    rows = csv_rows(staff_client.get(f"{SURVEYS}results/{survey.pk}/csv/"))
    assert rows[1][-1].startswith("'=")
    book = load_workbook(io.BytesIO(staff_client.get(f"{SURVEYS}results/{survey.pk}/xlsx/").content))
    cell = book.worksheets[0].cell(row=2, column=book.worksheets[0].max_column)
    assert cell.data_type == "s" and cell.value.startswith("=")


# --- query counts ----------------------------------------------------------------------------------------


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_list_and_the_results_cost_the_same_for_more_surveys_and_answers(cast, staff_client):
    survey = make_survey()
    services.survey_respond(survey=survey, person=cast.reporter, answers=answers(survey))
    few_list = count(staff_client, SURVEYS)
    few_results = count(staff_client, f"{SURVEYS}results/{survey.pk}/")
    few_csv = count(staff_client, f"{SURVEYS}results/{survey.pk}/xlsx/")
    for _ in range(4):
        make_survey()
    services.survey_respond(survey=survey, person=cast.neighbour, answers=answers(survey))
    services.survey_respond(survey=survey, person=cast.stranger, answers=answers(survey))
    Question.objects.create(survey=survey, position=9, kind=K.TEXT, text="Jeszcze", required=False)
    assert count(staff_client, SURVEYS) == few_list
    assert count(staff_client, f"{SURVEYS}results/{survey.pk}/") == few_results
    assert count(staff_client, f"{SURVEYS}results/{survey.pk}/xlsx/") == few_csv


def test_the_builder_costs_the_same_for_more_questions_and_choices(db, staff_client):
    small = make_survey(questions=QUESTIONS_FOR_COUNT[:2])
    large = make_survey(questions=QUESTIONS_FOR_COUNT)
    # The first admin request of a process fills Django's content-type cache (one query
    # more); run alone or first, the test would compare a cold request with a warm one.
    count(staff_client, f"{SURVEYS}edit/{small.pk}/")
    assert count(staff_client, f"{SURVEYS}edit/{large.pk}/") == count(staff_client, f"{SURVEYS}edit/{small.pk}/")


QUESTIONS_FOR_COUNT = [(K.SINGLE, f"Pytanie {n}", ["a", "b", "c"], True) for n in range(6)]
