from django.db import models
from django.utils.translation import gettext_lazy as _


class Review(models.TextChoices):
    """What a learner sees after submitting an attempt."""

    SCORE = "score", _("The score only")
    FEEDBACK = "feedback", _("The score and feedback on each answer")
    AFTER_CLOSE = "after_close", _("Nothing until the exam closes")


class QuestionType(models.TextChoices):
    """The kinds of question a pool holds: the block types of ``QuestionPool.questions``."""

    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    NUMERIC = "numeric", _("Number")
    MATCHING = "matching", _("Matching")
