"""Pages cost the same number of queries whatever the size of the course or the cohort."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lms.courses import services
from lms.courses.enums import CompletionRule
from tests.factories import (
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    UserFactory,
    build_training,
    question,
    text,
)

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    client.get(url)  # warm per-process caches (site root paths, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def course_with(index, lessons: int):
    """A training of ``lessons`` lessons in 5 modules, every lesson with questions and progress."""
    training = TrainingPageFactory(parent=index)
    per_module = max(1, lessons // 5)
    pages = []
    for _m in range(lessons // per_module):
        module = ModulePageFactory(parent=training)
        pages += [
            LessonPageFactory(
                parent=module,
                completion_rule=CompletionRule.ALL_CORRECT,
                body=[text(), question("q1"), question("q2")],
            )
            for _ in range(per_module)
        ]
    return training, pages


def visit_some(learner, training, lessons):
    enrolment = services.enrolment_create(user=learner, training=training)
    for lesson in lessons[:3]:
        services.answer_submit(enrolment=enrolment, lesson=lesson, question_id="q1", selected=[0])
    services.lesson_open(enrolment=enrolment, lesson=lessons[1])
    return enrolment


def test_lesson_page_queries_do_not_grow_with_lessons(client, index, user_factory):
    small, small_lessons = course_with(index, 5)
    large, large_lessons = course_with(index, 100)
    learner = user_factory()
    visit_some(learner, small, small_lessons)
    visit_some(learner, large, large_lessons)
    client.force_login(learner)

    assert count_queries(client, small_lessons[1].url) == count_queries(client, large_lessons[1].url)


def test_lesson_page_queries_do_not_grow_with_enrolments(client, index):
    training, lessons = course_with(index, 5)
    learner = UserFactory()
    visit_some(learner, training, lessons)
    client.force_login(learner)
    alone = count_queries(client, lessons[1].url)

    for _ in range(199):
        visit_some(UserFactory(), training, lessons)

    assert count_queries(client, lessons[1].url) == alone


def test_dashboard_queries_do_not_grow_with_lessons_or_enrolments(client, index):
    training, lessons = course_with(index, 5)
    learner = UserFactory()
    visit_some(learner, training, lessons)
    client.force_login(learner)
    one = count_queries(client, "/fi/learn/")

    large, large_lessons = course_with(index, 100)
    visit_some(learner, large, large_lessons)
    for _ in range(8):
        extra = build_training(index, modules=2, lessons=3)
        services.enrolment_create(user=learner, training=extra)
    for _ in range(200):
        visit_some(UserFactory(), training, lessons)

    assert count_queries(client, "/fi/learn/") == one


def test_training_page_queries_do_not_grow_with_lessons(client, index, user_factory):
    small, small_lessons = course_with(index, 5)
    large, large_lessons = course_with(index, 100)
    learner = user_factory()
    visit_some(learner, small, small_lessons)
    visit_some(learner, large, large_lessons)
    client.force_login(learner)

    assert count_queries(client, small.url) == count_queries(client, large.url)
