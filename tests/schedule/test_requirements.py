"""A training that asks for contact sessions in two places (Part 1's and Part 2's, say): each session
counts for one of them, so attending Part 1's sessions never completes Part 2's requirement."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from lms.courses import services as courses
from lms.courses.enums import LessonStatus
from lms.courses.models import Enrolment, LessonPage, LessonProgress
from lms.schedule import services
from lms.schedule.models import ContactSession
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, UserFactory, text

from .factories import attendance_block, attendance_training, cohort_with, session_for

pytestmark = pytest.mark.django_db
UNDER_WAY = datetime.timedelta(minutes=-10)
FIRST, SECOND = "osa-1-lahiopetus", "osa-2-lahiopetus"


@pytest.fixture
def two_places(index):
    """A training whose first lesson needs 1 session (Part 1's) and whose second needs 1 (Part 2's)."""
    training = TrainingPageFactory(parent=index, title="Koordinaattorikoulutus")
    module = ModulePageFactory(parent=training)
    LessonPageFactory(parent=module, title="Osan 1 lähiopetus", body=[text(), attendance_block(1, block_id=FIRST)])
    LessonPageFactory(parent=module, title="Osan 2 lähiopetus", body=[text(), attendance_block(1, block_id=SECOND)])
    return training


def _status(learner, title):
    lesson = LessonPage.objects.get(title=title)
    row = LessonProgress.objects.filter(enrolment__user=learner, lesson_key=lesson.translation_key).first()
    return row.status if row else None


def _open_both(learner):
    enrolment = Enrolment.objects.get(user=learner)
    for lesson in LessonPage.objects.order_by("path"):
        courses.lesson_open(enrolment=enrolment, lesson=lesson)


def test_part_ones_sessions_do_not_complete_part_twos_requirement(two_places, learner, teacher):
    group = cohort_with(two_places, learners=[learner], teachers=[teacher])
    _open_both(learner)
    session = session_for(two_places, cohort=group, starts_in=UNDER_WAY, requirement=FIRST)

    services.attendance_mark(by=teacher, session=session, marks={learner.pk: "present"})

    assert _status(learner, "Osan 1 lähiopetus") == LessonStatus.COMPLETED
    assert _status(learner, "Osan 2 lähiopetus") == LessonStatus.IN_PROGRESS
    second = session_for(two_places, cohort=group, starts_in=UNDER_WAY, requirement=SECOND)
    services.checkin(user=learner, session=second, code=second.checkin_code)
    assert _status(learner, "Osan 2 lähiopetus") == LessonStatus.COMPLETED


def test_a_session_for_every_requirement_is_refused_where_it_would_count_twice(two_places, teacher):
    group = cohort_with(two_places, teachers=[teacher])

    with pytest.raises(ValidationError, match="several places"):
        session_for(two_places, cohort=group)

    assert not ContactSession.objects.exists()


def test_a_forged_requirement_from_another_training_is_refused_by_the_service(two_places, index, teacher):
    other = attendance_training(index)
    group = cohort_with(other, teachers=[teacher])
    foreign = LessonPage.objects.get(title="Osan 1 lähiopetus").body[1].id

    with pytest.raises(ValidationError, match="requirement of this training"):
        session_for(other, cohort=group, requirement=foreign)


def test_a_forged_requirement_posted_to_the_cohort_form_is_refused_and_nothing_is_saved(
    client, two_places, index, teacher
):
    other = attendance_training(index)
    group = cohort_with(other, teachers=[teacher])
    client.force_login(teacher)
    starts = (datetime.datetime.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    ends = (datetime.datetime.now() + datetime.timedelta(days=2, hours=2)).strftime("%Y-%m-%dT%H:%M")

    response = client.post(
        reverse("schedule:session_create", args=[group.pk]),
        {"title": "Lähiopetus", "requirement": FIRST, "starts_at": starts, "ends_at": ends, "place": "Luokka 1"},
    )

    assert response.status_code == 400
    assert not ContactSession.objects.exists()


def test_the_cohort_form_asks_which_requirement_and_the_list_names_it(client, two_places, teacher):
    group = cohort_with(two_places, teachers=[teacher])
    client.force_login(teacher)
    page = client.get(reverse("schedule:session_create", args=[group.pk])).content.decode()
    assert "Osan 1 lähiopetus" in page
    assert "Osan 2 lähiopetus" in page
    starts = (datetime.datetime.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    ends = (datetime.datetime.now() + datetime.timedelta(days=2, hours=2)).strftime("%Y-%m-%dT%H:%M")
    fields = {"title": "Lähiopetus 2", "starts_at": starts, "ends_at": ends, "place": "Luokka 1", "signup": "cohort"}

    refused = client.post(reverse("schedule:session_create", args=[group.pk]), fields)
    saved = client.post(reverse("schedule:session_create", args=[group.pk]), {**fields, "requirement": SECOND})

    assert refused.status_code == 400
    assert saved.status_code == 302
    assert ContactSession.objects.get().requirement == SECOND
    listing = client.get(reverse("schedule:cohort", args=[group.pk])).content.decode()
    assert "Osan 2 lähiopetus" in listing


def test_the_lesson_block_counts_only_its_own_sessions(client, two_places, learner, teacher):
    group = cohort_with(two_places, learners=[learner], teachers=[teacher])
    session = session_for(two_places, cohort=group, starts_in=UNDER_WAY, requirement=FIRST)
    services.attendance_mark(by=teacher, session=session, marks={learner.pk: "present"})
    client.force_login(learner)

    first = client.get(LessonPage.objects.get(title="Osan 1 lähiopetus").url).content.decode()
    second = client.get(LessonPage.objects.get(title="Osan 2 lähiopetus").url).content.decode()

    assert "Osallistunut 1 / 1" in first
    assert "Osallistunut 0 / 1" in second


def test_the_admin_form_refuses_a_training_wide_session_that_would_count_twice_and_saves_a_chosen_one(
    client, two_places
):
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    url = reverse("wagtailsnippets_schedule_contactsession:add")
    assert "Osan 2 lähiopetus" in client.get(url).content.decode()
    starts = (datetime.datetime.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    ends = (datetime.datetime.now() + datetime.timedelta(days=2, hours=2)).strftime("%Y-%m-%dT%H:%M")
    fields = {"training": two_places.pk, "title": "Avoin", "starts_at": starts, "ends_at": ends, "place": "Sali"}

    refused = client.post(url, fields)
    assert not ContactSession.objects.exists()
    assert refused.context["form"].errors["requirement"]  # the form again, with the error at "Counts for"

    client.post(url, {**fields, "requirement": FIRST})
    assert ContactSession.objects.get().requirement == FIRST
