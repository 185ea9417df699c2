"""The player's files, the learner's saved state, and the xAPI statement endpoint.

Every view authorises first. Saved state and statements need a learner enrolled in the training
whose lesson holds the activity. Package files (libraries, which are shared code, and content,
which is training material and never personal data) need a login.
"""

import json
import mimetypes
import posixpath

from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from lms.courses import services as courses
from lms.courses.models import LessonPage

from . import services
from .models import H5PActivity, H5PLibrary, H5PUserData

MAX_STATEMENT_BYTES = 64 * 1024
MAX_STATE_BYTES = 256 * 1024


def _safe(path: str) -> str:
    normalised = posixpath.normpath(path)
    if normalised.startswith(("/", "..")) or "\\" in path or "\x00" in path:
        raise Http404
    return normalised


def _file(name: str, *, cache: str):
    try:
        handle = default_storage.open(name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = cache
    return response


def _lesson_access(lesson_id: int):
    """The live lesson and its H5P activities by id."""
    lesson = get_object_or_404(LessonPage.objects.live(), pk=lesson_id)
    activities = {
        block.value["activity"].pk: block.value["activity"]
        for block in lesson.body
        if block.block_type == "h5p" and block.value["activity"] is not None
    }
    return lesson, activities


@login_required
def library_file(request, folder: str, path: str):
    name, _sep, version = folder.rpartition("-")
    major, _dot, minor = version.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise Http404
    library = get_object_or_404(H5PLibrary, machine_name=name, major_version=int(major), minor_version=int(minor))
    return _file(f"{library.storage_path}/{_safe(path)}", cache="private, max-age=3600")


@login_required
def content_file(request, activity_id: int, path: str):
    activity = get_object_or_404(H5PActivity, pk=activity_id)
    # Content folders are never rewritten (a new upload makes a new activity), so they cache well.
    return _file(f"{activity.content_path}/{_safe(path)}", cache="private, max-age=86400")


def _json_body(request, limit: int):
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit or len(request.body) > limit:
        return None, JsonResponse({"error": "too large"}, status=413)
    try:
        return json.loads(request.body.decode("utf-8")), None
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None, JsonResponse({"error": "malformed JSON"}, status=400)


@require_POST
def statements(request, lesson_id: int):
    """``POST /xapi/statements/<lesson>/``: H5P's statements from the learner's browser."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": "log in first"}, status=401)
    payload, error = _json_body(request, MAX_STATEMENT_BYTES)
    if error:
        return error
    lesson, activities = _lesson_access(lesson_id)
    try:
        ids = services.statements_record(user=request.user, lesson=lesson, activities=activities, payload=payload)
    except services.StatementError as refusal:
        return JsonResponse({"error": str(refusal)}, status=refusal.status)
    return JsonResponse(ids, safe=False)


def _same_origin(request) -> bool:
    """H5P's player posts saved state from its iframe without Django's CSRF token; accept only
    requests that the browser says come from our own origin (every browser sends Origin on POST)."""
    origin = request.headers.get("Origin") or request.headers.get("Referer", "")
    own = f"{request.scheme}://{request.get_host()}"
    return origin == own or origin.startswith(own + "/")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def user_data(request, lesson_id: int, activity_id: int, data_type: str, sub_content_id: int):
    """H5P's content user data: GET answers ``{success, data}``; POST saves ``data``."""
    if not request.user.is_authenticated:
        return JsonResponse({"success": False, "message": "log in first"}, status=401)
    lesson, activities = _lesson_access(lesson_id)
    activity = activities.get(activity_id)
    if activity is None:
        raise Http404
    if courses.enrolment_for_lesson(user=request.user, lesson=lesson) is None:
        return JsonResponse({"success": False, "message": "not enrolled"}, status=403)
    if request.method == "GET":
        row = H5PUserData.objects.filter(
            user=request.user, activity=activity, data_type=data_type, sub_content_id=sub_content_id
        ).first()
        return JsonResponse({"success": True, "data": row.data if row else False})
    if not _same_origin(request):
        return JsonResponse({"success": False, "message": "cross-origin request refused"}, status=403)
    data = request.POST.get("data")
    if data is None or len(data) > MAX_STATE_BYTES:
        return JsonResponse({"success": False, "message": "missing or too large"}, status=400)
    services.user_data_save(
        user=request.user,
        activity=activity,
        data_type=data_type,
        sub_content_id=sub_content_id,
        data=data,
        preload=request.POST.get("preload") == "1",
        invalidate=request.POST.get("invalidate") == "1",
    )
    return JsonResponse({"success": True})
