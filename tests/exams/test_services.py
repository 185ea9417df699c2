"""Exam attempts: drawing, answering, submitting, scoring; each refusal named for what it stops."""

import datetime

import pytest
from django.utils import timezone, translation

from lms.courses import services as courses
from lms.courses.enums import LessonStatus
from lms.courses.models import LessonProgress
from lms.exams import services
from lms.exams.models import ExamAttempt
from lms.exams.services import ExamError
from tests.exams.factories import build_exam_training, matching, multiple, numeric, question_pool, single

pytestmark = pytest.mark.django_db


def enrol(user, training):
    return courses.enrolment_create(user=user, training=training, notify=False)


@pytest.fixture
def setup(index, learner):
    training, lesson, block, _pools = build_exam_training(index, questions_per_attempt=3)
    return enrol(learner, training), lesson, block


def start(enrolment, lesson, block):
    return services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id=block["id"])


def answer_all(attempt, *, right=True):
    for entry in attempt.questions:
        services.attempt_answer(attempt=attempt, question_id=entry["question"], value=[0 if right else 1])


def ago(**delta):
    return timezone.now() - datetime.timedelta(**delta)


def lesson_status(enrolment, lesson):
    record = LessonProgress.objects.filter(enrolment=enrolment, lesson_key=lesson.translation_key).first()
    return record.status if record else None


# --- the way through ----------------------------------------------------------------------------


def test_a_learner_starts_answers_and_passes_and_the_lesson_completes(setup):
    enrolment, lesson, block = setup
    courses.lesson_open(enrolment=enrolment, lesson=lesson)
    assert lesson_status(enrolment, lesson) != LessonStatus.COMPLETED  # the exam gate waits
    attempt = start(enrolment, lesson, block)
    assert attempt.number == 1
    assert len(attempt.questions) == 3
    assert all(sorted(entry["order"]) == [0, 1, 2] for entry in attempt.questions)
    answer_all(attempt)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.score == 100
    assert attempt.passed is True
    assert set(attempt.results) == {entry["question"] for entry in attempt.questions}
    assert all(result == {"correct": True, "selected": [0]} for result in attempt.results.values())
    assert lesson_status(enrolment, lesson) == LessonStatus.COMPLETED


def test_a_failed_attempt_leaves_the_lesson_waiting(setup):
    enrolment, lesson, block = setup
    courses.lesson_open(enrolment=enrolment, lesson=lesson)
    attempt = start(enrolment, lesson, block)
    answer_all(attempt, right=False)
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.score == 0
    assert attempt.passed is False
    assert lesson_status(enrolment, lesson) != LessonStatus.COMPLETED


def test_the_score_is_the_floor_of_the_percentage(setup):
    enrolment, lesson, block = setup
    attempt = start(enrolment, lesson, block)
    first, *_rest = [entry["question"] for entry in attempt.questions]
    services.attempt_answer(attempt=attempt, question_id=first, value=[0])  # one of three right: 33.3 %
    attempt = services.attempt_submit(attempt=attempt)
    assert attempt.score == 33
    assert attempt.passed is False


def test_a_lesson_whose_exam_is_not_required_completes_without_it(index, learner):
    training, lesson, _block, _pools = build_exam_training(index, required=False)
    enrolment = enrol(learner, training)
    courses.lesson_open(enrolment=enrolment, lesson=lesson)
    assert lesson_status(enrolment, lesson) == LessonStatus.COMPLETED


def test_passing_the_last_lesson_completes_the_training(index, learner):
    training, lesson, block, _pools = build_exam_training(index, lessons_after=0)
    enrolment = enrol(learner, training)
    attempt = start(enrolment, lesson, block)
    answer_all(attempt)
    services.attempt_submit(attempt=attempt)
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None


# --- resuming -----------------------------------------------------------------------------------


def test_a_second_start_resumes_the_open_attempt(setup):
    enrolment, lesson, block = setup
    first = start(enrolment, lesson, block)
    again = start(enrolment, lesson, block)
    assert again.pk == first.pk
    assert again.questions == first.questions
    assert ExamAttempt.objects.count() == 1


def test_the_attempt_survives_a_reload_mid_exam(setup):
    """Saved answers are there when the learner comes back; the questions, their order and the deadline stay."""
    enrolment, lesson, block = setup
    attempt = start(enrolment, lesson, block)
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline_at=timezone.now() + datetime.timedelta(minutes=20))
    first = attempt.questions[0]["question"]
    services.attempt_answer(attempt=attempt, question_id=first, value=[2])
    resumed = start(enrolment, lesson, block)
    assert resumed.pk == attempt.pk
    assert resumed.questions == attempt.questions
    assert resumed.answers[first]["value"] == [2]
    assert resumed.deadline_at == ExamAttempt.objects.get(pk=attempt.pk).deadline_at


