"""Self-assessments and trainings that hold them, for tests and browser journeys.

``build_assessed_training(index)`` makes a live training whose first lesson asks the start phase
and whose last lesson asks the end phase of one self-assessment (three statements, scale 1-5),
both required: what a browser test needs to walk a learner from the first answer to their own
before/after.
"""

import uuid

from wagtail.models import Locale

from lms.courses.enums import CompletionRule
from lms.selfassessment.enums import Phase
from lms.selfassessment.models import Response, SelfAssessment
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, text

OUTCOMES = [
    ("Työkyvyn tuen prosessi", "Osaan selittää, miten työkyvyn tuen prosessi etenee."),
    ("Palveluohjaus", "Osaan ohjata asiakkaan oikeaan palveluun."),
    ("Verkostotyö", "Osaan toimia yhteistyössä työterveyshuollon ja Kelan kanssa."),
]


def statement(outcome: str, text_: str, block_id: str | None = None) -> dict:
    return {"type": "statement", "id": block_id or str(uuid.uuid4()), "value": {"outcome": outcome, "text": text_}}


def self_assessment_create(*, title="Osaamisen itsearviointi", statements=OUTCOMES, scale=(1, 5), **fields):
    """A default-language self-assessment with ``statements`` (``[(outcome, text)]``)."""
    return SelfAssessment.objects.create(
        locale=fields.pop("locale", None) or Locale.get_default(),
        title=title,
        intro=fields.pop("intro", "Arvioi omaa osaamistasi."),
        scale_min=scale[0],
        scale_max=scale[1],
        min_label=fields.pop("min_label", "en osaa vielä"),
        max_label=fields.pop("max_label", "osaan ohjata muita"),
        statements=[statement(outcome, text_) for outcome, text_ in statements],
        **fields,
    )


def statement_ids(assessment: SelfAssessment) -> list[str]:
    return [block.id for block in assessment.statements]


def self_assessment_block(assessment, phase=Phase.START, *, block_id=None, required=True, minutes=10) -> dict:
    """A self-assessment lesson block in raw form."""
    return {
        "type": "self_assessment",
        "id": block_id or str(uuid.uuid4()),
        "value": {"assessment": assessment.pk, "phase": phase, "estimated_minutes": minutes, "required": required},
    }


def build_assessed_training(index, *, assessment=None, lessons_between=1, required=True, **fields):
    """A live training: a start self-assessment lesson, ``lessons_between`` text lessons, an end one.

    Returns ``(training, assessment, start_lesson, end_lesson)``; the blocks' ids are ``start`` and ``end``.
    """
    assessment = assessment or self_assessment_create()
    training = TrainingPageFactory(parent=index, **fields)
    module = ModulePageFactory(parent=training)
    first = LessonPageFactory(
        parent=module,
        title="Aluksi: itsearviointi",
        completion_rule=CompletionRule.OPENED,
        body=[text(), self_assessment_block(assessment, Phase.START, block_id="start", required=required)],
    )
    for _n in range(lessons_between):
        LessonPageFactory(parent=module, body=[text()])
    last = LessonPageFactory(
        parent=module,
        title="Lopuksi: itsearviointi",
        completion_rule=CompletionRule.OPENED,
        body=[text(), self_assessment_block(assessment, Phase.END, block_id="end", required=required)],
    )
    return training, assessment, first, last


def answers_for(assessment, value: int | list[int]) -> dict[str, int]:
    """``{statement id: value}`` for every statement: one value for all, or one per statement."""
    ids = statement_ids(assessment)
    values = value if isinstance(value, list) else [value] * len(ids)
    return dict(zip(ids, values, strict=True))


def response_make(enrolment, assessment, phase, value, **fields) -> Response:
    """A stored response straight in the table (for aggregates; the service is tested on its own)."""
    return Response.objects.create(
        enrolment=enrolment,
        assessment_key=assessment.translation_key,
        phase=phase,
        answers=answers_for(assessment, value),
        **fields,
    )


def cohort_make(training, *, organisation=None, name="Syksy 2026", teachers=()):
    """A cohort of ``training`` in ``organisation`` (a new university when none is given)."""
    from lms.organisations.enums import OrganisationKind, StudyMode
    from lms.organisations.models import Cohort, Organisation

    organisation = organisation or Organisation.objects.create(
        name=f"Ammattikorkeakoulu {uuid.uuid4().hex[:6]}", kind=OrganisationKind.UAS
    )
    cohort = Cohort.objects.create(organisation=organisation, training=training, name=name, study_mode=StudyMode.DEGREE)
    cohort.teachers.set(teachers)
    return cohort


def learners_answering(cohort, assessment, count: int, *, start=2, end=4, **response_fields) -> list:
    """``count`` new learners of ``cohort``, enrolled, each with a start (unless None) and an end (unless None)."""
    from lms.courses import services as courses
    from lms.organisations.models import CohortLearner
    from tests.factories import UserFactory

    enrolments = []
    for _n in range(count):
        user = UserFactory()
        CohortLearner.objects.create(cohort=cohort, user=user)
        enrolment = courses.enrolment_create(user=user, training=cohort.training, notify=False)
        if start is not None:
            response_make(enrolment, assessment, Phase.START, start)
        if end is not None:
            response_make(enrolment, assessment, Phase.END, end, **response_fields)
        enrolments.append(enrolment)
    return enrolments
