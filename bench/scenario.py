"""Kyky's side of the scenario (``python -m bench.scenario`` on bench settings); prints JSON for ``run.py``.

The data the comparison shares with the peer comes from ``bench/peer/shared.py``: four trainings
(50, 10, 50 and 50 lessons in modules of ten), every lesson with the same text and an H5P activity
of its own, rule "every H5P activity completed". The package is installed once through
``lms.h5p.services.activity_create`` (validation, content filtering, libraries); the other
activities are rows sharing its files, as further uploads of the same package would be.

Sixteen learners enrol in "Bench 50" (lessons 1-20 completed, lesson 21 opened and in progress)
and in "Bench 10" (completed, so each has a certificate to verify), each with a logged-in session.
They do it through Kyky's own pages and xAPI endpoint (Django's test client: enrol, open each
lesson, post the H5P statements one by one), as the peer's learners do through wagtail-lms's.
Sixteen more learners enrol in the coordinator training to answer one of its server-checked
questions. The cohort of background learners (``BENCH_COHORT_LEARNERS``) studies "Bench 50 B",
which has one more lesson, an assignment: ``BENCH_REVIEWS`` (500) of the cohort have handed it in
and wait in the cohort teacher's review queue, and sixteen more learners of it save drafts of it
(Kyky only: wagtail-lms has no assignments). The same training's first module also ends with an
exam (a pool of ``EXAM_QUESTIONS`` single-choice questions, all drawn, the longest time limit of ten
hours so that the attempts opened at the start are still open at the end of a national run): sixteen learners
have an attempt open and change one answer (the answer journey), sixteen more start attempts (Kyky
only: wagtail-lms has no exams).
"""

import json
import os
import sys
import uuid

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.peer.shared import (  # noqa: E402
    BACKGROUND_LEARNERS,
    COURSES,
    CURRENT_VERBS,
    DONE_LESSONS,
    H5P_PACKAGE,
    LEARNERS,
    LESSON_HTML,
    MODULE_SIZE,
    SETUP_VERBS,
    session_for,
    statement,
)
from lms.assignments.enums import SubmissionStatus  # noqa: E402
from lms.assignments.models import Submission  # noqa: E402
from lms.certificates.models import Certificate  # noqa: E402
from lms.courses.models import Enrolment, LessonPage, LessonProgress, ModulePage, TrainingPage  # noqa: E402
from lms.exams.models import ExamAttempt, QuestionPool  # noqa: E402
from lms.h5p import services as h5p  # noqa: E402
from lms.h5p.models import H5PActivity  # noqa: E402
from lms.organisations.models import Cohort, CohortLearner, Membership, Organisation  # noqa: E402

User = get_user_model()
HOST = "127.0.0.1"
REVIEWS = int(os.environ.get("BENCH_REVIEWS", "500"))
TASK = "bench-task"
EXAM = "bench-exam"
EXAM_QUESTIONS = 10  # every attempt draws them all (shuffled), so every attempt holds question "q0"


def activities(count: int) -> list[H5PActivity]:
    admin = User.objects.filter(is_superuser=True).first()
    with open(H5P_PACKAGE, "rb") as handle:
        upload = SimpleUploadedFile(os.path.basename(H5P_PACKAGE), handle.read())
    first = h5p.activity_create(upload=upload, title="Tosi vai epätosi 1", user=admin)
    copies = H5PActivity.objects.bulk_create(
        [
            H5PActivity(
                title=f"Tosi vai epätosi {n}",
                package=first.package.name,
                content_path=first.content_path,
                h5p_json=first.h5p_json,
                filter_report=first.filter_report,
                main_library=first.main_library,
                created_by=admin,
            )
            for n in range(2, count + 1)
        ]
    )
    through = H5PActivity.libraries.through
    libraries = list(first.libraries.all())
    through.objects.bulk_create(
        [through(h5pactivity_id=copy.pk, h5plibrary_id=library.pk) for copy in copies for library in libraries]
    )
    return [first, *copies]