# --- drawing ------------------------------------------------------------------------------------


def test_a_retake_draws_questions_not_seen_before_when_the_pool_allows(index, learner):
    training, lesson, block, _pools = build_exam_training(
        index, questions=[single() for _ in range(6)], questions_per_attempt=3
    )
    enrolment = enrol(learner, training)
    first = start(enrolment, lesson, block)
    services.attempt_submit(attempt=first)
    second = start(enrolment, lesson, block)
    seen = {entry["question"] for entry in first.questions}
    assert not seen & {entry["question"] for entry in second.questions}


def test_a_retake_repeats_only_as_many_questions_as_it_must(index, learner):
    training, lesson, block, _pools = build_exam_training(
        index, questions=[single() for _ in range(4)], questions_per_attempt=3
    )
    enrolment = enrol(learner, training)
    first = start(enrolment, lesson, block)
    services.attempt_submit(attempt=first)
    second = start(enrolment, lesson, block)
    seen = {entry["question"] for entry in first.questions}
    assert len(seen & {entry["question"] for entry in second.questions}) == 2  # the one unseen, then two again


def test_a_pool_holding_fewer_questions_draws_them_all(index, learner):
    training, lesson, block, _pools = build_exam_training(
        index, questions=[single(), single()], questions_per_attempt=5
    )
    attempt = start(enrol(learner, training), lesson, block)
    assert len(attempt.questions) == 2


def test_per_outcome_drawing_takes_that_many_of_each_outcome(index, learner):
    questions = [single(outcome="LO1") for _ in range(4)] + [single(outcome="LO2") for _ in range(4)]
    training, lesson, block, pools = build_exam_training(
        index, questions=questions, questions_per_attempt=2, per_outcome=True
    )
    attempt = start(enrol(learner, training), lesson, block)
    outcomes = {q["id"]: q["value"]["outcome"] for q in questions}
    drawn = [outcomes[entry["question"]] for entry in attempt.questions]
    assert sorted(drawn) == ["LO1", "LO1", "LO2", "LO2"]
    assert all(entry["pool"] == str(pools[0].translation_key) for entry in attempt.questions)


def test_questions_are_drawn_from_every_chosen_pool(index, learner):
    pools = [question_pool(single(), title="A"), question_pool(single(), title="B")]
    training, lesson, block, _pools = build_exam_training(index, pools=pools, questions_per_attempt=2)
    attempt = start(enrol(learner, training), lesson, block)
    assert {entry["pool"] for entry in attempt.questions} == {str(p.translation_key) for p in pools}


def test_matching_shuffles_its_matches_and_numeric_questions_have_no_order(index, learner):
    training, lesson, block, _pools = build_exam_training(
        index, questions=[matching(pairs=5), numeric()], questions_per_attempt=2
    )
    attempt = start(enrol(learner, training), lesson, block)
    kinds = {len(entry.get("order", [])) for entry in attempt.questions}
    assert kinds == {0, 5}
    assert all("order" not in entry for entry in attempt.questions if not entry.get("order"))


# --- scoring of each kind -----------------------------------------------------------------------


@pytest.fixture
def kinds(index, learner):
    questions = [multiple("m", correct=(0, 2)), numeric("n", answer="2.5", tolerance="0.1"), matching("x", pairs=3)]
    training, lesson, block, _pools = build_exam_training(index, questions=questions, questions_per_attempt=3)
    enrolment = enrol(learner, training)
    return start(enrolment, lesson, block)


def test_a_numeric_answer_written_with_a_comma_is_right(kinds):
    services.attempt_answer(attempt=kinds, question_id="n", value="2,55")
    attempt = services.attempt_submit(attempt=kinds)
    assert attempt.results["n"] == {"correct": True, "selected": "2.55"}
    assert attempt.answers["n"]["value"] == "2,55"  # kept as written


def test_a_numeric_answer_outside_the_tolerance_is_wrong(kinds):
    services.attempt_answer(attempt=kinds, question_id="n", value="2.7")
    assert services.attempt_submit(attempt=kinds).results["n"]["correct"] is False


def test_a_numeric_answer_that_is_no_number_is_refused(kinds):
    for nonsense in ("kaksi", "2,5,5", "NaN", "Infinity", "1e999999999"):
        with pytest.raises(ExamError):
            services.attempt_answer(attempt=kinds, question_id="n", value=nonsense)
    assert "n" not in ExamAttempt.objects.get(pk=kinds.pk).answers


