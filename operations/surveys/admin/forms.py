"""Forms of the surveys admin: the survey builder (the survey, its audience, rules, window
and questions with their choices, one cluster form), the resolution's draft, a paper
ballot and a proxy. The rules they refuse are the services' (`services.builder`,
`services.resolutions`), shown next to the field they concern."""

from __future__ import annotations

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import FileExtensionValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import InlinePanel
from wagtail.admin.widgets import AdminDateTimeInput

from cms.core.exceptions import service_errors

from ..models import CountingRule, Question, Resolution, Seat, Survey, Vote
from ..selectors import staff
from ..services import builder


def _labels(text: str) -> list[str]:
    return [" ".join(line.split()) for line in (text or "").splitlines() if line.strip()]


class QuestionForm(WagtailAdminModelForm):
    """A question, with its answers to choose from typed one a line."""

    choices_text = forms.CharField(
        label=_("Answers to choose from"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Single and multiple choice only: one answer a line, in the order shown."),
    )

    @property
    def choice_labels(self) -> list[str]:
        return _labels(self.cleaned_data.get("choices_text", ""))

    def clean(self):
        cleaned = super().clean()
        kind = cleaned.get("kind")
        if kind:
            if problem := builder.question_choices_problem(kind, _labels(cleaned.get("choices_text", ""))):
                self.add_error("choices_text", problem.message)
        return cleaned


class QuestionsPanel(InlinePanel):
    """The questions, each with `QuestionForm` (its choices as lines of text)."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["form"] = QuestionForm
        return options


class SurveyForm(WagtailAdminModelForm):
    """The survey with its questions; refuses what contradicts (services.builder) and, once
    anyone has answered, any change of the questions, their choices, anonymity and who
    answers, and opening again an anonymous survey that has closed (`builder`)."""

    LOCKED_ONCE_ANSWERED = ("anonymous", "answer_by")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "audiences" in self.fields:
            self.fields["audiences"].widget = forms.CheckboxSelectMultiple()
            self.fields["audiences"].queryset = self.fields["audiences"].queryset.order_by("name")
        formset = self.formsets.get("questions")
        if formset is not None:
            # Each question's choices as its lines of text, read in one query for all.
            labels = staff.choice_labels([form.instance.pk for form in formset.forms if form.instance.pk])
            for form in formset.forms:
                if form.instance.pk:
                    form.fields["choices_text"].initial = "\n".join(labels.get(form.instance.pk, []))
        self.locked = builder.questions_locked_refusal(self.instance) is not None
        if self.locked:
            for name in self.LOCKED_ONCE_ANSWERED:
                if name in self.fields:
                    self.fields[name].disabled = True

    def questions_changed(self) -> bool:
        formset = self.formsets.get("questions")
        if formset is None:
            return False
        return any(form.has_changed() for form in formset.forms)

    def clean(self):
        cleaned = super().clean()
        for problem in builder.survey_settings_problems(
            anonymous=cleaned.get("anonymous"),
            allow_changes=cleaned.get("allow_changes"),
            opens_at=cleaned.get("opens_at"),
            closes_at=cleaned.get("closes_at"),
            audience_everyone=cleaned.get("audience_everyone"),
            audiences=cleaned.get("audiences"),
        ):
            self.add_error(problem.field if problem.field in self.fields else None, problem.message)
        if refusal := builder.reopening_refusal(self.instance, cleaned.get("closes_at")):
            self.add_error("closes_at", service_errors(refusal)[0].message)
        if self.locked and self.questions_changed():
            refusal = builder.questions_locked_refusal(self.instance)
            for problem in service_errors(refusal):
                self.add_error(None, problem.message)
        return cleaned


class ResolutionForm(WagtailAdminModelForm):
    """A resolution's draft: the rules offered are those in force, the latest version of each."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "buildings" in self.fields:
            self.fields["buildings"].widget = forms.CheckboxSelectMultiple()
        if "rule" in self.fields:
            today = timezone.localdate()
            latest = {}
            for rule in CountingRule.objects.filter(effective_from__lte=today).order_by("code", "-version"):
                latest.setdefault(rule.code, rule.pk)
            allowed = set(latest.values())
            if self.instance.rule_id:
                allowed.add(self.instance.rule_id)
            self.fields["rule"].queryset = CountingRule.objects.filter(pk__in=allowed).order_by("name")

    def clean(self):
        cleaned = super().clean()
        opens_at, closes_at = cleaned.get("opens_at"), cleaned.get("closes_at")
        if opens_at and closes_at and closes_at <= opens_at:
            self.add_error("closes_at", _("Voting must close after it opens."))
        return cleaned


class PaperVoteForm(forms.Form):
    seat = forms.ModelChoiceField(label=_("Seat"), queryset=Seat.objects.none())
    choice = forms.ChoiceField(label=_("Vote"), choices=Vote.Choice.choices)
    voter_name = forms.CharField(label=_("Name signed on the ballot"), max_length=200)
    signed_at = forms.DateTimeField(label=_("Signed at"), widget=AdminDateTimeInput())
    # A scan is a PDF or a picture: served to staff from the hub's own origin, an HTML or
    # SVG "scan" would run its scripts there (review).
    ballot_scan = forms.FileField(
        label=_("Scan of the ballot"), validators=[FileExtensionValidator(["pdf", "jpg", "jpeg", "png", "tif", "tiff"])]
    )

    def __init__(self, *args, resolution: Resolution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = resolution.seats.order_by("label", "pk")


class ProxyForm(forms.Form):
    seat = forms.ModelChoiceField(label=_("Seat"), queryset=Seat.objects.none())
    proxy = forms.ModelChoiceField(
        label=_("Proxy"),
        queryset=get_user_model().objects.none(),
        required=False,
        help_text=_("Leave empty to remove the proxy."),
    )

    def __init__(self, *args, resolution: Resolution, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seat"].queryset = resolution.seats.order_by("label", "pk")
        self.fields["proxy"].queryset = (
            get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "username")
        )
        self.fields["proxy"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.get_username()} ({u.get_username()})"
        )


KIND_LABELS = dict(Question.Kind.choices)


class SurveyFilterSet(WagtailFilterSet):
    """`?open=yes`: the surveys open now, as the situation centre counts them."""

    open = django_filters.ChoiceFilter(
        label=_("Open now"),
        choices=[("yes", _("yes"))],
        method="filter_open",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Survey
        fields = ["is_published", "anonymous"]

    def filter_open(self, queryset, name, value):
        return staff.filter_open(queryset) if value == "yes" else queryset


class ResolutionFilterSet(WagtailFilterSet):
    """`?state=open`: in voting; `?challengeable=yes`: closed, within the challenge window."""

    state = django_filters.ChoiceFilter(
        label=_("State"), choices=Resolution.State.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    challengeable = django_filters.ChoiceFilter(
        label=_("Within the challenge window"),
        choices=[("yes", _("yes"))],
        method="filter_challengeable",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )

    class Meta:
        model = Resolution
        fields = ["state", "result", "secret"]

    def filter_challengeable(self, queryset, name, value):
        return staff.filter_challengeable(queryset) if value == "yes" else queryset
