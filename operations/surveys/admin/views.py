"""Views of the surveys admin.

Surveys: the builder's create and edit views (choices saved through
`services.builder.question_choices_set`, a refusal shown on the form), the list with the
answers counted in the same query, and the results screen (counts, charts, NPS, the
response rate by building) with its CSV and XLSX exports. An anonymous survey's export
holds the answers only, its rows sorted by the answers themselves: no ids, no times, no
order that says who answered first.

Resolutions: the draft's create and edit views; a resolution's page with its actions
(announce, record a paper ballot, name a proxy: each a service), the electorate, the live
tally with the moment the majority was reached, the hash chain's check, the result, the
owners' notification and the end of the challenge window; and the protocol as PDF, CSV
and XLSX (`services.protocol`).

Who: surveys for staff with `surveys.view_survey` (results also `view_survey_results`),
resolutions for `surveys.view_resolution`; never a contractor's worker (`selectors.staff`).
"""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView, View
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from wagtail.admin import messages
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from cms.core.admin.charts import Bar, BarChart, ColumnChart, Series
from cms.core.admin.dashboard import percent
from cms.core.admin.exports import csv_lines, csv_response
from cms.core.admin.spreadsheets import xlsx_response
from cms.core.admin.views import ServiceFormMixin, add_service_errors, local_time, person_label
from cms.core.exceptions import ServiceError, service_errors

from .. import policy, selectors, services
from ..models import Question, Resolution, Survey, Vote
from ..selectors import staff
from ..services import builder
from ..services import protocol as protocols
from .forms import PaperVoteForm, ProxyForm

SURVEYS = "surveys-admin"
RESOLUTIONS = "resolutions-admin"
CSV_MOMENT = "%d.%m.%Y %H:%M"


def survey_url(name: str, survey_or_pk) -> str:
    return reverse(f"{SURVEYS}:{name}", args=[quote(getattr(survey_or_pk, "pk", survey_or_pk))])


def resolution_url(name: str, resolution_or_pk) -> str:
    return reverse(f"{RESOLUTIONS}:{name}", args=[quote(getattr(resolution_or_pk, "pk", resolution_or_pk))])


def survey_state(survey: Survey, now=None) -> str:
    now = now or timezone.now()
    if not survey.is_published:
        return pgettext("survey", "draft")
    if now < survey.opens_at:
        return pgettext("survey", "announced")
    if survey.is_closed_at(now):
        return pgettext("survey", "closed")
    return pgettext("survey", "open")


# --- The survey builder -----------------------------------------------------------------------


class SurveyIndexView(generic.IndexView):
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return staff.survey_rows()

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")


class _BuilderSave(ServiceFormMixin):
    """Saves the survey cluster and then each question's choices, in one transaction; a
    refusal (answers arrived meanwhile) rolls it all back and shows on the form."""

    def save_instance(self):
        form = self.form
        with transaction.atomic():
            locked = builder.questions_locked_refusal(form.instance) if form.instance.pk else None
            if locked is not None and form.questions_changed():
                raise locked
            instance = form.save(commit=False)
            if not instance.created_by_id and self.request.user.is_authenticated:
                instance.created_by = self.request.user
            instance.save()
            form.save_m2m()
            for question_form in form.formsets["questions"].forms:
                if question_form.instance.pk is None or not hasattr(question_form, "cleaned_data"):
                    continue
                if question_form.cleaned_data.get("DELETE"):
                    continue
                builder.question_choices_set(question=question_form.instance, labels=question_form.choice_labels)
        return instance


class SurveyCreateView(_BuilderSave, generic.CreateView):
    pass


class SurveyEditView(_BuilderSave, generic.EditView):
    def get(self, request, *args, **kwargs):
        # Said before anyone types: the questions of an answered survey stay as they are.
        if refusal := builder.questions_locked_refusal(self.get_object()):
            messages.warning(request, service_errors(refusal)[0].message)
        return super().get(request, *args, **kwargs)


