from django.db import models
from django.utils.translation import gettext_lazy as _


class CalloutStyle(models.TextChoices):
    INFO = "info", _("Information")
    TIP = "tip", _("Tip")
    WARNING = "warning", _("Warning")
