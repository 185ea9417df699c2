from django import forms
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from lms.courses.models import TrainingPage
from lms.courses.structure import default_language, live_trainings

from .models import LRSEndpoint


class TrainingsField(forms.ModelMultipleChoiceField):
    """Live trainings in the default language, each named in the viewer's language."""

    def label_from_instance(self, obj):
        return live_trainings().localised(obj, get_language()).title


def _https(field, **kwargs):
    """An address typed without a scheme is an https one."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class EndpointForm(forms.ModelForm):
    """An LRS of an organisation the user manages (or the programme's, for programme staff).

    The secret is write-only: the form never renders it, and left empty on an existing endpoint
    it keeps the one saved.
    """

    secret = forms.CharField(
        label=_("secret (basic auth)"),
        max_length=500,
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = LRSEndpoint
        formfield_callback = _https
        fields = ["name", "organisation", "url", "username", "secret", "trainings", "active"]

    def __init__(self, *args, organisations, programme: bool, **kwargs):
        super().__init__(*args, **kwargs)
        organisation = self.fields["organisation"]
        organisation.queryset = organisations
        organisation.required = not programme  # only programme staff set up the programme's own LRS
        organisation.empty_label = _("The programme's own LRS") if programme else None
        organisation.label_from_instance = lambda o: o.localised_name(get_language())
        self.fields["trainings"] = TrainingsField(
            queryset=TrainingPage.objects.live().filter(locale__language_code=default_language()).order_by("path"),
            required=False,
            widget=forms.CheckboxSelectMultiple,
            label=_("trainings"),
            help_text=LRSEndpoint._meta.get_field("trainings").help_text,
        )
        self.initial["secret"] = ""  # never in the page, not even in a field's initial value
        if self.instance.pk:
            self.fields["secret"].help_text = _(
                "Saved, and never shown. Leave empty to keep it; type a new one to change it."
            )
        else:
            self.fields["secret"].required = True

    def clean_secret(self):
        return self.cleaned_data["secret"] or (self.instance.secret if self.instance.pk else "")
