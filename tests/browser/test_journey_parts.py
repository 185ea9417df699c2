"""Training parts (issue 12): the coordinator training in two parts of 5 credits each, Part 1 graded 0-5
with the development task. A learner in a UAS cohort hands the task in with a file; the cohort's teacher
returns it with a level for each rubric criterion; the learner revises it; the teacher approves it with
grade 4. Part 1 completes, its certificate is issued, and its Open Badges credential (downloaded from My
trainings) names the part, its 5 credits and the grade 4. Every page on the way passes axe.
"""

import json
from decimal import Decimal

import pytest

from lms.assignments import services as assignments
from lms.assignments.enums import Decision, SubmissionStatus
from lms.assignments.models import Submission
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.enums import CompletionRule, Grading
from lms.courses.models import PartCompletion
from lms.organisations.enums import OrganisationKind, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Organisation
from tests.browser.accessibility import assert_accessible
from tests.browser.conftest import log_in
from tests.browser.journey import Expectations, check, eventually, person, tab_close, tab_open
from tests.factories import (
    LessonPageFactory,
    ModulePageFactory,
    PartPageFactory,
    TrainingPageFactory,
    UserFactory,
    assignment,
    text,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "kehittamistehtava"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
FIRST = "Osa 1: Työkyvyn tuki työpaikalla"
SECOND = "Osa 2: Työhönpaluu ja ammatillinen kuntoutus"
FEEDBACK = "Lisää mittarit, joilla seuraatte työkyvyn tukea."


def coordinator_training(index):
    """Two parts of 5 credits, each backed by 135 hours of designed work (27 h a credit).

    Part 1, graded 0-5, holds the development task: a 60-minute lesson with a 134-hour assignment.
    Part 2, pass/fail, holds a 90-minute lesson with a 133.5-hour case assignment.
    """
    training = TrainingPageFactory(
        parent=index, title="Työkykykoordinaattorikoulutus", slug="koordinaattori", ects_credits=Decimal("10")
    )
    first = PartPageFactory(
        parent=training,
        title=FIRST,
        slug="osa-1",
        intro="Työkyvyn tuen prosessi ja oma kehittämistehtävä.",
        ects_credits=Decimal("5"),
        grading=Grading.SCALE_0_5,
        learning_outcomes=[("outcome", "Osaat kuvata työkyvyn tuen prosessin omassa organisaatiossasi.")],
    )
    task = LessonPageFactory(
        parent=ModulePageFactory(parent=first, title="Kehittämistehtävä", slug="kehittamistehtava"),
        title="Oma kehittämistehtävä",
        slug="oma-tehtava",
        completion_rule=CompletionRule.OPENED,
        estimated_minutes=60,
        body=[text(), assignment(TASK, grading="scale_0_5", estimated_hours="134.0")],
    )
    second = PartPageFactory(parent=training, title=SECOND, slug="osa-2", ects_credits=Decimal("5"))
    LessonPageFactory(
        parent=ModulePageFactory(parent=second, title="Työhönpaluun tuki", slug="tyohonpaluu"),
        title="Tapaustehtävä",
        slug="tapaustehtava",
        estimated_minutes=90,
        body=[text(), assignment("tapaus", estimated_hours="133.5")],
    )
    return training, first, second, task


@pytest.fixture
def world(index):
    training, first, _second, task = coordinator_training(index)
    learner = UserFactory(first_name="Saga", last_name="Virtanen", certificate_name="Saga Virtanen")
    courses.enrolment_create(user=learner, training=training, notify=False)
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy", study_mode=StudyMode.DEGREE
    )
    teacher = UserFactory(first_name="Tiina", last_name="Opettaja")
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    return {"training": training, "first": first, "task": task, "learner": learner, "teacher": teacher}


def assert_no_sideways_scrolling(page) -> None:
    """Nothing on the page is wider than the screen (WCAG 1.4.10 asks this down to 320 px)."""
    width, screen = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= screen, f"{page.url} is {width} px wide on a {screen} px screen"


