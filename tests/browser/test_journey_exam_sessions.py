"""Issue 13: a learner answers the start self-assessment, fails the module exam, waits, passes a second
attempt drawn from questions they had not seen, checks in to a contact session under way with the code
the teacher shows, answers the end self-assessment and sees their own before/after. The part completes.
Every page on the way passes axe, on a desktop and on a phone.
"""

import datetime
from decimal import Decimal

import pytest
from django.utils import formats, timezone, translation

from lms.courses.models import PartCompletion
from lms.exams.models import ExamAttempt
from lms.exams.services import HELSINKI
from lms.schedule.enums import AttendanceStatus
from lms.schedule.models import Attendance
from lms.selfassessment.enums import Phase
from lms.selfassessment.models import Response
from tests.browser.conftest import log_in
from tests.browser.journey import Expectations, Hands, check, eventually
from tests.exams.factories import exam, question_pool, single
from tests.factories import (
    LessonPageFactory,
    ModulePageFactory,
    PartPageFactory,
    TrainingPageFactory,
    UserFactory,
    text,
)
from tests.schedule.factories import attendance_block, cohort_with, session_for
from tests.selfassessment.factories import OUTCOMES, self_assessment_block, self_assessment_create, statement_ids

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PART = "Osa 1: Työkyvyn tuki työpaikalla"
WAIT = 30  # minutes between a failed attempt and the next
BEFORE, AFTER = [2, 1, 3], [4, 4, 3]  # the learner's values per statement, at the start and at the end
# The pool: six single-choice questions, (id, prompt, options, the right option's index).
QUESTIONS = [
    ("k1", "Kuka käynnistää työkyvyn tuen prosessin?", ["Esihenkilö", "Kela", "Työterveyshuolto"], 0),
    ("k2", "Milloin työterveysneuvottelu pidetään?", ["Vasta sairausloman jälkeen", "Kun työkyky on uhattuna"], 1),
    ("k3", "Mikä on 30-60-90-säännön 90?", ["Lomapäivien määrä", "Koeajan pituus", "Sairauspäivärahapäivät"], 2),
    ("k4", "Kuka tekee päätöksen ammatillisesta kuntoutuksesta?", ["Työnantaja", "Kela tai työeläkeyhtiö"], 1),
    ("k5", "Mikä on osasairauspäiväraha?", ["Osa-aikatyön tuki sairauden aikana", "Lomaraha", "Palkanlisä"], 0),
    ("k6", "Mitä työkokeilu tarkoittaa?", ["Rekrytointitestiä", "Harjoittelijan palkkaa", "Työn kokeilua tuettuna"], 2),
]
RIGHT = {qid: options[correct] for qid, _prompt, options, correct in QUESTIONS}
WRONG = {qid: options[correct - 1] for qid, _prompt, options, correct in QUESTIONS}


def pool_questions() -> list[dict]:
    blocks = []
    for qid, prompt, options, correct in QUESTIONS:
        block = single(qid, correct=correct, options=len(options), prompt=f"<p>{prompt}</p>")
        for item, wording in zip(block["value"]["options"], options, strict=True):
            item["value"]["text"] = wording
        blocks.append(block)
    return blocks


@pytest.fixture
def world(index):
    """One part, one module: the start self-assessment, the exam, the contact session, the end self-assessment;
    every block required. The learner is in a cohort whose session started 10 minutes ago."""
    assessment = self_assessment_create()
    pool = question_pool(*pool_questions())
    training = TrainingPageFactory(
        parent=index, title="Työkykykoordinaattorikoulutus", slug="koordinaattori", ects_credits=Decimal("2")
    )
    part = PartPageFactory(parent=training, title=PART, slug="osa-1", ects_credits=Decimal("2"))
    module = ModulePageFactory(parent=part, title="Työkyvyn tuen prosessi", slug="prosessi")
    start = LessonPageFactory(
        parent=module,
        title="Aluksi: itsearviointi",
        slug="aluksi",
        body=[text(), self_assessment_block(assessment, Phase.START, block_id="alku")],
    )
    exam_lesson = LessonPageFactory(
        parent=module,
        title="Moduulin tentti",
        slug="tentti",
        body=[
            text(),
            exam(
                "tentti", pools=[pool], questions_per_attempt=3, pass_percent=100, wait_minutes=WAIT, review="feedback"
            ),
        ],
    )
    meeting = LessonPageFactory(
        parent=module, title="Lähiopetuspäivä", slug="lahiopetus", body=[text(), attendance_block(1)]
    )
    end = LessonPageFactory(
        parent=module,
        title="Lopuksi: itsearviointi",
        slug="lopuksi",
        body=[text(), self_assessment_block(assessment, Phase.END, block_id="loppu")],
    )
    learner = UserFactory(first_name="Saga", last_name="Virtanen")
    teacher = UserFactory(first_name="Tiina", last_name="Opettaja")
    cohort = cohort_with(training, learners=[learner], teachers=[teacher])
    session = session_for(
        training, cohort=cohort, starts_in=datetime.timedelta(minutes=-10), by=teacher, title="Työkyvyn tuen työpaja"
    )
    return {
        "training": training,
        "part": part,
        "assessment": assessment,
        "lessons": (start, exam_lesson, meeting, end),
        "learner": learner,
        "session": session,
    }


