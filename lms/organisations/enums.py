from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class OrganisationKind(models.TextChoices):
    UAS = "uas", _("University of applied sciences")
    PROJECT = "project", _("Regional project or wellbeing services county")
    TTL = "ttl", _("Finnish Institute of Occupational Health")


class Role(models.TextChoices):
    ADMIN = "admin", _("Organisation admin")
    TEACHER = "teacher", _("Teacher")


class StudyMode(models.TextChoices):
    DEGREE = "degree", _("Degree studies")
    OPEN_UAS = "open_uas", _("Open UAS studies")
    CONTINUING = "continuing", _("Continuing education")
    PROJECT_STAFF = "project_staff", _("Project staff")


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class RowResult(models.TextChoices):
    ENROLLED = "enrolled", pgettext_lazy("result of one row of a student list", "Enrolled")
    ALREADY_ENROLLED = "already_enrolled", _("Already enrolled")
    INVITED = "invited", _("Invited")
    ERROR = "error", _("Error")
