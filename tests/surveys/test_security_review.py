"""Security review of operations/surveys: leaks, anonymity, integrity and input."""

from __future__ import annotations

import importlib
import json
from datetime import timedelta

import pytest
from django.utils import timezone

from cms.core.exceptions import ServiceError
from operations.surveys import services
from operations.surveys.models import Question
from tests.api.test_surveys_api import RESPOND, gid, questions_of, sign_in
from tests.factories.surveys import make_survey

pytestmark = pytest.mark.django_db
K = Question.Kind


@pytest.mark.parametrize("choice_id", ["²", "9" * 5000, "1_0"])
def test_a_choice_id_of_odd_digits_is_a_typed_error_not_a_crash(cast, choice_id):
    survey = make_survey(questions=[(K.SINGLE, "Który?", ["a", "b"], True)])
    question = questions_of(survey)[0]
    with pytest.raises(ServiceError):
        services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: choice_id})


def test_a_choice_id_of_odd_digits_through_the_api(gql, cast):
    survey = make_survey(questions=[(K.MULTIPLE, "Które?", ["a", "b"], True)])
    question = questions_of(survey)[0]
    sign_in(gql, cast.reporter)
    answers = [{"questionId": str(question.pk), "choiceIds": ["²"]}]
    result = gql.execute(RESPOND, {"input": {"surveyId": gid("Survey", survey.pk), "answers": answers}})
    assert not result.get("errors"), result
    assert result["data"]["surveyRespond"]["errors"][0]["code"] == "CHOICE_INVALID"


# --- anonymity: a closed anonymous survey is not reopened ------------------------------------------


def _edit_data(survey, question, **fields):
    from tests.surveys.test_admin_surveys import MOMENT, builder_data

    values = {
        "title": survey.title,
        "is_published": "on",
        "opens_at": timezone.localtime(survey.opens_at).strftime(MOMENT),
        "closes_at": timezone.localtime(survey.closes_at).strftime(MOMENT),
    }
    values.update(fields)
    return builder_data([{"id": str(question.pk), "kind": question.kind, "text": question.text}], **values)


def test_staff_cannot_close_count_and_reopen_an_anonymous_survey_to_read_one_answer(cast):
    """Closing an anonymous survey counts its last sealed ballots whatever their number; if
    staff could then reopen it, closing it after each answer would tie every answer to the
    one person who had just answered (the participation says who)."""
    from tests.surveys.admin_kit import login, survey_staff
    from tests.surveys.test_admin_surveys import MOMENT

    survey = make_survey(anonymous=True, questions=[(K.YES_NO, "Czy?", [], True)])
    question = survey.questions.get()
    services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: False})
    client = login(survey_staff())
    # Closed a minute ago (staff may end a survey early), so the lone ballot is counted...
    closed = timezone.now() - timedelta(minutes=1)
    data = _edit_data(survey, question, closes_at=timezone.localtime(closed).strftime(MOMENT))
    response = client.post(f"/admin/surveys/edit/{survey.pk}/", data)
    assert response.status_code == 302
    assert services.anonymous_ballots_seal() == 1
    # ...but it does not open again for the next person to answer alone.
    survey.refresh_from_db()
    reopened = timezone.localtime(timezone.now() + timedelta(days=3)).strftime(MOMENT)
    response = client.post(f"/admin/surveys/edit/{survey.pk}/", _edit_data(survey, question, closes_at=reopened))
    assert response.status_code == 200
    survey.refresh_from_db()
    assert survey.is_closed_at(timezone.now())


# --- integrity: every screen counts the seat's latest declaration the same way -----------------------


