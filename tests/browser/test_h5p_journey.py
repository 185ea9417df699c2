"""A learner plays a real H5P true/false activity; the result counts and the state comes back."""

import time

import pytest

from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import LessonProgress, TrainingIndexPage
from lms.h5p import services
from lms.h5p.models import H5PAttempt, H5PUserData
from tests.browser.conftest import log_in
from tests.conftest import SHARED
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    text,
    user_with_permissions,
)

PACKAGE = SHARED / "h5p" / "lumi-H5P.TrueFalse.h5p"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.shared("h5p", "lumi-H5P.TrueFalse.h5p"),
]


@pytest.fixture
def lesson(homes, platform):
    admin = user_with_permissions(*H5P_INSTALLER)
    with PACKAGE.open("rb") as upload:
        activity = services.activity_create(upload=upload, title="Totta vai tarua", user=admin)
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, slug="h5p")
    module = ModulePageFactory(parent=training, slug="moduuli")
    page = LessonPageFactory(
        parent=module,
        slug="tehtava",
        completion_rule=CompletionRule.H5P_COMPLETED,
        body=[
            text("<p>Vastaa väitteeseen.</p>"),
            {"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}},
        ],
    )
    LessonPageFactory(parent=module, slug="toinen", body=[text()])
    return training, page, activity


def eventually(page, check, seconds=15):
    """Wait for the browser's requests to land, without a fixed sleep."""
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the browser's request never arrived"
        page.wait_for_timeout(200)


def test_learner_answers_a_true_false_activity_and_resumes_it(platform, page, lesson, learner):
    training, lesson_page, activity = lesson
    enrolment = courses.enrolment_create(user=learner, training=training)
    base = platform
    log_in(page, base, learner)

    page.goto(f"{base}{lesson_page.url}")
    frame = page.frame_locator(".h5p-activity iframe[data-h5p-player]").frame_locator("iframe.h5p-iframe")
    frame.get_by_role("radio", name="Yes").click()
    frame.get_by_role("button", name="Check").click()
    eventually(page, lambda: H5PAttempt.objects.filter(enrolment=enrolment, completed=True).exists())
    eventually(page, lambda: H5PUserData.objects.filter(data__contains="answer").exists())  # saved every 2 s

    attempt = H5PAttempt.objects.get(enrolment=enrolment, activity=activity)
    assert attempt.completed
    assert attempt.score_max == 1
    assert LessonProgress.objects.get(enrolment=enrolment).completed_at is not None
    assert H5PUserData.objects.filter(user=learner, activity=activity, data_type="state").exists()

    page.reload()
    assert page.locator(".sidebar .progress").get_attribute("aria-valuenow") == "50"
    assert page.locator("[data-h5p-result]").inner_text().strip() != ""
    frame = page.frame_locator(".h5p-activity iframe[data-h5p-player]").frame_locator("iframe.h5p-iframe")
    frame.get_by_role("radio", name="Yes").wait_for()
    assert frame.get_by_role("radio", name="Yes").get_attribute("aria-checked") == "true"
