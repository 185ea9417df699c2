"""Admin forms for training pages: the rule that browser-reported results never earn credit alone.

A training with *credit needs server-checked answers* can only publish lessons that, when their
rule is met by H5P results, also hold a question block checked on the server (docs/decisions.md,
9). The forms refuse to publish (or send to moderation) what breaks that; drafts may still be
saved while an author is halfway. Completion enforces the same rule, so a page published some
other way still earns no credit from the browser alone.
"""

from decimal import Decimal

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminPageForm

from . import models  # a cycle (models name these forms); read only when a form is cleaned
from .enums import BROWSER_ASSERTED_RULES


def _figure(value) -> str:
    """A figure of hours or credits as the trainer's language writes it: 135 or 2,5 in Finnish."""
    return formats.number_format(Decimal(str(value)).normalize())


PUBLISHING_ACTIONS = ("action-publish", "action-submit", "action-workflow-action")


def publishing(data) -> bool:
    return any(data.get(action) for action in PUBLISHING_ACTIONS)


def has_question(body) -> bool:
    return any(block.block_type == "question" for block in body or [])


class LessonPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        if not publishing(self.data) or cleaned.get("completion_rule") not in BROWSER_ASSERTED_RULES:
            return cleaned
        module = self.parent_page or self.instance.get_parent()
        training = models.TrainingPage.objects.ancestor_of(module).first() if module else None
        needs_checked = training is not None and models.canonical(training).credit_requires_checked_answers
        if needs_checked and not has_question(cleaned.get("body")):
            self.add_error(
                "completion_rule",
                _(
                    "This training awards credit only for answers checked by Kyky: a lesson completed by its "
                    "H5P activities must also have a question block. Add one, or choose another rule."
                ),
            )
        return cleaned


class CreditsBackedByWorkload(WagtailAdminPageForm):
    """The credits a training or a part claims must be backed by its designed workload (issue 12).

    The workload is what the published lessons (their estimated minutes), external readings (their
    estimated minutes) and assignments (their estimated hours) ask, from the training's structure;
    ``KYKY_HOURS_PER_CREDIT`` hours back one credit (27 by default, as in TTL's own trainings).
    Publishing more credits is refused with the figures; a draft may be saved while the lessons are
    being written.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "ects_credits" in self.fields:
            workload = self._workload()
            self.fields["ects_credits"].help_text = _(
                "Designed workload now %(hours)s h (lessons %(lessons)s h, readings %(readings)s h, assignments "
                "%(assignments)s h): it supports at most %(credits)s credits at %(per)s hours per credit."
            ) % {
                "hours": _figure(workload.hours),
                "lessons": _figure(workload.lesson_hours),
                "readings": _figure(workload.reading_hours),
                "assignments": _figure(workload.assignment_hours),
                "credits": _figure(workload.credits_supported(settings.KYKY_HOURS_PER_CREDIT)),
                "per": settings.KYKY_HOURS_PER_CREDIT,
            }

    def _workload(self):
        from .structure import NO_WORKLOAD, workload_of  # a cycle: the structure reads the page models

        if not self.instance.pk or not self.instance.translation_key:
            return NO_WORKLOAD
        return workload_of(self.instance)

    def clean(self):
        cleaned = super().clean()
        credits = cleaned.get("ects_credits")
        if publishing(self.data) and credits:
            workload = self._workload()
            supported = workload.credits_supported(settings.KYKY_HOURS_PER_CREDIT)
            if credits > supported:
                self.add_error(
                    "ects_credits",
                    _(
                        "%(credits)s credits need at least %(needed)s hours of designed work; the published "
                        "lessons, readings and assignments add up to %(hours)s h, which supports "
                        "%(supported)s credits. Add lessons or assignments, or lower the credits."
                    )
                    % {
                        "credits": _figure(credits),
                        "needed": _figure(credits * settings.KYKY_HOURS_PER_CREDIT),
                        "hours": _figure(workload.hours),
                        "supported": _figure(supported),
                    },
                )
        return cleaned


class PartPageForm(CreditsBackedByWorkload):
    pass


class TrainingPageForm(CreditsBackedByWorkload):
    """Also: the rule on H5P-completed lessons, and a training holds modules or parts, not both."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The inline's new rows do not know their training until saved; their clean() needs it to
        # refuse the training itself or one of its own parts as a prerequisite.
        for form in self.formsets["prerequisites"].forms if "prerequisites" in self.formsets else ():
            form.instance.training = self.instance

    def clean(self):
        cleaned = super().clean()
        if publishing(self.data) and self.instance.pk:
            children = set(
                self.instance.get_children()
                .exclude(content_type__model="lessonpage")
                .values_list("content_type__model", flat=True)
            )
            if {"modulepage", "partpage"} <= children:
                self.add_error(
                    None,
                    _(
                        "This training has both parts and modules of its own. Move each module into a part "
                        "(or remove the parts) before publishing: a module outside the parts would count "
                        "toward no part's credits."
                    ),
                )
        if not (publishing(self.data) and cleaned.get("credit_requires_checked_answers") and self.instance.pk):
            return cleaned
        alone = [
            lesson.title
            for lesson in models.LessonPage.objects.live()
            .descendant_of(self.instance)
            .filter(completion_rule__in=BROWSER_ASSERTED_RULES)
            .only("title", "body")
            if not has_question(lesson.body)
        ]
        if alone:
            self.add_error(
                "credit_requires_checked_answers",
                _("These lessons are completed by H5P results alone; add a question block to each first: %(titles)s")
                % {"titles": ", ".join(alone)},
            )
        return cleaned
