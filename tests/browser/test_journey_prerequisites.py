"""Journey 5: a learner who completed the coordinator training enrols in the trainer training; one who
has not is told why on the training page, before clicking, and is refused if they click anyway."""

import pytest

from lms.courses import services as courses
from lms.courses.models import Enrolment, TrainingPrerequisite
from tests.browser.conftest import log_in
from tests.browser.journey import check, person
from tests.factories import UserFactory, build_training

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def trainings(index):
    coordinator = build_training(index, title="Työkykykoordinaattorikoulutus", slug="koordinaattori", lessons=1)
    trainer = build_training(index, title="Kouluttajakoulutus", slug="kouluttaja", lessons=1)
    trainer.prerequisites = [TrainingPrerequisite(required_training=coordinator, sort_order=0)]
    trainer.save_revision().publish()
    return coordinator, trainer


def test_the_trainer_training_is_open_to_coordinators_and_says_why_to_others(platform, page, viewport, trainings):
    coordinator, trainer = trainings
    base = platform
    ready = UserFactory(certificate_name="Kaija Koordinaattori")
    enrolment = courses.enrolment_create(user=ready, training=coordinator)
    courses.lesson_open(enrolment=enrolment, lesson=coordinator.get_descendants().live().last().specific)
    assert Enrolment.objects.get(pk=enrolment.pk).is_completed
    newcomer = UserFactory(certificate_name="Niko Uusi")

    # The newcomer reads, before clicking, what to complete first, with a link to it.
    log_in(page, base, newcomer)
    check(page)
    page.goto(f"{base}{trainer.url}")
    check(page)
    reason = page.locator(".enrol-box p", has=page.get_by_role("link", name="Työkykykoordinaattorikoulutus"))
    assert reason.is_visible()
    assert reason.get_by_role("link").get_attribute("href") == coordinator.url
    page.locator(".enrol-box form button[type=submit]").click()  # clicks anyway
    page.wait_for_load_state()
    check(page, again=True)
    assert page.get_by_role("alert").or_(page.locator(".messages")).first.is_visible()
    assert not Enrolment.objects.filter(user=newcomer, training=trainer).exists()

    # The coordinator enrols and starts.
    coordinator_tab = person(page)
    log_in(coordinator_tab, base, ready)
    check(coordinator_tab)
    coordinator_tab.goto(f"{base}{trainer.url}")
    check(coordinator_tab)
    with coordinator_tab.expect_navigation():
        coordinator_tab.locator(".enrol-box form button[type=submit]").click()
    check(coordinator_tab)
    assert Enrolment.objects.filter(user=ready, training=trainer).exists()
