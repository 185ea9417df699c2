"""Answering a self-assessment: once per phase, every statement on the scale, and the lesson completes."""

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Locale

from lms.courses import services as courses
from lms.courses.models import LessonProgress
from lms.selfassessment import selectors
from lms.selfassessment.enums import Phase
from lms.selfassessment.models import Response
from lms.selfassessment.services import SelfAssessmentError, response_submit
from tests.selfassessment.factories import (
    answers_for,
    build_assessed_training,
    self_assessment_create,
    statement,
    statement_ids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(index, learner):
    training, assessment, first, last = build_assessed_training(index)
    enrolment = courses.enrolment_create(user=learner, training=training, notify=False)
    return {"training": training, "assessment": assessment, "first": first, "last": last, "enrolment": enrolment}


def submit(world, block="start", answers=None, value=3):
    lesson = world["first"] if block == "start" else world["last"]
    return response_submit(
        enrolment=world["enrolment"],
        lesson_key=lesson.translation_key,
        block_id=block,
        answers=answers
        if answers is not None
        else {k: str(v) for k, v in answers_for(world["assessment"], value).items()},
    )


def test_a_learner_answers_the_start_and_the_lesson_completes(world):
    courses.lesson_open(enrolment=world["enrolment"], lesson=world["first"])
    progress = LessonProgress.objects.get(enrolment=world["enrolment"], lesson_key=world["first"].translation_key)
    assert progress.completed_at is None  # the required self-assessment waits

    response = submit(world, value=2)

    assert response.phase == Phase.START
    assert response.answers == answers_for(world["assessment"], 2)
    assert response.assessment_key == world["assessment"].translation_key
    progress.refresh_from_db()
    assert progress.completed_at is not None


def test_the_same_answers_sent_twice_change_nothing(world):
    first = submit(world, value=4)
    again = submit(world, value=4)
    assert again.pk == first.pk
    assert Response.objects.count() == 1


def test_learner_cannot_redo_the_start_after_seeing_the_material(world):
    submit(world, value=1)
    with pytest.raises(SelfAssessmentError) as refusal:
        submit(world, value=5)
    assert refusal.value.status == 409
    assert Response.objects.get().answers == answers_for(world["assessment"], 1)


def test_the_end_can_be_answered_without_the_start(world):
    response = submit(world, block="end", value=4)
    assert response.phase == Phase.END
    assert not Response.objects.filter(phase=Phase.START).exists()


def test_forged_statement_ids_are_refused(world):
    answers = dict.fromkeys(statement_ids(world["assessment"]), "3") | {"forged-statement": "5"}
    with pytest.raises(SelfAssessmentError):
        submit(world, answers=answers)
    assert not Response.objects.exists()


@pytest.mark.parametrize("forged", ["0", "6", "-1", "3.5", "kolme", "", "99999999999999999999", True, None, [3]])
def test_forged_values_are_refused(world, forged):
    answers = dict.fromkeys(statement_ids(world["assessment"]), "3")
    answers[statement_ids(world["assessment"])[0]] = forged
    with pytest.raises(SelfAssessmentError):
        submit(world, answers=answers)
    assert not Response.objects.exists()


def test_a_statement_left_unanswered_is_refused(world):
    answers = dict.fromkeys(statement_ids(world["assessment"])[1:], "3")
    with pytest.raises(SelfAssessmentError, match="every statement"):
        submit(world, answers=answers)


def test_a_block_that_is_not_a_self_assessment_of_the_lesson_is_not_found(world):
    with pytest.raises(SelfAssessmentError) as refusal:
        submit(world, block="no-such-block")
    assert refusal.value.status == 404


def test_the_gate_is_met_by_a_response_of_its_phase_in_one_query(world, django_assert_num_queries):
    blocks = {
        "start": {"assessment": world["assessment"].pk, "phase": Phase.START},
        "end": {"assessment": world["assessment"].pk, "phase": Phase.END},
    }
    submit(world, value=3)
    with django_assert_num_queries(1):
        met = selectors.gates_met(world["enrolment"], world["first"].translation_key, blocks)
    assert met == {"start"}


def test_a_translation_gives_texts_but_the_default_language_decides_the_statements(world):
    assessment = world["assessment"]
    swedish = assessment.copy_for_translation(Locale.objects.get(language_code="sv"))
    swedish.title = "Självvärdering"
    first_id = statement_ids(assessment)[0]
    swedish.statements = [statement("Processen", "Jag kan förklara processen.", first_id), statement("Extra", "Extra.")]
    swedish.save()

    found = selectors.assessment_of(swedish.pk)

    assert found.statement_ids == tuple(statement_ids(assessment))  # the Swedish extra is not a statement
    sv = found.version("sv")
    assert sv.title == "Självvärdering"
    assert (sv.statements[0].text, sv.statements[0].language) == ("Jag kan förklara processen.", "sv")
    assert sv.statements[1].language == "fi"  # not translated: the Finnish text, marked as Finnish


@pytest.mark.parametrize(
    ("scale", "statements", "field"),
    [((3, 3), [("a", "b")], "scale_max"), ((5, 1), [("a", "b")], "scale_max"), ((0, 11), [("a", "b")], "scale_max")],
)
def test_the_admin_refuses_a_scale_that_cannot_be_answered(homes, scale, statements, field):
    assessment = self_assessment_create(scale=scale, statements=statements)
    with pytest.raises(ValidationError) as refusal:
        assessment.full_clean()
    assert field in refusal.value.message_dict


def test_the_admin_refuses_a_self_assessment_without_statements(homes):
    assessment = self_assessment_create(statements=[])
    with pytest.raises(ValidationError) as refusal:
        assessment.full_clean()
    assert "statements" in refusal.value.message_dict


def test_a_scale_of_zero_to_ten_is_allowed(homes):
    self_assessment_create(scale=(0, 10)).full_clean()
