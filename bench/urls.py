import json

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_POST

from lms.urls import urlpatterns as kyky_urlpatterns


def minimal(request):
    """The floor: Django's request cycle through the same middleware, no database, no template."""
    return HttpResponse(b"ok", content_type="text/plain")


_FLOOR_TABLE = "bench_floor_write"
_floor_ready = False


@require_POST
def floor_write(request):
    """The floor of any durable write by a learner: the session and the user, the JSON body, one INSERT.

    No validation, no enrolment, no model: what is left of a statement POST if everything Kyky
    decides is taken away. A statement POST cannot be faster than this on the same server, so it
    bounds what any target for statements can ask (``bench/README.md``).
    """
    global _floor_ready
    if not request.user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    body = json.loads(request.body)
    with connection.cursor() as cursor:
        if not _floor_ready:
            cursor.execute(f"CREATE TABLE IF NOT EXISTS {_FLOOR_TABLE} (id bigserial PRIMARY KEY, body jsonb)")
            _floor_ready = True
        cursor.execute(f"INSERT INTO {_FLOOR_TABLE} (body) VALUES (%s)", [json.dumps(body)])  # noqa: S608
    return JsonResponse([body.get("id")], safe=False)


@require_POST
def exam_start(request, lesson_id: int, block_id: str):
    """Kyky's own exam start view, after deleting the learner's open attempt at that exam (one DELETE).

    A learner starts a new attempt only after submitting the last one, so repeating the real start
    would only continue the open attempt; removing it first makes every request a real start (a draw,
    an INSERT) at the price of one more query, which the bench's query count shows.
    """
    from lms.exams.views import start

    if request.user.is_authenticated:
        with connection.cursor() as cursor:  # one statement, in autocommit: the "+1" the journey's label names
            cursor.execute(
                "DELETE FROM exams_examattempt WHERE block_id = %s AND submitted_at IS NULL"
                " AND enrolment_id IN (SELECT id FROM courses_enrolment WHERE user_id = %s)",
                [block_id, request.user.pk],
            )
    return start(request, lesson_id, block_id)


urlpatterns = [
    path("bench/minimal", minimal),
    path("bench/floor-write", floor_write),
    path("bench/exam-start/<int:lesson_id>/<str:block_id>/", exam_start),
    *kyky_urlpatterns,
]
