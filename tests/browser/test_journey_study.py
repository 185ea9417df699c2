"""Journey 1: a new person signs up, studies Työkyvyn tuki in Swedish, and verifies their certificate.

Signs up, confirms the e-mail, switches to Swedish, enrols, works through a module (text, a
question answered wrongly then rightly, a real H5P activity), leaves, comes back through
*continue where you left off*, completes the training, receives the certificate e-mail,
downloads the PDF and opens its verification link. With a mouse and keyboard-only, at desktop and
phone sizes; axe checks every page on the way.
"""

import re
import uuid

import pytest
from django.core import mail
from django.utils import translation
from pypdf import PdfReader

from lms.courses.enums import CompletionRule
from lms.courses.models import Enrolment, TrainingIndexPage
from lms.h5p import services as h5p
from lms.h5p.models import H5PAttempt
from tests.browser.journey import Expectations, check, eventually, screenshot, visit
from tests.conftest import SHARED
from tests.factories import (
    H5P_INSTALLER,
    LessonPageFactory,
    ModulePageFactory,
    TrainingPageFactory,
    user_with_permissions,
)

PACKAGE = SHARED / "h5p" / "lumi-H5P.TrueFalse.h5p"
PASSWORD = "Hyvä-salasana-2026"
EMAIL = "saga.virtanen@example.com"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.shared("h5p", "lumi-H5P.TrueFalse.h5p"),
]


def text(html: str) -> dict:
    return {"type": "text", "id": str(uuid.uuid4()), "value": html}


def question(block_id: str, prompt: str, options: list[tuple[str, bool, str]]) -> dict:
    """A question block whose options are (text, correct, feedback); the id is the same in every language."""
    items = [
        {"type": "item", "id": str(uuid.uuid4()), "value": {"text": t, "correct": c, "feedback": f}}
        for t, c, f in options
    ]
    return {"type": "question", "id": block_id, "value": {"kind": "single", "prompt": prompt, "options": items}}


def h5p_block(activity) -> dict:
    return {"type": "h5p", "id": str(uuid.uuid4()), "value": {"activity": activity.pk, "title": "", "pass_mark": None}}


LESSONS = {  # key: (rule, {language: (title, slug, body)}); the H5P lesson's body is added below
    "tyokyky": (
        CompletionRule.OPENED,
        {
            "fi": ("Mitä työkyky on?", "mita-tyokyky-on", [text("<p>Työkyky on monen asian summa.</p>")]),
            "sv": ("Vad är arbetsförmåga?", "vad-ar-arbetsformaga", [text("<p>Arbetsförmåga är mycket.</p>")]),
        },
    ),
    "kysymys": (
        CompletionRule.ALL_CORRECT,
        {
            "fi": (
                "Tuen tarve",
                "tuen-tarve",
                [
                    question(
                        "tuen-tarve",
                        "<p>Kuka arvioi työkykyä?</p>",
                        [("Vain lääkäri", False, "Ei vain lääkäri."), ("Moni yhdessä", True, "Aivan, moni yhdessä.")],
                    )
                ],
            ),
            "sv": (
                "Behovet av stöd",
                "behovet-av-stod",
                [
                    question(
                        "tuen-tarve",
                        "<p>Vem bedömer arbetsförmågan?</p>",
                        [
                            ("Bara läkaren", False, "Inte bara läkaren."),
                            ("Många tillsammans", True, "Just det, många tillsammans."),
                        ],
                    )
                ],
            ),
        },
    ),
    "tehtava": (
        CompletionRule.H5P_COMPLETED,
        {"fi": ("Totta vai tarua", "totta-vai-tarua", []), "sv": ("Sant eller falskt", "sant-eller-falskt", [])},
    ),
}


