from django import forms
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .models import PlatformRegistration


def _https(field, **kwargs):
    """A platform address typed without a scheme is an https one."""
    if isinstance(field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return field.formfield(**kwargs)


class RegistrationForm(forms.ModelForm):
    class Meta:
        model = PlatformRegistration
        formfield_callback = _https
        fields = [
            "organisation",
            "label",
            "issuer",
            "client_id",
            "auth_login_url",
            "auth_token_url",
            "auth_audience",
            "key_set_url",
            "deployment_ids",
            "principal_source",
            "emails_verified",
            "enabled",
        ]
        widgets = {"deployment_ids": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organisations, vouching: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not vouching:  # what lets a platform open existing accounts is the programme staff's to set
            for name in ("principal_source", "emails_verified"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("Set by the programme's staff.")
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].empty_label = None
        # The name in the page's language: __str__ is the official Finnish one.
        self.fields["organisation"].label_from_instance = lambda organisation: organisation.localised_name(
            get_language()
        )
        self.fields["organisation"].help_text = _("Launches from this Moodle join this organisation's groups.")
