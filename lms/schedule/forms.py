"""The session form: times are typed in Finnish time, whatever the server's or the browser's zone."""

from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from lms.courses.models import TrainingPage
from lms.courses.structure import default_language

from . import services
from .enums import SignupMode
from .models import ContactSession

HELSINKI = ZoneInfo("Europe/Helsinki")
FIELDS = ["title", "description", "starts_at", "ends_at", "online_url", "place", "signup", "seats"]


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


class SessionForm(forms.ModelForm):
    """A cohort's teachers' form (front end)."""

    online_url = _link_field()

    class Meta:
        model = ContactSession
        fields = FIELDS
        field_classes = {"starts_at": HelsinkiDateTimeField, "ends_at": HelsinkiDateTimeField}
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].help_text = _("Finnish time")
        self.fields["seats"].help_text = _("For open sign-up; empty: no limit.")


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

    def save(self, commit=True):
        data = {name: self.cleaned_data[name] for name in FIELDS if name in self.cleaned_data}
        if self.instance.pk is None:
            self.instance = services.session_create(
                by=self.for_user, training=self.cleaned_data["training"], signup=SignupMode.OPEN, **data
            )
        else:
            self.instance = services.session_update(by=self.for_user, session=self.instance, **data)
        return self.instance
