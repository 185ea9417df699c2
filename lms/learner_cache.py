"""A learner's own pages, kept in the cache until something they show changes.

*My trainings* is read far more often than anything on it changes, and building it means two
queries, a structure walk per training and a template. So the rendered list is kept per learner and
language, with the three stamps it was built under, and counts only while all three are current:

- the learner's stamp: replaced whenever one of their enrolments, lesson statuses, certificates or
  cohort places changes (the owning apps connect ``touch`` to those models' signals and call it
  where they write with ``QuerySet.update``);
- the cohort stamp: replaced when any cohort, its teachers or an organisation changes, because
  those are shown to every learner of the cohort (rare, so one stamp for all);
- the content generation (``lms.generation``): titles and URLs of the trainings.

A list shown on the page may depend on more shared rows: *Upcoming sessions* also counts under the
sessions stamp, replaced whenever any contact session changes (``shared=`` names such stamps).

Stamps are replaced rather than counted (a fresh random token), so a flushed or restarted cache can
never bring back an old page under a reused number. Like the content generation, a stamp is replaced
at once and again when the transaction commits: whatever another request cached from the old rows
in between is not read again. The pages read together and their stamps come in one round trip
(``pages``).
"""

import secrets
from collections.abc import Callable
from typing import NamedTuple

from django.core.cache import cache
from django.db import transaction

from lms import generation

TIMEOUT = 24 * 3600
COHORTS = "kyky:cohorts-stamp"
SESSIONS = "kyky:sessions-stamp"


def _stamp_key(user_id: int) -> str:
    return f"kyky:learner:{user_id}"


def touch(user_id: int | None) -> None:
    """Whatever is cached of ``user_id``'s own pages is out of date, now and at the commit."""
    if user_id is not None:
        _replace_now_and_at_commit(_stamp_key(user_id))


def cohorts_changed(**_signal_kwargs) -> None:
    """A cohort, its teachers or an organisation changed: every learner's page may show it."""
    _replace_now_and_at_commit(COHORTS)


def sessions_changed(**_signal_kwargs) -> None:
    """A contact session was added, changed or removed: any learner's list of sessions may show it."""
    _replace_now_and_at_commit(SESSIONS)


def _replace_now_and_at_commit(key: str) -> None:
    _replace(key)
    transaction.on_commit(lambda: _replace(key))


def _replace(key: str) -> None:
    cache.set(key, secrets.token_hex(8), TIMEOUT)


class Entry(NamedTuple):
    """One of the learner's cached pages (or lists): what ``pages`` reads and, when stale, builds."""

    name: str
    language: str
    build: Callable[[], object]
    shared: tuple[str, ...] = (COHORTS,)


def pages(user_id: int, entries: list[Entry]) -> list:
    """Each entry's ``build()`` (a rendered fragment, or rows to render), from the cache when current
    under the learner's stamp, the entry's ``shared`` stamps and the content generation. Every stamp
    and entry comes in one round trip: a page made of two cached lists (*My trainings* and its
    sessions) asks the cache once, not twice."""
    learner = _stamp_key(user_id)
    stamp_keys = list(dict.fromkeys(key for entry in entries for key in (learner, *entry.shared)))
    entry_keys = [f"kyky:learner-page:{user_id}:{entry.name}:{entry.language}" for entry in entries]
    found = cache.get_many([*stamp_keys, *entry_keys])
    keep, stamps = True, {}
    for key in stamp_keys:
        stamp = found.get(key)
        if stamp is None:
            stamp = secrets.token_hex(8)
            keep = cache.add(key, stamp, TIMEOUT) and keep  # lost to a writer's replacing it: do not keep these
        stamps[key] = stamp
    content = generation.current()
    values = []
    for entry, entry_key in zip(entries, entry_keys, strict=True):
        current = (*(stamps[key] for key in (learner, *entry.shared)), content)
        kept = found.get(entry_key)
        if kept is not None and kept[0] == current:
            values.append(kept[1])
            continue
        value = entry.build()
        if keep:
            cache.set(entry_key, (current, value), TIMEOUT)
        values.append(value)
    return values
