"""Assessed work (issue 12): a learner hands in the development task with a file; the cohort's teacher
returns it with feedback on each criterion; the learner revises and hands it in again; the teacher
approves it with a grade; the training completes and its certificate is issued.

(Training parts, each with its own certificate, are the next step of issue 12; this journey will
then end at the part's certificate.)
"""

import pytest

from lms.assignments.enums import SubmissionStatus
from lms.assignments.models import Submission
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.enums import CompletionRule
from lms.organisations.enums import OrganisationKind, StudyMode
from lms.organisations.models import Cohort, CohortLearner, Organisation
from tests.browser.conftest import log_in
from tests.browser.journey import check, eventually, person
from tests.factories import LessonPageFactory, ModulePageFactory, TrainingPageFactory, UserFactory, assignment, text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TASK = "kehittamistehtava"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def world(index):
    training = TrainingPageFactory(parent=index, title="Työkykykoordinaattorikoulutus", slug="koordinaattori")
    module = ModulePageFactory(parent=training, title="Kehittämistehtävä", slug="kehittamistehtava")
    lesson = LessonPageFactory(
        parent=module,
        title="Oma kehittämistehtävä",
        slug="oma-tehtava",
        completion_rule=CompletionRule.OPENED,
        body=[text(), assignment(TASK, grading="scale_0_5")],
    )
    learner = UserFactory(first_name="Saga", last_name="Virtanen", certificate_name="Saga Virtanen")
    courses.enrolment_create(user=learner, training=training, notify=False)
    organisation = Organisation.objects.create(name="Esimerkin AMK", kind=OrganisationKind.UAS)
    cohort = Cohort.objects.create(
        organisation=organisation, training=training, name="Syksy", study_mode=StudyMode.DEGREE
    )
    teacher = UserFactory(first_name="Tiina", last_name="Opettaja")
    cohort.teachers.add(teacher)
    CohortLearner.objects.create(cohort=cohort, user=learner)
    return {"lesson": lesson, "learner": learner, "teacher": teacher, "training": training}


def test_a_development_task_is_returned_revised_and_approved_with_a_grade(platform, page, viewport, world, tmp_path):
    base, lesson = platform, world["lesson"]
    plan = tmp_path / "suunnitelma.pdf"
    plan.write_bytes(PDF)

    # The learner writes, attaches the plan and submits.
    log_in(page, base, world["learner"])
    check(page)
    page.goto(f"{base}{lesson.url}")
    check(page)
    section = page.locator(f"#a-{TASK}")
    section.get_by_label("Your answer").or_(section.locator("textarea")).first.fill("Tiimimme työkyvyn tuen malli.")
    section.locator("input[type=file]").set_input_files(str(plan))
    with page.expect_navigation():
        section.locator("button[value=submit]").click()
    check(page, again=True)
    assert Submission.objects.get().status == SubmissionStatus.SUBMITTED

    # The teacher finds it in the queue, claims it and returns it with a level for each criterion.
    teacher = person(page)
    log_in(teacher, base, world["teacher"])
    check(teacher)
    teacher.goto(f"{base}/fi/reviews/")
    check(teacher)
    with teacher.expect_navigation():
        teacher.get_by_role("link", name="Saga Virtanen").click()
    check(teacher)
    with teacher.expect_navigation():
        teacher.locator("button[value=claim]").click()
    check(teacher, again=True)
    for criterion in range(2):
        teacher.locator(f"input[name=score-{criterion}][value='0']").check()
    teacher.locator("#feedback").fill("Lisää mittarit, joilla seuraatte työkyvyn tukea.")
    teacher.locator("input[name=decision][value=return]").check()
    with teacher.expect_navigation():
        teacher.locator("button[value=decide]").click()
    check(teacher, again=True)

    # The learner reads the feedback on the lesson page, revises and submits again.
    page.goto(f"{base}{lesson.url}")
    check(page, again=True)
    assert page.get_by_text("Lisää mittarit, joilla seuraatte työkyvyn tukea.").is_visible()
    section = page.locator(f"#a-{TASK}")
    section.locator("textarea").fill("Tiimimme työkyvyn tuen malli ja sen mittarit.")
    with page.expect_navigation():
        section.locator("button[value=submit]").click()
    check(page, again=True)

    # The teacher approves the second round with a grade.
    second = Submission.objects.get(round=2)
    teacher.goto(f"{base}/fi/reviews/{second.pk}/")
    check(teacher, again=True)
    with teacher.expect_navigation():
        teacher.locator("button[value=claim]").click()
    for criterion in range(2):
        teacher.locator(f"input[name=score-{criterion}][value='2']").check()
    teacher.locator("#grade").select_option("4")
    teacher.locator("input[name=decision][value=approve]").check()
    with teacher.expect_navigation():
        teacher.locator("button[value=decide]").click()
    check(teacher, again=True)

    # Approval completed the lesson and the training: the certificate is issued.
    second.refresh_from_db()
    assert (second.status, second.grade) == (SubmissionStatus.APPROVED, 4)
    eventually(page, Certificate.objects.filter(enrolment__user=world["learner"]).exists)
    page.goto(f"{base}/fi/learn/")
    check(page, again=True)
    assert page.locator(".certificate-links").is_visible()
