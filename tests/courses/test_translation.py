"""Translating trainings: what a trainer does in the admin, and what learners of each language see.

A lesson not yet translated counts the same in every language and is shown, in the learner's own
language's tree, in Finnish with a note; translating it later keeps everyone's progress, because
progress is keyed by the translation key and the copy keeps the block ids (docs/decisions.md, 1).
"""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import translation
from wagtail.models import Page

from lms.courses import services
from lms.courses.enums import CompletionRule
from lms.courses.models import Enrolment, LessonPage, ModulePage, TrainingIndexPage
from lms.courses.permissions import TRAINERS, trainers_group_ensure
from lms.h5p import services as h5p_services
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    question,
    text,
    translate_training,
    user_with_permissions,
)
from tests.h5p.conftest import make_package

pytestmark = pytest.mark.django_db

UNTRANSLATED_NOTE_SV = "Den här lektionen har inte översatts till svenska ännu"  # after the catalogues' merge


@pytest.fixture
def course(homes, locales):
    """A Finnish training of 10 lessons in two modules, all in Swedish but the eighth (``only_fi``)."""
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, title="Työkyvyn tuki", slug="tyokyvyn-tuki")
    lessons = []
    for m in range(2):
        module = ModulePageFactory(parent=training, title=f"Moduuli {m + 1}", slug=f"moduuli-{m + 1}")
        for n in range(5):
            lessons.append(
                LessonPageFactory(parent=module, title=f"Oppitunti {m * 5 + n + 1}", slug=f"oppitunti-{m * 5 + n + 1}")
            )
    only_fi = lessons[7]
    only_fi.title, only_fi.completion_rule = "Vain suomeksi", CompletionRule.ALL_CORRECT
    only_fi.body = [text("<p>Suomenkielinen sisältö.</p>"), question("q-fi", correct=(1,))]
    only_fi.save_revision().publish()
    translated = [page for page in training.get_descendants().specific() if page.pk != only_fi.pk]
    swedish = translate_training(training, locales["sv"], "Arbetsförmåga", translated, lambda p: f"SV {p.title}")
    only_fi = LessonPage.objects.get(pk=only_fi.pk)
    return training, swedish, lessons, only_fi


def swedish_url_of(page, swedish_training) -> str:
    """Where the outline puts a Finnish page in the Swedish tree: its Finnish slug there."""
    module = page if isinstance(page, ModulePage) else page.get_parent()
    sv_module = module.get_translation_or_none(swedish_training.locale)
    module_url = sv_module.url if sv_module else f"{swedish_training.url}{module.slug}/"
    return module_url if isinstance(page, ModulePage) else f"{module_url}{page.slug}/"


def percent(html: str) -> int:
    """The training's progress bar: the first on the training page and on My trainings."""
    return int(re.search(r'role="progressbar"[^>]*aria-valuenow="(\d+)"', html).group(1))


def trainer(user_factory):
    trainers_group_ensure()
    user = user_factory()
    user.groups.add(Group.objects.get(name=TRAINERS))
    return user


# --- learners ----------------------------------------------------------------------------------


def test_a_swedish_learner_sees_ten_lessons_and_the_untranslated_one_in_finnish(client, course, learner):
    _training, swedish, lessons, only_fi = course
    services.enrolment_create(user=learner, training=swedish)
    client.force_login(learner)

    page = client.get(swedish.url).content.decode()

    assert page.count('<li class="lesson') == 10
    fallback = swedish_url_of(only_fi, swedish)
    assert fallback.startswith("/sv/")
    assert f'<a href="{fallback}" lang="fi">Vain suomeksi</a>' in page

    response = client.get(fallback)

    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["page"].pk == only_fi.pk
    assert '<html lang="sv">' in html
    assert 'data-testid="untranslated"' in html
    assert '<span lang="fi">Vain suomeksi</span>' in html
    assert '<div lang="fi"><div class="prose"><p>Suomenkielinen sisältö.</p>' in html
    # the outline, the breadcrumb and the pager stay in the Swedish tree
    assert response.context["training"].pk == swedish.pk
    previous = lessons[6].get_translation(swedish.locale)
    following = lessons[8].get_translation(swedish.locale)
    assert response.context["previous_lesson"].url == previous.url == swedish_url_of(lessons[6], swedish)
    assert response.context["next_lesson"].url == following.url
    # the language menu leads to this lesson in Finnish, and in Swedish to this same address
    assert f'href="{only_fi.url}" lang="fi" hreflang="fi"' in html
    assert f'href="{fallback}" lang="sv" hreflang="sv"' in html
    assert UNTRANSLATED_NOTE_SV in html  # in the learner's language (after the catalogues' merge)


