"""Answering a self-assessment: the one write, in one transaction.

A phase is answered once. The start is what the learner believed before the material; letting
them redo it after seeing the material would erase the very difference the end is compared with,
so a second, different answer is refused. The same answers posted twice (a double click, a
resent form) return the first response: the write is idempotent.

The learner's enrolment row is locked, as every progress write locks it, so two tabs cannot both
answer; the unique constraint backs that up. A required self-assessment then completes its lesson
through ``courses.services.lesson_progress_recheck``, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lms import learner_cache
from lms.courses import services as courses
from lms.courses.models import Enrolment
from lms.courses.structure import structure_for

from .enums import Phase
from .models import Response
from .selectors import Assessment, assessment_of


class SelfAssessmentError(Exception):
    """A refusal, with its message in the user's language and an HTTP status for views."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Block:
    """A self-assessment block as the training's structure knows it (the default language's rules)."""

    block_id: str
    lesson_key: object
    assessment: Assessment
    phase: str
    required: bool


def block_for(enrolment: Enrolment, lesson_key, block_id: str) -> Block:
    """The self-assessment block ``block_id`` of the lesson; a 404 refusal when there is none."""
    node = structure_for(enrolment.training).lesson(lesson_key)
    value = node.requirements.gates_of("self_assessment").get(block_id) if node is not None else None
    assessment = assessment_of(value.get("assessment")) if value is not None else None
    if assessment is None:
        raise SelfAssessmentError(_("This self-assessment is no longer in the lesson. Reload the page."), status=404)
    phase = value.get("phase") if value.get("phase") in Phase.values else Phase.START
    return Block(block_id, node.key, assessment, phase, value.get("required", True) is not False)


def answers_clean(assessment: Assessment, answers: Mapping) -> dict[str, int]:
    """``{statement id: value}`` for every statement, each an integer on the scale; nothing else."""
    unknown = set(answers) - set(assessment.statement_ids)
    if unknown:
        raise SelfAssessmentError(_("The answers name statements this self-assessment does not have. Reload the page."))
    clean = {}
    for sid in assessment.statement_ids:
        raw = answers.get(sid)
        if raw is None or raw == "":
            raise SelfAssessmentError(_("Answer every statement: choose a value for each."))
        try:
            value = int(raw) if isinstance(raw, str | int) and not isinstance(raw, bool) else None
        except ValueError:
            value = None
        if value is None or not assessment.scale_min <= value <= assessment.scale_max:
            raise SelfAssessmentError(
                _("Choose a value from %(low)s to %(high)s for each statement.")
                % {"low": assessment.scale_min, "high": assessment.scale_max}
            )
        clean[sid] = value
    return clean


def response_submit(*, enrolment: Enrolment, lesson_key, block_id: str, answers: Mapping) -> Response:
    """Record the learner's answers to the self-assessment ``block_id`` of the lesson, once per phase."""
    block = block_for(enrolment, lesson_key, block_id)
    clean = answers_clean(block.assessment, answers)
    with transaction.atomic():
        enrolment = courses.enrolment_lock(enrolment)
        existing = Response.objects.filter(
            enrolment=enrolment, assessment_key=block.assessment.key, phase=block.phase
        ).first()
        if existing is not None:
            if existing.answers == clean:
                return existing  # the same form sent again
            raise SelfAssessmentError(
                _("You have answered this self-assessment already; the answers cannot be changed."), status=409
            )
        response = Response.objects.create(
            enrolment=enrolment,
            assessment_key=block.assessment.key,
            phase=block.phase,
            answers=clean,
            submitted_at=timezone.now(),
        )
        courses.lesson_progress_recheck(enrolment=enrolment, lesson_key=block.lesson_key)
        learner_cache.touch(enrolment.user_id)
    return response
