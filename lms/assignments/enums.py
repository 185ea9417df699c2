from django.db import models
from django.utils.translation import gettext_lazy as _

from lms.courses.enums import Grading  # one scale for assignments and training parts

__all__ = ["Decision", "Grading", "HandIn", "QueueState", "SubmissionStatus"]


class SubmissionStatus(models.TextChoices):
    """A submission's life: a draft the learner edits, then frozen once submitted, until decided.

    "In review" is not a status of its own: it is a submitted version that a reviewer has claimed
    and whose claim has not run out (``Submission.claimed_until``), so a forgotten claim frees the
    submission by itself.
    """

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for review")
    RETURNED = "returned", _("Returned for revision")
    APPROVED = "approved", _("Approved")


class Decision(models.TextChoices):
    APPROVE = "approve", _("Approve")
    RETURN = "return", _("Return for revision")


class HandIn(models.TextChoices):
    TEXT = "text", _("Text")
    FILES = "files", _("Files")
    BOTH = "both", _("Text and files")


class QueueState(models.TextChoices):
    """What a reviewer's queue filters by."""

    WAITING = "waiting", _("Waiting")
    IN_REVIEW = "in_review", _("In review")
    RETURNED = "returned", _("Returned")
    APPROVED = "approved", _("Approved")