def test_a_multiple_choice_answer_is_right_only_with_exactly_the_correct_options(kinds):
    services.attempt_answer(attempt=kinds, question_id="m", value=[0])
    assert services.attempt_submit(attempt=kinds).results["m"] == {"correct": False, "selected": [0]}


def test_a_multiple_choice_answer_with_all_the_correct_options_is_right(kinds):
    services.attempt_answer(attempt=kinds, question_id="m", value=[2, 0])
    assert services.attempt_submit(attempt=kinds).results["m"] == {"correct": True, "selected": [0, 2]}


def test_matching_is_right_when_every_pair_is(kinds):
    services.attempt_answer(attempt=kinds, question_id="x", value=[0, 1, 2])
    assert services.attempt_submit(attempt=kinds).results["x"] == {"correct": True, "selected": [0, 1, 2]}


def test_matching_with_one_pair_wrong_is_wrong(kinds):
    services.attempt_answer(attempt=kinds, question_id="x", value=[1, 0, 2])
    assert services.attempt_submit(attempt=kinds).results["x"]["correct"] is False


def test_an_unanswered_question_counts_as_wrong(kinds):
    attempt = services.attempt_submit(attempt=kinds)
    assert attempt.results["m"] == {"correct": False, "selected": None}
    assert attempt.score == 0


def test_an_empty_answer_takes_the_answer_back(kinds):
    services.attempt_answer(attempt=kinds, question_id="n", value="3")
    services.attempt_answer(attempt=kinds, question_id="n", value="")
    assert "n" not in ExamAttempt.objects.get(pk=kinds.pk).answers


# --- refusals -----------------------------------------------------------------------------------


def test_learner_cannot_submit_twice_and_the_result_stays(setup):
    enrolment, lesson, block = setup
    attempt = start(enrolment, lesson, block)
    answer_all(attempt)
    services.attempt_submit(attempt=attempt)
    with pytest.raises(ExamError) as refused:
        services.attempt_submit(attempt=attempt)
    assert refused.value.status == 409
    stored = ExamAttempt.objects.get(pk=attempt.pk)
    assert stored.score == 100


def test_learner_cannot_change_answers_after_submitting(setup):
    enrolment, lesson, block = setup
    attempt = start(enrolment, lesson, block)
    services.attempt_submit(attempt=attempt)
    with pytest.raises(ExamError):
        services.attempt_answer(attempt=attempt, question_id=attempt.questions[0]["question"], value=[0])
    assert ExamAttempt.objects.get(pk=attempt.pk).answers == {}


def test_learner_cannot_answer_after_the_time_limit(index, learner):
    training, lesson, block, _pools = build_exam_training(index, time_limit_minutes=10)
    enrolment = enrol(learner, training)
    attempt = start(enrolment, lesson, block)
    assert attempt.deadline_at is not None
    first, second = attempt.questions[0]["question"], attempt.questions[1]["question"]
    services.attempt_answer(attempt=attempt, question_id=first, value=[0])
    ExamAttempt.objects.filter(pk=attempt.pk).update(started_at=ago(minutes=11), deadline_at=ago(minutes=1))
    with pytest.raises(ExamError) as refused:
        services.attempt_answer(attempt=attempt, question_id=second, value=[0])
    assert refused.value.status == 409
    stored = ExamAttempt.objects.get(pk=attempt.pk)
    assert second not in stored.answers
    assert stored.submitted_at == stored.deadline_at  # scored with what was saved
    assert stored.results[first]["correct"] is True
    assert stored.score == 33


def test_an_answer_within_the_grace_after_the_deadline_is_kept(index, learner):
    training, lesson, block, _pools = build_exam_training(index, time_limit_minutes=10)
    attempt = start(enrol(learner, training), lesson, block)
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline_at=ago(seconds=2))
    services.attempt_answer(attempt=attempt, question_id=attempt.questions[0]["question"], value=[0])
    assert ExamAttempt.objects.get(pk=attempt.pk).submitted_at is None


def test_an_overdue_attempt_is_scored_when_the_learner_starts_again(index, learner):
    training, lesson, block, _pools = build_exam_training(index, time_limit_minutes=10)
    enrolment = enrol(learner, training)
    attempt = start(enrolment, lesson, block)
    ExamAttempt.objects.filter(pk=attempt.pk).update(deadline_at=ago(minutes=1))
    second = start(enrolment, lesson, block)
    assert second.number == 2
    assert ExamAttempt.objects.get(pk=attempt.pk).submitted_at is not None


