"""Forms of the residents admin: the throttled admin login and the membership decisions."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm

from cms.core.exceptions import ServiceError

from ..errors import SignInErrorCode
from ..models import SignInAttempt
from ..services import user_sign_in


class AdminLoginForm(LoginForm):
    """Wagtail's login form, but checked by `user_sign_in`: recorded and throttled like
    every other sign-in. Enable with
    WAGTAILADMIN_USER_LOGIN_FORM = "operations.residents.admin.forms.AdminLoginForm".
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Wagtail's field has no label, so Django would show its English name.
        self.fields["password"].label = _("Password")

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = user_sign_in(
                    request=self.request, username=username, password=password, channel=SignInAttempt.Channel.ADMIN
                )
            except ServiceError as error:
                if error.code in (SignInErrorCode.THROTTLED, SignInErrorCode.INACTIVE):
                    raise forms.ValidationError(error.message, code=str(error.code).lower()) from None
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class VerifyForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For the records; the person does not see it."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the person by e-mail: say what to do next."),
    )


class EndForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("End this membership"),
        help_text=_("The person loses the access this unit gave them; other units are not affected."),
    )
