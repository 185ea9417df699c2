from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User


class SignupForm(forms.Form):
    """Extra fields asked at sign-up; allauth calls ``signup`` after creating the user."""

    certificate_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        help_text=_("As it should appear on your certificates."),
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)

    def signup(self, request, user):
        user.certificate_name = self.cleaned_data["certificate_name"]
        user.organisation = self.cleaned_data.get("organisation", "")
        user.preferred_language = getattr(request, "LANGUAGE_CODE", "fi")[:2]
        user.save(update_fields=["certificate_name", "organisation", "preferred_language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["certificate_name", "first_name", "last_name", "organisation", "preferred_language"]


class EraseForm(forms.Form):
    password = forms.CharField(label=_("Your password"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not right. Nothing was deleted."))
        return password