def test_the_situation_centre_counts_the_vote_that_the_tally_counts(cast):
    """A paper ballot counts from when it was signed: entered after an online vote but
    signed before it, it is not the seat's latest declaration (selectors.tally). The
    situation centre took the last vote entered, and told staff the opposite majority."""
    from operations.surveys import selectors
    from operations.surveys.selectors import staff as staff_selectors
    from tests.surveys.admin_kit import make_resolution, resolution_staff, scan, shares

    shares(cast)
    secretary = resolution_staff()
    resolution = make_resolution(cast.building, secretary, allow_changes=True)
    seat = services.vote_cast(resolution=resolution, person=cast.reporter, choice="for")[0].seat
    services.vote_record_paper(
        resolution=resolution,
        seat=seat,
        choice="against",
        voter_name="Jan Kowalski",
        ballot_scan=scan(),
        signed_at=resolution.opens_at + timedelta(seconds=30),
        by=secretary,
    )
    counted = selectors.tally(resolution)
    voting = staff_selectors.surveys_situation(secretary).voting
    row = next(r for r in voting if r.resolution.pk == resolution.pk)
    assert (row.weight_for, row.weight_against, row.adopted_now) == (
        counted.weight_for,
        counted.weight_against,
        counted.adopted,
    )


# --- input: NUL and wrong types are typed errors ---------------------------------------------------


def test_a_nul_in_a_text_answer_is_refused_before_anything_is_written(gql, cast):
    from operations.surveys.models import Participation

    survey = make_survey(questions=[(K.TEXT, "Uwagi", [], True)])
    question = questions_of(survey)[0]
    sign_in(gql, cast.reporter)
    answers = [{"questionId": str(question.pk), "text": "a\x00b"}]
    body = json.dumps(
        {"query": RESPOND, "variables": {"input": {"surveyId": gid("Survey", survey.pk), "answers": answers}}}
    )
    assert "\\u0000" in body  # escaped in the JSON, as a client sends it
    response = gql.client.post("/graphql", data=body, content_type="application/json")
    assert response.status_code in (200, 400)
    assert "INTERNAL_SERVER_ERROR" not in response.content.decode()
    assert not Participation.objects.filter(survey=survey).exists()


# --- who reaches the admin's screens ---------------------------------------------------------------


def test_every_admin_url_refused_to_a_firms_worker_and_to_staff_lacking_the_permission(cast):
    from tests.surveys.admin_kit import (
        RESOLUTION_PERMISSIONS,
        SURVEY_PERMISSIONS,
        grant,
        login,
        make_resolution,
        resolution_staff,
        scan,
        shares,
    )

    shares(cast)
    secretary = resolution_staff()
    resolution = make_resolution(cast.building, secretary)
    seat = resolution.seats.first()
    vote = services.vote_record_paper(
        resolution=resolution,
        seat=seat,
        choice="for",
        voter_name="Jan Papierowy",
        ballot_scan=scan(),
        signed_at=timezone.now() - timedelta(minutes=1),
        by=secretary,
    )
    survey = make_survey()
    survey_urls = [
        "/admin/surveys/",
        "/admin/surveys/results/",
        f"/admin/surveys/edit/{survey.pk}/",
        f"/admin/surveys/history/{survey.pk}/",
        f"/admin/surveys/usage/{survey.pk}/",
        f"/admin/surveys/delete/{survey.pk}/",
        f"/admin/surveys/results/{survey.pk}/",
        f"/admin/surveys/results/{survey.pk}/csv/",
        f"/admin/surveys/results/{survey.pk}/xlsx/",
    ]
    resolution_urls = [
        "/admin/resolutions/",
        "/admin/resolutions/results/",
        f"/admin/resolutions/history/{resolution.pk}/",
        f"/admin/resolutions/usage/{resolution.pk}/",
        f"/admin/resolutions/inspect/{resolution.pk}/",
        f"/admin/resolutions/inspect/{resolution.pk}/protocol.pdf",
        f"/admin/resolutions/inspect/{resolution.pk}/protocol.csv",
        f"/admin/resolutions/inspect/{resolution.pk}/protocol.xlsx",
        f"/surveys/ballots/{vote.pk}/",
    ]
    posts = [
        f"/admin/resolutions/inspect/{resolution.pk}/paper-vote/",
        f"/admin/resolutions/inspect/{resolution.pk}/proxy/",
    ]
    worker = grant(cast.firm_worker, SURVEY_PERMISSIONS + RESOLUTION_PERMISSIONS)
    surveys_only = grant(cast.dispatcher, SURVEY_PERMISSIONS)
    for person, urls in ((worker, survey_urls + resolution_urls), (surveys_only, resolution_urls)):
        client = login(person)
        for url in urls:
            assert client.get(url).status_code in (302, 403, 404), (person.username, url)
        for url in posts:
            before = resolution.votes.count()
            response = client.post(url, {"seat": seat.pk, "proxy": cast.reporter.pk, "choice": "for"})
            assert response.status_code in (302, 403, 404), (person.username, url)
            seat.refresh_from_db()
            assert resolution.votes.count() == before and seat.proxy_id is None


