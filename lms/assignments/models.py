"""Submissions of assignments, one row per round, and their files.

An assignment is a block in a lesson's body (``lms.assignments.blocks.AssignmentBlock``); what a
learner hands in for it is keyed like the rest of their progress: the enrolment, the lesson's
translation key and the block's id, which a translation keeps, so a learner who switches language
finds their work where they left it.

Each round is a row: the learner's draft becomes the round's submission when they submit it, and
from then on its text and files never change. A returned round stays as it was, with the
reviewer's feedback, and the learner's next draft is a new row (``round`` + 1), so the history
shows every round as it was read.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lms.storage import private_storage

from .enums import Grading, SubmissionStatus


class Submission(models.Model):
    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="submissions")
    lesson_key = models.UUIDField(help_text=_("The lesson's translation key."))
    block_id = models.CharField(max_length=64, help_text=_("The assignment block's id in the lesson's body."))
    round = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=SubmissionStatus.choices, default=SubmissionStatus.DRAFT)
    text = models.TextField(_("text"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    # Review. A claim keeps a second reviewer from deciding the same round until it runs out.
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_until = models.DateTimeField(null=True, blank=True)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reviews"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    grading = models.CharField(max_length=20, choices=Grading.choices, default=Grading.PASS_FAIL)
    grade = models.PositiveSmallIntegerField(null=True, blank=True, help_text=_("1–5 on the 0–5 scale."))
    feedback = models.TextField(_("feedback"), blank=True)
    scores = models.JSONField(
        default=dict, blank=True, help_text=_("The level chosen for each rubric criterion, by criterion index.")
    )
    notified_at = models.DateTimeField(null=True, blank=True, help_text=_("When the learner was told the decision."))
    rubric = models.JSONField(
        default=list, blank=True, help_text=_("The rubric as it was when the round was submitted.")
    )

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["round"]
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson_key", "block_id", "round"], name="submission_unique_round"
            ),
            # Whatever the requests race to do, a learner has at most one draft of an assignment.
            models.UniqueConstraint(
                fields=["enrolment", "lesson_key", "block_id"],
                condition=Q(status=SubmissionStatus.DRAFT),
                name="submission_one_draft",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "submitted_at"], name="submission_queue"),
            models.Index(fields=["enrolment", "lesson_key"], name="submission_lesson"),
        ]

    def __str__(self):
        return f"{self.enrolment_id}/{self.lesson_key}/{self.block_id} #{self.round}: {self.status}"

    @property
    def in_review(self) -> bool:
        return (
            self.status == SubmissionStatus.SUBMITTED
            and self.claimed_until is not None
            and self.claimed_until > timezone.now()
        )

    @property
    def grade_label(self) -> str:
        if self.status != SubmissionStatus.APPROVED:
            return ""
        if self.grading == Grading.PASS_FAIL:
            return str(_("Pass"))
        return str(self.grade)


class SubmissionFile(models.Model):
    """A file handed in with a round. Private: streamed by a view that checks who asks."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(storage=private_storage, upload_to="assignments/%Y/%m/", max_length=255)
    name = models.CharField(_("file name"), max_length=255, help_text=_("As the learner named it, made safe."))
    size = models.PositiveIntegerField()
    content_type = models.CharField(max_length=100, help_text=_("From Kyky's own table, never the uploader's."))
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("submitted file")
        verbose_name_plural = _("submitted files")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
