"""Doing what a lesson asks, through the services a learner's and a teacher's actions reach.

Tests over the real trainings in ``content/`` (the language crawl, the content import) complete
them as a learner would: answer the questions, write the reflections, pass the exams, answer the
self-assessment, attend the contact sessions and have the assignments approved. Each requirement
goes through its own app's service, so a change in any of them that blocks completion fails here.

    teacher = teaching(training, learner)            # a cohort with the learner and a teacher
    for node in structure_for(training).lessons:
        study(enrolment, node, teacher=teacher)
"""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from lms.assignments import services as assignments
from lms.assignments.enums import Decision, HandIn
from lms.courses import services as courses
from lms.courses.models import LessonPage
from lms.exams import services as exams
from lms.exams.enums import QuestionType
from lms.exams.selectors import exam_for
from lms.organisations.enums import OrganisationKind
from lms.organisations.models import Organisation
from lms.schedule import services as schedule
from lms.selfassessment import services as selfassessment
from tests.factories import UserFactory
from tests.schedule.factories import cohort_with


def teaching(training, learner):
    """A teacher of a cohort of ``training`` that ``learner`` (already enrolled) is in, at a university
    named in every language (pages in Swedish and English show its name)."""
    teacher = UserFactory(certificate_name="Tero Opettaja")
    university = Organisation.objects.create(
        name="Harjoitusammattikorkeakoulu",
        name_sv="Övningsyrkeshögskolan",
        name_en="Practice University of Applied Sciences",
        kind=OrganisationKind.UAS,
    )
    cohort_with(training, learners=[learner], teachers=[teacher], org=university, enrol=False, name="KOORD-26")
    return teacher


def study(enrolment, node, *, right: bool = True, teacher=None) -> None:
    """Open the lesson ``node`` and answer its questions (rightly or wrongly) and reflection tasks;
    with ``teacher`` (see ``teaching``), also meet its exams, self-assessments, sessions and assignments."""
    lesson = LessonPage.objects.get(pk=node.pages["fi"].pk)
    courses.lesson_open(enrolment=enrolment, lesson=lesson)
    for question_id, question in node.requirements.questions.items():
        chosen = [n for n, option in enumerate(question["options"]) if bool(option.get("correct")) == right]
        courses.answer_submit(
            enrolment=enrolment, lesson=lesson, question_id=question_id, selected=chosen[:1] if not right else chosen
        )
    for reflection_id in node.requirements.reflections:
        courses.reflection_save(enrolment=enrolment, lesson=lesson, reflection_id=reflection_id, text="Pohdin.")
    if teacher is not None and right:
        meet_requirements(enrolment, node, teacher)


def meet_requirements(enrolment, node, teacher) -> None:
    """Pass every exam, answer every self-assessment, attend the sessions and have every assignment
    of lesson ``node`` approved by ``teacher``."""
    for block_id, (kind, value) in node.requirements.gates.items():
        if kind == "exam":
            pass_exam(enrolment, node.key, block_id)
        elif kind == "self_assessment":
            block = selfassessment.block_for(enrolment, node.key, block_id)
            answers = dict.fromkeys(block.assessment.statement_ids, block.assessment.scale_min)
            selfassessment.response_submit(enrolment=enrolment, lesson_key=node.key, block_id=block_id, answers=answers)
        elif kind == "attendance":
            attend(enrolment, teacher, block_id, int(value.get("sessions_required") or 1))
    for block_id in node.requirements.assignments:
        have_approved(enrolment, node.key, block_id, teacher)


def right_answer(question: dict):
    """The answer ``exams`` scores right for a pool question."""
    kind = question["kind"]
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        return [n for n, option in enumerate(question["options"]) if option["correct"]]
    if kind == QuestionType.NUMERIC:
        return str(question["answer"])
    return list(range(len(question["pairs"])))


def pass_exam(enrolment, lesson_key, block_id: str):
    attempt = exams.attempt_start(enrolment=enrolment, lesson_key=lesson_key, block_id=block_id)
    bank = exam_for(enrolment.training, lesson_key, block_id).bank
    answers = {entry["question"]: right_answer(bank.questions[entry["question"]]) for entry in attempt.questions}
    exams.attempt_answers(attempt=attempt, answers=answers)
    attempt = exams.attempt_submit(attempt=attempt)
    assert attempt.passed, f"an exam answered right did not pass: {attempt.score}"
    return attempt


def attend(enrolment, teacher, block_id: str, count: int) -> None:
    """``count`` sessions that count for the attendance block, marked present by the teacher."""
    now = timezone.now()
    cohort = teacher.taught_cohorts.get(training_id=enrolment.training_id)
    for n in range(count):
        session = schedule.session_create(
            by=teacher,
            training=enrolment.training,
            cohort=cohort,
            title=f"Lähiopetus {n + 1}",
            starts_at=now - datetime.timedelta(hours=2),
            ends_at=now - datetime.timedelta(hours=1),
            place="Luokka 101",
            requirement=block_id,
        )
        schedule.attendance_mark(by=teacher, session=session, marks={enrolment.user_id: "present"})


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def have_approved(enrolment, lesson_key, block_id: str, teacher) -> None:
    """Hand in text (and a PDF where files are allowed) and have ``teacher`` approve it, every criterion
    at its best level."""
    assignment = assignments.assignment_for(enrolment, lesson_key, block_id)
    takes_files = assignment.hand_in != HandIn.TEXT and "pdf" in assignment.file_types
    files = [SimpleUploadedFile("tehtava.pdf", PDF, "application/pdf")] if takes_files else []
    assignments.draft_save(enrolment=enrolment, lesson_key=lesson_key, block_id=block_id, text="Tehtäväni.", add=files)
    submission = assignments.submission_submit(enrolment=enrolment, lesson_key=lesson_key, block_id=block_id)
    scores = {str(n): len(criterion["levels"]) - 1 for n, criterion in enumerate(submission.rubric)}
    assignments.review_decide(
        reviewer=teacher,
        submission_id=submission.pk,
        decision=Decision.APPROVE,
        feedback="Hyvä.",
        scores=scores,
        grade=5,
    )