class SurveyDeleteView(generic.DeleteView):
    """A survey people have answered stays (its results are evidence): unpublish it instead."""

    def dispatch(self, request, *args, **kwargs):
        survey = getattr(self, "object", None) or self.get_object()
        if staff.has_answers(survey):
            messages.error(request, gettext("People have answered this survey: it cannot be deleted."))
            return redirect(survey_url("edit", survey))
        return super().dispatch(request, *args, **kwargs)


# --- Results and their exports ---------------------------------------------------------------------


class _ResultsAccess:
    def dispatch(self, request, *args, **kwargs):
        if not (staff.sees_surveys(request.user) and selectors.sees_live_results(request.user)):
            raise PermissionDenied
        self.survey = get_object_or_404(Survey, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


def _value_text(question: Question, number) -> str:
    if question.kind == Question.Kind.YES_NO:
        return gettext("yes") if number else gettext("no")
    return str(number)


class SurveyResultsView(_ResultsAccess, WagtailAdminTemplateMixin, TemplateView):
    template_name = "surveys/admin/results.html"
    header_icon = "list-ul"
    page_title = _("Survey results")

    def get_page_subtitle(self):
        return self.survey.title

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse(f"{SURVEYS}:index"), "label": capfirst(Survey._meta.verbose_name_plural)},
            {"url": "", "label": self.survey.title},
        ]

    def charts_for(self, result) -> list:
        question = result.question
        name = f"q{question.pk}"
        if question.kind in Question.CHOICE_KINDS:
            return [
                BarChart(
                    name,
                    question.text,
                    bars=[Bar(c.label, c.count) for c in result.choices],
                    label_heading=gettext("Answer"),
                    value_heading=gettext("Answers"),
                    empty=gettext("No answers yet."),
                )
            ]
        if question.kind in Question.RANGES:
            low, high = Question.RANGES[question.kind]
            values = list(range(low, high + 1))
            return [
                ColumnChart(
                    name,
                    question.text,
                    labels=[_value_text(question, v) for v in values],
                    series=[Series(gettext("Answers"), [result.distribution.get(v, 0) for v in values])],
                    label_heading=gettext("Answer"),
                    tick_every=1,
                    empty=gettext("No answers yet."),
                )
            ]
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        results = selectors.survey_results(self.survey)
        context.update(
            survey=self.survey,
            state=survey_state(self.survey),
            results=results,
            rate=percent(results.responses, results.audience),
            questions=[{"result": r, "charts": self.charts_for(r)} for r in results.questions],
            by_building=[{"rate": percent(b.answered, b.audience), "row": b} for b in results.by_building],
            csv_url=survey_url("results_csv", self.survey),
            xlsx_url=survey_url("results_xlsx", self.survey),
            edit_url=survey_url("edit", self.survey),
        )
        return context


def answer_table(survey: Survey) -> tuple[list[str], list[list]]:
    """The answers, one row per response, one column per question
    (`selectors.staff.survey_answer_sheet`). Named: who, the unit and when come first.
    Anonymous: the answers only, the rows sorted by them (no ids, no times, nothing of
    the order in which people answered)."""
    sheet = staff.survey_answer_sheet(survey)
    questions = sheet.questions

    def text_of(question, label, number, text):
        if label is not None:
            return label
        return _value_text(question, number) if number is not None else text

    def answers_of(row):
        return [", ".join(text_of(q, *value) for value in row.answers.get(q.pk, [])) for q in questions]

    header = [q.text for q in questions]
    if survey.anonymous:
        return header, sorted(answers_of(row) for row in sheet.rows)
    table = [
        [
            person_label(row.person),
            str(row.unit) if row.unit else "",
            row.submitted_at,
            row.changed_at,
            *answers_of(row),
        ]
        for row in sheet.rows
    ]
    return [gettext("Person"), gettext("Unit"), gettext("Answered at"), gettext("Changed at"), *header], table


def summary_table(survey: Survey) -> tuple[list[str], list[list]]:
    results = selectors.survey_results(survey)
    rows = []
    for result in results.questions:
        question = result.question
        for choice in result.choices:
            rows.append([question.text, choice.label, choice.count])
        for value, count in sorted(result.distribution.items()):
            rows.append([question.text, _value_text(question, value), count])
        if result.nps is not None:
            rows.append([question.text, "NPS", result.nps])
    return [gettext("Question"), gettext("Answer"), gettext("Answers")], rows


