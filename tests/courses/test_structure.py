"""One read model of a training: built in a fixed number of queries, cached, renewed on every change."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.models import Locale

from lms.courses import services
from lms.courses.enums import CompletionRule, LessonStatus
from lms.courses.models import LessonPage, TrainingIndexPage
from lms.courses.structure import Progress, requirements_of, structure_for
from lms.h5p import services as h5p_services
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    build_training,
    question,
    reflection,
    text,
    translate_training,
    user_with_permissions,
)
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db


def queries(call) -> tuple[int, object]:
    with CaptureQueriesContext(connection) as captured:
        result = call()
    return len(captured), result


def test_built_in_a_fixed_number_of_queries_then_served_from_the_cache(index):
    small, large = build_training(index, modules=1, lessons=2), build_training(index, modules=6, lessons=12)
    structure_for(build_training(index))  # warm what Wagtail caches for any page (the site's root paths)
    first_small, _ = queries(lambda: structure_for(small))
    first_large, structure = queries(lambda: structure_for(large))
    assert first_small == first_large
    assert len(structure.lessons) == 72
    assert queries(lambda: structure_for(large))[0] == 0


def test_the_structure_knows_each_lessons_requirements(index):
    activity = h5p_services.activity_create(
        upload=make_package(), title="T", user=user_with_permissions(*H5P_INSTALLER)
    )
    activity.pass_mark = 70
    activity.save()
    training = build_training(index, modules=1, lessons=0)
    lesson = LessonPageFactory(
        parent=training.get_children().first(),
        completion_rule=CompletionRule.H5P_PASSED,
        body=[
            text(),
            question("q1", correct=(1,)),
            reflection("r1"),
            {"type": "h5p", "id": "b1", "value": {"activity": activity.pk, "title": "", "pass_mark": None}},
        ],
    )
    node = structure_for(training).lesson(lesson.translation_key)
    assert node.rule == CompletionRule.H5P_PASSED
    assert [option["correct"] for option in node.requirements.questions["q1"]["options"]] == [False, True, False]
    assert node.requirements.reflections == {"r1"}
    assert node.requirements.h5p == {activity.pk: 70}  # the activity's own pass mark where the block sets none
    activity.pass_mark = 90
    activity.save()
    assert structure_for(training).lesson(lesson.translation_key).requirements.h5p == {activity.pk: 90}


def test_every_change_to_the_tree_is_seen_at_once(index):
    training = build_training(index, modules=1, lessons=2)
    module = training.get_children().first()
    assert len(structure_for(training).lessons) == 2
    added = LessonPageFactory(parent=module)
    assert len(structure_for(training).lessons) == 3
    added.specific.unpublish()
    assert len(structure_for(training).lessons) == 2
    second = ModulePageFactory(parent=training)
    moved = LessonPage.objects.child_of(module).first()
    moved.move(second, pos="last-child")
    structure = structure_for(training)
    assert [len(m.lessons) for m in structure.modules] == [1, 1]
    assert structure.modules[1].lessons[0].key == moved.translation_key


def test_a_lesson_missing_in_a_language_counts_there_too(homes, locales, learner):
    """Swedish learners see (in Finnish) a lesson a trainer added only in Finnish, and the same percentage."""
    finnish_index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = build_training(finnish_index, modules=1, lessons=2)
    swedish = translate_training(
        training, locales["sv"], "Utbildning", training.get_descendants().specific(), lambda page: f"SV {page.title}"
    )
    only_finnish = LessonPageFactory(parent=training.get_children().first(), title="Vain suomeksi")
    structure = structure_for(swedish)
    assert structure.default_language == Locale.get_default().language_code
    titles = [structure.page(lesson, "sv").title for lesson in structure.lessons]
    assert titles[:2] == [f"SV {lesson.title}" for lesson in LessonPage.objects.child_of(only_finnish.get_parent())[:2]]
    assert titles[2] == "Vain suomeksi"
    enrolment = services.enrolment_create(user=learner, training=swedish)
    first = LessonPage.objects.filter(locale=locales["sv"]).order_by("path").first()
    services.lesson_open(enrolment=enrolment, lesson=first)
    finnish_progress = Progress(structure_for(training), {first.translation_key: LessonStatus.COMPLETED}).training
    swedish_progress = Progress(structure, {first.translation_key: LessonStatus.COMPLETED}).training
    assert finnish_progress.percent == swedish_progress.percent == 33


def test_requirements_are_read_from_raw_blocks_without_queries():
    body = [
        question("q"),
        reflection("r"),
        {"type": "h5p", "id": "h", "value": {"activity": 7, "title": "", "pass_mark": 55}},
        {"type": "h5p", "id": "empty", "value": {"activity": None}},
    ]
    count, requirements = queries(lambda: requirements_of(body))
    assert count == 0
    assert set(requirements.questions) == {"q"}
    assert requirements.reflections == {"r"}
    assert requirements.h5p == {7: 55}