def test_after_nine_of_ten_both_languages_say_90_percent_and_the_tenth_in_swedish_completes(client, course, learner):
    training, swedish, lessons, only_fi = course
    enrolment = services.enrolment_create(user=learner, training=swedish)
    client.force_login(learner)
    for lesson in lessons:
        if lesson.pk != only_fi.pk:
            assert client.get(lesson.get_translation(swedish.locale).url).status_code == 200  # 'opened' completes it
    assert client.get(swedish_url_of(only_fi, swedish)).status_code == 200  # opened, not yet answered

    assert percent(client.get(swedish.url).content.decode()) == 90
    assert percent(client.get(training.url).content.decode()) == 90
    with translation.override("sv"):
        dashboard = reverse("courses:dashboard")
    my_trainings = client.get(dashboard).content.decode()
    assert percent(my_trainings) == 90
    assert f'href="{swedish_url_of(only_fi, swedish)}"' in my_trainings  # continue where you left off
    assert '<span lang="fi">Vain suomeksi</span>' in my_trainings

    with translation.override("sv"):
        answer = reverse("courses:answer", args=[only_fi.pk, "q-fi"])
    response = client.post(answer, {"option": "1"})

    assert response.status_code == 302
    assert response["Location"] == f"{swedish_url_of(only_fi, swedish)}#q-q-fi"  # back in Swedish
    enrolment.refresh_from_db()
    assert enrolment.completed_at is not None  # the certificate follows from this, as in Finnish
    assert percent(client.get(swedish.url).content.decode()) == 100
    assert percent(client.get(training.url).content.decode()) == 100


def test_a_module_only_in_finnish_is_shown_in_the_swedish_tree_with_a_note(client, course, learner):
    training, swedish, _lessons, _only_fi = course
    module = ModulePageFactory(parent=training, title="Uusi moduuli", slug="uusi-moduuli")
    lesson = LessonPageFactory(parent=module, title="Uusi oppitunti", slug="uusi-oppitunti")
    services.enrolment_create(user=learner, training=swedish)
    client.force_login(learner)

    outline = client.get(swedish.url).content.decode()
    module_page = client.get(f"{swedish.url}uusi-moduuli/")
    lesson_page = client.get(f"{swedish.url}uusi-moduuli/uusi-oppitunti/")

    assert outline.count('<li class="lesson') == 11
    assert f'href="{swedish.url}uusi-moduuli/" lang="fi">Uusi moduuli</a>' in outline
    assert module_page.status_code == 200
    assert module_page.context["page"].pk == module.pk
    assert '<h1 lang="fi">Uusi moduuli</h1>' in module_page.content.decode()
    assert lesson_page.status_code == 200
    assert lesson_page.context["page"].pk == lesson.pk
    assert 'data-testid="untranslated"' in lesson_page.content.decode()


def test_a_made_up_path_under_a_translated_training_is_still_not_found(client, course, learner):
    _training, swedish, _lessons, only_fi = course
    services.enrolment_create(user=learner, training=swedish)
    client.force_login(learner)

    assert client.get(f"{swedish.url}moduuli-2/ei-ole/").status_code == 404
    assert client.get(f"{swedish.url}ei-ole/{only_fi.slug}/").status_code == 404


def test_an_unpublished_finnish_lesson_is_not_served_in_the_swedish_tree(client, course, learner):
    _training, swedish, _lessons, only_fi = course
    fallback = swedish_url_of(only_fi, swedish)
    services.enrolment_create(user=learner, training=swedish)
    client.force_login(learner)
    only_fi.unpublish()

    assert client.get(fallback).status_code == 404


# --- trainers ----------------------------------------------------------------------------------


def test_a_trainer_translates_a_lesson_and_it_keeps_its_key_and_block_ids(client, course, user_factory, locales):
    _training, _swedish, _lessons, only_fi = course
    activity = h5p_services.activity_create(
        upload=make_package(), title="Tehtävä", user=user_with_permissions(*H5P_INSTALLER)
    )
    only_fi.body = [
        *only_fi.body.raw_data,
        {"type": "h5p", "id": "h5p-block", "value": {"activity": activity.pk, "title": "", "pass_mark": 60}},
    ]
    only_fi.save_revision().publish()
    client.force_login(trainer(user_factory))
    submit = f"/admin/translation/submit/page/{only_fi.pk}/"

    assert submit in client.get(f"/admin/pages/{only_fi.pk}/edit/").content.decode()  # the Translate button
    assert client.get(submit).status_code == 200
    response = client.post(submit, {"locales": [locales["sv"].pk]})

    copy = LessonPage.objects.get(locale=locales["sv"], translation_key=only_fi.translation_key)
    assert response.status_code == 302
    assert response["Location"] == f"/admin/pages/{copy.pk}/edit/"
    assert copy.get_parent().pk == only_fi.get_parent().get_translation(locales["sv"]).pk  # the Swedish module
    assert copy.slug == only_fi.slug
    assert not copy.live  # a draft until the trainer has translated and published it
    assert [block["id"] for block in copy.body.raw_data] == [block["id"] for block in only_fi.body.raw_data]
    assert copy.requirements == only_fi.requirements  # same questions, answers and H5P activity
    assert copy.completion_rule == only_fi.completion_rule
    assert client.get(f"/admin/pages/{copy.pk}/edit/").status_code == 200


