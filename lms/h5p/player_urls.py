"""The URLconf of the H5P player's origin (``H5P_ORIGIN``); nothing of the platform is reachable here."""

from django.http import HttpResponseNotFound
from django.urls import path, re_path

from . import player_views

urlpatterns = [
    path("h5p/play/<str:token>/", player_views.embed, name="h5p_player_embed"),
    path("h5p/play/<str:token>/h5p.json", player_views.h5p_json, name="h5p_player_h5p_json"),
    path("h5p/play/<str:token>/content/<path:path>", player_views.content_file, name="h5p_player_content_file"),
    path(
        "h5p/play/<str:token>/libraries/<str:folder>/<path:path>",
        player_views.library_file,
        name="h5p_player_library_file",
    ),
    re_path(r"^(?P<path>.*)$", player_views.elsewhere, name="h5p_player_elsewhere"),
]


def _not_found(request, exception=None):
    """A bare 404: the site's error page links to the platform, whose URLs this origin does not have."""
    return HttpResponseNotFound(b"Not found", content_type="text/plain; charset=utf-8")


handler404 = _not_found
