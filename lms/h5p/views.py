"""The learner's saved state and the xAPI statement endpoint, on the platform's origin.

The player runs in its own origin (``player_views``) and hands statements and state to the lesson
page, which posts them here with the learner's session and CSRF token. Every view authorises
first: saved state and statements need a learner enrolled in the training whose lesson holds the
activity.
"""

import re

from django.http import Http404, JsonResponse
from django.views.decorators.http import require_http_methods, require_POST

from lms.courses import services as courses
from lms.courses.structure import live_lesson
from lms.jsonbody import JSONBodyError, has_nul_or_surrogate, parse_json

from . import services
from .models import H5PUserData

MAX_STATEMENT_BYTES = 64 * 1024
MAX_SUB_CONTENT_ID = 2**31 - 1  # the column's range; H5P's sub-content ids are small
DATA_TYPE = re.compile(r"[A-Za-z0-9_-]{1,127}")  # H5P's data types are identifiers such as "state"
MAX_STATE_BYTES = 256 * 1024


def _lesson_access(lesson_id: int):
    """The live lesson (cached) and the ids of its H5P activities (read from its blocks)."""
    lesson = live_lesson(lesson_id)
    if lesson is None:
        raise Http404
    return lesson, set(lesson.requirements.h5p)


@require_POST
def statements(request, lesson_id: int):
    """``POST /xapi/statements/<lesson>/``: H5P's statements from the learner's browser."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    if request.content_type != "application/json":
        return JsonResponse({"error": "send the statements as application/json"}, status=415)
    try:
        payload = parse_json(request.body, max_bytes=MAX_STATEMENT_BYTES)
    except JSONBodyError as refusal:
        return JsonResponse({"error": refusal.message}, status=refusal.status)
    lesson, activities = _lesson_access(lesson_id)
    try:
        ids = services.statements_record(user=request.user, lesson=lesson, activity_ids=activities, payload=payload)
    except services.StatementError as refusal:
        return JsonResponse({"error": str(refusal)}, status=refusal.status)
    return JsonResponse(ids, safe=False)


@require_http_methods(["GET", "POST"])
def user_data(request, lesson_id: int, activity_id: int, data_type: str, sub_content_id: int):
    """H5P's content user data: GET answers ``{success, data}``; POST saves ``data``."""
    if not request.user.is_authenticated:
        return JsonResponse({"success": False, "message": "log in first"}, status=401)
    lesson, activities = _lesson_access(lesson_id)
    if activity_id not in activities:
        raise Http404
    if courses.enrolment_for_lesson(user=request.user, lesson=lesson) is None:
        return JsonResponse({"success": False, "message": "not enrolled"}, status=403)
    if not DATA_TYPE.fullmatch(data_type) or sub_content_id > MAX_SUB_CONTENT_ID:
        return JsonResponse({"success": False, "message": "unknown data type"}, status=400)
    if request.method == "GET":
        row = H5PUserData.objects.filter(
            user=request.user, activity_id=activity_id, data_type=data_type, sub_content_id=sub_content_id
        ).first()
        return JsonResponse({"success": True, "data": row.data if row else False})
    data = request.POST.get("data")
    if data is None or len(data) > MAX_STATE_BYTES or has_nul_or_surrogate(data):
        return JsonResponse({"success": False, "message": "missing, too large or not text"}, status=400)
    services.user_data_save(
        user=request.user,
        activity_id=activity_id,
        data_type=data_type,
        sub_content_id=sub_content_id,
        data=data,
        preload=request.POST.get("preload") == "1",
        invalidate=request.POST.get("invalidate") == "1",
    )
    return JsonResponse({"success": True})
