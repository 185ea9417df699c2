"""The content generation: one number that changes whenever published content changes.

Whatever is built from pages and is the same for every visitor (a training's structure, a page's
route, its translations, its view restrictions) is cached under the current generation. Saving,
publishing, moving or deleting any page, and changing a site, a locale, a view restriction or an
H5P activity, starts a new generation (the signals are wired in ``lms.cms`` and ``lms.h5p``), so
nothing stale is ever read and nothing needs to be found and deleted. Entries of old generations
expire on their own.
"""

import threading
import time
from collections import OrderedDict

from django.core.cache import cache

KEY = "kyky:content-generation"
TIMEOUT = 24 * 3600  # how long an entry of one generation is kept


def current() -> int:
    # A new cache (a restart, a flush) starts from the clock, never from a number an old entry used.
    return cache.get_or_set(KEY, time.time_ns, None)


def bump(**_signal_kwargs) -> None:
    cache.set(KEY, time.time_ns(), None)


def cached(name: str, build, *, timeout: int = TIMEOUT, immutable: bool = False):
    """``build()`` for ``name`` in the current generation, from the cache when it is there.

    ``immutable`` values (frozen dataclasses, tuples, strings) are also kept in this process, so
    that the hot path does not unpickle them on every request; a new generation has new keys.
    """
    key = f"kyky:{current()}:{name}"
    if immutable and (value := local_get(key)) is not None:
        return value
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout)
    if immutable:
        local_set(key, value)
    return value


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
