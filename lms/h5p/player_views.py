"""The H5P player's origin: the embed page and the package files, opened by a signed grant.

Nothing here reads a session or a user: the grant in the URL is the only credential. Every file
is served as inert as the browser allows (``nosniff``, a sandboxing CSP, downloads for anything
that is not media, fonts, styles, scripts or data), so that opening one directly runs nothing.
"""

import mimetypes
import posixpath

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from lms.storage import private_storage

from . import player
from .models import H5PActivity, H5PLibrary
from .services import activity_iri

# Types a page of the player loads as subresources; anything else in a package is offered as a download.
INLINE_TYPES = ("image/", "audio/", "video/", "font/", "text/css", "text/javascript", "application/javascript")
INLINE_EXTRA = {"application/json", "text/vtt", "text/plain", "model/gltf+json", "model/gltf-binary"}
FILE_POLICY = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"


def _grant(token: str) -> player.Grant:
    grant = player.grant_read(token)
    if grant is None:
        raise Http404
    return grant


def _safe(path: str) -> str:
    normalised = posixpath.normpath(path)
    if normalised.startswith(("/", "..")) or "\\" in path or "\x00" in path:
        raise Http404
    return normalised


def _inline(content_type: str) -> bool:
    return content_type.startswith(INLINE_TYPES) or content_type in INLINE_EXTRA


def _file(name: str, grant: player.Grant):
    try:
        handle = private_storage().open(name, "rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if content_type == "image/svg+xml" or not _inline(content_type):
        # An SVG or an XML, HTML or office file opened as a document could run script or phish: download it.
        response = FileResponse(handle, content_type="application/octet-stream", as_attachment=True)
    else:
        response = FileResponse(handle, content_type=content_type)
    response["Content-Security-Policy"] = FILE_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = f"private, max-age={min(grant.seconds_left, player.BUCKET)}"
    return response


@require_safe
@xframe_options_exempt  # framed by the lesson page, another origin: CSP frame-ancestors decides instead
def embed(request, token: str):
    """The page inside the lesson's iframe: the player, and the bridge to the lesson page."""
    grant = _grant(token)
    activity = get_object_or_404(H5PActivity, pk=grant.activity_id)
    base = f"/h5p/play/{token}"
    response = render(
        request,
        "h5p/player.html",
        {
            "activity": activity,
            "parent_origin": grant.parent_origin,
            "base": base,
            "object_iri": activity_iri(activity.pk),
            "frame_js": static("h5p-player/frame.bundle.js"),
            "frame_css": static("h5p-player/styles/h5p.css"),
        },
    )
    response["Content-Security-Policy"] = embed_policy(grant.parent_origin)
    response["Cache-Control"] = "no-store"
    return response


def embed_policy(parent_origin: str) -> str:
    """What the player page may do. It is isolated already; this keeps it framed only by Kyky,
    keeps its requests (connect-src) on its own origin, and its scripts off plain HTTP.

    H5P writes inline scripts into the frames it creates, older content types compile templates
    with ``eval`` (EJS in MultiChoice), and some load scripts from CDNs (web fonts), so this origin
    allows all of that; it holds nothing of Kyky's to steal.
    """
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self' 'unsafe-inline' 'unsafe-eval' https:",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: blob: https:",
            "media-src 'self' data: blob: https:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-src 'self' https:",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'none'",
            f"frame-ancestors {parent_origin}",
        ]
    )


@require_safe
def h5p_json(request, token: str):
    grant = _grant(token)
    activity = get_object_or_404(H5PActivity, pk=grant.activity_id)
    return _file(f"{activity.content_path}/h5p.json", grant)


@require_safe
def content_file(request, token: str, path: str):
    grant = _grant(token)
    activity = get_object_or_404(H5PActivity, pk=grant.activity_id)
    return _file(f"{activity.content_path}/content/{_safe(path)}", grant)


@require_safe
def library_file(request, token: str, folder: str, path: str):
    """A file of a library the granted activity uses; libraries outside its closure are not served."""
    grant = _grant(token)
    name, _sep, version = folder.rpartition("-")
    major, _dot, minor = version.partition(".")
    if not (major.isdigit() and minor.isdigit()):
        raise Http404
    library = get_object_or_404(
        H5PLibrary.objects.filter(activities__pk=grant.activity_id),
        machine_name=name,
        major_version=int(major),
        minor_version=int(minor),
    )
    return _file(f"{library.storage_path}/{_safe(path)}", grant)


def elsewhere(request, path: str = ""):
    """Anything else asked of the player's origin belongs to the platform: send the visitor there."""
    if request.method not in {"GET", "HEAD"} or path == "favicon.ico":  # a browser's own request: none here
        return HttpResponse(status=404)
    return HttpResponseRedirect(settings.WAGTAILADMIN_BASE_URL.rstrip("/") + "/" + path)