@pytest.fixture
def tyokyvyn_tuki(homes, locales, platform):
    """Työkyvyn tuki in Finnish and Swedish: a module of three lessons (text, question, H5P) and one more."""
    installer = user_with_permissions(*H5P_INSTALLER)
    with PACKAGE.open("rb") as upload:
        activity = h5p.activity_create(upload=upload, title="Totta vai tarua", user=installer)
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(parent=index, title="Työkyvyn tuki", slug="tyokyvyn-tuki")
    first = ModulePageFactory(parent=training, title="Työkyky", slug="tyokyky")
    lessons = []
    for rule, texts in LESSONS.values():
        title, slug, body = texts["fi"]
        body = body or [text("<p>Vastaa väitteeseen.</p>"), h5p_block(activity)]
        lessons.append(LessonPageFactory(parent=first, title=title, slug=slug, completion_rule=rule, body=body))
    second = ModulePageFactory(parent=training, title="Palvelut", slug="palvelut")
    last = LessonPageFactory(parent=second, title="Palvelupolut", slug="palvelupolut", body=[text("<p>Polut.</p>")])

    sv = locales["sv"]
    swedish = training.copy_for_translation(sv, copy_parents=True, alias=False)
    swedish.title, swedish.slug = "Stöd för arbetsförmågan", "stod-for-arbetsformagan"
    swedish.save_revision().publish()
    for module, (title, slug) in ((first, ("Arbetsförmåga", "arbetsformaga")), (second, ("Tjänster", "tjanster"))):
        copy = module.copy_for_translation(sv)
        copy.title, copy.slug = title, slug
        copy.save_revision().publish()
    swedish_lessons = []
    for lesson, (_rule, texts) in zip(lessons, LESSONS.values(), strict=True):
        title, slug, body = texts["sv"]
        copy = lesson.copy_for_translation(sv)
        copy.title, copy.slug = title, slug
        copy.body = body or [text("<p>Svara på påståendet.</p>"), h5p_block(activity)]
        copy.save_revision().publish()
        swedish_lessons.append(copy)
    copy = last.copy_for_translation(sv)
    copy.title, copy.slug, copy.body = "Servicestigar", "servicestigar", [text("<p>Stigar.</p>")]
    copy.save_revision().publish()
    swedish_lessons.append(copy)
    return [type(p).objects.get(pk=p.pk) for p in (swedish, *swedish_lessons)]  # their URLs as published


def h5p_frame(page):
    return page.frame_locator(".h5p-activity iframe[data-h5p-player]").frame_locator("iframe.h5p-iframe")