def xlsx_safe(sheets):
    """The sheets with the control characters a worksheet refuses taken out of their text:
    a resident's name or an answer stored before they were refused must not make the
    export a server error (openpyxl raises IllegalCharacterError)."""

    def clean(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    return [
        (title, [clean(v) for v in header], [[clean(v) for v in row] for row in rows]) for title, header, rows in sheets
    ]


def _filename(survey: Survey, extension: str) -> str:
    return f"survey-{survey.pk}-{timezone.localdate():%Y-%m-%d}.{extension}"


class SurveyResultsCsvView(_ResultsAccess, View):
    def get(self, request, *args, **kwargs):
        header, table = answer_table(self.survey)
        zone = timezone.get_current_timezone()

        def text(value):
            if hasattr(value, "tzinfo"):
                return timezone.localtime(value, zone).strftime(CSV_MOMENT) if value else ""
            return value

        rows = [[text(value) for value in row] for row in table]
        return csv_response(csv_lines(header, rows), _filename(self.survey, "csv"))


class SurveyResultsXlsxView(_ResultsAccess, View):
    def get(self, request, *args, **kwargs):
        header, table = answer_table(self.survey)
        rows = [
            [timezone.localtime(v).replace(tzinfo=None) if hasattr(v, "tzinfo") and v else v for v in row]
            for row in table
        ]
        summary_header, summary = summary_table(self.survey)
        return xlsx_response(
            xlsx_safe([(gettext("Answers"), header, rows), (gettext("Summary"), summary_header, summary)]),
            _filename(self.survey, "xlsx"),
        )


# --- Resolutions -----------------------------------------------------------------------------------


class ResolutionIndexView(generic.IndexView):
    any_permission_required = ["view"]

    def get_base_queryset(self):
        return staff.resolution_rows()

    def order_queryset(self, queryset):
        queryset = super().order_queryset(queryset)
        return queryset.order_by(*queryset.query.order_by, "-pk")


class ResolutionCreateView(generic.CreateView):
    def save_instance(self):
        instance = self.form.save(commit=False)
        instance.created_by = self.request.user
        instance.save()
        self.form.save_m2m()
        return instance


class _DraftOnly:
    """A resolution is edited or deleted while it is a draft; after that it is evidence."""

    def dispatch(self, request, *args, **kwargs):
        resolution = getattr(self, "object", None) or self.get_object()
        if resolution.state != Resolution.State.DRAFT:
            messages.error(request, gettext("Only a draft can be changed; this resolution has been announced."))
            return redirect(resolution_url("inspect", resolution))
        return super().dispatch(request, *args, **kwargs)


class ResolutionEditView(_DraftOnly, generic.EditView):
    pass


class ResolutionDeleteView(_DraftOnly, generic.DeleteView):
    pass


def weight_text(resolution: Resolution, weight) -> str:
    return protocols.weight_text(weight, resolution.rule.method)


class ResolutionInspectView(generic.InspectView):
    """One resolution: facts, actions, electorate, tally, chain, result, votes."""

    any_permission_required = ["view"]
    template_name = "surveys/admin/resolution.html"
    header_icon = "doc-full"

    def get_object(self, queryset=None):
        return get_object_or_404(Resolution.objects.select_related("rule", "created_by"), pk=self.pk)

    def get_fields(self):
        return []

    def get_page_subtitle(self):
        return f"{self.object.number} {self.object.title}"

    @cached_property
    def may_manage(self) -> bool:
        return staff.staff_may(self.request.user, "surveys.change_resolution") and (
            policy.resolution_management_refusal(self.request.user) is None
        )

    @cached_property
    def may_record(self) -> bool:
        return staff.sees_ballots(self.request.user) and policy.paper_vote_refusal(self.request.user) is None

    def get_context_data(self, **kwargs):
        resolution = self.object
        is_open = resolution.state == Resolution.State.OPEN
        forms = {}
        if is_open and self.may_record:
            forms["vote_form"] = kwargs.pop("vote_form", None) or PaperVoteForm(resolution=resolution)
            forms["proxy_form"] = kwargs.pop("proxy_form", None) or ProxyForm(resolution=resolution)
        context = super().get_context_data(**kwargs)
        seats = (
            staff.electorate(resolution) if resolution.state in (Resolution.State.OPEN, Resolution.State.CLOSED) else []
        )
        counted = selectors.tally(resolution) if seats else None
        breaks = selectors.chain_breaks(resolution) if seats else []
        votes = [] if resolution.secret else list(staff.votes_of(resolution))
        media = None
        for form in forms.values():
            media = form.media if media is None else media + form.media
        context.update(
            resolution=resolution,
            facts=[
                (gettext("Number"), resolution.number),
                (gettext("State"), resolution.get_state_display()),
                (gettext("Counting rule"), str(resolution.rule)),
                (gettext("Legal basis"), resolution.rule.legal_basis),
                (gettext("Voting opens at"), local_time(resolution.opens_at)),
                (gettext("Voting closes at"), local_time(resolution.closes_at)),
                (gettext("Buildings"), ", ".join(str(b) for b in resolution.buildings.order_by("code"))),
                (gettext("Secret vote"), gettext("yes") if resolution.secret else gettext("no")),
                (
                    gettext("A vote may be changed until the close"),
                    gettext("yes") if resolution.allow_changes else gettext("no"),
                ),
            ],
            attachments=list(resolution.attachments.all()),
            seats=[
                {
                    "label": seat.label,
                    "weight": weight_text(resolution, seat.weight),
                    "holders": ", ".join(person_label(h) for h in seat.holders.all()),
                    "proxy": person_label(seat.proxy),
                    "voted": seat.last_vote is not None,
                    "choice": ""
                    if resolution.secret or seat.last_vote is None
                    else seat.last_vote.get_choice_display(),
                }
                for seat in seats
            ],
            tally=counted,
            tally_rows=[
                (Vote.Choice.FOR.label, counted.seats_for, weight_text(resolution, counted.weight_for)),
                (Vote.Choice.AGAINST.label, counted.seats_against, weight_text(resolution, counted.weight_against)),
                (Vote.Choice.ABSTAIN.label, counted.seats_abstained, weight_text(resolution, counted.weight_abstained)),
            ]
            if counted
            else [],
            total_weight=weight_text(resolution, resolution.total_weight),
            majority_at=local_time(counted.threshold_crossed_at) if counted else "",
            chain_intact=not breaks,
            electorate_intact=selectors.electorate_intact(resolution),
            chain_breaks=breaks,
            votes=[
                {
                    "sequence": vote.sequence,
                    "seat": vote.seat.label,
                    "choice": vote.get_choice_display(),
                    "weight": weight_text(resolution, vote.weight),
                    "channel": vote.get_channel_display(),
                    "at": local_time(vote.cast_at),
                    "voter": vote.voter_name,
                    "cast_by": person_label(vote.cast_by),
                    "recorded_by": person_label(vote.recorded_by),
                    "scan_url": reverse("surveys:ballot_scan", args=[vote.pk])
                    if vote.ballot_scan and self.may_record
                    else "",
                }
                for vote in votes
            ],
            closed=resolution.state == Resolution.State.CLOSED,
            result=resolution.get_result_display() if resolution.result else "",
            decided_at=local_time(resolution.decided_at),
            notified_at=local_time(resolution.notified_at),
            challenge_until=resolution.challenge_until,
            may_announce=self.may_manage and resolution.state == Resolution.State.DRAFT,
            schedule_url=resolution_url("schedule", resolution),
            vote_url=resolution_url("paper_vote", resolution),
            proxy_url=resolution_url("proxy", resolution),
            edit_url=resolution_url("edit", resolution) if resolution.state == Resolution.State.DRAFT else "",
            protocol_urls=[
                ("PDF", resolution_url("protocol_pdf", resolution)),
                ("CSV", resolution_url("protocol_csv", resolution)),
                ("XLSX", resolution_url("protocol_xlsx", resolution)),
            ]
            if seats
            else [],
            media=media,
            **forms,
        )
        return context


class ResolutionActionView(ResolutionInspectView):
    """An action on a resolution's page: POST only; a refusal shows the page again with
    the form's errors and the resolution unchanged."""

    http_method_names = ["post"]
    form_key = ""

    def allowed(self) -> bool:
        return self.may_record

    def make_form(self):
        raise NotImplementedError

    def act(self, form) -> str:
        raise NotImplementedError

    def post(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        form = self.make_form()
        problem = gettext("Nothing has been changed: correct the form below.")
        if form.is_valid():
            try:
                success = self.act(form)
            except ServiceError as error:
                add_service_errors(form, error)
                problem = service_errors(error)[0].message
            else:
                messages.success(request, success)
                return redirect(resolution_url("inspect", self.object))
        messages.error(request, problem)
        return self.render_to_response(self.get_context_data(**{self.form_key: form}))


class ResolutionScheduleView(ResolutionActionView):
    def allowed(self) -> bool:
        return self.may_manage

    def post(self, request, *args, **kwargs):
        if not self.allowed():
            raise PermissionDenied
        try:
            resolution = services.resolution_schedule(resolution=self.object, by=request.user)
        except ServiceError as error:
            messages.error(request, service_errors(error)[0].message)
        else:
            messages.success(
                request,
                gettext("Resolution %(number)s announced: %(state)s.")
                % {"number": resolution.number, "state": resolution.get_state_display()},
            )
        return redirect(resolution_url("inspect", self.object))


class PaperVoteView(ResolutionActionView):
    form_key = "vote_form"

    def make_form(self):
        return PaperVoteForm(self.request.POST, self.request.FILES, resolution=self.object)

    def act(self, form) -> str:
        data = form.cleaned_data
        vote = services.vote_record_paper(
            resolution=self.object,
            seat=data["seat"],
            choice=data["choice"],
            voter_name=data["voter_name"],
            ballot_scan=data["ballot_scan"],
            signed_at=data["signed_at"],
            by=self.request.user,
        )
        return gettext("Paper ballot for %(seat)s recorded as vote no. %(sequence)d.") % {
            "seat": vote.seat.label,
            "sequence": vote.sequence,
        }


class ProxyView(ResolutionActionView):
    form_key = "proxy_form"

    def make_form(self):
        return ProxyForm(self.request.POST, resolution=self.object)

    def act(self, form) -> str:
        seat = services.seat_proxy_set(
            seat=form.cleaned_data["seat"], proxy=form.cleaned_data["proxy"], by=self.request.user
        )
        if seat.proxy_id:
            return gettext("%(person)s now casts the vote of %(seat)s.") % {
                "person": person_label(seat.proxy),
                "seat": seat.label,
            }
        return gettext("The proxy of %(seat)s has been removed.") % {"seat": seat.label}


class _ProtocolView(View):
    def dispatch(self, request, *args, **kwargs):
        if not staff.sees_resolutions(request.user):
            raise PermissionDenied
        self.resolution = get_object_or_404(Resolution, pk=kwargs["pk"])
        if self.resolution.state not in (Resolution.State.OPEN, Resolution.State.CLOSED):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def filename(self, extension: str) -> str:
        number = "".join(c if c.isalnum() else "-" for c in self.resolution.number)
        return f"protocol-{number}.{extension}"


class ProtocolPdfView(_ProtocolView):
    def get(self, request, *args, **kwargs):
        response = HttpResponse(protocols.protocol_pdf(self.resolution), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{self.filename("pdf")}"'
        return response


class ProtocolCsvView(_ProtocolView):
    def get(self, request, *args, **kwargs):
        sheets = protocols.protocol_sheets(protocols.protocol(self.resolution), for_csv=True)
        title, header, rows = sheets[0]
        lines = []
        for other_title, other_header, other_rows in sheets[1:]:
            lines += [[], [other_title], other_header, *other_rows]
        return csv_response(csv_lines(header, [*rows, *lines]), self.filename("csv"))


class ProtocolXlsxView(_ProtocolView):
    def get(self, request, *args, **kwargs):
        sheets = protocols.protocol_sheets(protocols.protocol(self.resolution), for_csv=False)
        return xlsx_response(xlsx_safe(sheets), self.filename("xlsx"))