def decide(teacher, *, level: str, decision: str, feedback: str = "", grade: str = "") -> None:
    """Claim the submission shown, score each of the rubric's two criteria at ``level`` and decide."""
    with teacher.expect_navigation():
        teacher.locator("button[value=claim]").click()
    check(teacher, again=True)
    for criterion in range(2):
        teacher.locator(f"input[name=score-{criterion}][value='{level}']").check()
    if feedback:
        teacher.locator("#feedback").fill(feedback)
    if grade:
        teacher.locator("#grade").select_option(grade)
    teacher.locator(f"input[name=decision][value={decision}]").check()
    with teacher.expect_navigation():
        teacher.locator("button[value=decide]").click()
    check(teacher, again=True)


def test_the_development_task_approved_with_grade_4_earns_the_part_its_certificate_and_credential(
    platform, page, viewport, world, tmp_path
):
    base, task, first = platform, world["task"], world["first"]
    noted = Expectations()
    plan = tmp_path / "suunnitelma.pdf"
    plan.write_bytes(PDF)

    # The learner sees the training in its two parts, each with its credits, and opens Part 1.
    log_in(page, base, world["learner"])
    check(page)
    page.goto(f"{base}{world['training'].url}")
    check(page)
    assert_no_sideways_scrolling(page)
    assert page.locator("ol.parts > li.part").count() == 2
    noted.expect(page.get_by_test_id("credits").inner_text() == "10 op", "the training states its 10 credits")
    page.goto(f"{base}{first.url}")
    check(page)
    assert_no_sideways_scrolling(page)
    noted.expect(page.get_by_test_id("part-credits").inner_text() == "5 op", "Part 1 states its 5 credits")
    noted.expect(page.get_by_test_id("part-workload").inner_text() == "135 h", "Part 1 shows its 135 hours")
    noted.expect(page.locator("ol.parts > li.part.current").count() == 1, "the outline marks the part shown")

    # The learner writes, attaches the plan and submits.
    page.goto(f"{base}{task.url}")
    check(page)
    section = page.locator(f"#a-{TASK}")
    section.locator("textarea").fill("Tiimimme työkyvyn tuen malli.")
    section.locator("input[type=file]").set_input_files(str(plan))
    with page.expect_navigation():
        section.locator("button[value=submit]").click()
    check(page, again=True)
    first_round = Submission.objects.get()
    assert first_round.status == SubmissionStatus.SUBMITTED
    assert first_round.files.count() == 1

    # The cohort's teacher finds it in the queue and returns it: the weakest level on each criterion.
    teacher = person(page)
    log_in(teacher, base, world["teacher"])
    check(teacher)
    teacher.goto(f"{base}/fi/reviews/")
    check(teacher)
    with teacher.expect_navigation():
        teacher.get_by_role("link", name="Saga Virtanen").click()
    check(teacher)
    noted.expect(teacher.get_by_role("link", name="suunnitelma.pdf").is_visible(), "the teacher sees the plan")
    decide(teacher, level="0", decision="return", feedback=FEEDBACK)
    first_round.refresh_from_db()
    assert first_round.status == SubmissionStatus.RETURNED

    # The learner reads the feedback, criterion by criterion, on the lesson page and submits again.
    page.goto(f"{base}{task.url}")
    check(page, again=True)
    section = page.locator(f"#a-{TASK}")
    assert section.get_by_text(FEEDBACK).is_visible()
    scores = section.locator("table.rubric-scores tbody tr")
    assert scores.count() == 2
    noted.expect(
        [scores.nth(n).locator("td").inner_text() for n in range(2)] == ["Puutteellinen", "Puutteellinen"],
        "the learner sees the level given on each criterion",
    )
    section.locator("textarea").fill("Tiimimme työkyvyn tuen malli ja sen mittarit.")
    with page.expect_navigation():
        section.locator("button[value=submit]").click()
    check(page, again=True)

    # The teacher approves the second round with grade 4.
    second_round = Submission.objects.get(round=2)
    teacher.goto(f"{base}/fi/reviews/{second_round.pk}/")
    check(teacher, again=True)
    decide(teacher, level="2", decision="approve", grade="4")
    second_round.refresh_from_db()
    assert (second_round.status, second_round.grade) == (SubmissionStatus.APPROVED, 4)

    # Part 1 completed with grade 4 and its own certificate; the training as a whole did not.
    eventually(page, Certificate.objects.filter(enrolment__user=world["learner"]).exists)
    certificate = Certificate.objects.get(enrolment__user=world["learner"])
    assert certificate.part_key == first.translation_key
    assert PartCompletion.objects.get().grade == "4"
    assert certificate.enrolment.completed_at is None, "Part 2 is still to do"

    # The part page shows the grade, the certificate and its credential.
    page.goto(f"{base}{first.url}")
    check(page, again=True)
    assert_no_sideways_scrolling(page)
    status = page.get_by_test_id("part-status")
    noted.expect("4" in status.locator(".badge.completed").inner_text(), "the part page shows grade 4")
    assert status.get_by_test_id("part-certificate").get_attribute("href").endswith(f"/{certificate.code}.pdf")
    noted.expect(
        status.get_by_test_id("part-credential").get_attribute("href").endswith(f"/{certificate.code}.json"),
        "the part page links the part's credential",
    )

    # My trainings shows Part 1 with its grade and links; the credential downloads from its link.
    page.goto(f"{base}/fi/learn/")
    check(page, again=True)
    assert_no_sideways_scrolling(page)
    part_row = page.get_by_test_id("parts").locator("li").filter(has=page.get_by_role("link", name=FIRST))
    noted.expect("4" in part_row.locator(".badge.completed").inner_text(), "My trainings shows grade 4")
    credential_link = part_row.locator(f"a[href$='/{certificate.code}.json']")
    with page.expect_download() as download:
        credential_link.click()
    credential = json.loads(download.value.path().read_text(encoding="utf-8"))
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["name"] == f"Työkykykoordinaattorikoulutus: {FIRST}"
    assert achievement["id"].endswith(f"/parts/{first.translation_key}")
    assert achievement["creditsAvailable"] == 5
    assert [result.get("value") for result in credential["credentialSubject"]["result"]] == ["4"]
    noted.expect(credential["name"] == achievement["name"], "the credential is named for the part")
    noted.assert_met()


