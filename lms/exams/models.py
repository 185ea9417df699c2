"""Question pools, and learners' exam attempts."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import TranslatableMixin

from .blocks import QuestionsBlock


class QuestionPool(TranslatableMixin, models.Model):
    """A bank of questions (for a module) that exams draw from; translated like pages, by locale.

    The default-language pool is the rule: its questions, their correct answers and their outcomes
    are what exams draw and score. A translation (the same ``translation_key``) gives the texts of
    the same questions, by block id, in its language.
    """

    title = models.CharField(_("title"), max_length=200)
    module = models.ForeignKey(
        "courses.ModulePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("module"),
        help_text=_("Optional: the module whose questions these are."),
    )
    questions = StreamField(QuestionsBlock(), blank=True, use_json_field=True, verbose_name=_("questions"))

    panels = [FieldPanel("title"), FieldPanel("module"), FieldPanel("questions")]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("question pool")
        verbose_name_plural = _("question pools")

    def __str__(self):
        return self.title

    def question_count(self) -> int:
        return len(self.questions.raw_data)

    question_count.short_description = _("questions")


class ExamAttempt(models.Model):
    """One attempt at one exam block: the questions drawn and their order, the answers as given, the result.

    ``questions`` is the draw, fixed when the attempt starts: ``[{"question": block id in its pool,
    "pool": the pool's translation key, "order": [option indexes in the order shown] (choice and
    matching questions)}]``. ``answers`` is ``{question id: {"value": ..., "answered_at": ISO time}}``,
    saved as each is given. ``results`` is ``{question id: {"correct": bool, "selected": [...]}}``,
    written on submission (the item statistics read it). At most one attempt per exam is open.
    """

    enrolment = models.ForeignKey("courses.Enrolment", on_delete=models.CASCADE, related_name="exam_attempts")
    lesson_key = models.UUIDField(_("lesson"))
    block_id = models.CharField(_("exam"), max_length=64)
    number = models.PositiveSmallIntegerField(_("attempt"))
    questions = models.JSONField(_("questions drawn"), default=list)
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    results = models.JSONField(_("results"), default=dict, blank=True)
    started_at = models.DateTimeField(_("started"))
    deadline_at = models.DateTimeField(_("time runs out"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    score = models.PositiveSmallIntegerField(_("score (%)"), null=True, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)

    class Meta:
        verbose_name = _("exam attempt")
        verbose_name_plural = _("exam attempts")
        constraints = [
            models.UniqueConstraint(
                fields=["enrolment", "lesson_key", "block_id", "number"], name="exam_attempt_number_once"
            ),
            models.UniqueConstraint(
                fields=["enrolment", "lesson_key", "block_id"],
                condition=models.Q(submitted_at__isnull=True),
                name="exam_attempt_one_open",
            ),
        ]
        indexes = [models.Index(fields=["lesson_key", "block_id"], name="exam_attempt_item_stats")]

    def __str__(self):
        return f"{self.enrolment_id}/{self.block_id}#{self.number}"
