from django.db import models
from django.utils.translation import gettext_lazy as _


class PrincipalSource(models.TextChoices):
    """Where a platform's launch carries the person's eduPersonPrincipalName, if anywhere."""

    NONE = "", _("Not sent")
    CUSTOM = "custom", _("Custom parameter eppn=$User.username")
    LIS = "lis", _("lis person_sourcedid (the user's ID number in Moodle)")
    MOODLE_USERNAME = "moodle", _("Moodle's username (ext user_username)")


class GradeStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    REFUSED = "refused", _("Refused by the platform")


class GradeEvent(models.TextChoices):
    COMPLETED = "completed", _("Training completed")
