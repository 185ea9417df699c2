from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import User


class InvitationSignupForm(forms.Form):
    """A new account for an invitee: the invitation itself proves the e-mail address."""

    certificate_name = forms.CharField(
        label=_("Full name"), max_length=200, help_text=_("As it should appear on your certificates.")
    )
    password1 = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label=_("Password (again)"), strip=False, widget=forms.PasswordInput)

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The passwords do not match. Type the same password in both fields."))
        elif first:
            try:
                password_validation.validate_password(first, User(email=self.email))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
