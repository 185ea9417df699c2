"""Who the client is behind our reverse proxies, and fixed-window rate limits shared by every web process.

Two things make a rate limit real in production:

* the client must be the address our outermost trusted proxy saw, not the proxy itself (``REMOTE_ADDR``
  behind nginx) and not whatever the client wrote into ``X-Forwarded-For``;
* the counter must live where every gunicorn worker sees it, i.e. a shared cache (Redis through
  ``CACHE_URL``), and be incremented atomically there.

django-allauth limits logins with the same notion of the client: ``ALLAUTH_TRUSTED_PROXY_COUNT`` is set
from ``KYKY_TRUSTED_PROXIES`` in the settings, and IPv6 clients are bucketed by the same prefix
(``ALLAUTH_RATE_LIMIT_IPV6_PREFIX``, default /64) as allauth's ``truncate_ip``.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import re
import time

from django.conf import settings
from django.core.cache import cache

from lms import generation

UNKNOWN = "unknown"
# "[ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff%interface]:65535" fits; anything longer is not an address.
_MAX_HOP_LENGTH = 64
_SCOPE = re.compile(r"^[A-Za-z0-9_.-]{1,40}$")

logger = logging.getLogger(__name__)


def _now() -> float:
    return time.time()


def trusted_proxies() -> int:
    """How many reverse proxies under our control stand in front of the application (``KYKY_TRUSTED_PROXIES``)."""
    return max(int(getattr(settings, "KYKY_TRUSTED_PROXIES", 0) or 0), 0)


def parse_address(value: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """One hop of ``X-Forwarded-For`` (or ``REMOTE_ADDR``) as an address, or None when it is not one.

    Accepts what proxies write: ``1.2.3.4``, ``2001:db8::1``, and with a port ``1.2.3.4:5678`` or
    ``[2001:db8::1]:5678`` (as allauth's ``clean_client_ip`` does). IPv4-mapped IPv6 addresses
    (``::ffff:1.2.3.4``, from a dual-stack socket) become the IPv4 address they carry, so that they are
    not all bucketed together in the /64 ``::``.
    """
    value = value.strip()
    if not value or len(value) > _MAX_HOP_LENGTH:
        return None
    if value.startswith("["):
        host, bracket, rest = value[1:].partition("]")
        if not bracket or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return None
        value = host
    elif value.count(":") == 1:
        host, _, port = value.partition(":")
        if not port.isdigit():
            return None
        value = host
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def client_ip(request) -> str:
    """The client's address as the outermost of our ``KYKY_TRUSTED_PROXIES`` reverse proxies saw it.

    Every proxy appends the address it received the request from to ``X-Forwarded-For``, so with N trusted
    proxies the N-th entry counted from the right was written by our outermost proxy: that is the client.
    Everything to its left came from the client (or from proxies we do not control) and may be forged, so
    it is never used. With 0 trusted proxies ``X-Forwarded-For`` is ignored entirely and the answer is
    ``REMOTE_ADDR``. Only the last N entries are ever split off, so a huge header costs no more than a
    short one.

    A header that is missing, has fewer than N entries, or whose N-th entry from the right is not an
    address falls back to ``REMOTE_ADDR``: the innermost proxy's own address, the one value the client
    cannot influence. Requests that really came through our proxies never take this path (each proxy
    appends what it saw); the ones that do (a proxy bypassed or misconfigured) share that one bucket and
    are limited together, which errs on the side of limiting too much rather than letting a client choose
    a fresh bucket with every request. (allauth, given the same header, answers 500 or 403 instead.) When
    ``REMOTE_ADDR`` is no address either (a Unix socket), the answer is ``"unknown"``, again one bucket.
    """
    remote = parse_address(request.META.get("REMOTE_ADDR", ""))
    fallback = str(remote) if remote else UNKNOWN
    proxies = trusted_proxies()
    if not proxies:
        return fallback
    header = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = header.rsplit(",", proxies)
    if not header.strip() or len(hops) < proxies:
        return fallback
    address = parse_address(hops[-proxies])
    return str(address) if address else fallback


def client_bucket(request) -> str:
    """The rate-limit identity of the client: its address, IPv6 truncated to its /64 network as in allauth.

    One IPv6 subscriber usually holds a whole /64 (or more), so counting single IPv6 addresses would let a
    client rotate through billions of them.
    """
    ip = client_ip(request)
    address = parse_address(ip)
    if isinstance(address, ipaddress.IPv6Address):
        prefix = int(getattr(settings, "ALLAUTH_RATE_LIMIT_IPV6_PREFIX", 64))
        return str(ipaddress.IPv6Network((int(address), prefix), strict=False).network_address)
    return ip


def limited(scope: str, key: str, *, limit: int, window: int) -> bool:
    """Count one hit for ``key`` in ``scope``; True once more than ``limit`` hits fell in this ``window``.

    A fixed window of ``window`` seconds, counted in Django's default cache with ``cache.add`` (atomic
    create, SET NX on Redis) and ``cache.incr`` (atomic INCR), so every process sharing the cache shares
    the count. The key is hashed, so any string (an address, an e-mail) makes a short key that is safe for
    memcached and Redis. With a process-local cache (LocMem) each process counts for itself; with the
    dummy cache nothing is ever limited: the ``kyky.W001`` deploy check warns about both.
    """
    if not _SCOPE.match(scope):
        raise ValueError(f"rate-limit scope must be a short identifier, not {scope!r}")
    now = _now()
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:32]
    cache_key = f"kyky:rl:{scope}:{window}:{int(now // window)}:{digest}"
    # Outlives its window on every clock that agrees with ours to the second; later windows use new keys.
    timeout = window + 1
    try:
        count = _count(cache_key, timeout)
    except Exception:  # the cache server is down: serve the page unlimited rather than answer 500
        logger.warning("Rate limit %s not counted: the cache is unreachable", scope, exc_info=True)
        return False
    return count is not None and count > limit


def _count(cache_key: str, timeout: int) -> int | None:
    """This hit's number in its window, or None when the cache keeps losing the key."""
    if hasattr(cache, "count_hit"):  # Kyky's Redis backend: INCR and EXPIRE in one round trip
        # ... with the request's first read of the content generation, which the page reads next.
        count, found = cache.count_hit(cache_key, timeout, read=generation.first_read_keys())
        generation.brought(found)
        return count
    for _attempt in range(3):
        if cache.add(cache_key, 1, timeout):
            return 1
        try:
            count = cache.incr(cache_key)
        except ValueError:  # expired or evicted between add and incr: start the window's count again
            continue
        if count == 1:
            # Redis INCR re-created a key that expired after Django's exists() check, without a TTL:
            # give it one so it does not stay for ever.
            cache.touch(cache_key, timeout)
        return count
    return None  # the cache keeps losing the key: let the request through rather than lock everyone out
