"""Wagtail's admin keeps working under Kyky's Content-Security-Policy (no inline scripts).

A trainer's day in the admin: the dashboard, the page tree, editing a lesson (StreamField, the H5P
chooser, the preview panel with the player from its own origin), saving it, and the H5P, image
and certificate listings. The ``page`` fixture fails the test on any policy violation.
"""

import pytest

from lms.courses.enums import CompletionRule
from lms.courses.models import LessonPage, TrainingIndexPage
from lms.h5p import services
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    UserFactory,
    question,
    text,
    user_with_permissions,
)
from tests.h5p.conftest import make_package

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_trainer_edits_previews_and_saves_a_lesson_in_the_admin(homes, platform, page):
    admin = UserFactory(is_superuser=True, is_staff=True)
    activity = services.activity_create(
        upload=make_package(), title="Pieni tehtävä", user=user_with_permissions(*H5P_INSTALLER)
    )
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, slug="admin")
    lesson = LessonPageFactory(
        parent=ModulePageFactory(parent=training, slug="moduuli"),
        slug="oppitunti",
        title="Muokattava oppitunti",
        completion_rule=CompletionRule.OPENED,
        body=[
            text("<p>Alku.</p>"),
            question("q1"),
            {"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}},
        ],
    )

    page.goto(f"{platform}/admin/login/")
    page.fill("input[name=username]", admin.email)
    page.fill("input[name=password]", "correct horse battery")
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/admin/")

    page.goto(f"{platform}/admin/pages/{training.pk}/")
    page.locator("main").wait_for()
    # Wagtail's inline panel and date pickers start from admin-csp.js instead of inline scripts.
    page.goto(f"{platform}/admin/pages/{training.pk}/edit/")
    page.locator("#id_prerequisites-ADD").click()
    assert page.locator("#id_prerequisites-TOTAL_FORMS").input_value() == "1"
    page.locator("#id_prerequisites-FORMS [data-chooser-action-choose]").first.click()  # the page chooser
    page.locator(".modal-dialog").first.wait_for()
    page.keyboard.press("Escape")
    page.locator(".xdsoft_datetimepicker").first.wait_for(state="attached")
    page.goto(f"{platform}/admin/pages/{lesson.pk}/edit/")
    title = page.locator("#id_title")
    title.wait_for()
    title.fill("Muokattu oppitunti")
    page.locator("[data-side-panel-toggle='preview']").click()
    preview = page.frame_locator("iframe[data-w-preview-target='iframe'], #w-preview-iframe").first
    preview.locator("h1").wait_for()
    preview.frame_locator("iframe[data-h5p-player]").locator("iframe.h5p-iframe").wait_for(state="attached")
    page.locator("button[name='action-draft'], button[type=submit]:has-text('Tallenna luonnos')").first.click()
    page.wait_for_load_state()
    assert LessonPage.objects.get(pk=lesson.pk).get_latest_revision_as_object().title == "Muokattu oppitunti"

    for url in [
        "/admin/snippets/h5p/h5pactivity/",
        "/admin/snippets/h5p/h5pactivity/add/",
        "/admin/images/",
        "/admin/certificates/",
        "/admin/progress/",
        "/admin/reports/site-history/",
    ]:
        response = page.goto(f"{platform}{url}")
        assert response.status == 200, url
        page.locator("main").wait_for()