def answer_self_assessment(page, hands, block_id: str, values: list[int]) -> None:
    """Choose a value for each statement (in the page's order) and save."""
    form = page.locator(f"#sa-{block_id} form")
    groups = form.locator("fieldset")
    assert groups.count() == len(values)
    for n, value in enumerate(values):
        hands.choose(groups.nth(n).locator(f"input[type=radio][value='{value}']"))
    hands.click(form.locator("button[type=submit]"))
    check(page, again=True)


def choose(page, qid: str, option: str) -> None:
    """Choose ``option`` (found by its text: the page shuffles the options) and wait until the page's
    script has saved it."""
    page.locator(f"#q-{qid}").get_by_role("radio", name=option, exact=True).check()
    expect_saved = page.locator(f"#q-{qid} [data-save-status]")
    eventually(page, lambda: expect_saved.inner_text() == "Vastaus tallennettu.")


def drawn(attempt: ExamAttempt) -> list[str]:
    return [entry["question"] for entry in attempt.questions]


def submit_attempt(page) -> None:
    """ "Submit the attempt…" (which also saves the form), then confirm on the confirmation page."""
    with page.expect_navigation():
        page.locator("form[data-exam-form] button[value=submit]").click()
    check(page)
    assert page.get_by_role("heading", level=1).inner_text() == "Palautetaanko suorituskerta?"
    assert not page.get_by_test_id("unanswered").count(), "every question was answered"
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    check(page, again=True)


