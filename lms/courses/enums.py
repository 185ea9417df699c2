from django.db import models
from django.utils.translation import gettext_lazy as _


class EnrolmentMode(models.TextChoices):
    OPEN = "open", _("Open to everyone")
    KEY = "key", _("With an enrolment key")
    INVITATION = "invitation", _("By invitation only")


class CompletionRule(models.TextChoices):
    OPENED = "opened", _("Opened")
    ALL_CORRECT = "all_correct", _("Every question answered correctly")
    MIN_SCORE = "min_score", _("Score at least the pass mark")
    H5P_COMPLETED = "h5p_completed", _("Every H5P activity completed")
    H5P_PASSED = "h5p_passed", _("Every H5P activity at or above its pass mark")


# Rules met by results the learner's browser reports (H5P), which the server cannot check.
BROWSER_ASSERTED_RULES = frozenset({CompletionRule.H5P_COMPLETED, CompletionRule.H5P_PASSED})


class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")


class EnrolmentStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")


class LessonStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")


class Grading(models.TextChoices):
    """How a part (and an assignment) is graded: pass/fail, or on the Finnish 0-5 scale."""

    PASS_FAIL = "pass_fail", _("Pass/fail")
    SCALE_0_5 = "scale_0_5", _("0–5")


PASS = "pass"  # noqa: S105 - a pass/fail part's grade, as PartCompletion.grade stores it
