"""Helpers for the tests of a training in parts on the cohort page and in the registrar's export."""

import csv
import io
import uuid

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.courses import services as courses
from lms.courses.enums import PASS, LessonStatus
from lms.courses.models import Enrolment, LessonPage, LessonProgress, PartCompletion
from lms.courses.structure import structure_for
from lms.organisations.models import CohortLearner


def join(cohort, name, number=""):
    user = User.objects.create_user(email=f"{name.lower().replace(' ', '.')}@example.fi", certificate_name=name)
    CohortLearner.objects.create(cohort=cohort, user=user, student_number=number)
    return courses.enrolment_create(user=user, training=cohort.training, invited=True)


def complete_part(enrolment, part, capture):
    """Open every lesson of ``part``: its completion is recorded and its certificate issued on commit."""
    pages = {p.translation_key: p for p in LessonPage.objects.live().descendant_of(enrolment.training)}
    with capture(execute=True):
        for lesson in part.lessons:
            courses.lesson_open(enrolment=enrolment, lesson=pages[lesson.key])


def fill(cohort, count, *, parts):
    """``count`` learners bulk-created, each with a lesson completed, ``parts`` completed and their certificates."""
    structure = structure_for(cohort.training)
    users = User.objects.bulk_create(
        [
            User(email=f"{cohort.pk}-{n}@example.fi", certificate_name=f"Oppija {n:03}", password="!")
            for n in range(count)
        ]
    )
    CohortLearner.objects.bulk_create(
        [CohortLearner(cohort=cohort, user=u, student_number=str(n)) for n, u in enumerate(users)]
    )
    enrolments = Enrolment.objects.bulk_create([Enrolment(user=u, training=cohort.training) for u in users])
    now = timezone.now()
    LessonProgress.objects.bulk_create(
        [
            LessonProgress(enrolment=e, lesson_key=structure.lessons[0].key, status=LessonStatus.COMPLETED)
            for e in enrolments
        ]
    )
    PartCompletion.objects.bulk_create(
        [PartCompletion(enrolment=e, part_key=p.key, completed_at=now, grade=PASS) for e in enrolments for p in parts]
    )
    Certificate.objects.bulk_create(
        [
            Certificate(
                enrolment=e,
                part_key=p.key,
                code=uuid.uuid4().hex[:16].upper(),
                facts={"ects_credits": "5"},
                language="fi",
            )
            for e in enrolments
            for p in parts
        ]
    )


def cost(client, url) -> tuple[int, object]:
    client.get(url)  # the first request reads the user's row and the training's structure
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return sum(1 for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]), response


def csv_rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig")), delimiter=";"))
