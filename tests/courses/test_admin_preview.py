"""The admin's preview of a lesson: before it is first saved, and as a saved draft (issue 11).

Wagtail previews an unsaved page that has no id yet; the lesson page reversed its statements URL
with the id and answered 500.
"""

import pytest
from django.contrib.auth.models import Group
from wagtail.test.utils.form_data import nested_form_data, rich_text, streamfield

from lms.courses.models import LessonPage, LessonProgress
from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.h5p import services as h5p_services
from tests.factories import H5P_INSTALLER, build_training, user_with_permissions
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db


@pytest.fixture
def trainer(user_factory, index):
    trainers_group_ensure()
    user = user_factory()
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


def lesson_form(title: str, activity) -> dict:
    """The lesson editor's form: text, a question and an H5P activity, as the admin posts them."""
    option = {"text": "Vaihtoehto", "correct": "", "feedback": "Palaute A"}
    return nested_form_data(
        {
            "title": title,
            "slug": "uusi-oppitunti",
            "estimated_minutes": "10",
            "completion_rule": "all_correct",
            "pass_percent": "",
            "body": streamfield(
                [
                    ("text", rich_text("<p>Esikatseltava teksti.</p>")),
                    (
                        "question",
                        {
                            "kind": "single",
                            "prompt": rich_text("<p>Mikä on oikein?</p>"),
                            "options": streamfield(
                                [("item", {**option, "correct": "on"}), ("item", {**option, "text": "Väärin"})]
                            ),
                        },
                    ),
                    ("h5p", {"activity": str(activity.pk), "title": "", "pass_mark": ""}),
                ]
            ),
        }
    )


@pytest.fixture
def activity(db):
    return h5p_services.activity_create(
        upload=make_package(), title="Tehtävä", user=user_with_permissions(*H5P_INSTALLER)
    )


def test_a_new_lesson_is_previewed_before_it_is_saved(client, index, trainer, activity):
    module = build_training(index, modules=1, lessons=2).get_children().first()
    client.force_login(trainer)
    url = f"/admin/pages/add/courses/lessonpage/{module.pk}/preview/"

    stored = client.post(url, lesson_form("Uusi oppitunti", activity))
    response = client.get(url)

    html = response.content.decode()
    assert stored.json() == {"is_valid": True, "is_available": True}
    assert response.status_code == 200
    assert "Uusi oppitunti" in html
    assert "Esikatseltava teksti." in html
    assert "Mikä on oikein?" in html
    assert "Palaute A" not in html  # no answer key, as for learners
    assert 'data-testid="untranslated"' not in html
    assert not LessonPage.objects.filter(title="Uusi oppitunti").exists()
    assert LessonProgress.objects.count() == 0


def test_a_saved_draft_lesson_is_previewed_from_the_editor(client, index, trainer, activity):
    module = build_training(index, modules=1, lessons=1).get_children().first()
    client.force_login(trainer)
    client.post(f"/admin/pages/add/courses/lessonpage/{module.pk}/", lesson_form("Luonnos", activity))
    draft = LessonPage.objects.get(title="Luonnos")
    assert not draft.live
    url = f"/admin/pages/{draft.pk}/edit/preview/"

    stored = client.post(url, lesson_form("Luonnos, muokattu", activity))
    response = client.get(url)

    assert stored.json()["is_valid"] is True
    assert response.status_code == 200
    assert "Luonnos, muokattu" in response.content.decode()
    assert f"/xapi/statements/{draft.pk}/" in response.content.decode()


def test_an_invalid_new_lesson_is_not_previewed_but_answers_without_an_error(client, index, trainer, activity):
    module = build_training(index, modules=1, lessons=1).get_children().first()
    client.force_login(trainer)
    url = f"/admin/pages/add/courses/lessonpage/{module.pk}/preview/"
    form = lesson_form("Uusi", activity)
    form["body-1-value-options-0-value-correct"] = ""  # a single-choice question with no correct option

    stored = client.post(url, form)
    response = client.get(url)

    assert stored.json()["is_valid"] is False
    assert response.status_code == 200  # Wagtail's "preview not available" page, not a 500


def test_a_learner_cannot_preview_a_new_lesson(client, index, learner, activity):
    module = build_training(index, modules=1, lessons=1).get_children().first()
    client.force_login(learner)
    url = f"/admin/pages/add/courses/lessonpage/{module.pk}/preview/"

    response = client.post(url, lesson_form("Uusi", activity))

    assert response.status_code == 302
    assert "/login/" in response["Location"]
