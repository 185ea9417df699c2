"""The H5P player's own origin, and the signed grants that open it.

Uploaded H5P content is code and markup written by someone else. It runs in ``H5P_ORIGIN``, an
origin that holds no Kyky session: a script in a package can read nothing of the platform's
pages, cookies or data, and any request it makes to the platform carries no credentials. The
lesson page embeds the player from that origin in a sandboxed iframe and speaks to it only with
``postMessage`` (see ``static/js/h5p-lesson.js`` and ``static/js/h5p-player.js``).

The player origin has no session to check, so the lesson page hands it a *grant*: a signed token
in the URL path that names the activity, the origin of the page that may embed it, and when it
expires. Grants are deterministic within an hour, so the browser's cache keeps working between
lesson views; each is valid for ``H5P_GRANT_MAX_AGE`` seconds to one hour more.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings
from django.core import signing

SALT = "kyky.h5p.player"
BUCKET = 3600


@dataclass(frozen=True)
class Grant:
    activity_id: int
    parent_origin: str
    expires: int

    @property
    def seconds_left(self) -> int:
        return max(0, self.expires - int(time.time()))


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, as browsers compare origins."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def player_origin() -> str:
    return origin_of(settings.H5P_ORIGIN)


def request_origin(request) -> str:
    return origin_of(request.build_absolute_uri("/"))


def grant_token(*, activity_id: int, parent_origin: str, now: float | None = None) -> str:
    now = time.time() if now is None else now
    expires = (int(now) // BUCKET + 1) * BUCKET + settings.H5P_GRANT_MAX_AGE
    return _signed(activity_id, parent_origin, expires, settings.SECRET_KEY)


@lru_cache(maxsize=4096)
def _signed(activity_id: int, parent_origin: str, expires: int, _key: str) -> str:
    """A grant is the same for everyone within its hour: signed once per process, not per page."""
    return signing.dumps({"a": activity_id, "o": parent_origin, "e": expires}, salt=SALT, compress=True)


def grant_read(token: str) -> Grant | None:
    """The grant in ``token``, or None when it is forged, malformed or expired."""
    try:
        data = signing.loads(token, salt=SALT)
        grant = Grant(activity_id=int(data["a"]), parent_origin=str(data["o"]), expires=int(data["e"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return grant if grant.expires > time.time() else None


def player_url(*, activity_id: int, parent_origin: str) -> str:
    token = grant_token(activity_id=activity_id, parent_origin=parent_origin)
    return f"{player_origin()}/h5p/play/{token}/"
