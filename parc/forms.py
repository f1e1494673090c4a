from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _

from parc.lib.forms import StyledFormMixin


class LoginForm(StyledFormMixin, auth_forms.AuthenticationForm):
    # Django's Vietnamese catalogue lacks its current wording of these; ours is translated.
    error_messages = {
        "invalid_login": _("The username or password is not correct. Both are case-sensitive."),
        "inactive": _("This account has been switched off. Ask your administrator."),
    }


class PasswordChangeForm(StyledFormMixin, auth_forms.PasswordChangeForm):
    pass
