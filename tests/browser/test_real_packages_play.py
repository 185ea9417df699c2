"""Every real third-party package still plays after its content was filtered and moved to the player's origin."""

import pytest

from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.courses.models import TrainingIndexPage
from lms.h5p import services
from tests.browser.conftest import log_in
from tests.conftest import SHARED
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    user_with_permissions,
)

# Packages that no H5P host can start, whatever Kyky does: said why, and checked to stay that way.
UNPLAYABLE = {
    # Its library is H5P.GreetingCard1, but its script defines H5P.GreetingCard: H5P finds no constructor.
    "lumi-greetingcard1",
}
# Script errors that are the packages' own, not the player's: each matched by what it says.
KNOWN_ERRORS = {
    # H5P's core subscribes to the instance lumi-greetingcard1 could not create.
    "reading 'on')\n    at e.on": "lumi-greetingcard1 has no constructor",
    # Interactive Video's state, asked for while its video (on h5p.org) cannot load offline.
    "reading 'play')\n    at i.getCurrentState": "the Interactive Video's video is on the internet",
}
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.shared("h5p")]


def test_every_real_package_plays_in_the_isolated_player(homes, platform, page, learner):
    admin = user_with_permissions(*H5P_INSTALLER)
    activities = []
    for path in sorted((SHARED / "h5p").glob("*.h5p")):
        with path.open("rb") as upload:
            activities.append(services.activity_create(upload=upload, title=path.stem, user=admin))
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, slug="kaikki")
    module = ModulePageFactory(parent=training, slug="moduuli")
    lesson = LessonPageFactory(
        parent=module,
        slug="kaikki-tehtavat",
        completion_rule=CompletionRule.OPENED,
        body=[{"type": "h5p", "value": {"activity": a.pk, "title": "", "pass_mark": None}} for a in activities],
    )
    LessonPageFactory(parent=module, slug="seuraava")
    courses.enrolment_create(user=learner, training=training)
    errors = []
    page.on("pageerror", lambda error: errors.append(error.stack))
    # A package that loads a web font script over plain HTTP: the player's policy refuses it, as it should.
    page.csp_expected = ("http://ajax.googleapis.com/",)
    log_in(page, platform, learner)
    page.goto(f"{platform}{lesson.url}")

    silent = []
    for activity in activities:
        player = page.frame_locator(f"[data-activity-id='{activity.pk}'] iframe[data-h5p-player]")
        player.locator("iframe.h5p-iframe").wait_for(state="attached", timeout=30_000)
        content = player.frame_locator("iframe.h5p-iframe").locator(".h5p-content.h5p-initialized")
        content.wait_for(state="attached", timeout=30_000)
        if content.locator(".h5p-container > *").count() == 0:
            silent.append(activity.title)
    assert set(silent) == UNPLAYABLE
    assert [error for error in errors if not any(known in error for known in KNOWN_ERRORS)] == []
