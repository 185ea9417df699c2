"""Who is logged in, read from the cache instead of the database on every request.

Django's backends read the user's row on every request that looks at ``request.user``: on a
learner's page that query and the model it builds were a fifth of the page's work. The row is kept
in the cache as its values (under a key that names the model's fields, so that a migration never
reads an old shape), with what the header needs to know of their staff roles (``User.staff_areas``),
and thrown away whenever the user or a membership of theirs changes:

- ``post_save`` and ``post_delete`` of a user (a new password, an edit in the admin or the profile,
  an erasure), at once and again when the transaction commits;
- ``post_save`` and ``post_delete`` of a membership (``lms.organisations.apps``);
- Wagtail's bulk actions on users, which change them with ``QuerySet.update()`` and send no signal
  (``lms.accounts.wagtail_hooks``).

Throwing away leaves a short-lived marker rather than nothing, and a request stores a row only where
there is nothing (``cache.add``): a request that read the row just before a change cannot put the
old row back after it. Anything that bypasses both (an ``UPDATE`` in a shell) is seen within
``TIMEOUT``. Permissions are not cached: Django reads them per request when they are asked for.
"""

import functools
import zlib

from allauth.account.auth_backends import AuthenticationBackend as AllauthBackend
from django.contrib.auth import backends, get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction

from lms import generation

TIMEOUT = 300
CHANGED = "changed"  # the marker
MARKER_SECONDS = 2  # far longer than a request takes from reading a row to storing it


# Every log-in saves ``last_login``, which decides nothing: it is left out of the cached row (and
# loaded from the database if someone reads it), so that a log-in does not throw the row away, and a
# cached user saved whole cannot write an old ``last_login`` back (Django saves only loaded fields).
NOT_CACHED = {"last_login"}


@functools.cache
def _fields() -> tuple:
    return tuple(f for f in get_user_model()._meta.concrete_fields if f.attname not in NOT_CACHED)


@functools.cache
def _names() -> list[str]:
    return [f.attname for f in _fields()]


@functools.cache
def _shape() -> str:
    """What the entry holds, as a checksum that is the same in every process (``hash`` is not)."""
    return f"{zlib.crc32(','.join(['staff_areas', *_names()]).encode()):x}"


def _key(user_id) -> str:
    return f"kyky:user:{user_id}:{_shape()}"


def cached_user(user_id):
    """The user with ``user_id`` (None when there is none), from the cache when it is there."""
    User = get_user_model()
    try:
        user_id = User._meta.pk.to_python(user_id)
    except ValidationError:  # a session holding something that is not an id: nobody
        return None
    key = _key(user_id)
    entry = generation.get_along(key)
    if isinstance(entry, tuple):
        values, staff_areas = entry
        user = User.from_db("default", _names(), values)
        user.__dict__["staff_areas"] = staff_areas  # the cached_property, set
        return user
    user = User._default_manager.filter(pk=user_id).first()
    if user is not None and entry is None:
        cache.add(key, (tuple(getattr(user, f.attname) for f in _fields()), user.staff_areas), TIMEOUT)
    return user


def forget(user_id) -> None:
    """The user's cached row is out of date: now, and when the transaction commits."""
    key = _key(user_id)
    cache.set(key, CHANGED, MARKER_SECONDS)
    transaction.on_commit(lambda: cache.set(key, CHANGED, MARKER_SECONDS))


def user_changed(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """``post_save`` and ``post_delete`` of a user; a new user has nothing cached to go stale."""
    if created or instance.pk is None or (update_fields and set(update_fields) <= NOT_CACHED):
        return
    forget(instance.pk)


class _CachedUser:
    def get_user(self, user_id):
        user = cached_user(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None


class ModelBackend(_CachedUser, backends.ModelBackend):
    """Django's, with the logged-in user read from the cache."""


class AuthenticationBackend(_CachedUser, AllauthBackend):
    """django-allauth's (log-in by e-mail), with the logged-in user read from the cache."""
