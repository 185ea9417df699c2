"""Set up the peer's side of the scenario (``python -m peer.setup``) and print what the bench needs as JSON.

The same data as Kyky's side (``bench/scenario.py``, both from ``shared.py``): four courses (50, 10,
50 and 50 lessons), every lesson with the same text and an H5P activity of its own made from the same
package; sixteen learners enrolled in "Bench 50" (lessons 1-20 completed, lesson 21 in progress) and
in "Bench 10" (completed), each with a logged-in session; and background learners enrolled in
"Bench 50 B" with some lessons completed. The learners' progress is made by posting their statements
to wagtail-lms's own xAPI endpoint (through Django's test client), so its own code records it.
"""

import json
import os
import sys

import django

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.files import File  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from wagtail.models import Page  # noqa: E402
from wagtail_lms.models import (  # noqa: E402
    CourseEnrollment,
    CoursePage,
    H5PActivity,
    H5PLessonCompletion,
    H5PLessonPage,
)

from .shared import (  # noqa: E402
    BACKGROUND_LEARNERS,
    COURSES,
    CURRENT_VERBS,
    DONE_LESSONS,
    H5P_PACKAGE,
    LEARNERS,
    LESSON_HTML,
    SETUP_VERBS,
    session_for,
    statement,
)

HOST = "127.0.0.1"


def activities(count: int) -> list[H5PActivity]:
    """One activity extracted from the package by wagtail-lms itself, then rows sharing its files."""
    with open(H5P_PACKAGE, "rb") as handle:
        first = H5PActivity(title="Tosi vai epätosi 1", package_file=File(handle, name=os.path.basename(H5P_PACKAGE)))
        first.save()
    copies = H5PActivity.objects.bulk_create(
        [
            H5PActivity(
                title=f"Tosi vai epätosi {n}",
                package_file=first.package_file.name,
                extracted_path=first.extracted_path,
                main_library=first.main_library,
                h5p_json=first.h5p_json,
            )
            for n in range(2, count + 1)
        ]
    )
    return [first, *copies]


def courses() -> dict[str, tuple[CoursePage, list[tuple[H5PLessonPage, H5PActivity]]]]:
    home = Page.objects.get(depth=2)
    made = {}
    pool = iter(activities(sum(size for _title, _slug, size in COURSES)))
    for title, slug, size in COURSES:
        course = home.add_child(instance=CoursePage(title=title, slug=slug, description="<p>Bench course.</p>"))
        lessons = []
        for n in range(1, size + 1):
            activity = next(pool)
            body = [
                {"type": "paragraph", "value": LESSON_HTML},
                {"type": "h5p_activity", "value": {"activity": activity.pk}},
            ]
            lesson = course.add_child(
                instance=H5PLessonPage(title=f"Oppitunti {n}", slug=f"l{n}", intro="", body=json.dumps(body))
            )
            lessons.append((lesson, activity))
        made[slug] = (course, lessons)
    return made


def iri(activity: H5PActivity) -> str:
    return f"http://{HOST}/lms/h5p-xapi/{activity.pk}/"


def post_statements(client: Client, activity: H5PActivity, verbs: list[str], tag: str) -> None:
    for n, verb in enumerate(verbs):
        response = client.post(
            f"/lms/h5p-xapi/{activity.pk}/",
            data=json.dumps(statement(verb, iri(activity), f"00000000-0000-4000-8000-{tag}{n:04d}")),
            content_type="application/json",
        )
        if response.status_code != 200:
            sys.exit(f"wagtail-lms refused a statement: {response.status_code} {response.content[:300]!r}")


def main():
    made = courses()
    bench50, lessons50 = made["bench-50"]
    bench10, lessons10 = made["bench-10"]
    sessions = []
    for i in range(LEARNERS):
        user = User.objects.create_user(username=f"learner{i}", email=f"learner{i}@example.com")
        client = Client(HTTP_HOST=HOST)
        client.force_login(user)
        for course in (bench50, bench10):
            response = client.get(f"/lms/course/{course.pk}/enroll/")  # wagtail-lms's own enrolment view
            if response.status_code != 302:
                sys.exit(f"enrolment failed: {response.status_code}")
        for n, (_lesson, activity) in enumerate(lessons50[:DONE_LESSONS] + lessons10):
            post_statements(client, activity, SETUP_VERBS, f"{i:04d}{n:04d}")
        post_statements(client, lessons50[DONE_LESSONS][1], CURRENT_VERBS, f"{i:04d}9999")
        sessions.append(session_for(user))

    _course_b, lessons_b = made["bench-50-b"]
    users = User.objects.bulk_create(
        [User(username=f"c{n}", email=f"c{n}@example.com", password="!") for n in range(BACKGROUND_LEARNERS)]
    )
    CourseEnrollment.objects.bulk_create([CourseEnrollment(user=u, course=made["bench-50-b"][0]) for u in users])
    H5PLessonCompletion.objects.bulk_create(
        [
            H5PLessonCompletion(user=u, lesson=lesson)
            for i, u in enumerate(users)
            for lesson, _activity in lessons_b[: i % (len(lessons_b) + 1)]
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the server runs without autovacuum: give the planner statistics

    first, current = lessons50[0], lessons50[DONE_LESSONS]
    print(
        json.dumps(
            {
                "sessions": sessions,
                "lesson_done": first[0].url,
                "lesson_current": current[0].url,
                "course": bench50.url,
                "dashboard": "/dashboard/",
                "statement_current": {"path": f"/lms/h5p-xapi/{current[1].pk}/", "iri": iri(current[1])},
                "statement_done": {"path": f"/lms/h5p-xapi/{first[1].pk}/", "iri": iri(first[1])},
                "courses": {
                    slug: [course.pk, [lesson.pk for lesson, _a in lessons]] for slug, (course, lessons) in made.items()
                },
                "activities": {slug: [a.pk for _l, a in lessons] for slug, (_c, lessons) in made.items()},
                "completed_lessons": H5PLessonCompletion.objects.filter(user__username="learner0").count(),
            }
        )
    )


if __name__ == "__main__":
    main()
