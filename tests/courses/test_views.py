"""Who may see and do what: anonymous visitors, learners A and B, trainers."""

import pytest
from django.contrib.auth.models import Group

from lms.courses import services
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonProgress
from lms.courses.permissions import TRAINERS, trainers_group_ensure
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, question, reflection, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def course(index):
    training = TrainingPageFactory(parent=index, title="Työkyvyn tuki", slug="tyokyvyn-tuki")
    module = ModulePageFactory(parent=training, title="Työkyky", slug="tyokyky")
    lesson = LessonPageFactory(
        parent=module,
        slug="eka",
        title="Ensimmäinen oppitunti",
        completion_rule=CompletionRule.ALL_CORRECT,
        body=[text("<p>Tervetuloa.</p>"), question("q1", correct=(2,)), reflection("r1")],
    )
    second = LessonPageFactory(parent=module, slug="toka", title="Toinen oppitunti")
    return training, lesson, second


def test_catalogue_and_training_page_are_public(client, course):
    training, _lesson, _second = course
    assert "Työkyvyn tuki" in client.get("/fi/").content.decode()
    response = client.get(training.url)
    assert response.status_code == 200
    assert "Kirjaudu" in response.content.decode() or "Log in" in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in_from_a_lesson(client, course):
    _training, lesson, _second = course
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_learner_not_enrolled_is_sent_to_the_training_page(client, course, learner):
    training, lesson, _second = course
    client.force_login(learner)
    response = client.get(lesson.url)
    assert response.status_code == 302
    assert response["Location"] == training.url


def test_enrolled_learner_sees_the_lesson_without_the_answers(client, course, learner):
    training, lesson, _second = course
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)

    html = client.get(lesson.url).content.decode()

    assert "Tervetuloa." in html
    assert "Vaihtoehto 2" in html
    assert "Palaute" not in html  # feedback appears only after answering
    section = html.split('id="q-q1"', 1)[1].split("</section>", 1)[0]
    assert "correct" not in section.lower()  # nothing marks the right option before answering


def test_answering_shows_feedback_for_the_chosen_option_only(client, course, learner):
    training, lesson, _second = course
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)

    response = client.post(f"/fi/learn/lessons/{lesson.pk}/questions/q1/", {"option": "0"}, follow=True)

    html = response.content.decode()
    assert "Palaute 0" in html
    assert "Palaute 2" not in html


def test_learner_b_cannot_answer_or_read_learner_a_progress(client, course, learner, other_learner):
    training, lesson, _second = course
    enrolment = services.enrolment_create(user=learner, training=training)
    services.reflection_save(enrolment=enrolment, lesson=lesson, reflection_id="r1", text="Yksityinen ajatus")

    client.force_login(other_learner)
    assert client.post(f"/fi/learn/lessons/{lesson.pk}/questions/q1/", {"option": "2"}).status_code == 404
    assert client.post(f"/fi/learn/lessons/{lesson.pk}/reflections/r1/", {"text": "x"}).status_code == 404
    services.enrolment_create(user=other_learner, training=training)
    html = client.get(lesson.url).content.decode()
    assert "Yksityinen ajatus" not in html
    assert "Yksityinen ajatus" not in client.get("/fi/learn/").content.decode()
    assert LessonProgress.objects.filter(enrolment__user=other_learner, answers__has_key="q1").count() == 0


def test_answer_endpoint_refuses_get_and_anonymous(client, course):
    _training, lesson, _second = course
    url = f"/fi/learn/lessons/{lesson.pk}/questions/q1/"
    assert client.post(url, {"option": "2"}).status_code == 302  # to the login page
    assert LessonProgress.objects.count() == 0


def test_a_bad_answer_shows_an_error_in_the_learners_language(client, course, learner):
    training, lesson, _second = course
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)

    response = client.post(f"/fi/learn/lessons/{lesson.pk}/questions/q1/", {"option": "x"}, follow=True)

    assert "Vastausvaihtoehtoa ei ole" in response.content.decode()
    assert not LessonProgress.objects.filter(answers__has_key="q1").exists()


def test_too_long_reflection_is_refused_and_kept_in_the_form(client, course, learner):
    training, lesson, _second = course
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    long_text = "sana " * 3000

    response = client.post(f"/fi/learn/lessons/{lesson.pk}/reflections/r1/", {"text": long_text}, follow=True)

    html = response.content.decode()
    assert "liian pitkä" in html
    assert long_text.strip() in html
    assert not LessonProgress.objects.filter(reflections__has_key="r1").exists()


