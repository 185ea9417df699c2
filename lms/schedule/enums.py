from django.db import models
from django.utils.translation import gettext_lazy as _


class SignupMode(models.TextChoices):
    """Whom a session concerns: every learner of its cohort, or those who signed up (up to its seats)."""

    COHORT = "cohort", _("Everyone in the group")
    OPEN = "open", _("Open sign-up")


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    ABSENT = "absent", _("Absent")
    REPLACED = "replaced", _("Replaced by work")


# What counts as attended for the lesson gate.
ATTENDED = (AttendanceStatus.PRESENT, AttendanceStatus.REPLACED)


class MarkedBy(models.TextChoices):
    TEACHER = "teacher", _("Marked by a teacher")
    CODE = "code", _("Checked in with the code")


class ReplacementStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    RETURNED = "returned", _("Returned for revision")