# --- exports: what a resident typed never breaks nor runs in a spreadsheet ----------------------------


@pytest.mark.parametrize("anonymous", [False, True])
def test_a_control_character_in_an_answer_does_not_break_the_xlsx_export(cast, anonymous):
    """openpyxl refuses control characters (IllegalCharacterError): one resident's answer
    with a vertical tab made the survey's XLSX export a server error for staff."""
    from tests.surveys.admin_kit import login, survey_staff

    survey = make_survey(anonymous=anonymous, questions=[(K.TEXT, "Uwagi", [], True)])
    question = survey.questions.get()
    try:
        services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: "=1+1\x0bkoniec\x1b"})
    except ServiceError:
        pass  # refused as it is typed: fine too, what matters is the export
    # A name typed with a control character is exported too (named surveys).
    type(cast.neighbour).objects.filter(pk=cast.neighbour.pk).update(first_name="Ewa\x01")
    neighbour = type(cast.neighbour).objects.get(pk=cast.neighbour.pk)
    services.survey_respond(survey=survey, person=neighbour, answers={question.pk: '=HYPERLINK("x")'})
    services.anonymous_ballots_seal(batch=1)
    client = login(survey_staff())
    response = client.get(f"/admin/surveys/results/{survey.pk}/xlsx/")
    assert response.status_code == 200
    csv_response = client.get(f"/admin/surveys/results/{survey.pk}/csv/")
    body = b"".join(csv_response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body


def test_a_control_character_in_a_text_answer_is_refused_as_typed(cast):
    survey = make_survey(questions=[(K.TEXT, "Uwagi", [], True)])
    question = survey.questions.get()
    with pytest.raises(ServiceError):
        services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: "a\x01b"})
    assert not survey.participations.exists()


def test_a_control_character_or_a_script_without_a_font_does_not_break_the_protocol(cast):
    from tests.surveys.admin_kit import login, make_resolution, resolution_staff, scan, shares

    shares(cast)
    # A holder whose name is in a script the PDF's fonts lack (names may be in any script).
    type(cast.neighbour).objects.filter(pk=cast.neighbour.pk).update(last_name="王")
    secretary = resolution_staff()
    resolution = make_resolution(cast.building, secretary)
    services.vote_record_paper(
        resolution=resolution,
        seat=resolution.seats.first(),
        choice="for",
        voter_name="=Jan\x01Kowalski",
        ballot_scan=scan(),
        signed_at=timezone.now() - timedelta(minutes=1),
        by=secretary,
    )
    client = login(secretary)
    assert client.get(f"/admin/resolutions/inspect/{resolution.pk}/protocol.xlsx").status_code == 200
    assert client.get(f"/admin/resolutions/inspect/{resolution.pk}/protocol.pdf").status_code == 200
    body = b"".join(client.get(f"/admin/resolutions/inspect/{resolution.pk}/protocol.csv").streaming_content)
    assert b"'=Jan" in body


