from django.db import models
from django.utils.translation import gettext_lazy as _


class CalloutStyle(models.TextChoices):
    INFO = "info", _("Information")
    TIP = "tip", _("Tip")
    WARNING = "warning", _("Warning")


class LegalPageKind(models.TextChoices):
    """The pages a Finnish public service must have, each linked from every page's footer."""

    ACCESSIBILITY = "accessibility", _("Accessibility statement")
    PRIVACY = "privacy", _("Privacy notice")


class FeedbackTopic(models.TextChoices):
    ACCESSIBILITY = "accessibility", _("Accessibility")
    CONTENT = "content", _("Training content")
    TECHNICAL = "technical", _("Technical problem")
    OTHER = "other", _("Something else")


class FeedbackStatus(models.TextChoices):
    UNHANDLED = "unhandled", _("Unhandled")
    HANDLED = "handled", _("Handled")
