"""Completion rules of lessons, modules and trainings."""

import pytest
from django.utils import timezone

from lms.courses import services
from lms.courses.enums import CompletionRule, EnrolmentStatus, LessonStatus, QuestionKind
from lms.courses.models import LessonPage, LessonProgress, ModuleCompletion
from lms.courses.signals import training_completed
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, question, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_events():
    events = []

    def listener(sender, enrolment, **kwargs):
        events.append(enrolment.pk)

    training_completed.connect(listener)
    yield events
    training_completed.disconnect(listener)


def lesson_with(index, rule, blocks, pass_percent=None):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    lesson = LessonPageFactory(parent=module, completion_rule=rule, pass_percent=pass_percent, body=blocks)
    return training, lesson


def test_opened_rule_completes_on_first_visit(index, learner):
    training, lesson = lesson_with(index, CompletionRule.OPENED, [text()])
    enrolment = services.enrolment_create(user=learner, training=training)

    progress = services.lesson_open(enrolment=enrolment, lesson=lesson)

    assert progress.status == LessonStatus.COMPLETED
    assert progress.completed_at is not None


def test_all_correct_needs_every_question_right(index, learner):
    q1, q2 = question("q1", correct=(1,)), question("q2", kind=QuestionKind.MULTIPLE, correct=(0, 2))
    training, lesson = lesson_with(index, CompletionRule.ALL_CORRECT, [q1, q2])
    enrolment = services.enrolment_create(user=learner, training=training)

    services.lesson_open(enrolment=enrolment, lesson=lesson)
    first = services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[1])
    partial = services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q2", selected=[0])

    assert first.correct
    assert not partial.correct
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is None

    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q2", selected=[2, 0])
    progress = LessonProgress.objects.get(enrolment=enrolment)
    assert progress.status == LessonStatus.COMPLETED
    assert progress.score == 100


def test_min_score_completes_at_the_pass_mark(index, learner):
    blocks = [question(f"q{n}", correct=(0,)) for n in range(4)]
    training, lesson = lesson_with(index, CompletionRule.MIN_SCORE, blocks, pass_percent=75)
    enrolment = services.enrolment_create(user=learner, training=training)

    for n in range(2):
        services.answer_submit(enrolment=enrolment, lesson=lesson, question_id=f"q{n}", selected=[0])
    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q2", selected=[1])
    progress = LessonProgress.objects.get(enrolment=enrolment)
    assert progress.score == 50
    assert progress.completed_at is None

    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q3", selected=[0])
    progress.refresh_from_db()
    assert progress.score == 75
    assert progress.completed_at is not None


def test_a_later_wrong_answer_keeps_completion_but_updates_score(index, learner):
    training, lesson = lesson_with(index, CompletionRule.ALL_CORRECT, [question("q1", correct=(0,))])
    enrolment = services.enrolment_create(user=learner, training=training)
    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[0])

    services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[2])

    progress = LessonProgress.objects.get(enrolment=enrolment)
    assert progress.completed_at is not None
    assert progress.score == 0


@pytest.mark.parametrize(
    ("selected", "message"),
    [([], "Choose an answer"), ([0, 1], "exactly one"), ([7], "not one of the options"), ([-1], "not one of")],
)
def test_bad_answers_are_refused_and_store_nothing(index, learner, selected, message):
    training, lesson = lesson_with(index, CompletionRule.ALL_CORRECT, [question("q1")])
    enrolment = services.enrolment_create(user=learner, training=training)

    with pytest.raises(services.AnswerError, match=message):
        services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=selected)

    assert not LessonProgress.objects.filter(enrolment=enrolment).exists()


def test_unknown_question_is_refused(index, learner):
    training, lesson = lesson_with(index, CompletionRule.ALL_CORRECT, [question("q1")])
    enrolment = services.enrolment_create(user=learner, training=training)

    with pytest.raises(services.AnswerError, match="no longer in the lesson"):
        services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="nope", selected=[0])


def test_module_and_training_complete_once_and_emit_one_event(
    index, learner, completed_events, django_capture_on_commit_callbacks
):
    training = TrainingPageFactory(parent=index)
    lessons = []
    for _m in range(2):
        module = ModulePageFactory(parent=training)
        lessons += [LessonPageFactory(parent=module, body=[text()]) for _ in range(2)]
    enrolment = services.enrolment_create(user=learner, training=training)

    with django_capture_on_commit_callbacks(execute=True):
        for lesson in lessons[:3]:
            services.lesson_open(enrolment=enrolment, lesson=lesson)
    assert ModuleCompletion.objects.filter(enrolment=enrolment).count() == 1
    assert completed_events == []

    with django_capture_on_commit_callbacks(execute=True):
        services.lesson_open(enrolment=enrolment, lesson=lessons[3])
        for lesson in lessons:  # visiting again changes nothing
            services.lesson_open(enrolment=enrolment, lesson=lesson)

    enrolment.refresh_from_db()
    assert enrolment.status == EnrolmentStatus.COMPLETED
    assert ModuleCompletion.objects.filter(enrolment=enrolment).count() == 2
    assert completed_events == [enrolment.pk]


def test_adding_a_lesson_keeps_completed_learners_completed(index, learner, other_learner):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    first = LessonPageFactory(parent=module, body=[text()])
    done = services.enrolment_create(user=learner, training=training)
    services.lesson_open(enrolment=done, lesson=first)
    started = services.enrolment_create(user=other_learner, training=training)

    added = LessonPageFactory(parent=module, body=[text()])

    done.refresh_from_db()
    assert done.completed_at is not None  # completion is a recorded fact, not recomputed
    services.lesson_open(enrolment=started, lesson=first)
    started.refresh_from_db()
    assert started.completed_at is None  # in-progress learners also do the new lesson
    services.lesson_open(enrolment=started, lesson=added)
    started.refresh_from_db()
    assert started.completed_at is not None


def test_unpublished_lessons_do_not_count(index, learner):
    training = TrainingPageFactory(parent=index)
    module = ModulePageFactory(parent=training)
    lesson = LessonPageFactory(parent=module, body=[text()])
    draft = LessonPageFactory(parent=module, body=[text()])
    LessonPage.objects.filter(pk=draft.pk).update(live=False)
    enrolment = services.enrolment_create(user=learner, training=training)

    services.lesson_open(enrolment=enrolment, lesson=lesson)

    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


def test_a_training_without_lessons_never_completes(index, learner):
    training = TrainingPageFactory(parent=index)
    ModulePageFactory(parent=training)
    enrolment = services.enrolment_create(user=learner, training=training)

    services._record_completions(enrolment, timezone.now())

    enrolment.refresh_from_db()
    assert enrolment.completed_at is None