def trainings() -> dict[str, tuple[TrainingPage, list[tuple[LessonPage, H5PActivity]]]]:
    index = TrainingPage.objects.get(locale__language_code="fi", slug="tyokyvyn-tuki").get_parent()
    pool = iter(activities(sum(size for _title, _slug, size in COURSES)))
    made = {}
    for title, slug, size in COURSES:
        training = index.add_child(instance=TrainingPage(title=title, slug=slug, summary="Bench training."))
        lessons = []
        for m in range(size // MODULE_SIZE):
            module = training.add_child(instance=ModulePage(title=f"Moduuli {m + 1}", slug=f"m{m + 1}"))
            for n in range(m * MODULE_SIZE + 1, (m + 1) * MODULE_SIZE + 1):
                activity = next(pool)
                body = [
                    {"type": "text", "value": LESSON_HTML},
                    {"type": "h5p", "value": {"activity": activity.pk, "title": "", "pass_mark": None}},
                ]
                lesson = module.add_child(
                    instance=LessonPage(
                        title=f"Oppitunti {n}", slug=f"l{n}", completion_rule="h5p_completed", body=json.dumps(body)
                    )
                )
                lessons.append((lesson, activity))
        made[slug] = (training, lessons)
    return made


def _client(user) -> Client:
    client = Client(HTTP_HOST=HOST)
    client.force_login(user)
    return client


def _check(response, *statuses) -> None:
    if response.status_code not in statuses:
        sys.exit(f"Kyky answered {response.status_code} to {response.request['PATH_INFO']}: {response.content[:500]!r}")


def _open(client: Client, lesson: LessonPage) -> None:
    _check(client.get(lesson.url), 200)  # opening the page records the visit


def _post_statements(client: Client, lesson: LessonPage, activity: H5PActivity, verbs: list[str]) -> None:
    """One statement per request, as the lesson page's script sends them."""
    iri = h5p.activity_iri(activity.pk)
    for verb in verbs:
        response = client.post(
            f"/xapi/statements/{lesson.pk}/",
            data=json.dumps(statement(verb, iri, str(uuid.uuid4()))),
            content_type="application/json",
        )
        _check(response, 200)


def _enrol(client: Client, training: TrainingPage) -> None:
    _check(client.post(f"/fi/learn/enrol/{training.pk}/"), 302)


def learners(made) -> list[str]:
    """The learners study through Kyky's own pages and endpoints (Django's test client)."""
    (bench50, lessons50), (bench10, lessons10) = made["bench-50"], made["bench-10"]
    sessions = []
    for i in range(LEARNERS):
        user = User.objects.create_user(email=f"learner{i}@bench.example", certificate_name=f"Oppija {i}")
        client = _client(user)
        _enrol(client, bench50)
        _enrol(client, bench10)
        for lesson, activity in lessons50[:DONE_LESSONS] + lessons10:
            _open(client, lesson)
            _post_statements(client, lesson, activity, SETUP_VERBS)
        lesson, activity = lessons50[DONE_LESSONS]
        _open(client, lesson)
        _post_statements(client, lesson, activity, CURRENT_VERBS)
        sessions.append(session_for(user))
    return sessions


def answering_learners() -> tuple[list[str], LessonPage, str]:
    """Learners of the coordinator training at its first lesson with a server-checked question."""
    training = TrainingPage.objects.get(locale__language_code="fi", slug="tyokykykoordinaattorikoulutus")
    lesson = next(
        lesson for lesson in LessonPage.objects.live().descendant_of(training).order_by("path") if lesson.questions()
    )
    question_id = next(iter(lesson.questions()))
    sessions = []
    for i in range(LEARNERS):
        user = User.objects.create_user(email=f"answer{i}@bench.example", certificate_name=f"Vastaaja {i}")
        client = _client(user)
        _enrol(client, training)
        _open(client, lesson)
        sessions.append(session_for(user))
    # The journey answers with a form POST that redirects back whatever happened: make sure it records.
    _check(client.post(f"/fi/learn/lessons/{lesson.pk}/questions/{question_id}/", {"option": "0"}), 302)
    if question_id not in LessonProgress.objects.get(enrolment__user=user, lesson_key=lesson.translation_key).answers:
        sys.exit("Kyky did not record the bench's answer: the answer journey would measure a refusal.")
    return sessions, lesson, question_id


def cohort(training: TrainingPage, lessons: list) -> tuple[str, int]:
    organisation = Organisation.objects.create(name="Bench AMK", kind="uas")
    staff = User.objects.create_user(email="bench-staff@example.com", password="x")
    Membership.objects.create(organisation=organisation, user=staff, role="admin")
    group = Cohort.objects.create(organisation=organisation, training=training, name="Bench", study_mode="degree")
    users = User.objects.bulk_create(
        [
            User(email=f"c{n}@example.com", certificate_name=f"Oppija {n}", password="!")
            for n in range(BACKGROUND_LEARNERS)
        ]
    )
    enrolments = Enrolment.objects.bulk_create([Enrolment(user=u, training=training) for u in users])
    CohortLearner.objects.bulk_create(
        [CohortLearner(cohort=group, user=u, student_number=str(n)) for n, u in enumerate(users)]
    )
    keys = [lesson.translation_key for lesson, _activity in lessons]
    now = timezone.now()
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(enrolment=e, lesson_key=k, status="completed", completed_at=now)
            for i, e in enumerate(enrolments)
            for k in keys[: i % (len(keys) + 1)]
        ]
    )
    return session_for(staff), group.pk