def test_a_trainer_translates_a_whole_new_module_with_its_lessons(client, course, user_factory, locales):
    training, _swedish, _lessons, _only_fi = course
    module = ModulePageFactory(parent=training, title="Uusi moduuli", slug="uusi-moduuli")
    LessonPageFactory(parent=module, title="Uusi A", slug="uusi-a")
    LessonPageFactory(parent=module, title="Uusi B", slug="uusi-b")
    client.force_login(trainer(user_factory))

    client.post(
        f"/admin/translation/submit/page/{module.pk}/", {"locales": [locales["sv"].pk], "include_subtree": "on"}
    )

    sv_module = module.get_translation(locales["sv"])
    assert [p.slug for p in sv_module.get_children()] == ["uusi-a", "uusi-b"]
    assert {p.translation_key for p in sv_module.get_children()} == {p.translation_key for p in module.get_children()}


def test_translating_a_lesson_keeps_the_learners_progress(client, course, learner, user_factory, locales):
    training, swedish, _lessons, only_fi = course
    enrolment = services.enrolment_create(user=learner, training=swedish)
    fallback = swedish_url_of(only_fi, swedish)
    client.force_login(learner)
    client.get(fallback)
    with translation.override("sv"):
        client.post(reverse("courses:answer", args=[only_fi.pk, "q-fi"]), {"option": "1"})
    before = percent(client.get(swedish.url).content.decode())
    client.force_login(trainer(user_factory))
    client.post(f"/admin/translation/submit/page/{only_fi.pk}/", {"locales": [locales["sv"].pk]})
    copy = LessonPage.objects.get(locale=locales["sv"], translation_key=only_fi.translation_key)
    client.force_login(learner)

    draft_time = client.get(fallback)  # a draft translation is not served: still the Finnish lesson
    assert draft_time.context["page"].pk == only_fi.pk

    copy.title = "Bara på finska tidigare"
    copy.save_revision().publish()
    response = client.get(fallback)  # the same address, now the Swedish page

    html = response.content.decode()
    assert response.context["page"].pk == copy.pk
    assert 'data-testid="untranslated"' not in html
    assert 'data-testid="lesson-completed"' in html
    assert 'class="option chosen"' in html  # the answer, found by the same block id
    assert percent(client.get(swedish.url).content.decode()) == before
    assert percent(client.get(training.url).content.decode()) == before
    assert Enrolment.objects.get(pk=enrolment.pk).lesson_progress.count() == 1  # the same record, none added


def test_a_learner_cannot_reach_the_translate_action(client, course, learner, locales):
    _training, _swedish, _lessons, only_fi = course
    client.force_login(learner)

    response = client.post(f"/admin/translation/submit/page/{only_fi.pk}/", {"locales": [locales["sv"].pk]})

    assert response.status_code == 302
    assert "/login/" in response["Location"]
    assert not LessonPage.objects.filter(locale=locales["sv"], translation_key=only_fi.translation_key).exists()


def test_an_admin_user_without_the_translate_permission_cannot_copy_pages(client, course, locales):
    _training, _swedish, _lessons, only_fi = course
    client.force_login(user_with_permissions("wagtailadmin.access_admin"))

    response = client.post(f"/admin/translation/submit/page/{only_fi.pk}/", {"locales": [locales["sv"].pk]})

    assert response.status_code in {302, 403}
    assert not LessonPage.objects.filter(locale=locales["sv"], translation_key=only_fi.translation_key).exists()


def test_a_translator_cannot_copy_pages_they_may_not_edit(client, course, locales):
    """The translate permission alone gives no right to pages outside the user's page permissions."""
    _training, _swedish, _lessons, only_fi = course
    client.force_login(user_with_permissions("wagtailadmin.access_admin", "simple_translation.submit_translation"))

    response = client.post(f"/admin/translation/submit/page/{only_fi.pk}/", {"locales": [locales["sv"].pk]})

    assert response.status_code in {302, 403}
    assert not Page.objects.filter(locale=locales["sv"], translation_key=only_fi.translation_key).exists()
