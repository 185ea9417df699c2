"""A person signs up, confirms their e-mail, enrols, answers a question and sees progress move."""

import re

import pytest
from django.core import mail

from lms.courses.enums import CompletionRule
from lms.courses.models import LessonProgress, TrainingIndexPage
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, question, text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def course(homes):
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, title="Työkyvyn tuki", slug="tyokyvyn-tuki")
    module = ModulePageFactory(parent=training, title="Työkyky", slug="tyokyky")
    first = LessonPageFactory(
        parent=module,
        title="Mitä työkyky on?",
        slug="mita-tyokyky-on",
        completion_rule=CompletionRule.ALL_CORRECT,
        body=[text("<p>Työkyky on monen asian summa.</p>"), question("q1", correct=(1,))],
    )
    LessonPageFactory(parent=module, title="Toinen", slug="toinen", body=[text()])
    return training, first


def test_sign_up_confirm_enrol_answer_and_see_progress(live_server, settings, page, course):
    training, first = course
    base = live_server.url
    settings.WAGTAILADMIN_BASE_URL = base  # the public address the e-mail's link is built from

    page.goto(f"{base}/fi/accounts/signup/")
    page.fill("input[name=email]", "uusi.oppija@example.com")
    page.fill("input[name=first_name]", "Uusi")
    page.fill("input[name=last_name]", "Oppija")
    page.fill("input[name=password1]", "Hyvä-salasana-2026")
    page.fill("input[name=password2]", "Hyvä-salasana-2026")
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    page.goto(link)
    page.click("form button[type=submit]")
    page.wait_for_load_state()

    page.goto(f"{base}{training.url}")
    page.get_by_role("button", name="Ilmoittaudu").click()
    page.wait_for_url(f"**{first.url}")
    assert page.locator(".sidebar .progress").get_attribute("aria-valuenow") == "0"
    assert page.get_by_text("Työkyky on monen asian summa.").is_visible()

    page.get_by_label("Vaihtoehto 0").check()
    page.get_by_role("button", name="Tarkista vastaus").click()
    page.wait_for_load_state()
    assert page.get_by_text("Palaute 0").is_visible()
    assert page.locator(".sidebar .progress").get_attribute("aria-valuenow") == "0"

    page.get_by_label("Vaihtoehto 1").check()
    page.get_by_role("button", name="Vastaa uudelleen").click()
    page.wait_for_load_state()
    assert page.locator(".question .result").inner_text().startswith("Oikein")
    assert page.locator("[data-testid=lesson-completed]").is_visible()
    assert page.locator(".sidebar .progress").get_attribute("aria-valuenow") == "50"

    page.goto(f"{base}/fi/learn/")
    assert page.locator(".dashboard-training .progress").first.get_attribute("aria-valuenow") == "50"
    assert page.get_by_role("link", name=re.compile("Jatka")).is_visible()
    progress = LessonProgress.objects.get(enrolment__user__email="uusi.oppija@example.com")
    assert progress.answers["q1"]["correct"] is True