def assignment_lesson(training: TrainingPage) -> LessonPage:
    """One lesson more in ``training``'s first module: a development task, text and files, with a rubric."""
    module = ModulePage.objects.child_of(training).order_by("path").first()
    levels = [{"type": "item", "value": {"label": label, "description": ""}} for label in ("1", "2", "3")]
    rubric = [{"type": "item", "value": {"name": f"Kriteeri {n}", "levels": levels}} for n in range(3)]
    lesson = module.add_child(
        instance=LessonPage(
            title="Kehittämistehtävä",
            slug="kehittamistehtava",
            body=[
                {
                    "type": "assignment",
                    "id": TASK,
                    "value": {
                        "title": "Kehittämistehtävä",
                        "instructions": LESSON_HTML,
                        "hand_in": "both",
                        "file_types": ["pdf", "docx"],
                        "max_file_mb": 10,
                        "max_files": 3,
                        "rubric": rubric,
                        "grading": "pass_fail",
                        "estimated_hours": "20",
                        "deadline": None,
                        "required": False,
                    },
                }
            ],
        )
    )
    lesson.save_revision().publish()
    return lesson


def reviews(training: TrainingPage, lesson: LessonPage, cohort_id: int, teacher_email: str) -> None:
    """``REVIEWS`` of the cohort's learners have handed the task in; the staff member teaches the cohort."""
    group = Cohort.objects.get(pk=cohort_id)
    group.teachers.add(User.objects.get(email=teacher_email))
    enrolments = Enrolment.objects.filter(training=training, user__cohort_places__cohort=group).order_by("pk")[:REVIEWS]
    now = timezone.now()
    Submission.objects.bulk_create(
        [
            Submission(
                enrolment=e,
                lesson_key=lesson.translation_key,
                block_id=TASK,
                status=SubmissionStatus.SUBMITTED,
                submitted_at=now,
                text=f"Tehtävä {e.pk}",
            )
            for e in enrolments
        ]
    )


def drafting_learners(training: TrainingPage, lesson: LessonPage) -> list[str]:
    """Learners of the cohort's training who save drafts of the task (the hand-in journey)."""
    sessions = []
    for i in range(LEARNERS):
        user = User.objects.create_user(email=f"draft{i}@bench.example", certificate_name=f"Luonnostelija {i}")
        client = _client(user)
        _enrol(client, training)
        _open(client, lesson)
        sessions.append(session_for(user))
    _check(client.post(f"/fi/learn/lessons/{lesson.pk}/assignments/{TASK}/", {"action": "save", "text": "x"}), 302)
    if not Submission.objects.filter(enrolment__user=user, status=SubmissionStatus.DRAFT).exists():
        sys.exit("Kyky did not save the bench's draft: the hand-in journey would measure a refusal.")
    return sessions


def exam_lesson(training: TrainingPage) -> LessonPage:
    """A lesson more in ``training``'s first module, holding an exam over one pool, and the pool."""
    pool = QuestionPool.objects.create(
        title="Bench-kysymyspankki",
        questions=[
            {
                "type": "single",
                "id": f"q{n}",
                "value": {
                    "prompt": f"<p>Kysymys {n}: mikä vaihtoehdoista pitää paikkansa?</p>",
                    "options": [
                        {"type": "item", "id": f"q{n}o{o}", "value": {"text": f"Vaihtoehto {o}", "correct": o == 0,
                                                                       "feedback": f"Palaute {o}."}}
                        for o in range(4)
                    ],
                    "outcome": f"LO{n % 3}",
                    "feedback": "Perustelu.",
                },
            }
            for n in range(EXAM_QUESTIONS)
        ],
    )  # fmt: skip
    module = ModulePage.objects.child_of(training).order_by("path").first()
    lesson = module.add_child(
        instance=LessonPage(
            title="Tentti",
            slug="tentti",
            body=[
                {
                    "type": "exam",
                    "id": EXAM,
                    "value": {
                        "title": "Moduulin tentti",
                        "instructions": "",
                        "pools": [pool.pk],
                        "questions_per_attempt": EXAM_QUESTIONS,
                        "per_outcome": False,
                        "pass_percent": 70,
                        "max_attempts": 0,
                        "wait_minutes": 0,
                        "time_limit_minutes": 600,  # the longest: a slow machine's national run outlasted 30
                        "review": "feedback",
                        "closes_on": None,
                        "estimated_minutes": 30,
                        "required": False,
                    },
                }
            ],
        )
    )
    lesson.save_revision().publish()
    return lesson


