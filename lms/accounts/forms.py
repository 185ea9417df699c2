from django import forms
from django.utils.translation import gettext_lazy as _

from .models import User

# The name fields of the profile (``ProfileForm``), with the model's labels and help texts: what
# sign-up asks is what the profile shows and the certificate prints.
NAME_FIELDS = ["first_name", "last_name", "certificate_name"]
_signup_fields = forms.fields_for_model(User, fields=[*NAME_FIELDS, "organisation"])


class SignupForm(forms.Form):
    """Extra fields asked at sign-up; allauth calls ``signup`` after creating the user.

    The name on certificates may be left empty: it is then the first and last name, written into
    the profile, so that the learner sees there what their certificates will say.
    """

    first_name = _signup_fields["first_name"]
    last_name = _signup_fields["last_name"]
    certificate_name = _signup_fields["certificate_name"]
    organisation = _signup_fields["organisation"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = self.fields["last_name"].required = True

    def signup(self, request, user):
        data = self.cleaned_data
        user.first_name, user.last_name = data["first_name"], data["last_name"]
        user.certificate_name = data.get("certificate_name") or f"{user.first_name} {user.last_name}"[:200]
        user.organisation = data.get("organisation", "")
        user.preferred_language = getattr(request, "LANGUAGE_CODE", "fi")[:2]
        user.save(update_fields=[*NAME_FIELDS, "organisation", "preferred_language"])


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = [*NAME_FIELDS, "organisation", "preferred_language"]


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
