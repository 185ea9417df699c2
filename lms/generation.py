"""The content generation: one number that changes whenever published content changes.

Whatever is built from pages and is the same for every visitor (a training's structure, a page's
route, its translations, its view restrictions) is cached under the current generation. Saving,
publishing, moving or deleting any page, and changing a site, a locale, a view restriction or an
H5P activity, starts a new generation (the signals are wired in ``lms.cms`` and ``lms.h5p``), so
nothing stale is ever read and nothing needs to be found and deleted. Entries of old generations
expire on their own.

A request reads the generation once (``request_started`` forgets it), so one page does not ask the
cache for it at every look-up, and sees one consistent generation from start to end.
"""

import threading
import time
from collections import OrderedDict

from django.core.cache import cache
from django.db import transaction

KEY = "kyky:content-generation"
TIMEOUT = 24 * 3600  # how long an entry of one generation is kept

_request = threading.local()


def _read() -> int:
    # A new cache (a restart, a flush) starts from the clock, never from a number an old entry used.
    return cache.get_or_set(KEY, time.time_ns, None)


def current() -> int:
    if not getattr(_request, "active", False):
        return _read()
    if _request.value is None:
        _request.value = _read()
    return _request.value


def request_started(**_signal_kwargs) -> None:
    _request.active, _request.value, _request.along, _request.brought = True, None, [], {}


def request_finished(**_signal_kwargs) -> None:
    _request.active, _request.value, _request.along, _request.brought = False, None, [], {}


def read_along(name: str) -> None:
    """Fetch the tagged entry ``name`` with this request's first cache read, not in a round trip of its own.

    For what a request will almost surely read after its first read (a page's route, after the
    logged-in user's row): each round trip to the cache costs about as much as rendering a
    template. Only before the first read; a value brought along counts only in its generation.
    """
    if getattr(_request, "active", False) and _request.value is None and _tagged(name) not in _request.along:
        _request.along.append(_tagged(name))


def _first_read(keys: list[str]) -> dict:
    """The request's first read: ``keys``, the generation, and whatever was asked to come along."""
    along = [key for key in getattr(_request, "along", ()) if key not in keys]
    found = cache.get_many([*keys, KEY, *along])
    if getattr(_request, "active", False):
        _keep_along(found, along)
    return found


def _keep_along(found: dict, along: list[str]) -> None:
    """What a request's first read found of the entries asked to come along; a miss is known too."""
    _request.brought, _request.along = {key: found.get(key) for key in along}, []


def first_read_keys() -> list[str]:
    """What a request's first cache read should bring along (the generation, and what asked to come
    along), for a read that is not made here (the rate limiter's count); none once it was read."""
    if not getattr(_request, "active", False) or _request.value is not None:
        return []
    return [KEY, *_request.along]


def brought(found: dict) -> None:
    """Keep what such a read found of ``first_read_keys()``; a generation not found is read as usual."""
    if not getattr(_request, "active", False) or _request.value is not None or found.get(KEY) is None:
        return
    _request.value = found[KEY]
    _keep_along(found, _request.along)


def bump(**_signal_kwargs) -> None:
    """A new generation now, and again when the transaction commits.

    Now, so that this request and this process see the change at once; at the commit, so that
    whatever another process cached from the old rows in between is not read again.
    """
    _bump()
    transaction.on_commit(_bump)


def _bump() -> None:
    value = time.time_ns()
    cache.set(KEY, value, None)
    if getattr(_request, "active", False):
        _request.value = value


def get_along(key: str):
    """``cache.get(key)``, reading the generation in the same round trip if this request has not yet.

    For a request's first cache read that is not itself generational (the logged-in user's row):
    one round trip instead of two.
    """
    if not getattr(_request, "active", False) or _request.value is not None:
        return cache.get(key)
    found = _first_read([key])
    if KEY in found:
        _request.value = found[KEY]
    return found.get(key)


def key(name: str) -> str:
    """The cache key of ``name`` in the current generation."""
    return f"kyky:{current()}:{name}"


def cached(name: str, build, *, timeout: int = TIMEOUT, immutable: bool = False):
    """``build()`` for ``name`` in the current generation, from the cache when it is there.

    ``immutable`` values (frozen dataclasses, tuples, strings, and pages that are only read) are
    also kept in this process, so that the hot path does not unpickle them on every request; a new
    generation has new keys. Whoever reads such a value must not change it.
    """
    entry = key(name)
    if immutable and (value := local_get(entry)) is not None:
        return value
    value = cache.get(entry)
    if value is None:
        value = build()
        if value is None:
            return None  # a miss (a page not live, say) is not kept
        cache.set(entry, value, timeout)
    if immutable:
        local_set(entry, value)
    return value


def first_lookup(name: str):
    """The cached value of ``name`` and the generation, in one round trip: a request's first read.

    The value is kept with the generation it was built in (``store_tagged``) and counts only if
    that is the current one.
    """
    if getattr(_request, "active", False) and _request.value is not None:
        brought = _request.brought
        entry = brought.pop(_tagged(name)) if _tagged(name) in brought else cache.get(_tagged(name))
        return _untag(entry, _request.value)
    found = _first_read([_tagged(name)])
    generation = found.get(KEY)
    if generation is None:
        generation = _read()
    if getattr(_request, "active", False):
        _request.value = generation
    return _untag(found.get(_tagged(name)), generation)


def store_tagged(name: str, value) -> None:
    cache.set(_tagged(name), (current(), value), TIMEOUT)


def _tagged(name: str) -> str:
    return f"kyky:tagged:{name}"


def _untag(entry, generation: int):
    if entry is None or entry[0] != generation:
        return None
    return entry[1]


_local: OrderedDict = OrderedDict()
_local_lock = threading.Lock()
LOCAL_ENTRIES = 1024


def local_get(key: str):
    with _local_lock:
        value = _local.get(key)
        if value is not None:
            _local.move_to_end(key)
        return value


def local_set(key: str, value) -> None:
    with _local_lock:
        _local[key] = value
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)