def test_dashboard_needs_login_and_shows_own_progress(client, course, learner):
    training, lesson, _second = course
    assert client.get("/fi/learn/").status_code == 302
    enrolment = services.enrolment_create(user=learner, training=training)
    services.lesson_open(enrolment=enrolment, lesson=_second)
    client.force_login(learner)

    html = client.get("/fi/learn/").content.decode()

    assert "Työkyvyn tuki" in html
    assert 'aria-valuenow="50"' in html
    assert lesson.url in html  # continue with the first unfinished lesson


def test_trainer_sees_a_lesson_read_only_without_enrolling(client, course, user_factory):
    _training, lesson, _second = course
    trainers_group_ensure()
    trainer = user_factory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(trainer)

    response = client.get(lesson.url)

    assert response.status_code == 200
    assert "Esikatselu" in response.content.decode()
    assert LessonProgress.objects.count() == 0


def test_trainer_can_open_the_admin_but_not_users(client, course, user_factory):
    trainers_group_ensure()
    trainer = user_factory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(trainer)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/users/").status_code == 302  # permission denied: back to the dashboard
    training, _lesson, _second = course
    assert client.get(f"/admin/pages/{training.pk}/edit/").status_code == 200


def test_learner_cannot_open_the_admin(client, learner):
    client.force_login(learner)
    assert client.get("/admin/").status_code == 302


def test_trainer_sees_progress_of_the_trainings_they_edit_only(client, course, user_factory, learner, homes):
    from wagtail.models import GroupPagePermission, Page

    training, _lesson, _second = course
    enrolment = services.enrolment_create(user=learner, training=training)
    services.lesson_open(enrolment=enrolment, lesson=_second)
    trainers_group_ensure()
    trainer = user_factory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    client.force_login(trainer)

    index_html = client.get("/admin/progress/").content.decode()
    detail = client.get(f"/admin/progress/{training.pk}/")

    assert training.title in index_html
    assert detail.status_code == 200
    assert learner.display_name in detail.content.decode()
    assert "1/2" in detail.content.decode()

    # a group that may edit only another part of the site sees nothing of this training
    outsider_group = Group.objects.create(name="Elsewhere")
    outsider_group.permissions.add(*Group.objects.get(name=TRAINERS).permissions.all())
    other = Page.objects.get(pk=homes["sv"].pk)
    GroupPagePermission.objects.create(group=outsider_group, page=other, permission_type="change")
    outsider = user_factory()
    outsider.groups.add(outsider_group)
    client.force_login(outsider)
    assert client.get(f"/admin/progress/{training.pk}/").status_code in {302, 403}
    assert training.title not in client.get("/admin/progress/").content.decode()


def test_trainer_previews_a_draft_lesson_as_learners_see_it(client, course, user_factory):
    _training, lesson, _second = course
    trainers_group_ensure()
    trainer = user_factory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    lesson.title = "Luonnos"
    lesson.save_revision(user=trainer)
    client.force_login(trainer)

    response = client.get(f"/admin/pages/{lesson.pk}/view_draft/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Luonnos" in html
    assert "Esikatselu" in html or "Preview" in html
    assert "Vaihtoehto 2" in html
    assert "Palaute" not in html
    assert LessonProgress.objects.count() == 0


def test_a_draft_body_is_previewed_while_learners_keep_the_live_one(client, course, learner, user_factory):
    """The live body is rendered once and kept; a preview must never show it, nor leak the draft to learners."""
    training, lesson, _second = course
    services.enrolment_create(user=learner, training=training)
    client.force_login(learner)
    first = client.get(lesson.url)  # renders and keeps the live body
    assert first.status_code == 200
    assert "Luonnosteksti" not in first.content.decode()
    trainers_group_ensure()
    trainer = user_factory()
    trainer.groups.add(Group.objects.get(name=TRAINERS))
    lesson.body = [text("<p>Luonnosteksti</p>"), *lesson.body.raw_data]
    lesson.save_revision(user=trainer)

    client.force_login(trainer)
    assert "Luonnosteksti" in client.get(f"/admin/pages/{lesson.pk}/view_draft/").content.decode()
    client.force_login(learner)
    assert "Luonnosteksti" not in client.get(lesson.url).content.decode()

    live = type(lesson).objects.get(pk=lesson.pk)
    live.get_latest_revision().publish()
    response = client.get(lesson.url)
    assert response.status_code == 200, response.get("Location")
    assert "Luonnosteksti" in response.content.decode(), "publishing shows the new body at once"
