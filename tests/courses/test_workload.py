"""Credits backed by workload: the designed workload of a training, shown, and checked before credits are published."""

from decimal import Decimal

import pytest
from wagtail.test.utils.form_data import nested_form_data, streamfield
from wagtail.users.models import UserProfile

from lms.courses.services import enrolment_create
from lms.courses.structure import Workload, structure_for
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, UserFactory, assignment, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def training(index):
    """Two lessons of 90 minutes, one with a 24-hour development task: 27 hours, one credit's worth."""
    training = TrainingPageFactory(parent=index, title="Kehittäjäkoulutus", ects_credits=Decimal("0"))
    module = ModulePageFactory(parent=training)
    LessonPageFactory(parent=module, estimated_minutes=90, body=[text()])
    LessonPageFactory(parent=module, estimated_minutes=90, body=[text(), assignment(estimated_hours="24.0")])
    return training


def test_the_structure_sums_lessons_and_assignments(training):
    workload = structure_for(training).workload
    assert (workload.lesson_minutes, workload.assignment_minutes) == (180, 24 * 60)
    assert workload.hours == Decimal("27.0")
    assert workload.credits_supported(27) == Decimal("1")


def test_credits_supported_round_down_to_half_credits():
    assert Workload(lesson_minutes=0, assignment_minutes=int(26.9 * 60)).credits_supported(27) == Decimal("0.5")
    assert Workload(lesson_minutes=0, assignment_minutes=0).credits_supported(27) == Decimal("0")
    assert Workload(lesson_minutes=270 * 60, assignment_minutes=0).credits_supported(27) == Decimal("10")


def test_a_broken_hours_value_counts_as_nothing_rather_than_failing(index):
    training = TrainingPageFactory(parent=index)
    LessonPageFactory(
        parent=ModulePageFactory(parent=training), estimated_minutes=30, body=[assignment(estimated_hours="x")]
    )
    assert structure_for(training).workload.minutes == 30


def test_the_training_page_shows_the_designed_workload(client, training):
    html = client.get(training.url).content.decode()
    assert 'data-testid="workload">27 h' in html


def _training_form(training, credits: str, action: str) -> dict:
    return nested_form_data(
        {
            "title": training.title,
            "slug": training.slug,
            "summary": training.summary,
            "audience": "",
            "learning_outcomes": streamfield([]),
            "workload_hours": 0,
            "ects_credits": credits,
            "enrolment_mode": "open",
            "enrolment_key": "",
            "prerequisites-TOTAL_FORMS": 0,
            "prerequisites-INITIAL_FORMS": 0,
            "prerequisites-MIN_NUM_FORMS": 0,
            "prerequisites-MAX_NUM_FORMS": 1000,
            action: "1",
        }
    )


@pytest.fixture
def editor(client):
    user = UserFactory(is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"  # the assertions read the admin's English
    profile.save()
    client.force_login(user)
    return user


def test_publishing_more_credits_than_the_workload_supports_is_refused(client, editor, training):
    response = client.post(f"/admin/pages/{training.pk}/edit/", _training_form(training, "2.0", "action-publish"))
    assert response.status_code == 200
    assert "supports 1 credits" in response.content.decode()
    training.refresh_from_db()
    assert training.ects_credits == Decimal("0")


def test_the_credits_the_workload_supports_publish_and_a_draft_may_claim_more(client, editor, training):
    response = client.post(f"/admin/pages/{training.pk}/edit/", _training_form(training, "1.0", "action-publish"))
    assert response.status_code == 302
    training.refresh_from_db()
    assert training.ects_credits == Decimal("1.0")
    draft = client.post(f"/admin/pages/{training.pk}/edit/", _training_form(training, "5.0", "action-save"))
    assert draft.status_code == 302
    training.refresh_from_db()
    assert training.ects_credits == Decimal("1.0"), "the live page keeps what was published"


def test_the_trainer_sees_the_workload_beside_the_credits(client, editor, training):
    html = client.get(f"/admin/pages/{training.pk}/edit/").content.decode()
    assert "now 27 h (lessons 3 h, readings 0 h, assignments 24 h)" in html
    assert "at most 1 credits" in html


def reading(url="https://www.kela.fi/osasairauspaivaraha", minutes=45) -> dict:
    return {
        "type": "reading",
        "id": "r1",
        "value": {
            "title": "Osasairauspäiväraha",
            "publisher": "Kela",
            "url": url,
            "estimated_minutes": minutes,
            "note": "Lue ehdot.",
        },
    }


def test_external_readings_count_in_the_designed_workload(index):
    training = TrainingPageFactory(parent=index)
    LessonPageFactory(parent=ModulePageFactory(parent=training), estimated_minutes=30, body=[text(), reading()])
    workload = structure_for(training).workload
    assert (workload.lesson_minutes, workload.reading_minutes, workload.minutes) == (30, 45, 75)


def test_a_reading_is_shown_with_its_publisher_time_and_a_link_that_cannot_reach_the_lesson_window(index, client):
    training = TrainingPageFactory(parent=index)
    lesson = LessonPageFactory(parent=ModulePageFactory(parent=training), body=[reading()])
    learner = UserFactory()
    enrolment_create(user=learner, training=training)
    client.force_login(learner)
    html = client.get(lesson.url).content.decode()
    assert 'href="https://www.kela.fi/osasairauspaivaraha"' in html
    assert 'rel="noopener noreferrer external"' in html
    assert "Kela" in html


@pytest.mark.parametrize(
    "url", ["javascript:alert(document.cookie)", "http://example.com/plain", "data:text/html,<script>x</script>"]
)
def test_a_reading_address_that_is_not_https_is_refused(url):
    from django.core.exceptions import ValidationError

    from lms.courses.blocks import ReadingBlock

    block = ReadingBlock()
    value = block.to_python(reading(url=url)["value"])
    with pytest.raises(ValidationError):
        block.clean(value)
