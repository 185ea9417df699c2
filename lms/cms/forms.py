from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from .enums import FeedbackTopic

MAX_MESSAGE = 5000  # characters: a long report fits; a pasted document does not


class FeedbackForm(forms.Form):
    """The contact form: only the message and its topic are required."""

    topic = forms.ChoiceField(label=_("Topic"), choices=FeedbackTopic.choices, widget=forms.RadioSelect)
    message = forms.CharField(
        label=_("Message"),
        max_length=MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(_("At most {count} characters."), count=MAX_MESSAGE),  # translated per request
        error_messages={
            "required": _("Write your message."),
            "max_length": _("The message is too long: at most %(limit_value)s characters (now %(show_value)s)."),
        },
    )
    name = forms.CharField(label=_("Name (optional)"), max_length=200, required=False)
    email = forms.EmailField(
        label=_("E-mail address (optional)"),
        required=False,
        help_text=_("Needed only if you would like a reply."),
        error_messages={"invalid": _("Check the e-mail address: it should look like name@example.fi.")},
    )
    wants_reply = forms.BooleanField(label=_("I would like a reply"), required=False)
    page_url = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_page_url(self) -> str:
        """Only a path on this site: anything else (another site, a script URL) is dropped, not an error."""
        value = self.cleaned_data.get("page_url", "").strip()
        return value[:500] if local_path(value) else ""

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("wants_reply") and not cleaned.get("email") and "email" not in self.errors:
            self.add_error("email", _("Give your e-mail address so that we can reply."))
        return cleaned


def local_path(value: str) -> bool:
    return value.startswith("/") and not value.startswith("//") and "\\" not in value and value.isprintable()
