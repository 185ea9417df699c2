"""Absolute links that leave the page: e-mails, PDFs, QR codes, credentials, invitations, metadata.

Every one is built from ``BASE_URL`` (``settings.WAGTAILADMIN_BASE_URL``), the one public address
of the service, which ``make run`` sets to the address it actually serves. Never from the request's
Host header (a proxy, a test client or anyone sending a forged header decides that) nor from a Site
record: a link in an e-mail or a printed QR code must lead to the same place whoever caused it.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from django.conf import settings


def base_url() -> str:
    """The public address without a trailing slash, e.g. ``https://kyky.ttl.fi``."""
    return settings.WAGTAILADMIN_BASE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """``path`` (``/fi/learn/``) at the public address."""
    return base_url() + "/" + path.lstrip("/")


def rebased(url: str) -> str:
    """The same path, query and fragment at the public address.

    For links that a library built from the request (allauth's confirmation and password links).
    """
    parts = urlsplit(url)
    return absolute_url(urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment)))


def public_host() -> tuple[str, int]:
    """The host name and port of the public address (the port the scheme implies when none is given)."""
    parts = urlsplit(base_url())
    return parts.hostname or "localhost", parts.port or (443 if parts.scheme == "https" else 80)


def public_domain() -> str:
    """``host[:port]`` of the public address, as e-mails show it."""
    return urlsplit(base_url()).netloc