def test_a_learner_fails_waits_passes_checks_in_and_sees_their_before_and_after(platform, page, viewport, world):
    base, noted = platform, Expectations()
    mouse, keyboard = Hands("mouse"), Hands("keyboard")
    start, exam_lesson, meeting, end = world["lessons"]
    learner, session = world["learner"], world["session"]

    # The start self-assessment, from the keyboard.
    log_in(page, base, learner)
    check(page)
    page.goto(f"{base}{start.url}")
    check(page)
    answer_self_assessment(page, keyboard, "alku", BEFORE)
    assert page.get_by_test_id("self-assessment-answered").is_visible()
    response = Response.objects.get(phase=Phase.START)
    assert response.answers == dict(zip(statement_ids(world["assessment"]), BEFORE, strict=True))

    # The exam: the first attempt.
    page.goto(f"{base}{exam_lesson.url}")
    check(page)
    with page.expect_navigation():
        page.locator("#exam-tentti button[type=submit]").click()
    check(page)
    first = ExamAttempt.objects.get()
    first_questions = drawn(first)
    assert len(first_questions) == 3
    assert page.locator("section.question[data-question]").count() == 3

    # One wrong answer saved as it is chosen; the attempt survives a reload with it.
    choose(page, first_questions[0], WRONG[first_questions[0]])
    eventually(page, lambda: first_questions[0] in ExamAttempt.objects.get(pk=first.pk).answers)
    page.reload()
    check(page, again=True)
    assert page.locator(f"#q-{first_questions[0]}").get_by_role("radio", name=WRONG[first_questions[0]]).is_checked()
    assert page.locator("input[type=radio]:checked").count() == 1

    # The rest wrong too, on purpose; submitted; the result says it failed.
    for qid in first_questions[1:]:
        choose(page, qid, WRONG[qid])
    submit_attempt(page)
    first.refresh_from_db()
    assert (first.score, first.passed) == (0, False)
    assert page.get_by_test_id("exam-score").inner_text() == "0 % – Hylätty: hyväksymisraja on 100 %."
    noted.expect(page.locator("section.question.incorrect").count() == 3, "the result marks each answer wrong")

    # Back on the lesson: the attempt in the table, and when the next one may start.
    with page.expect_navigation():
        page.locator("main a.button").filter(has_text="Takaisin oppitunnille").click()
    check(page, again=True)
    with translation.override("fi"):
        again = formats.date_format(
            timezone.localtime(first.submitted_at + datetime.timedelta(minutes=WAIT), HELSINKI),
            "SHORT_DATETIME_FORMAT",
        )
    assert page.get_by_test_id("exam-refusal").inner_text() == f"Voit aloittaa uuden suorituskerran {again}."
    assert not page.locator("#exam-tentti button[type=submit]").count()
    noted.expect(
        "0 % – hylätty" in page.locator("#exam-tentti table.exam-attempts").inner_text(), "the failed attempt is listed"
    )

    # The wait passes: the first attempt moved back by the wait stands for the half hour going by.
    ExamAttempt.objects.filter(pk=first.pk).update(
        started_at=first.started_at - datetime.timedelta(minutes=WAIT),
        submitted_at=first.submitted_at - datetime.timedelta(minutes=WAIT),
    )
    page.reload()
    check(page, again=True)
    assert not page.get_by_test_id("exam-refusal").count()

    # The second attempt: questions the learner has not seen (6 in the pool, 3 an attempt); all right.
    with page.expect_navigation():
        page.locator("#exam-tentti button[type=submit]").click()
    check(page)
    second = ExamAttempt.objects.get(number=2)
    second_questions = drawn(second)
    assert len(second_questions) == 3
    assert not set(second_questions) & set(first_questions), "the second attempt draws unseen questions first"
    shown = [page.locator(f"#q-{qid}") for qid in second_questions]
    assert all(section.count() == 1 for section in shown)
    for qid in second_questions:
        choose(page, qid, RIGHT[qid])
    submit_attempt(page)
    second.refresh_from_db()
    assert (second.score, second.passed) == (100, True)
    assert page.get_by_test_id("exam-score").inner_text() == "100 % – Hyväksytty."
    page.goto(f"{base}{exam_lesson.url}")
    check(page, again=True)
    noted.expect(
        page.locator("#exam-tentti .notice.ok").inner_text() == "Olet läpäissyt tämän tentin.",
        "the lesson says the exam is passed",
    )
    noted.expect(page.get_by_test_id("exam-best").inner_text() == "100 %", "the best result is 100 %")

    # The contact session under way: the teacher shows its code; a mistyped one is refused, the right
    # one (typed in lower case, with a space, as people type what they read) checks the learner in.
    page.goto(f"{base}/fi/learn/")
    check(page)
    code = session.checkin_code
    mistyped = code[:-1] + ("C" if code[-1] != "C" else "D")
    keyboard.fill(page.locator(f"#code-{session.pk}"), mistyped)
    keyboard.click(page.locator(f"form:has(#code-{session.pk}) button[type=submit]"))
    check(page, again=True)
    assert "Koodi ei ole tämän lähiopetuskerran koodi" in page.locator(".message.error").inner_text()
    assert not Attendance.objects.filter(session=session).exists()
    keyboard.fill(page.locator(f"#code-{session.pk}"), f"{code[:3].lower()} {code[3:].lower()}")
    keyboard.click(page.locator(f"form:has(#code-{session.pk}) button[type=submit]"))
    check(page, again=True)
    assert page.locator(".message.success").inner_text() == "Olet kirjautunut paikalle. Tervetuloa!"
    assert Attendance.objects.get(session=session, user=learner).status == AttendanceStatus.PRESENT
    assert not page.locator(f"#code-{session.pk}").count(), "no check-in form once checked in"

    # The lesson of the session counts the attendance.
    page.goto(f"{base}{meeting.url}")
    check(page)
    noted.expect(
        "Osallistunut 1 / 1 lähiopetuskertaan." in page.locator("section.attendance").inner_text(),
        "the attendance block counts the session",
    )

    # The end self-assessment, with the mouse: the block shows the before/after.
    page.goto(f"{base}{end.url}")
    check(page)
    answer_self_assessment(page, mouse, "loppu", AFTER)
    assert Response.objects.filter(phase=Phase.END).count() == 1
    block_rows = page.locator("#sa-loppu table tbody tr")
    noted.expect(block_rows.count() == len(OUTCOMES), "the end block shows the before/after table")

    # The part is complete.
    eventually(page, PartCompletion.objects.filter(part_key=world["part"].translation_key).exists)
    page.goto(f"{base}{world['part'].url}")
    check(page)
    status = page.get_by_test_id("part-status")
    assert status.locator(".badge.completed").inner_text() == "Hyväksytty"

    # The learner's own page: each statement at the start, at the end, and the change.
    page.goto(f"{base}{end.url}")
    with page.expect_navigation():
        page.get_by_role("link", name="Kaikki itsearviointisi tässä koulutuksessa").click()
    check(page)
    rows = page.locator("main table tbody tr")
    assert rows.count() == len(OUTCOMES)
    seen = [
        [rows.nth(n).locator("th").inner_text(), *rows.nth(n).locator("td").all_inner_texts()]
        for n in range(rows.count())
    ]
    expected = [
        [statement_text, outcome, str(before), str(after), f"{after - before:+d}".replace("+0", "0")]
        for (outcome, statement_text), before, after in zip(OUTCOMES, BEFORE, AFTER, strict=True)
    ]
    assert seen == expected
    noted.assert_met()