# --- integrity under concurrency: one vote per seat ----------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_co_owners_and_a_paper_ballot_at_the_same_moment_give_the_seat_one_vote(django_db_blocker):
    from django.db import connection

    from operations.residents.models import Membership
    from operations.surveys import selectors
    from operations.surveys.errors import ResolutionErrorCode
    from operations.surveys.models import Resolution, Vote
    from tests.factories import tickets as tf
    from tests.surveys.admin_kit import make_resolution, resolution_staff, scan
    from tests.surveys.test_surveys_concurrency import run_at_once

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    tf.close_shared_casts(django_db_blocker)
    # The counting rules come from a data migration, and a transactional test run before
    # this one (in the same worker) flushed every table: put them back as it sows them.
    from django.apps import apps

    importlib.import_module("operations.surveys.migrations.0003_counting_rules").seed(apps, None)
    cast = tf.build_cast(with_firms=False)
    co_owner = tf.resident(cast.unit, role=Membership.Role.OWNER, username="wspolwlasciciel")
    secretary = resolution_staff()
    for attempt in range(3):
        resolution = make_resolution(cast.building, secretary, code="wspolnota-jeden-glos", number=f"R-{attempt}/2026")
        seat = next(s for s in resolution.seats.all() if cast.reporter in s.holders.all())
        work = [
            lambda person=person, resolution=resolution: services.vote_cast(
                resolution=resolution, person=person, choice="for"
            )
            for person in (cast.reporter, co_owner)
        ] + [
            lambda resolution=resolution, seat=seat: services.vote_record_paper(
                resolution=resolution,
                seat=seat,
                choice="against",
                voter_name="Jan Papierowy",
                ballot_scan=scan(),
                signed_at=timezone.now() - timedelta(seconds=1),
                by=secretary,
            )
        ]
        results, errors = run_at_once(work)
        assert len(results) == 1, (attempt, errors)
        assert sorted(e.code for e in errors if isinstance(e, ServiceError)) == [ResolutionErrorCode.ALREADY_VOTED] * 2
        assert Vote.objects.filter(resolution=resolution, seat=seat).count() == 1
        assert selectors.chain_breaks(Resolution.objects.get(pk=resolution.pk)) == []


# --- integrity: a household's answer is changed only by someone who still answers for it -----------------


def test_a_former_member_does_not_change_the_answer_of_the_unit_they_left(gql, cast):
    """A per-unit survey that allows changes: the reporter answered for A/1, then moved to
    another flat of the building. The unit's answer is now its new household's to give; the
    reporter, still in the audience through the new flat, must not rewrite it."""
    from operations.residents.models import Membership, Unit
    from operations.surveys.models import Answer, Survey
    from tests.api.test_surveys_api import respond
    from tests.factories.residents import MembershipFactory, UnitFactory

    survey = make_survey(
        answer_by=Survey.AnswerBy.UNIT, allow_changes=True, questions=[(K.YES_NO, "Czy wymienić?", [], True)]
    )
    question = survey.questions.get()
    services.survey_respond(survey=survey, person=cast.reporter, answers={question.pk: True}, unit=cast.unit)
    new_flat = UnitFactory(building=cast.building, number="9")
    MembershipFactory(user=cast.reporter, unit=new_flat, role=Membership.Role.OWNER, verified=True)
    Membership.objects.filter(user=cast.reporter, unit=cast.unit).update(ended_at=timezone.now())
    assert isinstance(new_flat, Unit)

    sign_in(gql, cast.reporter)
    payload = respond(gql, survey, [{"questionId": str(question.pk), "yes": False}], unit=cast.unit)
    assert payload["errors"], payload
    with pytest.raises(ServiceError):
        services.survey_response_change(survey=survey, person=cast.reporter, answers={question.pk: False})
    assert list(Answer.objects.filter(question=question).values_list("number", flat=True)) == [1]


# --- input: huge and ill-typed answers are typed errors, nothing half-written ----------------------------


