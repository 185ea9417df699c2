"""The learner's dashboard, which wagtail-lms 0.11 does not have (its roadmap plans one for 0.12).

Written as a downstream project would, over wagtail-lms's own models and without N+1 queries:
the enrolments with their courses (one query), the live lessons of those courses (one), the
learner's lesson completions (one). Per course it shows the progress bar and where to continue,
what Kyky's dashboard shows per training (Kyky adds modules and certificates).
"""

from functools import reduce
from operator import or_

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render
from wagtail_lms.models import CourseEnrollment, H5PLessonCompletion, H5PLessonPage


@login_required
def dashboard(request):
    enrollments = list(
        CourseEnrollment.objects.filter(user=request.user).select_related("course").order_by("-enrolled_at")
    )
    courses = {e.course.path: e.course for e in enrollments}
    lessons: dict[str, list] = {path: [] for path in courses}
    if courses:
        within = reduce(or_, (Q(path__startswith=path) for path in courses))
        steplen = H5PLessonPage.steplen
        for pk, path, slug, title in (
            H5PLessonPage.objects.live().filter(within).order_by("path").values_list("pk", "path", "slug", "title")
        ):
            if path[:-steplen] in lessons:
                lessons[path[:-steplen]].append((pk, slug, title))
    done = set(H5PLessonCompletion.objects.filter(user=request.user).values_list("lesson_id", flat=True))
    rows = []
    for enrollment in enrollments:
        course = enrollment.course
        items = lessons[course.path]
        finished = sum(1 for pk, _slug, _title in items if pk in done)
        course_url = course.get_url(request)
        following = next(((slug, title) for pk, slug, title in items if pk not in done), None)
        rows.append(
            {
                "course": course,
                "url": course_url,
                "enrollment": enrollment,
                "total": len(items),
                "done": finished,
                "percent": finished * 100 // len(items) if items else 0,
                "next_url": f"{course_url}{following[0]}/" if following else None,
                "next_title": following[1] if following else "",
            }
        )
    return render(request, "peer/dashboard.html", {"rows": rows})
