from django.db import models
from django.utils.translation import gettext_lazy as _


class Phase(models.TextChoices):
    START = "start", _("At the start of the training")
    END = "end", _("At the end of the training")
