"""Every key page reflows on a phone (WCAG 1.4.10): at 320 and 390 CSS pixels nothing is wider than
the screen, the header's menu opens and closes from the keyboard, the lesson comes before its outline
and axe-core finds no serious or critical problem."""

import pytest

from lms.courses import services as courses
from lms.courses.models import TrainingIndexPage
from lms.organisations.enums import OrganisationKind, Role, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in
from tests.browser.journey import Hands
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, UserFactory, question, text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [320, 390]
# Long Finnish compounds, as trainers write them: wider than a 320 px screen in a heading's size.
LESSON_TITLE = "Työkykykoordinaattorikoulutuksen ammattikorkeakouluyhteistyösopimusneuvottelut"
MODULE_TITLES = [
    "Työkykykoordinaattorin perusteet",
    "Työkyvyn tuen palvelujärjestelmäkokonaisuus",
    "Ammatillisen kuntoutuksen mahdollisuudet",
    "Työterveyshuoltoyhteistyö",
    "Työhönpaluusuunnitelmat",
    "Oikeudenmukaisuusperiaatteet",
]


@pytest.fixture
def site(homes):
    """A training with six modules (a wide cohort table), a lesson with a long heading, a cohort with a learner."""
    index = homes["fi"].add_child(instance=TrainingIndexPage(title="Koulutukset", slug="koulutukset"))
    training = TrainingPageFactory(
        parent=index, title="Työkykykoordinaattorikoulutus", slug="tyokykykoordinaattori", workload_hours=40
    )
    lessons = []
    for number, title in enumerate(MODULE_TITLES):
        module = ModulePageFactory(parent=training, title=title, slug=f"moduuli-{number}")
        lessons.append(
            LessonPageFactory(
                parent=module,
                title=LESSON_TITLE if number == 0 else f"Oppitunti {number}",
                slug=f"oppitunti-{number}",
                body=[
                    text(f"<p>Työkykykoordinaattorikoulutuksessa opit {title.lower()}. Lue rauhassa.</p>"),
                    *([question("q1", correct=(1,))] if number == 1 else []),
                ],
            )
        )
    organisation = Organisation.objects.create(name="Esimerkin ammattikorkeakoulu", kind=OrganisationKind.UAS)
    staff = UserFactory(certificate_name="Hanna Hallinto")
    Membership.objects.create(organisation=organisation, user=staff, role=Role.ADMIN)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy 2026", study_mode=StudyMode.DEGREE
    )
    learner = UserFactory(certificate_name="Aleksandra Kivimäki-Räsänen")
    CohortLearner.objects.create(cohort=cohort, user=learner, student_number="2026001")
    courses.enrolment_create(user=learner, training=training, invited=True, notify=False)
    return {
        "training": training,
        "lesson": lessons[0],
        "quiz": lessons[1],
        "cohort": cohort,
        "learner": learner,
        "staff": staff,
    }


def fits(page) -> None:
    """Nothing on the page is wider than the screen: no sideways scrolling (WCAG 1.4.10)."""
    page.wait_for_load_state()
    sizes = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert sizes[0] <= sizes[1], f"{page.url} is {sizes[0]} px wide on a {sizes[1]} px screen"
    assert_accessible(page)


def menu_opens_by_keyboard(page) -> None:
    """Tab to the menu button, open it with Enter, Tab into it, close it with Escape."""
    toggle = page.locator("header [data-menu-toggle]")
    first_link = page.locator("#site-menu a").first
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not first_link.is_visible()

    Hands("keyboard").focus(toggle)
    page.keyboard.press("Enter")

    assert toggle.get_attribute("aria-expanded") == "true"
    assert first_link.is_visible()
    fits(page)  # open, too
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('#site-menu') !== null")
    page.keyboard.press("Escape")
    assert toggle.get_attribute("aria-expanded") == "false"
    assert not first_link.is_visible()
    assert page.evaluate("() => document.activeElement.hasAttribute('data-menu-toggle')")


@pytest.mark.parametrize("width", WIDTHS)
def test_public_pages_reflow_and_their_menu_opens_by_keyboard(live_server, page, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    base = live_server.url

    for path in ["/fi/", "/fi/accounts/login/", "/fi/accounts/signup/", site["training"].url, "/fi/ei-tallaista/"]:
        page.goto(f"{base}{path}")
        fits(page)
    menu_opens_by_keyboard(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_a_learners_pages_reflow_with_the_lesson_before_its_outline(live_server, page, site, width):
    base = live_server.url
    log_in(page, base, site["learner"])
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(f"{base}{site['lesson'].url}")
    fits(page)
    lesson = page.locator("#lesson-content").bounding_box()
    outline = page.locator(".sidebar").bounding_box()
    assert lesson["y"] + lesson["height"] <= outline["y"], "the outline comes before the lesson on a phone"
    heading = page.locator("h1").bounding_box()
    assert heading["x"] + heading["width"] <= width

    page.goto(f"{base}/fi/learn/")
    fits(page)
    menu_opens_by_keyboard(page)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_wide_cohort_table_scrolls_in_its_own_box(live_server, page, site, width):
    base = live_server.url
    log_in(page, base, site["staff"])
    page.set_viewport_size({"width": width, "height": 800})

    page.goto(f"{base}/fi/organisation/cohorts/{site['cohort'].pk}/")
    fits(page)

    box = page.locator(".table-scroll:has(.cohort-table)")
    assert box.get_attribute("role") == "region"
    assert box.get_attribute("aria-label")
    assert box.evaluate("el => el.scrollWidth > el.clientWidth"), "the table should be wider than the phone"
    Hands("keyboard").focus(box)  # a keyboard user can reach it, and scroll it with the arrow keys
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.table-scroll:has(.cohort-table)').scrollLeft > 0")


def test_the_skip_link_lands_on_the_lesson(live_server, page, site):
    log_in(page, live_server.url, site["learner"])
    page.goto(f"{live_server.url}{site['lesson'].url}")

    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.classList.contains('skip-link')")
    page.keyboard.press("Enter")

    assert page.evaluate("() => document.activeElement.id") == "lesson-content"


def test_the_result_of_an_answer_takes_the_focus_so_that_a_screen_reader_reads_it(live_server, page, site):
    log_in(page, live_server.url, site["learner"])
    page.goto(f"{live_server.url}{site['quiz'].url}")

    page.get_by_label("Vaihtoehto 0").check()
    page.get_by_role("button", name="Tarkista vastaus").click()

    page.wait_for_function("() => document.activeElement.id === 'q-q1'")
    name = page.evaluate(
        "() => document.getElementById(document.activeElement.getAttribute('aria-labelledby')).textContent"
    )
    assert name.startswith("Ei aivan")  # the result is the focused question's name: a screen reader reads it
    assert_accessible(page)