def fits(page) -> None:
    """Nothing on the page is wider than the screen (WCAG 1.4.10), and axe finds nothing."""
    page.wait_for_load_state()
    assert_no_sideways_scrolling(page)
    assert_accessible(page)


@pytest.fixture
def finished_part(world):
    """Part 1 approved with grade 4 and its certificate issued: every widget of a part on show."""
    enrolment = world["learner"].enrolments.get()
    key = world["task"].translation_key
    assignments.draft_save(enrolment=enrolment, lesson_key=key, block_id=TASK, text="Tiimimme työkyvyn tuen malli.")
    submission = assignments.submission_submit(enrolment=enrolment, lesson_key=key, block_id=TASK)
    assignments.review_decide(
        reviewer=world["teacher"],
        submission_id=submission.pk,
        decision=Decision.APPROVE,
        feedback=FEEDBACK,
        scores={"0": "2", "1": "1"},
        grade=4,
    )
    assert Certificate.objects.filter(enrolment=enrolment, part_key=world["first"].translation_key).exists()
    return world


def test_the_part_page_its_outline_and_my_trainings_fit_a_320_px_screen(platform, browser, finished_part):
    base = platform
    page = tab_open(browser)
    page.set_viewport_size({"width": 320, "height": 640})
    try:
        log_in(page, base, finished_part["learner"])
        for url in (finished_part["first"].url, finished_part["training"].url, "/fi/learn/"):
            page.goto(f"{base}{url}")
            fits(page)
    finally:
        problems = tab_close(page)
    assert not problems, "\n".join(problems)