@pytest.mark.parametrize(
    "answer",
    [
        {"choiceIds": [str(n) for n in range(1, 5001)]},  # thousands of choices
        {"choiceIds": ["1"] * 3000},  # one choice thousands of times
        {"text": "x" * 20000},  # far past the text limit
        {"number": 2**31 - 1},
        {"yes": True},  # the wrong kind for a multiple choice
        {},  # nothing at all for a required question
    ],
)
def test_huge_or_ill_typed_answers_are_typed_errors_and_write_nothing(gql, cast, answer):
    from operations.surveys.models import Participation, SealedBallot

    survey = make_survey(questions=[(K.MULTIPLE, "Które?", ["a", "b", "c"], True)])
    question = questions_of(survey)[0]
    sign_in(gql, cast.reporter)
    answers = [{"questionId": str(question.pk), **answer}]
    result = gql.execute(RESPOND, {"input": {"surveyId": gid("Survey", survey.pk), "answers": answers}})
    if result.get("errors"):  # refused before the resolver: a client's mistake, typed
        assert all(e["extensions"]["code"] != "INTERNAL_SERVER_ERROR" for e in result["errors"]), result
    else:
        assert result["data"]["surveyRespond"]["errors"], result
    assert not Participation.objects.filter(survey=survey).exists()
    assert not SealedBallot.objects.filter(survey=survey).exists()


@pytest.mark.parametrize(
    "survey_id", ["", "1", "Survey:1", "U3VydmV5Ojk5OTk5OTk5OTk5OTk5OTk5OTk5OTk5", "UmVzb2x1dGlvbjox", "x" * 5000]
)
def test_bad_survey_ids_are_typed_errors(gql, cast, survey_id):
    sign_in(gql, cast.reporter)
    result = gql.execute(RESPOND, {"input": {"surveyId": survey_id, "answers": []}})
    codes = [e.get("extensions", {}).get("code") for e in result.get("errors") or []]
    assert "INTERNAL_SERVER_ERROR" not in codes, result
    assert codes or result["data"]["surveyRespond"]["errors"], result


# --- ballot scans: never a page that runs in the hub's origin -----------------------------------------


def test_a_ballot_scan_is_never_served_as_a_page_that_runs_scripts(cast):
    """A scan is served inline from the hub's own origin to staff who may be superusers; an
    HTML or SVG file uploaded as a "scan" ran its scripts there (stored XSS among staff)."""
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.surveys.admin_kit import login, make_resolution, resolution_staff, shares

    shares(cast)
    secretary = resolution_staff()
    resolution = make_resolution(cast.building, secretary, allow_changes=True)
    seat = resolution.seats.first()
    client = login(secretary)
    # Through the page: refused as it is uploaded.
    response = client.post(
        f"/admin/resolutions/inspect/{resolution.pk}/paper-vote/",
        {
            "seat": str(seat.pk),
            "choice": "for",
            "voter_name": "Anna Nowak",
            "signed_at": timezone.localtime(timezone.now() - timedelta(minutes=2)).strftime("%Y-%m-%d %H:%M"),
            "ballot_scan": SimpleUploadedFile("karta.html", b"<script>alert(1)</script>", content_type="text/html"),
        },
    )
    assert response.status_code == 200 and not resolution.votes.exists()
    # One stored before (or by another caller of the service) is a download, not a page.
    for name, body in (("karta.html", b"<script>alert(1)</script>"), ("karta.svg", b"<svg onload='alert(1)'/>")):
        vote = services.vote_record_paper(
            resolution=resolution,
            seat=seat,
            choice="for",
            voter_name="Anna Nowak",
            ballot_scan=ContentFile(body, name=name),
            signed_at=timezone.now() - timedelta(minutes=1),
            by=secretary,
        )
        served = client.get(f"/surveys/ballots/{vote.pk}/")
        assert served.status_code == 200
        assert served["Content-Type"] not in ("text/html", "image/svg+xml"), name
        assert served["Content-Disposition"].startswith("attachment"), name
