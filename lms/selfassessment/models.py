"""Competence self-assessments and learners' answers.

A ``SelfAssessment`` is a snippet translated by locale: the default-language one says which
statements exist and the scale they are answered on; a translation gives the texts. Statements
are addressed by their StreamField block ids, which a translated copy keeps, so an answer given in
Swedish and one given in Finnish are answers to the same statement.

A ``Response`` is one learner's answers to one self-assessment in one phase (start or end), keyed
like the rest of their progress by the assessment's translation key, never by a locale's row.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, FieldRowPanel
from wagtail.fields import StreamField
from wagtail.models import TranslatableMixin

from .enums import Phase

MAX_SPAN = 10  # scale_max - scale_min: 0-10 at the widest


class StatementBlock(blocks.StructBlock):
    outcome = blocks.CharBlock(
        label=_("Learning outcome"), max_length=200, help_text=_("A short name, e.g. 'Work ability support process'.")
    )
    text = blocks.CharBlock(label=_("Statement"), max_length=500, help_text=_("E.g. 'I can explain ...'."))

    class Meta:
        icon = "pick"
        label = _("Statement")


class SelfAssessment(TranslatableMixin, models.Model):
    """Statements about a training's learning outcomes, each answered on a scale; translated by locale."""

    title = models.CharField(_("title"), max_length=200)
    intro = models.TextField(_("introduction"), blank=True, help_text=_("Shown above the statements."))
    scale_min = models.SmallIntegerField(_("lowest value"), default=1)
    scale_max = models.SmallIntegerField(_("highest value"), default=5)
    min_label = models.CharField(
        _("meaning of the lowest value"), max_length=100, blank=True, help_text=_("E.g. 'I can't yet'.")
    )
    max_label = models.CharField(
        _("meaning of the highest value"), max_length=100, blank=True, help_text=_("E.g. 'I can guide others'.")
    )
    statements = StreamField(
        [("statement", StatementBlock())],
        min_num=1,
        default=list,
        use_json_field=True,
        verbose_name=_("statements"),
        help_text=_(
            "The Finnish version decides which statements there are and the scale; translations give their texts."
        ),
    )

    panels = [
        FieldPanel("title"),
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("scale_min"), FieldPanel("scale_max")]),
        FieldRowPanel([FieldPanel("min_label"), FieldPanel("max_label")]),
        FieldPanel("statements"),
    ]

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.scale_min is None or self.scale_max is None:
            return
        if self.scale_min >= self.scale_max:
            raise ValidationError({"scale_max": _("The highest value must be greater than the lowest.")})
        if self.scale_max - self.scale_min > MAX_SPAN:
            raise ValidationError(
                {"scale_max": _("The scale may span at most %(span)s steps, e.g. 0–10.") % {"span": MAX_SPAN}}
            )
        if not any(block.block_type == "statement" for block in self.statements or []):
            raise ValidationError({"statements": _("Add at least one statement.")})


class Response(models.Model):
    """A learner's answers to a self-assessment in one phase; given once, never overwritten."""

    enrolment = models.ForeignKey(
        "courses.Enrolment", on_delete=models.CASCADE, related_name="self_assessment_responses"
    )
    assessment_key = models.UUIDField(help_text=_("The self-assessment's translation key."))
    phase = models.CharField(max_length=10, choices=Phase.choices)
    answers = models.JSONField(default=dict, help_text=_("The value chosen for each statement, by statement id."))
    submitted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("self-assessment answer")
        verbose_name_plural = _("self-assessment answers")
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "assessment_key", "phase"], name="response_unique_phase")
        ]
        indexes = [models.Index(fields=["assessment_key", "phase"], name="response_assessment")]

    def __str__(self):
        return f"{self.enrolment_id}/{self.assessment_key}: {self.phase}"