def test_the_periodic_task_scores_overdue_attempts_and_leaves_the_others(index, learner, other_learner):
    training, lesson, block, _pools = build_exam_training(index, time_limit_minutes=10)
    late = start(enrol(learner, training), lesson, block)
    on_time = start(enrol(other_learner, training), lesson, block)
    ExamAttempt.objects.filter(pk=late.pk).update(deadline_at=ago(minutes=1))
    assert services.attempts_finalise_overdue() == 1
    assert ExamAttempt.objects.get(pk=late.pk).score == 0
    assert ExamAttempt.objects.get(pk=on_time.pk).submitted_at is None
    assert services.attempts_finalise_overdue() == 0


def test_learner_cannot_start_an_attempt_beyond_the_limit(index, learner):
    training, lesson, block, _pools = build_exam_training(index, max_attempts=2)
    enrolment = enrol(learner, training)
    for _n in range(2):
        services.attempt_submit(attempt=start(enrolment, lesson, block))
    with pytest.raises(ExamError) as refused:
        start(enrolment, lesson, block)
    assert refused.value.status == 403
    assert ExamAttempt.objects.filter(enrolment=enrolment).count() == 2


def test_learner_cannot_start_before_the_wait_has_passed(index, learner):
    training, lesson, block, _pools = build_exam_training(index, wait_minutes=60)
    enrolment = enrol(learner, training)
    first = services.attempt_submit(attempt=start(enrolment, lesson, block))
    with translation.override("fi"), pytest.raises(ExamError) as refused:
        start(enrolment, lesson, block)
    again = timezone.localtime(first.submitted_at + datetime.timedelta(minutes=60))
    assert f"{again:%H}".lstrip("0") in refused.value.message  # the time they may try again, as Finns write it
    ExamAttempt.objects.filter(pk=first.pk).update(submitted_at=ago(minutes=61))
    assert start(enrolment, lesson, block).number == 2


def test_learner_cannot_start_after_the_exam_has_closed(index, learner):
    yesterday = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    training, lesson, block, _pools = build_exam_training(index, closes_on=yesterday)
    with pytest.raises(ExamError) as refused:
        start(enrol(learner, training), lesson, block)
    assert refused.value.status == 403
    assert not ExamAttempt.objects.exists()


def test_the_exam_is_open_until_the_end_of_its_closing_day(index, learner):
    today = timezone.localdate().isoformat()
    training, lesson, block, _pools = build_exam_training(index, closes_on=today)
    assert start(enrol(learner, training), lesson, block).number == 1


def test_learner_cannot_answer_a_question_not_drawn_for_this_attempt(index, learner):
    questions = [single() for _ in range(5)]
    training, lesson, block, _pools = build_exam_training(index, questions=questions, questions_per_attempt=2)
    attempt = start(enrol(learner, training), lesson, block)
    drawn = {entry["question"] for entry in attempt.questions}
    other = next(q["id"] for q in questions if q["id"] not in drawn)
    with pytest.raises(ExamError):
        services.attempt_answer(attempt=attempt, question_id=other, value=[0])
    with pytest.raises(ExamError):
        services.attempt_answer(attempt=attempt, question_id="no-such-question", value=[0])
    assert ExamAttempt.objects.get(pk=attempt.pk).answers == {}


def test_learner_cannot_choose_an_option_index_out_of_range(setup):
    enrolment, lesson, block = setup
    attempt = start(enrolment, lesson, block)
    question = attempt.questions[0]["question"]
    for tampered in ([3], [-1], ["x"], [0, 1], [None]):
        with pytest.raises(ExamError):
            services.attempt_answer(attempt=attempt, question_id=question, value=tampered)
    assert ExamAttempt.objects.get(pk=attempt.pk).answers == {}


def test_learner_cannot_match_to_a_match_out_of_range(kinds):
    for tampered in ([0, 1, 3], [0, 1], [0, 1, 2, 0], ["a", 1, 2]):
        with pytest.raises(ExamError):
            services.attempt_answer(attempt=kinds, question_id="x", value=tampered)
    assert "x" not in ExamAttempt.objects.get(pk=kinds.pk).answers


def test_a_refused_answer_among_several_saves_none(kinds):
    with pytest.raises(ExamError):
        services.attempt_answers(attempt=kinds, answers={"n": "2.5", "m": [9]})
    assert ExamAttempt.objects.get(pk=kinds.pk).answers == {}


def test_an_exam_removed_from_the_lesson_cannot_be_started(setup):
    enrolment, lesson, _block = setup
    with pytest.raises(ExamError) as refused:
        services.attempt_start(enrolment=enrolment, lesson_key=lesson.translation_key, block_id="no-such-exam")
    assert refused.value.status == 404
