from enum import StrEnum

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
    """The outcome of one row. Since invitations need the person's consent, a row never says whether
    an address has an account: everyone not yet in the group is invited alike."""

    INVITED = "invited", _("Invitation sent")
    ALREADY_INVITED = "already_invited", _("Already invited")
    ALREADY_ENROLLED = "already_enrolled", _("Already in the group")
    ERROR = "error", _("Error")
    # Lists imported before invitations needed consent enrolled people at once.
    ENROLLED = "enrolled", pgettext_lazy("result of one row of a student list", "Enrolled")


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")


class MemberOutcome(StrEnum):
    """What adding a person to an organisation's staff did (not stored; the view words it)."""

    ADDED = "added"
    INVITED = "invited"
    ROLE_CHANGED = "role_changed"
    ALREADY_MEMBER = "already_member"
    ALREADY_INVITED = "already_invited"
