"""Credit needs server-checked answers: the admin refuses to publish what the browser alone would complete."""

import pytest
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lms.courses.enums import CompletionRule
from lms.courses.models import LessonPage
from lms.h5p import services
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    UserFactory,
    user_with_permissions,
)
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def h5p_activity(db):
    return services.activity_create(upload=make_package(), title="Tehtävä", user=user_with_permissions(*H5P_INSTALLER))


def lesson_data(activity, *, rule, with_question: bool, action="action-publish"):
    body = [("h5p", {"activity": activity.pk, "title": "", "pass_mark": ""})]
    if with_question:
        body.append(
            (
                "question",
                {
                    "kind": "single",
                    "prompt": rich_text("<p>Kumpi?</p>"),
                    "options": streamfield(
                        [
                            ("item", {"text": "Oikea", "correct": "on", "feedback": ""}),
                            ("item", {"text": "Väärä", "feedback": ""}),
                        ]
                    ),
                },
            )
        )
    return nested_form_data(
        {
            "title": "Oppitunti",
            "slug": "oppitunti",
            "estimated_minutes": 15,
            "body": streamfield(body),
            "completion_rule": rule,
            "pass_percent": "",
            action: "1",
        }
    )


@pytest.mark.parametrize("credit", [True, False])
def test_publishing_a_lesson_completed_by_h5p_alone_is_refused_only_in_a_credit_training(
    client, index, editor, h5p_activity, credit
):
    training = TrainingPageFactory(parent=index, credit_requires_checked_answers=credit)
    module = ModulePageFactory(parent=training)
    url = f"/admin/pages/add/courses/lessonpage/{module.pk}/"
    response = client.post(url, lesson_data(h5p_activity, rule=CompletionRule.H5P_COMPLETED, with_question=False))
    if credit:
        assert response.status_code == 200
        assert "on oltava myös kysymyslohko" in response.content.decode()  # in the trainer's language
        assert not LessonPage.objects.exists()
    else:
        assert response.status_code == 302
        assert LessonPage.objects.live().count() == 1


def test_a_credit_lesson_with_a_question_publishes_and_a_draft_without_one_saves(client, index, editor, h5p_activity):
    training = TrainingPageFactory(parent=index, credit_requires_checked_answers=True)
    module = ModulePageFactory(parent=training)
    url = f"/admin/pages/add/courses/lessonpage/{module.pk}/"
    ok = client.post(url, lesson_data(h5p_activity, rule=CompletionRule.H5P_PASSED, with_question=True))
    assert ok.status_code == 302
    assert LessonPage.objects.live().count() == 1
    draft = lesson_data(h5p_activity, rule=CompletionRule.H5P_COMPLETED, with_question=False, action="action-draft")
    draft["slug"] = "luonnos"
    assert client.post(url, draft).status_code == 302  # halfway work may be saved, not published
    assert LessonPage.objects.filter(live=False).count() == 1


def test_turning_credit_on_is_refused_while_a_live_lesson_completes_by_h5p_alone(client, index, editor, h5p_activity):
    training = TrainingPageFactory(parent=index, credit_requires_checked_answers=False)
    LessonPageFactory(
        parent=ModulePageFactory(parent=training),
        title="Pelkkä tehtävä",
        completion_rule=CompletionRule.H5P_COMPLETED,
        body=[{"type": "h5p", "value": {"activity": h5p_activity.pk, "title": "", "pass_mark": None}}],
    )
    data = nested_form_data(
        {
            "title": training.title,
            "slug": training.slug,
            "summary": training.summary,
            "audience": "",
            "learning_outcomes": streamfield([]),
            "workload_hours": 1,
            "ects_credits": "1.0",
            "credit_requires_checked_answers": "on",
            "enrolment_mode": "open",
            "enrolment_key": "",
            "prerequisites-TOTAL_FORMS": 0,
            "prerequisites-INITIAL_FORMS": 0,
            "prerequisites-MIN_NUM_FORMS": 0,
            "prerequisites-MAX_NUM_FORMS": 1000,
            "action-publish": "1",
        }
    )
    response = client.post(f"/admin/pages/{training.pk}/edit/", data)
    assert response.status_code == 200
    assert "Pelkkä tehtävä" in response.content.decode()
    training.refresh_from_db()
    assert training.credit_requires_checked_answers is False
