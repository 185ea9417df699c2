"""Training parts: their own modules, completion and grade; the training completes when all parts do."""

import pytest

from lms.assignments import services as assignment_services
from lms.assignments.enums import Decision
from lms.courses import services
from lms.courses.enums import PASS
from lms.courses.models import Enrolment, LessonPage, PartCompletion
from lms.courses.structure import structure_for
from lms.organisations.enums import OrganisationKind
from lms.organisations.models import Cohort, CohortLearner, Organisation
from tests.factories import UserFactory, assignment, build_parted_training, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def parted(index):
    return build_parted_training(index, parts=2, modules=1, lessons=2)


def open_lessons(enrolment, lessons):
    for lesson in lessons:
        services.lesson_open(enrolment=enrolment, lesson=lesson)


def test_structure_groups_modules_into_parts_with_their_workload_and_credits(parted):
    structure = structure_for(parted)
    assert len(structure.parts) == 2
    assert [m.key for p in structure.parts for m in p.modules] == [m.key for m in structure.modules]
    first = structure.parts[0]
    assert first.credits == 5
    assert first.stated_credits == 5
    assert first.workload.hours >= 5 * 27
    assert structure.stated_credits == 10


def test_a_part_completes_with_its_lessons_and_the_training_only_with_every_part(
    parted, django_capture_on_commit_callbacks
):
    learner = UserFactory()
    enrolment = services.enrolment_create(user=learner, training=parted)
    structure = structure_for(parted)
    pages = {p.translation_key: p for p in LessonPage.objects.live().descendant_of(parted)}
    first, second = structure.parts
    with django_capture_on_commit_callbacks(execute=True):
        open_lessons(enrolment, [pages[lesson.key] for lesson in first.lessons])
    done = PartCompletion.objects.get(enrolment=enrolment)
    assert done.part_key == first.key
    assert done.grade == PASS
    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        open_lessons(enrolment, [pages[lesson.key] for lesson in second.lessons])
    assert PartCompletion.objects.filter(enrolment=enrolment).count() == 2
    assert Enrolment.objects.get(pk=enrolment.pk).completed_at is not None


def test_a_part_on_the_0_5_scale_takes_the_rounded_mean_of_its_approved_grades(index):
    blocks = [assignment("a1", grading="scale_0_5", criteria=0), assignment("a2", grading="scale_0_5", criteria=0)]
    training = build_parted_training(index, parts=1, modules=1, lessons=1, grading="scale_0_5", body=[text(), *blocks])
    lesson_key = structure_for(training).parts[0].lessons[0].key
    learner, teacher = UserFactory(), UserFactory()
    cohort = Cohort.objects.create(
        organisation=Organisation.objects.create(name="AMK", kind=OrganisationKind.UAS), training=training, name="S"
    )
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    enrolment = services.enrolment_create(user=learner, training=training)
    for block_id, grade in (("a1", 4), ("a2", 3)):
        assignment_services.draft_save(enrolment=enrolment, lesson_key=lesson_key, block_id=block_id, text="Työ.")
        submission = assignment_services.submission_submit(
            enrolment=enrolment, lesson_key=lesson_key, block_id=block_id
        )
        assignment_services.review_decide(
            reviewer=teacher,
            submission_id=submission.pk,
            decision=Decision.APPROVE,
            feedback="",
            scores={},
            grade=grade,
        )
    assert PartCompletion.objects.get(enrolment=enrolment).grade == "4"  # 3.5 rounds half up


def test_a_part_on_the_0_5_scale_without_graded_work_passes(index):
    training = build_parted_training(index, parts=1, grading="scale_0_5")
    enrolment = services.enrolment_create(user=UserFactory(), training=training)
    open_lessons(enrolment, LessonPage.objects.live().descendant_of(training))
    assert PartCompletion.objects.get(enrolment=enrolment).grade == PASS