def exam_learners(training: TrainingPage, lesson: LessonPage, prefix: str) -> tuple[list[str], list[int]]:
    """Learners of ``training`` who have started the exam: their sessions and their open attempts' ids."""
    sessions, attempts = [], []
    for i in range(LEARNERS):
        user = User.objects.create_user(email=f"{prefix}{i}@bench.example", certificate_name=f"Tenttijä {i}")
        client = _client(user)
        _enrol(client, training)
        _open(client, lesson)
        _check(client.post(f"/fi/learn/lessons/{lesson.pk}/exams/{EXAM}/start/"), 302)
        attempts.append(ExamAttempt.objects.get(enrolment__user=user, submitted_at__isnull=True).pk)
        sessions.append(session_for(user))
    # The journey saves an answer as the attempt page's script does: make sure it records.
    headers = {"HTTP_ACCEPT": "application/json"}
    _check(client.post(f"/fi/exams/attempts/{attempts[-1]}/answers/", {"question": "q0", "q-q0": "1"}, **headers), 200)
    if "q0" not in ExamAttempt.objects.get(pk=attempts[-1]).answers:
        sys.exit("Kyky did not save the bench's exam answer: the exam journey would measure a refusal.")
    return sessions, attempts


def main():
    made = trainings()
    sessions = learners(made)
    answer_sessions, answer_lesson, question_id = answering_learners()
    staff_session, cohort_id = cohort(*made["bench-50-b"])
    task = assignment_lesson(made["bench-50-b"][0])
    reviews(made["bench-50-b"][0], task, cohort_id, "bench-staff@example.com")
    draft_sessions = drafting_learners(made["bench-50-b"][0], task)
    exam = exam_lesson(made["bench-50-b"][0])
    exam_sessions, exam_attempts = exam_learners(made["bench-50-b"][0], exam, "exam")
    starter_sessions, _attempts = exam_learners(made["bench-50-b"][0], exam, "starter")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the server runs without autovacuum: give the planner statistics
    # Completing "Bench 10" issued each learner a certificate (in-process: the bench has no broker here).
    certificate = Certificate.objects.filter(enrolment__user__email="learner0@bench.example").first()
    if certificate is None:
        sys.exit("Completing a training issued no certificate.")
    (bench50, lessons50) = made["bench-50"]
    first, current = lessons50[0], lessons50[DONE_LESSONS]
    print(
        json.dumps(
            {
                "sessions": sessions,
                "lesson_done": first[0].url,
                "lesson_current": current[0].url,
                "course": bench50.url,
                "dashboard": "/fi/learn/",
                "statement_current": {
                    "path": f"/xapi/statements/{current[0].pk}/",
                    "iri": h5p.activity_iri(current[1].pk),
                },
                "statement_done": {"path": f"/xapi/statements/{first[0].pk}/", "iri": h5p.activity_iri(first[1].pk)},
                "answer_sessions": answer_sessions,
                "answer": {"path": f"/fi/learn/lessons/{answer_lesson.pk}/questions/{question_id}/"},
                "staff_session": staff_session,
                "cohort_id": cohort_id,
                "draft_sessions": draft_sessions,
                "hand_in": {"path": f"/fi/learn/lessons/{task.pk}/assignments/{TASK}/"},
                "exam_sessions": exam_sessions,
                "exam_answer_paths": [f"/fi/exams/attempts/{pk}/answers/" for pk in exam_attempts],
                "exam_starter_sessions": starter_sessions,
                "exam_start": {"path": f"/bench/exam-start/{exam.pk}/{EXAM}/"},
                "verify_code": certificate.display_code,
                "trainings": {
                    slug: [training.pk, [lesson.pk for lesson, _a in lessons]]
                    for slug, (training, lessons) in made.items()
                },
                "activities": {slug: [a.pk for _l, a in lessons] for slug, (_t, lessons) in made.items()},
                "completed_lessons": LessonProgress.objects.filter(
                    enrolment__user__email="learner0@bench.example", completed_at__isnull=False
                ).count(),
            }
        )
    )


if __name__ == "__main__":
    main()
