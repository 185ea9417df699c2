"""Which LRS addresses Kyky may send to: never a host inside our own network (SSRF).

An address is checked when it is saved (its form) and again before every send, with the host's
current DNS answers, so a name that later points inside the network is refused too. Redirects are
never followed. Loopback (``localhost``, ``127.0.0.1``, ``::1``) is allowed, over plain HTTP too,
only where ``LRS_ALLOW_LOOPBACK`` is on (development and the tests, where the LRS runs beside Kyky).
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
INTERNAL_SUFFIXES = (".localhost", ".local", ".internal", ".localdomain", ".home.arpa", ".lan")


def _loopback_allowed() -> bool:
    return bool(getattr(settings, "LRS_ALLOW_LOOPBACK", False))


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolved_addresses(host: str, port: int) -> list[str]:
    """The addresses ``host`` resolves to now (empty when it does not resolve)."""
    try:
        return sorted({info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)})
    except (OSError, UnicodeError):
        return []


def endpoint_url_check(url: str, *, resolve: bool = True) -> None:
    """Raise ``ValidationError`` unless ``url`` is an HTTPS address outside our network (or allowed loopback)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if parts.scheme not in {"http", "https"} or not host:
        raise ValidationError(_("Enter the LRS's full address, starting with https://."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("Put the user name and secret in their own fields, not in the address."), code="auth")
    if parts.query or parts.fragment:
        raise ValidationError(_("Enter the endpoint's address without ? or #."), code="query")
    if host in LOOPBACK_NAMES and _loopback_allowed():
        return
    if parts.scheme != "https":
        raise ValidationError(_("The LRS must be reached over HTTPS."), code="scheme")
    refused = ValidationError(
        _("That address is inside a private network; Kyky sends only to addresses on the public internet."),
        code="private",
    )
    try:
        literal = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        if not _is_public(host):
            raise refused
        return
    if host in LOOPBACK_NAMES or host.endswith(INTERNAL_SUFFIXES) or "." not in host:
        raise refused
    if resolve:
        try:
            port = parts.port or 443
        except ValueError:
            raise ValidationError(_("The address has an invalid port."), code="port") from None
        if any(not _is_public(address) for address in resolved_addresses(host, port)):
            raise refused