def in_language(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def test_a_new_person_signs_up_studies_in_swedish_and_verifies_the_certificate(
    platform, page, viewport, hands, tyokyvyn_tuki
):
    _training, opened, asked, played, last = tyokyvyn_tuki
    base = platform
    later = Expectations()

    # A newcomer arrives at the home page and signs up.
    visit(page, f"{base}/fi/")
    screenshot(page, "home")
    hands.click(page.locator("header a[href='/fi/accounts/signup/']"))
    check(page)
    screenshot(page, "signup")
    hands.fill(page.locator("input[name=email]"), EMAIL)
    for name, value in (("first_name", "Saga"), ("last_name", "Virtanen"), ("certificate_name", "Saga Virtanen")):
        if page.locator(f"form input[name={name}]").count():  # the name fields the profile and certificates use
            hands.fill(page.locator(f"form input[name={name}]"), value)
    hands.fill(page.locator("input[name=password1]"), PASSWORD)
    hands.fill(page.locator("input[name=password2]"), PASSWORD)
    hands.click(page.locator("main form button[type=submit]"))
    check(page)

    # The confirmation e-mail names the service, not a host.
    assert len(mail.outbox) == 1
    confirmation = mail.outbox[0].body
    words = re.sub(r"https?://\S+", "", confirmation)  # what it says, without its links
    later.expect("Kyky" in words and "localhost" not in words, f"the e-mail names the service, not a host: {words}")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", confirmation).group(0)
    assert link.startswith(base)
    visit(page, link)
    hands.click(page.locator("main form button[type=submit]"))
    check(page)

    # Swedish, please; then the training from the catalogue.
    hands.click(page.locator("header a[hreflang=sv]"))
    check(page)
    assert page.locator("html").get_attribute("lang") == "sv"
    hands.click(page.locator("header a[href='/sv/']").first)
    check(page)
    hands.click(page.get_by_role("link", name="Stöd för arbetsförmågan").first)
    check(page)
    hands.click(page.locator(".enrol-box form button[type=submit]"))
    page.wait_for_url(f"**{opened.url}")
    check(page)
    assert page.get_by_text("Arbetsförmåga är mycket.").is_visible()

    # The question: wrong first, with feedback, then right.
    hands.click(page.locator("a[rel=next]"))
    page.wait_for_url(f"**{asked.url}")
    check(page)
    hands.choose(page.get_by_label("Bara läkaren"))
    hands.click(page.locator(".question button[type=submit]"))
    page.locator(".question.incorrect").wait_for()
    check(page, again=True)
    screenshot(page, "lesson-feedback", at=page.locator("h1"))
    assert page.get_by_text("Inte bara läkaren.").is_visible()
    hands.choose(page.get_by_label("Många tillsammans"))
    hands.click(page.locator(".question button[type=submit]"))
    page.locator(".question.correct").wait_for()
    check(page, again=True)
    assert page.get_by_text("Just det, många tillsammans.").is_visible()

    # The H5P activity, played in its own origin.
    hands.click(page.locator("a[rel=next]"))
    page.wait_for_url(f"**{played.url}")
    check(page)
    frame = h5p_frame(page)
    hands.press(frame.get_by_role("radio").first)
    hands.click(frame.get_by_role("button", name="Check"), navigates=False)
    eventually(page, H5PAttempt.objects.filter(completed=True, enrolment__user__email=EMAIL).exists)

    # Leaving: the goodbye is in the page's language.
    hands.click(page.locator("header form[action$='/logout/'] button"))
    check(page)
    language = page.locator("html").get_attribute("lang")
    goodbye = page.locator(".messages").inner_text().strip()
    later.expect(goodbye == in_language(language, "You have signed out."), f"{goodbye!r} on a page in {language}")

    # Coming back, in Swedish still: My trainings leads on to the first unfinished lesson, which completes the training.
    visit(page, f"{base}/sv/accounts/login/")
    hands.fill(page.locator("input[name=login]"), EMAIL)
    hands.fill(page.locator("input[name=password]"), PASSWORD)
    hands.click(page.locator("main form button[type=submit]"))
    page.wait_for_url("**/learn/")
    check(page)
    if not later.expect(page.locator("html").get_attribute("lang") == "sv", "Swedish, as chosen, after log-in"):
        hands.click(page.locator("header a[hreflang=sv]"))  # the person chooses again
        check(page)
    hands.click(page.locator(".dashboard-training a.button[href$='/']").last)
    page.wait_for_url(f"**{last.url}")
    check(page)
    assert Enrolment.objects.get(user__email=EMAIL).is_completed

    # The certificate arrives by e-mail, and waits on My trainings as a PDF.
    certificate_mail = mail.outbox[-1]
    assert [name[-4:] for name, _content, _type in certificate_mail.attachments] == [".pdf"]
    hands.click(page.locator("header a[href='/sv/learn/']"))
    check(page)
    screenshot(page, "my-trainings")
    with page.expect_download() as download:
        hands.click(page.locator(".certificate-links a[href$='.pdf']"), navigates=False)
    pdf = PdfReader(download.value.path()).pages[0].extract_text()
    assert "Saga Virtanen" in pdf
    verification = re.search(r"https?://\S+/verify/[\w-]+/", pdf).group(0)
    assert verification.startswith(base)
    assert verification in certificate_mail.body

    # The verification link shows the certificate valid, in the learner's language.
    visit(page, verification)
    screenshot(page, "verify")
    assert page.locator(".verify-result").get_attribute("data-status") == "valid"
    later.expect(page.get_by_text("Stöd för arbetsförmågan").is_visible(), "the training's Swedish name")
    later.expect(page.locator("html").get_attribute("lang") == "sv", "the verification page in Swedish")
    later.assert_met()
