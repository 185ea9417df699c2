"""Competence self-assessments and learners' answers."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.models import TranslatableMixin


class SelfAssessment(TranslatableMixin, models.Model):
    """Statements about a training's learning outcomes, each answered on a scale; translated by locale."""

    title = models.CharField(_("title"), max_length=200)

    class Meta(TranslatableMixin.Meta):
        verbose_name = _("self-assessment")
        verbose_name_plural = _("self-assessments")

    def __str__(self):
        return self.title
