"""The session form: times are typed in Finnish time, whatever the server's or the browser's zone."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.courses.models import TrainingPage
from lms.courses.structure import default_language

from . import selectors, services
from .enums import SignupMode
from .models import ContactSession

HELSINKI = ZoneInfo("Europe/Helsinki")
FIELDS = ["title", "requirement", "description", "starts_at", "ends_at", "online_url", "place", "signup", "seats"]


class HelsinkiDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def format_value(self, value):
        if hasattr(value, "astimezone") and timezone.is_aware(value):
            return value.astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M")
        return super().format_value(value)


class HelsinkiDateTimeField(forms.DateTimeField):
    widget = HelsinkiDateTimeInput

    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d.%m.%Y %H.%M", "%d.%m.%Y %H:%M"])
        super().__init__(**kwargs)

    def to_python(self, value):
        with timezone.override(HELSINKI):  # a typed time is Finnish time
            return super().to_python(value)


def _link_field():
    return forms.URLField(
        label=_("Online meeting link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("https:// only."),
    )


class RequirementField(forms.ChoiceField):
    """Which *Contact sessions* block of the training a session counts for.

    The choices are the training's attendance blocks; with two or more (Part 1's and Part 2's
    sessions, say) a choice is required, so that no session counts for both. With one, it may stay
    empty (every block). A posted id that is not one of the training's is refused like any bad choice."""

    def __init__(self, training, language: str, **kwargs):
        choices = selectors.requirements_of(training, language) if training is not None else []
        super().__init__(
            label=_("Counts for"),
            choices=[("", _("Every Contact sessions requirement of the training")), *choices],
            required=len(choices) > 1,
            help_text=_("The lesson whose required sessions this one counts towards."),
            **kwargs,
        )
        if len(choices) > 1:
            self.choices = choices
            self.help_text = _("The training asks for sessions in several places: choose the one this counts for.")


class SessionForm(forms.ModelForm):
    """A cohort's teachers' form (front end)."""

    online_url = _link_field()

    class Meta:
        model = ContactSession
        fields = FIELDS
        field_classes = {"starts_at": HelsinkiDateTimeField, "ends_at": HelsinkiDateTimeField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, training=None, language: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("Finnish time")
        self.fields["seats"].help_text = _("For open sign-up; empty: no limit.")
        self.fields["requirement"] = RequirementField(training or self.instance.training, language)


class AdminSessionForm(WagtailAdminModelForm):
    """Trainers' sessions of a whole training, open for sign-up, in the Wagtail admin."""

    online_url = _link_field()

    class Meta:
        model = ContactSession
        fields = ["training", *[f for f in FIELDS if f != "signup"]]
        field_classes = {"starts_at": HelsinkiDateTimeField, "ends_at": HelsinkiDateTimeField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.signup = SignupMode.OPEN
        self.fields["training"].queryset = TrainingPage.objects.filter(
            locale__language_code=default_language()
        ).order_by("title")
        if self.instance.pk:
            self.fields["training"].disabled = True
        # The training is chosen in the same form, so every training's blocks are offered, grouped,
        # and ``clean`` checks the one chosen belongs to the chosen training.
        language = default_language()
        groups = [
            (training.title, selectors.requirements_of(training, language))
            for training in self.fields["training"].queryset
        ]
        self.fields["requirement"] = forms.ChoiceField(
            label=_("Counts for"),
            choices=[("", _("Every Contact sessions requirement of the training")), *[g for g in groups if g[1]]],
            required=False,
            help_text=_("Required when the training asks for sessions in several places (e.g. per part)."),
        )

    def clean(self):
        cleaned = super().clean()
        training = cleaned.get("training") or (self.instance.training if self.instance.training_id else None)
        problem = training and selectors.requirement_problem(training, cleaned.get("requirement", ""))
        if problem:
            self.add_error("requirement", problem)
        return cleaned

    def save(self, commit=True):
        data = {name: self.cleaned_data[name] for name in FIELDS if name in self.cleaned_data}
        if self.instance.pk is None:
            self.instance = services.session_create(
                by=self.for_user, training=self.cleaned_data["training"], signup=SignupMode.OPEN, **data
            )
        else:
            self.instance = services.session_update(by=self.for_user, session=self.instance, **data)
        return self.instance
