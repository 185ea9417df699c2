from django import forms
from django.contrib.auth import password_validation
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from lms.accounts.models import User
from lms.courses.models import TrainingPage
from lms.courses.structure import default_language, live_trainings

from .enums import Role
from .models import Cohort, Organisation
from .services import MAX_SEATS


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


class OrganisationForm(forms.ModelForm):
    """An organisation's names and identifiers; programme staff fill it in."""

    class Meta:
        model = Organisation
        fields = ["kind", "name", "name_sv", "name_en", "business_id", "home_organisation"]


class OrganisationCreateForm(OrganisationForm):
    admin_email = forms.EmailField(
        label=_("E-mail address of its first admin"),
        help_text=_("An existing account becomes its admin at once; a new address gets an invitation."),
    )


class MemberForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices, initial=Role.TEACHER)


class TrainingChoiceField(forms.ModelChoiceField):
    """Live trainings in the default language, each named in the viewer's language."""

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language

    def label_from_instance(self, obj):
        return live_trainings().localised(obj, self.language).title


class TeacherChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name} <{obj.email}>" if obj.display_name != obj.email else obj.email


class CohortForm(forms.ModelForm):
    """A cohort of the organisation in the URL: the form has no organisation field to tamper with."""

    class Meta:
        model = Cohort
        fields = ["training", "name", "starts_on", "ends_on", "study_mode", "credits", "seat_limit", "teachers"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, organisation: Organisation, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["training"] = TrainingChoiceField(
            queryset=TrainingPage.objects.live().filter(locale__language_code=default_language()).order_by("path"),
            label=_("Training"),
            language=language,
        )
        self.fields["teachers"] = TeacherChoiceField(
            queryset=User.objects.filter(memberships__organisation=organisation).order_by("certificate_name", "email"),
            label=_("Teachers"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Chosen among the organisation's staff; add people to the staff first."),
        )
        self.fields["credits"].widget.attrs["min"] = 0
        self.fields["credits"].validators.append(MinValueValidator(0))
        self.fields["seat_limit"].validators.append(MaxValueValidator(MAX_SEATS))

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The group cannot end before it starts."))
        return cleaned


class PeriodForm(forms.Form):
    """A period of days, both ends included; either may be left open (the programme's figures and exports)."""

    from_date = forms.DateField(label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    to_date = forms.DateField(label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("from_date") and data.get("to_date") and data["from_date"] > data["to_date"]:
            raise forms.ValidationError(_("The period must start before it ends."))
        return data
